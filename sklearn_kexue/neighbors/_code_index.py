"""Two stores of binary codes that answer exact Hamming queries.

:class:`PackedCodes` keeps every code as ``uint64`` words, word-major within
blocks of rows, and scans them all with a popcount. :class:`PostingLists`
keeps, per block of rows and per unit, the rows whose bit is set, and counts
overlaps along a query's lists only. Both append rows in amortised constant
time per row (capacity doubles) and answer with the same numbers.
"""

import numpy as np
import scipy.sparse as sp

from sklearn_kexue.neighbors._hamming_kernels import (
    POSTING_BLOCK_ROWS,
    inverted_distances,
    inverted_top_k,
    pack_rows,
    packed_distances,
    packed_top_k,
)

__all__ = [
    "PackedCodes",
    "PostingLists",
    "bytes_as_words",
    "grown",
    "pack_bits",
    "words_for",
]

# Bytes of one database block of packed codes: small enough that a block of
# queries scans it from the second-level cache.
_PACKED_BLOCK_BYTES = 2**18


def words_for(n_bits):
    """uint64 words per code of ``n_bits`` bits."""
    return max(1, -(-n_bits // 64))


def pack_bits(bits, n_bits):
    """Pack {0, 1} rows (bool ndarray or CSR with the set columns) into words.

    Bit ``b`` goes to bit ``b % 64`` of word ``b // 64``; the unused high
    bits of the last word are 0.
    """
    n_words = words_for(n_bits)
    if sp.issparse(bits):
        words = np.zeros((bits.shape[0], n_words), dtype=np.uint64)
        pack_rows(bits.indptr, bits.indices, words)
        return words
    packed = np.packbits(bits, axis=1, bitorder="little")
    padded = np.zeros((bits.shape[0], n_words * 8), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    return padded.view("<u8").astype(np.uint64, copy=False)


def bytes_as_words(packed):
    """uint8 rows of packed bits as uint64 words (zero-padded), no unpacking.

    The bits keep numpy.packbits' order within each word: a permutation of
    the bit positions, the same for every code, so distances are unchanged.
    """
    n_words = words_for(8 * packed.shape[1])
    padded = np.zeros((packed.shape[0], n_words * 8), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    return padded.view(np.uint64)


def grown(array, n_needed, axis=0):
    """``array`` with room for ``n_needed`` along ``axis`` (doubling capacity)."""
    capacity = array.shape[axis]
    if n_needed <= capacity:
        return array
    shape = list(array.shape)
    shape[axis] = max(n_needed, 2 * capacity, 1)
    larger = np.zeros(shape, dtype=array.dtype)
    larger[tuple(slice(0, size) for size in array.shape)] = array
    return larger


class PackedCodes:
    """Codes as uint64 words, scanned with a popcount.

    Parameters
    ----------
    n_words : int
        Words per code.
    """

    def __init__(self, n_words):
        self.n_words = n_words
        # Power-of-two rows per block, at most 4096 (more gains nothing).
        rows = max(64, min(4096, _PACKED_BLOCK_BYTES // (8 * n_words)))
        self.block_rows = 1 << (rows.bit_length() - 1)
        self.blocks = np.zeros((0, n_words, self.block_rows), dtype=np.uint64)
        self.n_rows = 0

    def __len__(self):
        return self.n_rows

    @property
    def nbytes(self):
        return self.blocks[: self._n_blocks(self.n_rows)].nbytes

    def _n_blocks(self, n_rows):
        return -(-n_rows // self.block_rows)

    def add(self, words):
        """Append codes given as words, shape (n, n_words)."""
        start, stop = self.n_rows, self.n_rows + words.shape[0]
        self.blocks = grown(self.blocks, self._n_blocks(stop))
        position = start
        while position < stop:
            block, offset = divmod(position, self.block_rows)
            count = min(self.block_rows - offset, stop - position)
            chunk = words[position - start : position - start + count]
            self.blocks[block, :, offset : offset + count] = chunk.T
            position += count
        self.n_rows = stop

    def words(self, rows=slice(None)):
        """The stored codes as words, shape (n_rows, n_words)."""
        n_blocks = self._n_blocks(self.n_rows)
        rows_major = self.blocks[:n_blocks].transpose(0, 2, 1)
        return rows_major.reshape(-1, self.n_words)[: self.n_rows][rows]

    def top_k(self, queries, n_neighbors):
        """(distances int32, indices int64) of the nearest stored codes."""
        distances = np.empty((queries.shape[0], n_neighbors), dtype=np.int32)
        indices = np.empty((queries.shape[0], n_neighbors), dtype=np.int64)
        packed_top_k(queries, self.blocks, self.n_rows, distances, indices)
        return distances, indices

    def distances(self, queries):
        """All distances, int32 of shape (n_queries, n_rows)."""
        out = np.empty((queries.shape[0], self.n_rows), dtype=np.int32)
        packed_distances(queries, self.blocks, self.n_rows, out)
        return out

    def __getstate__(self):
        # Pickle the rows in use, not the spare capacity.
        state = self.__dict__.copy()
        state["blocks"] = self.blocks[: self._n_blocks(self.n_rows)].copy()
        return state


class PostingLists:
    """Codes as per-block posting lists, searched by counting overlaps.

    Parameters
    ----------
    n_units : int
        Bits per code (columns of the code matrix).
    """

    def __init__(self, n_units):
        self.n_units = n_units
        self.block_pointers = np.zeros((0, n_units + 1), dtype=np.int64)
        self.postings = np.zeros(0, dtype=np.uint16)
        self.row_weights = np.zeros(0, dtype=np.int32)
        self.n_rows = 0

    def __len__(self):
        return self.n_rows

    @property
    def n_blocks(self):
        return -(-self.n_rows // POSTING_BLOCK_ROWS)

    @property
    def n_postings(self):
        if self.n_rows == 0:
            return 0
        return int(self.block_pointers[self.n_blocks - 1, -1])

    @property
    def nbytes(self):
        return (
            self.block_pointers[: self.n_blocks].nbytes
            + 2 * self.n_postings
            + 4 * self.n_rows
        )

    def unit_counts(self):
        """How many stored codes have each unit set."""
        counts = np.zeros(self.n_units, dtype=np.int64)
        for block in range(self.n_blocks):
            counts += np.diff(self.block_pointers[block])
        return counts

    def add(self, units):
        """Append codes given as a CSR matrix of their set units."""
        # The last block may be partly filled: rebuild it with the new rows.
        first_block = self.n_rows // POSTING_BLOCK_ROWS
        kept_rows = first_block * POSTING_BLOCK_ROWS
        if kept_rows < self.n_rows:
            units = sp.vstack([self.units(slice(kept_rows, None)), units], "csr")
        start = 0 if first_block == 0 else self.block_pointers[first_block - 1, -1]
        stop_rows = kept_rows + units.shape[0]
        n_blocks = -(-stop_rows // POSTING_BLOCK_ROWS)
        self.block_pointers = grown(self.block_pointers, n_blocks)
        self.row_weights = grown(self.row_weights, stop_rows)
        self.row_weights[kept_rows:stop_rows] = np.diff(units.indptr)
        self.postings = grown(self.postings, int(start) + units.nnz)
        for block in range(first_block, n_blocks):
            local = slice(
                (block - first_block) * POSTING_BLOCK_ROWS,
                (block - first_block + 1) * POSTING_BLOCK_ROWS,
            )
            columns = units[local].tocsc()  # row indices sorted within each unit
            self.block_pointers[block] = start + columns.indptr
            stop = start + columns.nnz
            self.postings[start:stop] = columns.indices
            start = stop
        self.n_rows = stop_rows

    def units(self, rows=slice(None)):
        """The stored codes as CSR of their set units."""
        start, stop, _ = rows.indices(self.n_rows)
        pieces = []
        for block in range(start // POSTING_BLOCK_ROWS, self.n_blocks):
            pointers = self.block_pointers[block]
            n_block = min(POSTING_BLOCK_ROWS, self.n_rows - block * POSTING_BLOCK_ROWS)
            columns = sp.csc_matrix(
                (
                    np.ones(pointers[-1] - pointers[0], dtype=np.int8),
                    self.postings[pointers[0] : pointers[-1]].astype(np.int32),
                    pointers - pointers[0],
                ),
                shape=(n_block, self.n_units),
            )
            pieces.append(columns.tocsr())
        if not pieces:
            return sp.csr_matrix((0, self.n_units), dtype=np.int8)
        offset = (start // POSTING_BLOCK_ROWS) * POSTING_BLOCK_ROWS
        stacked = sp.vstack(pieces, "csr")
        stacked.sort_indices()
        return stacked[start - offset : stop - offset]

    def _kernel_arguments(self):
        return (
            self.block_pointers[: self.n_blocks],
            self.postings,
            self.row_weights,
            self.n_rows,
        )

    def top_k(self, queries, n_neighbors):
        """(distances int32, indices int64) for queries given as CSR units."""
        distances = np.empty((queries.shape[0], n_neighbors), dtype=np.int32)
        indices = np.empty((queries.shape[0], n_neighbors), dtype=np.int64)
        inverted_top_k(
            queries.indptr.astype(np.int64, copy=False),
            queries.indices.astype(np.int32, copy=False),
            *self._kernel_arguments(),
            distances,
            indices,
        )
        return distances, indices

    def distances(self, queries):
        """All distances, int32 of shape (n_queries, n_rows)."""
        out = np.empty((queries.shape[0], self.n_rows), dtype=np.int32)
        inverted_distances(
            queries.indptr.astype(np.int64, copy=False),
            queries.indices.astype(np.int32, copy=False),
            *self._kernel_arguments(),
            out,
        )
        return out

    def __getstate__(self):
        state = self.__dict__.copy()
        state["block_pointers"] = self.block_pointers[: self.n_blocks].copy()
        state["postings"] = self.postings[: self.n_postings].copy()
        state["row_weights"] = self.row_weights[: self.n_rows].copy()
        return state
