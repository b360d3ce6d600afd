"""Bad and unusual inputs through the embedding family: a result or a clear error.

Every public entry point of the word-embedding family is called with inputs
drawn by hypothesis: documents in every container (and things that are not
documents) through ``CooccurrenceVectorizer`` (fit, transform, token_counts,
count_words, cooccurrence_matrix) and ``SimplerGloveVectorizer``, token counts
in every form through ``fit_token_counts``, word ids in every form and dtype,
every parameter from a pool of valid, edge and wrong values, queries of every
type, embeddings, vocabularies, word pairs and scores that are valid, extreme
or broken. For each draw the expected outcome is decided by this file's own
predicates (not by the code under test), and a valid call's result is
compared with a brute-force reference: counts by a double loop over
positions, rankings by explicit cosines and PMI-profile correlations,
Spearman's rho by scipy over the pairs found by a plain dictionary lookup,
text vectors by summing word vectors. ``check_outcome`` then asserts the
rest: a clear ValueError/TypeError for invalid input, finite results,
unchanged inputs. ``WordVectors`` (its constructor, queries at every scale
and word2vec files) has its own file, ``test_fuzz_word_vectors.py``.
"""

import contextlib
import math
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from numbers import Integral
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from scipy.stats import spearmanr
from sklearn.exceptions import ConvergenceWarning

from sklearn_kexue import SimplerGlove
from sklearn_kexue.datasets import load_two_character_words, load_word_similarity
from sklearn_kexue.embedding import (
    CooccurrenceVectorizer,
    SimplerGloveVectorizer,
    count_cooccurrence,
)
from sklearn_kexue.metrics import word_analogy_accuracy, word_similarity_spearman
from sklearn_kexue.utils import minimum_entropy_dimension
from tests.fuzz._bad_inputs import EITHER, ERROR, VALID
from tests.fuzz._bad_inputs import check_outcome as _check_outcome

DEFAULT_PATTERN = r"(?u)\b\w\w+\b"
# Word-character tokens of two or more characters: the default pattern keeps them.
WORDS = ["aa", "bb", "Cc", "dd", "ÉÉ", "x1"]
token_lists = st.lists(st.lists(st.sampled_from(WORDS), max_size=7), max_size=5)


def check_outcome(call, expect, context, *, inputs=()):
    """The shared outcome check, with the expectation recorded as an event.

    ``pytest --hypothesis-show-statistics`` then shows how many draws of each
    test were valid, invalid or either.
    """
    with contextlib.suppress(InvalidArgument):  # outside a hypothesis test
        event(f"expect {expect}")
    return _check_outcome(call, expect, context, inputs=inputs)


def _checked_inputs(value):
    """Inputs for check_outcome's unchanged check, and a check of its own.

    The shared check compares list items with ``==``, which is ambiguous for
    arrays: lists holding arrays are compared here instead.
    """
    if isinstance(value, (list, tuple)) and any(
        isinstance(item, np.ndarray) for item in value
    ):
        copies = [np.array(item, copy=True) for item in value]

        def unchanged():
            for item, before in zip(value, copies):
                np.testing.assert_array_equal(np.asarray(item), before)

        return (), unchanged
    return (value,), lambda: None


def one_broken(**pools):
    """Keyword arguments drawn from (valid, invalid) pools, at most one invalid.

    The pools only bias the draws (a valid call in a few, each argument broken
    alone in the others); whether a call is valid is decided by the tests' own
    predicates.
    """
    names = list(pools)
    return st.sampled_from([None, None, *names]).flatmap(
        lambda broken: st.fixed_dictionaries(
            {
                name: st.sampled_from(pool[1] if name == broken else pool[0])
                for name, pool in pools.items()
            }
        )
    )


def _is_int(value, low=None):
    """An int (numpy's included), not a bool, at least ``low``."""
    ok = isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))
    return ok and (low is None or value >= low)


def _expect(valid):
    return VALID if valid else ERROR


# ------------------------------------------------------------- references


def reference_vocabulary(tokens, min_count=1, max_vocab=None):
    """Stanford's vocab_count order: count descending, ties alphabetical."""
    counts = Counter(token for document in tokens for token in document)
    kept = sorted(
        (word for word, count in counts.items() if count >= min_count),
        key=lambda word: (-counts[word], word),
    )
    return {word: index for index, word in enumerate(kept[:max_vocab])}


def reference_counts(id_lists, window):
    """{(document, i, j): count} by a double loop over positions."""
    counts = Counter()
    for document, ids in enumerate(id_lists):
        ids = [i for i in ids if i >= 0]
        for p, i in enumerate(ids):
            counts[document, i, i] += 1
            for q, j in enumerate(ids):
                if p != q and i != j and (window is None or abs(p - q) <= window):
                    counts[document, i, j] += 1
    return counts


def as_counter(matrix, n_words, per_document):
    """A count matrix as {(document, i, j): count}, documents summed when total."""
    coo = sp.coo_matrix(matrix)
    result = Counter()
    for row, column, value in zip(coo.row, coo.col, coo.data):
        if per_document:
            i, j = divmod(int(column), n_words)
            result[int(row), i, j] += value
        else:
            result[0, int(row), int(column)] += value
    return result


def summed(counts):
    total = Counter()
    for (_, i, j), value in counts.items():
        total[0, i, j] += value
    return total


def ids_of(tokens, vocabulary):
    return [[vocabulary.get(token, -1) for token in document] for document in tokens]


# --------------------------------------------------- vectorizer: documents


def _documents(tokens):
    """Each container of the token lists, as (name, factory, expect)."""
    texts = [" ".join(document) for document in tokens]
    valid = [
        ("list_of_str", lambda: list(texts)),
        ("tuple_of_str", lambda: tuple(texts)),
        ("generator", lambda: (text for text in texts)),
        ("numpy_str", lambda: np.array(texts, dtype=str)),
        ("numpy_object", lambda: np.array(texts, dtype=object)),
        ("pandas_series", lambda: pd.Series(texts, dtype=object)),
        ("punctuated", lambda: [", ".join(document) + "!" for document in tokens]),
        ("token_lists", lambda: [list(document) for document in tokens]),
        ("token_tuples", lambda: [tuple(document) for document in tokens]),
        (
            "token_arrays",
            lambda: [np.array(document, dtype=str) for document in tokens],
        ),
        (
            "mixed",
            lambda: [
                text if k % 2 else list(document)
                for k, (text, document) in enumerate(zip(texts, tokens))
            ],
        ),
    ]
    invalid = [
        ("bare_str", lambda: " ".join(texts)),
        ("bytes", lambda: " ".join(texts).encode()),
        ("none", lambda: None),
        ("int", lambda: 3),
        ("float", lambda: 2.5),
        ("dict", lambda: dict(enumerate(texts))),
        ("set", lambda: set(texts)),
        ("dataframe", lambda: pd.DataFrame({"text": texts}, dtype=object)),
        ("two_d_array", lambda: np.array([texts, texts], dtype=object)),
        ("bytes_document", lambda: [*texts, b"aa bb"]),
        ("none_document", lambda: [None, *texts]),
        ("int_document", lambda: [*texts, 7]),
        ("int_token", lambda: [*tokens, ["aa", 1]]),
        ("none_token", lambda: [["aa", None], *tokens]),
        ("nested_token", lambda: [*tokens, ["aa", ["bb"]]]),
        ("bytes_token", lambda: [*tokens, ["aa", b"bb"]]),
        ("float_token", lambda: [*tokens, [1.5]]),
    ]
    return [(name, make, VALID) for name, make in valid] + [
        (name, make, ERROR) for name, make in invalid
    ]


