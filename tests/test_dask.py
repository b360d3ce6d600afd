"""sklearn_kexue.dask: blockwise transforms, streaming fits, counting, sharded search.

Most tests run on Dask's default (threaded) scheduler; the few marked
``distributed`` start a real ``LocalCluster`` of two worker processes on the
loopback interface, shared by the module.
"""

import pickle
from itertools import pairwise

import numpy as np
import pytest
import scipy.sparse as sp
import sparse

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
db = pytest.importorskip("dask.bag")

from sklearn import config_context, get_config  # noqa: E402
from sklearn.base import BaseEstimator, TransformerMixin, clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sklearn_kexue import (  # noqa: E402
    BioHashTransformer,
    FlyHashTransformer,
    GammaCrossEntropyClassifier,
    LinearAutoencoder,
    MiniBatchLinearAutoencoder,
    SignRandomProjection,
    SimplerGlove,
)
from sklearn_kexue.dask import (  # noqa: E402
    ShardedNeighbors,
    count_cooccurrence_corpus,
    fit_shards,
    partial_fit_blocks,
    transform_blocks,
)
from sklearn_kexue.embedding import CooccurrenceVectorizer  # noqa: E402
from sklearn_kexue.neighbors import (  # noqa: E402
    HammingNeighbors,
    HashingNeighborsTransformer,
)

CHUNKS = (100, 100, 57, 143)


def _digits():
    X, y = load_digits(return_X_y=True)
    return (X[:400] / 16).astype(np.float32), y[:400]


def _blocks(X, chunks):
    edges = np.cumsum((0, *chunks))
    return [X[start:stop] for start, stop in pairwise(edges)]


def _assert_same(result, expected, sparse_blocks="pydata"):
    """``result`` of transform_blocks equals ``expected``, of the in-memory call.

    SciPy sparse outputs come back as ``sparse.COO`` (the default
    ``sparse_blocks="pydata"``) or as the SciPy format (``"scipy"``).
    """
    if sp.issparse(expected) and sparse_blocks == "pydata":
        assert isinstance(result, sparse.COO), type(result)
        assert result.shape == expected.shape and result.dtype == expected.dtype
        np.testing.assert_array_equal(result.todense(), expected.toarray())
        # .tocsr() gives back the in-memory call's matrix, bit for bit.
        np.testing.assert_array_equal(result.tocsr().toarray(), expected.toarray())
    elif sp.issparse(expected):
        assert sp.issparse(result) and result.format == expected.format
        assert result.dtype == expected.dtype
        np.testing.assert_array_equal(result.toarray(), expected.toarray())
    else:
        assert isinstance(result, np.ndarray) and result.dtype == expected.dtype
        np.testing.assert_array_equal(result, expected)


# Compiled kernels with a fixed order of additions: a block's rows get the same
# bits as in the whole. A BLAS product's last bit may depend on the number of
# rows it is called with, so the others equal the in-memory call block by block.
ROW_EXACT = [
    FlyHashTransformer(hash_length=8, random_state=0),
    FlyHashTransformer(hash_length=8, sparse_output=False, random_state=0),
    BioHashTransformer(n_components=40, hash_length=4, max_iter=3, random_state=0),
]
TRANSFORMERS = [
    *ROW_EXACT,
    SignRandomProjection(n_components=24, random_state=0),
    SignRandomProjection(n_components=24, packed_output=True, random_state=0),
    LinearAutoencoder(n_components=5, random_state=0),
]


def _blockwise(method, X, chunks):
    parts = [method(block) for block in _blocks(X, chunks)]
    return (
        sp.vstack(parts, format="csr")
        if sp.issparse(parts[0])
        else np.concatenate(parts)
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=repr)
def test_transform_blocks_equals_in_memory(transformer):
    X, _ = _digits()
    model = clone(transformer).fit(X)
    expected = model.transform(X)
    lazy = transform_blocks(model, da.from_array(X, chunks=(CHUNKS, 64)))
    assert lazy.chunks == (CHUNKS, (expected.shape[1],))
    assert lazy.dtype == expected.dtype
    result = lazy.compute()
    _assert_same(result, _blockwise(model.transform, X, CHUNKS))
    if transformer in ROW_EXACT:
        _assert_same(result, expected)
    else:
        dense = result.todense() if isinstance(result, sparse.COO) else result
        expected = expected.toarray() if sp.issparse(expected) else expected
        np.testing.assert_allclose(dense, expected, rtol=1e-5, atol=1e-6)
    # A block is computed alone, with its true shape.
    assert lazy.blocks[2].compute().shape == (57, expected.shape[1])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_transform_blocks_methods_and_column_chunks():
    X, y = _digits()
    model = GammaCrossEntropyClassifier().fit(X, y)
    lazy_X = da.from_array(X, chunks=(CHUNKS, 16))  # several column chunks
    predictions = transform_blocks(model, lazy_X, method="predict")
    assert predictions.chunks == (CHUNKS,)
    _assert_same(predictions.compute(), _blockwise(model.predict, X, CHUNKS))
    np.testing.assert_array_equal(predictions.compute(), model.predict(X))
    probabilities = transform_blocks(model, lazy_X, method="predict_proba")
    assert probabilities.chunks == (CHUNKS, (10,))
    result = probabilities.compute()
    _assert_same(result, _blockwise(model.predict_proba, X, CHUNKS))
    np.testing.assert_allclose(result, model.predict_proba(X), rtol=1e-5)


