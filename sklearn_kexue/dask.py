"""Scale-out on Dask: blockwise transforms, streaming fits, counting, sharded search.

Four one-call helpers over Dask collections, for data that outgrows one
machine's memory (or one machine); they write no cluster code and run on
whatever scheduler is active (a ``dask.distributed.Client``, or Dask's local
threads by default):

- :func:`transform_blocks` applies a fitted estimator's ``transform`` (or
  ``predict``, ...) to each row block of a dask array, with exact output
  chunks and dtype, and sparse codes as pydata ``sparse.COO`` blocks, which
  Dask reduces (``codes.sum(axis=0)``), slices and concatenates;
- :func:`partial_fit_blocks` streams a dask array's row blocks through
  ``partial_fit``, holding one block at a time;
- :func:`count_cooccurrence_corpus` fits a :class:`CooccurrenceVectorizer`'s
  vocabulary and counts a partitioned corpus's co-occurrences as a
  map-reduce, with the single-machine result;
- :func:`fit_shards` fits one nearest-neighbour index per row block of a
  dask array and keeps it on the workers; its :class:`ShardedNeighbors`
  answers queries with each shard's top k merged into the global top k,
  the single-machine answer.

dask-ml's ``Incremental`` and ``ParallelPostFit`` wrap our estimators too
(see the user guide, "Scaling out"); these helpers cover what those wrappers
get wrong for us (declared output shapes) or do not do (counting a corpus,
searching a sharded index).
Requires the ``dask`` extra: ``pip install "sklearn-kexue[dask]"``.
"""

import copy
import inspect
import os
from collections import Counter
from functools import partial
from numbers import Integral

import numpy as np
import scipy.sparse as sp
import sparse
from sklearn import config_context, get_config
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

try:
    import dask
    import dask.array as da
    import dask.bag as db
    from dask.array.utils import meta_from_array
    from dask.utils import parse_bytes
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "sklearn_kexue.dask needs Dask: pip install 'sklearn-kexue[dask]'"
    ) from error

from sklearn_kexue.embedding import CooccurrenceVectorizer
from sklearn_kexue.utils._param_validation import (
    RANDOM_STATE,
    HasMethods,
    Interval,
    StrOptions,
    estimator_errors_keep_their_names,
    validate_params,
)

__all__ = [
    "ShardedNeighbors",
    "count_cooccurrence_corpus",
    "fit_shards",
    "partial_fit_blocks",
    "transform_blocks",
]

# Methods whose output row i depends on input row i only: safe to map over blocks.
ROW_WISE_METHODS = (
    "transform",
    "inverse_transform",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score_samples",
)


def _check_instance(estimator, name="estimator"):
    if isinstance(estimator, type):
        raise TypeError(
            f"{name} must be an estimator instance, got the class "
            f"{estimator.__name__}; pass {estimator.__name__}() instead."
        )


def _has_unknown(sizes):
    return any(np.isnan(size) for size in sizes)


def _check_dask_array(X):
    """A 2-D dask array whose blocks hold whole rows."""
    if X.ndim != 2:
        raise ValueError(
            f"X must be a 2-D dask array (n_samples, n_features), got "
            f"{X.ndim} dimension(s)."
        )
    if X.dtype.kind not in "biufO":
        raise ValueError(f"X must hold numbers, got dtype {X.dtype}.")
    if len(X.chunks[1]) > 1:
        if _has_unknown(X.chunks[1]):
            raise ValueError(
                "X has column chunks of unknown size, which cannot be merged "
                "into whole rows; call X.compute_chunk_sizes() first."
            )
        return X.rechunk({1: -1})  # every block must hold whole rows
    return X


def _apply(block, estimator, method, config, empty, to_coo):
    if block.shape[0] == 0:
        return empty  # estimators refuse empty input; the in-memory call never sees it
    # Workers do not share the caller's scikit-learn configuration: restore it
    # (working_memory sizes the estimators' internal batches).
    with config_context(**config):
        result = getattr(estimator, method)(block)
    return sparse.COO.from_scipy_sparse(result) if to_coo else result