DOCUMENT_CASES = [name for name, _, _ in _documents([])]


@pytest.mark.parametrize("case", range(len(DOCUMENT_CASES)), ids=DOCUMENT_CASES)
@settings(max_examples=15)
@given(tokens=token_lists, window=st.sampled_from([None, 1, 3]))
def test_vectorizer_documents_in_every_container(tokens, case, window):
    name, make, container_expect = _documents(tokens)[case]
    expect = container_expect
    lowered = [[token.lower() for token in document] for document in tokens]
    vocabulary = reference_vocabulary(lowered)
    if expect == VALID and not vocabulary:
        expect = ERROR  # no token at all: "empty vocabulary"
    context = f"CooccurrenceVectorizer(window={window}).fit_transform({name})"
    documents = make()
    # A generator cannot be copied to check that it is unchanged.
    inputs, unchanged = ((), lambda: None)
    if name != "generator":
        inputs, unchanged = _checked_inputs(documents)
    vectorizer = CooccurrenceVectorizer(window=window)
    X = check_outcome(
        lambda: vectorizer.fit_transform(documents), expect, context, inputs=inputs
    )
    unchanged()
    if X is None:
        if container_expect == ERROR:
            for method in ("fit", "partial_fit"):
                documents = make()
                fresh = CooccurrenceVectorizer()
                check_outcome(
                    lambda m=method, d=documents, v=fresh: getattr(v, m)(d),
                    ERROR,
                    f"CooccurrenceVectorizer().{method}({name})",
                    inputs=(documents,),
                )
        return
    n_words = len(vocabulary)
    expected = reference_counts(ids_of(lowered, vocabulary), window)
    assert vectorizer.vocabulary_ == vocabulary, context
    assert X.shape == (len(tokens), n_words * n_words), context
    assert as_counter(X, n_words, per_document=True) == expected, context
    transformed = check_outcome(
        lambda: vectorizer.transform(make()), VALID, f"transform({name})"
    )
    assert as_counter(transformed, n_words, per_document=True) == expected
    total = check_outcome(
        lambda: vectorizer.cooccurrence_matrix(make(), batch_tokens=3),
        VALID,
        f"cooccurrence_matrix({name})",
    )
    assert as_counter(total, n_words, per_document=False) == summed(expected)


def test_vectorizer_refuses_every_non_document_after_fit():
    vectorizer = CooccurrenceVectorizer().fit(["aa bb cc", "bb dd"])
    for name, make, expect in _documents([["aa", "bb"], ["cc"]]):
        if expect == VALID:
            continue
        for method in ("transform", "cooccurrence_matrix"):
            documents = make()
            check_outcome(
                lambda m=method, d=documents: getattr(vectorizer, m)(d),
                ERROR,
                f"fitted.{method}({name})",
                inputs=(documents,),
            )


# --------------------------------------------------- vectorizer: parameters

WINDOWS = ([None, 1, 2, 10**12, np.int64(2)], [0, -1, True, 1.5, "3", np.nan])
MIN_COUNTS = ([1, 2, np.int32(2)], [0, -1, True, 1.0, None, np.inf])
MAX_VOCABS = ([None, 1, 3, np.int64(2)], [0, True, 2.5, "2"])
LOWERCASES = ([True, False, np.True_], [1, 0, None, "yes"])
DTYPES = (
    [np.float64, np.float32, "float32", "float64", float, np.dtype("float32")],
    [np.int64, "int", None, "float16", object, np.dtype("int8")],
)
VALID_DTYPES = {
    "float64": np.float64,
    "float32": np.float32,
    np.float64: np.float64,
    np.float32: np.float32,
    float: np.float64,
    np.dtype("float32"): np.float32,
}
PATTERNS = (
    [DEFAULT_PATTERN, r"\w+", r"(\w)\w", r"[a-z]{2}"],
    ["", "(", r"(a)(b)", r"\w*", 3, None, b"\\w+"],
)
TOKENIZERS = [
    None,
    str.split,
    lambda text: iter(text.split()),
    lambda text: text,
    lambda text: None,
    lambda text: [1, 2],
    lambda text: [*text.split(), None],
    3,
    "split",
]
# The tokenizers above that return a sequence of str tokens.
GOOD_TOKENIZERS = {1, 2}


def _dtype_key(dtype):
    """The key of VALID_DTYPES that ``dtype`` is (same type, equal), or None."""
    return next(
        (key for key in VALID_DTYPES if type(key) is type(dtype) and key == dtype), None
    )


def _pattern_problem(pattern):
    """Why a token pattern is refused, or None."""
    if not isinstance(pattern, str):
        return "type"
    try:
        compiled = re.compile(pattern)
    except re.error:
        return "syntax"
    if compiled.fullmatch("") is not None or compiled.groups > 1:
        return "matches"
    return None


@given(
    tokens=token_lists,
    params=one_broken(
        window=WINDOWS,
        min_count=MIN_COUNTS,
        max_vocab=MAX_VOCABS,
        lowercase=LOWERCASES,
        dtype=DTYPES,
        pattern=PATTERNS,
        tokenizer=([0, 0, 1, 2], [3, 4, 5, 6, 7, 8]),
    ),
)
def test_vectorizer_parameters(tokens, params):
    window, min_count, max_vocab = (
        params[k] for k in ("window", "min_count", "max_vocab")
    )
    lowercase, dtype, pattern = (params[k] for k in ("lowercase", "dtype", "pattern"))
    tokenizer = params["tokenizer"]
    params = {
        "window": window,
        "min_count": min_count,
        "max_vocab": max_vocab,
        "lowercase": lowercase,
        "dtype": dtype,
        "token_pattern": pattern,
        "tokenizer": TOKENIZERS[tokenizer],
    }
    valid = (
        (window is None or _is_int(window, 1))
        and _is_int(min_count, 1)
        and (max_vocab is None or _is_int(max_vocab, 1))
        and isinstance(lowercase, (bool, np.bool_))
        and _dtype_key(dtype) is not None
        and isinstance(pattern, str)
        and (TOKENIZERS[tokenizer] is None or callable(TOKENIZERS[tokenizer]))
    )
    texts = [" ".join(document) for document in tokens]
    if valid and TOKENIZERS[tokenizer] is None:
        valid = _pattern_problem(pattern) is None
    if valid and TOKENIZERS[tokenizer] is not None and texts:
        valid = tokenizer in GOOD_TOKENIZERS
    split = (
        (lambda text: re.findall(pattern, text))
        if TOKENIZERS[tokenizer] is None
        else str.split
    )
    tokenised, vocabulary = [], {}
    if valid:
        tokenised = [split(text.lower() if lowercase else text) for text in texts]
        vocabulary = reference_vocabulary(tokenised, min_count, max_vocab)
    expect = _expect(valid and bool(vocabulary))
    context = f"CooccurrenceVectorizer({params}).fit_transform"
    vectorizer = CooccurrenceVectorizer(**params)
    X = check_outcome(
        lambda: vectorizer.fit_transform(texts), expect, context, inputs=(texts,)
    )
    if X is None:
        return
    n_words = len(vocabulary)
    assert X.dtype == VALID_DTYPES[_dtype_key(dtype)], context
    assert vectorizer.vocabulary_ == vocabulary, context
    expected = reference_counts(ids_of(tokenised, vocabulary), window)
    assert as_counter(X, n_words, per_document=True) == expected, context
    names = vectorizer.get_feature_names_out()
    words = sorted(vocabulary, key=vocabulary.get)
    assert names[1 % len(names)] == f"{words[0]} {words[1 % n_words]}", context