def test_transform_blocks_sparse_input_blocks():
    X, _ = _digits()
    model = FlyHashTransformer(hash_length=8, random_state=0).fit(X)
    lazy = da.from_array(X, chunks=(CHUNKS, 64)).map_blocks(sp.csr_matrix)
    _assert_same(transform_blocks(model, lazy).compute(), model.transform(X))


def test_transform_blocks_simpler_glove_contexts():
    rng = np.random.default_rng(0)
    X = rng.poisson(0.6, size=(300, 12)).astype(np.float64)
    model = SimplerGlove(n_components=3, max_iter=5, tol=0, random_state=0).fit(X)
    lazy = transform_blocks(model, da.from_array(X, chunks=(75, 12)))
    _assert_same(lazy.compute(), model.transform(X))


class _WorkingMemoryEcho(TransformerMixin, BaseEstimator):
    """Returns, for every row, the working_memory its transform call saw."""

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def transform(self, X):
        return np.full((X.shape[0], 1), float(get_config()["working_memory"]))


def test_transform_blocks_carries_the_scikit_learn_configuration():
    lazy = da.zeros((40, 3), chunks=10)
    echo = _WorkingMemoryEcho().fit(np.zeros((1, 3)))
    with config_context(working_memory=77):
        lazy_codes = transform_blocks(echo, lazy)
    # Computed outside the context, on Dask's worker threads.
    np.testing.assert_array_equal(lazy_codes.compute(), np.full((40, 1), 77.0))


def test_transform_blocks_errors():
    X, _ = _digits()
    with pytest.raises(TypeError, match="'X' parameter of transform_blocks"):
        transform_blocks(FlyHashTransformer().fit(X), X)
    with pytest.raises(ValueError, match="2-D"):
        transform_blocks(FlyHashTransformer().fit(X), da.zeros(10))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        transform_blocks(FlyHashTransformer(), da.from_array(X))
    with pytest.raises(ValueError, match="'method' parameter of transform_blocks"):
        transform_blocks(FlyHashTransformer().fit(X), da.from_array(X), method=None)
    with pytest.raises(TypeError, match="no method 'predict'"):
        transform_blocks(
            FlyHashTransformer().fit(X), da.from_array(X), method="predict"
        )


def test_transform_blocks_refuses_fitting_and_non_array_methods():
    X, _ = _digits()
    hasher = FlyHashTransformer(hash_length=8, random_state=0).fit(X)
    components = hasher.components_.copy()
    lazy = da.from_array(X, chunks=(CHUNKS, 64))
    # fit_transform was accepted: every block refitted the caller's model.
    for method in ("fit_transform", "fit", "score", "get_params", "__class__"):
        with pytest.raises(ValueError, match="'method' parameter"):
            transform_blocks(hasher, lazy, method=method)
    assert (hasher.components_ != components).nnz == 0
    with pytest.raises(TypeError, match="got the class FlyHashTransformer"):
        transform_blocks(FlyHashTransformer, lazy)
    # A DataFrame output became a dask DataFrame with a repeated index.
    framed = clone(SignRandomProjection(n_components=4, random_state=0))
    framed = framed.set_output(transform="pandas").fit(X)
    with pytest.raises(TypeError, match="set_output"):
        transform_blocks(framed, lazy)
    with pytest.raises(ValueError, match="X must hold numbers, got dtype <U"):
        transform_blocks(hasher, da.from_array(np.full((4, 64), "a")))
    unknown_columns = da.from_delayed(
        __import__("dask").delayed(lambda: X)(), shape=(400, np.nan), dtype=X.dtype
    )
    with pytest.raises(ValueError, match="unknown number of columns"):
        transform_blocks(hasher, unknown_columns)


def _selected(X):
    """Rows kept by a mask that empties the second and third blocks."""
    mask = np.zeros(len(X), dtype=bool)
    mask[:30] = True
    mask[300:] = True
    return mask


