"""Compiled Hamming search kernels: a packed popcount scan and an inverted index.

Both return, for each query, the ``n_neighbors`` smallest (distance, row)
pairs in lexicographic order: ties go to the lower row index, as in faiss's
``IndexBinaryFlat``. Rows are visited in increasing index order and a row
enters a query's bounded max-heap only when strictly closer than its worst
entry, which is what makes that tie rule hold without comparing indices.

Packed codes are ``uint64`` words (bit b of a code is bit ``b % 64`` of word
``b // 64``; unused high bits are 0 in every code, so they never differ).
The inverted index stores, for each block of ``POSTING_BLOCK_ROWS`` rows and
each unit, the block-local indices (``uint16``) of the rows whose bit is set:
the block's accumulator of overlaps then stays in the first-level cache while
the query's posting lists are read.
"""

import numpy as np
from numba import types
from numba.extending import intrinsic

from sklearn_kexue.utils._jit import jit

__all__ = [
    "POSTING_BLOCK_ROWS",
    "inverted_distances",
    "inverted_top_k",
    "pack_rows",
    "packed_distances",
    "packed_top_k",
]

# Rows per posting block: local indices fit uint16, and the int32 overlap
# accumulator (64 KiB) fits the first-level data cache of current x86 cores.
POSTING_BLOCK_ROWS = 2**14
# Queries that scan one database block while it stays in cache.
_QUERY_BLOCK = 32
_EMPTY_DISTANCE = np.iinfo(np.int32).max
_EMPTY_INDEX = np.iinfo(np.int64).max


@intrinsic
def _popcount(typingctx, word):
    """The number of set bits of a uint64 (LLVM's ctpop: one instruction)."""
    if word != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


@jit(nogil=True)
def _sift_down(distances, indices, size):
    """Restore the max-heap on (distance, index) after its root changed."""
    parent = 0
    while True:
        child = 2 * parent + 1
        if child >= size:
            return
        right = child + 1
        if right < size and (
            distances[right] > distances[child]
            or (
                distances[right] == distances[child] and indices[right] > indices[child]
            )
        ):
            child = right
        if distances[child] < distances[parent] or (
            distances[child] == distances[parent] and indices[child] <= indices[parent]
        ):
            return
        distances[parent], distances[child] = distances[child], distances[parent]
        indices[parent], indices[child] = indices[child], indices[parent]
        parent = child


@jit(nogil=True)
def _sort_heap(distances, indices):
    """Sort a max-heap in place into increasing (distance, index) order."""
    for end in range(distances.shape[0] - 1, 0, -1):
        distances[0], distances[end] = distances[end], distances[0]
        indices[0], indices[end] = indices[end], indices[0]
        _sift_down(distances, indices, end)


@jit(nogil=True)
def _start_heaps(distances, indices):
    distances[:] = _EMPTY_DISTANCE
    indices[:] = _EMPTY_INDEX


@jit(nogil=True)
def _score_block(query, block, scores):
    """Hamming distances of a query to every row of a word-major block.

    ``block[w, r]`` is word w of row r, so each pass reads one contiguous
    run of words: the compiler turns it into vector XOR and popcount.
    """
    n_words, block_rows = block.shape
    first = query[0]
    words = block[0]
    for r in range(block_rows):
        scores[r] = _popcount(first ^ words[r])
    for w in range(1, n_words):
        word = query[w]
        words = block[w]
        for r in range(block_rows):
            scores[r] += _popcount(word ^ words[r])


@jit(nogil=True)
def _push_block(scores, n_valid, row_start, heap_distances, heap_indices):
    """Offer a block's rows, in increasing order, to one query's heap."""
    worst = heap_distances[0]
    lowest = worst
    for r in range(n_valid):
        lowest = min(lowest, scores[r])
    if lowest >= worst:  # the common case once the heap holds close rows
        return
    n_neighbors = heap_distances.shape[0]
    for r in range(n_valid):
        if scores[r] < worst:
            heap_distances[0] = scores[r]
            heap_indices[0] = row_start + r
            _sift_down(heap_distances, heap_indices, n_neighbors)
            worst = heap_distances[0]


@jit(nogil=True)
def packed_top_k(queries, blocks, n_rows, distances, indices):
    """The ``distances.shape[1]`` nearest of ``n_rows`` codes stored in blocks.

    Parameters
    ----------
    queries : ndarray of uint64, shape (n_queries, n_words)
    blocks : ndarray of uint64, shape (n_blocks, n_words, block_rows)
        Row ``b * block_rows + r`` is ``blocks[b, :, r]``; rows from
        ``n_rows`` on are spare capacity.
    n_rows : int
    distances : ndarray of int32, shape (n_queries, n_neighbors)
        Output: Hamming distances, increasing along each row.
    indices : ndarray of int64, shape (n_queries, n_neighbors)
        Output: database rows, ties in increasing order.
    """
    n_queries = queries.shape[0]
    block_rows = blocks.shape[2]
    _start_heaps(distances, indices)
    scores = np.empty(block_rows, dtype=np.int64)
    # A block of queries reads each database block while it is in cache.
    for query_start in range(0, n_queries, _QUERY_BLOCK):
        query_stop = min(query_start + _QUERY_BLOCK, n_queries)
        for b in range(blocks.shape[0]):
            row_start = b * block_rows
            n_valid = min(block_rows, n_rows - row_start)
            if n_valid <= 0:
                break
            for q in range(query_start, query_stop):
                _score_block(queries[q], blocks[b], scores)
                _push_block(scores, n_valid, row_start, distances[q], indices[q])
    for q in range(n_queries):
        _sort_heap(distances[q], indices[q])


