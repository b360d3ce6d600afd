"""Winner-take-all: the entry point of every hasher's selection, and its codes.

:func:`select_winners` is how Python code selects winners: it runs the
compiled kernel of :mod:`._winner_take_all_kernels` or its NumPy twin, which
follow one tie rule (largest activation first; among equal activations the
lower unit index wins). :func:`collect_winners` assembles per-batch winners
into CSR or dense codes for every hasher and for :func:`winner_take_all`,
the public function over activations computed elsewhere.
"""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils.parallel import Parallel, delayed

from sklearn_kexue.hashing._winner_take_all_kernels import (
    select_row_winners,
    select_row_winners_numpy,
)
from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._jit import use_compiled
from sklearn_kexue.utils._param_validation import Interval, validate_params
from sklearn_kexue.utils._sparse import csr_output
from sklearn_kexue.utils._validation import _is_pydata_sparse

__all__ = ["winner_take_all"]

_INDEX_DTYPE = np.int32


def select_winners(activations, hash_length, out_indices, out_values, *, compiled):
    """Winners of each row of ``activations``, compiled or in NumPy.

    Both paths follow the tie rule and write the winners sorted by index into
    ``out_indices``/``out_values``; ``compiled`` picks the path (see
    :func:`~sklearn_kexue.utils._jit.use_compiled`).
    """
    if compiled:
        select_row_winners(activations, hash_length, out_indices, out_values)
    else:
        select_row_winners_numpy(activations, hash_length, out_indices, out_values)


def allocate_winners(n_samples, hash_length, dtype):
    """Empty ``(indices, values)`` arrays for ``n_samples`` rows of winners."""
    return (
        np.empty((n_samples, hash_length), dtype=_INDEX_DTYPE),
        np.empty((n_samples, hash_length), dtype=dtype),
    )


def write_dense_winners(codes, indices, values, *, binary):
    """Write per-row winners into the zero-initialised dense ``codes`` rows."""
    np.put_along_axis(codes, indices, 1 if binary else values, axis=1)


def winners_to_csr(indices, values, n_units, *, binary):
    """CSR codes with exactly ``hash_length`` stored entries per row.

    ``indices`` and ``values`` become the CSR buffers without a copy; for
    binary codes ``values`` is overwritten with ones in place.
    """
    n_samples, hash_length = indices.shape
    if binary:
        values.fill(1)
    nnz = n_samples * hash_length
    indptr_dtype = np.int32 if nnz <= np.iinfo(np.int32).max else np.int64
    indptr = np.arange(0, nnz + 1, hash_length, dtype=indptr_dtype)
    codes = csr_output(
        (values.reshape(-1), indices.reshape(-1), indptr), shape=(n_samples, n_units)
    )
    codes.has_sorted_indices = True
    return codes


def collect_winners(
    select_batch,
    batches,
    shape,
    hash_length,
    dtype,
    *,
    binary,
    sparse_output,
    n_threads=1,
):
    """Codes of shape ``shape`` from winners selected batch by batch.

    ``select_batch(batch, out_indices, out_values)`` writes the winners of
    the rows ``batch`` (a slice), sorted by index, into arrays of shape
    ``(batch rows, hash_length)``. With ``sparse_output`` these are views of
    the CSR buffers, filled in place; otherwise one batch's buffers, written
    into the dense codes. With ``n_threads > 1`` batches run concurrently in
    threads (they write disjoint rows), so ``select_batch`` should release
    the GIL for its heavy work.

    Returns CSR codes with exactly ``hash_length`` stored entries per row if
    ``sparse_output``, else a dense array of ``dtype``; winners are 1, or
    keep the values written by ``select_batch`` if not ``binary``.
    """
    n_samples, n_units = shape
    if sparse_output:
        indices, values = allocate_winners(n_samples, hash_length, dtype)
    else:
        codes = np.zeros((n_samples, n_units), dtype=dtype)

    def select(batch):
        if sparse_output:
            select_batch(batch, indices[batch], values[batch])
            return
        batch_indices, batch_values = allocate_winners(
            batch.stop - batch.start, hash_length, dtype
        )
        select_batch(batch, batch_indices, batch_values)
        write_dense_winners(codes[batch], batch_indices, batch_values, binary=binary)

    if n_threads == 1:
        for batch in batches:
            select(batch)
    else:
        Parallel(n_jobs=n_threads, require="sharedmem")(
            delayed(select)(batch) for batch in batches
        )
    if sparse_output:
        return winners_to_csr(indices, values, n_units, binary=binary)
    return codes