def test_transform_blocks_empty_blocks_after_boolean_indexing():
    X, _ = _digits()
    mask = _selected(X)
    lazy = da.from_array(X, chunks=(CHUNKS, 64))[da.from_array(mask, chunks=CHUNKS)]
    assert np.isnan(lazy.shape[0])
    for model in (
        FlyHashTransformer(hash_length=8, random_state=0).fit(X),
        SignRandomProjection(n_components=24, random_state=0).fit(X),
    ):
        # Estimators refuse empty input: the empty blocks raised before.
        codes = transform_blocks(model, lazy)
        result = codes.compute()
        expected = model.transform(X[mask])
        _assert_same(result, expected)
        assert result.shape == (130, expected.shape[1])
        # Empty blocks are empty blocks of the declared type, so Dask reduces
        # over them: the column sums of the 130 kept rows' codes.
        column_sums = codes.sum(axis=0).compute()
        _assert_dense_equal(column_sums, np.asarray(expected.sum(axis=0)).ravel())
        row_sums = codes.sum(axis=1).compute()
        _assert_dense_equal(row_sums, np.asarray(expected.sum(axis=1)).ravel())
        known = codes.compute_chunk_sizes()
        assert known.chunks[0] == (30, 0, 0, 100)
        _assert_same(known[25:35].compute(), expected[25:35])
        scipy_blocks = transform_blocks(model, lazy, sparse_blocks="scipy")
        _assert_same(scipy_blocks.compute(), expected, sparse_blocks="scipy")


def _assert_dense_equal(result, expected):
    """A reduction's result (``sparse.COO`` or NumPy) equals ``expected``."""
    dense = result.todense() if isinstance(result, sparse.COO) else result
    assert dense.shape == expected.shape and dense.dtype == expected.dtype
    np.testing.assert_array_equal(dense, expected)


SPARSE_CODES = [
    FlyHashTransformer(hash_length=8, sparse_output=True, random_state=0),
    BioHashTransformer(
        n_components=40, hash_length=4, sparse_output=True, max_iter=3, random_state=0
    ),
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("transformer", SPARSE_CODES, ids=repr)
def test_transform_blocks_sparse_codes_reduce_like_in_memory(transformer):
    # scipy CSR blocks made codes.sum(axis=0) raise "unexpected keyword
    # argument 'keepdims'" when the graph was built; COO blocks reduce.
    X, _ = _digits()
    model = clone(transformer).fit(X)
    expected = model.transform(X)
    assert sp.issparse(expected) and expected.format == "csr"
    dense = expected.toarray()
    codes = transform_blocks(model, da.from_array(X, chunks=(CHUNKS, 64)))
    assert codes.chunks == (CHUNKS, (expected.shape[1],))
    assert codes.dtype == expected.dtype == np.float32
    assert isinstance(codes._meta, sparse.COO) and codes._meta.dtype == np.float32
    assert all(
        isinstance(block, sparse.COO)
        for block in dask.compute(*codes.to_delayed().ravel())
    )
    # Each unit's number of wins over the 400 rows, as the in-memory codes
    # count them; k ones a row, so 400 * k in all.
    column_sums = codes.sum(axis=0).compute()
    _assert_dense_equal(column_sums, dense.sum(axis=0))
    assert column_sums.sum() == 400 * model.hash_length_
    np.testing.assert_array_equal(
        codes.sum(axis=1).compute().todense(), np.full(400, model.hash_length_)
    )
    _assert_dense_equal(codes.mean(axis=1).compute(), dense.mean(axis=1))
    np.testing.assert_allclose(
        codes.mean(axis=0).compute().todense(), dense.mean(axis=0), rtol=1e-6
    )
    _assert_dense_equal(codes.max(axis=0).compute(), dense.max(axis=0))
    _assert_same(codes[:10].compute(), expected[:10])
    _assert_same(codes[95:205, 3:17].compute(), expected[95:205, 3:17])
    _assert_same(
        da.concatenate([codes, codes[:57]]).compute(),
        sp.vstack([expected, expected[:57]], format="csr"),
    )
    _assert_same(codes.compute(), expected)


@pytest.mark.parametrize("transformer", SPARSE_CODES[:1], ids=repr)
def test_transform_blocks_scipy_option_keeps_csr_blocks(transformer):
    X, _ = _digits()
    model = clone(transformer).fit(X)
    expected = model.transform(X)
    codes = transform_blocks(
        model, da.from_array(X, chunks=(CHUNKS, 64)), sparse_blocks="scipy"
    )
    assert codes.chunks == (CHUNKS, (expected.shape[1],))
    assert codes.dtype == expected.dtype
    assert sp.issparse(codes._meta) and codes._meta.format == "csr"
    block = codes.blocks[2].compute()
    assert sp.issparse(block) and block.format == "csr" and block.shape[0] == 57
    _assert_same(codes.compute(), expected, sparse_blocks="scipy")


@pytest.mark.parametrize("sparse_blocks", ["pydata", "scipy"])
def test_transform_blocks_dense_outputs_ignore_sparse_blocks(sparse_blocks):
    X, _ = _digits()
    model = FlyHashTransformer(hash_length=8, sparse_output=False, random_state=0)
    model = model.fit(X)
    lazy = transform_blocks(
        model, da.from_array(X, chunks=(CHUNKS, 64)), sparse_blocks=sparse_blocks
    )
    assert type(lazy._meta) is np.ndarray
    _assert_same(lazy.compute(), model.transform(X))
    _assert_dense_equal(lazy.sum(axis=0).compute(), model.transform(X).sum(axis=0))


def test_transform_blocks_sparse_blocks_is_validated():
    X, _ = _digits()
    model = FlyHashTransformer(hash_length=8, random_state=0).fit(X)
    for bad in ("csr", "COO", None, True):
        with pytest.raises(ValueError, match="'sparse_blocks' parameter"):
            transform_blocks(model, da.from_array(X), sparse_blocks=bad)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "estimator",
    [
        BioHashTransformer(n_components=40, hash_length=4, max_iter=4, random_state=0),
        MiniBatchLinearAutoencoder(n_components=5, random_state=0),
    ],
    ids=repr,
)
def test_partial_fit_blocks_equals_loop_over_blocks(estimator):
    X, _ = _digits()
    streamed = partial_fit_blocks(
        clone(estimator), da.from_array(X, chunks=(CHUNKS, 64)), n_passes=2
    )
    looped = clone(estimator)
    for _ in range(2):
        for block in _blocks(X, CHUNKS):
            looped.partial_fit(block)
    np.testing.assert_array_equal(streamed.components_, looped.components_)
    assert pickle.loads(pickle.dumps(streamed)).n_features_in_ == 64