@given(batch_tokens=st.sampled_from([1, 2, 10**9, np.int64(5), 0, -3, True, 2.5, None]))
def test_cooccurrence_matrix_batch_tokens(batch_tokens):
    texts = ["aa bb cc aa", "bb cc", "dd aa bb"]
    vectorizer = CooccurrenceVectorizer(window=2).fit(texts)
    total = check_outcome(
        lambda: vectorizer.cooccurrence_matrix(texts, batch_tokens=batch_tokens),
        _expect(_is_int(batch_tokens, 1)),
        f"cooccurrence_matrix(batch_tokens={batch_tokens!r})",
    )
    if total is not None:
        rows = vectorizer.transform(texts)
        expected = np.asarray(rows.sum(axis=0)).reshape(total.shape)
        np.testing.assert_array_equal(total.toarray(), expected)


# ------------------------------- vectorizer: token counts and word counts


@pytest.mark.parametrize("case", range(len(DOCUMENT_CASES)), ids=DOCUMENT_CASES)
@settings(max_examples=10)
@given(tokens=token_lists, lowercase=st.booleans())
def test_token_counts_and_count_words_in_every_container(tokens, case, lowercase):
    name, make, expect = _documents(tokens)[case]
    final = [[t.lower() if lowercase else t for t in document] for document in tokens]
    vectorizer = CooccurrenceVectorizer(lowercase=lowercase)
    params = vectorizer.get_params()
    documents = make()
    inputs, unchanged = ((), lambda: None)
    if name != "generator":
        inputs, unchanged = _checked_inputs(documents)
    counts = check_outcome(
        lambda: vectorizer.token_counts(documents),
        expect,
        f"CooccurrenceVectorizer(lowercase={lowercase}).token_counts({name})",
        inputs=inputs,
    )
    unchanged()
    # token_counts needs no fit and changes nothing.
    assert not hasattr(vectorizer, "vocabulary_") and vectorizer.get_params() == params
    if counts is not None:
        assert counts == Counter(token for document in final for token in document)
        if counts:  # fitting the counts is fitting the documents
            refit = CooccurrenceVectorizer(lowercase=lowercase).fit_token_counts(counts)
            assert refit.vocabulary_ == reference_vocabulary(final), name
            fitted = CooccurrenceVectorizer(lowercase=lowercase).fit(make())
            assert refit.vocabulary_ == fitted.vocabulary_, name
            np.testing.assert_array_equal(refit.word_counts_, fitted.word_counts_)
    fitted = CooccurrenceVectorizer(lowercase=lowercase).fit(["aa bb Cc", "cc dd x1"])
    documents = make()
    inputs, unchanged = ((), lambda: None)
    if name != "generator":
        inputs, unchanged = _checked_inputs(documents)
    rows = check_outcome(
        lambda: fitted.count_words(documents),
        expect,
        f"CooccurrenceVectorizer(lowercase={lowercase}).count_words({name})",
        inputs=inputs,
    )
    unchanged()
    if rows is None:
        return
    vocabulary = fitted.vocabulary_
    expected = np.zeros((len(tokens), len(vocabulary)))
    for row, document in enumerate(final):
        for token in document:
            if token in vocabulary:
                expected[row, vocabulary[token]] += 1
    assert sp.issparse(rows) and rows.dtype == np.float64, name
    np.testing.assert_array_equal(rows.toarray(), expected)


def _token_count_forms(counts):
    """Token counts in every form, as (name, value, valid)."""
    return [
        ("dict", dict(counts), True),
        ("counter", Counter(counts), True),
        ("mapping_proxy", MappingProxyType(dict(counts)), True),
        ("numpy_ints", {t: np.int64(c) for t, c in counts.items()}, True),
        ("with_zero", {**counts, "zz": 0}, True),
        ("numpy_str_keys", {np.str_(t): c for t, c in counts.items()}, True),
        ("near_int64_max", {**counts, "zz": 2**62, "ZZ": 2**62}, True),
        ("items", list(counts.items()), False),
        ("none", None, False),
        ("series", pd.Series(counts, dtype=np.int64), False),
        ("float_count", {**counts, "zz": 2.0}, False),
        ("bool_count", {**counts, "zz": True}, False),
        ("negative_count", {**counts, "zz": -1}, False),
        ("none_count", {**counts, "zz": None}, False),
        ("int_key", {**counts, 7: 1}, False),
        ("bytes_key", {**counts, b"aa": 1}, False),
        ("none_key", {**counts, None: 1}, False),
        ("beyond_int64", {**counts, "zz": 2**63}, False),
        ("uint64_max", {**counts, "zz": np.uint64(2**64 - 1)}, False),
    ]


TOKEN_COUNT_FORMS = [name for name, _, _ in _token_count_forms({})]


@given(
    counts=st.dictionaries(
        st.sampled_from([*WORDS, "AA", "Bb"]), st.integers(0, 6), max_size=6
    ),
    params=one_broken(
        form=(list(range(7)), list(range(7, len(TOKEN_COUNT_FORMS)))),
        min_count=MIN_COUNTS,
        max_vocab=MAX_VOCABS,
        lowercase=LOWERCASES,
    ),
)
def test_fit_token_counts(counts, params):
    name, token_counts, form_ok = _token_count_forms(counts)[params["form"]]
    min_count, max_vocab = params["min_count"], params["max_vocab"]
    lowercase = params["lowercase"]
    valid = (
        form_ok
        and _is_int(min_count, 1)
        and (max_vocab is None or _is_int(max_vocab, 1))
        and isinstance(lowercase, (bool, np.bool_))
    )
    folded, kept = Counter(), []
    if valid:  # tokens as fit makes them: lower-cased with lowercase
        for token, count in token_counts.items():
            folded[token.lower() if lowercase else str(token)] += int(count)
        # A count beyond int64 (two halves folded together) cannot be stored.
        valid = max(folded.values(), default=0) < 2**63
        kept = sorted(
            (word for word, count in folded.items() if count >= min_count),
            key=lambda word: (-folded[word], word),
        )[:max_vocab]
    context = (
        f"CooccurrenceVectorizer(min_count={min_count!r}, max_vocab={max_vocab!r}, "
        f"lowercase={lowercase!r}).fit_token_counts({name}: {token_counts!r})"
    )
    before = dict(token_counts) if isinstance(token_counts, Mapping) else None
    vectorizer = CooccurrenceVectorizer(
        min_count=min_count, max_vocab=max_vocab, lowercase=lowercase
    )
    fitted = check_outcome(
        lambda: vectorizer.fit_token_counts(token_counts),
        _expect(valid and bool(kept)),
        context,
    )
    if before is not None:
        assert dict(token_counts) == before, f"{context}: the counts changed"
    if fitted is None:
        return
    assert fitted.vocabulary_ == {word: k for k, word in enumerate(kept)}, context
    assert fitted.word_counts_.tolist() == [folded[word] for word in kept], context
    # The vocabulary it chose is the one it counts text with.
    counted = fitted.count_words([" ".join(kept)]).toarray()[0]
    np.testing.assert_array_equal(counted, np.ones(len(kept)))


