"""Scale-out on Dask: blockwise transforms, streaming fits, distributed counting.

Three one-call helpers over Dask collections, for data that outgrows one
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
  map-reduce, with the single-machine result.

dask-ml's ``Incremental`` and ``ParallelPostFit`` wrap our estimators too
(see the user guide, "Scaling out"); these helpers cover what those wrappers
get wrong for us (declared output shapes) or do not do (counting a corpus).
Requires the ``dask`` extra: ``pip install "sklearn-kexue[dask]"``.
"""

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

__all__ = ["count_cooccurrence_corpus", "partial_fit_blocks", "transform_blocks"]

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
