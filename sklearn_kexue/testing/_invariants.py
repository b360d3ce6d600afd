"""Invariant checks for hashers and transformers, usable inside property tests.

Each function raises ``AssertionError`` with a message describing the first
violation it finds, and returns None otherwise. A misuse (an argument of the
wrong type or shape, a class where an instance is due, an unfitted estimator
where a fitted one is due) raises ``TypeError`` or ``ValueError`` instead, so
that a wrong call never passes, nor fails as if the invariant were broken.
"""

import contextvars
import copy
import pickle
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.validation import _num_samples, check_is_fitted

from sklearn_kexue.testing._strategies import (
    FORMATS,
    _as_format,
    _format_names,
)
from sklearn_kexue.testing._strategies import (
    _dense_values as _dense,
)
from sklearn_kexue.utils._param_validation import (
    RANDOM_STATE,
    HasMethods,
    Interval,
    StrOptions,
    estimator_errors_keep_their_names,
    validate_params,
)
from sklearn_kexue.utils._validation import (
    _check_pydata_sparse,
    _check_sparse_structure,
)

__all__ = [
    "assert_even_hamming_distances",
    "assert_fixed_weight_codes",
    "assert_input_unchanged",
    "assert_pickle_roundtrip",
    "assert_reproducible",
    "assert_row_independent",
    "assert_row_shift_scale_invariance",
    "assert_same_output_across_formats",
]

# Estimators the checks fit themselves, and estimators they apply as they are.
_UNFITTED = [HasMethods(["fit", "transform"]), HasMethods(["fit", "predict"])]
_FITTED = [HasMethods(["transform"]), HasMethods(["predict"])]
_CODES = ["array-like", "sparse matrix"]
_DATA = ["array-like", "sparse matrix"]


def _check_instance(estimator):
    if isinstance(estimator, type):
        raise TypeError(
            f"estimator must be an estimator instance, got the class "
            f"{estimator.__name__}; pass {estimator.__name__}() instead."
        )


def _check_codes(codes):
    """Codes as a CSR array or a 2-D NumPy array of numbers."""
    codes = _check_sparse_structure(_check_pydata_sparse(codes))
    codes = sp.csr_array(codes) if sp.issparse(codes) else np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError(
            f"codes must be 2-D (n_samples, n_units), got shape {codes.shape}."
        )
    if codes.dtype.kind not in "biuf":
        raise ValueError(
            f"codes must hold numbers (bool, int or float), got dtype {codes.dtype}."
        )
    return codes


# Relative tolerance of the output comparisons (0: bit-identical). The property
# checks raise it for float outputs whose arithmetic may change with the batch.
_RTOL = contextvars.ContextVar("rtol", default=0.0)
_PROBABILITIES = contextvars.ContextVar("probabilities", default=False)


@contextmanager
def outputs_compared_within(rtol):
    """Compare float outputs to ``rtol`` times their largest magnitude inside."""
    token = _RTOL.set(float(rtol))
    try:
        yield
    finally:
        _RTOL.reset(token)


@contextmanager
def classifiers_compared_by_probabilities():
    """Inside, a classifier's output is ``predict_proba`` rather than labels.

    Two classes tied to the last bit of their probability can swap labels
    between containers or batch sizes without anything being wrong; their
    probabilities then agree within the tolerance.
    """
    token = _PROBABILITIES.set(True)
    try:
        yield
    finally:
        _PROBABILITIES.reset(token)


def _close(expected, actual):
    """Elementwise agreement: exact, or within the current tolerance for floats."""
    rtol = _RTOL.get()
    if rtol == 0 or expected.dtype.kind not in "fc" or actual.dtype.kind not in "fc":
        equal = expected == actual
    else:
        finite = np.abs(expected[np.isfinite(expected)])
        scale = float(finite.max(initial=0.0)) or 1.0
        with np.errstate(invalid="ignore"):
            equal = (expected == actual) | (np.abs(expected - actual) <= rtol * scale)
    if expected.dtype.kind in "fc" and actual.dtype.kind in "fc":
        equal |= np.isnan(expected) & np.isnan(actual)
    return equal