# ------------------------------------------------- SimplerGloveVectorizer


def _small_glove():
    return SimplerGlove(n_components=2, max_iter=3, tol=0, random_state=0)


@pytest.mark.parametrize("case", range(len(DOCUMENT_CASES)), ids=DOCUMENT_CASES)
@settings(max_examples=5, deadline=None)
@given(tokens=token_lists)
def test_simpler_glove_vectorizer_documents_in_every_container(tokens, case):
    name, make, expect = _documents(tokens)[case]
    lowered = [[token.lower() for token in document] for document in tokens]
    vocabulary = reference_vocabulary(lowered)
    pairs = reference_counts(ids_of(lowered, vocabulary), window=2)
    if expect == VALID and not any(i != j for _, i, j in pairs):
        expect = ERROR  # no two distinct words co-occur: nothing to fit
    model = SimplerGloveVectorizer(CooccurrenceVectorizer(window=2), _small_glove())
    documents = make()
    inputs, unchanged = ((), lambda: None)
    if name != "generator":
        inputs, unchanged = _checked_inputs(documents)
    context = f"SimplerGloveVectorizer().fit({name})"
    fitted = check_outcome(lambda: model.fit(documents), expect, context, inputs=inputs)
    unchanged()
    if fitted is None:
        return
    assert fitted.glove_.vocabulary_ == vocabulary, context
    X = check_outcome(lambda: fitted.transform(make()), VALID, f"transform({name})")
    # Each document's vector: the sum of its words' vectors (pooling="sum").
    embeddings = fitted.glove_.embeddings_
    expected = np.zeros((len(tokens), embeddings.shape[1]))
    for row, document in enumerate(lowered):
        for token in document:
            expected[row] += embeddings[vocabulary[token]]
    assert X.shape == expected.shape, context
    np.testing.assert_allclose(X, expected, rtol=1e-10, atol=1e-12)


def test_simpler_glove_vectorizer_refuses_every_non_document():
    texts = ["aa bb cc", "bb dd aa", "cc dd"]
    model = SimplerGloveVectorizer(CooccurrenceVectorizer(window=2), _small_glove())
    model.fit(texts)
    for name, make, expect in _documents([["aa", "bb"], ["cc"]]):
        if expect == VALID:
            continue
        documents = make()
        check_outcome(
            lambda d=documents: model.transform(d),
            ERROR,
            f"fitted SimplerGloveVectorizer.transform({name})",
            inputs=(documents,),
        )


SGV_VECTORIZERS = (
    [None, CooccurrenceVectorizer(window=2), CooccurrenceVectorizer(min_count=2)],
    [CooccurrenceVectorizer(window=0), SimplerGlove(), 3, "vectorizer", [None]],
)
SGV_GLOVES = (
    [None, _small_glove(), SimplerGlove(n_components=3, negative=0, max_iter=2)],
    [SimplerGlove(n_components=0), CooccurrenceVectorizer(), 3, "glove", True],
)


@settings(deadline=None)
@given(params=one_broken(vectorizer=SGV_VECTORIZERS, glove=SGV_GLOVES))
def test_simpler_glove_vectorizer_parameters(params):
    vectorizer, glove = params["vectorizer"], params["glove"]
    valid = any(vectorizer is v for v in SGV_VECTORIZERS[0]) and any(
        glove is g for g in SGV_GLOVES[0]
    )
    texts = ["aa bb cc dd aa", "bb cc ee bb", "aa ee dd cc"]
    model = SimplerGloveVectorizer(vectorizer, glove)
    context = f"SimplerGloveVectorizer({vectorizer!r}, {glove!r}).fit"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = check_outcome(lambda: model.fit(texts), _expect(valid), context)
    if fitted is None:
        return
    # The given steps are cloned, never fitted themselves.
    for step in (vectorizer, glove):
        if step is not None:
            fitted_attributes = [name for name in vars(step) if name.endswith("_")]
            assert not fitted_attributes, f"{context}: {step!r} was fitted"
    X = fitted.transform(texts)
    assert X.shape == (3, fitted.glove_.embeddings_.shape[1]), context
    assert np.all(np.isfinite(X)), context
    names = fitted.get_feature_names_out()
    assert len(names) == X.shape[1], context


# --------------------------------------------------------- count_cooccurrence

id_lists = st.lists(st.lists(st.integers(-1, 5), max_size=8), max_size=4)


def _id_forms(lists):
    """The accepted forms of the ids, as (name, ids, offsets)."""
    flat = [i for ids in lists for i in ids]
    offsets = np.cumsum([0] + [len(ids) for ids in lists]).tolist()
    return [
        ("flat_list", flat, offsets),
        ("flat_int32", np.array(flat, dtype=np.int32), np.array(offsets)),
        ("flat_int8", np.array(flat, dtype=np.int8), np.array(offsets, np.uint16)),
        ("flat_object", np.array(flat, dtype=object), tuple(offsets)),
        ("flat_series", pd.Series(flat, dtype=np.int64), pd.Series(offsets)),
        ("list_of_lists", [list(ids) for ids in lists], None),
        ("list_of_arrays", [np.array(ids, dtype=np.int64) for ids in lists], None),
        ("tuple_of_tuples", tuple(tuple(ids) for ids in lists), None),
    ]


def _bad_ids(lists):
    """Broken ids and offsets, as (name, ids, offsets, extra kwargs)."""
    flat = [i for ids in lists for i in ids] + [0]
    offsets = [0, len(flat)]
    return [
        ("float_ids", np.array(flat, dtype=float), offsets, {}),
        ("bool_ids", np.array(flat, dtype=bool), offsets, {}),
        ("str_ids", np.array(flat).astype(str), offsets, {}),
        ("none_id", [*flat, None], [0, len(flat) + 1], {}),
        ("float_id", [*flat, 1.5], [0, len(flat) + 1], {}),
        ("mixed_nesting", [0, [1, 2]], None, {}),
        ("two_d", np.zeros((2, 2), dtype=int), None, {}),
        ("float_offsets", flat, [0.0, float(len(flat))], {}),
        ("short_offsets", flat, [0], {}),
        ("offsets_past_end", flat, [0, len(flat) + 1], {}),
        ("decreasing_offsets", flat, [0, len(flat), 0, len(flat)], {}),
        ("two_d_offsets", flat, [[0, len(flat)]], {}),
        ("offsets_with_lists", [flat], [0, len(flat)], {}),
        ("n_words_too_small", flat, offsets, {"n_words": max(flat)}),
        ("id_2**31", [*flat, 2**31], None, {}),
        ("id_2**40", [*flat, 2**40], None, {}),
        ("uint64_huge", np.array([0, 2**63 + 1], dtype=np.uint64), None, {}),
        ("empty_no_n_words", [], None, {}),
        ("all_negative_no_n_words", [-1, -2], None, {}),
        ("generator", (i for i in flat), None, {}),
        ("set", set(flat), None, {}),
        ("dict", dict.fromkeys(flat), None, {}),
        ("none", None, None, {}),
        ("str", "0 1 2", None, {}),
    ]


