"""Compiled winner-take-all with one deterministic tie rule, and its NumPy twin.

Every hasher in this package selects its winners with the routines below
(compiled hashing kernels call :func:`row_workspace` and :func:`select_row`;
Python code goes through ``_winner_take_all.select_winners``), so they all
share one rule: units are ranked by activation, largest first, and
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

import numpy as np

from sklearn_kexue.utils._jit import jit

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
def select_row_winners(activations, hash_length, out_indices, out_values):
    """Winner-take-all of every row of ``activations``, sorted by index per row."""
    workspace = row_workspace(activations.shape[1], hash_length, activations.dtype)
    for row in range(activations.shape[0]):
        select_row(
            activations[row], hash_length, workspace, out_indices[row], out_values[row]
        )


def select_row_winners_numpy(activations, hash_length, out_indices, out_values):
    """NumPy twin of :func:`select_row_winners`: the same winners and values."""
    # A stable sort of the negated activations puts equal ones in index order.
    order = np.argsort(-activations, axis=1, kind="stable")[:, :hash_length]
    order.sort(axis=1)
    out_indices[:] = order
    out_values[:] = np.take_along_axis(activations, order, axis=1)
