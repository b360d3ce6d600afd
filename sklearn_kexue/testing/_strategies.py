"""Hypothesis strategies for estimator parameters and input matrices."""

import inspect
import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    Options,
    StrOptions,
    make_constraint,
)

from sklearn_kexue.utils._param_validation import Interval as _StrictInterval
from sklearn_kexue.utils._param_validation import (
    StrOptions as _StrictStrOptions,
)
from sklearn_kexue.utils._param_validation import validate_params
from sklearn_kexue.utils._validation import (
    _check_pydata_sparse,
    _check_sparse_structure,
)

__all__ = ["FORMATS", "as_format", "estimator_params", "estimators", "matrices"]

#: Containers that :func:`as_format` and :func:`matrices` produce.
FORMATS = (
    "dense",
    "csr_matrix",
    "csr_array",
    "csc_matrix",
    "coo_array",
    "pydata_coo",
    "pydata_gcxs",
)

_SCIPY_FORMATS = {
    "csr_matrix": sp.csr_matrix,
    "csr_array": sp.csr_array,
    "csc_matrix": sp.csc_matrix,
    "coo_array": sp.coo_array,
}

# Element dtypes that every sparse container (SciPy's and pydata's) can hold.
_SPARSE_DTYPES = frozenset(
    np.dtype(name)
    for name in (
        "bool",
        "int8",
        "uint8",
        "int16",
        "uint16",
        "int32",
        "uint32",
        "int64",
        "uint64",
        "float32",
        "float64",
        "complex64",
        "complex128",
    )
)

# The float dtypes estimators keep; matrices() draws only these.
_MATRIX_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def _format_names(formats, name="formats"):
    """A tuple of container names from one name or a sequence of them."""
    names = (formats,) if isinstance(formats, str) else tuple(formats)
    if not names:
        raise ValueError(f"{name} must name at least one of {FORMATS}.")
    for format in names:
        if not isinstance(format, str) or format not in FORMATS:
            raise ValueError(f"{name} must hold names from {FORMATS}, got {format!r}.")
    return names


def _dense_values(X):
    """A NumPy array of the values of dense or sparse (SciPy, pydata) data."""
    # A malformed index array makes toarray() write out of bounds.
    X = _check_sparse_structure(_check_pydata_sparse(X))
    if sp.issparse(X):
        return X.toarray()
    return np.asarray(X)


def _as_format(X, format):
    """Body of :func:`as_format`, for callers that have validated ``X``."""
    if format == "dense":
        return X.copy()
    if format in _SCIPY_FORMATS:
        return _SCIPY_FORMATS[format](X)
    import sparse

    coo = sparse.COO.from_numpy(X)
    return coo if format == "pydata_coo" else sparse.GCXS(coo, compressed_axes=(0,))


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "format": [_StrictStrOptions(set(FORMATS))],
    },
    prefer_skip_nested_validation=True,
)
def as_format(X, format):
    """Return 2-D data in one of the input containers estimators accept.

    Parameters
    ----------
    X : {array-like, sparse matrix, pydata sparse array} of shape \
            (n_samples, n_features)
        Data with numeric (bool, int, float or complex) entries. Sparse input
        is read through its values; NaN and infinite entries are kept.
    format : str
        One of :data:`FORMATS`: ``"dense"``, ``"csr_matrix"``,
        ``"csr_array"``, ``"csc_matrix"``, ``"coo_array"``, ``"pydata_coo"``
        or ``"pydata_gcxs"`` (pydata ``sparse``).

    Returns
    -------
    X_format : array or sparse container
        The same values, shape and dtype in the requested container. Dense
        input is copied, so the result never shares memory with ``X``.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, if its dtype is not numeric, if a sparse
        ``format`` cannot hold its dtype (SciPy has no float16 sparse
        matrices), or if sparse ``X`` has index arrays that do not fit its
        shape.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.testing import as_format
    >>> X = np.array([[0.0, 1.0], [2.0, 0.0]])
    >>> as_format(X, "csr_array").nnz
    2
    >>> type(as_format(X, "pydata_coo")).__name__
    'COO'
    >>> as_format(np.array([1.0, 2.0]), "dense")
    Traceback (most recent call last):
    ...
    ValueError: X must be 2-D (n_samples, n_features), got shape (2,).
    """
    X = _dense_values(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}.")
    if X.dtype.kind not in "biufc":
        raise ValueError(
            f"X must hold numbers (bool, int, float or complex), got dtype {X.dtype}."
        )
    if format != "dense" and X.dtype not in _SPARSE_DTYPES:
        raise ValueError(
            f"format={format!r} cannot hold dtype {X.dtype}; convert X to "
            "float32 or float64 first."
        )
    return _as_format(X, format)


