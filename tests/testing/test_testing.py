"""Tests for the public hypothesis strategies and invariant checks.

Each invariant check must fail on an estimator that violates it, so that a
property test built on it can fail.
"""

from numbers import Integral

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions

from sklearn_kexue.testing import (
    FORMATS,
    as_format,
    assert_even_hamming_distances,
    assert_fixed_weight_codes,
    assert_input_unchanged,
    assert_pickle_roundtrip,
    assert_reproducible,
    assert_row_independent,
    assert_row_shift_scale_invariance,
    assert_same_output_across_formats,
    estimator_params,
    matrices,
)
from sklearn_kexue.utils import all_estimators, check_pydata_sparse


@pytest.mark.parametrize(
    "cls", [cls for _, cls in all_estimators()], ids=lambda c: c.__name__
)
@given(data=st.data())
def test_drawn_parameters_satisfy_every_constraint(cls, data):
    params = data.draw(estimator_params(cls))
    assert set(params) == set(cls().get_params())
    cls(**params)._validate_params()


class _Toy(BaseEstimator):
    _parameter_constraints = {
        "count": [Interval(Integral, 2, 5, closed="neither")],
        "ratio": [Interval(RealNotInt, 0, 1, closed="right"), StrOptions({"auto"})],
        "weights": ["array-like"],
    }

    def __init__(self, count=3, ratio="auto", weights=None):
        self.count = count
        self.ratio = ratio
        self.weights = weights


@given(params=estimator_params(_Toy, weights=None))
def test_interval_ends_and_options_are_respected(params):
    assert 2 < params["count"] < 5
    assert params["ratio"] == "auto" or 0 < params["ratio"] <= 1


def test_undrawable_parameters_need_an_override():
    with pytest.raises(ValueError, match="pass weights=<value or strategy>"):
        estimator_params(_Toy)
    with pytest.raises(ValueError, match="no parameter"):
        estimator_params(_Toy, weights=None, colour="red")


@given(
    X=matrices(n_samples=4, n_features=(2, 3), dtypes=[np.float32], integer_valued=True)
)
def test_matrices_respect_shape_dtype_and_integrality(X):
    dense = np.asarray(X.todense()) if hasattr(X, "todense") else np.asarray(X)
    assert dense.shape[0] == 4 and 2 <= dense.shape[1] <= 3
    assert dense.dtype == np.float32
    np.testing.assert_array_equal(dense, np.round(dense))


@pytest.mark.parametrize("format", FORMATS)
def test_as_format_round_trips(format):
    X = np.array([[0.0, 2.5], [-1.0, 0.0]], dtype=np.float32)
    converted = as_format(X, format)
    dense = (
        np.asarray(converted.todense()) if hasattr(converted, "todense") else converted
    )
    np.testing.assert_array_equal(dense, X)
    assert dense.dtype == np.float32
    with pytest.raises(ValueError, match="'format' parameter of as_format"):
        as_format(X, "lil")


def test_fixed_weight_and_even_distance_checks_catch_violations():
    assert_fixed_weight_codes(sp.csr_matrix([[1, 0, 1], [1, 1, 0]]), 2)
    with pytest.raises(AssertionError, match="exactly 2 active units"):
        assert_fixed_weight_codes(np.array([[1, 0, 1], [1, 1, 1]]), 2)
    with pytest.raises(AssertionError, match="other than 1"):
        assert_fixed_weight_codes(np.array([[2, 0, 1]]), 2)
    assert_fixed_weight_codes(np.array([[2.5, 0, -1.0]]), 2, binary=False)
    with pytest.raises(AssertionError, match="is odd"):
        assert_even_hamming_distances(np.array([[1, 1, 0], [1, 0, 0]]))


