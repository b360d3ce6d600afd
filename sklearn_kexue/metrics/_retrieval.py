"""Similarity-search evaluation of hash codes: mean average precision protocols.

Both protocols rank a database by the (squared) Euclidean distance between
codes, which for {0, 1} codes is the Hamming distance, and score each query
with the average precision over the hits in its retrieved list:

    AP = (1 / #hits) * sum over hit ranks r of (hits among the first r) / r,

and AP = 0 when nothing relevant is retrieved. They differ in what is
relevant (the true Euclidean neighbours, or the items with the query's
label) and in how ties between equal code distances are ordered.
"""

import math
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils import check_array, check_random_state

from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._labels import check_label_kinds
from sklearn_kexue.utils._param_validation import (
    RANDOM_STATE,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale
from sklearn_kexue.utils._validation import (
    _check_pydata_sparse,
    _check_sparse_structure,
)

__all__ = ["mean_average_precision_labels", "mean_average_precision_neighbors"]


def _check_codes(codes, name):
    return check_array(
        _check_sparse_structure(_check_pydata_sparse(codes)),
        accept_sparse="csr",
        dtype=(np.float64, np.float32),
        input_name=name,
    )


def _rescaled(*arrays):
    """The arrays times one power of two that keeps their squared distances finite.

    Rankings by distance do not change when every point is scaled by the same
    factor, and a power of two changes only exponents: extreme inputs (whose
    squares overflow, or underflow to zero and tie everything) are ranked as
    their rescaled copies are. Ordinary inputs are returned as they are.
    """
    largest = max(max_abs(array) for array in arrays)
    dtype = np.result_type(*(array.dtype for array in arrays))
    scale = power_of_two_scale(largest, dtype)
    if scale == 1:
        return arrays
    exponent = math.frexp(scale)[1] - 1
    scaled = []
    for array in arrays:
        if sp.issparse(array):
            array = array.copy()
            array.data = np.ldexp(array.data, exponent)
        else:
            array = np.ldexp(array, exponent)
        scaled.append(array)
    return tuple(scaled)


def _check_labels(labels, name):
    """1-D class labels of one kind (numbers or strings), without NaN."""
    labels = np.asarray(check_label_kinds(labels, name))
    if labels.dtype.kind == "f" and np.any(np.isnan(labels)):
        raise ValueError(
            f"{name} contains NaN: NaN is never equal to itself, so its items "
            "could not be relevant to any query."
        )
    return labels


def _squared_distances(queries, database):
    """Squared Euclidean distances, exact for integer-valued codes."""
    distances = euclidean_distances(queries, database, squared=True)
    return np.maximum(distances, 0, out=distances)


def _ranking(distances, n_retrieved, tie_breaking="index", random_state=None):
    """Indices of each row's ``n_retrieved`` closest items under the tie rule."""
    if tie_breaking == "index":
        # A stable sort keeps tied items in index order.
        return np.argsort(distances, axis=1, kind="stable")[:, :n_retrieved]
    jitter = random_state.random_sample(distances.shape)
    finite = distances[np.isfinite(distances)]
    if np.array_equal(finite, np.round(finite)) and np.all(finite < 2.0**32):
        # Distinct integer distances differ by at least 1 (as between binary
        # codes), so a jitter in [0, 1) orders only the ties: one sort suffices.
        order = np.argsort(distances + jitter, axis=1)
    else:
        order = np.lexsort((jitter, distances), axis=1)
    return order[:, :n_retrieved]


def _average_precision(ranked_relevance):
    """AP over the hits of each row of a (n_queries, n_retrieved) boolean array."""
    hits = np.cumsum(ranked_relevance, axis=1)
    ranks = np.arange(1, ranked_relevance.shape[1] + 1)
    precision_at_hits = np.where(ranked_relevance, hits / ranks, 0.0)
    n_hits = hits[:, -1]
    return np.divide(
        precision_at_hits.sum(axis=1),
        n_hits,
        out=np.zeros(len(n_hits)),
        where=n_hits > 0,
    )


def _duplicate_groups(X):
    """An id per row such that rows share an id exactly when they are identical."""
    if sp.issparse(X):
        X = X.tocsr(copy=True)
        X.sum_duplicates()
        X.eliminate_zeros()
        rows = [
            X.indices[start:stop].tobytes() + X.data[start:stop].tobytes()
            for start, stop in zip(X.indptr[:-1], X.indptr[1:])
        ]
        return np.unique(np.array(rows, dtype=object), return_inverse=True)[1]
    # + 0.0 maps -0.0 to 0.0 so that equal rows compare equal bytewise.
    return np.unique(X + 0.0, axis=0, return_inverse=True)[1].ravel()


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "codes": ["array-like", "sparse matrix"],
        "n_queries": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "n_neighbors": [Interval(Integral, 1, None, closed="left"), None],
        "tie_breaking": [StrOptions({"index", "random"})],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def mean_average_precision_neighbors(
    X,
    codes,
    *,
    n_queries=100,
    n_neighbors=None,
    tie_breaking="index",
    random_state=None,
):
    """Mean average precision of code rankings against true Euclidean neighbours.

    This is the evaluation of Dasgupta, Stevens & Navlakha [1]_, reproduced
    with its quirks. For each query row of ``X``:

    1. the *candidates* are all other rows, except exact duplicates of the
       query (rows at input distance 0), which are left out of both lists;
    2. the *true neighbours* are the ``n_neighbors`` candidates closest to the
       query in ``X`` (Euclidean; ties by lower row index);
    3. the *predicted neighbours* are the ``n_neighbors`` candidates closest
       in code space (Euclidean between codes, i.e. Hamming for {0, 1}
       codes), ties ordered by ``tie_breaking``;
    4. AP is the mean, over the predicted neighbours that are true neighbours
       (the hits), of the precision at their rank, or 0 without hits. It is
       divided by the number of hits, not by ``n_neighbors``, so it is more
       generous than AP@R.

    The score is the mean AP over the queries.

    Read more in the :ref:`User Guide <retrieval_metrics>`.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data in input space, already preprocessed as the protocol
        requires (the paper shifts and rescales rows before hashing).

    codes : {array-like, sparse matrix} of shape (n_samples, n_code_features)
        Codes of the rows of ``X`` from any hasher (binary or value tags).

    n_queries : int, array-like of int or None, default=100
        An int draws that many distinct query rows with ``random_state`` (the
        paper's code uses 100 per trial); an array gives the query row
        indices; None uses every row.

    n_neighbors : int or None, default=None
        Size R of the true and predicted neighbour lists. None uses the
        paper's ``max(10, int(0.02 * n_samples))`` (the top 2 %).

    tie_breaking : {"index", "random"}, default="index"
        Order of database rows at equal code distance: "index" puts the lower
        row index first (the paper's rule); "random" uses a random order drawn
        independently for each query from ``random_state``.

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of queries and, with ``tie_breaking="random"``, the
        tie order.

    Returns
    -------
    score : float
        Mean average precision, between 0 and 1.

    See Also
    --------
    mean_average_precision_labels : Relevance by shared class label.

    References
    ----------
    .. [1] S. Dasgupta, C. F. Stevens and S. Navlakha, "A neural algorithm for
       a fundamental computing problem", Science 358(6364):793-796, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.metrics import mean_average_precision_neighbors
    >>> X = np.random.default_rng(0).random((200, 8))
    >>> mean_average_precision_neighbors(X, X, n_queries=None)
    1.0
    """
    return _mean_average_precision_neighbors(
        X, codes, n_queries, n_neighbors, tie_breaking, random_state
    )


def _mean_average_precision_neighbors(
    X, codes, n_queries, n_neighbors, tie_breaking, random_state
):
    X = _check_codes(X, "X")
    codes = _check_codes(codes, "codes")
    (X,) = _rescaled(X)
    (codes,) = _rescaled(codes)
    n_samples = X.shape[0]
    if codes.shape[0] != n_samples:
        raise ValueError(
            f"X and codes must have the same number of rows, got {n_samples} "
            f"and {codes.shape[0]}."
        )
    if n_neighbors is None:
        n_neighbors = max(10, int(0.02 * n_samples))
    random_state = check_random_state(random_state)
    queries = _query_indices(n_queries, n_samples, random_state)
    groups = _duplicate_groups(X)
    n_candidates = n_samples - np.bincount(groups)[groups[queries]]
    if n_neighbors > n_candidates.min():
        raise ValueError(
            f"n_neighbors={n_neighbors} exceeds the number of candidates of some "
            f"query ({n_candidates.min()} rows that are not duplicates of it)."
        )

    scores = np.empty(len(queries))
    for batch in gen_row_batches(len(queries), 48 * n_samples):
        query_rows = queries[batch]
        excluded = groups[query_rows][:, np.newaxis] == groups[np.newaxis, :]
        input_distances = _squared_distances(X[query_rows], X)
        input_distances[excluded] = np.inf
        code_distances = _squared_distances(codes[query_rows], codes)
        code_distances[excluded] = np.inf

        truth = _ranking(input_distances, n_neighbors)
        is_true_neighbor = np.zeros(input_distances.shape, dtype=bool)
        np.put_along_axis(is_true_neighbor, truth, True, axis=1)

        predicted = _ranking(code_distances, n_neighbors, tie_breaking, random_state)
        relevance = np.take_along_axis(is_true_neighbor, predicted, axis=1)
        scores[batch] = _average_precision(relevance)
    return float(scores.mean())


@validate_params(
    {
        "codes": ["array-like", "sparse matrix"],
        "labels": ["array-like"],
        "query_codes": ["array-like", "sparse matrix", None],
        "query_labels": ["array-like", None],
        "n_retrieved": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"all"}),
        ],
        "tie_breaking": [StrOptions({"index", "random"})],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def mean_average_precision_labels(
    codes,
    labels,
    *,
    query_codes=None,
    query_labels=None,
    n_retrieved="all",
    tie_breaking="random",
    random_state=None,
):
    r"""Mean average precision of code rankings with same-label relevance (mAP@R).

    The evaluation of BioHash [1]_ and most learned hashing papers: a
    database item is relevant to a query when it has the query's class
    label. Each query ranks the database by code distance (Euclidean between
    codes, i.e. Hamming for {0, 1} codes) and keeps the first
    ``n_retrieved`` items; its AP@R is

    .. math::
        \mathrm{AP@R} = \frac{1}{\sum_{l \le R} \mathrm{Rel}(l)}
        \sum_{l=1}^{R} P(l)\, \mathrm{Rel}(l),

    with :math:`P(l)` the precision among the first :math:`l` items (0 when
    nothing relevant is retrieved). ``n_retrieved="all"`` gives mAP@All.

    **Ties.** Fixed-weight codes have few distinct Hamming distances, so most
    of the database is tied with something. Ordering ties by database index
    inflates the score whenever the database is sorted by label, so the
    default orders them randomly, independently for each query, from
    ``random_state``. Average over several seeds for a stable estimate.

    Read more in the :ref:`User Guide <retrieval_metrics>`.

    Parameters
    ----------
    codes : {array-like, sparse matrix} of shape (n_database, n_code_features)
        Codes of the database items.

    labels : array-like of shape (n_database,)
        Class labels of the database items.

    query_codes : {array-like, sparse matrix}, default=None
        Codes of queries kept apart from the database (the paper's
        protocol), of shape (n_queries, n_code_features).
        None runs leave-one-out: every database item queries all the others.

    query_labels : array-like of shape (n_queries,), default=None
        Labels of ``query_codes``; required with them.

    n_retrieved : int or "all", default="all"
        Number R of retrieved items scored per query. An int larger than the
        database is capped at its size, which is mAP@All.

    tie_breaking : {"random", "index"}, default="random"
        Order of database items at equal code distance: a random order per
        query, or the lower database index first.

    random_state : int, RandomState instance or None, default=None
        Seeds the random tie order.

    Returns
    -------
    score : float
        Mean AP@R over the queries, between 0 and 1.

    See Also
    --------
    mean_average_precision_neighbors : Relevance by Euclidean neighbourhood.

    References
    ----------
    .. [1] C. K. Ryali, J. J. Hopfield, L. Grinberg and D. Krotov,
       "Bio-Inspired Hashing for Unsupervised Similarity Search", ICML 2020.
       :arxiv:`2001.04907`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.metrics import mean_average_precision_labels
    >>> codes = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])
    >>> labels = np.array([0, 0, 1, 1])
    >>> mean_average_precision_labels(codes, labels, random_state=0)
    1.0
    """
    return _mean_average_precision_labels(
        codes,
        labels,
        query_codes,
        query_labels,
        n_retrieved,
        tie_breaking,
        random_state,
    )


