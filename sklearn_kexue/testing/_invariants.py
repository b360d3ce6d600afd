"""Invariant checks for hashers and transformers, usable inside property tests.

Each function raises ``AssertionError`` with a message describing the first
violation it finds, and returns None otherwise.
"""

import copy
import pickle

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from sklearn_kexue.testing._strategies import FORMATS, as_format
from sklearn_kexue.utils._validation import check_pydata_sparse

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


def _dense(array):
    array = check_pydata_sparse(array)
    return array.toarray() if sp.issparse(array) else np.asarray(array)


def _assert_outputs_equal(expected, actual, context):
    """Bit-identical outputs: same container kind, dtype, shape and values."""
    if sp.issparse(expected) != sp.issparse(actual):
        raise AssertionError(
            f"{context}: output container differs ({type(expected).__name__} "
            f"versus {type(actual).__name__})."
        )
    if expected.dtype != actual.dtype or expected.shape != actual.shape:
        raise AssertionError(
            f"{context}: output {expected.dtype}{expected.shape} versus "
            f"{actual.dtype}{actual.shape}."
        )
    expected, actual = _dense(expected), _dense(actual)
    if not np.array_equal(expected, actual):
        rows = np.flatnonzero((expected != actual).any(axis=1))
        raise AssertionError(
            f"{context}: outputs differ in {len(rows)} row(s), first row {rows[0]}."
        )


def assert_fixed_weight_codes(codes, hash_length, *, binary=True):
    """Assert that every row of ``codes`` has exactly ``hash_length`` active units.

    For sparse codes the active units are the stored entries (a value tag may
    legitimately be 0); for dense codes, the non-zero entries. With
    ``binary=True`` every active entry must also equal 1.

    Parameters
    ----------
    codes : {ndarray, sparse matrix} of shape (n_samples, n_units)
        Codes from a winner-take-all hasher.
    hash_length : int
        Expected number of active units per row.
    binary : bool, default=True
        Whether active entries must be exactly 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.testing import assert_fixed_weight_codes
    >>> assert_fixed_weight_codes(np.array([[1, 0, 1], [0, 1, 1]]), 2)
    """
    if sp.issparse(codes):
        codes = sp.csr_array(codes)
        active_per_row = np.diff(codes.indptr)
        active_values = codes.data
        for row in range(codes.shape[0]):
            columns = codes.indices[codes.indptr[row] : codes.indptr[row + 1]]
            if len(np.unique(columns)) != len(columns):
                raise AssertionError(f"Row {row} stores a unit twice: {columns}.")
    else:
        codes = np.asarray(codes)
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


def assert_even_hamming_distances(codes):
    """Assert that all pairwise Hamming distances between binary codes are even.

    For codes with the same number of ones k, the Hamming distance is
    ``2 * (k - overlap)``, so an odd distance reveals a row with the wrong
    weight or a non-binary entry.

    Parameters
    ----------
    codes : {ndarray, sparse matrix} of shape (n_samples, n_units)
        Binary fixed-weight codes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.testing import assert_even_hamming_distances
    >>> assert_even_hamming_distances(np.array([[1, 1, 0, 0], [0, 1, 1, 0]]))
    """
    dense = _dense(codes).astype(np.int64)
    if not np.isin(dense, (0, 1)).all():
        raise AssertionError("Codes are not binary.")
    weights = dense.sum(axis=1)
    distances = weights[:, None] + weights[None, :] - 2 * dense @ dense.T
    odd = np.argwhere(distances % 2 == 1)
    if len(odd):
        i, j = odd[0]
        raise AssertionError(
            f"Hamming distance between rows {i} and {j} is odd ({distances[i, j]})."
        )


def _output(estimator, X):
    if hasattr(estimator, "transform"):
        return estimator.transform(X)
    return estimator.predict(X)


def assert_same_output_across_formats(estimator, X, *, formats=FORMATS):
    """Assert that dense and sparse containers of the same data give identical output.

    The estimator is fitted on each container of ``X`` and transforms each
    container; all results must be bit-identical to fitting and transforming
    the dense array.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator with a fixed ``random_state`` if it is random.
    X : ndarray of shape (n_samples, n_features)
        Dense data; the other containers are built with :func:`as_format`.
    formats : sequence of str, default=FORMATS
        Containers to compare with the dense reference.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.testing import assert_same_output_across_formats
    >>> X = np.random.default_rng(0).random((6, 20))
    >>> hasher = FlyHashTransformer(hash_length=3, random_state=0)
    >>> assert_same_output_across_formats(hasher, X)
    """
    X = _dense(X)
    reference = clone(estimator).fit(X)
    expected = _output(reference, X)
    for format in formats:
        X_format = as_format(X, format)
        _assert_outputs_equal(
            expected, _output(reference, X_format), f"transform of {format} input"
        )
        fitted = clone(estimator).fit(X_format)
        _assert_outputs_equal(
            expected, _output(fitted, X), f"estimator fitted on {format} input"
        )


