"""Bad and unusual arguments through the public utilities: a result or a clear error.

Covers ``sklearn_kexue.testing`` (``as_format``, ``matrices``,
``estimator_params``, ``estimators`` and every ``assert_*`` check),
``sklearn_kexue.dask`` (``transform_blocks``, ``partial_fit_blocks``,
``count_cooccurrence_corpus``) and ``sklearn_kexue.utils`` (``gen_row_batches``,
``all_estimators`` and the input checks). Each test draws arguments, part valid
and part from a pool of wrong types and edge values, decides from the function's
documented contract whether the call must succeed, and then checks either the
result (batches cover every row once, ``as_format`` keeps every value, a dask
transform equals the in-memory one, ...) or a clear ``ValueError``/``TypeError``
(``_bad_inputs.check_outcome``). The assertion helpers have a third outcome: an
``AssertionError`` exactly when the invariant is broken, never on a misuse.

Dask runs on the synchronous scheduler here (no cluster).
"""

import math
import os
import tempfile
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sparse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.extra import numpy as hnp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestCentroid
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval as SklearnInterval
from sklearn.utils._param_validation import StrOptions as SklearnStrOptions
from sklearn.utils.validation import _is_arraylike_not_scalar, check_is_fitted

from sklearn_kexue import (
    BioHashTransformer,
    FlyHashTransformer,
    SignRandomProjection,
)
from sklearn_kexue.embedding import CooccurrenceVectorizer
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
    estimators,
    matrices,
)
from sklearn_kexue.utils import (
    all_estimators,
    check_pydata_sparse,
    check_sparse_structure,
    gen_row_batches,
    validate_input_data,
)
from tests.fuzz._bad_inputs import (
    EITHER,
    ERROR,
    INPUT_CASES,
    VALID,
    check_outcome,
)

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
db = pytest.importorskip("dask.bag")

from sklearn_kexue.dask import (  # noqa: E402
    ROW_WISE_METHODS,
    count_cooccurrence_corpus,
    partial_fit_blocks,
    transform_blocks,
)


@pytest.fixture(autouse=True)
def _synchronous_dask():
    with dask.config.set(scheduler="synchronous"):
        yield


_FEW = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_SOME = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _event(message):
    """Count an outcome (--hypothesis-show-statistics shows the shares)."""
    if currently_in_test_context():
        event(message)


class _NotAnEstimator:
    """Neither fit nor transform."""


# Wrong types and edge values, tried for every parameter of every function.
BAD_VALUES = [
    None,
    True,
    False,
    np.bool_(True),
    0,
    1,
    -1,
    3,
    np.int64(3),
    2**40,
    0.0,
    0.5,
    -0.5,
    1.5,
    np.float32(0.5),
    float("nan"),
    np.nan,
    float("inf"),
    -float("inf"),
    1e300,
    "",
    "auto",
    "not-an-option",
    "transform",
    "dense",
    [1],
    [],
    (1, 2),
    (2, 1),
    {},
    np.array([1, 2]),
    object(),
    _NotAnEstimator,
    FlyHashTransformer,
]


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _is_int(value):
    return isinstance(value, Integral) and not _is_bool(value)


def _is_real(value):
    return isinstance(value, Real) and not _is_bool(value) and not np.isnan(value)


def _is_finite(value):
    return _is_real(value) and math.isfinite(value)


def _mixed(valid, *, bad=BAD_VALUES):
    """Half valid draws, half values from the pool of wrong ones."""
    return st.one_of(valid, st.sampled_from(bad))


class _Wrapped:
    """A result that legitimately holds NaN (kept from the input)."""

    def __init__(self, value):
        self.value = value


def _not_fitted_is_clear(call):
    """NotFittedError is scikit-learn's clear error for an unfitted estimator."""

    def run():
        try:
            return call()
        except NotFittedError as error:
            raise ValueError(f"NotFittedError: {error}") from error

    return run


def _quietly(call):
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call()

    return run


def _dense_of(value):
    """Reference values of any container, by each container's own API."""
    if sp.issparse(value):
        return value.toarray()
    if isinstance(value, (sparse.COO, sparse.GCXS, sparse.DOK)):
        return value.todense()
    if isinstance(value, pd.DataFrame):
        return value.to_numpy()
    return np.asarray(value)


@st.composite
def base_matrices(draw, *, integer_valued=False):
    """Valid data: no all-zero row or column, distinct rows."""
    n_samples = draw(st.integers(6, 10))
    n_features = draw(st.integers(3, 6))
    if integer_valued:
        elements = st.integers(-5, 5).map(float)
    else:
        elements = st.floats(-10, 10, allow_nan=False, allow_subnormal=False)
    X = draw(hnp.arrays(np.float64, (n_samples, n_features), elements=elements))
    X[:, 0] += np.arange(n_samples) + 1
    X[0, :] += 1
    return X


# ---------------------------------------------------------------- gen_row_batches


def _batches_contract(n_samples, row_bytes, working_memory, max_batch_size):
    if not (_is_int(n_samples) and n_samples >= 0):
        return ERROR
    if not (_is_finite(row_bytes) and row_bytes >= 0):
        return ERROR
    if working_memory is not None and not (
        _is_real(working_memory) and working_memory > 0
    ):
        return ERROR
    if max_batch_size is not None and not (
        _is_int(max_batch_size) and max_batch_size >= 1
    ):
        return ERROR
    return VALID


def _check_batches(n_samples, row_bytes, working_memory, max_batch_size):
    expect = _batches_contract(n_samples, row_bytes, working_memory, max_batch_size)
    _event(f"outcome: {expect}")
    context = (
        f"gen_row_batches({n_samples!r}, {row_bytes!r}, "
        f"working_memory={working_memory!r}, max_batch_size={max_batch_size!r})"
    )
    batches = check_outcome(
        lambda: gen_row_batches(
            n_samples,
            row_bytes,
            working_memory=working_memory,
            max_batch_size=max_batch_size,
        ),
        expect,
        context,
    )
    if expect != VALID or n_samples > 10**5:
        return
    batches = list(batches)
    budget = (1024 if working_memory is None else working_memory) * 2**20
    covered = np.concatenate([np.arange(b.start, b.stop) for b in batches] or [[]])
    np.testing.assert_array_equal(covered, np.arange(n_samples), err_msg=context)
    sizes = [b.stop - b.start for b in batches]
    assert all(type(b.start) is int and type(b.stop) is int for b in batches), context
    assert all(size >= 1 for size in sizes), context
    assert len(set(sizes[:-1])) <= 1, f"{context}: uneven batches {sizes}"
    if max_batch_size is not None:
        assert max(sizes, default=0) <= max_batch_size, context
    # One row always fits; more rows only within the budget.
    assert all(s == 1 or s * max(1, row_bytes) <= budget for s in sizes), context


_BATCH_ARGUMENTS = {
    "n_samples": st.integers(0, 3000),
    "row_bytes": st.one_of(st.integers(0, 2**24), st.floats(0, 2**24)),
    "working_memory": st.one_of(st.none(), st.floats(1e-4, 64), st.just(float("inf"))),
    "max_batch_size": st.one_of(st.none(), st.integers(1, 500)),
}


@given(**_BATCH_ARGUMENTS)
def test_gen_row_batches(n_samples, row_bytes, working_memory, max_batch_size):
    _check_batches(n_samples, row_bytes, working_memory, max_batch_size)