def test_partial_fit_blocks_classifier_shuffled_and_reproducible():
    X, y = _digits()
    lazy_X = da.from_array(X, chunks=(CHUNKS, 64))
    lazy_y = da.from_array(y, chunks=50)  # rechunked to X's rows
    classes = np.arange(10)
    model = GammaCrossEntropyClassifier(learning_rate=0.05)
    first = partial_fit_blocks(
        clone(model), lazy_X, lazy_y, n_passes=3, shuffle_blocks=True,
        random_state=1, classes=classes,
    )  # fmt: skip
    again = partial_fit_blocks(
        clone(model), lazy_X, y, n_passes=3, shuffle_blocks=True,
        random_state=1, classes=classes,
    )  # fmt: skip
    np.testing.assert_array_equal(first.coef_, again.coef_)
    # The same calls by hand, in the order the seed gives.
    looped = clone(model)
    rng = np.random.RandomState(1)
    X_blocks, y_blocks = _blocks(X, CHUNKS), _blocks(y, CHUNKS)
    for _ in range(3):
        for index in rng.permutation(len(CHUNKS)):
            looped.partial_fit(X_blocks[index], y_blocks[index], classes=classes)
    np.testing.assert_array_equal(first.coef_, looped.coef_)
    assert first.score(X, y) > 0.8


def test_partial_fit_blocks_errors():
    X, y = _digits()
    lazy = da.from_array(X, chunks=100)
    with pytest.raises(TypeError, match="implementing 'partial_fit'"):
        partial_fit_blocks(FlyHashTransformer(), lazy)
    with pytest.raises(ValueError, match="'n_passes' parameter"):
        partial_fit_blocks(BioHashTransformer(), lazy, n_passes=0)
    with pytest.raises(TypeError, match="'n_passes' parameter"):
        partial_fit_blocks(BioHashTransformer(), lazy, n_passes=1.5)
    with pytest.raises(ValueError, match="400 rows but y has 10"):
        partial_fit_blocks(GammaCrossEntropyClassifier(), lazy, y[:10])


class _CountingPartialFit(BaseEstimator):
    """Records the rows of every partial_fit call."""

    def partial_fit(self, X, y=None, *, classes=None):
        self.calls_ = [*getattr(self, "calls_", []), X.shape[0]]
        return self


def test_partial_fit_blocks_refuses_misuse_before_computing_a_block():
    X, _ = _digits()
    lazy = da.from_array(X, chunks=(CHUNKS, 64))
    for kwargs, error, match in [
        ({"n_passes": True}, TypeError, "'n_passes' parameter"),
        ({"shuffle_blocks": None}, TypeError, "'shuffle_blocks' parameter"),
        ({"shuffle_blocks": True, "random_state": True}, ValueError, "random_state"),
        ({"shuffle_blocks": True, "random_state": -1}, ValueError, "random_state"),
        ({"y": 3}, ValueError, "'y' parameter"),
        ({"colour": "red"}, TypeError, r"has no parameter\(s\) \['colour'\]"),
    ]:
        model = _CountingPartialFit()
        with pytest.raises(error, match=match):
            partial_fit_blocks(model, lazy, **kwargs)
        assert not hasattr(model, "calls_")
    with pytest.raises(TypeError, match="got the class BioHashTransformer"):
        partial_fit_blocks(BioHashTransformer, lazy)
    # A classifier without y failed on its first block with partial_fit's TypeError.
    with pytest.raises(ValueError, match="partial_fit needs targets: pass y"):
        partial_fit_blocks(GammaCrossEntropyClassifier(), lazy, classes=np.arange(10))
    with pytest.raises(ValueError, match="X has no rows"):
        partial_fit_blocks(_CountingPartialFit(), lazy[:0])


