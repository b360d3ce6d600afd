"""Exact nearest neighbours of binary codes under the Hamming distance."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Options
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue.neighbors._base import (
    check_flag,
    check_mode,
    check_n_neighbors,
    check_n_neighbors_argument,
    check_radius_argument,
    drop_self,
    neighbors_graph,
    query_batches,
    radius_graph,
    without_nested_validation,
)
from sklearn_kexue.neighbors._code_index import (
    PackedCodes,
    PostingLists,
    bytes_as_words,
    pack_bits,
    words_for,
)
from sklearn_kexue.utils._data_constraints import Given, InputData
from sklearn_kexue.utils._param_validation import N_JOBS, Interval, StrOptions
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._validation import validate_input_data

__all__ = ["HammingNeighbors"]

# Per-query cost model of the two search paths, in nanoseconds per stored row,
# fitted to timings on one core (docs/benchmarks.rst, "Hamming search"): the
# packed scan reads every word; the inverted index scores every row and
# touches each posting of the query's units.
_PACKED_NS_PER_ROW = 0.1
_PACKED_NS_PER_WORD = 0.14
_INVERTED_NS_PER_ROW = 0.83
_INVERTED_NS_PER_POSTING = 1.7


def inverted_index_pays(n_rows, n_bits, unit_counts):
    """Whether posting lists answer a query faster than the packed scan.

    A query drawn like the stored codes has unit j set with probability
    ``c_j / n`` and then reads its ``c_j`` postings: ``sum(c_j**2) / n``
    postings in expectation, ``n k**2 / m`` for codes with k of m bits set.
    """
    if n_rows == 0:
        return False
    postings = float(np.sum(np.square(unit_counts, dtype=np.float64))) / n_rows
    packed = n_rows * (_PACKED_NS_PER_ROW + _PACKED_NS_PER_WORD * words_for(n_bits))
    inverted = n_rows * _INVERTED_NS_PER_ROW + postings * _INVERTED_NS_PER_POSTING
    return inverted < packed


class HammingNeighbors(DocLinkMixin, BaseEstimator):
    r"""Exact nearest neighbours of binary codes under the Hamming distance.

    The codes of :class:`~sklearn_kexue.FlyHashTransformer`,
    :class:`~sklearn_kexue.BioHashTransformer` and
    :class:`~sklearn_kexue.SignRandomProjection` are searched as bits, not as
    floats: each code is packed into 64-bit words and compared with a
    compiled XOR-and-popcount scan, blocked so that a block of queries reads
    each block of stored codes from cache. Sparse winner-take-all codes (k
    ones among m units) are searched instead through posting lists (an
    inverted index) when that reads less memory: the overlap of a query with
    every stored code is counted from the k lists of its active units. Both
    paths give the same, exact answer.

    Read more in the :ref:`User Guide <hamming_neighbors>`.

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours :meth:`kneighbors` returns by default.

    radius : float, default=1.0
        Largest Hamming distance (a number of differing bits) that
        :meth:`radius_neighbors` returns by default.

    algorithm : {"auto", "packed", "inverted_index"}, default="auto"
        How the codes are stored and searched. "packed" scans every code's
        words with a popcount: about ``n * m / 64`` word operations per query
        for m-bit codes. "inverted_index" keeps, per unit, the rows that have
        it set, and counts a query's overlaps along its active units' lists:
        about ``n * k**2 / m`` postings for codes with k of m bits set, plus
        one pass over every row's overlap count. "auto" estimates both costs
        from the fitted codes' unit counts (as if queries were drawn like
        them) and takes the cheaper: the inverted index for sparse
        winner-take-all codes with m over about 30 k (FlyHash with m = 2000,
        k = 32), the packed scan for dense codes (sign random projection).
        The choice is made in :meth:`fit` and kept by :meth:`partial_fit`.

    binarize : float or None, default=0.0
        Threshold that turns input values into bits: a value above it is a
        1, as in :class:`~sklearn.naive_bayes.BernoulliNB`. The hashers'
        {0, 1} codes are unchanged by the default. With None, the input
        must already be binary (0 and 1 only; anything else raises).
        Ignored when ``packed_input=True``. A negative threshold is refused
        for sparse input (its zeros would all become ones).

    packed_input : bool, default=False
        If True, the input rows are bits already packed into ``uint8`` bytes
        (eight bits per column, as :func:`numpy.packbits` and
        ``SignRandomProjection(packed_output=True)`` give), and the codes have
        ``8 * n_features`` bits.

    n_jobs : int, default=None
        Threads that answer queries, each a batch of queries (the compiled
        kernels release the GIL). Results do not depend on it. ``None``
        means 1 unless in a :func:`joblib.parallel_config` context; ``-1``
        means all processors.

    Attributes
    ----------
    n_samples_fit_ : int
        Number of stored codes.

    n_bits_ : int
        Bits per code: ``n_features_in_``, or ``8 * n_features_in_`` with
        ``packed_input=True``.

    fit_method_ : {"packed", "inverted_index"}
        The search path in use.

    index_bytes_ : int
        Memory held by the stored codes, in bytes.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    HashingNeighborsTransformer : Approximate neighbours of real vectors
        through hash codes, re-ranked exactly.
    sklearn.neighbors.NearestNeighbors : With ``metric="hamming"``, the same
        neighbours from one float per bit (and distances as fractions).

    Notes
    -----
    The Hamming distance between codes :math:`a, b \in \{0, 1\}^m` is
    :math:`d(a, b) = \sum_j a_j \oplus b_j = |a| + |b| - 2\,|a \wedge b|`,
    returned as a number of bits (a float, as scikit-learn's graphs
    expect). For codes with k ones each it is :math:`2(k - o)` with
    :math:`o` the overlap, so ranking by overlap is ranking by distance.

    Ties are broken by the lower row index, as in faiss's
    ``IndexBinaryFlat``: the answer is the ``n_neighbors`` smallest pairs
    (distance, row) in lexicographic order, and therefore deterministic.
    Querying the fitted rows themselves (``X=None``) excludes each row from
    its own neighbours, as scikit-learn does.

    References
    ----------
    .. [1] S. Dasgupta, C. F. Stevens and S. Navlakha, "A neural algorithm
       for a fundamental computing problem", Science 358(6364):793-796, 2017.
       :doi:`10.1126/science.aam9868`
    .. [2] M. Norouzi, A. Punjani and D. J. Fleet, "Fast exact search in
       Hamming space with multi-index hashing", IEEE TPAMI 36(6), 2014.
       :doi:`10.1109/TPAMI.2013.231`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.neighbors import HammingNeighbors
    >>> codes = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1]])
    >>> index = HammingNeighbors(n_neighbors=2).fit(codes)
    >>> distances, indices = index.kneighbors([[1, 1, 1, 0]])
    >>> distances, indices
    (array([[1., 1.]]), array([[0, 1]]))
    """

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "radius": [Interval(Real, 0, None, closed="left")],
        "algorithm": [StrOptions({"auto", "packed", "inverted_index"})],
        "binarize": [Interval(Real, None, None, closed="neither"), None],
        "packed_input": ["boolean"],
        "n_jobs": N_JOBS,
    }
    # For joint property-test draws: any finite X, thresholded at a
    # non-negative value (a negative one is refused for sparse input).
    _data_constraints: dict = {
        "X": InputData(),
        "binarize": Given(lambda: [Interval(Real, 0, None, closed="left")]),
        "packed_input": Given(lambda: [Options(bool, {False})]),
    }

    def __init__(
        self,
        n_neighbors=5,
        *,
        radius=1.0,
        algorithm="auto",
        binarize=0.0,
        packed_input=False,
        n_jobs=None,
    ):
        self.n_neighbors = n_neighbors
        self.radius = radius
        self.algorithm = algorithm
        self.binarize = binarize
        self.packed_input = packed_input
        self.n_jobs = n_jobs

    # ------------------------------------------------------------ input

    def _validate_codes(self, X, reset):
        """Bits of X: a bool ndarray, or a CSR matrix of the set columns."""
        if self.packed_input:
            X = validate_input_data(
                self, X, reset=reset, accept_sparse=False, dtype=None
            )
            if X.dtype != np.uint8:
                raise TypeError(
                    f"packed_input=True needs uint8 bytes of packed bits (as "
                    f"numpy.packbits gives), got dtype {X.dtype}."
                )
            return X  # kept packed: the packed store reads the bytes as words
        X = validate_input_data(self, X, reset=reset, dtype="numeric")
        if sp.issparse(X) and not X.has_canonical_format:
            X = X.copy()  # duplicates add up before thresholding, as in dense
            X.sum_duplicates()
        values = X.data if sp.issparse(X) else X
        if self.binarize is None:
            if not np.isin(values, (0, 1)).all():
                bad = values[~np.isin(values, (0, 1))][0]
                raise ValueError(
                    f"X must hold binary codes (0 and 1) when binarize=None, "
                    f"but it holds {bad!r}; set binarize to a threshold, or "
                    f"binarise the codes first."
                )
            threshold = 0
        else:
            threshold = self.binarize
        if not sp.issparse(X):
            return X > threshold
        if threshold < 0:
            raise ValueError(
                f"binarize={threshold} is negative: every zero of the sparse "
                "input would become a one. Use a threshold >= 0 or dense input."
            )
        bits = sp.csr_matrix(
            (values > threshold, X.indices, X.indptr), shape=X.shape, copy=True
        )
        bits.eliminate_zeros()
        bits.sum_duplicates()
        return bits

    def _store_form(self, bits, fit_method):
        """What the store of ``fit_method`` takes: words or CSR units."""
        if self.packed_input:
            if fit_method == "packed":
                return bytes_as_words(bits)
            bits = np.unpackbits(bits, axis=1).view(bool)
        if fit_method == "packed":
            return pack_bits(bits, self.n_bits_)
        units = sp.csr_matrix(bits, dtype=np.int8)
        units.sum_duplicates()
        return units

    # ------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Store the codes of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Binary codes (or values thresholded by ``binarize``), or packed
            bytes with ``packed_input=True``.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted index.
        """
        bits = self._validate_codes(X, reset=True)
        return self._store(bits, reset=True)

    def partial_fit(self, X, y=None):
        """Append the codes of ``X`` to the index (the first call fits).

        New rows get the next indices; the search path chosen by the first
        fit is kept. Appending costs amortised constant time per row.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Codes to add, in the fitted format.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The index with the rows added.
        """
        first = not hasattr(self, "fit_method_")
        if first:
            self._validate_params()
        bits = self._validate_codes(X, reset=first)
        return self._store(bits, reset=first)

    def _store(self, bits, reset):
        if reset:
            self.n_bits_ = bits.shape[1] * (8 if self.packed_input else 1)
            fit_method = self.algorithm
            if fit_method == "auto":
                counts = (
                    _packed_bit_counts(bits)
                    if self.packed_input
                    else np.asarray(bits.sum(axis=0)).ravel()
                )
                pays = inverted_index_pays(bits.shape[0], self.n_bits_, counts)
                fit_method = "inverted_index" if pays else "packed"
            self.fit_method_ = fit_method
            self._index = (
                PackedCodes(words_for(self.n_bits_))
                if fit_method == "packed"
                else PostingLists(self.n_bits_)
            )
        self._index.add(self._store_form(bits, self.fit_method_))
        self.n_samples_fit_ = len(self._index)
        self.index_bytes_ = int(self._index.nbytes)
        return self

    # ------------------------------------------------------------ queries

    def _queries(self, X):
        """(store-form queries, whether they are the fitted rows)."""
        check_is_fitted(self)
        if X is None:
            if self.fit_method_ == "packed":
                return self._index.words(), True
            return self._index.units(), True
        bits = self._validate_codes(X, reset=False)
        return self._store_form(bits, self.fit_method_), False

    def _row_bytes(self, extra):
        words = words_for(self.n_bits_)
        return 8 * words + (self.n_bits_ if self.fit_method_ != "packed" else 0) + extra

    def _top_k(self, queries, n_neighbors):
        def search(batch):
            return self._index.top_k(queries[batch], n_neighbors)

        parts = query_batches(
            search, queries.shape[0], self._row_bytes(12 * n_neighbors), self.n_jobs
        )
        if not parts:
            return np.zeros((0, n_neighbors), np.int32), np.zeros(
                (0, n_neighbors), np.int64
            )
        distances = np.concatenate([part[0] for part in parts])
        indices = np.concatenate([part[1] for part in parts])
        return distances, indices

    @without_nested_validation
    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """The nearest stored codes of each query.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features), \
                default=None
            Query codes. None queries the stored codes themselves, each one
            excluded from its own neighbours.

        n_neighbors : int, default=None
            Number of neighbours; ``self.n_neighbors`` if None.

        return_distance : bool, default=True
            Whether to return the distances too.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors)
            Hamming distances (float64 numbers of bits), increasing along
            each row. Only present if ``return_distance=True``.

        neigh_ind : ndarray of shape (n_queries, n_neighbors)
            Row indices of the neighbours; ties go to the lower index.
        """
        n_neighbors = check_n_neighbors_argument(n_neighbors, self.n_neighbors)
        check_flag("return_distance", return_distance)
        queries, query_is_fit = self._queries(X)
        wanted = check_n_neighbors(
            n_neighbors, self.n_samples_fit_, queries.shape[0], query_is_fit
        )
        distances, indices = self._top_k(queries, wanted)
        distances = distances.astype(np.float64)
        if query_is_fit:
            distances, indices = drop_self(distances, indices)
        return (distances, indices) if return_distance else indices

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        """The k-neighbours graph of the queries, as a CSR matrix.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features), \
                default=None
            Query codes; None uses the stored codes (without self).

        n_neighbors : int, default=None
            Neighbours per row; ``self.n_neighbors`` if None.

        mode : {"connectivity", "distance"}, default="connectivity"
            Store ones, or the Hamming distances (explicit zeros kept).

        Returns
        -------
        graph : sparse matrix of shape (n_queries, n_samples_fit)
            Row i holds the neighbours of query i in increasing distance.
        """
        check_mode(mode)
        distances, indices = self.kneighbors(X, n_neighbors)
        return neighbors_graph(distances, indices, self.n_samples_fit_, mode)

    @without_nested_validation
    def radius_neighbors(
        self, X=None, radius=None, return_distance=True, sort_results=False
    ):
        """The stored codes within a Hamming radius of each query.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features), \
                default=None
            Query codes. None queries the stored codes, each excluded from
            its own neighbours.

        radius : float, default=None
            Largest distance returned (inclusive); ``self.radius`` if None.

        return_distance : bool, default=True
            Whether to return the distances too.

        sort_results : bool, default=False
            Sort each query's neighbours by (distance, index); otherwise they
            come in increasing index order.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries,) of ndarray
            Each query's distances (float64). Only present if
            ``return_distance=True``.

        neigh_ind : ndarray of shape (n_queries,) of ndarray
            Each query's neighbour indices (int64).
        """
        radius = check_radius_argument(radius, self.radius)
        check_flag("sort_results", sort_results)
        check_flag("return_distance", return_distance)
        queries, query_is_fit = self._queries(X)
        n_queries = queries.shape[0]

        def search(batch):
            distances = self._index.distances(queries[batch])
            within = distances <= radius
            if query_is_fit:  # each stored row is left out of its own neighbours
                within[
                    np.arange(len(distances)), np.arange(batch.start, batch.stop)
                ] = False
            rows, found = np.nonzero(within)  # row by row, increasing index
            values = distances[rows, found].astype(np.float64)
            if sort_results:
                order = np.lexsort((found, values, rows))
                found, values = found[order], values[order]
            splits = np.cumsum(np.count_nonzero(within, axis=1))[:-1]
            return zip(
                np.split(values, splits), np.split(found.astype(np.int64), splits)
            )

        parts = query_batches(
            search, n_queries, self._row_bytes(5 * self.n_samples_fit_), self.n_jobs
        )
        neigh_dist = np.empty(n_queries, dtype=object)
        neigh_ind = np.empty(n_queries, dtype=object)
        for i, (values, found) in enumerate(row for part in parts for row in part):
            neigh_dist[i], neigh_ind[i] = values, found
        return (neigh_dist, neigh_ind) if return_distance else neigh_ind

    def radius_neighbors_graph(
        self, X=None, radius=None, mode="connectivity", sort_results=False
    ):
        """The radius-neighbours graph of the queries, as a CSR matrix.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features), \
                default=None
            Query codes; None uses the stored codes (without self).

        radius : float, default=None
            Largest distance kept; ``self.radius`` if None.

        mode : {"connectivity", "distance"}, default="connectivity"
            Store ones, or the Hamming distances (explicit zeros kept).

        sort_results : bool, default=False
            Sort each row by distance, as the precomputed-metric consumers
            of scikit-learn prefer (with ``mode="distance"``).

        Returns
        -------
        graph : sparse matrix of shape (n_queries, n_samples_fit)
            CSR; row i holds the stored codes within ``radius`` of query i.
        """
        check_mode(mode)
        distances, indices = self.radius_neighbors(X, radius, sort_results=sort_results)
        return radius_graph(distances, indices, self.n_samples_fit_, mode)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _packed_bit_counts(packed):
    """Ones per bit position of packed rows, without unpacking them all."""
    counts = np.empty((packed.shape[1], 8), dtype=np.int64)
    for bit in range(8):  # numpy.packbits is big-endian: bit 0 is the 0x80 bit
        counts[:, bit] = ((packed >> (7 - bit)) & 1).sum(axis=0)
    return counts.ravel()