@pytest.mark.parametrize("parameter", sorted(_BATCH_ARGUMENTS))
@_FEW
@given(data=st.data())
def test_gen_row_batches_bad_values(parameter, data):
    """Every value of the pool, for one parameter, the others valid."""
    arguments = {name: data.draw(s, label=name) for name, s in _BATCH_ARGUMENTS.items()}
    for value in BAD_VALUES:
        _check_batches(**{**arguments, parameter: value})


# ---------------------------------------------------------------- all_estimators

_KINDS = ("classifier", "regressor", "transformer")


_TYPE_FILTERS = st.one_of(
    st.none(),
    st.sampled_from(_KINDS),
    st.lists(st.sampled_from(_KINDS), max_size=3),
    st.lists(st.sampled_from(_KINDS), max_size=3).map(tuple),
    st.sets(st.sampled_from(_KINDS), max_size=3),
)
_BAD_TYPE_FILTERS = [
    *BAD_VALUES,
    "cluster",
    "Transformer",
    ["classifier", None],
    [[]],
    ("regressor", 3),
]


def test_all_estimators_bad_values():
    for type_filter in _BAD_TYPE_FILTERS:
        _check_all_estimators(type_filter)


@given(type_filter=_TYPE_FILTERS)
def test_all_estimators(type_filter):
    _check_all_estimators(type_filter)


def _check_all_estimators(type_filter):
    if type_filter is None or isinstance(type_filter, str):
        kinds = None if type_filter is None else [type_filter]
    elif isinstance(type_filter, (list, tuple, set)):
        kinds = list(type_filter)
    else:
        kinds = ["invalid"]
    expect = VALID
    if kinds is not None and not all(
        isinstance(kind, str) and kind in _KINDS for kind in kinds
    ):
        expect = ERROR
    _event(f"outcome: {expect}")
    context = f"all_estimators({type_filter!r})"
    found = check_outcome(lambda: all_estimators(type_filter), expect, context)
    if expect != VALID:
        return
    everything = all_estimators()
    assert [name for name, _ in found] == sorted(name for name, _ in found), context
    assert set(found) <= set(everything), context
    assert all(issubclass(cls, BaseEstimator) for _, cls in found), context
    if kinds is not None:
        union = set()
        for kind in kinds:
            union |= set(all_estimators(kind))
        assert set(found) == union, context
        for _, cls in found:
            tags = cls().__sklearn_tags__()
            is_transformer = hasattr(cls, "transform")
            assert tags.estimator_type in kinds or (
                "transformer" in kinds and is_transformer
            ), context


# ---------------------------------------------------------------- as_format

# What as_format does with each input case: a container of the same values, or
# a clear error for what no 2-D numeric container can hold.
_AS_FORMAT_ERRORS = {
    "words",
    "numeric_strings",
    "one_dimensional",
    "three_dimensional",
    "none",
    "scalar",
    "csr_column_too_large",
    "csr_column_negative",
    "csr_bad_indptr",
}


def _container_matches(value, format):
    kinds = {
        "dense": np.ndarray,
        "csr_matrix": sp.csr_matrix,
        "csr_array": sp.csr_array,
        "csc_matrix": sp.csc_matrix,
        "coo_array": sp.coo_array,
        "pydata_coo": sparse.COO,
        "pydata_gcxs": sparse.GCXS,
    }
    return type(value) is kinds[format]


@pytest.mark.parametrize("case", INPUT_CASES, ids=lambda case: case.name)
def test_as_format_on_unusual_input(case):
    @_FEW
    @given(
        X_base=base_matrices(),
        format=_mixed(st.sampled_from(FORMATS), bad=[*BAD_VALUES, "lil", "DENSE"]),
    )
    def check(X_base, format):
        X = case.make(X_base)
        expect = ERROR if case.name in _AS_FORMAT_ERRORS else VALID
        if not (isinstance(format, str) and format in FORMATS):
            expect = ERROR
        context = f"as_format({case.name}, {format!r})"
        wrapped = check_outcome(
            lambda: _Wrapped(as_format(X, format)), expect, context, inputs=(X,)
        )
        if expect != VALID:
            return
        result, reference = wrapped.value, _dense_of(X)
        assert _container_matches(result, format), context
        values = _dense_of(result)
        assert values.shape == reference.shape, context
        assert values.dtype == reference.dtype, context
        np.testing.assert_array_equal(values, reference, err_msg=context)
        if format == "dense" and isinstance(X, np.ndarray):
            assert not np.may_share_memory(result, X), context

    check()


# ---------------------------------------------------------------- matrices

_MATRIX_DEFAULTS = {
    "n_samples": (1, 20),
    "n_features": (1, 10),
    "dtypes": (np.float64, np.float32),
    "formats": FORMATS,
    "min_value": -100.0,
    "max_value": 100.0,
    "integer_valued": False,
    "zero_fraction": 0.3,
}
_VALID_MATRIX_ARGUMENTS = {
    "n_samples": st.one_of(
        st.integers(0, 5), st.tuples(st.integers(0, 2), st.integers(2, 5))
    ),
    "n_features": st.one_of(
        st.integers(0, 4),
        st.lists(st.integers(0, 4), min_size=2, max_size=2).map(sorted),
    ),
    "dtypes": st.sampled_from(
        [np.float64, "float32", np.dtype("float32"), [np.float32], (float, "float64")]
    ),
    "formats": st.one_of(
        st.sampled_from(FORMATS),
        st.lists(st.sampled_from(FORMATS), min_size=1, max_size=3),
    ),
    "min_value": st.floats(-1e3, 1e3),
    "max_value": st.floats(-1e3, 1e3),
    "integer_valued": st.booleans(),
    "zero_fraction": st.floats(0, 1),
}
_MATRIX_BAD = [
    *BAD_VALUES,
    (0, 2, 4),
    (3.5, 4),
    ["float16"],
    [np.int64],
    [None],
    ["nonsense"],
    ["lil"],
    1e39,
    -1e39,
]


def _size_ok(value):
    if _is_int(value):
        return value >= 0
    if isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = value
        return _is_int(low) and _is_int(high) and 0 <= low <= high
    return False


def _matrix_dtypes(value):
    """The dtypes matrices() must accept, or None for a misuse."""
    candidates = [value] if isinstance(value, (str, type, np.dtype)) else value
    if not isinstance(candidates, (list, tuple)) or not candidates:
        return None
    dtypes = []
    for candidate in candidates:
        if candidate is None or not isinstance(candidate, (str, type, np.dtype)):
            return None
        try:
            dtype = np.dtype(candidate)
        except TypeError:
            return None
        if dtype not in (np.float32, np.float64):
            return None
        dtypes.append(dtype)
    return dtypes


