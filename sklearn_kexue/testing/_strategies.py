"""Hypothesis strategies for estimator parameters and input matrices."""

import inspect
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.utils._param_validation import Hidden, Interval, Options, StrOptions

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


def as_format(X, format):
    """Return a dense 2-D array in one of the input containers estimators accept.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Dense data.
    format : str
        One of :data:`FORMATS`: ``"dense"``, ``"csr_matrix"``,
        ``"csr_array"``, ``"csc_matrix"``, ``"coo_array"``, ``"pydata_coo"``
        or ``"pydata_gcxs"`` (pydata ``sparse``).

    Returns
    -------
    X_format : array or sparse container
        The same values in the requested container and dtype. Dense input is
        copied, so the result never shares memory with ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.testing import as_format
    >>> X = np.array([[0.0, 1.0], [2.0, 0.0]])
    >>> as_format(X, "csr_array").nnz
    2
    >>> type(as_format(X, "pydata_coo")).__name__
    'COO'
    """
    X = np.asarray(X)
    if format == "dense":
        return X.copy()
    if format in _SCIPY_FORMATS:
        return _SCIPY_FORMATS[format](X)
    if format in ("pydata_coo", "pydata_gcxs"):
        import sparse

        coo = sparse.COO.from_numpy(X)
        return coo if format == "pydata_coo" else sparse.GCXS(coo, compressed_axes=(0,))
    raise ValueError(f"format must be one of {FORMATS}, got {format!r}.")


def _as_range(value, name):
    if isinstance(value, Integral):
        return int(value), int(value)
    low, high = value
    if not 0 < low <= high:
        raise ValueError(f"{name} must be a positive int or a (low, high) pair.")
    return int(low), int(high)