def test_partial_fit_blocks_skips_empty_blocks_and_pairs_unknown_chunks():
    X, y = _digits()
    mask = _selected(X)
    lazy_mask = da.from_array(mask, chunks=CHUNKS)
    lazy_X = da.from_array(X, chunks=(CHUNKS, 64))[lazy_mask]
    lazy_y = da.from_array(y, chunks=CHUNKS)[lazy_mask]
    counter = partial_fit_blocks(_CountingPartialFit(), lazy_X, lazy_y, n_passes=2)
    assert counter.calls_ == [30, 100, 30, 100]  # the empty blocks are skipped
    classes = np.arange(10)
    streamed = partial_fit_blocks(
        GammaCrossEntropyClassifier(), lazy_X, lazy_y, classes=classes
    )
    looped = GammaCrossEntropyClassifier()
    for rows in (slice(0, 30), slice(300, 400)):
        looped.partial_fit(X[rows], y[rows], classes=classes)
    np.testing.assert_array_equal(streamed.coef_, looped.coef_)
    with pytest.raises(ValueError, match="numbers of row blocks differ"):
        partial_fit_blocks(_CountingPartialFit(), lazy_X, y[mask])
    other_mask = mask.copy()
    other_mask[0] = False
    other_y = da.from_array(y, chunks=CHUNKS)[da.from_array(other_mask, CHUNKS)]
    with pytest.raises(ValueError, match="Row block 0 of X has 30 rows but y's has 29"):
        partial_fit_blocks(_CountingPartialFit(), lazy_X, other_y)


TEXT = [
    "the cat sat on the mat",
    "The dog sat on the log",
    "a cat and a dog met",
    "the mat was red and the log was brown",
    "dogs and cats",
    "",
    "the end",
]


def _single_machine(vectorizer, documents):
    fitted = clone(vectorizer).fit(documents)
    return fitted, fitted.cooccurrence_matrix(documents)


@pytest.mark.parametrize("min_count", [1, 2])
def test_count_cooccurrence_corpus_equals_single_machine(min_count):
    vectorizer = CooccurrenceVectorizer(window=2, min_count=min_count)
    expected_fit, expected = _single_machine(vectorizer, TEXT)
    corpus = db.from_sequence(TEXT, npartitions=3)
    counts = count_cooccurrence_corpus(vectorizer, corpus)
    assert vectorizer.vocabulary_ == expected_fit.vocabulary_
    np.testing.assert_array_equal(vectorizer.word_counts_, expected_fit.word_counts_)
    assert (counts != expected).nnz == 0 and counts.shape == expected.shape
    # A fitted vectorizer's vocabulary can be kept: count only.
    again = count_cooccurrence_corpus(vectorizer, corpus, fit=False)
    assert (again != expected).nnz == 0


def test_count_cooccurrence_corpus_from_files(tmp_path):
    paths = []
    for index in range(3):
        path = tmp_path / f"part{index}.txt"
        path.write_text("\n".join(TEXT[index::3]) + "\n", encoding="utf-8")
        paths.append(str(path))
    documents = [line for path in paths for line in open(path, encoding="utf-8")]
    vectorizer = CooccurrenceVectorizer(window=3)
    expected_fit, expected = _single_machine(vectorizer, documents)
    counts = count_cooccurrence_corpus(vectorizer, paths, blocksize=40)
    assert vectorizer.vocabulary_ == expected_fit.vocabulary_
    assert (counts != expected).nnz == 0


def test_count_cooccurrence_corpus_errors():
    with pytest.raises(TypeError, match="'vectorizer' parameter"):
        count_cooccurrence_corpus(FlyHashTransformer(), db.from_sequence(TEXT))
    with pytest.raises(TypeError, match="'corpus' parameter"):
        count_cooccurrence_corpus(CooccurrenceVectorizer(), "corpus.txt")
    with pytest.raises(TypeError, match="file paths"):
        count_cooccurrence_corpus(CooccurrenceVectorizer(), [["a", "b"]])
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        count_cooccurrence_corpus(
            CooccurrenceVectorizer(), db.from_sequence(TEXT), fit=False
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"blocksize": -1}, "'blocksize' parameter"),  # read_text looped forever
        ({"blocksize": 0}, "'blocksize' parameter"),  # ZeroDivisionError
        ({"blocksize": True}, "'blocksize' parameter"),
        ({"blocksize": "abc"}, "blocksize='abc' must be a positive number of bytes"),
        ({"blocksize": ""}, "blocksize='' must be a positive"),  # parsed as 1 byte
        ({"blocksize": "-5MiB"}, "must be a positive number of bytes"),
        ({"batch_tokens": 0}, "'batch_tokens' parameter of count_cooccurrence"),
        ({"batch_tokens": 2.5}, "'batch_tokens' parameter"),
        ({"fit": "no"}, "'fit' parameter"),  # was read as True
        ({"fit": None}, "'fit' parameter"),  # was read as False
    ],
)
def test_count_cooccurrence_corpus_checks_arguments_before_any_pass(
    tmp_path, kwargs, match
):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(TEXT) + "\n", encoding="utf-8")
    vectorizer = CooccurrenceVectorizer(window=2)
    with pytest.raises((TypeError, ValueError), match=match):
        count_cooccurrence_corpus(vectorizer, [str(path)], **kwargs)
    assert not hasattr(vectorizer, "vocabulary_")  # no pass ran