def _matrices_contract(kwargs):
    if not (_size_ok(kwargs["n_samples"]) and _size_ok(kwargs["n_features"])):
        return ERROR, None
    dtypes = _matrix_dtypes(kwargs["dtypes"])
    formats = kwargs["formats"]
    formats = [formats] if isinstance(formats, str) else formats
    if (
        dtypes is None
        or not isinstance(formats, (list, tuple))
        or not formats
        or not all(isinstance(f, str) and f in FORMATS for f in formats)
        or not _is_bool(kwargs["integer_valued"])
    ):
        return ERROR, None
    low, high, fraction = (
        kwargs["min_value"],
        kwargs["max_value"],
        kwargs["zero_fraction"],
    )
    if not (_is_finite(low) and _is_finite(high) and low <= high):
        return ERROR, None
    if not (_is_real(fraction) and 0 <= fraction <= 1):
        return ERROR, None
    largest = min(float(np.finfo(dtype).max) for dtype in dtypes)
    if max(abs(low), abs(high)) > largest:
        return ERROR, None
    if kwargs["integer_valued"]:
        exact = min(2.0 ** (np.finfo(dtype).nmant + 1) for dtype in dtypes)
        if math.ceil(low) > math.floor(high) or max(abs(low), abs(high)) > exact:
            return ERROR, None
    elif high - low < 1e-3:
        return EITHER, dtypes  # maybe no float32 between them
    return VALID, dtypes


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    changes=st.sets(st.sampled_from(sorted(_MATRIX_DEFAULTS)), max_size=4),
    data=st.data(),
)
def test_matrices(changes, data):
    """Valid arguments (defaults, some changed): the draws keep every promise."""
    kwargs = dict(_MATRIX_DEFAULTS)
    for name in sorted(changes):
        kwargs[name] = data.draw(_VALID_MATRIX_ARGUMENTS[name], label=name)
    if kwargs["min_value"] > kwargs["max_value"]:
        kwargs["min_value"], kwargs["max_value"] = (
            kwargs["max_value"],
            kwargs["min_value"],
        )
    _check_matrices(kwargs, data)


@pytest.mark.parametrize("parameter", sorted(_MATRIX_DEFAULTS))
def test_matrices_bad_values(parameter):
    """Every value of the pool, for one argument: a clear error when called."""
    for value in _MATRIX_BAD:
        _matrices_drawn_alone({**_MATRIX_DEFAULTS, parameter: value})()


def _matrices_drawn_alone(kwargs):
    """Draws of its own for one set of arguments: one data stream would overflow."""

    @settings(max_examples=2, deadline=None, database=None)
    @given(data=st.data())
    def check(data):
        _check_matrices(kwargs, data)

    return check


def _check_matrices(kwargs, data):
    expect, dtypes = _matrices_contract(kwargs)
    _event(f"outcome: {expect}")
    context = f"matrices(**{kwargs!r})"
    # A mistake is reported when the strategy is built, never at a draw.
    strategy = check_outcome(lambda: matrices(**kwargs), expect, context)
    if strategy is None:
        return
    formats = kwargs["formats"]
    formats = [formats] if isinstance(formats, str) else list(formats)
    rows, columns = (
        (kwargs[name], kwargs[name]) if _is_int(kwargs[name]) else kwargs[name]
        for name in ("n_samples", "n_features")
    )
    if rows[1] * columns[1] > 10**4:
        return  # a legitimate request for more memory than a test has
    for _ in range(2):
        X = data.draw(strategy, label="X")
        values = _dense_of(X)
        assert any(_container_matches(X, f) for f in formats), context
        assert rows[0] <= values.shape[0] <= rows[1], context
        assert columns[0] <= values.shape[1] <= columns[1], context
        assert values.dtype in dtypes, context
        assert np.all(np.isfinite(values)), context
        nonzero = values[values != 0]
        low = values.dtype.type(kwargs["min_value"])
        high = values.dtype.type(kwargs["max_value"])
        assert np.all((nonzero >= low) & (nonzero <= high)), context
        if kwargs["integer_valued"]:
            np.testing.assert_array_equal(values, np.round(values), err_msg=context)
        if kwargs["zero_fraction"] == 1:
            assert not nonzero.size, context


# ---------------------------------------------------------------- estimator_params


class _Toy(BaseEstimator):
    """scikit-learn's constraints (the users' case), with open interval ends."""

    _parameter_constraints = {
        "count": [SklearnInterval(Integral, None, -10, closed="right")],
        "ratio": [
            SklearnInterval(Real, 0, 1, closed="neither"),
            SklearnStrOptions({"auto"}),
        ],
        "pattern": [str],
    }

    def __init__(self, count=-10, ratio="auto", pattern="x+"):
        self.count = count
        self.ratio = ratio
        self.pattern = pattern


_CLASSES = [
    *(cls for _, cls in all_estimators()),
    LogisticRegression,
    StandardScaler,
    _Toy,
]


def _constraints_of(estimator_class):
    return isinstance(estimator_class, type) and isinstance(
        getattr(estimator_class, "_parameter_constraints", None), dict
    )


def _check_estimator_params(arguments, data):
    estimator_class, int_span = arguments["estimator_class"], arguments["int_span"]
    float_span, overrides = arguments["float_span"], arguments["overrides"]
    expect = VALID
    if not _constraints_of(estimator_class):
        expect = ERROR
    if not (_is_int(int_span) and int_span >= 0):
        expect = ERROR
    if not (_is_finite(float_span) and float_span > 0):
        expect = ERROR
    if _constraints_of(estimator_class) and set(overrides) - set(
        estimator_class().get_params()
    ):
        expect = ERROR
    _event(f"outcome: {expect}")
    for build in (estimator_params, estimators):
        context = (
            f"{build.__name__}({estimator_class!r}, int_span={int_span!r}, "
            f"float_span={float_span!r}, **{overrides!r})"
        )
        strategy = check_outcome(
            lambda b=build: b(
                estimator_class, int_span=int_span, float_span=float_span, **overrides
            ),
            expect,
            context,
        )
        if strategy is None:
            continue
        drawn = data.draw(strategy, label="drawn")
        estimator = drawn if build is estimators else estimator_class(**drawn)
        assert isinstance(estimator, estimator_class), context
        params = estimator.get_params(deep=False)
        assert set(params) == set(estimator_class().get_params(deep=False)), context
        estimator._validate_params()  # every drawn value satisfies the constraints
        if estimator_class is _Toy:
            assert -10 - int_span <= params["count"] <= -10, context
            assert params["ratio"] == "auto" or 0 < params["ratio"] < 1, context
            assert params["pattern"] == "x+", context


_ESTIMATOR_PARAMS_ARGUMENTS = {
    # name: (valid values, bad values)
    "estimator_class": (
        st.sampled_from(_CLASSES),
        [*BAD_VALUES, FlyHashTransformer(), _NotAnEstimator],
    ),
    "int_span": (st.integers(0, 100), BAD_VALUES),
    "float_span": (st.floats(1e-3, 100), BAD_VALUES),
    "overrides": (
        st.just({}),
        [{"no_such_parameter": 1}, {"": None}, {"random_state": None, "x": 1}],
    ),
}


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_estimator_params(data):
    arguments = {
        name: data.draw(valid, label=name)
        for name, (valid, _) in _ESTIMATOR_PARAMS_ARGUMENTS.items()
    }
    _check_estimator_params(arguments, data)


@pytest.mark.parametrize("parameter", sorted(_ESTIMATOR_PARAMS_ARGUMENTS))
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_estimator_params_bad_values(parameter, data):
    arguments = {
        name: data.draw(valid, label=name)
        for name, (valid, _) in _ESTIMATOR_PARAMS_ARGUMENTS.items()
    }
    for value in _ESTIMATOR_PARAMS_ARGUMENTS[parameter][1]:
        _check_estimator_params({**arguments, parameter: value}, data)


# ---------------------------------------------------------------- code checks


