"""Compiled FlyHash projection fused with winner-take-all.

Both kernels compute, for every output unit j, the sum of the inputs it is
connected to, adding them in ascending input order, and select the winners
with the shared routines of ``_winner_take_all_kernels``. Adding an exact zero
never changes a floating-point sum, so the dense kernel (which also adds the zero
inputs) and the sparse kernel (which skips them) produce bit-identical
activations and therefore identical codes. Their NumPy twins,
:func:`fly_winners_numpy` and :func:`row_sums_numpy`, give the same results
without a compile.
"""

import numpy as np
import scipy.sparse as sp

from sklearn_kexue.hashing._simd import (
    aligned_zeros,
    vector_add,
    vector_load,
    vector_store,
    vector_zeros,
)
from sklearn_kexue.hashing._winner_take_all_kernels import (
    kth_largest,
    n_groups,
    row_workspace,
    select_from_candidates,
    select_row,
    select_row_winners_numpy,
)
from sklearn_kexue.utils._jit import jit

# Rows projected together, one SIMD lane each, in groups of LANE_GROUP (two
# eight-lane vectors: one 64-byte line of float32 per feature). A multiple of
# LANE_GROUP, passed to the kernel at run time.
BLOCK_ROWS = 64
LANE_GROUP = 16
# Above this many candidates (or groups) in a lane, rank counting across lanes
# (quadratic) costs more than selecting lane by lane.
RANK_LANES_MAX_CANDIDATES = 128


@jit(nogil=True)
def _project_block(groups, connections, activations):
    """Unit sums of a block of rows stored as lane groups.

    ``groups[g]`` holds rows ``16 g .. 16 g + 15`` of the block feature by
    feature (the 16 lanes of one feature are one 64-byte line), and
    ``activations`` is the flat C-order (n_units x block_rows) table. Two units
    are summed at a time, each in two eight-lane vectors that stay in
    registers for the whole connection loop (four independent chains of
    additions) and are stored once; every lane still adds its inputs one by
    one in ascending feature order.
    """
    n_units, fan_in = connections.shape
    n_lane_groups = groups.shape[0]
    n_lanes = n_lane_groups * LANE_GROUP
    paired = n_units - n_units % 2
    for group in range(n_lane_groups):
        lanes = groups[group]
        first_lane = group * LANE_GROUP
        for unit in range(0, paired, 2):
            low_0 = vector_zeros(lanes)
            high_0 = vector_zeros(lanes)
            low_1 = vector_zeros(lanes)
            high_1 = vector_zeros(lanes)
            for c in range(fan_in):
                offset_0 = connections[unit, c] * LANE_GROUP
                offset_1 = connections[unit + 1, c] * LANE_GROUP
                low_0 = vector_add(low_0, vector_load(lanes, offset_0))
                high_0 = vector_add(high_0, vector_load(lanes, offset_0 + 8))
                low_1 = vector_add(low_1, vector_load(lanes, offset_1))
                high_1 = vector_add(high_1, vector_load(lanes, offset_1 + 8))
            out = unit * n_lanes + first_lane
            vector_store(activations, out, low_0)
            vector_store(activations, out + 8, high_0)
            vector_store(activations, out + n_lanes, low_1)
            vector_store(activations, out + n_lanes + 8, high_1)
        for unit in range(paired, n_units):
            low_0 = vector_zeros(lanes)
            high_0 = vector_zeros(lanes)
            for c in range(fan_in):
                offset_0 = connections[unit, c] * LANE_GROUP
                low_0 = vector_add(low_0, vector_load(lanes, offset_0))
                high_0 = vector_add(high_0, vector_load(lanes, offset_0 + 8))
            out = unit * n_lanes + first_lane
            vector_store(activations, out, low_0)
            vector_store(activations, out + 8, high_0)


@jit(nogil=True)
def _count_beating(values, n_slots, slot, ranks):
    """Per lane, how many of ``values[:n_slots]`` beat ``values[slot]`` (tie rule)."""
    n_lanes = values.shape[1]
    ranks[:] = 0
    for other in range(slot):
        for lane in range(n_lanes):
            ranks[lane] += values[other, lane] >= values[slot, lane]
    for other in range(slot + 1, n_slots):
        for lane in range(n_lanes):
            ranks[lane] += values[other, lane] > values[slot, lane]