@given(
    lists=id_lists,
    form=st.integers(0, 7),
    params=one_broken(
        n_words=([None, 6, 9, np.int64(7)], [0, -1, True, 2.5, 2**31]),
        window=([None, 1, 2, 10**12], [0, -2, True, 1.5]),
        per_document=([False, True, np.True_], [1, "yes", None]),
        dtype=([np.float64, "float32", np.dtype("float32")], [np.int32, None, "f8"]),
    ),
)
def test_count_cooccurrence_valid_forms_and_parameters(lists, form, params):
    n_words, window = params["n_words"], params["window"]
    per_document, dtype = params["per_document"], params["dtype"]
    name, ids, offsets = _id_forms(lists)[form]
    largest = max((i for part in lists for i in part), default=-1)
    valid_n_words = (n_words is None and largest >= 0) or (
        _is_int(n_words, 1) and n_words > largest and n_words < 2**31
    )
    dtype_ok = (
        dtype is np.float64
        or (isinstance(dtype, str) and dtype == "float32")
        or (isinstance(dtype, np.dtype) and dtype == np.float32)
    )
    valid = (
        valid_n_words
        and (window is None or _is_int(window, 1))
        and isinstance(per_document, (bool, np.bool_))
        and dtype_ok
    )
    context = (
        f"count_cooccurrence({name}, n_words={n_words!r}, window={window!r}, "
        f"per_document={per_document!r}, dtype={dtype!r})"
    )
    counts = check_outcome(
        lambda: count_cooccurrence(
            ids,
            offsets,
            n_words=n_words,
            window=window,
            per_document=per_document,
            dtype=dtype,
        ),
        _expect(valid),
        context,
        inputs=_checked_inputs(ids)[0] + (offsets,),
    )
    _checked_inputs(ids)[1]()
    if counts is None:
        return
    vocabulary_size = largest + 1 if n_words is None else int(n_words)
    if not lists and offsets is None:
        lists = [[]]  # no sequence at all is one (empty) flat document
    expected = reference_counts(lists, window)
    if per_document:
        assert counts.shape == (len(lists), vocabulary_size**2), context
        assert as_counter(counts, vocabulary_size, True) == expected, context
    else:
        assert counts.shape == (vocabulary_size, vocabulary_size), context
        assert as_counter(counts, vocabulary_size, False) == summed(expected), context
    assert counts.dtype == (np.float64 if dtype is np.float64 else np.float32)
    assert counts.has_canonical_format and np.all(counts.data > 0), context


BAD_ID_CASES = [name for name, _, _, _ in _bad_ids([])]


@pytest.mark.parametrize("case", range(len(BAD_ID_CASES)), ids=BAD_ID_CASES)
@settings(max_examples=10)
@given(lists=id_lists)
def test_count_cooccurrence_broken_ids(lists, case):
    name, ids, offsets, kwargs = _bad_ids(lists)[case]
    check_outcome(
        lambda: count_cooccurrence(ids, offsets, **kwargs),
        ERROR,
        f"count_cooccurrence({name})",
        inputs=(ids,) if name != "generator" else (),
    )


@given(ids=st.lists(st.sampled_from([0, 7, 2**31 - 2, 2**30, -1]), max_size=8))
def test_count_cooccurrence_huge_ids_per_document(ids):
    # Ids near 2**31 with n_words=None: counting takes the memory of the data.
    expect = _expect(any(i >= 0 for i in ids))
    counts = check_outcome(
        lambda: count_cooccurrence([ids, ids[::-1]], window=2, per_document=True),
        expect,
        "count_cooccurrence(huge ids, per_document=True)",
    )
    if counts is not None:
        n_words = max(ids) + 1
        assert counts.shape == (2, n_words**2)
        expected = reference_counts([ids, ids[::-1]], window=2)
        assert as_counter(counts, n_words, per_document=True) == expected


# ------------------------------------------------- SimplerGlove: word queries

GLOVE_WORDS = ["aa", "bb", "cc", "dd", "ee", "ff"]


@lru_cache(maxsize=1)
def _fitted_glove():
    rng = np.random.default_rng(0)
    X = rng.poisson(rng.uniform(0.5, 3.0, size=6), size=(80, 6)).astype(float)
    glove = SimplerGlove(
        n_components=3, max_iter=30, tol=0, random_state=0, vocabulary=GLOVE_WORDS
    )
    return glove.fit(X)


def _word_ok(word):
    """(valid, index) of a word argument, by this file's own rules."""
    if isinstance(word, str):
        if word in GLOVE_WORDS:
            return True, GLOVE_WORDS.index(word)
        return False, None
    if _is_int(word):
        return 0 <= word < len(GLOVE_WORDS), int(word)
    return False, None


def _reference_scores(glove, target, measure, n_reference):
    """Scores of every word against a target vector, by explicit formulas."""
    vectors = glove.embeddings_
    if measure == "dot":
        return np.array([float(np.dot(v, target)) for v in vectors])
    if measure == "cosine":
        rows, query = vectors, target
    else:  # correlation of the PMI profiles over the most frequent words
        order = np.argsort(-glove.word_counts_, kind="stable")[:n_reference]
        reference = vectors[order]
        rows = np.array([reference @ v for v in vectors])
        rows -= rows.mean(axis=1, keepdims=True)
        query = reference @ target
        query = query - query.mean()
    scores = []
    for row in rows:
        norms = np.linalg.norm(row) * np.linalg.norm(query)
        scores.append(float(row @ query / norms) if norms > 0 else 0.0)
    return np.array(scores)


def _assert_ranked(result, scores, exclude, topn, context):
    words = [word for word, _ in result]
    candidates = [k for k in range(len(GLOVE_WORDS)) if k not in exclude]
    assert len(result) == min(topn, len(candidates)), context
    got = [score for _, score in result]
    assert got == sorted(got, reverse=True), context
    chosen = [GLOVE_WORDS.index(word) for word in words]
    assert not set(chosen) & set(exclude), context
    np.testing.assert_allclose(got, scores[chosen], rtol=1e-7, atol=1e-9)
    rest = [scores[k] for k in candidates if k not in chosen]
    assert not rest or min(got) >= max(rest) - 1e-9, context


VALID_WORDS = [*GLOVE_WORDS[:3], 0, 5, np.int64(2)]
INVALID_WORDS = ["zz", "", "AA", 6, -1, 2**40, True, np.True_, 1.5, None, b"aa", ["aa"]]
VECTORS = [
    ("finite", np.array([0.3, -1.0, 0.5]), True),
    ("list", [1.0, 2.0, -0.5], True),
    ("int_vector", np.array([1, 0, 2]), True),
    ("huge", np.array([1e300, -3e299, 2e300]), True),
    ("tiny", np.array([1e-310, 3e-300, -2e-305]), True),
    ("zero", np.zeros(3), True),
    ("nan", np.array([0.0, np.nan, 1.0]), False),
    ("inf", np.array([np.inf, 0.0, 1.0]), False),
    ("too_long", np.ones(4), False),
    ("two_d", np.ones((1, 3)), False),
    ("empty", np.array([]), False),
    ("str", np.array(["a", "b", "c"]), False),
    ("bool", np.array([True, False, True]), False),
    ("complex", np.array([1j, 0, 1]), False),
]
TOPNS = ([1, 3, 6, 100, np.int64(2)], [0, -1, True, 2.0, None, "3"])
MEASURES = (["cosine", "dot", "profile"], ["euclid", None, "COSINE"])
N_REFERENCES = ([2, 3, 10_000, np.int32(4)], [1, 0, True, 2.5, None])