@st.composite
def code_cases(draw):
    """Codes with exactly k ones per row, maybe broken, in some container."""
    n_rows = draw(st.integers(1, 6))
    n_units = draw(st.integers(2, 8))
    hash_length = draw(st.integers(1, n_units - 1))
    codes = np.zeros((n_rows, n_units))
    for row in range(n_rows):
        units = draw(st.permutations(range(n_units)))[:hash_length]
        codes[row, units] = 1
    flaw = draw(
        st.sampled_from(
            ["none", "extra_unit", "missing_unit", "value_two", "value_half"]
        )
    )
    row = draw(st.integers(0, n_rows - 1))
    if flaw == "extra_unit":
        codes[row, np.flatnonzero(codes[row] == 0)[0]] = 1
    elif flaw == "missing_unit":
        codes[row, np.flatnonzero(codes[row])[0]] = 0
    elif flaw in ("value_two", "value_half"):
        codes[row, np.flatnonzero(codes[row])[0]] = 2 if flaw == "value_two" else 0.5
    container = draw(st.sampled_from(["int64", "bool", "list", *FORMATS]))
    if container == "int64" and flaw != "value_half":
        packed = codes.astype(np.int64)
    elif container == "bool" and flaw not in ("value_two", "value_half"):
        packed = codes.astype(bool)
    elif container == "list":
        packed = codes.tolist()
    else:
        packed = as_format(codes, container if container in FORMATS else "dense")
    return packed, hash_length, flaw, n_rows


# Misuses of the code checks: never an AssertionError, never a pass.
_CODE_MISUSES = {
    "one_dimensional": lambda codes: np.ones(4),
    "three_dimensional": lambda codes: np.ones((2, 2, 3)),
    "object": lambda codes: np.array([[1, None]], dtype=object),
    "strings": lambda codes: np.array([["1", "0"]]),
    "complex": lambda codes: np.ones((2, 2)) * 1j,
    "none": lambda codes: None,
    "scalar": lambda codes: 1.0,
    "malformed": lambda codes: sp.csr_matrix(
        (np.ones(2), np.array([0, 9]), np.array([0, 1, 2])), shape=(2, 3)
    ),
}


@settings(max_examples=60, deadline=None)
@given(case=code_cases(), binary=st.booleans())
def test_code_checks(case, binary):
    """Unbroken codes pass, broken ones raise AssertionError, in every container."""
    codes, hash_length, flaw, n_rows = case
    _event(f"codes: {flaw}")
    broken_weight = flaw in ("extra_unit", "missing_unit")
    broken_value = flaw in ("value_two", "value_half")
    if broken_weight or (binary and broken_value):
        with pytest.raises(AssertionError, match=r"exactly|other than 1"):
            assert_fixed_weight_codes(codes, hash_length, binary=binary)
    else:
        assert_fixed_weight_codes(codes, hash_length, binary=binary)
    if broken_value:
        with pytest.raises(AssertionError, match="not binary"):
            assert_even_hamming_distances(codes)
    elif broken_weight and n_rows > 1:
        with pytest.raises(AssertionError, match="is odd"):
            assert_even_hamming_distances(codes)
    else:
        assert_even_hamming_distances(codes)


@_FEW
@given(case=code_cases(), binary=st.booleans())
def test_code_checks_refuse_misuse(case, binary):
    """Every misuse of codes or hash_length: a clear error, never an assertion."""
    codes, hash_length, flaw, _ = case
    for name, misuse in _CODE_MISUSES.items():
        bad = misuse(codes)
        context = f"{name} codes (from {flaw} {type(codes).__name__})"
        check_outcome(
            lambda bad=bad: assert_fixed_weight_codes(bad, hash_length, binary=binary),
            ERROR,
            f"assert_fixed_weight_codes({context})",
        )
        check_outcome(
            lambda bad=bad: assert_even_hamming_distances(bad),
            ERROR,
            f"assert_even_hamming_distances({context})",
        )
    for value in BAD_VALUES:
        if _is_int(value) and value >= 0:
            continue  # a valid hash_length
        check_outcome(
            lambda value=value: assert_fixed_weight_codes(codes, value, binary=binary),
            ERROR,
            f"assert_fixed_weight_codes(hash_length={value!r})",
        )
        if not _is_bool(value):
            check_outcome(
                lambda value=value: assert_fixed_weight_codes(
                    codes, hash_length, binary=value
                ),
                ERROR,
                f"assert_fixed_weight_codes(binary={value!r})",
            )


# ---------------------------------------------------------------- estimator checks

# Input cases whose columns differ from the base data's: wrong for a fitted model.
_COLUMN_CHANGING = {"one_column", "no_columns", "one_dimensional"}


def _srp():
    # Without centring: the sparse-input mean differs in the last bit (below).
    return SignRandomProjection(n_components=8, center=False, random_state=0)


@pytest.mark.parametrize("case", INPUT_CASES, ids=lambda case: case.name)
def test_estimator_checks_on_unusual_input(case):
    """Our estimators hold every invariant on every input they accept."""

    @settings(max_examples=1, deadline=None)
    @given(X_base=base_matrices(integer_valued=True))
    def check(X_base):
        X = case.make(X_base)
        for check_function in (
            assert_input_unchanged,
            assert_pickle_roundtrip,
            assert_reproducible,
            assert_same_output_across_formats,
        ):
            check_outcome(
                _quietly(lambda f=check_function: f(_srp(), X)),
                case.expect,
                f"{check_function.__name__}(SignRandomProjection, {case.name})",
                inputs=(X,),
            )
        fitted = _srp().fit(X_base)
        expect = ERROR if case.name in _COLUMN_CHANGING else case.expect
        check_outcome(
            _quietly(lambda: assert_row_independent(fitted, X)),
            expect,
            f"assert_row_independent({case.name})",
            inputs=(X,),
        )
        # Winner-take-all codes ignore a per-row shift and positive scale; the
        # arithmetic is exact for integer data and power-of-two scales.
        hasher = FlyHashTransformer(hash_length=2, random_state=0).fit(X_base)
        dense = not (sp.issparse(X) or isinstance(X, (sparse.COO, sparse.GCXS)))
        values = np.asarray(X) if dense and X is not None else None
        numeric = values is not None and values.dtype.kind in "biuf"
        integers = numeric and values.size and np.all(values == np.round(values))
        n_rows = values.shape[0] if numeric and values.ndim else 0
        shifts = np.arange(n_rows) % 3 * float(bool(integers))
        scales = 2.0 ** (np.arange(n_rows) % 3)
        if not dense or case.name in ("words", "numeric_strings"):
            expect = ERROR
        check_outcome(
            _quietly(
                lambda: assert_row_shift_scale_invariance(hasher, X, shifts, scales)
            ),
            expect,
            f"assert_row_shift_scale_invariance({case.name})",
            inputs=(X,),
        )

    check()


class _FitOnly:
    def fit(self, X, y=None):
        return self

    def get_params(self, deep=True):
        return {}


_ESTIMATOR_MISUSES = [
    None,
    "estimator",
    3,
    object(),
    _NotAnEstimator(),
    _FitOnly(),
    SignRandomProjection,
    np.zeros((2, 2)),
]
_UNFITTED_CHECKS = (
    assert_input_unchanged,
    assert_pickle_roundtrip,
    assert_reproducible,
    assert_same_output_across_formats,
)