class _Broken(TransformerMixin, BaseEstimator):
    """A transformer that violates one invariant at a time, on request."""

    def __init__(self, flaw=None, random_state=None):
        self.flaw = flaw
        self.random_state = random_state

    def fit(self, X, y=None):
        if self.flaw == "mutates":
            X *= 2
        self.offset_ = (
            np.random.default_rng().random() if self.flaw == "random" else 0.0
        )
        return self

    def transform(self, X):
        X = check_pydata_sparse(X)
        dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
        if self.flaw == "batch-dependent":
            return dense - dense.mean(axis=0)
        if self.flaw == "format-dependent" and sp.issparse(X):
            return dense + 1
        if self.flaw == "shift-dependent":
            return dense
        return np.sign(dense - dense.mean(axis=1, keepdims=True)) + self.offset_

    def __getstate__(self):
        state = super().__getstate__()
        if self.flaw == "unpicklable-state":
            state["offset_"] = 1.0
        return state


def test_invariant_checks_fail_on_violations():
    X = np.random.default_rng(0).random((6, 4))
    good = _Broken()
    assert_input_unchanged(good, X.copy())
    assert_reproducible(good, X)
    assert_row_independent(good.fit(X), X)
    assert_pickle_roundtrip(good, X)
    assert_same_output_across_formats(good, X)
    assert_row_shift_scale_invariance(
        good.fit(X), X, np.arange(6.0), np.arange(1.0, 7.0)
    )

    with pytest.raises(AssertionError, match="modified its input"):
        assert_input_unchanged(_Broken("mutates"), X.copy())
    with pytest.raises(AssertionError, match="clone refit"):
        assert_reproducible(_Broken("random"), X)
    with pytest.raises(AssertionError, match=r"permuted|subset|alone"):
        assert_row_independent(_Broken("batch-dependent").fit(X), X)
    with pytest.raises(AssertionError, match="after pickle"):
        assert_pickle_roundtrip(_Broken("unpicklable-state"), X)
    with pytest.raises(AssertionError, match="csr_matrix input"):
        assert_same_output_across_formats(_Broken("format-dependent"), X)
    with pytest.raises(AssertionError, match="per-row shift"):
        assert_row_shift_scale_invariance(
            _Broken("shift-dependent").fit(X), X, np.ones(6), np.ones(6)
        )


# Misuse gets a clear error naming the argument; valid unusual input a result.


def test_as_format_refuses_what_no_container_can_hold():
    with pytest.raises(ValueError, match=r"X must be 2-D .* got shape \(3,\)"):
        as_format(np.arange(3.0), "csr_matrix")  # was a silent (1, 3) matrix
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2\)"):
        as_format(np.zeros((2, 2, 2)), "coo_array")
    with pytest.raises(ValueError, match=r"X must hold numbers.*object"):
        as_format(np.array([[1, None]], dtype=object), "pydata_gcxs")
    with pytest.raises(ValueError, match="cannot hold dtype float16"):
        as_format(np.ones((2, 2), dtype=np.float16), "csr_array")
    with pytest.raises(TypeError, match="'X' parameter of as_format"):
        as_format(None, "dense")


