"""Winner-take-all: keep the top-k units of each row, with one deterministic tie rule.

Every hasher in this package selects its winners through the heap primitives
below, so they all share the same rule: units are ranked by activation,
largest first, and among equal activations the unit with the lower index
wins. The primitives scan units in ascending index order and keep a bounded
min-heap of the current winners whose root is the *weakest* winner (lowest
activation, then highest index). A new unit enters only if it beats the root
strictly, which is exactly the tie rule because it has the highest index seen
so far.
"""

from numbers import Integral, Real

import numba
import numpy as np
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, validate_params

from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._sparse import csr_output

__all__ = ["winner_take_all"]

_INDEX_DTYPE = np.int32


@numba.njit(cache=True, inline="always")
def _weaker(value_a, index_a, value_b, index_b):
    """Whether winner a ranks below winner b under the tie rule."""
    return value_a < value_b or (value_a == value_b and index_a > index_b)


@numba.njit(cache=True, inline="always")
def _weaker_slot(values, indices, a, b):
    """Whether the winner in heap slot a ranks below the one in slot b."""
    return _weaker(values[a], indices[a], values[b], indices[b])


@numba.njit(cache=True, inline="always")
def _swap(values, indices, a, b):
    values[a], values[b] = values[b], values[a]
    indices[a], indices[b] = indices[b], indices[a]


@numba.njit(cache=True)
def _sift_down(values, indices, start, size, position):
    while True:
        left = 2 * position + 1
        if left >= size:
            return
        weakest = left
        if left + 1 < size and _weaker_slot(
            values, indices, start + left + 1, start + left
        ):
            weakest = left + 1
        if not _weaker_slot(values, indices, start + weakest, start + position):
            return
        _swap(values, indices, start + position, start + weakest)
        position = weakest


@numba.njit(cache=True)
def heap_offer(values, indices, start, size, capacity, value, index):
    """Offer unit ``index`` with ``value`` to the heap at ``start``; return its size.

    Units must be offered in ascending index order for the tie rule to hold.
    """
    if size < capacity:
        position = size
        values[start + position] = value
        indices[start + position] = index
        # Sift up: the new unit has the highest index, so it is weaker on ties.
        while position > 0:
            parent = (position - 1) // 2
            if not _weaker_slot(values, indices, start + position, start + parent):
                break
            _swap(values, indices, start + position, start + parent)
            position = parent
        return size + 1
    if value > values[start]:
        values[start] = value
        indices[start] = index
        _sift_down(values, indices, start, size, 0)
    return size


@numba.njit(cache=True)
def heap_store_winners(values, indices, start, size, out_indices, out_values):
    """Write the heap's winners to the output row, sorted by unit index."""
    order = np.argsort(indices[start : start + size])
    for position in range(size):
        out_indices[position] = indices[start + order[position]]
        out_values[position] = values[start + order[position]]


@numba.njit(cache=True)
def select_winners(
    activations, hash_length, heap_values, heap_indices, out_indices, out_values
):
    """Winner-take-all of one row of activations, using the given heap buffers."""
    size = 0
    for unit in range(activations.shape[0]):
        value = activations[unit]
        # Fast reject: most units lose to a full heap's weakest winner.
        if size == hash_length and value <= heap_values[0]:
            continue
        size = heap_offer(heap_values, heap_indices, 0, size, hash_length, value, unit)
    heap_store_winners(heap_values, heap_indices, 0, size, out_indices, out_values)


@numba.njit(cache=True, nogil=True)
def _select_row_winners(activations, hash_length, out_indices, out_values):
    heap_values = np.empty(hash_length, dtype=activations.dtype)
    heap_indices = np.empty(hash_length, dtype=np.int64)
    for row in range(activations.shape[0]):
        select_winners(
            activations[row],
            hash_length,
            heap_values,
            heap_indices,
            out_indices[row],
            out_values[row],
        )


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


@validate_params(
    {
        "activations": ["array-like"],
        "hash_length": [Interval(Integral, 1, None, closed="left")],
        "binary": ["boolean"],
        "sparse_output": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def winner_take_all(activations, hash_length, *, binary=True, sparse_output=True):
    """Keep the ``hash_length`` largest activations of each row.

    This is the winner-take-all step that turns unit activations into a
    sparse code (Dasgupta et al. 2017; Ryali et al. 2020). Each row keeps
    exactly ``hash_length`` winners.

    **Tie rule.** Units are ranked by activation, largest first; among equal
    activations the unit with the lower column index wins. The result is
    therefore deterministic and independent of the row's position in the
    input.

    Parameters
    ----------
    activations : array-like of shape (n_samples, n_units)
        Dense, finite activations (float32 stays float32).
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

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.hashing import winner_take_all
    >>> activations = np.array([[0.5, 2.0, 2.0, 1.0], [3.0, 0.0, 3.0, 3.0]])
    >>> winner_take_all(activations, 2, sparse_output=False)
    array([[0., 1., 1., 0.],
           [1., 0., 1., 0.]])
    """
    activations = check_array(
        activations, dtype=(np.float64, np.float32), input_name="activations"
    )
    n_samples, n_units = activations.shape
    if hash_length > n_units:
        raise ValueError(
            f"hash_length={hash_length} must not exceed the number of units "
            f"(n_units={n_units})."
        )
    if sparse_output:
        indices, values = allocate_winners(n_samples, hash_length, activations.dtype)
        _select_row_winners(activations, hash_length, indices, values)
        return winners_to_csr(indices, values, n_units, binary=binary)
    codes = np.zeros((n_samples, n_units), dtype=activations.dtype)
    row_bytes = hash_length * (activations.itemsize + np.dtype(_INDEX_DTYPE).itemsize)
    for batch in gen_row_batches(n_samples, row_bytes):
        indices, values = allocate_winners(
            batch.stop - batch.start, hash_length, activations.dtype
        )
        _select_row_winners(activations[batch], hash_length, indices, values)
        write_dense_winners(codes[batch], indices, values, binary=binary)
    return codes


def resolve_hash_length(hash_length, n_components):
    """The number of winners: an int as given, a float as a fraction of units."""
    if isinstance(hash_length, Real) and not isinstance(hash_length, Integral):
        return max(1, round(hash_length * n_components))
    return int(hash_length)
