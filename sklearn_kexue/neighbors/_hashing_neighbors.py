"""Approximate nearest neighbours: candidates by code distance, re-ranked exactly."""

import copy
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue.hashing import SignRandomProjection
from sklearn_kexue.neighbors._base import (
    check_flag,
    check_mode,
    check_n_neighbors,
    check_n_neighbors_argument,
    drop_self,
    neighbors_graph,
    query_batches,
    without_nested_validation,
)
from sklearn_kexue.neighbors._code_index import grown
from sklearn_kexue.neighbors._hamming import HammingNeighbors
from sklearn_kexue.neighbors._rerank_kernels import (
    COSINE,
    EUCLIDEAN,
    INNER_PRODUCT,
    dense_distances,
    sparse_distances,
)
from sklearn_kexue.utils._data_constraints import Given, InputData, integers_between
from sklearn_kexue.utils._param_validation import (
    N_JOBS,
    RANDOM_STATE,
    HasMethods,
    Interval,
    StrOptions,
)
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale
from sklearn_kexue.utils._validation import validate_input_data

__all__ = ["HashingNeighborsTransformer"]

# Bits of the default hasher: sign random projection with 256 bits re-ranks
# 100 candidates to recall@10 of about 0.92 on SIFT (docs/benchmarks.rst).
_DEFAULT_BITS = 256


_METRICS = {"euclidean": EUCLIDEAN, "cosine": COSINE, "inner_product": INNER_PRODUCT}


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


class HashingNeighborsTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, DocLinkMixin, BaseEstimator
):
    r"""Approximate nearest neighbours from hash codes, re-ranked exactly.

    Each row is hashed into a binary code by ``hasher``; a query's
    ``n_candidates`` nearest codes (exact Hamming search with
    :class:`HammingNeighbors`) are the candidates, and the
    ``n_neighbors`` of them nearest under ``metric`` on the original
    vectors are the answer. ``n_candidates`` trades recall for speed: with
    ``n_candidates >= n_samples_fit_`` every row is a candidate and the answer
    is exact.

    It follows the interface of scikit-learn's
    :class:`~sklearn.neighbors.KNeighborsTransformer`, so it precomputes
    sparse neighbour graphs for the estimators that take
    ``metric="precomputed"`` (:class:`~sklearn.manifold.Isomap`,
    :class:`~sklearn.manifold.TSNE`, :class:`~sklearn.cluster.DBSCAN`,
    :class:`~sklearn.neighbors.KNeighborsClassifier`,
    :class:`~sklearn.cluster.SpectralClustering` with
    ``affinity="precomputed_nearest_neighbors"``) in a
    :class:`~sklearn.pipeline.Pipeline`, and ``n_candidates`` and the
    hasher's parameters (``hasher__n_components``) can be searched by
    :class:`~sklearn.model_selection.GridSearchCV`.

    Read more in the :ref:`User Guide <hashing_neighbors>`.

    Parameters
    ----------
    hasher : estimator, default=None
        Turns rows into binary codes: any of the package's hashers
        (:class:`~sklearn_kexue.SignRandomProjection`,
        :class:`~sklearn_kexue.FlyHashTransformer`,
        :class:`~sklearn_kexue.BioHashTransformer`), or another transformer
        whose output is {0, 1} (or packed bytes, with
        ``packed_output=True``). An unfitted hasher is cloned and fitted on
        the data given to :meth:`fit`; a fitted one is copied and used as it
        is. None means ``SignRandomProjection(n_components=256)`` seeded by
        ``random_state``.

    n_candidates : int, default=100
        Nearest codes re-ranked per query (at least the neighbours asked
        for). More candidates: higher recall, slower queries.

    n_neighbors : int, default=5
        Neighbours per sample in :meth:`transform` (one more in
        ``mode="distance"``, where each training sample is its own
        neighbour, as in ``KNeighborsTransformer``).

    mode : {"distance", "connectivity"}, default="distance"
        What the graph of :meth:`transform` stores: distances (explicit
        zeros kept) or ones.

    metric : {"euclidean", "cosine", "inner_product"}, default="euclidean"
        The exact measure the candidates are re-ranked by. "cosine" is
        :math:`1 - \cos`; "inner_product" ranks by the largest inner
        product and reports its negative as the distance (so graphs hold
        negative values, which the precomputed-metric estimators refuse:
        use it through :meth:`kneighbors`).

    algorithm : {"auto", "packed", "inverted_index"}, default="auto"
        The code search of :class:`HammingNeighbors`.

    n_jobs : int, default=None
        Threads for the code search. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all processors.

    random_state : int, RandomState instance or None, default=None
        Seeds the default hasher (with ``hasher=None``); a given hasher uses
        its own ``random_state``.

    Attributes
    ----------
    hasher_ : estimator
        The fitted hasher.

    index_ : HammingNeighbors
        The exact Hamming index over the fitted rows' codes.

    n_samples_fit_ : int
        Number of rows fitted (and added by :meth:`partial_fit`).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    HammingNeighbors : Exact neighbours of binary codes.
    sklearn.neighbors.KNeighborsTransformer : Exact neighbours graphs.

    Notes
    -----
    A query costs a Hamming search over all codes (a popcount scan, or
    posting lists for sparse codes) plus ``n_candidates`` exact distances
    in the original space. Sign random projection codes of b bits estimate
    the angle between centred rows (a bit differs with probability
    :math:`\theta / \pi`), FlyHash and BioHash codes rank by the overlap of
    their winners; the candidates hold the true neighbours with a
    probability that grows with the bits and with ``n_candidates``
    (Cai, 2016, found plain random projection with long codes and
    re-ranking the strongest of eleven hashing methods).

    Ties in the exact distance go to the lower row index.

    References
    ----------
    .. [1] D. Cai, "A revisit of hashing algorithms for approximate nearest
       neighbor search", arXiv:1612.07545, 2016.
    .. [2] M. S. Charikar, "Similarity estimation techniques from rounding
       algorithms", STOC 2002. :doi:`10.1145/509907.509965`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.neighbors import HashingNeighborsTransformer
    >>> X = np.random.default_rng(0).normal(size=(200, 16))
    >>> search = HashingNeighborsTransformer(n_neighbors=3, random_state=0)
    >>> graph = search.fit_transform(X)  # each row: itself and 3 neighbours
    >>> graph.shape, graph.nnz
    ((200, 200), 800)
    >>> distances, indices = search.kneighbors(X[:1])
    >>> indices[0, 0]  # the row itself comes first
    np.int64(0)
    """

    _parameter_constraints: dict = {
        "hasher": [HasMethods(["fit", "transform"]), None],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "mode": [StrOptions({"distance", "connectivity"})],
        "metric": [StrOptions({"euclidean", "cosine", "inner_product"})],
        "algorithm": [StrOptions({"auto", "packed", "inverted_index"})],
        "n_jobs": N_JOBS,
        "random_state": RANDOM_STATE,
    }
    # For joint property-test draws: transform asks for n_neighbors + 1 rows.
    _data_constraints: dict = {
        "X": InputData(min_samples=2),
        "n_neighbors": Given(lambda n_samples: integers_between(1, n_samples - 1)),
    }

    def __init__(
        self,
        hasher=None,
        *,
        n_candidates=100,
        n_neighbors=5,
        mode="distance",
        metric="euclidean",
        algorithm="auto",
        n_jobs=None,
        random_state=None,
    ):
        self.hasher = hasher
        self.n_candidates = n_candidates
        self.n_neighbors = n_neighbors
        self.mode = mode
        self.metric = metric
        self.algorithm = algorithm
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit (or take) the hasher and index the codes of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Training data, kept for the exact re-ranking.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X = validate_input_data(self, X, reset=True)
        graph_neighbors = self.n_neighbors + (self.mode == "distance")
        if X.shape[0] < graph_neighbors:
            # transform could not fill a row: say so now, not at transform.
            raise ValueError(
                f"Expected n_samples >= {graph_neighbors} (transform gives "
                f"n_neighbors={self.n_neighbors} neighbours per row"
                f"{', plus the row itself' if self.mode == 'distance' else ''}), "
                f"but n_samples = {X.shape[0]}; lower n_neighbors or fit more rows."
            )
        return self._fit(X)

    def _fit(self, X):
        if self.hasher is None:
            hasher = SignRandomProjection(
                n_components=_DEFAULT_BITS, random_state=self.random_state
            )
        else:
            hasher = self.hasher
        if _is_fitted(hasher):
            self.hasher_ = copy.deepcopy(hasher)
        else:
            self.hasher_ = clone(hasher).fit(X)
        self.index_ = HammingNeighbors(
            algorithm=self.algorithm,
            packed_input=bool(getattr(self.hasher_, "packed_output", False)),
            n_jobs=self.n_jobs,
        ).fit(self._codes(X))
        self._vectors = _sorted_csr(X) if sp.issparse(X) else X
        self._largest_value = max_abs(X)
        self.n_samples_fit_ = X.shape[0]
        return self

    def partial_fit(self, X, y=None):
        """Add the rows of ``X`` to the index (the first call fits).

        The hasher is fitted on the first call's rows if it was not fitted
        already and is not refitted afterwards; the added rows get the next
        indices. Appending costs amortised constant time per row for dense
        input (sparse input is restacked).

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Rows to add.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The transformer with the rows added.
        """
        if not hasattr(self, "index_"):
            # A stream may start with fewer rows than a graph row needs.
            self._validate_params()
            return self._fit(validate_input_data(self, X, reset=True))
        X = validate_input_data(self, X, reset=False)
        self.index_.partial_fit(self._codes(X))
        start, stop = self.n_samples_fit_, self.n_samples_fit_ + X.shape[0]
        self._largest_value = max(self._largest_value, max_abs(X))
        if sp.issparse(self._vectors):
            rows = sp.vstack([self._vectors, sp.csr_matrix(X)], format="csr")
            self._vectors = _sorted_csr(rows)
        else:
            if sp.issparse(X):
                X = X.toarray()
            dtype = np.result_type(self._vectors, X)
            self._vectors = grown(self._vectors.astype(dtype, copy=False), stop)
            self._vectors[start:stop] = X
        self.n_samples_fit_ = stop
        return self

    def _codes(self, X):
        return self.hasher_.transform(X)

    # ------------------------------------------------------------ queries

    @without_nested_validation
    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """The approximate nearest neighbours of each query.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features), \
                default=None
            Queries. None queries the fitted rows, each one excluded from its
            own neighbours.

        n_neighbors : int, default=None
            Number of neighbours; ``self.n_neighbors`` if None.

        return_distance : bool, default=True
            Whether to return the distances too.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors)
            Exact distances under ``metric`` (float64), increasing along
            each row. Only present if ``return_distance=True``.

        neigh_ind : ndarray of shape (n_queries, n_neighbors)
            Row indices of the neighbours.
        """
        check_is_fitted(self)
        n_neighbors = check_n_neighbors_argument(n_neighbors, self.n_neighbors)
        check_flag("return_distance", return_distance)
        query_is_fit = X is None
        if query_is_fit:
            queries = self._vectors[: self.n_samples_fit_]
        else:
            queries = validate_input_data(self, X, reset=False)
        wanted = check_n_neighbors(
            n_neighbors, self.n_samples_fit_, queries.shape[0], query_is_fit
        )
        n_candidates = min(max(self.n_candidates, wanted), self.n_samples_fit_)
        # Per query: its code, candidates and their distances, sort order
        # and gathered results (int64/float64), and a dense float64 copy of
        # the query (sparse queries are densified batch by batch).
        code_bytes = 8 * self.index_.n_bits_
        row_bytes = 48 * n_candidates + code_bytes + 8 * queries.shape[1]

        def search(batch):
            batch_queries = queries[batch]
            codes = self._codes(batch_queries)
            candidates = self.index_.kneighbors(codes, n_candidates, False)
            distances = self._exact_distances(batch_queries, candidates)
            order = np.lexsort((candidates, distances), axis=1)[:, :wanted]
            return (
                np.take_along_axis(distances, order, axis=1),
                np.take_along_axis(candidates, order, axis=1),
            )

        # The hasher and the index run their own threads: batches run here
        # one after the other, bounded by working_memory.
        parts = query_batches(search, queries.shape[0], row_bytes, n_jobs=1)
        if parts:
            distances = np.concatenate([part[0] for part in parts])
            indices = np.concatenate([part[1] for part in parts])
        else:
            distances = np.zeros((0, wanted))
            indices = np.zeros((0, wanted), dtype=np.int64)
        if query_is_fit:
            distances, indices = drop_self(distances, indices)
        return (distances, indices) if return_distance else indices

    def _exact_distances(self, queries, candidates):
        """``metric`` between each query and its candidate rows, float64."""
        out = np.empty(candidates.shape, dtype=np.float64)
        metric = _METRICS[self.metric]
        largest = max(self._largest_value, max_abs(queries))
        scale = power_of_two_scale(largest)
        if sp.issparse(self._vectors):
            queries = _sorted_csr(queries)
            vectors = self._vectors
            sparse_distances(
                queries.indptr,
                queries.indices,
                queries.data,
                vectors.indptr,
                vectors.indices,
                vectors.data,
                candidates,
                metric,
                scale,
                out,
            )
        else:
            dense = queries.toarray() if sp.issparse(queries) else queries
            dense_distances(
                np.asarray(dense), self._vectors, candidates, metric, scale, out
            )
        if self.metric == "inner_product" and not np.isfinite(out).all():
            raise ValueError(
                "Inner products of these vectors overflow float64 (their "
                "values are too large); rescale the data."
            )
        return out

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        """The k-neighbours graph of the queries, as a CSR matrix.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features), \
                default=None
            Queries; None uses the fitted rows (without self).

        n_neighbors : int, default=None
            Neighbours per row; ``self.n_neighbors`` if None.

        mode : {"connectivity", "distance"}, default="connectivity"
            Store ones, or the exact distances (explicit zeros kept).

        Returns
        -------
        graph : sparse matrix of shape (n_queries, n_samples_fit)
            Row i holds query i's neighbours in increasing distance.
        """
        check_mode(mode)
        distances, indices = self.kneighbors(X, n_neighbors)
        return neighbors_graph(distances, indices, self.n_samples_fit_, mode)

    def transform(self, X):
        """The neighbours graph of ``X``, as ``KNeighborsTransformer`` gives it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Queries.

        Returns
        -------
        graph : sparse matrix of shape (n_samples, `n_samples_fit_`)
            CSR; each row holds ``n_neighbors`` entries (``n_neighbors + 1``
            in ``mode="distance"``: a training row finds itself at 0), in
            increasing distance, as the ``metric="precomputed"`` estimators
            require.
        """
        check_is_fitted(self)
        if X is None:
            raise ValueError(
                "transform needs the rows to query, got None; use "
                "kneighbors_graph() for the fitted rows without themselves."
            )
        add_one = self.mode == "distance"
        return self.kneighbors_graph(
            X, mode=self.mode, n_neighbors=self.n_neighbors + add_one
        )

    def fit_transform(self, X, y=None):
        """Fit, then give the neighbours graph of the training rows.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        graph : sparse matrix of shape (n_samples, n_samples)
            As :meth:`transform` of ``X``.
        """
        return self.fit(X).transform(X)

    @property
    def _n_features_out(self):
        return self.n_samples_fit_

    def __getstate__(self):
        state = super().__getstate__()
        if "_vectors" in state and not sp.issparse(state["_vectors"]):
            # Pickle the rows in use, not the spare capacity.
            state["_vectors"] = state["_vectors"][: self.n_samples_fit_].copy()
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _sorted_csr(X):
    """CSR with sorted, unique column indices (duplicates summed, as in dense)."""
    X = sp.csr_matrix(X)
    if X.has_canonical_format:
        return X
    X = X.copy()
    X.sum_duplicates()
    return X