_CHECK_MISUSES = [
    *BAD_VALUES,
    *_ESTIMATOR_MISUSES,
    ["lil"],
    ("dense", None),
    np.ones(2),
    np.ones((3, 3)),
]


def _valid_calls(X):
    """Each estimator check with valid arguments, by name."""
    fitted = FlyHashTransformer(hash_length=2, random_state=0).fit(X)
    n_rows = X.shape[0]
    return {
        **{
            f.__name__: (f, {"estimator": _srp(), "X": X, "y": None})
            for f in _UNFITTED_CHECKS
        },
        "assert_row_independent": (
            assert_row_independent,
            {"estimator": fitted, "X": X, "random_state": 0},
        ),
        "assert_row_shift_scale_invariance": (
            assert_row_shift_scale_invariance,
            {
                "estimator": fitted,
                "X": X,
                "shifts": np.zeros(n_rows),
                "scales": np.ones(n_rows),
            },
        ),
    }


def _check_misuse(name, function, kwargs, which, bad):
    kwargs = {**kwargs, which: bad}
    if which == "formats":
        expect = (
            VALID
            if (isinstance(bad, str) and bad in FORMATS)
            or (
                isinstance(bad, (list, tuple))
                and bad
                and all(isinstance(f, str) and f in FORMATS for f in bad)
            )
            else ERROR
        )
    elif which == "random_state":
        expect = VALID if bad is None or (_is_int(bad) and 0 <= bad < 2**32) else ERROR
    elif which == "y":
        expect = EITHER if _is_arraylike_not_scalar(bad) else ERROR
        expect = VALID if bad is None else expect  # a transformer may ignore y
    elif which == "X" and isinstance(bad, np.ndarray) and bad.ndim == 2:
        expect = EITHER  # valid data, unless the fitted model has other columns
    else:
        expect = ERROR
    _event(f"outcome: {expect}")
    check_outcome(
        _not_fitted_is_clear(_quietly(lambda: function(**kwargs))),
        expect,
        f"{name}({which}={bad!r})",
    )


_CHECK_NAMES = [
    *sorted(f.__name__ for f in _UNFITTED_CHECKS),
    "assert_row_independent",
    "assert_row_shift_scale_invariance",
]


@pytest.mark.parametrize("name", _CHECK_NAMES)
@settings(max_examples=2, deadline=None)
@given(X=base_matrices(integer_valued=True))
def test_estimator_checks_refuse_misuse(name, X):
    """Every misuse, of every argument: a clear error, never an AssertionError."""
    function, kwargs = _valid_calls(X)[name]
    parameters = list(kwargs)
    if function is assert_same_output_across_formats:
        parameters.append("formats")
    for which in parameters:
        for bad in _CHECK_MISUSES:
            _check_misuse(name, function, kwargs, which, bad)
    if "random_state" not in kwargs and "y" in kwargs:
        # A fitted estimator where an unfitted one is due is cloned: fine.
        fitted = clone(kwargs["estimator"]).fit(X)
        check_outcome(lambda: function(**{**kwargs, "estimator": fitted}), VALID, name)
    elif "y" not in kwargs:
        unfitted = FlyHashTransformer(hash_length=2)
        check_outcome(
            _not_fitted_is_clear(lambda: function(**{**kwargs, "estimator": unfitted})),
            ERROR,
            f"{name}(unfitted estimator)",
        )


class _Flawed(TransformerMixin, BaseEstimator):
    """A transformer that breaks one invariant, on request."""

    def __init__(self, flaw=None, random_state=None):
        self.flaw = flaw
        self.random_state = random_state

    def fit(self, X, y=None):
        if self.flaw == "mutates":
            X[0, 0] += 1
        self.offset_ = np.random.default_rng().random() if self.flaw == "random" else 0
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
        if self.flaw == "pickle-changes":
            state["offset_"] = 1.0
        return state


_VIOLATIONS = {
    "mutates": (assert_input_unchanged, "modified its input"),
    "random": (assert_reproducible, "clone refit"),
    "format-dependent": (assert_same_output_across_formats, "input"),
    "pickle-changes": (assert_pickle_roundtrip, "after pickle"),
    "batch-dependent": (assert_row_independent, "permuted|subset|alone"),
    "shift-dependent": (assert_row_shift_scale_invariance, "per-row shift"),
}


@settings(max_examples=30, deadline=None)
@given(
    X=base_matrices(integer_valued=True),
    flaw=st.sampled_from(sorted(_VIOLATIONS)),
    as_list=st.booleans(),
)
def test_estimator_checks_catch_every_violation(X, flaw, as_list):
    """A broken invariant is an AssertionError whatever the data."""
    check_function, match = _VIOLATIONS[flaw]
    estimator = _Flawed(flaw)
    data = X.copy()
    if check_function in (assert_row_independent, assert_row_shift_scale_invariance):
        estimator.fit(X.copy())
        data = data.tolist() if as_list else data
    args = ()
    if check_function is assert_row_shift_scale_invariance:
        args = (np.arange(X.shape[0]) % 3 + 1.0, np.ones(X.shape[0]))
    with pytest.raises(AssertionError, match=match):
        check_function(estimator, data, *args)
    # The same check passes on the unbroken transformer.
    fitted_checks = (assert_row_independent, assert_row_shift_scale_invariance)
    good = _Flawed().fit(X) if check_function in fitted_checks else _Flawed()
    check_function(good, X.copy(), *args)


# ---------------------------------------------------------------- dask


def _mask_with_empty_block(n_rows):
    mask = np.zeros(n_rows, dtype=bool)
    mask[:3] = True  # the first block keeps 3 rows, the second none
    mask[10:] = True
    return mask


# Dask inputs made from valid data, and whether each is valid for a fitted
# model's transform and for partial_fit.
DASK_INPUTS = {
    "known_chunks": (lambda X: da.from_array(X, chunks=(5, -1)), VALID, VALID),
    "column_chunks": (lambda X: da.from_array(X, chunks=(5, 2)), VALID, VALID),
    "one_block": (lambda X: da.from_array(X, chunks=-1), VALID, VALID),
    "unknown_chunks_empty_block": (
        lambda X: da.from_array(X, chunks=(5, -1))[
            da.from_array(_mask_with_empty_block(len(X)), chunks=5)
        ],
        VALID,
        VALID,
    ),
    "float32": (lambda X: da.from_array(X.astype(np.float32), chunks=5), VALID, VALID),
    "int64": (lambda X: da.from_array(np.round(X).astype(int), chunks=5), VALID, VALID),
    "object": (lambda X: da.from_array(X.astype(object), chunks=5), VALID, VALID),
    "sparse_blocks": (
        lambda X: da.from_array(X, chunks=(5, -1)).map_blocks(sp.csr_matrix),
        VALID,
        VALID,
    ),
    "no_rows": (lambda X: da.from_array(X, chunks=5)[:0], VALID, ERROR),
    "unknown_columns": (
        lambda X: da.from_delayed(
            dask.delayed(lambda: X)(), shape=(X.shape[0], np.nan), dtype=X.dtype
        ),
        ERROR,
        VALID,
    ),
    "wrong_columns": (lambda X: da.from_array(X[:, :2], chunks=5), ERROR, VALID),
    "one_dimensional": (lambda X: da.from_array(X[:, 0], chunks=5), ERROR, ERROR),
    "three_dimensional": (lambda X: da.from_array(X[None], chunks=5), ERROR, ERROR),
    "strings": (lambda X: da.from_array(X.astype(str), chunks=5), ERROR, ERROR),
    "complex": (lambda X: da.from_array(X + 1j, chunks=5), ERROR, ERROR),
    "nan": (
        lambda X: da.from_array(np.where(X > 5, np.nan, X), chunks=5),
        ERROR,
        ERROR,
    ),
    "numpy": (lambda X: X, ERROR, ERROR),
    "list": (lambda X: X.tolist(), ERROR, ERROR),
    "none": (lambda X: None, ERROR, ERROR),
}