@validate_params(
    {
        "estimator": [HasMethods([method]) for method in ROW_WISE_METHODS],
        "X": [da.Array],
        "method": [StrOptions(set(ROW_WISE_METHODS))],
        "sparse_blocks": [StrOptions({"pydata", "scipy"})],
    },
    prefer_skip_nested_validation=False,
)
def transform_blocks(estimator, X, *, method="transform", sparse_blocks="pydata"):
    """Apply a fitted estimator to every row block of a dask array.

    Each block of rows is transformed independently (our transforms and
    predictions are row-wise), so the result equals the in-memory call row
    for row, bit for bit. Unlike ``dask_ml.wrappers.ParallelPostFit``, the
    output declares its true chunks: the input's row chunks and the
    estimator's output width. The scikit-learn configuration in effect when
    the graph is built (``working_memory``, ...) is restored around each
    block's call, on whichever worker runs it.

    Parameters
    ----------
    estimator : fitted estimator
        Any fitted estimator with the method ``method``, for example a
        :class:`~sklearn_kexue.FlyHashTransformer`. Its output must be a
        NumPy array or a SciPy sparse matrix (not a DataFrame from
        ``set_output(transform="pandas")``).
    X : dask.array.Array of shape (n_samples, n_features)
        Data, chunked along rows (row chunks of unknown size, as after
        boolean indexing, are fine; empty blocks give empty output blocks);
        column chunks are merged first.
    method : {"transform", "inverse_transform", "predict", "predict_proba", \
            "predict_log_proba", "decision_function", "score_samples"}, \
            default="transform"
        The method to apply. Only row-wise methods are accepted: a fitting
        method (``fit_transform``) would refit the model on every block.
    sparse_blocks : {"pydata", "scipy"}, default="pydata"
        The type of the output blocks when the method returns SciPy sparse
        matrices (the codes of FlyHash and BioHash by default); dense outputs
        are NumPy blocks either way.

        - ``"pydata"``: each block is converted to a ``sparse.COO`` array
          (the pydata ``sparse`` package), the sparse type Dask reduces,
          slices and concatenates natively: ``result.sum(axis=0)``,
          ``result.mean(axis=1)``, ``result[:10]``, ``da.concatenate``.
          ``result.compute()`` is a ``sparse.COO``; its ``.tocsr()`` is the
          in-memory call's CSR matrix.
        - ``"scipy"``: the blocks are the matrices the method returns (CSR
          for our hashers), and ``result.compute()`` is a CSR matrix. Dask
          slices and concatenates such blocks but cannot reduce them:
          ``result.sum(axis=0)`` raises a ``TypeError`` (``keepdims``) when
          the graph is built.

    Returns
    -------
    result : dask.array.Array
        Lazy; 2-D with chunks ``(X.chunks[0], (n_outputs,))``, or 1-D with
        chunks ``(X.chunks[0],)`` for 1-D outputs such as ``predict``, with
        the method's dtype. Its blocks (and its declared ``meta``) are
        ``sparse.COO`` arrays for sparse outputs, or SciPy sparse matrices
        with ``sparse_blocks="scipy"``; NumPy arrays for dense outputs.

    Raises
    ------
    TypeError
        If ``X`` is not a dask array, ``estimator`` is not an estimator
        instance with the method ``method``, or the method returns neither an
        array nor a sparse matrix.
    ValueError
        If ``method`` or ``sparse_blocks`` is not one of its options, ``X``
        is not 2-D or not numeric, or its number of columns is
        unknown or differs from the fitted model's (checked on one zero row
        when the graph is built). ``NotFittedError`` if ``estimator`` is not
        fitted.

    See Also
    --------
    partial_fit_blocks : Stream a dask array through ``partial_fit``.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn_kexue import FlyHashTransformer
    >>> from sklearn_kexue.dask import transform_blocks
    >>> X = da.random.default_rng(0).random((1000, 20), chunks=(250, 20))
    >>> hasher = FlyHashTransformer(hash_length=4, random_state=0)
    >>> hasher = hasher.fit(X[:250].compute())
    >>> codes = transform_blocks(hasher, X)  # lazy, sparse.COO blocks
    >>> codes.shape, codes.chunks[0]
    ((1000, 80), (250, 250, 250, 250))

    Dask reduces the sparse blocks: 4 ones a row, 4000 in all.

    >>> ones_per_row = codes.sum(axis=1).compute()
    >>> int(ones_per_row.min()), int(ones_per_row.max())
    (4, 4)
    >>> wins_per_unit = codes.sum(axis=0).compute()  # a sparse.COO of shape (80,)
    >>> wins_per_unit.shape, int(wins_per_unit.sum())
    ((80,), 4000)
    >>> codes[:10].compute().tocsr().format
    'csr'

    With ``sparse_blocks="scipy"`` the blocks are the hasher's CSR matrices:

    >>> transform_blocks(hasher, X, sparse_blocks="scipy").compute().format
    'csr'
    """
    return _transform_blocks(estimator, X, method, sparse_blocks)