@jit(nogil=True)
def packed_distances(queries, blocks, n_rows, out):
    """All Hamming distances: ``out[q, r]`` for the ``n_rows`` stored rows."""
    block_rows = blocks.shape[2]
    scores = np.empty(block_rows, dtype=np.int64)
    for b in range(blocks.shape[0]):
        row_start = b * block_rows
        n_valid = min(block_rows, n_rows - row_start)
        if n_valid <= 0:
            break
        for q in range(queries.shape[0]):
            _score_block(queries[q], blocks[b], scores)
            for r in range(n_valid):
                out[q, row_start + r] = scores[r]


@jit(nogil=True)
def pack_rows(indptr, indices, out):
    """Set the bits of CSR rows (column indices) in zeroed uint64 words."""
    one = np.uint64(1)
    for row in range(indptr.shape[0] - 1):
        for p in range(indptr[row], indptr[row + 1]):
            column = indices[p]
            out[row, column >> 6] |= one << np.uint64(column & 63)


@jit(nogil=True)
def _accumulate_block(
    block, query_units, block_pointers, postings, overlaps, n_block_units
):
    """Add 1 to the overlap of every block row in a query unit's posting list."""
    for u in range(query_units.shape[0]):
        unit = query_units[u]
        if unit >= n_block_units:
            continue
        start = block_pointers[block, unit]
        stop = block_pointers[block, unit + 1]
        for p in range(start, stop):
            overlaps[postings[p]] += 1


@jit(nogil=True)
def inverted_top_k(
    query_pointers,
    query_units,
    block_pointers,
    postings,
    row_weights,
    n_rows,
    distances,
    indices,
):
    """The nearest codes by counting overlaps along the query's posting lists.

    The Hamming distance of a query with weight |q| to a row with weight |x|
    is ``|q| + |x| - 2 * overlap``; every row is scored, touched or not, so
    the result is the exact top-k for any binary codes.

    Parameters
    ----------
    query_pointers, query_units : ndarray of int64 and int32
        The queries' active units in CSR form (row pointers, unit indices).
    block_pointers : ndarray of int64, shape (n_blocks, n_units + 1)
        Start of each (block, unit) posting list in ``postings``.
    postings : ndarray of uint16
        Block-local row indices, increasing within each list.
    row_weights : ndarray of int32, shape (>= n_rows,)
        Number of ones of each database code.
    n_rows : int
    distances, indices : ndarrays of int32 and int64, (n_queries, n_neighbors)
        Outputs, as in :func:`packed_top_k`.
    """
    _start_heaps(distances, indices)
    overlaps = np.zeros(POSTING_BLOCK_ROWS, dtype=np.int32)
    scores = np.empty(POSTING_BLOCK_ROWS, dtype=np.int64)
    for q in range(query_pointers.shape[0] - 1):
        units = query_units[query_pointers[q] : query_pointers[q + 1]]
        for block in range(block_pointers.shape[0]):
            row_start = block * POSTING_BLOCK_ROWS
            n_block = _score_posting_block(
                block,
                units,
                block_pointers,
                postings,
                row_weights,
                n_rows,
                overlaps,
                scores,
            )
            _push_block(scores, n_block, row_start, distances[q], indices[q])
        _sort_heap(distances[q], indices[q])


@jit(nogil=True)
def _score_posting_block(
    block, units, block_pointers, postings, row_weights, n_rows, overlaps, scores
):
    """Distances ``|q| + |x| - 2 overlap`` of one block's rows to a query.

    Returns the block's number of rows; leaves ``overlaps`` cleared.
    """
    row_start = block * POSTING_BLOCK_ROWS
    n_block = min(POSTING_BLOCK_ROWS, n_rows - row_start)
    _accumulate_block(
        block, units, block_pointers, postings, overlaps, block_pointers.shape[1] - 1
    )
    query_weight = units.shape[0]
    for r in range(n_block):
        scores[r] = query_weight + row_weights[row_start + r] - 2 * overlaps[r]
        overlaps[r] = 0
    return n_block


@jit(nogil=True)
def inverted_distances(
    query_pointers, query_units, block_pointers, postings, row_weights, n_rows, out
):
    """All Hamming distances from posting lists: ``out[q, r]``."""
    overlaps = np.zeros(POSTING_BLOCK_ROWS, dtype=np.int32)
    scores = np.empty(POSTING_BLOCK_ROWS, dtype=np.int64)
    for q in range(query_pointers.shape[0] - 1):
        units = query_units[query_pointers[q] : query_pointers[q + 1]]
        for block in range(block_pointers.shape[0]):
            row_start = block * POSTING_BLOCK_ROWS
            n_block = _score_posting_block(
                block,
                units,
                block_pointers,
                postings,
                row_weights,
                n_rows,
                overlaps,
                scores,
            )
            out[q, row_start : row_start + n_block] = scores[:n_block]
