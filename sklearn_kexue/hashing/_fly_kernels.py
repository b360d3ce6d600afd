"""Compiled FlyHash projection fused with winner-take-all.

Both kernels compute, for every output unit j, the sum of the inputs it is
connected to, adding them in ascending input order, and offer the sums to
the shared winner-take-all heap. Adding an exact zero never changes a
floating-point sum, so the dense kernel (which also adds the zero inputs)
and the sparse kernel (which skips them) produce bit-identical activations
and therefore identical codes.
"""

import numba
import numpy as np

from sklearn_kexue.hashing._winner_take_all import (
    heap_offer,
    heap_store_winners,
    select_winners,
)

# Rows projected together, one SIMD lane each. It is passed to the kernel at run
# time: as a compile-time constant LLVM unrolls the lane loop into scalar code.
BLOCK_ROWS = 64


@numba.njit(cache=True, nogil=True)
def fly_winners_dense(X, connections, hash_length, block_rows, out_indices, out_values):
    """Winners of each row of dense ``X`` (C-contiguous, n_samples x n_features)."""
    n_samples, n_features = X.shape
    n_units, fan_in = connections.shape
    # The block is stored transposed so that each connection adds a contiguous
    # vector of block_rows inputs.
    block = np.zeros((n_features, block_rows), dtype=X.dtype)
    drive = np.empty(block_rows, dtype=X.dtype)
    heap_values = np.empty(block_rows * hash_length, dtype=X.dtype)
    heap_indices = np.empty(block_rows * hash_length, dtype=np.int64)
    sizes = np.zeros(block_rows, dtype=np.int64)
    for start in range(0, n_samples, block_rows):
        n_rows = min(block_rows, n_samples - start)
        for lane in range(n_rows):
            for feature in range(n_features):
                block[feature, lane] = X[start + lane, feature]
        for lane in range(n_rows, block_rows):
            for feature in range(n_features):
                block[feature, lane] = 0
        sizes[:] = 0
        for unit in range(n_units):
            drive[:] = 0
            for c in range(fan_in):
                feature = connections[unit, c]
                for lane in range(block_rows):
                    drive[lane] += block[feature, lane]
            for lane in range(n_rows):
                value = drive[lane]
                offset = lane * hash_length
                if sizes[lane] == hash_length and value <= heap_values[offset]:
                    continue
                sizes[lane] = heap_offer(
                    heap_values,
                    heap_indices,
                    offset,
                    sizes[lane],
                    hash_length,
                    value,
                    unit,
                )
        for lane in range(n_rows):
            heap_store_winners(
                heap_values,
                heap_indices,
                lane * hash_length,
                sizes[lane],
                out_indices[start + lane],
                out_values[start + lane],
            )


@numba.njit(cache=True, nogil=True)
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
    feeds, so the cost is proportional to the row's non-zeros.
    """
    n_samples = indptr.shape[0] - 1
    drive = np.zeros(n_units, dtype=data.dtype)
    heap_values = np.empty(hash_length, dtype=data.dtype)
    heap_indices = np.empty(hash_length, dtype=np.int64)
    for row in range(n_samples):
        drive[:] = 0
        for p in range(indptr[row], indptr[row + 1]):
            value = data[p]
            feature = indices[p]
            for q in range(unit_indptr[feature], unit_indptr[feature + 1]):
                drive[unit_ids[q]] += value
        select_winners(
            drive,
            hash_length,
            heap_values,
            heap_indices,
            out_indices[row],
            out_values[row],
        )


@numba.njit(cache=True, nogil=True)
def row_sums_dense(X):
    """Row sums added in ascending feature order (numpy's pairwise sum differs)."""
    sums = np.zeros(X.shape[0], dtype=X.dtype)
    for row in range(X.shape[0]):
        for feature in range(X.shape[1]):
            sums[row] += X[row, feature]
    return sums


@numba.njit(cache=True, nogil=True)
def row_sums_csr(indptr, data):
    """Row sums of canonical CSR input, bit-identical to :func:`row_sums_dense`."""
    sums = np.zeros(indptr.shape[0] - 1, dtype=data.dtype)
    for row in range(indptr.shape[0] - 1):
        for p in range(indptr[row], indptr[row + 1]):
            sums[row] += data[p]
    return sums