@pytest.mark.parametrize("format", FORMATS)
def test_as_format_converts_sparse_input_and_keeps_nan(format):
    X = np.array([[0.0, np.nan], [-3.0, 0.0], [np.inf, 2.0]])
    for source in (sp.csr_matrix(X), as_format(X, "pydata_coo"), X.tolist()):
        converted = as_format(source, format)
        dense = np.asarray(converted.todense()) if format != "dense" else converted
        np.testing.assert_array_equal(dense, X)
        assert converted.shape == (3, 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_samples": (5, 2)}, ValueError, r"n_samples=\(5, 2\) must satisfy"),
        ({"n_samples": -1}, ValueError, "'n_samples' parameter of matrices"),
        ({"n_features": True}, TypeError, "'n_features' parameter of matrices"),
        ({"n_samples": 2.5}, TypeError, "'n_samples' parameter"),
        ({"n_samples": (1.5, 3)}, TypeError, "n_samples bounds must be ints"),
        ({"n_samples": (1, 2, 3)}, ValueError, r"a \(low, high\) pair"),
        ({"dtypes": []}, ValueError, "at least one dtype"),
        ({"dtypes": [np.int64]}, ValueError, "float32 or float64.*int64"),
        ({"dtypes": ["float16"]}, ValueError, "float32 or float64.*float16"),
        ({"dtypes": ["nonsense"]}, TypeError, "dtypes must hold NumPy dtypes"),
        ({"dtypes": [None]}, TypeError, "dtypes must hold NumPy dtypes"),
        ({"formats": []}, ValueError, "formats must name at least one"),
        ({"formats": ["lil"]}, ValueError, "got 'lil'"),
        ({"min_value": 5, "max_value": 1}, ValueError, "must not exceed"),
        ({"min_value": np.nan}, ValueError, "'min_value' parameter"),
        ({"max_value": np.inf}, ValueError, "'max_value' parameter"),
        ({"zero_fraction": 1.5}, ValueError, "'zero_fraction' parameter"),
        ({"integer_valued": "yes"}, TypeError, "'integer_valued' parameter"),
        (
            {"min_value": 0.5, "max_value": 0.6, "integer_valued": True},
            ValueError,
            "needs an integer",
        ),
        (
            {"min_value": 0, "max_value": 2.0**30, "integer_valued": True},
            ValueError,
            "must be exact",
        ),
        (
            {"min_value": 1e300, "max_value": 1e308, "dtypes": [np.float32]},
            ValueError,
            "range of float32",
        ),
    ],
)
def test_matrices_refuses_impossible_arguments_when_called(kwargs, error, match):
    # Before, most of these surfaced at the first draw, deep inside hypothesis
    # (or drew silently: True rows, 2.5 rows, zero_fraction=1.5).
    with pytest.raises(error, match=match):
        matrices(**kwargs)


@given(
    X=matrices(
        n_samples=(0, 3),
        n_features=(0, 3),
        dtypes=np.float32,
        formats="dense",
        min_value=0.1,
        max_value=0.2,
    )
)
def test_matrices_round_bounds_into_the_dtype_and_allow_empty_shapes(X):
    # 0.1 is not a float32: hypothesis refused the bounds at the first draw.
    assert X.dtype == np.float32 and X.shape[0] <= 3 and X.shape[1] <= 3
    nonzero = X[X != 0]
    assert np.all((nonzero >= np.float32(0.1)) & (nonzero <= np.float32(0.2)))


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_matrices_takes_numpy_float_bounds():
    # A float32 bound made the range check float32: float64's largest value
    # overflowed to inf, with a RuntimeWarning.
    strategy = matrices(max_value=np.float32(0.5), dtypes=np.float64)

    @given(X=strategy)
    def check(X):
        assert np.all(np.asarray(X.todense() if hasattr(X, "todense") else X) <= 0.5)

    check()


@given(
    zeros=matrices(n_samples=4, n_features=4, formats=["dense"], zero_fraction=1),
    full=matrices(
        n_samples=4, n_features=4, formats=["dense"], min_value=1, zero_fraction=0
    ),
)
def test_matrices_zero_fraction_ends(zeros, full):
    assert np.count_nonzero(zeros) == 0
    assert np.count_nonzero(full) == 16


class _Wide(BaseEstimator):
    _parameter_constraints = {
        "below": [Interval(Integral, None, -100, closed="right")],
        "anywhere": [Interval(Integral, None, None, closed="neither")],
        "low_real": [Interval(RealNotInt, None, -50.0, closed="neither")],
        "pattern": [str],
    }

    def __init__(self, below=-100, anywhere=0, low_real=-60.5, pattern=r"\w+"):
        self.below = below
        self.anywhere = anywhere
        self.low_real = low_real
        self.pattern = pattern


