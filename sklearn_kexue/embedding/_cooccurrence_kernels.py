"""Compiled loops of the co-occurrence vectorizer: windowed pair counts per row.

A segment (one document, or a whole batch for the corpus total) is grouped by
centre word with a stable sort, and its distinct words get local ids in the
order of their global ids. Each centre word's neighbours are accumulated into
a dense scratch vector indexed by local id, whose non-zero slots are marked in
a two-level bitmap; reading the bitmap emits the row already sorted, so no
sort over pair keys (or over each row's neighbours) is needed.
"""

import numpy as np
import scipy.sparse as sp

from sklearn_kexue.utils._jit import jit

try:  # LLVM's cttz; the de Bruijn fallback below is for numba builds without it.
    from numba.cpython.unsafe.numbers import trailing_zeros
except ImportError:  # pragma: no cover
    _DE_BRUIJN = np.int64(0x03F79D71B4CB0A89)
    _DE_BRUIJN_TABLE = np.array(
        [
            0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4,
            62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
            63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
            46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
        ],
        dtype=np.int64,
    )  # fmt: skip

    @jit
    def trailing_zeros(word):
        lowest = word & -word
        return _DE_BRUIJN_TABLE[((lowest * _DE_BRUIJN) >> 58) & 63]


# Grouping sorts runs of this many positions by insertion, then merges them.
_INSERTION_SORT_MAX = 32
# A segment at least n_words / _COUNTING_SORT_RATIO long is grouped by counting sort.
_COUNTING_SORT_RATIO = 4


@jit
def _group_by_word(ids, start, stop, scratch, order, buffer):
    """Write positions start..stop-1 into order[start:stop], stably sorted by id.

    ``scratch`` (length n_words, all zero) may be used and is left all zero;
    ``buffer`` (as long as ``order``) is workspace.
    """
    length = stop - start
    n_words = scratch.shape[0]
    if length * _COUNTING_SORT_RATIO >= n_words and length > _INSERTION_SORT_MAX:
        for position in range(start, stop):
            scratch[ids[position]] += 1
        total = 0
        for word in range(n_words):
            count = scratch[word]
            scratch[word] = total
            total += count
        for position in range(start, stop):
            word = ids[position]
            order[start + scratch[word]] = position
            scratch[word] += 1
        for word in range(n_words):
            scratch[word] = 0
        return
    # Insertion sort of runs of _INSERTION_SORT_MAX, then bottom-up merges; a
    # strict comparison keeps equal ids in position order (stable).
    for run_start in range(start, stop, _INSERTION_SORT_MAX):
        run_stop = min(run_start + _INSERTION_SORT_MAX, stop)
        for position in range(run_start, run_stop):
            word = ids[position]
            slot = position
            while slot > run_start and ids[order[slot - 1]] > word:
                order[slot] = order[slot - 1]
                slot -= 1
            order[slot] = position
    width = _INSERTION_SORT_MAX
    source = order
    target = buffer
    in_buffer = False
    while width < length:
        for left in range(start, stop, 2 * width):
            middle = min(left + width, stop)
            right = min(left + 2 * width, stop)
            i = left
            j = middle
            for k in range(left, right):
                if j >= right or (i < middle and ids[source[i]] <= ids[source[j]]):
                    target[k] = source[i]
                    i += 1
                else:
                    target[k] = source[j]
                    j += 1
        source, target = target, source
        in_buffer = not in_buffer
        width *= 2
    if in_buffer:
        for k in range(start, stop):
            order[k] = buffer[k]


@jit
def _grow(array, needed):
    """A copy of ``array`` with room for at least ``needed`` items."""
    capacity = max(2 * array.shape[0], needed)
    grown = np.empty(capacity, dtype=array.dtype)
    # An explicit loop: slice assignment costs seconds of compilation.
    for k in range(array.shape[0]):
        grown[k] = array[k]
    return grown


@jit
def _document_runs(ids, doc_offsets, scratch, order, buffer):
    """Each document's distinct words, as one position of each and its count."""
    n_documents = doc_offsets.shape[0] - 1
    n_tokens = ids.shape[0]
    for document in range(n_documents):
        _group_by_word(
            ids,
            doc_offsets[document],
            doc_offsets[document + 1],
            scratch,
            order,
            buffer,
        )
    run_positions = np.empty(n_tokens, dtype=np.int64)
    run_counts = np.empty(n_tokens, dtype=np.int64)
    run_offsets = np.empty(n_documents + 1, dtype=np.int64)
    run_offsets[0] = 0
    n_runs = 0
    for document in range(n_documents):
        stop = doc_offsets[document + 1]
        k = doc_offsets[document]
        while k < stop:
            word = ids[order[k]]
            end = k
            while end < stop and ids[order[end]] == word:
                end += 1
            run_positions[n_runs] = order[k]
            run_counts[n_runs] = end - k
            n_runs += 1
            k = end
        run_offsets[document + 1] = n_runs
    return run_positions, run_counts, run_offsets