def assert_reproducible(estimator, X):
    """Assert that fitting twice with the same ``random_state`` gives the same output.

    Both a clone and a refit of the same object must reproduce the output
    exactly. A ``random_state`` of None is replaced by 0 first.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data to fit and transform.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import assert_reproducible
    >>> assert_reproducible(SignRandomProjection(), np.eye(4))
    """
    estimator = clone(estimator)
    if "random_state" in estimator.get_params() and estimator.random_state is None:
        estimator.set_params(random_state=0)
    expected = _output(clone(estimator).fit(X), X)
    _assert_outputs_equal(expected, _output(clone(estimator).fit(X), X), "clone refit")
    estimator.fit(X)
    estimator.fit(X)
    _assert_outputs_equal(expected, _output(estimator, X), "fitting twice")


def _assert_same_data(original, snapshot):
    if type(original) is not type(snapshot):
        raise AssertionError("The input's type changed.")
    if sp.issparse(original):
        same = (
            original.format == snapshot.format
            and original.dtype == snapshot.dtype
            and all(
                np.array_equal(getattr(original, name), getattr(snapshot, name))
                for name in ("data", "indices", "indptr", "row", "col")
                if hasattr(original, name)
            )
        )
    elif hasattr(original, "dtype") and not isinstance(original, np.ndarray):
        same = original.dtype == snapshot.dtype and np.array_equal(
            _dense(original), _dense(snapshot)
        )
        if hasattr(original, "coords"):
            same = same and np.array_equal(original.coords, snapshot.coords)
    else:
        same = np.array_equal(np.asarray(original), np.asarray(snapshot)) and (
            np.asarray(original).dtype == np.asarray(snapshot).dtype
        )
    if not same:
        raise AssertionError("The estimator modified its input array.")


def assert_input_unchanged(estimator, X, y=None):
    """Assert that ``fit``, ``transform`` and ``fit_transform`` never modify ``X``.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator.
    X : {array-like, sparse matrix, pydata sparse array}
        Input data; compared, stored buffers included, with a deep copy.
    y : array-like, default=None
        Targets passed to ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.testing import assert_input_unchanged
    >>> X = np.random.default_rng(0).random((5, 20))
    >>> assert_input_unchanged(FlyHashTransformer(hash_length=2, random_state=0), X)
    """
    snapshot = copy.deepcopy(X)
    fitted = clone(estimator).fit(X, y)
    _assert_same_data(X, snapshot)
    _output(fitted, X)
    _assert_same_data(X, snapshot)
    if hasattr(fitted, "fit_transform"):
        clone(estimator).fit_transform(X, y)
        _assert_same_data(X, snapshot)


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

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import assert_pickle_roundtrip
    >>> assert_pickle_roundtrip(SignRandomProjection(random_state=0), np.eye(3))
    """
    fitted = clone(estimator).fit(X, y)
    expected = _output(fitted, X)
    restored = pickle.loads(pickle.dumps(fitted))
    _assert_outputs_equal(expected, _output(restored, X), "after pickle round trip")


def assert_row_independent(estimator, X, *, random_state=0):
    """Assert that each output row depends only on its own input row.

    The fitted estimator must give the same rows when ``X`` is permuted, split
    into parts, or transformed one row at a time (scikit-learn's
    sample-order and subset invariance).

    Parameters
    ----------
    estimator : estimator instance
        Fitted estimator.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data to transform.
    random_state : int, default=0
        Seeds the permutation and the split points.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.testing import assert_row_independent
    >>> X = np.random.default_rng(0).random((8, 20))
    >>> hasher = FlyHashTransformer(hash_length=3, random_state=0).fit(X)
    >>> assert_row_independent(hasher, X)
    """
    X = check_pydata_sparse(X)
    if sp.issparse(X):
        X = sp.csr_array(X)
    n_samples = X.shape[0]
    expected = _dense(_output(estimator, X))
    rng = np.random.default_rng(random_state)
    permutation = rng.permutation(n_samples)
    permuted = _dense(_output(estimator, X[permutation]))
    if not np.array_equal(permuted, expected[permutation]):
        raise AssertionError("Output rows change when the input rows are permuted.")
    split = int(rng.integers(1, n_samples)) if n_samples > 1 else n_samples
    for part in (slice(0, split), slice(split, n_samples)):
        if part.start == part.stop:
            continue
        if not np.array_equal(_dense(_output(estimator, X[part])), expected[part]):
            raise AssertionError(f"Output rows change for the subset {part}.")
    for row in range(min(n_samples, 5)):
        single = _dense(_output(estimator, X[row : row + 1]))
        if not np.array_equal(single, expected[row : row + 1]):
            raise AssertionError(f"Row {row} transformed alone gives another output.")


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
    X : ndarray of shape (n_samples, n_features)
        Dense data.
    shifts : ndarray of shape (n_samples,)
        Constant added to every feature of each row.
    scales : ndarray of shape (n_samples,)
        Positive factor multiplying each row.

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
    X = np.asarray(X)
    shifts, scales = np.asarray(shifts), np.asarray(scales)
    if np.any(scales <= 0):
        raise ValueError("scales must be positive.")
    transformed = scales[:, np.newaxis] * X + shifts[:, np.newaxis]
    expected = _dense(_output(estimator, X))
    actual = _dense(_output(estimator, transformed.astype(X.dtype)))
    if not np.array_equal(expected, actual):
        rows = np.flatnonzero((expected != actual).any(axis=1))
        raise AssertionError(
            f"Output changes under per-row shift and scaling in {len(rows)} "
            f"row(s), first row {rows[0]}."
        )