def _mean_average_precision_labels(
    codes, labels, query_codes, query_labels, n_retrieved, tie_breaking, random_state
):
    codes = _check_codes(codes, "codes")
    labels = _check_labels(labels, "labels")
    if labels.ndim != 1 or len(labels) != codes.shape[0]:
        raise ValueError(
            f"labels must be 1-D with one entry per row of codes ({codes.shape[0]}), "
            f"got shape {labels.shape}."
        )
    leave_one_out = query_codes is None
    if leave_one_out:
        if query_labels is not None:
            raise ValueError("query_labels is given without query_codes.")
        query_codes, query_labels = codes, labels
    else:
        query_codes = _check_codes(query_codes, "query_codes")
        if query_labels is None:
            raise ValueError("query_codes needs query_labels.")
        query_labels = _check_labels(query_labels, "query_labels")
        if (labels.dtype.kind in "USO") != (query_labels.dtype.kind in "USO"):
            raise ValueError(
                f"labels ({labels.dtype}) and query_labels ({query_labels.dtype}) "
                "must both be numbers or both be strings: labels of different "
                "kinds are never equal, so no item would be relevant."
            )
        if query_labels.shape != (query_codes.shape[0],):
            raise ValueError(
                f"query_labels must have shape ({query_codes.shape[0]},), "
                f"got {query_labels.shape}."
            )
        if query_codes.shape[1] != codes.shape[1]:
            raise ValueError(
                f"query_codes has {query_codes.shape[1]} columns but codes has "
                f"{codes.shape[1]}."
            )

    if leave_one_out:
        (codes,) = _rescaled(codes)
        query_codes = codes
    else:
        codes, query_codes = _rescaled(codes, query_codes)
    n_database = codes.shape[0] - (1 if leave_one_out else 0)
    if n_database < 1:
        raise ValueError("The database needs at least one item besides the query.")
    n_kept = n_database if n_retrieved == "all" else min(n_retrieved, n_database)
    random_state = check_random_state(random_state)
    n_queries = query_codes.shape[0]
    scores = np.empty(n_queries)
    for batch in gen_row_batches(n_queries, 48 * codes.shape[0]):
        distances = _squared_distances(query_codes[batch], codes)
        if leave_one_out:
            own_rows = np.arange(batch.start, batch.stop)
            distances[np.arange(len(own_rows)), own_rows] = np.inf
        retrieved = _ranking(distances, n_kept, tie_breaking, random_state)
        relevance = labels[retrieved] == query_labels[batch][:, np.newaxis]
        scores[batch] = _average_precision(relevance)
    return float(scores.mean())


def _query_indices(n_queries, n_samples, random_state):
    if n_queries is None:
        return np.arange(n_samples)
    if isinstance(n_queries, Integral):
        if n_queries > n_samples:
            raise ValueError(
                f"n_queries={n_queries} exceeds the number of rows ({n_samples})."
            )
        return np.sort(random_state.choice(n_samples, size=n_queries, replace=False))
    queries = np.asarray(n_queries)
    if queries.ndim != 1 or not np.issubdtype(queries.dtype, np.integer):
        raise ValueError("n_queries, when an array, must be 1-D row indices.")
    if queries.size == 0 or queries.min() < -n_samples or queries.max() >= n_samples:
        raise ValueError(f"n_queries indices must lie in [0, {n_samples}).")
    return queries % n_samples