def _transform_blocks(estimator, X, method, sparse_blocks):
    _check_instance(estimator)
    X = _check_dask_array(X)
    if _has_unknown(X.chunks[1]):
        raise ValueError(
            "X has an unknown number of columns; call X.compute_chunk_sizes() first."
        )
    check_is_fitted(estimator)
    if not callable(getattr(estimator, method, None)):
        available = [name for name in ROW_WISE_METHODS if hasattr(estimator, name)]
        raise TypeError(
            f"estimator {type(estimator).__name__} has no method {method!r}; "
            f"method must be one of its row-wise methods {available}."
        )
    # The output's type, dtype and width, from the estimator on one zero row
    # of the blocks' type (estimators may refuse an empty block).
    with estimator_errors_keep_their_names():
        probe = getattr(estimator, method)(_zero_rows(meta_from_array(X), X.shape[1]))
    if not (isinstance(probe, np.ndarray) or sp.issparse(probe)):
        raise TypeError(
            f"{type(estimator).__name__}.{method} returns {type(probe).__name__}, "
            "but the blocks of a dask array must be NumPy arrays or SciPy sparse "
            "matrices; with set_output(transform='pandas'), use "
            "set_output(transform='default') here."
        )
    if probe.ndim not in (1, 2):
        raise TypeError(
            f"{type(estimator).__name__}.{method} returns a {probe.ndim}-D array; "
            "transform_blocks maps methods with 1-D or 2-D outputs."
        )
    # Dask reduces pydata sparse blocks, not SciPy's matrices (no keepdims); the
    # meta tells it the blocks' type (and dtype) before any block is computed.
    to_coo = sp.issparse(probe) and sparse_blocks == "pydata"
    empty = sparse.COO.from_scipy_sparse(probe[:0]) if to_coo else probe[:0]
    kwargs = {
        "estimator": estimator,
        "method": method,
        "config": get_config(),
        "empty": empty,
        "to_coo": to_coo,
        "meta": empty,
    }
    if probe.ndim == 1:
        return X.map_blocks(_apply, drop_axis=1, chunks=(X.chunks[0],), **kwargs)
    return X.map_blocks(_apply, chunks=(X.chunks[0], (probe.shape[1],)), **kwargs)


def _zero_rows(meta, n_features):
    """One zero row of the type of a dask array's blocks."""
    if sp.issparse(meta):
        return sp.csr_matrix((1, n_features), dtype=meta.dtype)
    return np.zeros((1, n_features), dtype=meta.dtype)


def _check_partial_fit_call(estimator, y_missing, partial_fit_params):
    """Catch a missing ``y`` or an unknown keyword before any block is computed."""
    try:
        signature = inspect.signature(estimator.partial_fit)
    except (TypeError, ValueError):  # pragma: no cover - builtins, C extensions
        return
    parameters = signature.parameters
    y = parameters.get("y")
    if y_missing and y is not None and y.default is inspect.Parameter.empty:
        raise ValueError(
            f"{type(estimator).__name__}.partial_fit needs targets: pass y."
        )
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(set(partial_fit_params) - set(parameters))
    if unknown:
        raise TypeError(
            f"{type(estimator).__name__}.partial_fit has no parameter(s) {unknown}."
        )


def _paired_blocks(X, y):
    """Pairs of (X block, y block), y split like X's rows."""
    if not isinstance(y, da.Array):
        y = da.asarray(y)
    if y.ndim not in (1, 2):
        raise ValueError(
            f"y must be 1-D (n_samples,) or 2-D (n_samples, n_outputs), got "
            f"{y.ndim} dimension(s)."
        )
    unknown_X, unknown_y = _has_unknown(X.chunks[0]), _has_unknown(y.chunks[0])
    if not (unknown_X or unknown_y):
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries.")
        y = y.rechunk((X.chunks[0], *y.chunks[1:]))
    elif y.numblocks[0] != X.numblocks[0]:
        # Row counts unknown (after boolean indexing, say): blocks can only be
        # paired one to one, as they are when X and y were indexed alike.
        raise ValueError(
            "X or y has row chunks of unknown size, and their numbers of row "
            f"blocks differ ({X.numblocks[0]} and {y.numblocks[0]}); call "
            "compute_chunk_sizes() on them first."
        )
    return [(X.blocks[index], y.blocks[index]) for index in range(X.numblocks[0])]


