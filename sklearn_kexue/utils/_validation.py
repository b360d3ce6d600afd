"""Input conversion shared by every estimator: pydata sparse, dtypes, no mutation."""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils.validation import validate_data

from sklearn_kexue.utils._param_validation import HasMethods, validate_params

__all__ = ["check_pydata_sparse", "check_sparse_structure", "validate_input_data"]

FLOAT_DTYPES = (np.float64, np.float32)


def _is_pydata_sparse(X):
    # A module-name test keeps `import sparse` (and numba's start-up) off this path.
    module = type(X).__module__ or ""
    return module == "sparse" or module.startswith("sparse.")


@validate_params({"X": "no_validation"}, prefer_skip_nested_validation=True)
def check_pydata_sparse(X):
    """Convert a pydata ``sparse`` array to a SciPy CSR array; pass others through.

    scikit-learn's validation rejects pydata ``sparse`` arrays (``COO``,
    ``GCXS``, ``DOK``) with a ``RuntimeError``. This helper converts them to
    :class:`scipy.sparse.csr_array` first, without densifying. Any other
    input is returned unchanged.

    Parameters
    ----------
    X : object
        Candidate input. A pydata ``sparse`` array must be 2-D and have a zero
        ``fill_value``.

    Returns
    -------
    X_converted : object
        A ``scipy.sparse.csr_array`` if ``X`` was a pydata sparse array,
        otherwise ``X`` itself.

    Raises
    ------
    ValueError
        If the pydata sparse array is not 2-D or has a non-zero fill value.

    Examples
    --------
    >>> import numpy as np
    >>> import sparse
    >>> from sklearn_kexue.utils import check_pydata_sparse
    >>> X = sparse.COO.from_numpy(np.array([[0.0, 1.5], [2.0, 0.0]]))
    >>> X_csr = check_pydata_sparse(X)
    >>> type(X_csr).__name__, X_csr.nnz
    ('csr_array', 2)
    """
    return _check_pydata_sparse(X)


def _check_pydata_sparse(X):
    if not _is_pydata_sparse(X):
        return X
    if getattr(X, "ndim", None) != 2:
        raise ValueError(
            f"Expected a 2-D pydata sparse array, got ndim={getattr(X, 'ndim', None)}."
        )
    fill_value = getattr(X, "fill_value", 0)
    if np.any(fill_value != 0):
        raise ValueError(
            f"pydata sparse input must have fill_value=0, got fill_value={fill_value}; "
            "densify it explicitly with X.todense() if that is what you want."
        )
    if hasattr(X, "to_coo") and not hasattr(X, "to_scipy_sparse"):
        X = X.to_coo()  # DOK
    return sp.csr_array(X.to_scipy_sparse())


def _check_index_range(name, index, bound):
    """Raise unless every entry of ``index`` lies in ``[0, bound)``: one pass."""
    if index.size == 0:
        return
    low, high = int(index.min()), int(index.max())
    if low < 0 or high >= bound:
        raise ValueError(
            f"Malformed sparse input: {name} must lie in [0, {bound}), "
            f"found values from {low} to {high}."
        )


@validate_params({"X": "no_validation"}, prefer_skip_nested_validation=True)
def check_sparse_structure(X):
    """Check that a SciPy sparse input's index arrays fit its shape.

    SciPy does not check the index arrays of a matrix built from raw buffers
    (or changed after construction), and neither does
    :func:`sklearn.utils.check_array`: a column index past ``n_features``
    makes compiled code read or write out of bounds. This check costs one
    pass over the index arrays. Dense and non-SciPy inputs pass through.

    Parameters
    ----------
    X : object
        Candidate input.

    Returns
    -------
    X : object
        ``X`` itself.

    Raises
    ------
    ValueError
        If an index lies outside the shape, or ``indptr`` is not a
        non-decreasing sequence from 0 that fits the stored entries.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from sklearn_kexue.utils import check_sparse_structure
    >>> X = sp.csr_array((np.ones(2), np.array([0, 5]), np.array([0, 1, 2])),
    ...                  shape=(2, 3))
    >>> check_sparse_structure(X)
    Traceback (most recent call last):
    ...
    ValueError: Malformed sparse input: column indices must lie in [0, 3), ...
    """
    return _check_sparse_structure(X)


def _check_sparse_structure(X):
    if not sp.issparse(X):
        return X
    if len(X.shape) != 2:
        raise ValueError(
            f"Expected a 2-D sparse matrix, got a {X.format.upper()} array of "
            f"shape {X.shape}."
        )
    for name in ("indices", "indptr", "row", "col", "offsets"):
        index = getattr(X, name, None)
        if isinstance(index, np.ndarray) and index.dtype.kind not in "iu":
            raise ValueError(
                f"Malformed sparse input: the {X.format.upper()} {name} array "
                f"must hold integers, got dtype {index.dtype}."
            )
    n_rows, n_columns = X.shape
    if X.format in ("csr", "csc", "bsr"):
        block_rows, block_columns = X.blocksize if X.format == "bsr" else (1, 1)
        if X.format == "csc":
            n_major, n_minor, minor = n_columns, n_rows, "row"
        else:
            n_major, n_minor, minor = (
                n_rows // block_rows,
                n_columns // block_columns,
                "column",
            )
        indptr, indices = X.indptr, X.indices
        if (
            indptr.ndim != 1
            or indptr.shape[0] != n_major + 1
            or (indptr.shape[0] and indptr[0] != 0)
            or np.any(np.diff(indptr) < 0)
            or indptr[-1] > min(indices.shape[0], X.data.shape[0])
        ):
            raise ValueError(
                f"Malformed sparse input: the {X.format.upper()} indptr must "
                f"rise from 0 through {n_major + 1} entries to at most the "
                f"{indices.shape[0]} stored indices."
            )
        _check_index_range(f"{minor} indices", indices[: indptr[-1]], n_minor)
    elif X.format == "coo":
        row, col = X.coords if hasattr(X, "coords") else (X.row, X.col)
        if row.shape != X.data.shape or col.shape != X.data.shape:
            raise ValueError(
                "Malformed sparse input: the COO row, column and data arrays "
                "must have the same length."
            )
        _check_index_range("row indices", row, n_rows)
        _check_index_range("column indices", col, n_columns)
    elif X.format == "lil":
        rows = [row for row in X.rows if row]
        if rows:
            _check_index_range("column indices", np.concatenate(rows), n_columns)
    return X