def test_count_cooccurrence_corpus_paths_and_parameter_errors(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(TEXT) + "\n", encoding="utf-8")
    vectorizer = CooccurrenceVectorizer(window=2)
    expected_fit, expected = _single_machine(vectorizer, TEXT)
    # os.PathLike paths, and one partition per file.
    counts = count_cooccurrence_corpus(vectorizer, (path,), blocksize=None)
    assert vectorizer.vocabulary_ == expected_fit.vocabulary_
    assert (counts != expected).nnz == 0
    with pytest.raises(ValueError, match="empty list"):
        count_cooccurrence_corpus(vectorizer, [])  # dask: 'empty urlpath sequence'
    # The vectorizer's own parameter, not one of count_cooccurrence_corpus.
    with pytest.raises(
        ValueError, match="'window' parameter of estimator CooccurrenceVectorizer"
    ):
        count_cooccurrence_corpus(CooccurrenceVectorizer(window=0), (path,))


# Sharded search: one index per row block, per-shard top k merged.

# Four uneven shards, one smaller than the neighbours asked for.
SHARD_CHUNKS = (400, 7, 450, 143)


def _short_codes(n_rows=1000, n_bits=12, seed=0):
    """Random 12-bit codes: 4096 codes for 1000 rows, so distances tie a lot."""
    return np.random.default_rng(seed).integers(0, 2, (n_rows, n_bits), dtype=np.uint8)


def _assert_same_neighbors(result, expected):
    for got, want in zip(result, expected):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n_neighbors", [1, 10, 30])
def test_fit_shards_hamming_equals_single_machine_with_ties(n_neighbors):
    codes = _short_codes()
    queries = np.vstack([_short_codes(60, seed=1), codes[::50]])
    lazy = da.from_array(codes, chunks=(SHARD_CHUNKS, 12))
    model = HammingNeighbors(n_neighbors=n_neighbors)
    sharded = fit_shards(model, lazy)
    assert isinstance(sharded, ShardedNeighbors)
    assert not hasattr(model, "n_samples_fit_")  # the estimator is not fitted
    np.testing.assert_array_equal(sharded.shard_starts_, [0, 400, 407, 857])
    np.testing.assert_array_equal(sharded.shard_sizes_, SHARD_CHUNKS)
    assert sharded.n_samples_fit_ == 1000
    expected = clone(model).fit(codes).kneighbors(queries)
    result = sharded.kneighbors(queries)
    _assert_same_neighbors(result, expected)
    assert result[1].dtype == np.int64
    if n_neighbors > 1:  # ties are the rule, not the exception
        assert (np.diff(result[0], axis=1) == 0).mean() > 0.5
    # Queries as a dask array (searched block by block), without distances.
    lazy_queries = da.from_array(queries, chunks=(25, 12))
    indices = sharded.kneighbors(lazy_queries, return_distance=False)
    np.testing.assert_array_equal(indices, expected[1])


def test_fit_shards_lexicographic_reference_and_any_k():
    """The merged answer is the k smallest (distance, row) pairs, for every k."""
    codes = _short_codes(300, n_bits=8)
    queries = _short_codes(20, n_bits=8, seed=3)
    sharded = fit_shards(
        HammingNeighbors(), da.from_array(codes, chunks=((50, 3, 120, 127), 8))
    )
    distances = (queries[:, None, :] != codes[None, :, :]).sum(axis=2)
    rows = np.broadcast_to(np.arange(300), distances.shape)
    order = np.lexsort((rows, distances), axis=1)
    for k in (1, 3, 4, 60, 300):
        result_distances, result_indices = sharded.kneighbors(queries, k)
        np.testing.assert_array_equal(result_indices, order[:, :k])
        np.testing.assert_array_equal(
            result_distances, np.take_along_axis(distances, order[:, :k], axis=1)
        )