def _computed_blocks(lazy):
    """The blocks of a dask array as they are computed, rows whole."""
    if len(lazy.chunks[1]) > 1:
        lazy = lazy.rechunk({1: -1})
    return list(dask.compute(*lazy.to_delayed().ravel()))


def _stack(parts):
    if sp.issparse(parts[0]):
        return sp.vstack(parts, format="csr")
    return np.concatenate(parts)


def _fitted_models(X):
    y = (X[:, 0] > np.median(X[:, 0])).astype(int)
    return {
        "flyhash": FlyHashTransformer(hash_length=2, random_state=0).fit(X),
        "flyhash_dense": FlyHashTransformer(
            hash_length=2, sparse_output=False, random_state=0
        ).fit(X),
        "nearest_centroid": NearestCentroid().fit(X, y),
    }


def _misused_models():
    return {
        "unfitted": FlyHashTransformer(),
        "class": FlyHashTransformer,
        "string": "FlyHashTransformer",
        "not_an_estimator": _NotAnEstimator(),
        **{f"bad value {value!r}": value for value in BAD_VALUES},
    }


def _is_fitted_estimator(model):
    if isinstance(model, type) or not hasattr(model, "fit"):
        return False
    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    return True


def _check_transform_blocks(X, model_name, model, input_name, method):
    make, expect, _ = DASK_INPUTS[input_name]
    lazy = make(X)
    valid_method = (
        isinstance(method, str)
        and method in ROW_WISE_METHODS
        and callable(getattr(model, method, None))
    )
    if not (_is_fitted_estimator(model) and valid_method):
        expect = ERROR
    _event(f"outcome: {expect}")
    context = f"transform_blocks({model_name}, {input_name}, method={method!r})"

    def lazy_and_computed():
        result = transform_blocks(model, lazy, method=method)
        return result, result.compute()  # errors in blocks surface here

    outcome = check_outcome(
        _not_fitted_is_clear(lazy_and_computed), expect, context, inputs=(X,)
    )
    if expect != VALID:
        return
    result, computed = outcome
    blocks = _computed_blocks(lazy)
    apply = getattr(model, method)
    nonempty = [block for block in blocks if block.shape[0]]
    n_rows = sum(block.shape[0] for block in blocks)
    assert computed.shape[0] == n_rows, context
    if not nonempty:
        assert computed.shape == (0, *result.shape[1:]), context
        return
    # Each block's rows equal the in-memory call on that block, bit for bit.
    expected = _stack([apply(block) for block in nonempty])
    # SciPy sparse outputs come back as pydata COO (sparse_blocks="pydata").
    assert isinstance(computed, sparse.COO) == sp.issparse(expected), context
    assert isinstance(result._meta, sparse.COO) == sp.issparse(expected), context
    assert computed.dtype == expected.dtype == result.dtype, context
    np.testing.assert_array_equal(_dense_of(computed), _dense_of(expected), context)
    assert result.shape[1:] == expected.shape[1:], context
    if model_name.startswith("flyhash"):  # fixed-order kernels: whole-array bits
        whole = apply(_stack(nonempty))
        np.testing.assert_array_equal(_dense_of(computed), _dense_of(whole), context)


_METHOD_FOR = {
    "flyhash": "transform",
    "flyhash_dense": "transform",
    "nearest_centroid": "predict",
}
_VALID_DASK_INPUTS = sorted(
    name for name, (_, expect, _) in DASK_INPUTS.items() if expect == VALID
)


@settings(max_examples=40, deadline=None)
@given(
    X=base_matrices(),
    input_name=st.sampled_from(_VALID_DASK_INPUTS),
    model_name=st.sampled_from(sorted(_METHOD_FOR)),
)
def test_transform_blocks(X, input_name, model_name):
    """Valid calls equal the in-memory method, block by block, bit for bit."""
    X = np.vstack([X, X + 0.5])  # 12 to 20 rows: several blocks of 5
    model = _fitted_models(X)[model_name]
    _check_transform_blocks(X, model_name, model, input_name, _METHOD_FOR[model_name])


@pytest.mark.parametrize("parameter", ["estimator", "X", "method", "sparse_blocks"])
@settings(max_examples=2, deadline=None)
@given(X=base_matrices(), model_name=st.sampled_from(sorted(_METHOD_FOR)))
def test_transform_blocks_bad_values(parameter, X, model_name):
    """Every value of the pool, for one argument: a result or a clear error."""
    X = np.vstack([X, X + 0.5])
    model, method = _fitted_models(X)[model_name], _METHOD_FOR[model_name]
    if parameter == "estimator":
        for name, bad in _misused_models().items():
            _check_transform_blocks(X, name, bad, "known_chunks", method)
    elif parameter == "X":
        for input_name in sorted(DASK_INPUTS):
            _check_transform_blocks(X, model_name, model, input_name, method)
        for bad in BAD_VALUES:
            check_outcome(
                lambda bad=bad: transform_blocks(model, bad, method=method),
                ERROR,
                f"transform_blocks(X={bad!r})",
            )
    elif parameter == "sparse_blocks":
        lazy = DASK_INPUTS["known_chunks"][0](X)
        for bad in [*BAD_VALUES, "csr", "coo", "PYDATA"]:
            check_outcome(
                lambda bad=bad: transform_blocks(model, lazy, sparse_blocks=bad),
                ERROR,
                f"transform_blocks(sparse_blocks={bad!r})",
            )
    else:
        methods = [*BAD_VALUES, *ROW_WISE_METHODS, "fit", "fit_transform", "score"]
        for bad in [*methods, "kneighbors", "__class__", "get_params"]:
            _check_transform_blocks(X, model_name, model, "known_chunks", bad)


class _Recorder(BaseEstimator):
    """Records every partial_fit call's rows (y optional)."""

    def partial_fit(self, X, y=None, *, classes=None):
        self.calls_ = [*getattr(self, "calls_", []), (_dense_of(X), y)]
        return self


class _NeedsY(_Recorder):
    def partial_fit(self, X, y, *, classes=None):
        return super().partial_fit(X, y, classes=classes)


_UNKNOWN_ROWS = "unknown_chunks_empty_block"
_PARTIAL_FIT_BAD = {
    "input_name": sorted(DASK_INPUTS),
    "model_name": ["flyhash", "none", "class"],
    "y_kind": ["short", "scalar", "string", "numpy", "same_mask"],
    "n_passes": [v for v in BAD_VALUES if not (_is_int(v) and v > 3)],
    "shuffle_blocks": BAD_VALUES,
    "random_state": BAD_VALUES,
    "extra_keyword": [True],
}