@validate_params(
    {
        "estimator": [HasMethods(["partial_fit"])],
        "X": [da.Array],
        "y": ["array-like", None],
        "n_passes": [Interval(Integral, 1, None, closed="left")],
        "shuffle_blocks": ["boolean"],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=False,
)
def partial_fit_blocks(
    estimator,
    X,
    y=None,
    *,
    n_passes=1,
    shuffle_blocks=False,
    random_state=None,
    **partial_fit_params,
):
    """Stream the row blocks of a dask array through ``partial_fit``.

    Blocks are computed one at a time (on the active Dask scheduler) and
    passed to ``estimator.partial_fit`` in order, so memory holds the model
    and one block: the same calls as ``for block in blocks:
    estimator.partial_fit(block)`` on in-memory data, hence the same model.
    Empty blocks (as boolean indexing leaves) are skipped. This is what
    ``dask_ml.wrappers.Incremental`` does, without its requirement of a
    ``score`` method and without cloning the estimator.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        Updated in place, for example a
        :class:`~sklearn_kexue.BioHashTransformer` or a
        :class:`~sklearn_kexue.GammaCrossEntropyClassifier`.
    X : dask.array.Array of shape (n_samples, n_features)
        Data, chunked along rows.
    y : dask.array.Array or array-like of shape (n_samples,), default=None
        Targets, split like ``X``'s rows. Required when ``partial_fit``
        requires it. With row chunks of unknown size, ``y`` must be a dask
        array with as many row blocks as ``X`` (as when both were indexed
        by the same mask); each pair of blocks must then hold as many rows.
    n_passes : int >= 1, default=1
        Passes over the blocks.
    shuffle_blocks : bool, default=False
        Visit the blocks in a fresh random order each pass.
    random_state : int, RandomState instance or None, default=None
        Seeds the block order when ``shuffle_blocks``.
    **partial_fit_params : dict
        Passed to every ``partial_fit`` call (for example ``classes=``).

    Returns
    -------
    estimator : object
        The updated estimator.

    Raises
    ------
    TypeError
        If ``X`` is not a dask array, ``estimator`` not an estimator instance
        with ``partial_fit``, or a keyword is not one of ``partial_fit``'s.
    ValueError
        If ``X`` is not 2-D or has no rows, ``y`` is missing where
        ``partial_fit`` requires it or does not match ``X``'s rows, or
        ``n_passes`` is not a positive int.

    See Also
    --------
    transform_blocks : Apply a fitted estimator blockwise.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn_kexue import BioHashTransformer
    >>> from sklearn_kexue.dask import partial_fit_blocks
    >>> X = da.random.default_rng(0).random((400, 8), chunks=(100, 8))
    >>> model = BioHashTransformer(n_components=16, hash_length=2, random_state=0)
    >>> model = partial_fit_blocks(model, X, n_passes=2)
    >>> model.components_.shape
    (16, 8)
    """
    return _partial_fit_blocks(
        estimator, X, y, n_passes, shuffle_blocks, random_state, partial_fit_params
    )


def _partial_fit_blocks(
    estimator, X, y, n_passes, shuffle_blocks, random_state, partial_fit_params
):
    _check_instance(estimator)
    X = _check_dask_array(X)
    _check_partial_fit_call(estimator, y is None, partial_fit_params)
    if y is None:
        blocks = [(X.blocks[index], None) for index in range(X.numblocks[0])]
    else:
        blocks = _paired_blocks(X, y)
    rng = check_random_state(random_state)
    n_rows = 0
    for _ in range(n_passes):
        order = rng.permutation(len(blocks)) if shuffle_blocks else range(len(blocks))
        for index in order:
            X_block, y_block = blocks[index]
            if y_block is None:
                (block,) = dask.compute(X_block)
                args = (block,)
            else:
                block, block_y = dask.compute(X_block, y_block)
                if block_y.shape[0] != block.shape[0]:
                    raise ValueError(
                        f"Row block {index} of X has {block.shape[0]} rows but "
                        f"y's has {block_y.shape[0]} entries."
                    )
                args = (block, block_y)
            if block.shape[0] == 0:
                continue
            n_rows += block.shape[0]
            with estimator_errors_keep_their_names():
                estimator.partial_fit(*args, **partial_fit_params)
        if n_rows == 0:
            raise ValueError("X has no rows: there is nothing to fit.")
    return estimator


def _partition_token_counts(documents, vectorizer):
    """Map step: a partition's token counts (a Counter)."""
    return vectorizer.token_counts(list(documents))


def _add_token_counts(partials):
    total = Counter()
    for counts in partials:
        total.update(counts)
    return total


def _partition_cooccurrence(documents, vectorizer, batch_tokens):
    """Map step: a partition's V x V co-occurrence counts."""
    return vectorizer.cooccurrence_matrix(documents, batch_tokens=batch_tokens)


def _add_matrices(partials):
    total = None
    for counts in partials:
        total = counts if total is None else total + counts
    return total


def _check_paths(corpus):
    if not corpus:
        raise ValueError("corpus is an empty list: it must hold file paths.")
    for path in corpus:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                "A list corpus must hold file paths (str or os.PathLike), got "
                f"{type(path).__name__} {path!r}."
            )
    return [os.fspath(path) for path in corpus]


def _check_blocksize(blocksize):
    """Bytes per partition (None: one per file); a clear error otherwise."""
    if not isinstance(blocksize, str):
        return blocksize
    try:
        size = parse_bytes(blocksize) if blocksize.strip() else 0
    except ValueError:
        size = 0
    if size < 1:
        raise ValueError(
            f"blocksize={blocksize!r} must be a positive number of bytes, such "
            "as 33554432 or '32MiB'."
        )
    return size