def test_fit_shards_skips_empty_blocks_and_takes_unknown_query_chunks():
    codes = _short_codes(200)
    lazy = da.from_array(codes, chunks=((0, 80, 0, 120), 12))
    sharded = fit_shards(HammingNeighbors(n_neighbors=5), lazy)
    assert len(sharded.shards_) == 2
    np.testing.assert_array_equal(sharded.shard_starts_, [0, 80])
    # Boolean indexing leaves query blocks of unknown size, some empty.
    lazy_queries = lazy[lazy[:, 0] > 0]
    queries = lazy_queries.compute()
    expected = HammingNeighbors(n_neighbors=5).fit(codes).kneighbors(queries)
    _assert_same_neighbors(sharded.kneighbors(lazy_queries), expected)
    # No queries at all: empty answers of the right width.
    distances, indices = sharded.kneighbors(lazy[:0])
    assert distances.shape == indices.shape == (0, 5)


def test_fit_shards_hashing_with_a_fitted_hasher_is_exact():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 10))
    queries = rng.normal(size=(40, 10))
    lazy = da.from_array(X, chunks=((150, 200, 50, 200), 10))
    hasher = SignRandomProjection(n_components=32, random_state=0).fit(X[:100])
    # n_candidates covers every shard: the re-ranking is exact on each.
    search = HashingNeighborsTransformer(hasher, n_candidates=200, n_neighbors=7)
    sharded = fit_shards(search, lazy)
    distances, indices = sharded.kneighbors(queries)
    exact_distances, exact_indices = (
        NearestNeighbors(n_neighbors=7).fit(X).kneighbors(queries)
    )
    np.testing.assert_array_equal(indices, exact_indices)
    np.testing.assert_allclose(distances, exact_distances, rtol=1e-12)
    # The single-machine transformer with every row a candidate: bit for bit.
    single = clone(search).set_params(hasher=hasher, n_candidates=600).fit(X)
    _assert_same_neighbors((distances, indices), single.kneighbors(queries))
    # The caller's hasher is used as it is, not refitted or modified.
    np.testing.assert_array_equal(
        hasher.transform(queries),
        SignRandomProjection(n_components=32, random_state=0)
        .fit(X[:100])
        .transform(queries),
    )


class _WorkingMemoryNeighbors(BaseEstimator):
    """Answers with the working_memory in effect, as distances."""

    def __init__(self, n_neighbors=2):
        self.n_neighbors = n_neighbors

    def fit(self, X, y=None):
        self.memory_at_fit_ = get_config()["working_memory"]
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        shape = (X.shape[0], n_neighbors)
        distances = np.full(shape, float(get_config()["working_memory"]))
        indices = np.broadcast_to(np.arange(n_neighbors), shape)
        return (distances, indices) if return_distance else indices


def test_fit_shards_carries_the_scikit_learn_configuration():
    lazy = da.zeros((30, 2), chunks=10)
    with config_context(working_memory=77):
        sharded = fit_shards(_WorkingMemoryNeighbors(), lazy)
    assert sharded.shards_[0].compute().memory_at_fit_ == 77
    with config_context(working_memory=55):
        distances, indices = sharded.kneighbors(np.zeros((3, 2)))
    np.testing.assert_array_equal(distances, np.full((3, 2), 55.0))
    np.testing.assert_array_equal(indices, [[0, 1]] * 3)  # ties: lowest rows


class _NoNeighborsParameter(_WorkingMemoryNeighbors):
    def __init__(self):
        pass


class _DropsRows(_WorkingMemoryNeighbors):
    def fit(self, X, y=None):
        self.n_samples_fit_ = X.shape[0] - 1
        return self


def test_fit_shards_errors():
    codes = _short_codes(100)
    lazy = da.from_array(codes, chunks=(40, 12))
    with pytest.raises(TypeError, match="instance"):
        fit_shards(HammingNeighbors, lazy)
    with pytest.raises(TypeError, match="'estimator' parameter of fit_shards"):
        fit_shards(FlyHashTransformer(), lazy)
    with pytest.raises(TypeError, match="'X' parameter of fit_shards"):
        fit_shards(HammingNeighbors(), codes)
    with pytest.raises(ValueError, match="2-D"):
        fit_shards(HammingNeighbors(), da.zeros(10))
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        fit_shards(HammingNeighbors(), lazy[lazy[:, 0] > 0])
    with pytest.raises(ValueError, match="no rows"):
        fit_shards(HammingNeighbors(), lazy[:0])
    # The estimator's own parameter errors keep its name.
    with pytest.raises(
        ValueError, match="'algorithm' parameter of estimator HammingNeighbors"
    ):
        fit_shards(HammingNeighbors(algorithm="fastest"), lazy)
    with pytest.raises(ValueError, match="Shard 0 holds 9 rows but its block has 10"):
        fit_shards(_DropsRows(), da.zeros((20, 2), chunks=10))

    sharded = fit_shards(HammingNeighbors(), lazy)
    with pytest.raises(ValueError, match="n_neighbors=101 is more than the 100 rows"):
        sharded.kneighbors(codes[:2], n_neighbors=101)
    for bad in (0, True, 2.0):
        with pytest.raises(ValueError, match="'n_neighbors' parameter of Sharded"):
            sharded.kneighbors(codes[:2], n_neighbors=bad)
    with pytest.raises(ValueError, match="'return_distance' parameter"):
        sharded.kneighbors(codes[:2], return_distance="yes")
    with pytest.raises(ValueError, match="features"):
        sharded.kneighbors(codes[:2, :5])
    with pytest.raises(ValueError, match="2-D"):
        sharded.kneighbors(da.zeros(12))
    no_default = fit_shards(_NoNeighborsParameter(), da.zeros((10, 2), chunks=5))
    with pytest.raises(ValueError, match="pass n_neighbors"):
        no_default.kneighbors(np.zeros((1, 2)))
    assert no_default.kneighbors(np.zeros((1, 2)), 3, return_distance=False).shape == (
        1,
        3,
    )