def _read_only(array):
    view = array.view()
    view.flags.writeable = False
    return view


def _protect_caller_data(X_validated, X_original):
    """Make validated data that still shares the caller's buffers read-only.

    Any accidental in-place write in an estimator then raises instead of
    silently corrupting the user's array.
    """
    if sp.issparse(X_validated):
        if not sp.issparse(X_original) or X_validated.format not in ("csr", "csc"):
            return X_validated
        buffers = (X_validated.data, X_validated.indices, X_validated.indptr)
        originals = [
            buffer
            for name in ("data", "indices", "indptr", "row", "col", "offsets")
            if isinstance(buffer := getattr(X_original, name, None), np.ndarray)
        ]
        if not any(np.may_share_memory(b, o) for b in buffers for o in originals):
            return X_validated
        protected = type(X_validated)(
            tuple(_read_only(b) for b in buffers), shape=X_validated.shape, copy=False
        )
        protected.has_sorted_indices = X_validated.has_sorted_indices
        return protected
    if isinstance(X_validated, np.ndarray) and isinstance(X_original, np.ndarray):
        if np.may_share_memory(X_validated, X_original):
            return _read_only(X_validated)
    return X_validated


@validate_params(
    {
        "estimator": [HasMethods(["__sklearn_tags__"])],
        "X": "no_validation",
        "y": "no_validation",
        "reset": ["boolean"],
        "accept_sparse": "no_validation",
        "dtype": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def validate_input_data(
    estimator,
    X,
    y="no_validation",
    *,
    reset=True,
    accept_sparse="csr",
    dtype=FLOAT_DTYPES,
    **check_params,
):
    """Validate ``X`` (and ``y``) for an estimator, accepting pydata sparse input.

    This is the one entry point through which every ``sklearn_kexue``
    estimator reads its input. It converts pydata ``sparse`` arrays to SciPy
    CSR, then calls :func:`sklearn.utils.validation.validate_data`, which
    sets or checks ``n_features_in_`` and ``feature_names_in_``. float32
    input stays float32 (other numeric input becomes float64). When the
    result still shares memory with the caller's array, it is returned as a
    read-only view, so the caller's data can never be modified.

    Parameters
    ----------
    estimator : estimator instance
        The estimator whose input is validated.
    X : {array-like, sparse matrix, sparse array, pydata sparse array}
        Input data.
    y : array-like or "no_validation", default="no_validation"
        Targets, validated together with ``X`` when given.
    reset : bool, default=True
        Whether to reset ``n_features_in_`` (True in ``fit``, False in
        ``transform`` and on later ``partial_fit`` calls).
    accept_sparse : str, list of str or False, default="csr"
        Sparse formats accepted; others are converted to the first one.
    dtype : type, list of types or None, default=(np.float64, np.float32)
        Accepted dtypes, as in :func:`sklearn.utils.check_array`.
    **check_params : dict
        Further arguments for :func:`sklearn.utils.check_array`.

    Returns
    -------
    X_valid : ndarray or sparse matrix
        The validated input (or ``(X_valid, y_valid)`` when ``y`` is given).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn_kexue.utils import validate_input_data
    >>> X = np.ones((3, 2), dtype=np.float32)
    >>> X_valid = validate_input_data(BaseEstimator(), X)
    >>> X_valid.dtype, X_valid.flags.writeable
    (dtype('float32'), False)
    """
    return _validate_input_data(
        estimator, X, y, reset, accept_sparse, dtype, check_params
    )


def _validate_input_data(estimator, X, y, reset, accept_sparse, dtype, check_params):
    X_converted = _check_sparse_structure(_check_pydata_sparse(X))
    validated = validate_data(
        estimator,
        X_converted,
        y,
        reset=reset,
        accept_sparse=accept_sparse,
        dtype=dtype,
        **check_params,
    )
    if y is None or (isinstance(y, str) and y == "no_validation"):
        return _protect_caller_data(validated, X_converted)
    X_valid, y_valid = validated
    return _protect_caller_data(X_valid, X_converted), y_valid


def validate_sample_weight(sample_weight, n_samples):
    """Float64 sample weights: 1-D, finite, non-negative, with a positive sum.

    ``None`` gives ones and a scalar gives that constant; the caller's array
    is never modified (a new array is returned).
    """
    if sample_weight is None:
        return np.ones(n_samples)
    if isinstance(sample_weight, Real):
        # A constant is checked like any other weights.
        sample_weight = np.full(n_samples, float(sample_weight))
    weights = check_array(
        sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight"
    ).copy()
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {weights.shape}, expected ({n_samples},)."
        )
    if np.any(weights < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not weights.sum() > 0:
        raise ValueError(
            "sample_weight must have a positive sum: weights can not be all zero."
        )
    return weights