def _partial_fit_arguments(data):
    """Valid arguments: y paired with X's blocks as the input allows."""
    valid_inputs = sorted(
        name for name, (_, _, expect) in DASK_INPUTS.items() if expect == VALID
    )
    drawn = {
        "input_name": data.draw(st.sampled_from(valid_inputs), label="input"),
        "model_name": data.draw(
            st.sampled_from(["recorder", "recorder", "needs_y", "biohash"]),
            label="model",
        ),
        "n_passes": data.draw(st.integers(1, 3), label="n_passes"),
        "shuffle_blocks": data.draw(st.booleans(), label="shuffle_blocks"),
        "random_state": data.draw(
            st.one_of(st.none(), st.integers(0, 2**32 - 1)), label="random_state"
        ),
        "extra_keyword": False,
    }
    if drawn["input_name"] == _UNKNOWN_ROWS:
        pairs = ["none", "same_mask"]
    else:
        pairs = ["none", "numpy", "dask", "list"]
    if drawn["model_name"] == "needs_y":
        pairs = pairs[1:]
    drawn["y_kind"] = data.draw(st.sampled_from(pairs), label="y")
    return drawn


@settings(max_examples=40, deadline=None)
@given(X=base_matrices(), data=st.data())
def test_partial_fit_blocks(X, data):
    """Valid calls make the calls of a loop over the non-empty blocks."""
    _check_partial_fit_blocks(X, **_partial_fit_arguments(data))


@pytest.mark.parametrize("parameter", sorted(_PARTIAL_FIT_BAD))
@settings(max_examples=2, deadline=None)
@given(X=base_matrices(), data=st.data())
def test_partial_fit_blocks_bad_values(parameter, X, data):
    """Every value of the pool, for one argument: a result or a clear error."""
    arguments = _partial_fit_arguments(data)
    for value in _PARTIAL_FIT_BAD[parameter]:
        _check_partial_fit_blocks(X, **{**arguments, parameter: value})


def _check_partial_fit_blocks(
    X,
    input_name,
    model_name,
    y_kind,
    n_passes,
    shuffle_blocks,
    random_state,
    extra_keyword,
):
    X = np.vstack([X, X + 0.5])
    make, _, expect = DASK_INPUTS[input_name]
    if input_name == "nan" and model_name in ("recorder", "needs_y"):
        expect = VALID  # the recorders do not look at the values
    lazy = make(X)
    n_rows = X.shape[0]
    labels = np.arange(n_rows) % 2
    y = {
        "none": None,
        "numpy": labels,
        "dask": da.from_array(labels, chunks=4),
        "list": labels.tolist(),
        "short": labels[:3],
        "scalar": 3,
        "string": "abc",
        "same_mask": da.from_array(labels, chunks=5)[
            da.from_array(_mask_with_empty_block(n_rows), chunks=5)
        ],
    }[y_kind]
    model = {
        "recorder": _Recorder(),
        "needs_y": _NeedsY(),
        "biohash": BioHashTransformer(n_components=6, hash_length=2, random_state=0),
        "flyhash": FlyHashTransformer(),
        "none": None,
        "class": _Recorder,
    }[model_name]
    keywords = {"colour": "red"} if extra_keyword else {}
    unknown_rows = input_name == _UNKNOWN_ROWS
    if model_name in ("flyhash", "none", "class") or extra_keyword:
        expect = ERROR
    if not (_is_int(n_passes) and n_passes >= 1) or not _is_bool(shuffle_blocks):
        expect = ERROR
    if not (
        random_state is None or (_is_int(random_state) and 0 <= random_state < 2**32)
    ):
        expect = ERROR
    if y_kind in ("short", "scalar", "string"):
        expect = ERROR
    if y_kind == "none" and model_name == "needs_y":
        expect = ERROR
    if y_kind == "same_mask" and not unknown_rows:
        expect = ERROR  # 13 targets for every row of X
    if y_kind in ("numpy", "dask", "list") and unknown_rows:
        expect = ERROR  # blocks cannot be paired: unknown row counts
    if model_name == "biohash" and expect == VALID and input_name == "object":
        expect = EITHER
    _event(f"outcome: {expect}")
    context = (
        f"partial_fit_blocks({model_name}, {input_name}, y={y_kind}, "
        f"n_passes={n_passes!r}, shuffle_blocks={shuffle_blocks!r}, "
        f"random_state={random_state!r}, {keywords})"
    )
    fitted = check_outcome(
        _quietly(
            lambda: partial_fit_blocks(
                model,
                lazy,
                y,
                n_passes=n_passes,
                shuffle_blocks=shuffle_blocks,
                random_state=random_state,
                **keywords,
            )
        ),
        expect,
        context,
        inputs=(X,),
    )
    if fitted is None or model_name == "biohash":
        return
    assert fitted is model, context
    blocks = _computed_blocks(lazy)
    if y is None:
        y_blocks = [None] * len(blocks)
    elif y_kind == "same_mask":
        y_blocks = list(dask.compute(*y.to_delayed().ravel()))
    else:
        y_blocks = np.split(labels, np.cumsum([b.shape[0] for b in blocks])[:-1])
    calls = fitted.calls_
    kept = [index for index, block in enumerate(blocks) if block.shape[0]]
    assert len(calls) == n_passes * len(kept), context
    for number in range(n_passes):
        seen = calls[number * len(kept) : (number + 1) * len(kept)]
        if shuffle_blocks and random_state is None:
            order = None  # unknown order: compare as a set of blocks
        elif shuffle_blocks:
            rng = np.random.RandomState(random_state)
            for _ in range(number):
                rng.permutation(len(blocks))
            order = [i for i in rng.permutation(len(blocks)) if i in kept]
        else:
            order = kept
        if order is None:
            # repr: NaN rows sort and compare like any other.
            seen_rows = sorted(
                repr(np.asarray(X_block).tolist()) for X_block, _ in seen
            )
            expected_rows = sorted(repr(_dense_of(blocks[i]).tolist()) for i in kept)
            assert seen_rows == expected_rows, context
            continue
        for (X_block, y_block), index in zip(seen, order):
            np.testing.assert_array_equal(X_block, _dense_of(blocks[index]), context)
            if y is not None:
                np.testing.assert_array_equal(
                    np.ravel(y_block), np.ravel(y_blocks[index]), context
                )


_WORDS = ["the", "cat", "sat", "dog", "ran", "mat"]
_documents = st.lists(
    st.lists(st.sampled_from(_WORDS), max_size=6).map(" ".join), min_size=0, max_size=8
)


_COUNT_ARGUMENTS = {
    # name: (valid values, bad values)
    "corpus_kind": (
        st.sampled_from(["bag", "bag", "token_bag", "paths", "path_objects"]),
        ["empty_list", "string", "none", "dask_array", "ints_bag"],
    ),
    "vectorizer_kind": (
        st.sampled_from(["fresh", "fresh", "fitted"]),
        ["class", "none", "flyhash", "invalid_window"],
    ),
    "fit": (st.booleans(), BAD_VALUES),
    "blocksize": (
        st.one_of(
            st.integers(1, 64), st.sampled_from(["16B", "1kB", "32MiB"]), st.none()
        ),
        [*BAD_VALUES, "abc", "-5MiB", "0", " "],
    ),
    "batch_tokens": (st.integers(1, 50), BAD_VALUES),
}
_CORPORA = {
    "documents": _documents,
    "window": st.integers(1, 3),
    "min_count": st.integers(1, 2),
    "npartitions": st.integers(1, 3),
}