def _same_values(expected, actual):
    """Equal shapes and values; NaN equals NaN (an estimator may return NaN)."""
    return expected.shape == actual.shape and bool(np.all(_close(expected, actual)))


def _first_differing_rows(expected, actual):
    rows = ~_close(expected, actual).reshape(len(expected), -1)
    return np.flatnonzero(rows.any(axis=1))


def _container(output):
    if sp.issparse(output):
        return "sparse"
    if isinstance(output, np.ndarray):
        return "ndarray"
    return type(output).__name__  # a DataFrame, with set_output(transform=...)


def _assert_outputs_equal(expected, actual, context):
    """Bit-identical outputs: same container kind, dtype, shape and values."""
    if _container(expected) != _container(actual):
        raise AssertionError(
            f"{context}: output container differs ({type(expected).__name__} "
            f"versus {type(actual).__name__})."
        )
    expected, actual = _dense(expected), _dense(actual)
    if expected.dtype != actual.dtype or expected.shape != actual.shape:
        raise AssertionError(
            f"{context}: output {expected.dtype}{expected.shape} versus "
            f"{actual.dtype}{actual.shape}."
        )
    if not _same_values(expected, actual):
        rows = _first_differing_rows(expected, actual)
        raise AssertionError(
            f"{context}: outputs differ in {len(rows)} row(s), first row {rows[0]}."
        )


