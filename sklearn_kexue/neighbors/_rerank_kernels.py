"""Exact distances between queries and their candidate rows, dense or CSR.

Every sum runs over the features in increasing index order, one term at a
time; a term that is an exact zero (a feature absent from both rows of a
sparse pair) leaves a floating-point sum unchanged, so dense and sparse
containers of the same values give bit-identical distances, and ties in the
re-ranking are broken identically.
"""

import math

from sklearn_kexue.utils._jit import jit

__all__ = [
    "COSINE",
    "EUCLIDEAN",
    "INNER_PRODUCT",
    "dense_distances",
    "sparse_distances",
]

EUCLIDEAN, COSINE, INNER_PRODUCT = 0, 1, 2


@jit(nogil=True)
def _finish(metric, scale, squared_difference, dot, query_norm, row_norm):
    if metric == EUCLIDEAN:
        return math.sqrt(squared_difference)
    if metric == INNER_PRODUCT:
        return -dot
    norms = math.sqrt(query_norm) * math.sqrt(row_norm)
    if norms == 0.0:
        return 1.0  # a zero vector is at cosine distance 1 from everything
    return min(2.0, max(0.0, 1.0 - dot / norms))


@jit(nogil=True)
def dense_distances(queries, vectors, candidates, metric, scale, out):
    """``out[q, c]``: ``metric`` from ``queries[q]`` to row ``candidates[q, c]``."""
    n_features = queries.shape[1]
    for q in range(candidates.shape[0]):
        query = queries[q]
        query_norm = 0.0
        for j in range(n_features):
            query_norm += (scale * query[j]) * (scale * query[j])
        for c in range(candidates.shape[1]):
            row = vectors[candidates[q, c]]
            squared_difference = 0.0
            dot = 0.0
            row_norm = 0.0
            for j in range(n_features):
                x = scale * row[j]
                y = scale * query[j]
                squared_difference += (x - y) * (x - y)
                dot += x * y
                row_norm += x * x
            out[q, c] = _finish(
                metric, scale, squared_difference, dot, query_norm, row_norm
            )


@jit(nogil=True)
def sparse_distances(
    query_pointers,
    query_indices,
    query_data,
    pointers,
    indices,
    data,
    candidates,
    metric,
    scale,
    out,
):
    """As :func:`dense_distances`, for CSR queries and rows (sorted indices)."""
    for q in range(candidates.shape[0]):
        q_start, q_stop = query_pointers[q], query_pointers[q + 1]
        query_norm = 0.0
        for p in range(q_start, q_stop):
            query_norm += (scale * query_data[p]) * (scale * query_data[p])
        for c in range(candidates.shape[1]):
            row = candidates[q, c]
            a, a_stop = q_start, q_stop
            b, b_stop = pointers[row], pointers[row + 1]
            squared_difference = 0.0
            dot = 0.0
            row_norm = 0.0
            # Merge the two sorted index lists: one term per feature present.
            while a < a_stop or b < b_stop:
                if b >= b_stop or (a < a_stop and query_indices[a] < indices[b]):
                    y = scale * query_data[a]
                    squared_difference += y * y
                    a += 1
                elif a >= a_stop or indices[b] < query_indices[a]:
                    x = scale * data[b]
                    squared_difference += x * x
                    row_norm += x * x
                    b += 1
                else:
                    x = scale * data[b]
                    y = scale * query_data[a]
                    squared_difference += (x - y) * (x - y)
                    dot += x * y
                    row_norm += x * x
                    a += 1
                    b += 1
            out[q, c] = _finish(
                metric, scale, squared_difference, dot, query_norm, row_norm
            )