@validate_params(
    {
        "activations": ["array-like", "sparse matrix"],
        "hash_length": [Interval(Integral, 1, None, closed="left")],
        "binary": ["boolean"],
        "sparse_output": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def winner_take_all(activations, hash_length, *, binary=True, sparse_output=True):
    """Keep the ``hash_length`` largest activations of each row.

    This is the winner-take-all step that turns unit activations into a
    sparse code in FlyHash [1]_ and BioHash [2]_. Each row keeps exactly
    ``hash_length`` winners.

    **Tie rule.** Units are ranked by activation, largest first; among equal
    activations the unit with the lower column index wins. The result is
    therefore deterministic and independent of the row's position in the
    input.

    Parameters
    ----------
    activations : array-like of shape (n_samples, n_units)
        Dense, finite activations (float32 stays float32). Sparse matrices are
        refused: every unit, implicit zeros included, competes.
    hash_length : int
        Number of winners per row; must not exceed ``n_units``.
    binary : bool, default=True
        If True, winners are coded 1. If False, they keep their activation
        (a "value tag").
    sparse_output : bool, default=True
        If True, return CSR codes with exactly ``hash_length`` stored entries
        per row (column indices sorted); otherwise a dense array.

    Returns
    -------
    codes : sparse matrix or ndarray of shape (n_samples, n_units)
        Winner codes, 0 for the losers. CSR is ``csr_matrix`` or
        ``csr_array`` following ``sklearn.get_config()["sparse_interface"]``.

    See Also
    --------
    FlyHashTransformer : Random sparse expansion, then this step.
    BioHashTransformer : Units learned by a Hebbian rule, then this step.

    References
    ----------
    .. [1] S. Dasgupta, C. F. Stevens and S. Navlakha, "A neural algorithm for
       a fundamental computing problem", Science 358(6364):793-796, 2017.
       :doi:`10.1126/science.aam9868`
    .. [2] C. K. Ryali, J. J. Hopfield, L. Grinberg and D. Krotov,
       "Bio-inspired hashing for unsupervised similarity search", ICML 2020.
       :arxiv:`2001.04907`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.hashing import winner_take_all
    >>> activations = np.array([[0.5, 2.0, 2.0, 1.0], [3.0, 0.0, 3.0, 3.0]])
    >>> winner_take_all(activations, 2, sparse_output=False)
    array([[0., 1., 1., 0.],
           [1., 0., 1., 0.]])
    """
    if sp.issparse(activations) or _is_pydata_sparse(activations):
        # Winners among implicit zeros need every activation: densify knowingly.
        raise TypeError(
            "winner_take_all needs dense activations, got a sparse "
            f"{type(activations).__name__}; pass activations.toarray() (or "
            ".todense()) if it fits in memory."
        )
    activations = check_array(
        activations, dtype=(np.float64, np.float32), input_name="activations"
    )
    if hash_length > activations.shape[1]:
        raise ValueError(
            f"hash_length={hash_length} must not exceed the number of units "
            f"(n_units={activations.shape[1]})."
        )
    return _winner_take_all(
        activations, hash_length, binary=binary, sparse_output=sparse_output
    )


def _winner_take_all(activations, hash_length, *, binary, sparse_output):
    """:func:`winner_take_all` of a checked dense 2-d float array."""
    compiled = use_compiled(activations.size)
    dtype = activations.dtype

    def select_batch(batch, out_indices, out_values):
        select_winners(
            activations[batch], hash_length, out_indices, out_values, compiled=compiled
        )

    row_bytes = hash_length * (dtype.itemsize + np.dtype(_INDEX_DTYPE).itemsize)
    if not compiled:
        row_bytes += activations.shape[1] * (dtype.itemsize + 8)  # sort keys
    return collect_winners(
        select_batch,
        gen_row_batches(activations.shape[0], row_bytes),
        activations.shape,
        hash_length,
        dtype,
        binary=binary,
        sparse_output=sparse_output,
    )
