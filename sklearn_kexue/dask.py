"""Scale-out on Dask: blockwise transforms, streaming fits, distributed counting.

Three one-call helpers over Dask collections, for data that outgrows one
machine's memory (or one machine); they write no cluster code and run on
whatever scheduler is active (a ``dask.distributed.Client``, or Dask's local
threads by default):

- :func:`transform_blocks` applies a fitted estimator's ``transform`` (or
  ``predict``, ...) to each row block of a dask array, with exact output
  chunks and dtype, sparse blocks where the estimator returns sparse codes;
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

from collections import Counter
from functools import partial
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn import config_context, get_config
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

try:
    import dask
    import dask.array as da
    import dask.bag as db
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "sklearn_kexue.dask needs Dask: pip install 'sklearn-kexue[dask]'"
    ) from error

from sklearn_kexue.embedding import CooccurrenceVectorizer

__all__ = ["count_cooccurrence_corpus", "partial_fit_blocks", "transform_blocks"]


def _check_dask_array(X, name="X"):
    if not isinstance(X, da.Array):
        raise TypeError(f"{name} must be a dask array, got {type(X).__name__}.")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got {X.ndim} dimensions.")
    # Every block must hold whole rows.
    return X.rechunk({1: -1}) if len(X.chunks[1]) > 1 else X


def _apply(block, estimator, method, config):
    # Workers do not share the caller's scikit-learn configuration: restore it
    # (working_memory sizes the estimators' internal batches).
    with config_context(**config):
        return getattr(estimator, method)(block)


def transform_blocks(estimator, X, *, method="transform"):
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
        :class:`~sklearn_kexue.FlyHashTransformer`.
    X : dask.array.Array of shape (n_samples, n_features)
        Data, chunked along rows; column chunks are merged first.
    method : str, default="transform"
        The method to apply: "transform", "predict", "predict_proba",
        "decision_function", ...

    Returns
    -------
    result : dask.array.Array
        Lazy; 2-D with chunks ``(X.chunks[0], (n_outputs,))``, or 1-D with
        chunks ``(X.chunks[0],)`` for 1-D outputs such as ``predict``. Its
        blocks have the type the estimator returns: scipy CSR matrices for
        sparse codes (FlyHash and BioHash by default), NumPy arrays
        otherwise.

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
    >>> codes = transform_blocks(hasher, X)
    >>> codes.shape, codes.chunks[0]
    ((1000, 80), (250, 250, 250, 250))
    >>> result = codes.compute()  # sparse, as the hasher returns: 4 ones a row
    >>> result.format, int(result.sum(axis=1).min()), int(result.sum(axis=1).max())
    ('csr', 4, 4)
    """
    X = _check_dask_array(X)
    check_is_fitted(estimator)
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, got {type(method).__name__}.")
    if not callable(getattr(estimator, method, None)):
        raise AttributeError(
            f"{type(estimator).__name__} has no method {method!r} to apply."
        )
    # The output's type, dtype and width, from the estimator on one zero row
    # of the blocks' type (estimators may refuse an empty block).
    probe = getattr(estimator, method)(_zero_rows(X._meta, X.shape[1]))
    meta = probe[:0]
    kwargs = {
        "estimator": estimator,
        "method": method,
        "config": get_config(),
        "meta": meta,
    }
    if probe.ndim == 1:
        return X.map_blocks(_apply, drop_axis=1, chunks=(X.chunks[0],), **kwargs)
    return X.map_blocks(_apply, chunks=(X.chunks[0], (probe.shape[1],)), **kwargs)