@st.composite
def matrices(
    draw,
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
    bit-identical results from mathematically equal computations.

    Parameters
    ----------
    n_samples, n_features : int or (int, int), default=(1, 20) and (1, 10)
        Exact size, or inclusive range to draw from.
    dtypes : sequence of dtypes, default=(np.float64, np.float32)
        Element dtypes to draw from.
    formats : sequence of str, default=FORMATS
        Containers to draw from; see :func:`as_format`.
    min_value, max_value : float, default=-100.0 and 100.0
        Bounds of the entries.
    integer_valued : bool, default=False
        Draw integer-valued entries (stored in the float dtype).
    zero_fraction : float, default=0.3
        Probability that an entry is exactly zero.

    Returns
    -------
    strategy : hypothesis strategy
        Draws matrices of shape ``(n_samples, n_features)``.

    Examples
    --------
    >>> from hypothesis import given
    >>> from sklearn_kexue.testing import matrices
    >>> @given(X=matrices(n_samples=5, n_features=3, formats=["dense"]))
    ... def test_shape(X):
    ...     assert X.shape == (5, 3)
    >>> test_shape()
    """
    rows = draw(st.integers(*_as_range(n_samples, "n_samples")))
    columns = draw(st.integers(*_as_range(n_features, "n_features")))
    dtype = np.dtype(draw(st.sampled_from(list(dtypes))))
    if integer_valued:
        elements = st.integers(int(np.ceil(min_value)), int(np.floor(max_value))).map(
            float
        )
    else:
        elements = st.floats(
            min_value,
            max_value,
            allow_nan=False,
            allow_infinity=False,
            allow_subnormal=False,
            width=32 if dtype == np.float32 else 64,
        )
    values = draw(hnp.arrays(dtype, (rows, columns), elements=elements))
    mask = draw(
        hnp.arrays(
            bool,
            (rows, columns),
            elements=st.floats(0, 1).map(lambda u: u < zero_fraction),
        )
    )
    values[mask] = 0
    values += 0  # no negative zeros: they compare equal but print differently
    return as_format(values, draw(st.sampled_from(list(formats))))


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
        return st.sampled_from(sorted(constraint.options - constraint.deprecated))
    if isinstance(constraint, Options):
        return st.sampled_from(sorted(constraint.options))
    if isinstance(constraint, Interval):
        return _strategy_for_interval(
            constraint, int_span=int_span, float_span=float_span
        )
    return None


def _strategy_for_interval(interval, *, int_span, float_span):
    left, right = interval.left, interval.right
    open_left = interval.closed in ("right", "neither")
    open_right = interval.closed in ("left", "neither")
    if interval.type is Integral:
        low = -int_span if left is None else int(np.floor(left)) + int(open_left)
        high = (
            low + int_span if right is None else int(np.ceil(right)) - int(open_right)
        )
        return st.integers(low, high)
    low = -float_span if left is None else float(left)
    high = max(low, 0.0) + float_span if right is None else float(right)
    # With an open end at +-inf replaced by a finite bound, that bound is valid.
    return st.floats(
        low,
        high,
        exclude_min=open_left and left is not None,
        exclude_max=open_right and right is not None,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    ).filter(lambda value: interval.type is Real or not float(value).is_integer())


def estimator_params(estimator_class, *, int_span=64, float_span=10.0, **overrides):
    """Strategy for parameter dicts that satisfy a class's ``_parameter_constraints``.

    Each constructor parameter is drawn from the union of its constraints:
    intervals become bounded integer or float ranges (unbounded ends are
    capped at ``int_span``/``float_span`` from the other end), string options
    are sampled, ``"boolean"`` gives booleans, ``"random_state"`` None or an
    int seed, ``"verbose"`` 0. Hidden constraints are never drawn.

    Constraints between parameters (say, ``hash_length < n_components``) are
    not part of ``_parameter_constraints``: express them with ``overrides``
    (a fixed value or a strategy per parameter) or with ``.filter``.

    Parameters
    ----------
    estimator_class : type
        A scikit-learn style estimator class with ``_parameter_constraints``.
    int_span : int, default=64
        Width of the drawn range for integer intervals with an open end.
    float_span : float, default=10.0
        Width of the drawn range for real intervals with an open end.
    **overrides : dict
        Values or strategies for given parameters, used instead of the
        constraints. Required for parameters whose constraints cannot be
        drawn (arrays, callables, estimators).

    Returns
    -------
    strategy : hypothesis strategy
        Draws ``dict`` of keyword arguments for ``estimator_class``.

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
    constraints = getattr(estimator_class, "_parameter_constraints", None)
    if constraints is None:
        raise TypeError(f"{estimator_class.__name__} has no _parameter_constraints.")
    names = [
        name
        for name, parameter in inspect.signature(estimator_class).parameters.items()
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    unknown = set(overrides) - set(names)
    if unknown:
        raise ValueError(
            f"{estimator_class.__name__} has no parameter(s) {sorted(unknown)}."
        )
    strategies = {}
    for name in names:
        if name in overrides:
            value = overrides[name]
            strategies[name] = (
                value if isinstance(value, st.SearchStrategy) else st.just(value)
            )
            continue
        drawable = [
            strategy
            for constraint in constraints.get(name, [])
            if (
                strategy := _strategy_for_constraint(
                    constraint, int_span=int_span, float_span=float_span
                )
            )
            is not None
        ]
        if not drawable:
            raise ValueError(
                f"Cannot derive a strategy for {estimator_class.__name__}'s "
                f"parameter {name!r} from its constraints "
                f"{constraints.get(name)!r}; pass {name}=<value or strategy>."
            )
        strategies[name] = st.one_of(drawable)
    return st.fixed_dictionaries(strategies)


def estimators(estimator_class, **kwargs):
    """Strategy for unfitted estimators with parameters from :func:`estimator_params`.

    Parameters
    ----------
    estimator_class : type
        A scikit-learn style estimator class with ``_parameter_constraints``.
    **kwargs : dict
        Passed to :func:`estimator_params` (``int_span``, ``float_span`` and
        per-parameter overrides).

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
    return estimator_params(estimator_class, **kwargs).map(
        lambda params: estimator_class(**params)
    )