@given(
    params=one_broken(
        query=(
            [*VALID_WORDS, *(str(k) for k, case in enumerate(VECTORS) if case[2])],
            [
                *INVALID_WORDS,
                *(str(k) for k, case in enumerate(VECTORS) if not case[2]),
            ],
        ),
        topn=TOPNS,
        measure=MEASURES,
        n_reference=N_REFERENCES,
    )
)
def test_most_similar(params):
    query, topn = params["query"], params["topn"]
    measure, n_reference = params["measure"], params["n_reference"]
    glove = _fitted_glove()
    if isinstance(query, str) and query.isdigit():  # an index into VECTORS
        name, query, vector_ok = VECTORS[int(query)]
        word_ok, index = False, None
        valid = vector_ok
    else:
        name = repr(query)
        word_ok, index = _word_ok(query)
        valid = word_ok
    valid = (
        valid
        and _is_int(topn, 1)
        and measure in ("cosine", "dot", "profile")
        and _is_int(n_reference, 2)
    )
    target = None
    if valid and not word_ok:
        target = np.asarray(query, dtype=np.float64)
        if measure == "dot":
            with np.errstate(over="ignore"):
                valid = bool(np.all(np.isfinite(glove.embeddings_ @ target)))
        else:  # cosines do not see the scale: rescale the reference's target
            target = target / np.max(np.abs(target)) if np.any(target) else target
    context = f"most_similar({name}, topn={topn!r}, {measure!r}, {n_reference!r})"
    result = check_outcome(
        lambda: glove.most_similar(
            query, topn=topn, measure=measure, n_reference=n_reference
        ),
        _expect(valid),
        context,
        inputs=(query,) if isinstance(query, np.ndarray) else (),
    )
    if result is None:
        return
    exclude = [index] if word_ok else []
    target = glove.embeddings_[index] if word_ok else target
    scores = _reference_scores(glove, target, measure, n_reference)
    _assert_ranked(result, scores, exclude, int(topn), context)


@given(
    params=one_broken(
        word_a=(VALID_WORDS, INVALID_WORDS),
        word_b=(VALID_WORDS, INVALID_WORDS),
        measure=MEASURES,
        n_reference=N_REFERENCES,
    )
)
def test_similarity(params):
    word_a, word_b = params["word_a"], params["word_b"]
    measure, n_reference = params["measure"], params["n_reference"]
    glove = _fitted_glove()
    ok_a, index_a = _word_ok(word_a)
    ok_b, index_b = _word_ok(word_b)
    valid = (
        ok_a
        and ok_b
        and measure in ("cosine", "dot", "profile")
        and _is_int(n_reference, 2)
    )
    context = f"similarity({word_a!r}, {word_b!r}, {measure!r}, {n_reference!r})"
    result = check_outcome(
        lambda: glove.similarity(
            word_a, word_b, measure=measure, n_reference=n_reference
        ),
        _expect(valid),
        context,
    )
    if result is not None:
        scores = _reference_scores(
            glove, glove.embeddings_[index_b], measure, n_reference
        )
        assert result == pytest.approx(scores[index_a], rel=1e-7, abs=1e-9), context
    elif isinstance(word_a, str) and not ok_a:
        # An unknown word is a KeyError as well as a ValueError, and named.
        with pytest.raises(KeyError, match=re.escape(f"Word {word_a!r} is not")):
            glove.similarity(word_a, "aa")


@given(
    params=one_broken(
        word_a=(VALID_WORDS, INVALID_WORDS),
        word_b=(VALID_WORDS, INVALID_WORDS),
        word_c=(VALID_WORDS, INVALID_WORDS),
        topn=TOPNS,
    )
)
def test_analogy(params):
    words = (params["word_a"], params["word_b"], params["word_c"])
    topn = params["topn"]
    glove = _fitted_glove()
    checked = [_word_ok(word) for word in words]
    valid = all(ok for ok, _ in checked) and _is_int(topn, 1)
    context = f"analogy{words!r}, topn={topn!r}"
    result = check_outcome(
        lambda: glove.analogy(*words, topn=topn), _expect(valid), context
    )
    if result is None:
        return
    a, b, c = (index for _, index in checked)
    unit = glove.embeddings_ / np.linalg.norm(glove.embeddings_, axis=1, keepdims=True)
    target = unit[b] - unit[a] + unit[c]
    scores = _reference_scores(glove, target, "cosine", 2)
    _assert_ranked(result, scores, [a, b, c], int(topn), context)


# ------------------------------------ SimplerGlove: vocabulary and input_type


def _vocabularies(n_words, seed):
    """Vocabularies for n_words columns, as (name, value, expected mapping or None)."""
    words = [f"w{k}" for k in range(n_words)]
    mapping = dict(zip(words, range(n_words)))
    permuted = dict(zip(np.random.default_rng(seed).permutation(words), range(n_words)))
    permuted = {str(word): index for word, index in permuted.items()}
    return [
        ("none", None, None),
        ("list", list(words), mapping),
        ("tuple", tuple(words), mapping),
        ("array", np.array(words), mapping),
        ("object_array", np.array(words, dtype=object), mapping),
        ("index", pd.Index(words), mapping),
        ("dict", dict(mapping), mapping),
        ("permuted_dict", permuted, permuted),
        ("numpy_int_values", {w: np.int64(i) for w, i in mapping.items()}, mapping),
        ("short", words[:-1], None),
        ("long", [*words, "extra"], None),
        ("repeated", [*words[:-1], words[0]], None),
        ("int_words", list(range(n_words)), None),
        ("none_word", [*words[:-1], None], None),
        ("float_values", {w: float(i) for w, i in mapping.items()}, None),
        ("bool_value", {**mapping, words[1]: True}, None),
        ("negative_value", {**mapping, words[0]: -1}, None),
        ("missing_index", {**mapping, words[0]: n_words}, None),
        ("set", set(words), None),
        ("str", "".join(words), None),
        ("int", 3, None),
        ("two_d", np.array([words, words]), None),
    ]


def _square(X):
    """The V x V co-occurrence matrix of context rows, word counts on the diagonal."""
    pairs = X.T @ X
    np.fill_diagonal(pairs, X.sum(axis=0))
    return pairs