def _valid_count_arguments(data):
    drawn = {name: data.draw(valid, label=name) for name, valid in _CORPORA.items()}
    for name, (valid, _) in _COUNT_ARGUMENTS.items():
        drawn[name] = data.draw(valid, label=name)
    if drawn["vectorizer_kind"] == "fresh":
        drawn["fit"] = True  # fit=False needs a fitted vectorizer
    return drawn


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_count_cooccurrence_corpus(data):
    """Valid calls count exactly what one machine counts."""
    _check_count_cooccurrence_corpus(**_valid_count_arguments(data))


@pytest.mark.parametrize("parameter", sorted(_COUNT_ARGUMENTS))
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_count_cooccurrence_corpus_bad_values(parameter, data):
    """Every value of the pool, for one argument: a result or a clear error."""
    arguments = _valid_count_arguments(data)
    for value in _COUNT_ARGUMENTS[parameter][1]:
        _check_count_cooccurrence_corpus(**{**arguments, parameter: value})


def _check_count_cooccurrence_corpus(
    documents,
    window,
    min_count,
    npartitions,
    corpus_kind,
    vectorizer_kind,
    fit,
    blocksize,
    batch_tokens,
):
    settings_ = {"window": window, "min_count": min_count}
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        if corpus_kind in ("paths", "path_objects"):
            for index in range(2):
                path = os.path.join(folder, f"part{index}.txt")
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write("".join(d + "\n" for d in documents[index::2]))
                paths.append(path)
        lines = [d for index in range(2) for d in documents[index::2]]
        corpus = {
            "bag": lambda: db.from_sequence(documents or [""], npartitions=npartitions),
            "token_bag": lambda: db.from_sequence(
                [d.split() for d in documents] or [[]], npartitions=npartitions
            ),
            "paths": lambda: paths,
            "path_objects": lambda: tuple(map(__import__("pathlib").Path, paths)),
            "empty_list": lambda: [],
            "string": lambda: "corpus.txt",
            "none": lambda: None,
            "dask_array": lambda: da.zeros(3),
            "ints_bag": lambda: db.from_sequence([1, 2, 3]),
        }[corpus_kind]()
        texts = {
            "paths": lines,
            "path_objects": lines,
            "token_bag": [d.split() for d in documents] or [[]],
        }.get(corpus_kind, documents or [""])
        vectorizer = {
            "fresh": lambda: CooccurrenceVectorizer(**settings_),
            "fitted": lambda: CooccurrenceVectorizer(**settings_).fit(_WORDS * 2),
            "class": lambda: CooccurrenceVectorizer,
            "none": lambda: None,
            "flyhash": lambda: FlyHashTransformer(),
            "invalid_window": lambda: CooccurrenceVectorizer(window=0),
        }[vectorizer_kind]()
        expect = VALID
        if vectorizer_kind in ("class", "none", "flyhash", "invalid_window"):
            expect = ERROR
        if corpus_kind in ("empty_list", "string", "none", "dask_array", "ints_bag"):
            expect = ERROR
        if not _is_bool(fit) or not (_is_int(batch_tokens) and batch_tokens >= 1):
            expect = ERROR
        if not (
            blocksize is None
            or (_is_int(blocksize) and blocksize >= 1)
            or (isinstance(blocksize, str) and blocksize in ("16B", "1kB", "32MiB"))
        ):
            expect = ERROR
        if expect == VALID and vectorizer_kind == "fresh" and not fit:
            expect = ERROR  # NotFittedError
        reference = None
        if expect == VALID:
            single = clone(vectorizer) if fit else vectorizer
            try:
                fitted = single.fit(texts) if fit else single
                reference = (fitted, fitted.cooccurrence_matrix(texts))
            except ValueError:
                expect = ERROR  # no word kept: the single-machine fit refuses too
        _event(f"outcome: {expect}")
        context = (
            f"count_cooccurrence_corpus({vectorizer_kind}, {corpus_kind}, fit={fit!r}, "
            f"blocksize={blocksize!r}, batch_tokens={batch_tokens!r}) on {documents}"
        )
        counts = check_outcome(
            _not_fitted_is_clear(
                lambda: count_cooccurrence_corpus(
                    vectorizer,
                    corpus,
                    fit=fit,
                    blocksize=blocksize,
                    batch_tokens=batch_tokens,
                )
            ),
            expect,
            context,
        )
        if expect != VALID:
            return
        fitted, expected = reference
        assert vectorizer.vocabulary_ == fitted.vocabulary_, context
        assert counts.shape == expected.shape, context
        assert (counts != expected).nnz == 0, context


# ---------------------------------------------------------------- input checks


@pytest.mark.parametrize("case", INPUT_CASES, ids=lambda case: case.name)
def test_input_checks_on_unusual_input(case):
    malformed = (
        case.name.startswith("csr_")
        and case.expect == ERROR
        and (case.name != "csr_nan")
    )

    @_FEW
    @given(X_base=base_matrices())
    def check(X_base):
        X = case.make(X_base)
        result = check_outcome(
            lambda: _Wrapped(check_sparse_structure(X)),
            ERROR if malformed else VALID,
            f"check_sparse_structure({case.name})",
            inputs=(X,),
        )
        if result is not None:
            assert result.value is X, case.name
        converted = check_outcome(
            lambda: _Wrapped(check_pydata_sparse(X)),
            VALID,
            f"check_pydata_sparse({case.name})",
            inputs=(X,),
        ).value
        if isinstance(X, (sparse.COO, sparse.GCXS)):
            assert isinstance(converted, sp.csr_array), case.name
            np.testing.assert_array_equal(converted.toarray(), X.todense())
        else:
            assert converted is X, case.name
        validated = check_outcome(
            lambda: validate_input_data(BaseEstimator(), X),
            case.expect,
            f"validate_input_data({case.name})",
            inputs=(X,),
        )
        if validated is not None:
            assert validated.dtype in (np.float32, np.float64), case.name
            assert validated.ndim == 2, case.name
            if case.expect == VALID:
                np.testing.assert_allclose(
                    _dense_of(validated), _dense_of(X).astype(float), err_msg=case.name
                )

    check()


def test_sign_random_projection_same_codes_for_sparse_fit():
    X = np.repeat(np.array([[2.0, 1.0, 1.0]]), 6, axis=0)
    assert_same_output_across_formats(
        SignRandomProjection(n_components=8, random_state=0), X, formats="csr_matrix"
    )


# Defects found in sklearn_kexue.utils._validation by this suite, now fixed.


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2)])
def test_sparse_structure_of_coo_arrays_not_2d(shape):
    X = sp.coo_array(np.ones(shape))
    try:
        assert check_sparse_structure(X) is X
    except ValueError as error:
        assert "2-D" in str(error) or "dimension" in str(error), str(error)
    with pytest.raises(ValueError, match=r"2-D|2D|dimension"):
        validate_input_data(BaseEstimator(), X)


def test_validate_input_data_with_y_none():
    X = np.arange(6.0).reshape(2, 3)
    result = check_outcome(
        lambda: validate_input_data(BaseEstimator(), X, None),
        VALID,
        "validate_input_data(X, y=None)",
    )
    assert isinstance(result, np.ndarray) and result.shape == (2, 3)