@validate_params(
    {
        "vectorizer": [CooccurrenceVectorizer],
        "corpus": [db.Bag, list, tuple],
        "fit": ["boolean"],
        "blocksize": [Interval(Integral, 1, None, closed="left"), str, None],
        "batch_tokens": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=False,
)
def count_cooccurrence_corpus(
    vectorizer, corpus, *, fit=True, blocksize="32MiB", batch_tokens=250_000
):
    """Count a partitioned corpus's co-occurrences as a Dask map-reduce.

    Two passes over the corpus, each a map over its partitions and a tree
    reduction, through the vectorizer's public methods: the token counts
    (:meth:`~sklearn_kexue.embedding.CooccurrenceVectorizer.token_counts`,
    summed, then the vocabulary chosen by
    :meth:`~sklearn_kexue.embedding.CooccurrenceVectorizer.fit_token_counts`),
    then each partition's V x V co-occurrence counts
    (:meth:`~sklearn_kexue.embedding.CooccurrenceVectorizer.cooccurrence_matrix`,
    summed). Counts are integers added exactly, so the result equals
    ``vectorizer.fit(documents).cooccurrence_matrix(documents)`` on one
    machine, entry for entry (in float64; float32 counts are exact below
    2**24). The reductions add two partial results at a time, so a worker
    holds one partition's documents and a few V x V counts at once.

    Parameters
    ----------
    vectorizer : CooccurrenceVectorizer
        The counting settings (window, tokenizer, min_count, ...). With
        ``fit=True`` it is fitted in place on the whole corpus; otherwise it
        must be fitted already and its vocabulary is used as it is.
    corpus : dask.bag.Bag, or list of paths
        The documents: a bag of documents (str, or lists of tokens), or a
        non-empty list of paths (str or ``os.PathLike``) of text files
        holding one document per line (read with ``dask.bag.read_text``,
        split into partitions of ``blocksize``).
    fit : bool, default=True
        Learn the vocabulary and word counts from the corpus first.
    blocksize : int, str or None, default="32MiB"
        Partition size in bytes when ``corpus`` is a list of paths: a
        positive int or a string such as ``"32MiB"``; None reads each file
        as one partition.
    batch_tokens : int >= 1, default=250_000
        Tokens counted at a time within a partition (see
        :meth:`~sklearn_kexue.embedding.CooccurrenceVectorizer.cooccurrence_matrix`):
        smaller batches use less worker memory.

    Returns
    -------
    counts : scipy.sparse.csr_matrix of shape (V, V)
        Entry (i, j), i != j: pairs of words i and j within the window;
        entry (i, i): the count of word i, as in
        :meth:`~sklearn_kexue.embedding.CooccurrenceVectorizer.cooccurrence_matrix`.

    Raises
    ------
    TypeError
        If ``vectorizer`` is not a
        :class:`~sklearn_kexue.embedding.CooccurrenceVectorizer`, or
        ``corpus`` neither a dask bag nor a list of paths.
    ValueError
        If a parameter is out of range (checked before any pass over the
        corpus), the list of paths is empty, or no word is kept (an empty
        corpus, or ``min_count`` above every count). ``NotFittedError`` if
        ``fit=False`` and ``vectorizer`` is not fitted.

    See Also
    --------
    sklearn_kexue.embedding.CooccurrenceVectorizer : The single-machine count.

    Examples
    --------
    >>> import dask.bag as db
    >>> from sklearn_kexue.dask import count_cooccurrence_corpus
    >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
    >>> documents = ["the cat sat", "the cat ran", "a dog ran", "the dog sat"]
    >>> corpus = db.from_sequence(documents, npartitions=2)
    >>> vectorizer = CooccurrenceVectorizer(window=1)
    >>> counts = count_cooccurrence_corpus(vectorizer, corpus)
    >>> (counts != vectorizer.fit(documents).cooccurrence_matrix(documents)).nnz
    0
    """
    return _count_cooccurrence_corpus(vectorizer, corpus, fit, blocksize, batch_tokens)


def _count_cooccurrence_corpus(vectorizer, corpus, fit, blocksize, batch_tokens):
    blocksize = _check_blocksize(blocksize)
    if isinstance(corpus, (list, tuple)):
        corpus = db.read_text(_check_paths(corpus), blocksize=blocksize)
    if fit:
        # The settings alone travel to the workers, not a fitted vocabulary.
        settings = clone(vectorizer)
        with estimator_errors_keep_their_names():
            settings.token_counts([])  # checks the parameters before any pass
        token_counts = corpus.reduction(
            partial(_partition_token_counts, vectorizer=settings),
            _add_token_counts,
            split_every=2,
        ).compute()
        with estimator_errors_keep_their_names():
            vectorizer.fit_token_counts(token_counts)
    else:
        check_is_fitted(vectorizer)
    with estimator_errors_keep_their_names():
        return corpus.reduction(
            partial(
                _partition_cooccurrence,
                vectorizer=vectorizer,
                batch_tokens=batch_tokens,
            ),
            _add_matrices,
            split_every=2,
        ).compute()


# ---------------------------------------------------------------- sharded search


def _parameter_copy(estimator):
    """An unfitted copy with the same parameter values, fitted ones kept.

    ``sklearn.base.clone`` clones estimator-valued parameters too, which would
    unfit a fitted hasher given to ``HashingNeighborsTransformer``: every
    shard would then fit its own hasher, and the shards' codes would differ.
    """
    params = copy.deepcopy(estimator.get_params(deep=False))
    return type(estimator)(**params)


def _fit_shard(estimator, block, config):
    with config_context(**config):
        return estimator.fit(block)


def _fitted_rows(estimator):
    """The rows a fitted shard holds, where the estimator says (else None)."""
    rows = getattr(estimator, "n_samples_fit_", None)
    return None if rows is None else int(rows)


def _n_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


def _shard_kneighbors(estimator, queries, n_neighbors, config):
    """A shard's top ``n_neighbors`` (distances, local indices) of each query."""
    if _n_rows(queries) == 0:
        return np.zeros((0, n_neighbors)), np.zeros((0, n_neighbors), np.int64)
    with config_context(**config):
        distances, indices = estimator.kneighbors(
            queries, n_neighbors=n_neighbors, return_distance=True
        )
    return np.asarray(distances), np.asarray(indices)


def _merge_top_k(parts, starts, n_neighbors):
    """The global top-k of the shards' answers, by (distance, global index)."""
    distances = np.concatenate([part[0] for part in parts], axis=1)
    indices = np.concatenate(
        [part[1].astype(np.int64) + start for part, start in zip(parts, starts)],
        axis=1,
    )
    if distances.shape[0] == 0:
        return distances[:, :n_neighbors], indices[:, :n_neighbors]
    # lexsort sorts by its last key first: distance, then the global row.
    order = np.lexsort((indices, distances), axis=1)[:, :n_neighbors]
    return (
        np.take_along_axis(distances, order, axis=1),
        np.take_along_axis(indices, order, axis=1),
    )


class ShardedNeighbors:
    """A nearest-neighbour index sharded over Dask workers.

    Returned by :func:`fit_shards`, which builds it: one fitted copy of a
    nearest-neighbour estimator per row block of a dask array, persisted on
    the active Dask scheduler (on the workers of a ``dask.distributed``
    cluster, where the shards stay while this object holds them). Queries
    are answered by :meth:`kneighbors`: each shard's top k on its worker,
    merged into the global top k.

    Parameters
    ----------
    estimator : estimator with ``fit`` and ``kneighbors``
        The estimator whose copies were fitted (left unfitted); its
        ``n_neighbors`` parameter is the default of :meth:`kneighbors`.
    shards : list of dask.delayed.Delayed
        The fitted copies, persisted, one per non-empty row block, in row
        order.
    shard_sizes : sequence of int
        The number of rows of each shard.

    Attributes
    ----------
    estimator : estimator
        The estimator given.
    shards_ : list of dask.delayed.Delayed
        The persisted, fitted copies (futures on a ``dask.distributed``
        cluster; ``shard.compute()`` brings one back).
    shard_sizes_ : ndarray of shape (n_shards,)
        Rows per shard.
    shard_starts_ : ndarray of shape (n_shards,)
        The global index of each shard's first row.
    n_samples_fit_ : int
        Rows over all shards.

    See Also
    --------
    fit_shards : Build a sharded index over a dask array.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn_kexue.dask import fit_shards
    >>> from sklearn_kexue.neighbors import HammingNeighbors
    >>> codes = da.random.default_rng(0).integers(0, 2, (300, 16), chunks=(100, 16))
    >>> sharded = fit_shards(HammingNeighbors(n_neighbors=3), codes)
    >>> sharded
    ShardedNeighbors(HammingNeighbors(n_neighbors=3), n_shards=3, n_samples_fit=300)
    >>> sharded.shard_starts_
    array([  0, 100, 200])
    """

    def __init__(self, estimator, shards, shard_sizes):
        self.estimator = estimator
        self.shards_ = list(shards)
        self.shard_sizes_ = np.asarray(shard_sizes, dtype=np.int64)
        if len(self.shards_) != len(self.shard_sizes_):
            raise ValueError(
                f"{len(self.shards_)} shards but {len(self.shard_sizes_)} sizes."
            )
        self.shard_starts_ = np.concatenate(([0], np.cumsum(self.shard_sizes_)[:-1]))
        self.n_samples_fit_ = int(self.shard_sizes_.sum())

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.estimator!r}, "
            f"n_shards={len(self.shards_)}, n_samples_fit={self.n_samples_fit_})"
        )

    @validate_params(
        {
            "X": [da.Array, "array-like", "sparse matrix"],
            "n_neighbors": [Interval(Integral, 1, None, closed="left"), None],
            "return_distance": ["boolean"],
        },
        prefer_skip_nested_validation=False,
    )
    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        """The nearest rows of all shards to each query: the global top k.

        Each shard answers every query with its own ``min(n_neighbors,
        rows)`` nearest rows (on the worker that holds it); its indices are
        offset by the shard's first global row, and the answers are merged
        by (distance, global index) in lexicographic order. When the
        estimator breaks ties by the lowest index (as
        :class:`~sklearn_kexue.neighbors.HammingNeighbors` and
        :class:`~sklearn_kexue.neighbors.HashingNeighborsTransformer` do),
        each shard's answer is its lexicographic top k, so the merged answer
        is exactly the one of the estimator fitted on all rows, ties
        included.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape \
                (n_queries, n_features)
            Queries. An in-memory array is sent to every shard as one
            block; a dask array is searched block by block (its row chunks
            may be of unknown size), each block by every shard, and merged
            on the workers. To query the fitted rows, pass them: each row
            then finds itself among its nearest (the estimators' ``X=None``,
            which leaves each row out of its own neighbours, is not
            offered).
        n_neighbors : int, default=None
            Neighbours per query, at most ``n_samples_fit_``; the
            estimator's ``n_neighbors`` if None.
        return_distance : bool, default=True
            Whether to return the distances too.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors)
            Distances, as the shards return them, increasing along each
            row. Only present if ``return_distance=True``.
        neigh_ind : ndarray of shape (n_queries, n_neighbors)
            Global row indices (int64) of the neighbours.

        Raises
        ------
        ValueError
            If ``n_neighbors`` is not a positive int, exceeds the rows of
            all shards, or is None while the estimator has no
            ``n_neighbors`` parameter; if a dask ``X`` is not 2-D and
            numeric. The shards' own errors (a wrong number of features)
            are raised as they raise them.
        """
        if n_neighbors is None:
            n_neighbors = self.estimator.get_params(deep=False).get("n_neighbors")
            if n_neighbors is None:
                raise ValueError(
                    f"{type(self.estimator).__name__} has no n_neighbors "
                    "parameter: pass n_neighbors."
                )
        if n_neighbors > self.n_samples_fit_:
            raise ValueError(
                f"n_neighbors={n_neighbors} is more than the "
                f"{self.n_samples_fit_} rows of the shards."
            )
        if isinstance(X, da.Array):
            blocks = list(_check_dask_array(X).to_delayed()[:, 0])
        else:
            blocks = [dask.delayed(X)]
        config = get_config()
        wanted = [min(n_neighbors, int(size)) for size in self.shard_sizes_]
        merged = [
            dask.delayed(_merge_top_k)(
                [
                    dask.delayed(_shard_kneighbors)(shard, block, k, config)
                    for shard, k in zip(self.shards_, wanted)
                ],
                self.shard_starts_,
                n_neighbors,
            )
            for block in blocks
        ]
        with estimator_errors_keep_their_names():
            answers = dask.compute(*merged)
        distances = np.concatenate([answer[0] for answer in answers])
        indices = np.concatenate([answer[1] for answer in answers])
        return (distances, indices) if return_distance else indices