@given(
    seed=st.integers(0, 2**16),
    n_words=st.integers(3, 5),
    params=one_broken(
        case=(list(range(9)), list(range(9, 22))),
        input_type=(
            ["contexts", "cooccurrence"],
            ["Contexts", None, True, "cooccurrence_on_contexts"],
        ),
    ),
)
def test_simpler_glove_vocabulary_and_input_type(seed, n_words, params):
    case, input_type = params["case"], params["input_type"]
    rng = np.random.default_rng(seed)
    X = rng.poisson(2.0, size=(30, n_words)).astype(float)
    X[:, 0] += 1  # every word pairs with word 0
    name, vocabulary, expected = _vocabularies(n_words, seed)[case]
    expect = _expect(case < 9 and input_type in ("contexts", "cooccurrence"))
    data = _square(X) if input_type == "cooccurrence" else X
    if input_type == "cooccurrence_on_contexts":
        # Context rows read as a co-occurrence matrix: not square, an error.
        input_type = "cooccurrence"
        expect = ERROR
    params = {"n_components": 2, "max_iter": 5, "tol": 0, "random_state": 0}
    glove = SimplerGlove(vocabulary=vocabulary, input_type=input_type, **params)
    context = f"SimplerGlove(vocabulary={name}, input_type={input_type!r}).fit"
    fitted = check_outcome(lambda: glove.fit(data), expect, context, inputs=(data,))
    if fitted is None or expect == EITHER:
        return
    # The words change nothing in the fit; they name its rows.
    plain = SimplerGlove(input_type=input_type, **params).fit(data)
    np.testing.assert_array_equal(fitted.embeddings_, plain.embeddings_)
    if expected is None:
        assert not hasattr(fitted, "vocabulary_"), context
        return
    assert fitted.vocabulary_ == expected, context
    assert all(type(word) is str for word in fitted.vocabulary_), context
    word = next(iter(expected))
    neighbours = fitted.most_similar(word, topn=n_words)
    assert {w for w, _ in neighbours} == set(expected) - {word}, context


# ------------------------------------------------------ word-vector metrics


def _embeddings(seed):
    """Embeddings of 6 words, as (name, value, valid)."""
    vectors = np.random.default_rng(seed).normal(size=(6, 3))
    with_nan, with_inf = vectors.copy(), vectors.copy()
    with_nan[2, 1], with_inf[4, 0] = np.nan, -np.inf
    scales = np.array([1e300, 1e-300, 1e-310, 1.0, 3e200, 5e-324])[:, np.newaxis]
    return [
        ("finite", vectors, True),
        ("float32", vectors.astype(np.float32), True),
        ("list", vectors.tolist(), True),
        ("extreme_rows", vectors * scales, True),
        ("zero_row", np.vstack([vectors[:5], np.zeros(3)]), True),
        # NumPy (and scikit-learn's check_array) read numeric strings as numbers.
        ("numeric_strings", vectors.astype(str), True),
        ("nan", with_nan, False),
        ("inf", with_inf, False),
        ("complex", vectors + 1j, False),
        ("words", np.full((6, 3), "x"), False),
        ("one_d", vectors[:, 0], False),
        ("three_d", vectors[np.newaxis], False),
        ("sparse", sp.csr_matrix(vectors), False),
        ("none", None, False),
    ]


METRIC_WORDS = ["cup", "mug", "tree", "oak", "sky", "sea"]


def _metric_vocabularies():
    """Vocabularies of the 6 rows, as (name, value, folded mapping or None)."""
    mapping = dict(zip(METRIC_WORDS, range(6)))
    cased = {word.upper() if k % 2 else word: k for k, word in enumerate(METRIC_WORDS)}
    return [
        ("dict", mapping, mapping),
        ("list", list(METRIC_WORDS), mapping),
        ("array", np.array(METRIC_WORDS), mapping),
        ("mixed_case", cased, mapping),
        ("partial", {"cup": 0, "tree": 2, "sea": 5}, {"cup": 0, "tree": 2, "sea": 5}),
        ("row_past_end", {**mapping, "sea": 6}, None),
        ("negative_row", {**mapping, "sky": -1}, None),
        ("float_row", {**mapping, "oak": 3.0}, None),
        ("bool_row", {**mapping, "oak": True}, None),
        ("int_word", {**mapping, 7: 1}, None),
        ("repeated_word", [*METRIC_WORDS[:5], "cup"], None),
        ("set", set(METRIC_WORDS), None),
        ("none", None, None),
    ]


PAIR_WORDS = [*METRIC_WORDS, "Cup", "zebra"]


@given(
    seed=st.integers(0, 2**16),
    pairs=st.lists(st.tuples(*[st.sampled_from(PAIR_WORDS)] * 2), max_size=8),
    params=one_broken(
        embeddings_case=(list(range(6)), list(range(6, 14))),
        vocabulary_case=(list(range(5)), list(range(5, 13))),
        scores_kind=(["random", "ints"], ["nan", "short", "str", "constant"]),
    ),
)
def test_word_similarity_spearman(seed, pairs, params):
    embeddings_case, vocabulary_case = (
        params["embeddings_case"],
        params["vocabulary_case"],
    )
    scores_kind = params["scores_kind"]
    rng = np.random.default_rng(seed)
    e_name, embeddings, e_ok = _embeddings(seed)[embeddings_case]
    v_name, vocabulary, folded = _metric_vocabularies()[vocabulary_case]
    pairs = [list(pair) for pair in pairs]
    scores = {
        "random": rng.uniform(0, 10, size=len(pairs)),
        "nan": np.full(len(pairs), np.nan),
        "short": rng.uniform(size=len(pairs) + 1),
        "str": np.array(["x"] * len(pairs)),
        "constant": np.ones(len(pairs)),
        "ints": rng.integers(0, 10, size=len(pairs)),
    }[scores_kind]
    valid = e_ok and folded is not None and bool(pairs)
    valid = valid and scores_kind in ("random", "constant", "ints")
    rows = []
    if valid:
        rows = [
            (folded[a.lower()], folded[b.lower()], s)
            for (a, b), s in zip(pairs, scores)
            if a.lower() in folded and b.lower() in folded
        ]
        unit = np.asarray(embeddings, dtype=np.float64)
        unit = unit / np.max(np.abs(unit), axis=1, keepdims=True).clip(1e-320)
        norms = np.linalg.norm(unit, axis=1, keepdims=True)
        unit = np.divide(unit, norms, out=np.zeros_like(unit), where=norms > 0)
        cosines = [float(unit[i] @ unit[j]) for i, j, _ in rows]
        human = [s for _, _, s in rows]
        valid = len(rows) >= 2 and len(set(human)) > 1
    expect = _expect(valid)
    # Cosines that are equal in exact arithmetic (self-pairs are all 1) differ
    # in their last bits from row to row: their ranks, and whether they are
    # "all equal", depend on rounding. Pairs of the same rows are equal exactly.
    near_ties = False
    if valid:
        same = {}
        for (i, j, _), cosine in zip(rows, cosines):
            same.setdefault(round(cosine, 10), set()).add(frozenset((i, j)))
        near_ties = any(len(keys) > 1 for keys in same.values())
        if len(same) == 1:
            expect = EITHER if near_ties else ERROR
    context = f"word_similarity_spearman({e_name}, {v_name}, {pairs}, {scores_kind})"
    result = check_outcome(
        lambda: word_similarity_spearman(embeddings, vocabulary, pairs, scores),
        expect,
        context,
        inputs=(embeddings, pairs, scores),
    )
    if result is None:
        return
    rho, coverage = result
    assert coverage == pytest.approx(len(rows) / len(pairs)), context
    if not near_ties:
        expected = spearmanr(cosines, human).statistic
        assert rho == pytest.approx(expected, abs=1e-9), context
    assert -1 <= rho <= 1, context