# A real cluster: worker processes receive pickled estimators and data.


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.distributed
def test_cluster_transform_and_counting_equal_in_memory(client, tmp_path):
    X, _ = _digits()
    lazy = da.from_array(X, chunks=(CHUNKS, 64))
    for transformer in (TRANSFORMERS[0], TRANSFORMERS[4]):
        model = clone(transformer).fit(X)
        _assert_same(transform_blocks(model, lazy).compute(), model.transform(X))
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(TEXT * 20) + "\n", encoding="utf-8")
    vectorizer = CooccurrenceVectorizer(window=2)
    counts = count_cooccurrence_corpus(vectorizer, [str(path)], blocksize=200)
    expected_fit, expected = _single_machine(
        vectorizer, open(path, encoding="utf-8").readlines()
    )
    assert vectorizer.vocabulary_ == expected_fit.vocabulary_
    assert (counts != expected).nnz == 0


@pytest.mark.distributed
def test_cluster_dask_ml_incremental_drives_partial_fit(client):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = _digits()
    lazy_X, lazy_y = da.from_array(X, chunks=(CHUNKS, 64)), da.from_array(y, CHUNKS)
    classes = np.arange(10)
    model = GammaCrossEntropyClassifier(learning_rate=0.05)
    incremental = wrappers.Incremental(model, shuffle_blocks=False)
    incremental.fit(lazy_X, lazy_y, classes=classes)
    looped = clone(model)
    for X_block, y_block in zip(_blocks(X, CHUNKS), _blocks(y, CHUNKS)):
        looped.partial_fit(X_block, y_block, classes=classes)
    np.testing.assert_array_equal(incremental.estimator_.coef_, looped.coef_)
    np.testing.assert_array_equal(
        incremental.predict(lazy_X).compute(), looped.predict(X)
    )
    autoencoder = MiniBatchLinearAutoencoder(n_components=4, random_state=0)
    streamed = wrappers.Incremental(autoencoder, shuffle_blocks=False).fit(lazy_X)
    looped = clone(autoencoder)
    for X_block in _blocks(X, CHUNKS):
        looped.partial_fit(X_block)
    np.testing.assert_array_equal(streamed.estimator_.components_, looped.components_)


@pytest.mark.distributed
def test_cluster_grid_search_with_dask_joblib_backend(client):
    from joblib import parallel_config

    X, y = _digits()
    search = GridSearchCV(
        make_pipeline(
            FlyHashTransformer(random_state=0), LogisticRegression(max_iter=300)
        ),
        {"flyhashtransformer__hash_length": [4, 16], "logisticregression__C": [0.1, 1]},
        cv=3,
    )
    default = clone(search).fit(X, y)
    with parallel_config(backend="dask"):
        on_dask = clone(search).set_params(n_jobs=-1).fit(X, y)
    assert on_dask.best_params_ == default.best_params_
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"], default.cv_results_["mean_test_score"]
    )


@pytest.mark.distributed
def test_cluster_sharded_search_equals_single_machine(client):
    distributed = pytest.importorskip("distributed")
    codes = _short_codes()
    queries = np.vstack([_short_codes(50, seed=2), codes[::40]])
    lazy = da.from_array(codes, chunks=(SHARD_CHUNKS, 12))
    sharded = fit_shards(HammingNeighbors(n_neighbors=10), lazy)
    # The fitted shards live on the workers, as finished futures.
    futures = distributed.futures_of(sharded.shards_)
    assert len(futures) == 4 and all(f.status == "finished" for f in futures)
    assert all(client.who_has(futures).values())
    expected = HammingNeighbors(n_neighbors=10).fit(codes).kneighbors(queries)
    _assert_same_neighbors(sharded.kneighbors(queries), expected)
    lazy_queries = da.from_array(queries, chunks=(30, 12))
    _assert_same_neighbors(sharded.kneighbors(lazy_queries), expected)
    # Ties are the rule: the merge must break them as one machine does.
    assert (np.diff(expected[0], axis=1) == 0).mean() > 0.5