@validate_params(
    {"estimator": [HasMethods(["fit", "kneighbors"])], "X": [da.Array]},
    prefer_skip_nested_validation=False,
)
def fit_shards(estimator, X):
    """Fit one nearest-neighbour index per row block of a dask array.

    A database sharded over workers: each row block of ``X`` gets its own
    copy of ``estimator``, fitted on the worker that computes the block and
    kept there (``dask.persist`` on the active scheduler: the workers'
    memory of a ``dask.distributed`` cluster, or this process with Dask's
    local threads). The returned :class:`ShardedNeighbors` answers queries
    with each shard's top k, merged into the global top k by (distance,
    global row); for estimators that break ties by the lowest row index,
    such as :class:`~sklearn_kexue.neighbors.HammingNeighbors`, that is
    exactly the answer of ``estimator`` fitted on all rows, ties included.
    The scikit-learn configuration in effect (``working_memory``, ...) is
    restored around every fit and query, on whichever worker runs it.

    The copies take ``estimator``'s parameters as they are (unlike
    ``sklearn.base.clone``, a fitted estimator given as a parameter stays
    fitted). This matters for
    :class:`~sklearn_kexue.neighbors.HashingNeighborsTransformer`: given an
    unfitted hasher, each shard would fit its own on its rows (the means
    and hyperplanes of ``SignRandomProjection`` would differ from shard to
    shard), so the candidates would not be those of one machine. Pass a
    hasher fitted once (on a sample, say), which every shard then uses as
    it is; with ``n_candidates`` at least the rows of the largest shard,
    the re-ranking is exact on every shard and the merged answer is the
    exact k nearest neighbours.

    Parameters
    ----------
    estimator : estimator with ``fit`` and ``kneighbors``
        A nearest-neighbour index whose ``kneighbors(X, n_neighbors,
        return_distance=True)`` returns (distances, row indices), such as
        :class:`~sklearn_kexue.neighbors.HammingNeighbors`,
        :class:`~sklearn_kexue.neighbors.HashingNeighborsTransformer` or
        :class:`sklearn.neighbors.NearestNeighbors`. It is not modified.
    X : dask.array.Array of shape (n_samples, n_features)
        The database, chunked along rows: one shard per non-empty row
        block; column chunks are merged first. Row chunk sizes must be
        known (the shards' global row offsets come from them).

    Returns
    -------
    sharded : ShardedNeighbors
        The shards, fitted and persisted; ``sharded.kneighbors(queries)``
        searches them.

    Raises
    ------
    TypeError
        If ``X`` is not a dask array or ``estimator`` is not an estimator
        instance with ``fit`` and ``kneighbors``.
    ValueError
        If ``X`` is not 2-D or not numeric, has row chunks of unknown size
        (call ``X.compute_chunk_sizes()`` first) or no rows, or a fitted
        shard holds another number of rows than its block. The
        estimator's own errors in ``fit`` are raised as it raises them.

    See Also
    --------
    ShardedNeighbors.kneighbors : Search the shards.
    transform_blocks : Apply a fitted estimator blockwise.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn_kexue.dask import fit_shards
    >>> from sklearn_kexue.neighbors import HammingNeighbors
    >>> codes = da.random.default_rng(0).integers(0, 2, (500, 12), chunks=(150, 12))
    >>> queries = codes[:5].compute()
    >>> sharded = fit_shards(HammingNeighbors(n_neighbors=4), codes)
    >>> distances, indices = sharded.kneighbors(queries)
    >>> indices.shape
    (5, 4)

    The single-machine answer, ties included:

    >>> single = HammingNeighbors(n_neighbors=4).fit(codes.compute())
    >>> expected_distances, expected_indices = single.kneighbors(queries)
    >>> bool(np.array_equal(indices, expected_indices))
    True
    >>> bool(np.array_equal(distances, expected_distances))
    True

    Approximate search of real vectors: every shard must hash with one
    hasher, fitted once and passed fitted.

    >>> from sklearn.neighbors import NearestNeighbors
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.neighbors import HashingNeighborsTransformer
    >>> X = da.random.default_rng(1).normal(size=(400, 8), chunks=(100, 8))
    >>> hasher = SignRandomProjection(n_components=64, random_state=0)
    >>> hasher = hasher.fit(X[:100].compute())  # fitted once, shared
    >>> search = HashingNeighborsTransformer(hasher, n_candidates=100)
    >>> indices = fit_shards(search, X).kneighbors(X[:5], 3, return_distance=False)
    >>> exact = NearestNeighbors(n_neighbors=3).fit(X.compute())
    >>> bool(np.array_equal(indices, exact.kneighbors(X[:5].compute())[1]))
    True
    """
    return _fit_shards(estimator, X)