@jit(nogil=True)
def _lower_bounds(activations, hash_length, group_max, ranks, column, scratch, bounds):
    """Per-lane lower bound on the k-th largest activation (as in select_row)."""
    n_units, n_lanes = activations.shape
    n_group = group_max.shape[0]
    zero = activations.dtype.type(0)
    group_max[:] = -np.inf
    for unit in range(n_units):
        group = unit % n_group
        for lane in range(n_lanes):
            # "+ zero" keeps the store unconditional: LLVM turns a bare in-place
            # max into masked stores, which are slow.
            group_max[group, lane] = (
                max(group_max[group, lane], activations[unit, lane]) + zero
            )
    if n_group <= RANK_LANES_MAX_CANDIDATES:
        # The k-th largest group maximum is the one beaten by exactly k - 1 others.
        bounds[:] = -np.inf
        for group in range(n_group):
            _count_beating(group_max, n_group, group, ranks)
            for lane in range(n_lanes):
                kth = ranks[lane] == hash_length - 1
                bounds[lane] = max(
                    bounds[lane], group_max[group, lane] if kth else -np.inf
                )
        return
    for lane in range(n_lanes):
        for group in range(n_group):
            column[group] = group_max[group, lane]
        bounds[lane] = kth_largest(column, n_group, hash_length, scratch)


@jit(nogil=True)
def _collect_candidates(activations, bounds, n_rows, values, indices, counts):
    """Units >= the lane's bound, as (slot, lane) tables in index order.

    Returns the largest number of candidates of a lane.
    """
    counts[:] = 0
    for unit in range(activations.shape[0]):
        # Most units are no lane's candidate: a vectorised count skips them.
        n_hits = 0
        for lane in range(n_rows):
            n_hits += activations[unit, lane] >= bounds[lane]
        if n_hits == 0:
            continue
        for lane in range(n_rows):
            value = activations[unit, lane]
            if value >= bounds[lane]:
                slot = counts[lane]
                values[slot, lane] = value
                indices[slot, lane] = unit
                counts[lane] = slot + 1
    return counts[:n_rows].max()


@jit(nogil=True)
def _select_lanes_by_rank(values, counts, n_slots, n_rows, hash_length, ranks, winners):
    """Rank counting (see _winner_take_all_kernels) for every lane at once.

    Lanes with fewer candidates are padded with -inf; a padding slot comes
    after at least ``hash_length`` real candidates, so it never wins.
    """
    n_lanes = values.shape[1]
    for lane in range(n_rows):
        for slot in range(counts[lane], n_slots):
            values[slot, lane] = -np.inf
    for slot in range(n_slots):
        _count_beating(values, n_slots, slot, ranks)
        for lane in range(n_lanes):
            winners[slot, lane] = ranks[lane] < hash_length


@jit(nogil=True)
def fly_winners_dense(X, connections, hash_length, block_rows, out_indices, out_values):
    """Winners of each row of dense ``X`` (C-contiguous, n_samples x n_features)."""
    n_samples, n_features = X.shape
    n_units = connections.shape[0]
    if block_rows <= 0 or block_rows % LANE_GROUP != 0:
        raise ValueError("block_rows must be a positive multiple of 16")
    n_lane_groups = block_rows // LANE_GROUP
    # Lane groups of 16 rows, feature-major and cache-line aligned: each
    # connection of a unit reads exactly one line (see _project_block).
    groups = aligned_zeros(n_lane_groups * n_features * LANE_GROUP, X.dtype).reshape(
        (n_lane_groups, n_features * LANE_GROUP)
    )
    activations_flat = aligned_zeros(n_units * block_rows, X.dtype)
    activations = activations_flat.reshape((n_units, block_rows))
    group_max = np.empty((n_groups(n_units, hash_length), block_rows), dtype=X.dtype)
    bounds = np.empty(block_rows, dtype=X.dtype)
    candidate_values = np.empty((n_units, block_rows), dtype=X.dtype)
    candidate_indices = np.empty((n_units, block_rows), dtype=np.int32)
    counts = np.zeros(block_rows, dtype=np.int64)
    ranks = np.empty(block_rows, dtype=np.int32)
    winners = np.empty((n_units, block_rows), dtype=np.bool_)
    lane_values = np.empty(n_units, dtype=X.dtype)
    lane_indices = np.empty(n_units, dtype=np.int32)
    scratch = np.empty(n_units, dtype=X.dtype)
    for start in range(0, n_samples, block_rows):
        n_rows = min(block_rows, n_samples - start)
        for lane in range(block_rows):
            group = lane // LANE_GROUP
            slot = lane % LANE_GROUP
            if lane < n_rows:
                for feature in range(n_features):
                    groups[group, feature * LANE_GROUP + slot] = X[
                        start + lane, feature
                    ]
            else:
                for feature in range(n_features):
                    groups[group, feature * LANE_GROUP + slot] = 0
        _project_block(groups, connections, activations_flat)
        _lower_bounds(
            activations, hash_length, group_max, ranks, lane_values, scratch, bounds
        )
        n_slots = _collect_candidates(
            activations, bounds, n_rows, candidate_values, candidate_indices, counts
        )
        if n_slots <= RANK_LANES_MAX_CANDIDATES:
            _select_lanes_by_rank(
                candidate_values, counts, n_slots, n_rows, hash_length, ranks, winners
            )
            for lane in range(n_rows):
                position = 0
                for slot in range(counts[lane]):
                    if winners[slot, lane]:
                        out_indices[start + lane, position] = candidate_indices[
                            slot, lane
                        ]
                        out_values[start + lane, position] = candidate_values[
                            slot, lane
                        ]
                        position += 1
            continue
        for lane in range(n_rows):  # many ties: select lane by lane
            for slot in range(counts[lane]):
                lane_values[slot] = candidate_values[slot, lane]
                lane_indices[slot] = candidate_indices[slot, lane]
            select_from_candidates(
                lane_values,
                lane_indices,
                counts[lane],
                hash_length,
                scratch,
                out_indices[start + lane],
                out_values[start + lane],
            )


