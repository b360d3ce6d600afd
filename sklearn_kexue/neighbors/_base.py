"""What every neighbours estimator here shares: query batches, self, graphs."""

import functools
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn import config_context
from sklearn.utils.parallel import Parallel, delayed

from sklearn_kexue.utils._batching import gen_row_batches

__all__ = [
    "check_flag",
    "check_mode",
    "check_n_neighbors",
    "check_n_neighbors_argument",
    "check_radius_argument",
    "drop_self",
    "neighbors_graph",
    "query_batches",
    "radius_graph",
    "without_nested_validation",
]


def without_nested_validation(method):
    """Run a query method with scikit-learn's parameter checks off inside it.

    Its nested calls (input validation, batching, the hasher's ``transform``,
    the code index) receive arguments this package built; their decorators'
    checks cost about 1 ms per call, far more than a single query's search.
    The caller's input is still validated.
    """

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with config_context(skip_parameter_validation=True):
            return method(*args, **kwargs)

    return wrapper


def check_n_neighbors(n_neighbors, n_samples_fit, n_queries, query_is_fit):
    """The neighbours a query asks for, +1 when the fitted rows query themselves.

    Raises the error scikit-learn's ``kneighbors`` raises when there are not
    enough stored rows.
    """
    if query_is_fit:
        n_neighbors += 1  # each sample is its own nearest neighbour; dropped later
    if n_neighbors > n_samples_fit:
        if query_is_fit:
            n_neighbors -= 1
        raise ValueError(
            f"Expected n_neighbors < n_samples_fit when querying the fitted rows "
            f"themselves, but n_neighbors = {n_neighbors}, n_samples_fit = "
            f"{n_samples_fit}, n_samples = {n_queries}"
            if query_is_fit
            else f"Expected n_neighbors <= n_samples_fit, but n_neighbors = "
            f"{n_neighbors}, n_samples_fit = {n_samples_fit}, n_samples = "
            f"{n_queries}"
        )
    return n_neighbors


def drop_self(distances, indices):
    """Remove each fitted row from its own neighbours (scikit-learn's rule).

    Row i's entry i is dropped; where i is absent (duplicates of row i took
    every place), the last entry is.
    """
    n_queries, n_neighbors = indices.shape
    not_self = indices != np.arange(n_queries)[:, None]
    absent = np.all(not_self, axis=1)
    not_self[absent, -1] = False
    shape = (n_queries, n_neighbors - 1)
    return distances[not_self].reshape(shape), indices[not_self].reshape(shape)


def query_batches(function, n_queries, row_bytes, n_jobs, *, min_batch=32):
    """Run ``function(batch_slice)`` over query batches, on threads.

    Batches fit in ``working_memory`` (``row_bytes`` per query) and are
    split so that every thread gets work; results come back in order.
    ``function`` must release the GIL for the threads to run in parallel.
    """
    n_threads = min(effective_n_jobs(n_jobs), max(1, n_queries // min_batch))
    max_batch = max(1, -(-n_queries // n_threads))
    batches = list(gen_row_batches(n_queries, row_bytes, max_batch_size=max_batch))
    if n_threads == 1 or len(batches) == 1:
        return [function(batch) for batch in batches]
    return Parallel(n_jobs=n_threads, prefer="threads", require="sharedmem")(
        delayed(function)(batch) for batch in batches
    )


def neighbors_graph(distances, indices, n_samples_fit, mode):
    """A CSR graph with each query's neighbours in increasing distance order.

    ``mode="distance"`` stores the distances, explicit zeros included (as
    scikit-learn's precomputed-metric consumers require); ``"connectivity"``
    stores ones.
    """
    n_queries, n_neighbors = indices.shape
    data = (
        np.ones(indices.size) if mode == "connectivity" else distances.ravel()
    ).astype(np.float64, copy=False)
    pointers = np.arange(0, n_queries * n_neighbors + 1, n_neighbors)
    return sp.csr_matrix(
        (data, indices.ravel(), pointers), shape=(n_queries, n_samples_fit)
    )


def radius_graph(distances, indices, n_samples_fit, mode):
    """A CSR graph from ragged radius-neighbour arrays (object arrays)."""
    lengths = np.fromiter((len(row) for row in indices), np.int64, len(indices))
    pointers = np.concatenate([[0], np.cumsum(lengths)])
    if len(indices):
        columns = np.concatenate(list(indices)).astype(np.int64)
        data = np.concatenate(list(distances)).astype(np.float64)
    else:
        columns, data = np.zeros(0, np.int64), np.zeros(0)
    if mode == "connectivity":
        data = np.ones_like(data)
    return sp.csr_matrix((data, columns, pointers), shape=(len(indices), n_samples_fit))


def check_n_neighbors_argument(value, default):
    """``n_neighbors`` as a query method got it: None gives ``default``."""
    if value is None:
        return default
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"n_neighbors must be an int, got {value!r}.")
    if value < 1:
        raise ValueError(f"n_neighbors must be >= 1, got {value}.")
    return int(value)


def check_radius_argument(value, default):
    """``radius`` as a query method got it: None gives ``default``."""
    if value is None:
        return default
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, Real)
        or not np.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"radius must be a finite number >= 0, got {value!r}.")
    return float(value)


def check_mode(mode):
    """A graph's ``mode``: "connectivity" or "distance"."""
    if not (isinstance(mode, str) and mode in ("connectivity", "distance")):
        raise ValueError(f"mode must be 'connectivity' or 'distance', got {mode!r}.")


def check_flag(name, value):
    """A boolean argument of a query method (``return_distance``, ...)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