def _fit_shards(estimator, X):
    _check_instance(estimator)
    X = _check_dask_array(X)
    if _has_unknown(X.chunks[0]):
        raise ValueError(
            "X has row chunks of unknown size (as after boolean indexing), "
            "but the shards' global row offsets come from them; call "
            "X.compute_chunk_sizes() first."
        )
    sizes = [int(size) for size in X.chunks[0]]
    if sum(sizes) == 0:
        raise ValueError("X has no rows: there is nothing to fit.")
    config = get_config()
    blocks = X.to_delayed()[:, 0]
    shards = [
        dask.delayed(_fit_shard)(_parameter_copy(estimator), block, config)
        for block, size in zip(blocks, sizes)
        if size > 0
    ]
    sizes = [size for size in sizes if size > 0]
    with estimator_errors_keep_their_names():
        shards = list(dask.persist(*shards))
        # Wait for the fits (on a cluster, persist returns at once), so that
        # their errors are raised here, and check the rows each shard holds.
        fitted = dask.compute(*[dask.delayed(_fitted_rows)(s) for s in shards])
    for index, (rows, size) in enumerate(zip(fitted, sizes)):
        if rows is not None and rows != size:
            raise ValueError(
                f"Shard {index} holds {rows} rows but its block has {size}: "
                "the estimator must keep every row it is fitted on."
            )
    return ShardedNeighbors(estimator, shards, sizes)