def _zero_rows(meta, n_features):
    """One zero row of the type of a dask array's blocks."""
    if sp.issparse(meta):
        return sp.csr_matrix((1, n_features), dtype=meta.dtype)
    return np.zeros((1, n_features), dtype=meta.dtype)


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
    This is what ``dask_ml.wrappers.Incremental`` does, without its
    requirement of a ``score`` method and without cloning the estimator.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        Updated in place, for example a
        :class:`~sklearn_kexue.BioHashTransformer` or a
        :class:`~sklearn_kexue.GammaCrossEntropyClassifier`.
    X : dask.array.Array of shape (n_samples, n_features)
        Data, chunked along rows.
    y : dask.array.Array or array-like of shape (n_samples,), default=None
        Targets, split like ``X``'s rows.
    n_passes : int, default=1
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
    X = _check_dask_array(X)
    if not callable(getattr(estimator, "partial_fit", None)):
        raise AttributeError(f"{type(estimator).__name__} has no partial_fit.")
    if isinstance(n_passes, bool) or not isinstance(n_passes, Integral):
        raise TypeError(f"n_passes must be an int, got {n_passes!r}.")
    if n_passes < 1:
        raise ValueError(f"n_passes must be >= 1, got {n_passes}.")
    if y is not None:
        y = da.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries.")
        y = y.rechunk((X.chunks[0], *y.chunks[1:]))
    rng = check_random_state(random_state)
    n_blocks = X.numblocks[0]
    for _ in range(n_passes):
        order = rng.permutation(n_blocks) if shuffle_blocks else range(n_blocks)
        for index in order:
            if y is None:
                (block,) = dask.compute(X.blocks[index])
                estimator.partial_fit(block, **partial_fit_params)
            else:
                block, block_y = dask.compute(X.blocks[index], y.blocks[index])
                estimator.partial_fit(block, block_y, **partial_fit_params)
    return estimator


def _partition_word_counts(documents, vectorizer):
    """Map step: a partition's word counts (a Counter)."""
    return vectorizer._count_words(vectorizer._documents(list(documents)))


def _add_word_counts(partials):
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


def count_cooccurrence_corpus(
    vectorizer, corpus, *, fit=True, blocksize="32MiB", batch_tokens=250_000
):
    """Count a partitioned corpus's co-occurrences as a Dask map-reduce.

    Two passes over the corpus, each a map over its partitions and a tree
    reduction: the word counts (summed, then the vocabulary chosen by the
    rule of :meth:`CooccurrenceVectorizer.fit`), then each partition's V x V
    co-occurrence counts (summed). Counts are integers added exactly, so the
    result equals ``vectorizer.fit(documents).cooccurrence_matrix(documents)``
    on one machine, entry for entry (in float64; float32 counts are exact
    below 2**24). The reductions add two partial results at a time, so a
    worker holds one partition's documents and a few V x V counts at once.

    Parameters
    ----------
    vectorizer : CooccurrenceVectorizer
        The counting settings (window, tokenizer, min_count, ...). With
        ``fit=True`` it is fitted in place on the whole corpus; otherwise it
        must be fitted already and its vocabulary is used as it is.
    corpus : dask.bag.Bag, or list of str paths
        The documents: a bag of documents (str, or lists of tokens), or
        paths of text files holding one document per line (read with
        ``dask.bag.read_text``, split into partitions of ``blocksize``).
    fit : bool, default=True
        Learn the vocabulary and word counts from the corpus first.
    blocksize : str or int, default="32MiB"
        Partition size when ``corpus`` is a list of paths.
    batch_tokens : int, default=250_000
        Tokens counted at a time within a partition (see
        :meth:`CooccurrenceVectorizer.cooccurrence_matrix`): smaller batches
        use less worker memory.

    Returns
    -------
    counts : scipy.sparse.csr_matrix of shape (V, V)
        Entry (i, j), i != j: pairs of words i and j within the window;
        entry (i, i): the count of word i, as in
        :meth:`CooccurrenceVectorizer.cooccurrence_matrix`.

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
    if not isinstance(vectorizer, CooccurrenceVectorizer):
        raise TypeError(
            "vectorizer must be a CooccurrenceVectorizer, got "
            f"{type(vectorizer).__name__}."
        )
    if isinstance(corpus, (list, tuple)):
        if not all(isinstance(path, str) for path in corpus):
            raise TypeError("A list corpus must hold file paths (str).")
        corpus = db.read_text(list(corpus), blocksize=blocksize)
    if not isinstance(corpus, db.Bag):
        raise TypeError(
            "corpus must be a dask bag or a list of paths, got "
            f"{type(corpus).__name__}."
        )
    if fit:
        settings = clone(vectorizer)
        settings._validate_params()
        word_counts = corpus.reduction(
            partial(_partition_word_counts, vectorizer=settings),
            _add_word_counts,
            split_every=2,
        ).compute()
        vectorizer._set_vocabulary(word_counts)
        # As after fit: a later partial_fit starts from these counts.
        vectorizer.__dict__.pop("_stream_counts", None)
    else:
        check_is_fitted(vectorizer)
    return corpus.reduction(
        partial(
            _partition_cooccurrence, vectorizer=vectorizer, batch_tokens=batch_tokens
        ),
        _add_matrices,
        split_every=2,
    ).compute()