def _size_range(value, name):
    """An inclusive (low, high) range of sizes from an int or a pair."""
    if isinstance(value, Integral):
        return int(value), int(value)
    if len(value) != 2:
        raise ValueError(
            f"{name} must be an int >= 0 or a (low, high) pair, got {value!r}."
        )
    low, high = value
    for bound in (low, high):
        if isinstance(bound, (bool, np.bool_)) or not isinstance(bound, Integral):
            raise TypeError(
                f"{name} bounds must be ints, got {type(bound).__name__} {bound!r}."
            )
    if not 0 <= low <= high:
        raise ValueError(f"{name}=({low}, {high}) must satisfy 0 <= low <= high.")
    return int(low), int(high)


def _matrix_dtypes(dtypes):
    single = isinstance(dtypes, (str, type, np.dtype))
    candidates = [dtypes] if single else list(dtypes)
    if not candidates:
        raise ValueError("dtypes must name at least one dtype.")
    chosen = []
    for candidate in candidates:
        try:
            # np.dtype(None) is float64: None is no dtype here.
            if not isinstance(candidate, (str, type, np.dtype)):
                raise TypeError
            dtype = np.dtype(candidate)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"dtypes must hold NumPy dtypes, got {candidate!r}."
            ) from error
        if dtype not in _MATRIX_DTYPES:
            raise ValueError(
                f"dtypes must be float32 or float64 (the dtypes estimators keep), "
                f"got {dtype}."
            )
        chosen.append(dtype)
    return list(dict.fromkeys(chosen))


def _element_strategy(dtype, min_value, max_value, integer_valued):
    """Finite entries of ``dtype`` in [min_value, max_value], or a clear error."""
    width = 8 * dtype.itemsize
    if integer_valued:
        # Integers beyond 2**(mantissa bits + 1) are not all representable.
        limit = 2.0 ** (np.finfo(dtype).nmant + 1)
        low, high = math.ceil(min_value), math.floor(max_value)
        if low > high:
            raise ValueError(
                f"integer_valued=True needs an integer in [min_value, max_value] = "
                f"[{min_value}, {max_value}]."
            )
        if max(abs(low), abs(high)) > limit:
            raise ValueError(
                f"integer_valued=True: every integer of {dtype} must be exact, "
                f"so min_value and max_value must lie in [-{limit:.0f}, {limit:.0f}]."
            )
        return st.integers(low, high).map(float)
    # Round the bounds inwards to the dtype: hypothesis wants representable ones.
    largest = float(np.finfo(dtype).max)
    if not -largest <= min_value <= max_value <= largest:
        raise ValueError(
            f"min_value={min_value} and max_value={max_value} must lie within the "
            f"range of {dtype} (largest magnitude {largest:.4g})."
        )
    low, high = dtype.type(min_value), dtype.type(max_value)
    if low < min_value:
        low = np.nextafter(low, dtype.type(np.inf))
    if high > max_value:
        high = np.nextafter(high, dtype.type(-np.inf))
    strategy = st.floats(
        float(low),
        float(high),
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
        width=width,
    )
    try:
        strategy.validate()
    except InvalidArgument as error:
        raise ValueError(
            f"No {dtype} entries to draw in [min_value, max_value] = "
            f"[{min_value}, {max_value}] (subnormals excluded): {error}"
        ) from error
    return strategy


