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
    with pytest.raises(ValueError, match="format must be one of"):
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