@given(
    seed=st.integers(0, 2**16),
    questions=st.lists(st.tuples(*[st.sampled_from(PAIR_WORDS)] * 4), max_size=6),
    with_sections=st.booleans(),
    params=one_broken(
        embeddings_case=(list(range(6)), list(range(6, 14))),
        vocabulary_case=(list(range(5)), list(range(5, 13))),
        restrict_vocab=([None, 3, 6, 100, np.int64(4)], [0, -1, True, 2.5, "3"]),
    ),
)
def test_word_analogy_accuracy(seed, questions, with_sections, params):
    embeddings_case, vocabulary_case = (
        params["embeddings_case"],
        params["vocabulary_case"],
    )
    restrict_vocab = params["restrict_vocab"]
    e_name, embeddings, e_ok = _embeddings(seed)[embeddings_case]
    v_name, vocabulary, folded = _metric_vocabularies()[vocabulary_case]
    questions = [list(question) for question in questions]
    sections = [f"s{k % 2}" for k in range(len(questions))] if with_sections else None
    valid = (
        e_ok
        and folded is not None
        and bool(questions)
        and (restrict_vocab is None or _is_int(restrict_vocab, 1))
    )
    context = (
        f"word_analogy_accuracy({e_name}, {v_name}, {questions}, "
        f"restrict_vocab={restrict_vocab!r})"
    )
    result = check_outcome(
        lambda: word_analogy_accuracy(
            embeddings,
            vocabulary,
            questions,
            restrict_vocab=restrict_vocab,
            sections=sections,
        ),
        _expect(valid),
        context,
        inputs=(embeddings, questions),
    )
    if result is None:
        return
    correct, covered = _reference_analogy(embeddings, folded, questions, restrict_vocab)
    assert result.n_covered == sum(covered), context
    assert result.coverage == pytest.approx(sum(covered) / len(questions)), context
    assert result.correct.tolist() == correct, context
    assert result.n_correct == sum(correct), context
    if with_sections:
        assert list(result.per_section) == list(dict.fromkeys(sections)), context


def _reference_analogy(embeddings, folded, questions, restrict_vocab):
    """Per question: (correct, covered), by unit rows and a loop over candidates.

    The answer is the best cosine among all rows below ``restrict_vocab`` but
    a, b and c; a question whose candidates are all excluded has no answer.
    """
    vectors = np.asarray(embeddings, dtype=np.float64)
    limit = len(vectors) if restrict_vocab is None else min(int(restrict_vocab), 6)
    unit = vectors / np.max(np.abs(vectors), axis=1, keepdims=True).clip(1e-320)
    norms = np.linalg.norm(unit, axis=1, keepdims=True)
    unit = np.divide(unit, norms, out=np.zeros_like(unit), where=norms > 0)[:limit]
    correct, covered = [], []
    for question in questions:
        rows = [folded.get(word.lower(), -1) for word in question]
        covered.append(min(rows) >= 0 and max(rows) < limit)
        candidates = [k for k in range(limit) if k not in rows[:3]]
        if not covered[-1] or not candidates:
            correct.append(False)
            continue
        a, b, c, d = rows
        target = unit[b] - unit[a] + unit[c]
        scores = [float(unit[k] @ target) for k in candidates]
        correct.append(candidates[int(np.argmax(scores))] == d)
    return correct, covered


@settings(max_examples=60)
@given(
    seed=st.integers(0, 2**16),
    restrict_vocab=st.integers(1, 5),
    questions=st.lists(
        st.tuples(*[st.sampled_from(METRIC_WORDS[:4])] * 4), min_size=1, max_size=6
    ),
)
def test_word_analogy_accuracy_with_few_candidates(seed, restrict_vocab, questions):
    # restrict_vocab near 3: questions whose a, b and c exclude every candidate.
    embeddings = np.random.default_rng(seed).normal(size=(6, 3))
    folded = dict(zip(METRIC_WORDS, range(6)))
    context = f"word_analogy_accuracy({questions}, restrict_vocab={restrict_vocab})"
    result = check_outcome(
        lambda: word_analogy_accuracy(
            embeddings, METRIC_WORDS, questions, restrict_vocab=restrict_vocab
        ),
        VALID,
        context,
    )
    correct, covered = _reference_analogy(embeddings, folded, questions, restrict_vocab)
    assert result.correct.tolist() == correct, f"{context}: correct per question"
    assert result.n_covered == sum(covered), context


BAD_VOCABULARIES = [case for case in _metric_vocabularies() if case[2] is None]


@pytest.mark.parametrize(
    "case", BAD_VOCABULARIES, ids=[name for name, _, _ in BAD_VOCABULARIES]
)
@settings(max_examples=10)
@given(
    seed=st.integers(0, 2**16),
    pairs=st.lists(
        st.tuples(*[st.sampled_from(METRIC_WORDS)] * 2), min_size=3, max_size=8
    ),
)
def test_word_vector_metrics_refuse_bad_vocabularies(case, seed, pairs):
    # Rows past the embeddings or negative were dropped silently before.
    name, vocabulary, _ = case
    embeddings = np.random.default_rng(seed).normal(size=(6, 3))
    scores = np.arange(len(pairs), dtype=float)
    check_outcome(
        lambda: word_similarity_spearman(embeddings, vocabulary, pairs, scores),
        ERROR,
        f"word_similarity_spearman(vocabulary={name})",
    )
    questions = [[*pair, *pair] for pair in pairs]
    check_outcome(
        lambda: word_analogy_accuracy(embeddings, vocabulary, questions),
        ERROR,
        f"word_analogy_accuracy(vocabulary={name})",
    )


# ------------------------------------------------ dimensions and loaders

N_WORD_VALUES = st.one_of(
    st.integers(-5, 10**12),
    st.sampled_from(
        [True, False, np.True_, 1.0, 2.5, None, "10", np.int64(77), 10**400]
    ),
)


@given(n_words=N_WORD_VALUES)
def test_minimum_entropy_dimension(n_words):
    valid = _is_int(n_words, 1)
    result = check_outcome(
        lambda: minimum_entropy_dimension(n_words),
        _expect(valid),
        f"minimum_entropy_dimension({n_words!r})",
    )
    if result is not None:
        assert result == max(1, math.ceil(8.33 * math.log(int(n_words))))


@lru_cache(maxsize=1)
def _all_two_character_words():
    return load_two_character_words()


@given(
    min_frequency=st.one_of(
        st.integers(-10, 200_000),
        st.sampled_from([100, 10**30, np.int64(1000), True, 100.0, None, "100"]),
    ),
    as_frame=st.sampled_from([False, True, np.False_, 1, 0, None, "yes"]),
)
def test_load_two_character_words(min_frequency, as_frame):
    valid = _is_int(min_frequency, 100) and isinstance(as_frame, (bool, np.bool_))
    data = check_outcome(
        lambda: load_two_character_words(
            min_frequency=min_frequency, as_frame=as_frame
        ),
        _expect(valid),
        f"load_two_character_words({min_frequency!r}, as_frame={as_frame!r})",
    )
    if data is None:
        return
    everything = _all_two_character_words()
    keep = everything.frequency >= min_frequency
    assert data.words.tolist() == everything.words[keep].tolist()
    assert (data.frame is not None) == bool(as_frame)


@given(
    name=st.sampled_from(["wordsim353", "simlex999", "WordSim353", "men", "", None, 3])
)
def test_load_word_similarity(name):
    data = check_outcome(
        lambda: load_word_similarity(name),
        _expect(name in ("wordsim353", "simlex999")),
        f"load_word_similarity({name!r})",
    )
    if data is not None:
        n_pairs = {"wordsim353": 353, "simlex999": 999}[name]
        assert data.pairs.shape == (n_pairs, 2) and data.scores.shape == (n_pairs,)
        assert np.all(np.isfinite(data.scores)) and np.all(data.scores >= 0)