@given(params=estimator_params(_Wide, int_span=10, float_span=5.0))
def test_open_interval_ends_are_capped_from_the_other_end(params):
    # An unbounded left end used to be -int_span whatever the right end:
    # st.integers(-64, -100) failed at the first draw.
    assert -110 <= params["below"] <= -100
    assert -10 <= params["anywhere"] <= 10
    assert -55.0 <= params["low_real"] < -50.0
    # A constraint that cannot be drawn keeps a default that satisfies it.
    assert params["pattern"] == r"\w+"


def test_estimator_params_refuses_non_classes_and_bad_spans():
    from sklearn_kexue import FlyHashTransformer
    from sklearn_kexue.testing import estimators

    with pytest.raises(TypeError, match="'estimator_class' parameter"):
        estimator_params(FlyHashTransformer())
    with pytest.raises(TypeError, match="'estimator_class' parameter"):
        estimators("FlyHashTransformer")
    with pytest.raises(TypeError, match="has none"):
        estimator_params(type("NoConstraints", (), {}))
    with pytest.raises(ValueError, match="'int_span' parameter of estimators"):
        estimators(FlyHashTransformer, int_span=-1)
    with pytest.raises(ValueError, match="'float_span' parameter"):
        estimator_params(FlyHashTransformer, float_span=float("inf"))


def test_code_checks_refuse_misuse_instead_of_asserting_or_passing():
    codes = np.array([[1, 0, 1], [0, 1, 1]])
    for hash_length in (True, 2.0, -1, None, "2"):
        with pytest.raises((TypeError, ValueError), match="'hash_length' parameter"):
            assert_fixed_weight_codes(codes, hash_length)
    with pytest.raises(TypeError, match="'binary' parameter"):
        assert_fixed_weight_codes(codes, 2, binary="no")
    # 3-D codes passed silently; 1-D ones raised numpy's AxisError.
    for check in (assert_even_hamming_distances, assert_fixed_weight_codes):
        args = (2,) if check is assert_fixed_weight_codes else ()
        with pytest.raises(ValueError, match=r"codes must be 2-D .*\(2, 2, 3\)"):
            check(np.ones((2, 2, 3)), *args)
        with pytest.raises(ValueError, match=r"got shape \(3,\)"):
            check(np.array([1, 0, 1]), *args)
        with pytest.raises(ValueError, match="dtype object"):
            check(np.array([[1, None]], dtype=object), *args)
    assert_fixed_weight_codes(as_format(codes, "pydata_gcxs"), 2)  # was RuntimeError


def test_even_distances_catch_fractional_codes():
    # 0.5 was cast to 0 before the binary check, so these passed.
    with pytest.raises(AssertionError, match="not binary"):
        assert_even_hamming_distances(np.array([[0.5, 1.0], [1.0, 0.0]]))


class _Echo(TransformerMixin, BaseEstimator):
    """Returns its input (or NaN where asked): for input and output edge cases."""

    def __init__(self, nan=False):
        self.nan = nan

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        out = np.array(X, dtype=float)
        return np.full_like(out, np.nan) if self.nan else out


