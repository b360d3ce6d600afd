"""Winner-take-all: keep the top-k units of each row, with one deterministic tie rule.

Every hasher in this package selects its winners with the routines below, so
they all share one rule: units are ranked by activation, largest first, and
among equal activations the unit with the lower index wins.

Selection takes time linear in the number of units m, in two steps:

1. **A lower bound t on the k-th largest activation.** The units are split
   into G = 2k groups (unit j in group j mod G; every unit its own group when
   m < 2k) and t is the k-th largest of the group maxima: k groups have a
   maximum >= t, so at least k activations are >= t. Group maxima cost one
   vectorised ``max`` per unit, and t is usually close to the k-th largest
   activation (about 1.4k units are >= t for continuous data).
2. **An exact selection among the candidates**, the units with activation
   >= t, collected in index order. A candidate wins when fewer than k
   candidates beat it, counting as beating it every candidate with a larger
   activation and every earlier candidate with an equal one: this is the tie
   rule, the counting is branch-free and vectorises, and the winners come out
   sorted by index. Large candidate sets (many ties) go through quickselect
   instead, which finds the k-th largest value v and keeps the candidates
   above v and the first ones equal to v.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array

from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._jit import jit, use_compiled
from sklearn_kexue.utils._param_validation import Interval, validate_params
from sklearn_kexue.utils._sparse import csr_output
from sklearn_kexue.utils._validation import _is_pydata_sparse

__all__ = ["winner_take_all"]

_INDEX_DTYPE = np.int32
# Above this many candidates, counting ranks (quadratic) costs more than quickselect.
RANK_COUNT_MAX_CANDIDATES = 64


@jit
def n_groups(n_units, hash_length):
    """Number of groups G of the lower-bound step."""
    return min(n_units, 2 * hash_length)


@jit
def kth_largest(values, n_values, k, scratch):
    """The k-th largest (1-based) of ``values[:n_values]``, by quickselect."""
    for i in range(n_values):
        scratch[i] = values[i]
    low, high, target = 0, n_values - 1, k - 1
    while low < high:
        # Median of three as pivot, for descending order.
        a, b, c = scratch[low], scratch[(low + high) // 2], scratch[high]
        if a < b:
            a, b = b, a
        if b < c:
            b = c
            if a < b:
                b = a
        pivot = b
        i, j = low, high
        while i <= j:
            while scratch[i] > pivot:
                i += 1
            while scratch[j] < pivot:
                j -= 1
            if i <= j:
                scratch[i], scratch[j] = scratch[j], scratch[i]
                i += 1
                j -= 1
        if target <= j:
            high = j
        elif target >= i:
            low = i
        else:
            return scratch[target]
    return scratch[target]


@jit
def _select_by_rank(values, indices, n_candidates, k, out_indices, out_values):
    position = 0
    for i in range(n_candidates):
        value = values[i]
        n_beating = 0
        for j in range(i):
            n_beating += values[j] >= value
        for j in range(i + 1, n_candidates):
            n_beating += values[j] > value
        if n_beating < k:
            out_indices[position] = indices[i]
            out_values[position] = value
            position += 1


@jit
def _select_by_threshold(
    values, indices, n_candidates, k, scratch, out_indices, out_values
):
    threshold = kth_largest(values, n_candidates, k, scratch)
    n_above = 0
    for c in range(n_candidates):
        if values[c] > threshold:
            n_above += 1
    n_ties_kept = k - n_above  # the lowest-index units equal to the threshold
    position = 0
    for c in range(n_candidates):
        value = values[c]
        if value > threshold or (value == threshold and n_ties_kept > 0):
            if value == threshold:
                n_ties_kept -= 1
            out_indices[position] = indices[c]
            out_values[position] = value
            position += 1


@jit
def select_from_candidates(
    values, indices, n_candidates, k, scratch, out_indices, out_values
):
    """Top-k of candidates given in ascending index order, written sorted by index.

    The candidates must include every winner (all units at least as large as
    the k-th largest activation).
    """
    if n_candidates <= RANK_COUNT_MAX_CANDIDATES:
        _select_by_rank(values, indices, n_candidates, k, out_indices, out_values)
    else:
        _select_by_threshold(
            values, indices, n_candidates, k, scratch, out_indices, out_values
        )


@jit
def row_workspace(n_units, hash_length, dtype):
    """Buffers for :func:`select_row`, allocated once per kernel call."""
    return (
        np.empty(n_groups(n_units, hash_length), dtype=dtype),
        np.empty(n_units, dtype=dtype),
        np.empty(n_units, dtype=np.int32),
        np.empty(n_units, dtype=dtype),
    )


@jit
def select_row(activations, hash_length, workspace, out_indices, out_values):
    """Winner-take-all of one contiguous row of activations."""
    group_max, candidate_values, candidate_indices, scratch = workspace
    n_units, n_group = activations.shape[0], group_max.shape[0]
    zero = activations.dtype.type(0)
    group_max[:] = -np.inf
    # Unit j belongs to group j mod G, so a run of G units feeds every group once.
    for start in range(0, n_units, n_group):
        for g in range(min(n_group, n_units - start)):
            # "+ zero" keeps the store unconditional (a bare in-place max
            # becomes slow masked stores).
            group_max[g] = max(group_max[g], activations[start + g]) + zero
    bound = kth_largest(group_max, n_group, hash_length, scratch)
    n_candidates = 0
    for unit in range(n_units):
        if activations[unit] >= bound:
            candidate_values[n_candidates] = activations[unit]
            candidate_indices[n_candidates] = unit
            n_candidates += 1
    select_from_candidates(
        candidate_values,
        candidate_indices,
        n_candidates,
        hash_length,
        scratch,
        out_indices,
        out_values,
    )


@jit(nogil=True)
def _select_row_winners(activations, hash_length, out_indices, out_values):
    workspace = row_workspace(activations.shape[1], hash_length, activations.dtype)
    for row in range(activations.shape[0]):
        select_row(
            activations[row], hash_length, workspace, out_indices[row], out_values[row]
        )


def _select_winners_numpy(activations, hash_length, out_indices, out_values):
    """NumPy twin of :func:`_select_row_winners`: the same winners and values."""
    # A stable sort of the negated activations puts equal ones in index order.
    order = np.argsort(-activations, axis=1, kind="stable")[:, :hash_length]
    order.sort(axis=1)
    out_indices[:] = order
    out_values[:] = np.take_along_axis(activations, order, axis=1)


def select_winners(activations, hash_length, out_indices, out_values, *, compiled):
    """Winners of each row of ``activations``, compiled or in NumPy.

    Both paths follow the tie rule and write the winners sorted by index into
    ``out_indices``/``out_values``; ``compiled`` picks the path (see
    :func:`~sklearn_kexue.utils._jit.use_compiled`).
    """
    if compiled:
        _select_row_winners(activations, hash_length, out_indices, out_values)
    else:
        _select_winners_numpy(activations, hash_length, out_indices, out_values)


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
    sparse code (Dasgupta et al. 2017; Ryali et al. 2020). Each row keeps
    exactly ``hash_length`` winners.

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
    n_samples, n_units = activations.shape
    if hash_length > n_units:
        raise ValueError(
            f"hash_length={hash_length} must not exceed the number of units "
            f"(n_units={n_units})."
        )
    compiled = use_compiled(activations.size)
    if sparse_output:
        indices, values = allocate_winners(n_samples, hash_length, activations.dtype)
        select_winners(activations, hash_length, indices, values, compiled=compiled)
        return winners_to_csr(indices, values, n_units, binary=binary)
    codes = np.zeros((n_samples, n_units), dtype=activations.dtype)
    row_bytes = hash_length * (activations.itemsize + np.dtype(_INDEX_DTYPE).itemsize)
    for batch in gen_row_batches(n_samples, row_bytes):
        indices, values = allocate_winners(
            batch.stop - batch.start, hash_length, activations.dtype
        )
        select_winners(
            activations[batch], hash_length, indices, values, compiled=compiled
        )
        write_dense_winners(codes[batch], indices, values, binary=binary)
    return codes


def resolve_hash_length(hash_length, n_components):
    """The number of winners k: an int as given, a float as a fraction of units.

    A k that is not smaller than the number of units m makes every unit a
    winner: every code is all ones and carries no information. Like
    scikit-learn's ``SelectKBest`` with ``k > n_features``, which keeps every
    feature and warns, the hashers then keep all m units (``k = m``) and warn,
    rather than refuse the setting: a grid search over ``n_components`` can
    then cross ``hash_length`` without stopping.
    """
    if isinstance(hash_length, Real) and not isinstance(hash_length, Integral):
        resolved = max(1, round(hash_length * n_components))
    else:
        resolved = int(hash_length)
    if resolved >= n_components:
        warnings.warn(
            f"hash_length={hash_length} is not smaller than "
            f"n_components={n_components}: every unit wins, so every code is all "
            f"ones and carries no information. Using hash_length_={n_components}; "
            "choose a hash_length below n_components.",
            UserWarning,
            stacklevel=3,
        )
        resolved = n_components
    return resolved
