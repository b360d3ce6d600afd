"""Novel entries: zero cells of a non-negative matrix that a low-rank model fills in."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch, check_array
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._param_validation import (
    HasMethods,
    Interval,
    validate_params,
)
from sklearn_kexue.utils._validation import check_pydata_sparse, check_sparse_structure

__all__ = ["novel_entries"]


def _axis_labels(name, axis, size):
    """One axis' labels as a 1-D object array of ``size`` entries."""
    if axis is None:
        return None
    if isinstance(axis, (str, bytes)) or np.ndim(axis) != 1:
        raise ValueError(
            f"{name} must be a 1-D sequence of labels, got {type(axis).__name__} "
            f"with ndim={np.ndim(axis)}."
        )
    labels = np.empty(len(axis), dtype=object)
    labels[:] = list(axis)
    if len(labels) != size:
        raise ValueError(
            f"{name} has {len(labels)} entries but X has {size} "
            f"{'rows' if name == 'row_labels' else 'columns'}."
        )
    return labels


def _labels_from(X, labels):
    if labels is not None:
        if len(labels) != 2:
            raise ValueError(
                "labels must be a pair (row_labels, column_labels), got "
                f"{len(labels)} item(s)."
            )
        return (
            _axis_labels("row_labels", labels[0], X.shape[0]),
            _axis_labels("column_labels", labels[1], X.shape[1]),
        )
    if hasattr(X, "index") and hasattr(X, "columns"):  # a DataFrame labels itself
        return np.asarray(X.index, dtype=object), np.asarray(X.columns, dtype=object)
    return None, None


@validate_params(
    {
        "estimator": [HasMethods(["transform", "inverse_transform"])],
        "X": ["array-like", "sparse matrix"],
        "n_entries": [Interval(Integral, 1, None, closed="left")],
        "labels": [tuple, list, None],
        "min_value": [Interval(Real, None, None, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def novel_entries(estimator, X, *, n_entries=10, labels=None, min_value=0.0):
    """Find the zero cells of X that a fitted low-rank model reconstructs highest.

    A low-rank reconstruction of a non-negative matrix (counts, frequencies)
    spreads mass into cells that were zero. The cells it fills in most are
    "novel entries": in a first-character x second-character frequency matrix
    of two-character words, they are character pairs that are not in the
    dictionary but look like words.

    Parameters
    ----------
    estimator : fitted transformer with ``inverse_transform``
        Typically a fitted :class:`~sklearn_kexue.LinearAutoencoder` (with
        ``activation="relu"``), but any transformer whose
        ``inverse_transform(transform(X))`` reconstructs X works.

    X : {array-like, sparse matrix, pydata sparse array, DataFrame} of shape \
            (n_rows, n_columns)
        Non-negative, finite matrix whose zero cells are candidates, with the
        columns the estimator was fitted on. Processed in row batches, so the
        dense reconstruction is never held whole.

    n_entries : int, default=10
        Number of cells to return (fewer if fewer zero cells exceed
        ``min_value``).

    labels : tuple (row_labels, column_labels) or None, default=None
        Names of the rows and columns (either may be None), for example a
        DataFrame's index and columns or a vectorizer's
        ``get_feature_names_out()``. Taken from ``X`` itself when it is a
        DataFrame.

    min_value : float, default=0.0
        Only cells reconstructed strictly above this value are returned
        (NaN is refused: no cell compares above it).

    Returns
    -------
    entries : :class:`~sklearn.utils.Bunch`
        Arrays of length ``n_found <= n_entries``, by decreasing value:
        ``row`` and ``column`` (int indices), ``value`` (reconstructed value),
        and ``row_label`` and ``column_label`` when labels are known.

    Raises
    ------
    ValueError
        If X has negative or non-finite entries, its reconstruction has
        another shape, or labels do not match its shape.
    TypeError
        If ``estimator`` lacks ``transform`` or ``inverse_transform``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import LinearAutoencoder
    >>> from sklearn_kexue.decomposition import novel_entries
    >>> X = np.array([[4.0, 2.0, 0.0], [2.0, 1.0, 1.0], [0.0, 0.0, 3.0]])
    >>> model = LinearAutoencoder(n_components=1, activation="relu").fit(X)
    >>> found = novel_entries(model, X, n_entries=2,
    ...                       labels=(["a", "b", "c"], ["x", "y", "z"]))
    >>> list(zip(found.row_label, found.column_label))
    [('a', 'z'), ('c', 'x')]
    >>> found.value.round(3)
    array([0.639, 0.383])
    """
    return _novel_entries(estimator, X, n_entries, labels, min_value)


def _novel_entries(estimator, X, n_entries, labels, min_value):
    check_is_fitted(estimator)
    # A DataFrame is passed to the model as row slices, keeping its column names.
    frame = X if hasattr(X, "iloc") else None
    X = check_sparse_structure(check_pydata_sparse(X))
    X = check_array(X, accept_sparse="csr", dtype=np.float64, input_name="X")
    if sp.issparse(X):
        X = sp.csr_array(X)
        values = X.data
    else:
        values = X
    if values.size and values.min() < 0:
        raise ValueError(
            "novel_entries expects a non-negative matrix (counts or frequencies); "
            f"X has negative entries (minimum {values.min()})."
        )
    row_labels, column_labels = _labels_from(X if frame is None else frame, labels)

    best_rows = np.empty(0, dtype=np.intp)
    best_columns = np.empty(0, dtype=np.intp)
    best_values = np.empty(0)
    for rows in gen_row_batches(X.shape[0], 3 * 8 * X.shape[1]):
        batch = X[rows]
        model_input = batch if frame is None else frame.iloc[rows]
        reconstruction = estimator.inverse_transform(estimator.transform(model_input))
        if sp.issparse(reconstruction):  # e.g. a scaler kept sparse input sparse
            reconstruction = reconstruction.toarray()
        reconstruction = np.array(reconstruction, dtype=np.float64)
        if reconstruction.shape != batch.shape:
            raise ValueError(
                f"{type(estimator).__name__}.inverse_transform(transform(X)) has "
                f"shape {reconstruction.shape} for rows of X of shape "
                f"{batch.shape}: it does not reconstruct X."
            )
        dense = batch.toarray() if sp.issparse(batch) else batch
        reconstruction[dense != 0] = -np.inf  # only originally-zero cells compete
        flat = reconstruction.ravel()
        candidates = np.flatnonzero(flat > min_value)
        if len(candidates) > n_entries:
            top = np.argpartition(-flat[candidates], n_entries - 1)[:n_entries]
            candidates = candidates[top]
        batch_rows, batch_columns = np.divmod(candidates, X.shape[1])
        best_rows = np.concatenate([best_rows, batch_rows + rows.start])
        best_columns = np.concatenate([best_columns, batch_columns])
        best_values = np.concatenate([best_values, flat[candidates]])
        # Keep only the running top n_entries across batches.
        if len(best_values) > n_entries:
            keep = np.argpartition(-best_values, n_entries - 1)[:n_entries]
            best_rows, best_columns, best_values = (
                best_rows[keep],
                best_columns[keep],
                best_values[keep],
            )
    # Decreasing value; ties in row-major order, so the result is deterministic.
    order = np.lexsort((best_columns, best_rows, -best_values))
    entries = Bunch(
        row=best_rows[order], column=best_columns[order], value=best_values[order]
    )
    if row_labels is not None:
        entries.row_label = row_labels[entries.row]
    if column_labels is not None:
        entries.column_label = column_labels[entries.column]
    return entries