@jit(nogil=True)
def fly_winners_csr(
    indptr,
    indices,
    data,
    unit_indptr,
    unit_ids,
    n_units,
    hash_length,
    out_indices,
    out_values,
):
    """Winners of each row of canonical CSR input (sorted, no duplicates).

    ``unit_indptr``/``unit_ids`` list, for every input feature, the units it
    feeds, so the projection costs time proportional to the row's non-zeros.
    """
    n_samples = indptr.shape[0] - 1
    drive = np.zeros(n_units, dtype=data.dtype)
    workspace = row_workspace(n_units, hash_length, data.dtype)
    for row in range(n_samples):
        drive[:] = 0
        for p in range(indptr[row], indptr[row + 1]):
            value = data[p]
            feature = indices[p]
            for q in range(unit_indptr[feature], unit_indptr[feature + 1]):
                drive[unit_ids[q]] += value
        select_row(drive, hash_length, workspace, out_indices[row], out_values[row])


@jit(nogil=True)
def row_sums_dense(X):
    """Row sums added in ascending feature order (numpy's pairwise sum differs)."""
    sums = np.zeros(X.shape[0], dtype=X.dtype)
    for row in range(X.shape[0]):
        for feature in range(X.shape[1]):
            sums[row] += X[row, feature]
    return sums


@jit(nogil=True)
def row_sums_csr(indptr, data):
    """Row sums of canonical CSR input, bit-identical to :func:`row_sums_dense`."""
    sums = np.zeros(indptr.shape[0] - 1, dtype=data.dtype)
    for row in range(indptr.shape[0] - 1):
        for p in range(indptr[row], indptr[row + 1]):
            sums[row] += data[p]
    return sums


def fly_winners_numpy(X_batch, projection, hash_length, out_indices, out_values):
    """NumPy twin of :func:`fly_winners_dense` and :func:`fly_winners_csr`.

    ``projection`` is the connections as a CSR matrix of shape (n_units,
    n_features) and ``X_batch`` a canonical batch (C-contiguous, or CSR
    sorted without duplicates). The sparse products add each unit's inputs in
    ascending feature order, as the kernels do: the same sums, bit for bit.
    """
    activations = X_batch @ projection.T
    if sp.issparse(activations):
        activations = activations.toarray()
    select_row_winners_numpy(activations, hash_length, out_indices, out_values)


def row_sums_numpy(X_batch):
    """NumPy twin of :func:`row_sums_dense` and :func:`row_sums_csr`."""
    if sp.issparse(X_batch):
        # A CSR matrix-vector product adds each row's entries in index order.
        return X_batch @ np.ones(X_batch.shape[1], dtype=X_batch.dtype)
    # cumsum adds strictly left to right (sum() is pairwise); + 0 makes -0.0 +0.0.
    return np.cumsum(X_batch, axis=1)[:, -1] + 0