@st.composite
def _matrices(draw, *, rows, columns, elements, formats, zero_fraction):
    n_rows = draw(st.integers(*rows))
    n_columns = draw(st.integers(*columns))
    dtype = draw(st.sampled_from(list(elements)))
    values = draw(hnp.arrays(dtype, (n_rows, n_columns), elements=elements[dtype]))
    # u < zero_fraction with u in [0, 1): exactly zero_fraction, 0 and 1 included.
    mask = draw(
        hnp.arrays(
            bool,
            (n_rows, n_columns),
            elements=st.floats(0, 1, exclude_max=True).map(lambda u: u < zero_fraction),
        )
    )
    values[mask] = 0
    values += 0  # no negative zeros: they compare equal but print differently
    return _as_format(values, draw(st.sampled_from(formats)))


@validate_params(
    {
        "n_samples": [_StrictInterval(Integral, 0, None, closed="left"), tuple, list],
        "n_features": [_StrictInterval(Integral, 0, None, closed="left"), tuple, list],
        "dtypes": [list, tuple, type, np.dtype, str],
        "formats": [list, tuple, str],
        "min_value": [_StrictInterval(Real, None, None, closed="neither")],
        "max_value": [_StrictInterval(Real, None, None, closed="neither")],
        "integer_valued": ["boolean"],
        "zero_fraction": [_StrictInterval(Real, 0, 1, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def matrices(
    *,
    n_samples=(1, 20),
    n_features=(1, 10),
    dtypes=(np.float64, np.float32),
    formats=FORMATS,
    min_value=-100.0,
    max_value=100.0,
    integer_valued=False,
    zero_fraction=0.3,
):
    """Strategy for 2-D input matrices in dense and sparse containers.

    Entries are finite, without subnormals; about ``zero_fraction`` of them
    are zero, so sparse containers hold real structure. Integer-valued
    matrices make floating-point sums exact, which lets property tests demand
    bit-identical results from mathematically equal computations. The
    arguments are checked when the strategy is built, so a mistake is
    reported at the call, not at the first draw.

    Parameters
    ----------
    n_samples, n_features : int or (int, int), default=(1, 20) and (1, 10)
        Exact size, or inclusive range ``(low, high)`` with
        ``0 <= low <= high`` to draw from (0 gives empty matrices).
    dtypes : dtype or sequence of dtypes, default=(np.float64, np.float32)
        Element dtypes to draw from: float64 and/or float32, the dtypes the
        estimators keep (every container can hold them).
    formats : str or sequence of str, default=FORMATS
        Containers to draw from; see :func:`as_format`.
    min_value, max_value : float, default=-100.0 and 100.0
        Finite bounds of the entries, rounded inwards to each dtype.
    integer_valued : bool, default=False
        Draw integer-valued entries (stored in the float dtype). The bounds
        must then hold an integer, and lie within ``2**24`` (float32) or
        ``2**53`` (float64) so that every integer is exact.
    zero_fraction : float in [0, 1], default=0.3
        Probability that an entry is exactly zero (1 gives all-zero
        matrices).

    Returns
    -------
    strategy : hypothesis strategy
        Draws matrices of shape ``(n_samples, n_features)``.

    Raises
    ------
    ValueError or TypeError
        If a size range is empty or negative, a dtype is not float32 or
        float64, a format is unknown, or the bounds hold no value.

    Examples
    --------
    >>> from hypothesis import given
    >>> from sklearn_kexue.testing import matrices
    >>> @given(X=matrices(n_samples=5, n_features=3, formats=["dense"]))
    ... def test_shape(X):
    ...     assert X.shape == (5, 3)
    >>> test_shape()
    >>> matrices(min_value=1.0, max_value=0.0)
    Traceback (most recent call last):
    ...
    ValueError: min_value=1.0 must not exceed max_value=0.0.
    """
    # Python floats: a NumPy float32 bound would make the range checks float32.
    min_value, max_value = float(min_value), float(max_value)
    rows = _size_range(n_samples, "n_samples")
    columns = _size_range(n_features, "n_features")
    formats = list(_format_names(formats))
    if min_value > max_value:
        raise ValueError(
            f"min_value={min_value} must not exceed max_value={max_value}."
        )
    elements = {
        dtype: _element_strategy(dtype, min_value, max_value, integer_valued)
        for dtype in _matrix_dtypes(dtypes)
    }
    return _matrices(
        rows=rows,
        columns=columns,
        elements=elements,
        formats=formats,
        zero_fraction=float(zero_fraction),
    )


def _strategy_for_constraint(constraint, *, int_span, float_span):
    """A strategy drawing values that satisfy one ``_parameter_constraints`` entry."""
    if constraint is None:
        return st.none()
    if isinstance(constraint, Hidden):
        return None
    if isinstance(constraint, str):
        return {
            "boolean": st.booleans(),
            "random_state": st.one_of(st.none(), st.integers(0, 2**32 - 1)),
            "verbose": st.just(0),
        }.get(constraint)
    if isinstance(constraint, StrOptions):
        return st.sampled_from(
            sorted(constraint.options - constraint.deprecated, key=repr)
        )
    if isinstance(constraint, Options):
        # By repr: options may be types (a set of dtypes), which do not order.
        return st.sampled_from(sorted(constraint.options, key=repr))
    if isinstance(constraint, Interval):
        return _strategy_for_interval(
            constraint, int_span=int_span, float_span=float_span
        )
    return None


def _strategy_for_interval(interval, *, int_span, float_span):
    """Values of an interval; an unbounded end lies ``span`` from the other end."""
    left, right = interval.left, interval.right
    open_left = interval.closed in ("right", "neither")
    open_right = interval.closed in ("left", "neither")
    if interval.type is Integral:
        low = high = None
        if left is not None:
            low = math.floor(left) + 1 if open_left else math.ceil(left)
        if right is not None:
            high = math.ceil(right) - 1 if open_right else math.floor(right)
        if low is None and high is None:
            low, high = -int_span, int_span
        elif low is None:
            low = high - int_span
        elif high is None:
            high = low + int_span
        return st.integers(low, high) if low <= high else None
    # An infinite end is as open as None: draw within span of the other end.
    finite_left = left is not None and not math.isinf(left)
    finite_right = right is not None and not math.isinf(right)
    low = float(left) if finite_left else None
    high = float(right) if finite_right else None
    if low is None and high is None:
        low, high = -float_span, float_span
    elif low is None:
        low = high - float_span
    elif high is None:
        high = max(low, 0.0) + float_span
    # With an open end at +-inf replaced by a finite bound, that bound is valid.
    strategy = st.floats(
        low,
        high,
        exclude_min=open_left and finite_left,
        exclude_max=open_right and finite_right,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )
    try:
        strategy.validate()
    except InvalidArgument:
        return None  # an empty interval: nothing to draw
    return strategy.filter(
        lambda value: interval.type is Real or not float(value).is_integer()
    )


def _satisfies(constraints, value):
    return any(make_constraint(c).is_satisfied_by(value) for c in constraints)


def _check_estimator_class(estimator_class):
    constraints = getattr(estimator_class, "_parameter_constraints", None)
    if not isinstance(constraints, dict):
        raise TypeError(
            f"estimator_class must be an estimator class with a "
            f"_parameter_constraints dict; {estimator_class.__name__} has none."
        )
    return constraints


@validate_params(
    {
        "estimator_class": [type],
        "int_span": [_StrictInterval(Integral, 0, None, closed="left")],
        "float_span": [_StrictInterval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def estimator_params(estimator_class, *, int_span=64, float_span=10.0, **overrides):
    """Strategy for parameter dicts that satisfy a class's ``_parameter_constraints``.

    Each constructor parameter is drawn from the union of its constraints:
    intervals become bounded integer or float ranges (an unbounded end is
    capped at ``int_span``/``float_span`` from the other end, or from zero
    when both ends are open), string options are sampled, ``"boolean"``
    gives booleans, ``"random_state"`` None or an int seed, ``"verbose"`` 0.
    Hidden constraints are never drawn. A parameter none of whose
    constraints can be drawn (a type such as ``str``, ``"array-like"``, a
    callable) keeps its default value when the default satisfies them.

    Constraints between parameters (say, ``hash_length < n_components``) are
    not part of ``_parameter_constraints``: express them with ``overrides``
    (a fixed value or a strategy per parameter) or with ``.filter``.

    Parameters
    ----------
    estimator_class : type
        A scikit-learn style estimator class with ``_parameter_constraints``
        (scikit-learn's own estimators included).
    int_span : int, default=64
        Width of the drawn range for integer intervals with an open end.
    float_span : float, default=10.0
        Width of the drawn range for real intervals with an open end;
        positive and finite.
    **overrides : dict
        Values or strategies for given parameters, used instead of the
        constraints. Required for parameters whose constraints cannot be
        drawn and whose default does not satisfy them (arrays, callables,
        estimators).

    Returns
    -------
    strategy : hypothesis strategy
        Draws ``dict`` of keyword arguments for ``estimator_class``.

    Raises
    ------
    TypeError
        If ``estimator_class`` is not a class, or has no
        ``_parameter_constraints``.
    ValueError
        If an override names no parameter of the class, or a parameter can
        be neither drawn nor left at its default.

    Examples
    --------
    >>> from hypothesis import given, strategies as st
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import estimator_params
    >>> params = estimator_params(SignRandomProjection, n_components=st.integers(1, 8))
    >>> @given(params=params)
    ... def test_valid(params):
    ...     SignRandomProjection(**params)._validate_params()
    >>> test_valid()
    """
    return _estimator_params(estimator_class, int_span, float_span, overrides)


def _estimator_params(estimator_class, int_span, float_span, overrides):
    return st.fixed_dictionaries(
        _parameter_strategies(estimator_class, int_span, float_span, overrides)
    )


def _strategy_for_constraints(allowed, *, int_span, float_span):
    """One strategy over the drawable constraints of a list, or None."""
    drawable = [
        strategy
        for constraint in allowed
        if (
            strategy := _strategy_for_constraint(
                constraint, int_span=int_span, float_span=float_span
            )
        )
        is not None
    ]
    return st.one_of(drawable) if drawable else None


def _constructor_parameters(estimator_class):
    """The named constructor parameters of a class, in signature order."""
    return {
        name: parameter
        for name, parameter in inspect.signature(estimator_class).parameters.items()
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    }


def _parameter_strategies(estimator_class, int_span, float_span, overrides):
    """A strategy per constructor parameter, keyed by name in signature order."""
    constraints = _check_estimator_class(estimator_class)
    parameters = _constructor_parameters(estimator_class)
    unknown = set(overrides) - set(parameters)
    if unknown:
        raise ValueError(
            f"{estimator_class.__name__} has no parameter(s) {sorted(unknown)}."
        )
    strategies = {}
    for name, parameter in parameters.items():
        if name in overrides:
            value = overrides[name]
            strategies[name] = (
                value if isinstance(value, st.SearchStrategy) else st.just(value)
            )
            continue
        allowed = constraints.get(name, [])
        if allowed == "no_validation":  # scikit-learn's opt-out: keep the default
            allowed = []
        drawable = _strategy_for_constraints(
            allowed, int_span=int_span, float_span=float_span
        )
        if drawable is not None:
            strategies[name] = drawable
        elif parameter.default is not parameter.empty and (
            not allowed or _satisfies(allowed, parameter.default)
        ):
            strategies[name] = st.just(parameter.default)
        else:
            raise ValueError(
                f"Cannot derive a strategy for {estimator_class.__name__}'s "
                f"parameter {name!r} from its constraints "
                f"{allowed!r}; pass {name}=<value or strategy>."
            )
    return strategies


# Not skipping nested validation: estimator_params checks the keyword arguments.
@validate_params({"estimator_class": [type]}, prefer_skip_nested_validation=False)
def estimators(estimator_class, **kwargs):
    """Strategy for unfitted estimators with parameters from :func:`estimator_params`.

    Parameters
    ----------
    estimator_class : type
        A scikit-learn style estimator class with ``_parameter_constraints``.
    **kwargs : dict
        Passed to :func:`estimator_params` (``int_span``, ``float_span`` and
        per-parameter overrides), which checks them.

    Returns
    -------
    strategy : hypothesis strategy
        Draws ``estimator_class`` instances.

    Examples
    --------
    >>> from hypothesis import given
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import estimators
    >>> @given(srp=estimators(SignRandomProjection, n_components=4))
    ... def test_four_bits(srp):
    ...     assert srp.n_components == 4
    >>> test_four_bits()
    """
    return _estimators(estimator_class, kwargs)


def _estimators(estimator_class, kwargs):
    return estimator_params(estimator_class, **kwargs).map(
        lambda params: estimator_class(**params)
    )