@validate_params(
    {
        "codes": _CODES,
        "hash_length": [Interval(Integral, 0, None, closed="left")],
        "binary": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def assert_fixed_weight_codes(codes, hash_length, *, binary=True):
    """Assert that every row of ``codes`` has exactly ``hash_length`` active units.

    For sparse codes the active units are the stored entries (a value tag may
    legitimately be 0); for dense codes, the non-zero entries. With
    ``binary=True`` every active entry must also equal 1.

    Parameters
    ----------
    codes : {ndarray, sparse matrix, pydata sparse array} of shape \
            (n_samples, n_units)
        Codes from a winner-take-all hasher.
    hash_length : int
        Expected number of active units per row.
    binary : bool, default=True
        Whether active entries must be exactly 1.

    Raises
    ------
    AssertionError
        If a row has another number of active units, stores a unit twice, or
        (with ``binary=True``) holds an active value other than 1.
    TypeError or ValueError
        If ``codes`` is not a 2-D array of numbers (or a sparse matrix whose
        indices do not fit its shape), or ``hash_length`` not a non-negative
        int.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.testing import assert_fixed_weight_codes
    >>> assert_fixed_weight_codes(np.array([[1, 0, 1], [0, 1, 1]]), 2)
    >>> assert_fixed_weight_codes(np.array([[1, 0, 1], [0, 1, 0]]), 2)
    Traceback (most recent call last):
    ...
    AssertionError: 1 row(s) do not have exactly 2 active units; row 1 has 1.
    """
    _assert_fixed_weight_codes(codes, hash_length, binary)


def _assert_fixed_weight_codes(codes, hash_length, binary):
    codes = _check_codes(codes)
    if sp.issparse(codes):
        active_per_row = np.diff(codes.indptr)
        active_values = codes.data
        for row in range(codes.shape[0]):
            columns = codes.indices[codes.indptr[row] : codes.indptr[row + 1]]
            if len(np.unique(columns)) != len(columns):
                raise AssertionError(f"Row {row} stores a unit twice: {columns}.")
    else:
        active_per_row = np.count_nonzero(codes, axis=1)
        active_values = codes[codes != 0]
    wrong = np.flatnonzero(active_per_row != hash_length)
    if len(wrong):
        raise AssertionError(
            f"{len(wrong)} row(s) do not have exactly {hash_length} active units; "
            f"row {wrong[0]} has {active_per_row[wrong[0]]}."
        )
    if binary and not np.all(active_values == 1):
        raise AssertionError("Binary codes hold active values other than 1.")


@validate_params({"codes": _CODES}, prefer_skip_nested_validation=True)
def assert_even_hamming_distances(codes):
    """Assert that all pairwise Hamming distances between binary codes are even.

    For codes with the same number of ones k, the Hamming distance is
    ``2 * (k - overlap)``, so an odd distance reveals a row with the wrong
    weight or a non-binary entry.

    Parameters
    ----------
    codes : {ndarray, sparse matrix, pydata sparse array} of shape \
            (n_samples, n_units)
        Binary fixed-weight codes.

    Raises
    ------
    AssertionError
        If an entry is not 0 or 1, or two rows are at an odd distance.
    TypeError or ValueError
        If ``codes`` is not a 2-D array of numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.testing import assert_even_hamming_distances
    >>> assert_even_hamming_distances(np.array([[1, 1, 0, 0], [0, 1, 1, 0]]))
    """
    _assert_even_hamming_distances(codes)


def _assert_even_hamming_distances(codes):
    codes = _dense(_check_codes(codes))
    # Checked before any cast: 0.5 must not pass as 0.
    if not np.isin(codes, (0, 1)).all():
        raise AssertionError("Codes are not binary.")
    dense = codes.astype(np.int64)
    weights = dense.sum(axis=1)
    distances = weights[:, None] + weights[None, :] - 2 * dense @ dense.T
    odd = np.argwhere(distances % 2 == 1)
    if len(odd):
        i, j = odd[0]
        raise AssertionError(
            f"Hamming distance between rows {i} and {j} is odd ({distances[i, j]})."
        )


def _output(estimator, X):
    with estimator_errors_keep_their_names():
        if hasattr(estimator, "transform"):
            return estimator.transform(X)
        if hasattr(estimator, "kneighbors") and not hasattr(estimator, "predict"):
            # A neighbours index: each query's distances and neighbours.
            n_neighbors = min(estimator.n_neighbors, estimator.n_samples_fit_)
            distances, indices = estimator.kneighbors(X, n_neighbors)
            return np.hstack([distances, indices])
        if _PROBABILITIES.get() and hasattr(estimator, "predict_proba"):
            return estimator.predict_proba(X)
        return estimator.predict(X)


def _fit(estimator, X, y):
    with estimator_errors_keep_their_names():
        return estimator.fit(X, y)


@validate_params(
    {
        "estimator": _UNFITTED,
        "X": _DATA,
        "y": ["array-like", None],
        "formats": [list, tuple, StrOptions(set(FORMATS))],
    },
    prefer_skip_nested_validation=False,
)
def assert_same_output_across_formats(estimator, X, y=None, *, formats=FORMATS):
    """Assert that dense and sparse containers of the same data give identical output.

    The estimator is fitted on each container of ``X`` and transforms each
    container; all results must be bit-identical to fitting and transforming
    the dense array.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator with a fixed ``random_state`` if it is random; its
        output is ``transform``'s, or ``predict``'s if it has no
        ``transform``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data; the containers are built from its values with
        :func:`as_format`.
    y : array-like of shape (n_samples,), default=None
        Targets passed to ``fit`` (a classifier needs them).
    formats : str or sequence of str, default=FORMATS
        Containers to compare with the dense reference: at least one of
        :data:`FORMATS`.

    Raises
    ------
    AssertionError
        If a container gives another output, in values, dtype, shape or kind.
    TypeError or ValueError
        If ``estimator`` is not an estimator instance with ``fit`` and
        ``transform`` or ``predict``, or ``formats`` names no known format.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.testing import assert_same_output_across_formats
    >>> X = np.random.default_rng(0).random((6, 20))
    >>> hasher = FlyHashTransformer(hash_length=3, random_state=0)
    >>> assert_same_output_across_formats(hasher, X)
    """
    _assert_same_output_across_formats(estimator, X, y, formats)


def _assert_same_output_across_formats(estimator, X, y, formats):
    _check_instance(estimator)
    formats = _format_names(formats)
    X = _dense(X)
    reference = _fit(clone(estimator), X, y)
    expected = _output(reference, X)
    for format in formats:
        X_format = _as_format(X, format)
        _assert_outputs_equal(
            expected, _output(reference, X_format), f"transform of {format} input"
        )
        fitted = _fit(clone(estimator), X_format, y)
        _assert_outputs_equal(
            expected, _output(fitted, X), f"estimator fitted on {format} input"
        )


@validate_params(
    {"estimator": _UNFITTED, "X": _DATA, "y": ["array-like", None]},
    prefer_skip_nested_validation=False,
)
def assert_reproducible(estimator, X, y=None):
    """Assert that fitting twice with the same ``random_state`` gives the same output.

    Both a clone and a refit of the same object must reproduce the output
    exactly. A ``random_state`` of None is replaced by 0 first.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator (a fitted one is cloned first).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data to fit and transform.
    y : array-like of shape (n_samples,), default=None
        Targets passed to ``fit`` (a classifier needs them).

    Raises
    ------
    AssertionError
        If a refit gives another output.
    TypeError or ValueError
        If ``estimator`` is not an estimator instance with ``fit`` and
        ``transform`` or ``predict``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import assert_reproducible
    >>> assert_reproducible(SignRandomProjection(), np.eye(4))
    """
    _assert_reproducible(estimator, X, y)


def _assert_reproducible(estimator, X, y):
    _check_instance(estimator)
    estimator = clone(estimator)
    if "random_state" in estimator.get_params() and estimator.random_state is None:
        estimator.set_params(random_state=0)
    expected = _output(_fit(clone(estimator), X, y), X)
    _assert_outputs_equal(
        expected, _output(_fit(clone(estimator), X, y), X), "clone refit"
    )
    _fit(estimator, X, y)
    _fit(estimator, X, y)
    _assert_outputs_equal(expected, _output(estimator, X), "fitting twice")


def _same_array(original, snapshot):
    original, snapshot = np.asarray(original), np.asarray(snapshot)
    if original.dtype != snapshot.dtype:
        return False
    if original.dtype == object:
        return original.shape == snapshot.shape and all(
            a is b or a == b or (a != a and b != b)
            for a, b in zip(original.flat, snapshot.flat)
        )
    return _same_values(original, snapshot)


def _assert_same_data(original, snapshot):
    if type(original) is not type(snapshot):
        raise AssertionError("The input's type changed.")
    if isinstance(original, list):  # documents, or rows as lists
        same = original == snapshot
    elif sp.issparse(original):
        same = (
            original.format == snapshot.format
            and original.shape == snapshot.shape
            and all(
                _same_array(getattr(original, name), getattr(snapshot, name))
                for name in ("data", "indices", "indptr", "row", "col", "offsets")
                if isinstance(getattr(original, name, None), np.ndarray)
            )
        )
    elif hasattr(original, "dtype") and not isinstance(original, np.ndarray):
        same = original.dtype == snapshot.dtype and _same_array(
            _dense(original), _dense(snapshot)
        )
        if hasattr(original, "coords"):
            same = same and np.array_equal(original.coords, snapshot.coords)
    else:
        same = _same_array(original, snapshot)
    if not same:
        raise AssertionError("The estimator modified its input array.")


@validate_params(
    {"estimator": _UNFITTED, "X": _DATA, "y": ["array-like", None]},
    prefer_skip_nested_validation=False,
)
def assert_input_unchanged(estimator, X, y=None):
    """Assert that ``fit``, ``transform`` and ``fit_transform`` never modify ``X``.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator.
    X : {array-like, sparse matrix, pydata sparse array}
        Input data; compared, stored buffers included, with a deep copy (NaN
        entries compare equal).
    y : array-like, default=None
        Targets passed to ``fit``.

    Raises
    ------
    AssertionError
        If a call changed ``X``'s values, dtype, type or stored structure.
    TypeError or ValueError
        If ``estimator`` is not an estimator instance with ``fit`` and
        ``transform`` or ``predict``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.testing import assert_input_unchanged
    >>> X = np.random.default_rng(0).random((5, 20))
    >>> assert_input_unchanged(FlyHashTransformer(hash_length=2, random_state=0), X)
    """
    _assert_input_unchanged(estimator, X, y)


def _assert_input_unchanged(estimator, X, y):
    _check_instance(estimator)
    snapshot = copy.deepcopy(X)
    fitted = _fit(clone(estimator), X, y)
    _assert_same_data(X, snapshot)
    _output(fitted, X)
    _assert_same_data(X, snapshot)
    if hasattr(fitted, "fit_transform"):
        with estimator_errors_keep_their_names():
            clone(estimator).fit_transform(X, y)
        _assert_same_data(X, snapshot)


@validate_params(
    {"estimator": _UNFITTED, "X": _DATA, "y": ["array-like", None]},
    prefer_skip_nested_validation=False,
)
def assert_pickle_roundtrip(estimator, X, y=None):
    """Assert that a fitted estimator gives bit-identical output after pickling.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data to fit and transform.
    y : array-like, default=None
        Targets passed to ``fit``.

    Raises
    ------
    AssertionError
        If the unpickled estimator gives another output.
    TypeError or ValueError
        If ``estimator`` is not an estimator instance with ``fit`` and
        ``transform`` or ``predict``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import assert_pickle_roundtrip
    >>> assert_pickle_roundtrip(SignRandomProjection(random_state=0), np.eye(3))
    """
    _assert_pickle_roundtrip(estimator, X, y)


def _assert_pickle_roundtrip(estimator, X, y):
    _check_instance(estimator)
    fitted = _fit(clone(estimator), X, y)
    expected = _output(fitted, X)
    restored = pickle.loads(pickle.dumps(fitted))
    _assert_outputs_equal(expected, _output(restored, X), "after pickle round trip")


def _check_fitted(estimator):
    _check_instance(estimator)
    check_is_fitted(estimator)


@validate_params(
    {"estimator": _FITTED, "X": _DATA, "random_state": RANDOM_STATE},
    prefer_skip_nested_validation=False,
)
def assert_row_independent(estimator, X, *, random_state=0):
    """Assert that each output row depends only on its own input row.

    The fitted estimator must give the same rows when ``X`` is permuted, split
    into parts, or transformed one row at a time (scikit-learn's
    sample-order and subset invariance).

    Parameters
    ----------
    estimator : estimator instance
        Fitted estimator.
    X : {array-like, sparse matrix, pydata sparse array} of shape \
            (n_samples, n_features)
        Data to transform: arrays, lists, DataFrames (rows are selected by
        position) or sparse containers.
    random_state : int, RandomState instance or None, default=0
        Seeds the permutation and the split points.

    Raises
    ------
    AssertionError
        If a permuted, split or single-row call gives other rows.
    TypeError or ValueError
        If ``estimator`` is not a fitted estimator instance with
        ``transform`` or ``predict`` (``NotFittedError`` when unfitted).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.testing import assert_row_independent
    >>> X = np.random.default_rng(0).random((8, 20))
    >>> hasher = FlyHashTransformer(hash_length=3, random_state=0).fit(X)
    >>> assert_row_independent(hasher, X)
    """
    _assert_row_independent(estimator, X, random_state)


def _assert_row_independent(estimator, X, random_state):
    _check_fitted(estimator)
    X = _check_pydata_sparse(X)
    if sp.issparse(X):
        X = sp.csr_array(X)  # COO and DIA cannot select rows
    n_samples = _num_samples(X)
    expected = _dense(_output(estimator, X))
    rng = check_random_state(random_state)
    permutation = rng.permutation(n_samples)
    permuted = _dense(_output(estimator, _safe_indexing(X, permutation)))
    if not _same_values(permuted, expected[permutation]):
        raise AssertionError("Output rows change when the input rows are permuted.")
    split = int(rng.randint(1, n_samples)) if n_samples > 1 else n_samples
    for part in (slice(0, split), slice(split, n_samples)):
        if part.start == part.stop:
            continue
        subset = _dense(_output(estimator, _safe_indexing(X, part)))
        if not _same_values(subset, expected[part]):
            raise AssertionError(f"Output rows change for the subset {part}.")
    for row in range(min(n_samples, 5)):
        single = _dense(_output(estimator, _safe_indexing(X, slice(row, row + 1))))
        if not _same_values(single, expected[row : row + 1]):
            raise AssertionError(f"Row {row} transformed alone gives another output.")


def _per_row(values, name, n_samples):
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {values.dtype}.")
    if values.shape != (n_samples,):
        raise ValueError(
            f"{name} must have shape (n_samples,) = ({n_samples},), got {values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite.")
    return values.astype(np.float64)


@validate_params(
    {
        "estimator": _FITTED,
        "X": ["array-like"],
        "shifts": ["array-like"],
        "scales": ["array-like"],
    },
    prefer_skip_nested_validation=False,
)
def assert_row_shift_scale_invariance(estimator, X, shifts, scales):
    """Assert that shifting and positively scaling each row leaves the output unchanged.

    Checks ``f(X) == f(scales[:, None] * X + shifts[:, None])`` for a fitted
    estimator. Choose values for which the arithmetic is exact (integer data,
    integer shifts, power-of-two or integer scales) when the output depends
    on exact ties, as winner-take-all codes do.

    Parameters
    ----------
    estimator : estimator instance
        Fitted estimator.
    X : array-like of shape (n_samples, n_features)
        Dense data (shifting a row fills its zeros, so sparse data is
        refused). Floating-point data keep their dtype; integer data are
        shifted and scaled in float64.
    shifts : array-like of shape (n_samples,)
        Finite constant added to every feature of each row.
    scales : array-like of shape (n_samples,)
        Positive, finite factor multiplying each row.

    Raises
    ------
    AssertionError
        If the output changes.
    TypeError or ValueError
        If ``X`` is sparse or not 2-D, ``shifts`` or ``scales`` do not have
        one finite value per row, a scale is not positive, the shifted data
        overflow ``X``'s dtype, or ``estimator`` is not a fitted estimator
        instance.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.testing import assert_row_shift_scale_invariance
    >>> X = np.arange(40.0).reshape(2, 20) % 7
    >>> hasher = FlyHashTransformer(hash_length=3, random_state=0).fit(X)
    >>> shifts, scales = np.array([3.0, -5.0]), np.array([2.0, 4.0])
    >>> assert_row_shift_scale_invariance(hasher, X, shifts, scales)
    """
    _assert_row_shift_scale_invariance(estimator, X, shifts, scales)


def _assert_row_shift_scale_invariance(estimator, X, shifts, scales):
    _check_fitted(estimator)
    if sp.issparse(_check_pydata_sparse(X)):
        raise TypeError(
            "X must be dense: shifting a row changes its zeros, so the shifted "
            "data would be dense anyway."
        )
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}.")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X must hold real numbers, got dtype {X.dtype}.")
    shifts = _per_row(shifts, "shifts", X.shape[0])
    scales = _per_row(scales, "scales", X.shape[0])
    if np.any(scales <= 0):
        raise ValueError("scales must be positive.")
    dtype = X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        transformed = (scales[:, np.newaxis] * X + shifts[:, np.newaxis]).astype(dtype)
    if not np.all(np.isfinite(transformed[np.isfinite(X)])):
        raise ValueError(
            f"The shifted and scaled X overflows {dtype}: choose smaller shifts "
            "or scales."
        )
    _assert_outputs_equal(
        _output(estimator, X),
        _output(estimator, transformed),
        "Output under per-row shift and scaling",
    )