class _RandomLabels(BaseEstimator):
    """A classifier whose predictions change from fit to fit."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.seed_ = np.random.default_rng().integers(2**32)
        return self

    def predict(self, X):
        rng = np.random.default_rng(self.seed_)
        return rng.choice(self.classes_, size=np.asarray(X).shape[0])


def test_estimator_checks_refuse_misuse_and_handle_classifiers():
    from sklearn_kexue import GammaCrossEntropyClassifier, SignRandomProjection

    X = np.random.default_rng(0).random((12, 4))
    y = np.arange(12) % 3
    checks = (
        assert_input_unchanged,
        assert_pickle_roundtrip,
        assert_reproducible,
        assert_same_output_across_formats,
    )
    for check in checks:
        with pytest.raises(TypeError, match="got the class _Echo"):
            check(_Echo, X)
        with pytest.raises(TypeError, match="implementing 'fit' and 'transform'"):
            check(object(), X)
        with pytest.raises(ValueError, match="'X' parameter"):
            check(_Echo(), None)
    with pytest.raises(TypeError, match="implementing 'transform'"):
        assert_row_independent("not an estimator", X)
    with pytest.raises(ValueError, match="not fitted"):
        assert_row_independent(_Broken(), X)
    # A classifier with y, and its 1-D predictions (numpy's AxisError before).
    classifier = GammaCrossEntropyClassifier(max_iter=200)
    assert_reproducible(classifier, X, y)
    assert_same_output_across_formats(classifier, X, y, formats="csr_matrix")
    with pytest.raises(AssertionError, match="clone refit: outputs differ in"):
        assert_reproducible(_RandomLabels(), X, y)
    # DataFrame outputs (no .dtype) and NaN outputs compare by value.
    assert_reproducible(SignRandomProjection().set_output(transform="pandas"), X)
    assert_pickle_roundtrip(_Echo(nan=True), X)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    assert_input_unchanged(_Echo(), X_nan)  # NaN != NaN read as a modification
    with pytest.raises(ValueError, match="formats must name at least one"):
        assert_same_output_across_formats(_Echo(), X, formats=[])


def test_row_independence_takes_lists_frames_and_random_states():
    import pandas as pd

    X = np.random.default_rng(0).random((7, 4))
    fitted = _Broken().fit(X)
    assert_row_independent(fitted, X.tolist())  # 'list' has no attribute 'shape'
    # Rows selected by position: X[permutation] picked DataFrame columns.
    assert_row_independent(fitted, pd.DataFrame(X, columns=list("abcd")))
    assert_row_independent(fitted, X, random_state=np.random.RandomState(3))
    for random_state in ("a", -1, True):
        with pytest.raises(ValueError, match="'random_state' parameter"):
            assert_row_independent(fitted, X, random_state=random_state)
    with pytest.raises(AssertionError):
        assert_row_independent(_Broken("batch-dependent").fit(X), X.tolist())


def test_shift_scale_check_validates_shifts_and_keeps_them_exact():
    X = np.arange(12).reshape(3, 4) % 5  # integers
    shift_dependent = _Broken("shift-dependent").fit(X)
    # Integer X was cast back to int after shifting by 0.5: X + 0.5 -> X, a pass.
    with pytest.raises(AssertionError, match="per-row shift"):
        assert_row_shift_scale_invariance(
            shift_dependent, X, np.full(3, 0.5), np.ones(3)
        )
    fitted = _Broken().fit(X)
    assert_row_shift_scale_invariance(fitted, X, np.full(3, 0.5), np.ones(3))
    for shifts, match in [
        (np.ones(1), r"shifts must have shape \(n_samples,\) = \(3,\), got \(1,\)"),
        (np.ones(5), r"got \(5,\)"),
        (np.ones((3, 2)), r"got \(3, 2\)"),
        (np.array([0.0, np.nan, 1.0]), "shifts must be finite"),
        (np.array(["a", "b", "c"]), "shifts must hold real numbers"),
    ]:
        with pytest.raises(ValueError, match=match):
            assert_row_shift_scale_invariance(fitted, X, shifts, np.ones(3))
    with pytest.raises(ValueError, match="scales must be positive"):
        assert_row_shift_scale_invariance(fitted, X, np.ones(3), np.zeros(3))
    with pytest.raises(TypeError, match="'X' parameter"):
        assert_row_shift_scale_invariance(fitted, sp.csr_matrix(X), *np.ones((2, 3)))
    with pytest.raises(TypeError, match="X must be dense"):
        assert_row_shift_scale_invariance(
            fitted, as_format(X, "pydata_coo"), *np.ones((2, 3))
        )
    with pytest.raises(ValueError, match="overflows float32"):
        assert_row_shift_scale_invariance(
            fitted, X.astype(np.float32), np.zeros(3), np.full(3, 1e38)
        )