@jit
def count_pairs(ids, doc_offsets, n_words, window, per_document, index_template):
    """Windowed co-occurrence counts of documents of word ids, as CSR parts.

    Parameters
    ----------
    ids : int32 array of shape (n_tokens,)
        Word ids in ``[0, n_words)``, documents concatenated (no OOV left).
    doc_offsets : int64 array of shape (n_documents + 1,)
        Document ``d`` is ``ids[doc_offsets[d]:doc_offsets[d + 1]]``.
    n_words : int
        Vocabulary size V.
    window : int
        Largest distance of a counted pair; 0 or less counts all pairs of a
        document.
    per_document : bool
        True: one row per document, columns ``i * V + j``. False: the sum over
        documents as V rows (centre word i) of V columns (neighbour j).
    index_template : array of length 0
        Its dtype (int32 or int64) is that of the returned indices.

    Returns
    -------
    indptr : int64 array
    indices : array of index_template's dtype
    data : float64 array
        The CSR parts, valid up to ``n_stored`` (the buffers may be longer);
        the diagonal entry (i, i) holds the count of word i, pairs of a word
        with itself are not counted.
    n_stored : int
        Number of stored entries.
    """
    n_tokens = ids.shape[0]
    n_documents = doc_offsets.shape[0] - 1
    scratch = np.zeros(n_words, dtype=np.int64)
    # Bit j of words[j >> 6] marks a non-zero scratch[j]; bit w of blocks[w >> 6]
    # marks a non-zero words[w].
    words = np.zeros((n_words + 63) // 64, dtype=np.int64)
    blocks = np.zeros((words.shape[0] + 63) // 64, dtype=np.int64)
    order = np.empty(n_tokens, dtype=np.int64)
    buffer = np.empty(n_tokens, dtype=np.int64)
    local_ids = np.empty(n_tokens, dtype=np.int32)
    global_ids = np.empty(n_words, dtype=np.int64)
    position_document = np.empty(n_tokens, dtype=np.int64)
    for document in range(n_documents):
        for position in range(doc_offsets[document], doc_offsets[document + 1]):
            position_document[position] = document

    whole_documents = window <= 0
    if whole_documents:
        run_positions, run_counts, run_offsets = _document_runs(
            ids, doc_offsets, scratch, order, buffer
        )
        most_entries = 0
        for document in range(n_documents):
            n_distinct = run_offsets[document + 1] - run_offsets[document]
            most_entries += n_distinct * n_distinct
    else:
        run_positions = np.empty(0, dtype=np.int64)
        run_counts = np.empty(0, dtype=np.int64)
        run_offsets = np.empty(1, dtype=np.int64)
        most_entries = n_tokens * (2 * window + 1)
    # A first guess (per-document rows hold ~14 entries a token at window 10 on
    # English, the total far fewer); the buffers grow when it falls short.
    if per_document:
        capacity = 16 + min(most_entries, 16 * n_tokens)
    else:
        capacity = 16 + min(most_entries, 4 * n_tokens, n_words * n_words)
    indices = np.empty(capacity, dtype=index_template.dtype)
    # One data type keeps compilation to two signatures; float32 is a cast after.
    data = np.empty(capacity, dtype=np.float64)

    if per_document:
        n_rows = n_documents
        n_segments = n_documents
    else:
        n_rows = n_words
        n_segments = 1
    row_lengths = np.zeros(n_rows, dtype=np.int64)
    n_stored = 0

    for segment in range(n_segments):
        if per_document:
            segment_start = doc_offsets[segment]
            segment_stop = doc_offsets[segment + 1]
        else:
            segment_start = 0
            segment_stop = n_tokens
        _group_by_word(ids, segment_start, segment_stop, scratch, order, buffer)
        # Local ids rank the segment's distinct words in global id order.
        n_local = 0
        for k in range(segment_start, segment_stop):
            word = ids[order[k]]
            if k == segment_start or word != ids[order[k - 1]]:
                global_ids[n_local] = word
                n_local += 1
            local_ids[order[k]] = n_local - 1
        n_blocks = (n_local + 4095) // 4096

        k = segment_start
        while k < segment_stop:
            centre = local_ids[order[k]]
            end = k
            while end < segment_stop and local_ids[order[end]] == centre:
                end += 1
            if whole_documents:
                t = k
                while t < end:
                    document = position_document[order[t]]
                    multiplicity = 0
                    while t < end and position_document[order[t]] == document:
                        multiplicity += 1
                        t += 1
                    for run in range(run_offsets[document], run_offsets[document + 1]):
                        neighbour = local_ids[run_positions[run]]
                        scratch[neighbour] += multiplicity * run_counts[run]
                        words[neighbour >> 6] |= np.int64(1) << (neighbour & 63)
                        blocks[neighbour >> 12] |= np.int64(1) << (
                            (neighbour >> 6) & 63
                        )
            else:
                for t in range(k, end):
                    position = order[t]
                    document = position_document[position]
                    low = max(doc_offsets[document], position - window)
                    high = min(doc_offsets[document + 1], position + window + 1)
                    # Branch-free: setting a bit twice is harmless, and the
                    # centre's own slot (self pairs) is overwritten below.
                    for other in range(low, high):
                        neighbour = local_ids[other]
                        scratch[neighbour] += 1
                        words[neighbour >> 6] |= np.int64(1) << (neighbour & 63)
                        blocks[neighbour >> 12] |= np.int64(1) << (
                            (neighbour >> 6) & 63
                        )
            # The diagonal holds the unigram count (not self pairs), in its sorted
            # place.
            scratch[centre] = end - k
            words[centre >> 6] |= np.int64(1) << (centre & 63)
            blocks[centre >> 12] |= np.int64(1) << ((centre >> 6) & 63)

            # The most entries this row can have.
            most = n_local
            if not whole_documents:
                most = min(n_local, (end - k) * 2 * window + 1)
            if n_stored + most > indices.shape[0]:
                indices = _grow(indices, n_stored + most)
                data = _grow(data, n_stored + most)
            row_start = n_stored
            offset = global_ids[centre] * n_words if per_document else 0
            for block in range(n_blocks):
                block_bits = blocks[block]
                blocks[block] = 0
                while block_bits != 0:
                    word_index = block * 64 + trailing_zeros(block_bits)
                    block_bits &= block_bits - 1
                    word_bits = words[word_index]
                    words[word_index] = 0
                    while word_bits != 0:
                        neighbour = word_index * 64 + trailing_zeros(word_bits)
                        word_bits &= word_bits - 1
                        indices[n_stored] = offset + global_ids[neighbour]
                        data[n_stored] = scratch[neighbour]
                        scratch[neighbour] = 0
                        n_stored += 1
            if per_document:
                row_lengths[segment] += n_stored - row_start
            else:
                row_lengths[global_ids[centre]] = n_stored - row_start
            k = end

    indptr = np.empty(n_rows + 1, dtype=np.int64)
    indptr[0] = 0
    for row in range(n_rows):
        indptr[row + 1] = indptr[row] + row_lengths[row]
    return indptr, indices, data, n_stored


def count_pairs_numpy(ids, doc_offsets, n_words, window, per_document, index_template):
    """NumPy twin of :func:`count_pairs`: the same CSR parts, without a compile.

    Each distance ``1 .. window`` (the longest document for ``window <= 0``)
    pairs every position with the one that far ahead in the same document;
    both orders of each pair of distinct words add 1, and each position adds 1
    to its word's diagonal. Costs memory proportional to the pairs, so it
    serves the small batches that do not pay for compiling the kernel.
    """
    lengths = np.diff(doc_offsets)
    documents = np.repeat(np.arange(lengths.shape[0]), lengths)
    reach = window if window > 0 else int(lengths.max(initial=0))
    centres, neighbours, owners = [ids], [ids], [documents]  # the diagonal
    for distance in range(1, min(reach, max(ids.shape[0] - 1, 0)) + 1):
        same = documents[distance:] == documents[:-distance]
        left, right = ids[:-distance][same], ids[distance:][same]
        apart = left != right  # pairs of a word with itself are not counted
        left, right = left[apart], right[apart]
        owner = documents[distance:][same][apart]
        centres += [left, right]
        neighbours += [right, left]
        owners += [owner, owner]
    centre = np.concatenate(centres).astype(np.int64)
    neighbour = np.concatenate(neighbours).astype(np.int64)
    if per_document:
        rows, columns = np.concatenate(owners), centre * n_words + neighbour
        shape = (lengths.shape[0], n_words * n_words)
    else:
        rows, columns, shape = centre, neighbour, (n_words, n_words)
    counts = sp.coo_array((np.ones(rows.shape[0]), (rows, columns)), shape=shape)
    counts = counts.tocsr()
    counts.sum_duplicates()
    return (
        counts.indptr.astype(np.int64),
        counts.indices.astype(index_template.dtype),
        counts.data,
        counts.nnz,
    )
