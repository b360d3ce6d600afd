"""Tests of CooccurrenceVectorizer and count_cooccurrence."""

import itertools
import pickle
import re
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_kexue.embedding._cooccurrence_kernels import (
    count_pairs,
    count_pairs_numpy,
)
from sklearn_kexue.embedding._vectorizer import (
    CooccurrenceVectorizer,
    _csr_from_parts,
    _index_dtype,
    count_cooccurrence,
)
from tests._kernel_paths import KERNEL_PATHS, kernel_path

TEXT = [
    "The cat sat on the mat. The dog sat on the log.",
    "A dog and a cat met; the cat ran, the dog ran after the cat.",
    "Mats and logs are not cats or dogs.",
    "",
    "The end of the story: the cat and the dog are friends.",
]


def reference_rows(token_lists, vocabulary, window):
    """Per-document counts by a double loop over positions (dense, V * V)."""
    n_words = len(vocabulary)
    rows = np.zeros((len(token_lists), n_words, n_words))
    for row, tokens in enumerate(token_lists):
        ids = [vocabulary[token] for token in tokens if token in vocabulary]
        for p, i in enumerate(ids):
            rows[row, i, i] += 1
            for q, j in enumerate(ids):
                near = window is None or abs(p - q) <= window
                if p != q and i != j and near:
                    rows[row, i, j] += 1
    return rows.reshape(len(token_lists), n_words * n_words)


def assert_canonical(X):
    X.check_format(full_check=True)
    assert X.has_sorted_indices
    assert X.has_canonical_format
    assert np.all(X.data != 0)


def as_square(row, n_words):
    return np.asarray(row.toarray()).reshape(n_words, n_words)


token_lists_strategy = st.lists(
    st.lists(st.sampled_from("abcdexy"), max_size=30), min_size=1, max_size=6
)
window_strategy = st.one_of(st.none(), st.integers(1, 5))


@pytest.mark.parametrize("path", KERNEL_PATHS)
@given(
    token_lists=token_lists_strategy,
    window=window_strategy,
    min_count=st.integers(1, 3),
    batch_tokens=st.integers(1, 40),
)
def test_matches_reference_counter(path, token_lists, window, min_count, batch_tokens):
    with kernel_path(path):
        _check_against_reference(token_lists, window, min_count, batch_tokens)


def _check_against_reference(token_lists, window, min_count, batch_tokens):
    # x and y never reach the vocabulary: out-of-vocabulary tokens inside documents.
    fit_lists = [[t for t in tokens if t not in "xy"] for tokens in token_lists]
    assume(sum(map(len, fit_lists)) > 0)
    vectorizer = CooccurrenceVectorizer(window=window, min_count=min_count)
    try:
        vectorizer.fit(fit_lists)
    except ValueError:
        assume(False)
    n_words = len(vectorizer.vocabulary_)
    expected = reference_rows(token_lists, vectorizer.vocabulary_, window)

    X = vectorizer.transform(token_lists)
    assert X.shape == (len(token_lists), n_words * n_words)
    assert X.dtype == np.float64
    assert_canonical(X)
    np.testing.assert_array_equal(X.toarray(), expected)

    total = vectorizer.cooccurrence_matrix(token_lists, batch_tokens=batch_tokens)
    assert total.shape == (n_words, n_words)
    assert_canonical(total)
    np.testing.assert_array_equal(
        total.toarray(), expected.sum(axis=0).reshape(n_words, n_words)
    )


def test_out_of_vocabulary_dropped_before_windowing():
    vectorizer = CooccurrenceVectorizer(window=1).fit([["a", "b", "b"]])
    assert vectorizer.vocabulary_ == {"b": 0, "a": 1}
    row = as_square(vectorizer.transform([["a", "x", "b"]]), 2)
    # "x" is dropped, so "a" and "b" are adjacent in the filtered stream.
    np.testing.assert_array_equal(row, [[1, 1], [1, 1]])
    row = as_square(vectorizer.transform([["a", "x", "y", "z", "c", "b"]]), 2)
    np.testing.assert_array_equal(row, [[1, 1], [1, 1]])


def test_hand_counted_sentence():
    vectorizer = CooccurrenceVectorizer(window=2)
    X = vectorizer.fit_transform(["the cat sat on the mat"])
    assert vectorizer.vocabulary_ == {"the": 0, "cat": 1, "mat": 2, "on": 3, "sat": 4}
    np.testing.assert_array_equal(vectorizer.word_counts_, [2, 1, 1, 1, 1])
    expected = np.array(
        [
            # the cat mat on sat
            [2, 1, 1, 1, 2],  # the: "the on" and "the mat" via the second "the"
            [1, 1, 0, 1, 1],  # cat
            [1, 0, 1, 1, 0],  # mat
            [1, 1, 1, 1, 1],  # on
            [2, 1, 0, 1, 1],  # sat
        ]
    )
    np.testing.assert_array_equal(as_square(X, 5), expected)


def test_row_invariants_on_text():
    vectorizer = CooccurrenceVectorizer(window=3)
    X = vectorizer.fit_transform(TEXT)
    n_words = len(vectorizer.vocabulary_)
    analyzer = vectorizer.build_analyzer()
    for row, document in enumerate(TEXT):
        square = as_square(X[row], n_words)
        np.testing.assert_array_equal(square, square.T)
        ids = [vectorizer.vocabulary_[token] for token in analyzer(document)]
        np.testing.assert_array_equal(
            np.diag(square), np.bincount(ids, minlength=n_words)
        )
        # Off-diagonal total: each position's in-window neighbours with another word.
        expected = sum(
            ids[q] != ids[p]
            for p in range(len(ids))
            for q in range(max(0, p - 3), min(len(ids), p + 4))
        )
        assert square.sum() - np.trace(square) == expected
    assert X[3].nnz == 0  # the empty document
    assert np.diag(X.sum(axis=0).reshape(n_words, n_words)).tolist() == (
        vectorizer.word_counts_.tolist()
    )


@pytest.mark.parametrize("window", [1, 2, 5, 40])
def test_off_diagonal_sum_of_distinct_words(window):
    # n distinct words: 2 * sum_{d=1}^{min(w, n-1)} (n - d) ordered pairs.
    tokens = [f"w{k:02d}" for k in range(20)]
    X = CooccurrenceVectorizer(window=window).fit_transform([tokens])
    expected = 2 * sum(20 - d for d in range(1, min(window, 19) + 1))
    assert X.sum() - 20 == expected


def test_window_none_counts_all_pairs():
    vectorizer = CooccurrenceVectorizer(window=None)
    X = vectorizer.fit_transform(TEXT)
    longest = max(len(vectorizer.build_analyzer()(d)) for d in TEXT)
    wide = CooccurrenceVectorizer(window=longest).fit_transform(TEXT)
    np.testing.assert_array_equal(X.toarray(), wide.toarray())
    # All pairs of a document: the outer product of its word counts, off the diagonal.
    n_words = len(vectorizer.vocabulary_)
    counts = np.bincount(
        [vectorizer.vocabulary_[t] for t in vectorizer.build_analyzer()(TEXT[1])],
        minlength=n_words,
    )
    expected = np.outer(counts, counts)
    np.fill_diagonal(expected, counts)
    np.testing.assert_array_equal(as_square(X[1], n_words), expected)
    total = vectorizer.cooccurrence_matrix(TEXT, batch_tokens=7)
    np.testing.assert_array_equal(
        total.toarray(), np.asarray(X.sum(axis=0)).reshape(n_words, n_words)
    )


def test_windows_do_not_cross_documents():
    vectorizer = CooccurrenceVectorizer(window=5).fit(["aa bb cc dd"])
    separate = vectorizer.cooccurrence_matrix(["aa bb", "cc dd"])
    joined = vectorizer.cooccurrence_matrix(["aa bb cc dd"])
    index = vectorizer.vocabulary_
    assert separate[index["bb"], index["cc"]] == 0
    assert joined[index["bb"], index["cc"]] == 1
    assert separate[index["aa"], index["bb"]] == 1
    # The total is the sum of the two documents' rows, whatever the batching.
    rows = vectorizer.transform(["aa bb", "cc dd"])
    for batch_tokens in (1, 2, 3, 100):
        total = vectorizer.cooccurrence_matrix(
            ["aa bb", "cc dd"], batch_tokens=batch_tokens
        )
        np.testing.assert_array_equal(
            total.toarray(), np.asarray(rows.sum(axis=0)).reshape(4, 4)
        )


def test_cooccurrence_matrix_equals_sum_of_rows_on_text():
    vectorizer = CooccurrenceVectorizer(window=4).fit(TEXT)
    n_words = len(vectorizer.vocabulary_)
    rows = vectorizer.transform(TEXT)
    total = vectorizer.cooccurrence_matrix(iter(TEXT), batch_tokens=10)
    np.testing.assert_array_equal(
        total.toarray(), np.asarray(rows.sum(axis=0)).reshape(n_words, n_words)
    )
    np.testing.assert_array_equal(total.toarray(), total.toarray().T)
    assert total.sum() > 2 * n_words  # real pairs were counted


def test_generator_input_to_fit_transform():
    from_list = CooccurrenceVectorizer().fit_transform(TEXT)
    vectorizer = CooccurrenceVectorizer()
    from_generator = vectorizer.fit_transform(document for document in TEXT)
    assert from_generator.shape == from_list.shape == (5, 22 * 22)
    np.testing.assert_array_equal(from_generator.toarray(), from_list.toarray())
    fitted = CooccurrenceVectorizer().fit(document for document in TEXT)
    assert fitted.vocabulary_ == vectorizer.vocabulary_


def test_str_and_token_list_documents_agree():
    vectorizer = CooccurrenceVectorizer(window=2).fit(TEXT)
    token_lists = [re.findall(r"\w\w+", document) for document in TEXT]
    np.testing.assert_array_equal(
        vectorizer.transform(TEXT).toarray(),
        vectorizer.transform(token_lists).toarray(),
    )
    from_tokens = CooccurrenceVectorizer(window=2).fit(token_lists)
    assert from_tokens.vocabulary_ == vectorizer.vocabulary_
    # Tuples, mixed with strings, are documents too.
    mixed = [TEXT[0], tuple(token_lists[1])]
    np.testing.assert_array_equal(
        vectorizer.transform(mixed).toarray(),
        vectorizer.transform(TEXT[:2]).toarray(),
    )


def test_vocabulary_order_and_counts():
    documents = [["b", "a", "c", "c", "d", "d", "e", "a", "zz", "b", "c"]]
    vectorizer = CooccurrenceVectorizer().fit(documents)
    # c: 3; a, b: 2 (alphabetical); d: 2; e, zz: 1.
    assert list(vectorizer.vocabulary_) == ["c", "a", "b", "d", "e", "zz"]
    assert vectorizer.vocabulary_ == {"c": 0, "a": 1, "b": 2, "d": 3, "e": 4, "zz": 5}
    assert vectorizer.word_counts_.dtype == np.int64
    np.testing.assert_array_equal(vectorizer.word_counts_, [3, 2, 2, 2, 1, 1])


def test_min_count_and_max_vocab():
    documents = [["b", "a", "c", "c", "d", "d", "e", "a", "zz", "b", "c"]]
    vectorizer = CooccurrenceVectorizer(min_count=2).fit(documents)
    assert list(vectorizer.vocabulary_) == ["c", "a", "b", "d"]
    vectorizer = CooccurrenceVectorizer(max_vocab=3).fit(documents)
    assert list(vectorizer.vocabulary_) == ["c", "a", "b"]
    np.testing.assert_array_equal(vectorizer.word_counts_, [3, 2, 2])
    vectorizer = CooccurrenceVectorizer(min_count=3, max_vocab=3).fit(documents)
    assert list(vectorizer.vocabulary_) == ["c"]
    X = vectorizer.transform(documents)
    np.testing.assert_array_equal(X.toarray(), [[3]])


def test_lowercase():
    documents = [["The", "THE", "cat"], "The Cat"]
    vectorizer = CooccurrenceVectorizer().fit(documents)
    assert vectorizer.vocabulary_ == {"the": 0, "cat": 1}
    np.testing.assert_array_equal(vectorizer.word_counts_, [3, 2])
    cased = CooccurrenceVectorizer(lowercase=False).fit(documents)
    # Ties in code point order, as strcmp orders UTF-8: upper case first.
    assert cased.vocabulary_ == {"The": 0, "Cat": 1, "THE": 2, "cat": 3}


def test_tokenizer_and_token_pattern():
    vectorizer = CooccurrenceVectorizer(tokenizer=str.split).fit(["a b, c a"])
    assert vectorizer.vocabulary_ == {"a": 0, "b,": 1, "c": 2}
    assert vectorizer.build_analyzer()("X y") == ["x", "y"]
    grouped = CooccurrenceVectorizer(token_pattern=r"#(\w+)").fit(["#aa x #bb #aa"])
    assert grouped.vocabulary_ == {"aa": 0, "bb": 1}
    with pytest.raises(ValueError, match="More than 1 capturing group"):
        CooccurrenceVectorizer(token_pattern=r"(a)(b)").fit(["ab"])


@given(st.text(max_size=60))
def test_fast_default_pattern_matches_default(text):
    analyzer = CooccurrenceVectorizer(lowercase=False).build_analyzer()
    assert analyzer(text) == re.findall(r"(?u)\b\w\w+\b", text)


def test_empty_vocabulary_and_bare_string_errors():
    with pytest.raises(ValueError, match="empty vocabulary"):
        CooccurrenceVectorizer().fit(["a b c", ""])
    with pytest.raises(ValueError, match="empty vocabulary"):
        CooccurrenceVectorizer(min_count=3).fit(["aa bb aa"])
    vectorizer = CooccurrenceVectorizer().fit(TEXT)
    message = "Iterable over raw text documents expected, string object received."
    for method in (
        CooccurrenceVectorizer().fit,
        CooccurrenceVectorizer().fit_transform,
        vectorizer.transform,
        vectorizer.cooccurrence_matrix,
    ):
        with pytest.raises(ValueError, match=re.escape(message)):
            method("the cat sat")
    with pytest.raises(TypeError, match="str tokens"):
        vectorizer.transform([["cat", 3]])
    with pytest.raises(TypeError, match="str tokens"):
        vectorizer.transform([["cat", ["sat"]]])
    for bad in ([["cat", 3]], [["cat", ["sat"]]]):
        with pytest.raises(TypeError, match="str tokens"):
            CooccurrenceVectorizer().fit(bad)
    with pytest.raises(TypeError, match="must be a str or a sequence"):
        vectorizer.transform([3])


def test_not_fitted_and_parameter_errors():
    with pytest.raises(NotFittedError):
        CooccurrenceVectorizer().transform(TEXT)
    with pytest.raises(NotFittedError):
        CooccurrenceVectorizer().cooccurrence_matrix(TEXT)
    with pytest.raises(InvalidParameterError, match="window"):
        CooccurrenceVectorizer(window=0).fit(TEXT)
    with pytest.raises(InvalidParameterError, match="min_count"):
        CooccurrenceVectorizer(min_count=0).fit(TEXT)
    with pytest.raises(InvalidParameterError, match="max_vocab"):
        CooccurrenceVectorizer(max_vocab=0).fit(TEXT)
    for dtype in (np.int64, None, "bogus", int, np.dtype("int32")):
        with pytest.raises(InvalidParameterError, match="dtype"):
            CooccurrenceVectorizer(dtype=dtype).fit(TEXT)
    for dtype in (np.float32, "float32", np.dtype("float32")):
        assert CooccurrenceVectorizer(dtype=dtype).fit_transform(TEXT).dtype == "f4"
    assert CooccurrenceVectorizer(dtype=float).fit_transform(TEXT).dtype == "f8"
    vectorizer = CooccurrenceVectorizer().fit(TEXT)
    with pytest.raises(ValueError, match="batch_tokens"):
        vectorizer.cooccurrence_matrix(TEXT, batch_tokens=0)


def test_input_never_modified():
    token_lists = [["The", "Cat", "SAT"], ["on", "THE", "mat", "x"]]
    snapshot = [list(tokens) for tokens in token_lists]
    vectorizer = CooccurrenceVectorizer(min_count=1)
    vectorizer.fit_transform(token_lists)
    vectorizer.transform(token_lists)
    vectorizer.cooccurrence_matrix(token_lists)
    assert token_lists == snapshot
    ids = np.array([3, 1, -1, 2], dtype=np.int64)
    count_cooccurrence(ids, n_words=4)
    np.testing.assert_array_equal(ids, [3, 1, -1, 2])


def test_empty_inputs_and_all_oov_documents():
    vectorizer = CooccurrenceVectorizer().fit(TEXT)
    n_words = len(vectorizer.vocabulary_)
    assert vectorizer.transform([]).shape == (0, n_words * n_words)
    X = vectorizer.transform(["unknown words only", ""])
    assert X.shape == (2, n_words * n_words)
    assert X.nnz == 0
    total = vectorizer.cooccurrence_matrix([])
    assert total.shape == (n_words, n_words)
    assert total.nnz == 0


def test_pickle_round_trip():
    vectorizer = CooccurrenceVectorizer(window=3, dtype=np.float32).fit(TEXT)
    restored = pickle.loads(pickle.dumps(vectorizer))
    assert restored.vocabulary_ == vectorizer.vocabulary_
    np.testing.assert_array_equal(restored.word_counts_, vectorizer.word_counts_)
    before, after = vectorizer.transform(TEXT), restored.transform(TEXT)
    assert after.dtype == before.dtype
    np.testing.assert_array_equal(after.indptr, before.indptr)
    np.testing.assert_array_equal(after.indices, before.indices)
    np.testing.assert_array_equal(after.data, before.data)
    X = pickle.loads(pickle.dumps(before))
    np.testing.assert_array_equal(X.toarray(), before.toarray())


def test_float32():
    vectorizer = CooccurrenceVectorizer(window=2, dtype=np.float32)
    X = vectorizer.fit_transform(TEXT)
    assert X.dtype == np.float32
    total = vectorizer.cooccurrence_matrix(TEXT)
    assert total.dtype == np.float32
    expected = CooccurrenceVectorizer(window=2).fit_transform(TEXT)
    np.testing.assert_array_equal(X.toarray(), expected.toarray())


def test_index_dtype_selection():
    assert _index_dtype(46340 * 46340) == np.int32  # V = 46340: V*V < 2**31
    assert _index_dtype(46341 * 46341) == np.int64
    assert _index_dtype(2**31 - 1) == np.int32
    assert _index_dtype(2**31) == np.int64
    assert _index_dtype(10, nnz=2**31) == np.int64
    # scipy makes the same choice for an empty matrix of that shape.
    for n_words in (46340, 46341):
        shape = (1, n_words * n_words)
        ours = _csr_from_parts(
            np.zeros(2, np.int64), np.empty(0, np.int64), np.empty(0), shape
        )
        assert ours.indices.dtype == _index_dtype(n_words * n_words)
        assert sp.csr_matrix(shape).indices.dtype == ours.indices.dtype


def test_keys_past_int32_are_exact():
    # V = 46341: the key (V-1) * V + (V-2) exceeds 2**31 - 1.
    n_words = 46341
    X = count_cooccurrence(
        [n_words - 1, n_words - 2], n_words=n_words, per_document=True
    )
    assert X.indices.dtype == np.int64
    last, before = n_words - 1, n_words - 2
    expected_keys = [
        before * n_words + before,
        before * n_words + last,
        last * n_words + before,
        last * n_words + last,
    ]
    assert X.indices.tolist() == expected_keys
    assert max(expected_keys) > 2**31 - 1
    np.testing.assert_array_equal(X.data, [1, 1, 1, 1])
    # The same through the vectorizer, fitted on 46341 distinct words.
    words = [f"w{k}" for k in range(n_words)]
    vectorizer = CooccurrenceVectorizer(tokenizer=str.split, lowercase=False)
    vectorizer.fit([words])
    assert len(vectorizer.vocabulary_) == n_words
    by_index = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    X = vectorizer.transform([[by_index[-1], by_index[-2]]])
    assert X.shape == (1, n_words * n_words)
    assert X.indices.dtype == np.int64
    assert X.indices.tolist() == expected_keys


def test_count_cooccurrence_forms():
    flat = np.array([0, 1, -1, 2, 0, 2, 1])
    offsets = [0, 5, 7]
    by_offsets = count_cooccurrence(flat, offsets, window=2, per_document=True)
    by_lists = count_cooccurrence([flat[:5], flat[5:]], window=2, per_document=True)
    assert by_offsets.shape == (2, 9)
    np.testing.assert_array_equal(by_offsets.toarray(), by_lists.toarray())
    total = count_cooccurrence(flat, offsets, window=2)
    np.testing.assert_array_equal(
        total.toarray(), np.asarray(by_offsets.sum(axis=0)).reshape(3, 3)
    )
    # One document, -1 dropped before windowing: 0 1 2 0 | 2 1.
    expected = reference_rows([[0, 1, 2, 0], [2, 1]], {0: 0, 1: 1, 2: 2}, 2)
    np.testing.assert_array_equal(by_offsets.toarray(), expected)
    assert count_cooccurrence([[1, 1]], n_words=5).shape == (5, 5)
    float32 = count_cooccurrence(flat, offsets, dtype=np.float32)
    assert float32.dtype == np.float32


def test_count_cooccurrence_errors():
    with pytest.raises(ValueError, match="smaller than n_words=2"):
        count_cooccurrence([0, 2], n_words=2)
    with pytest.raises(ValueError, match=r"offsets must .*rise"):
        count_cooccurrence([0, 1, 2], [0, 2])
    with pytest.raises(ValueError, match=r"offsets must .*rise"):
        count_cooccurrence([0, 1, 2], [0, 3, 2, 3])
    with pytest.raises(ValueError, match=r"offsets must .*rise"):
        count_cooccurrence([0, 1, 2], [[0, 3]])
    with pytest.raises(ValueError, match="offsets must be integers"):
        count_cooccurrence([0, 1, 2], [0, 1.5, 3])
    with pytest.raises(ValueError, match="offsets must be None"):
        count_cooccurrence([[0, 1], [2]], [0, 2, 3])
    for ids in ([0.5, 1.0], [0.0, 1.0], [True, False], ["a", "b"], [0, None]):
        with pytest.raises(ValueError, match="ids must be integers"):
            count_cooccurrence(ids)
    with pytest.raises(ValueError, match=r"ids\[1\] must be integers"):
        count_cooccurrence([[0, 1], [0.5]])
    with pytest.raises(ValueError, match="one-dimensional"):
        count_cooccurrence(np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match="mixes ints and sequences"):
        count_cooccurrence([0, [1, 2]])
    for unordered in ({0, 1}, {0: 1}):
        with pytest.raises(TypeError, match="sequence of ints"):
            count_cooccurrence(unordered)
    for ids in ([], [-1, -3], np.array([], dtype=np.int64), [[], [-1]]):
        with pytest.raises(ValueError, match="pass n_words"):
            count_cooccurrence(ids)
    for invalid in (
        {"window": 0},
        {"window": True},
        {"n_words": -1},
        {"n_words": True},
    ):
        with pytest.raises(InvalidParameterError, match=next(iter(invalid))):
            count_cooccurrence([0, 1], **invalid)
    for dtype in (np.int32, None, "float16", object):
        with pytest.raises(InvalidParameterError, match="dtype"):
            count_cooccurrence([0, 1], dtype=dtype)
    for ids in (None, "0 1", iter([0, 1]), 3):
        with pytest.raises(InvalidParameterError, match="ids"):
            count_cooccurrence(ids)
    with pytest.raises(ValueError, match=r"n_words must be below 2\*\*31.*largest id"):
        count_cooccurrence([0, 2**40])
    with pytest.raises(ValueError, match=r"ids must lie below 2\*\*31"):
        count_cooccurrence(np.array([0, 2**63 + 5], dtype=np.uint64))


def test_count_cooccurrence_valid_unusual_forms():
    # Empty documents are documents: a zero row each.
    rows = count_cooccurrence([[0, 1], [], [2]], per_document=True, window=1)
    assert rows.shape == (3, 9)
    np.testing.assert_array_equal(
        rows.toarray(), reference_rows([[0, 1], [], [2]], {0: 0, 1: 1, 2: 2}, 1)
    )
    np.testing.assert_array_equal(
        count_cooccurrence([[0, 1], [], [2]], window=1).toarray(),
        [[1, 1, 0], [1, 1, 0], [0, 0, 1]],
    )
    # No word at all is fine once n_words says how many words there are.
    assert count_cooccurrence([], n_words=3).nnz == 0
    assert count_cooccurrence([-1, -1], n_words=2, per_document=True).shape == (1, 4)
    # Object arrays of ints, numpy ints of any width, a pandas Series.
    import pandas as pd

    expected = count_cooccurrence([0, 2, 1, 2]).toarray()
    for ids in (
        np.array([0, 2, 1, 2], dtype=object),
        np.array([0, 2, 1, 2], dtype=np.uint8),
        pd.Series([0, 2, 1, 2]),
        (0, 2, 1, 2),
        [np.int16(0), np.int64(2), 1, 2],
    ):
        np.testing.assert_array_equal(count_cooccurrence(ids).toarray(), expected)
    offsets = np.array([0, 2, 4], dtype=np.uint32)
    np.testing.assert_array_equal(
        count_cooccurrence([0, 2, 1, 2], offsets, per_document=True).toarray(),
        count_cooccurrence([[0, 2], [1, 2]], per_document=True).toarray(),
    )


def test_count_cooccurrence_huge_ids_use_memory_of_the_data(monkeypatch):
    import sklearn_kexue.embedding._vectorizer as module

    # A vocabulary of 2**31 - 1 words: counting needs no memory of that size.
    big = 2**31 - 2
    ids = [[0, big, 7, big], [7, -1, 0]]
    rows = count_cooccurrence(ids, window=1, per_document=True)
    assert rows.shape == (2, (big + 1) ** 2) and rows.indices.dtype == np.int64
    assert_canonical(rows)
    n_words = big + 1
    expected = {
        (0, 0): 1, (0, big): 1, (big, 0): 1, (big, big): 2, (big, 7): 2,
        (7, big): 2, (7, 7): 1,
    }  # fmt: skip
    centres, neighbours = np.divmod(rows[0].indices, n_words)
    first = dict(zip(zip(centres.tolist(), neighbours.tolist()), rows[0].data))
    assert first == expected
    assert rows[1].nnz == 4 and rows[1].sum() == 4
    # The V x V total needs V + 1 row pointers: fine for 3 million words, a
    # clear error where the machine's memory cannot hold them.
    n_words = 3_000_000
    flat = np.array([5, n_words - 1, 5, 2_000_000])
    total = count_cooccurrence(flat, n_words=n_words, window=2)
    assert_canonical(total)
    assert total.shape == (n_words, n_words)
    assert total[5, 5] == 2 and total[5, n_words - 1] == 2
    assert total[2_000_000, 5] == 1 and total[n_words - 1, 2_000_000] == 1
    assert total[5, 2_000_000] == 1 and total.nnz == 9
    monkeypatch.setattr(module, "_physical_memory", lambda: 2**20)
    with pytest.raises(ValueError, match=r"memory.*per_document=True"):
        count_cooccurrence(flat, n_words=n_words)


@pytest.mark.parametrize("path", KERNEL_PATHS)
@given(
    token_lists=st.lists(
        st.lists(st.integers(-1, 6), max_size=40), min_size=1, max_size=5
    ),
    window=window_strategy,
)
def test_count_cooccurrence_matches_reference(path, token_lists, window):
    vocabulary = {k: k for k in range(7)}
    expected = reference_rows(token_lists, vocabulary, window)
    sequences = [np.asarray(t, dtype=np.int64) for t in token_lists]
    with kernel_path(path):
        rows = count_cooccurrence(
            sequences, n_words=7, window=window, per_document=True
        )
        total = count_cooccurrence(sequences, n_words=7, window=window)
    assert_canonical(rows)
    np.testing.assert_array_equal(rows.toarray(), expected)
    assert_canonical(total)
    np.testing.assert_array_equal(total.toarray(), expected.sum(axis=0).reshape(7, 7))


@pytest.mark.parametrize(
    "n_words, length", [(50, 40), (50, 3000), (5000, 40), (5000, 200), (5000, 1200)]
)
def test_long_documents_all_grouping_paths(n_words, length):
    # Positions are grouped by counting sort when length >= n_words / 4, else by
    # insertion-sorted runs of 32 merged (1 to 6 merge passes here).
    rng = np.random.default_rng(length)
    ids = rng.integers(-1, 50, size=length)
    row = count_cooccurrence(ids, n_words=n_words, window=3, per_document=True)
    assert_canonical(row)
    square = np.zeros((50, 50))
    rows, columns = np.divmod(row.indices, n_words)
    square[rows, columns] = row.data
    np.testing.assert_array_equal(
        square, dense_reference(ids, [0, length], 50, window=3)
    )


@pytest.mark.parametrize("per_document", [False, True])
@pytest.mark.parametrize("window", [0, 1, 3])
def test_numpy_twin_returns_the_kernels_csr_parts(window, per_document):
    # Same indptr, sorted indices and counts, empty documents and ties included.
    rng = np.random.default_rng(window)
    for _ in range(50):
        lengths = rng.integers(0, 15, size=rng.integers(1, 6))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        n_words = int(rng.integers(1, 8))
        ids = rng.integers(0, n_words, size=offsets[-1]).astype(np.int32)
        template = np.empty(0, dtype=np.int32)
        args = (ids, offsets, n_words, window, per_document, template)
        indptr, indices, data, n_stored = count_pairs(*args)
        twin = count_pairs_numpy(*args)
        np.testing.assert_array_equal(twin[0], indptr)
        assert twin[3] == n_stored
        np.testing.assert_array_equal(twin[1], indices[:n_stored])
        np.testing.assert_array_equal(twin[2], data[:n_stored])


def test_tags():
    tags = CooccurrenceVectorizer().__sklearn_tags__()
    assert tags.input_tags.string
    assert not tags.input_tags.two_d_array
    assert tags.transformer_tags is not None


def dense_reference(ids, offsets, n_words, window):
    """Windowed totals by numpy: for each distance d, every pair (p, p + d)."""
    total = np.zeros((n_words, n_words))
    for start, stop in itertools.pairwise(offsets):
        document = ids[start:stop]
        document = document[document >= 0]
        np.add.at(total, (document, document), 1)
        for distance in range(1, min(window, len(document) - 1) + 1):
            left, right = document[:-distance], document[distance:]
            different = left != right
            np.add.at(total, (left[different], right[different]), 1)
            np.add.at(total, (right[different], left[different]), 1)
    return total


@pytest.mark.parametrize("path", KERNEL_PATHS)
@pytest.mark.parametrize("window", [1, 4, 10])
def test_zipf_corpus_against_numpy_reference(window, path):
    # Documents of 0 to 600 tokens over 300 words: all three grouping paths.
    rng = np.random.default_rng(window)
    lengths = rng.integers(0, 600, size=40)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    ids = np.minimum(rng.zipf(1.3, size=offsets[-1]), 301) - 2  # -1 = OOV
    expected = dense_reference(ids, offsets, 300, window)
    with kernel_path(path):
        total = count_cooccurrence(ids, offsets, n_words=300, window=window)
        rows = count_cooccurrence(
            ids, offsets, n_words=300, window=window, per_document=True
        )
    assert_canonical(total)
    np.testing.assert_array_equal(total.toarray(), expected)
    assert_canonical(rows)
    np.testing.assert_array_equal(
        np.asarray(rows.sum(axis=0)).reshape(300, 300), expected
    )
    assert rows[5].sum() == dense_reference(ids, offsets[5:7], 300, window).sum()


def test_huge_window_and_parameters_set_after_fit():
    vectorizer = CooccurrenceVectorizer(window=10**15).fit(TEXT)
    everything = CooccurrenceVectorizer(window=None).fit(TEXT)
    np.testing.assert_array_equal(
        vectorizer.transform(TEXT).toarray(), everything.transform(TEXT).toarray()
    )
    vectorizer.set_params(window=0)
    with pytest.raises(InvalidParameterError, match="window"):
        vectorizer.transform(TEXT)
    with pytest.raises(InvalidParameterError, match="window"):
        vectorizer.cooccurrence_matrix(TEXT)
    with pytest.raises(ValueError, match="n_words must be below 2"):
        count_cooccurrence([0], n_words=2**31)


def test_transform_in_several_batches(monkeypatch):
    import sklearn_kexue.embedding._vectorizer as module

    vectorizer = CooccurrenceVectorizer(window=3).fit(TEXT)
    whole = vectorizer.transform(TEXT)
    monkeypatch.setattr(module, "_TRANSFORM_BATCH_TOKENS", 4)
    batched = vectorizer.transform(TEXT * 3)
    assert_canonical(batched)
    assert batched.indices.dtype == whole.indices.dtype == np.int32
    np.testing.assert_array_equal(batched.toarray(), np.vstack([whole.toarray()] * 3))


def test_cased_token_lists_across_batches_and_cache_resets(monkeypatch):
    import sklearn_kexue.embedding._vectorizer as module

    # Raw token forms are looked up through a per-call cache; a cache that
    # starts over every batch must count exactly what lower-casing by hand does.
    rng = np.random.default_rng(0)
    forms = ["cat", "Cat", "CAT", "dog", "Dog", "emu", "ÉMU", "x1", "ÉMu"]
    documents = [
        list(rng.choice(forms, size=rng.integers(0, 30))) for _ in range(40)
    ] + ["Cat DOG émU"]
    lowered = [
        [token.lower() for token in document]
        if isinstance(document, list)
        else document.lower().split()
        for document in documents
    ]
    expected = CooccurrenceVectorizer(window=3).fit(lowered)
    monkeypatch.setattr(module, "_CACHED_FORMS_PER_WORD", 0)
    monkeypatch.setattr(module, "_MIN_CACHED_FORMS", 1)
    monkeypatch.setattr(module, "_TRANSFORM_BATCH_TOKENS", 7)
    vectorizer = CooccurrenceVectorizer(window=3).fit(documents)
    assert vectorizer.vocabulary_ == expected.vocabulary_
    np.testing.assert_array_equal(vectorizer.word_counts_, expected.word_counts_)
    np.testing.assert_array_equal(
        vectorizer.transform(documents).toarray(),
        expected.transform(lowered).toarray(),
    )
    np.testing.assert_array_equal(
        vectorizer.cooccurrence_matrix(documents, batch_tokens=7).toarray(),
        expected.cooccurrence_matrix(lowered).toarray(),
    )
    cased = CooccurrenceVectorizer(window=3, lowercase=False).fit(documents)
    assert set(cased.vocabulary_) == set(forms) | {"DOG", "émU"}


@pytest.mark.parametrize("min_count, max_vocab", [(1, None), (2, None), (1, 4)])
def test_partial_fit_over_batches_equals_fit(min_count, max_vocab):
    settings = {"window": 2, "min_count": min_count, "max_vocab": max_vocab}
    documents = [*TEXT, ["The", "Cat", "sat"], "a new word appears"]
    fitted = CooccurrenceVectorizer(**settings).fit(documents)
    for split in ([3, 5], [1, 2, 3, 4, 5, 6], [len(documents) - 1]):
        streamed = CooccurrenceVectorizer(**settings)
        for batch in np.split(np.arange(len(documents)), split):
            streamed.partial_fit([documents[index] for index in batch])
        assert streamed.vocabulary_ == fitted.vocabulary_
        np.testing.assert_array_equal(streamed.word_counts_, fitted.word_counts_)
        np.testing.assert_array_equal(
            streamed.transform(documents).toarray(),
            fitted.transform(documents).toarray(),
        )
    # fit starts over: the stream's counts are dropped.
    refitted = streamed.fit(documents[:2])
    assert (
        refitted.vocabulary_
        == CooccurrenceVectorizer(**settings).fit(documents[:2]).vocabulary_
    )


def test_partial_fit_continues_after_fit_and_waits_for_min_count():
    vectorizer = CooccurrenceVectorizer(min_count=2).fit(["aa bb aa bb cc"])
    assert vectorizer.vocabulary_ == {"aa": 0, "bb": 1}
    vectorizer.partial_fit(["cc dd bb"])
    # cc was cut by fit's min_count, so the stream counts it from here: once.
    assert vectorizer.vocabulary_ == {"bb": 0, "aa": 1}
    np.testing.assert_array_equal(vectorizer.word_counts_, [3, 2])
    waiting = CooccurrenceVectorizer(min_count=2).partial_fit(["aa bb"])
    assert not hasattr(waiting, "vocabulary_")  # nothing seen twice yet
    with pytest.raises(NotFittedError):
        waiting.transform(["aa"])
    waiting.partial_fit(["aa"])
    assert waiting.vocabulary_ == {"aa": 0}


@pytest.mark.parametrize(
    "settings",
    [
        {"min_count": 1},
        {"min_count": 2, "max_vocab": 3},
        {"lowercase": False, "min_count": 2},
        {"tokenizer": str.split},
    ],
)
def test_summed_token_counts_of_parts_fit_as_the_whole(settings):
    documents = [*TEXT, ["The", "Cat", "sat"], "a new word appears", ("DOG", "dog")]
    fitted = CooccurrenceVectorizer(**settings).fit(documents)
    vectorizer = CooccurrenceVectorizer(**settings)
    for split in ([3, 5], [1, 2, 3, 4, 5, 6, 7], []):
        parts = np.split(np.arange(len(documents)), split)
        counts = [vectorizer.token_counts([documents[i] for i in p]) for p in parts]
        total = sum(counts, start=Counter())
        assert not hasattr(vectorizer, "vocabulary_")  # counting fits nothing
        vectorizer.fit_token_counts(total)
        assert vectorizer.vocabulary_ == fitted.vocabulary_
        np.testing.assert_array_equal(vectorizer.word_counts_, fitted.word_counts_)
        np.testing.assert_array_equal(
            vectorizer.cooccurrence_matrix(documents).toarray(),
            fitted.cooccurrence_matrix(documents).toarray(),
        )
        vectorizer = CooccurrenceVectorizer(**settings)
    # The counts are every token's, in the vocabulary or not.
    everything = CooccurrenceVectorizer(**settings).token_counts(documents)
    kept = {word: everything[word] for word in fitted.vocabulary_}
    assert kept == dict(zip(fitted.vocabulary_, fitted.word_counts_.tolist()))
    assert sum(everything.values()) >= fitted.word_counts_.sum()


def test_token_counts_by_hand_and_fit_token_counts_restarts_the_stream():
    vectorizer = CooccurrenceVectorizer()
    assert vectorizer.token_counts(["Aa bb", ["AA", "cc"]]) == Counter(
        {"aa": 2, "bb": 1, "cc": 1}
    )
    assert vectorizer.token_counts([]) == Counter()
    vectorizer = CooccurrenceVectorizer(min_count=2)
    vectorizer.partial_fit(["aa aa zz"])
    # As fit does, fit_token_counts drops the stream: zz's count is forgotten.
    vectorizer.fit_token_counts({"bb": 2, "cc": 0, "dd": 1})
    assert vectorizer.vocabulary_ == {"bb": 0}
    vectorizer.partial_fit(["zz dd dd"])
    assert vectorizer.vocabulary_ == {"bb": 0, "dd": 1}
    np.testing.assert_array_equal(vectorizer.word_counts_, [2, 2])
    # Tokens are folded as fit folds them (a cased word could never be counted).
    cased = {"The": 2, "the": 1, "Cat": 1}
    assert CooccurrenceVectorizer().fit_token_counts(cased).vocabulary_ == {
        "the": 0,
        "cat": 1,
    }
    np.testing.assert_array_equal(
        CooccurrenceVectorizer().fit_token_counts(cased).word_counts_, [3, 1]
    )
    kept = CooccurrenceVectorizer(lowercase=False).fit_token_counts(cased)
    assert kept.vocabulary_ == {"The": 0, "Cat": 1, "the": 2}
    assert cased == {"The": 2, "the": 1, "Cat": 1}  # the caller's dict unchanged
    # A plain dict of NumPy ints is a mapping of counts too.
    counts = {"aa": np.int64(3), "bb": np.int32(1)}
    assert CooccurrenceVectorizer().fit_token_counts(counts).vocabulary_ == {
        "aa": 0,
        "bb": 1,
    }


@pytest.mark.parametrize(
    "token_counts, error, message",
    [
        ([("aa", 1)], TypeError, "must be a mapping of tokens"),
        ("aa bb", TypeError, "must be a mapping of tokens"),
        ({1: 3}, TypeError, "got the key 1 of type int"),
        ({"aa": 1.0}, TypeError, "int counts; got 1.0 for 'aa'"),
        ({"aa": True}, TypeError, "int counts; got True for 'aa'"),
        ({"aa": -1}, ValueError, "non-negative; got -1 for 'aa'"),
        ({"aa": 2**63}, ValueError, "fit in int64 .* 'aa' is 9223372036854775808"),
        ({"AA": 2**62, "aa": 2**62}, ValueError, "int64 .* of 'aa' is 922"),
        ({}, ValueError, "empty vocabulary"),
        ({"aa": 1}, ValueError, "empty vocabulary; .* min_count=2"),
    ],
)
def test_fit_token_counts_refuses_what_is_not_counts(token_counts, error, message):
    vectorizer = CooccurrenceVectorizer(min_count=2).fit(["bb bb"])
    with pytest.raises(error, match=message):
        vectorizer.fit_token_counts(token_counts)
    assert vectorizer.vocabulary_ == {"bb": 0}  # a refused fit changes nothing


def test_token_counts_and_fit_token_counts_check_the_parameters():
    with pytest.raises(InvalidParameterError, match="'window' parameter"):
        CooccurrenceVectorizer(window=0).token_counts(["aa"])
    with pytest.raises(InvalidParameterError, match="'min_count' parameter"):
        CooccurrenceVectorizer(min_count=0).fit_token_counts({"aa": 1})
    with pytest.raises(ValueError, match="token_pattern"):
        CooccurrenceVectorizer(token_pattern="(").token_counts(["aa"])


def test_documents_that_are_not_an_iterable_of_documents_are_refused():
    import pandas as pd

    vectorizer = CooccurrenceVectorizer().fit(TEXT)
    cases = [
        (b"the cat sat", ValueError, "bytes object received"),
        (None, TypeError, "iterable of documents.*NoneType"),
        (3, TypeError, "iterable of documents.*int"),
        ({"a": "the cat"}, TypeError, "dict.*keys"),
        ({"the cat", "a dog"}, TypeError, "ordered iterable.*set"),
        (pd.DataFrame({"text": TEXT}), ValueError, "one-dimensional.*df\\['text'\\]"),
        (np.array([TEXT, TEXT]), ValueError, r"shape \(2, 5\)"),
        ([b"the cat"], TypeError, "got bytes; decode it"),
        ([None], TypeError, "got NoneType"),
        ([3.5], TypeError, "got float"),
        ([{"the": 1, "cat": 2}], TypeError, "in text order, got a dict"),
        ([{"the", "cat"}], TypeError, "in text order, got a set"),
    ]
    for documents, error, message in cases:
        for method in (
            CooccurrenceVectorizer().fit,
            CooccurrenceVectorizer().fit_transform,
            CooccurrenceVectorizer().partial_fit,
            vectorizer.transform,
            vectorizer.cooccurrence_matrix,
        ):
            with pytest.raises(error, match=message):
                method(documents)


def test_documents_in_any_one_dimensional_container():
    import pandas as pd

    expected = CooccurrenceVectorizer(window=2).fit_transform(TEXT).toarray()
    for documents in (
        np.array(TEXT),
        np.array(TEXT, dtype=object),
        pd.Series(TEXT),
        tuple(TEXT),
        (document for document in TEXT),
    ):
        vectorizer = CooccurrenceVectorizer(window=2)
        np.testing.assert_array_equal(
            vectorizer.fit_transform(documents).toarray(), expected
        )
    # Token lists as numpy arrays of str, and empty documents.
    tokens = [np.array(["the", "cat", "sat"]), np.array([], dtype=str), ("the",)]
    X = CooccurrenceVectorizer(window=1).fit_transform(tokens)
    assert X.shape == (3, 9) and X[1].nnz == 0 and X[2].sum() == 1


def test_tokenizer_output_is_checked():
    for tokenizer, message in (
        (lambda text: text, "returned a str, which would be read as single"),
        (lambda text: None, "returned NoneType"),
        (lambda text: [1, 2], "token of type int"),
        (lambda text: [*text.split(), None], "token of type NoneType"),
        (lambda text: text.encode(), "returned a bytes"),
    ):
        with pytest.raises(TypeError, match=message):
            CooccurrenceVectorizer(tokenizer=tokenizer).fit(TEXT)
    # Any iterable of str is a token sequence: a generator (as jieba.cut) too.
    by_generator = CooccurrenceVectorizer(tokenizer=lambda text: iter(text.split()))
    by_list = CooccurrenceVectorizer(tokenizer=str.split)
    np.testing.assert_array_equal(
        by_generator.fit_transform(TEXT).toarray(),
        by_list.fit_transform(TEXT).toarray(),
    )


def test_token_pattern_is_checked():
    with pytest.raises(ValueError, match="not a valid regular expression"):
        CooccurrenceVectorizer(token_pattern="(").fit(TEXT)
    for pattern in ("", r"\w*", "(a)?"):
        with pytest.raises(ValueError, match="matches the empty string"):
            CooccurrenceVectorizer(token_pattern=pattern).fit(TEXT)
    with pytest.raises(ValueError, match="More than 1 capturing group"):
        CooccurrenceVectorizer(token_pattern="(a)(b)").fit(TEXT)
    vectorizer = CooccurrenceVectorizer(token_pattern=r"(\w+)s\b").fit(
        ["cats dogs cat"]
    )
    assert vectorizer.vocabulary_ == {"cat": 0, "dog": 1}


def test_feature_names_and_set_output():
    vectorizer = CooccurrenceVectorizer(window=1)
    with pytest.raises(NotFittedError):
        vectorizer.get_feature_names_out()
    X = vectorizer.fit_transform(["bb aa", "aa cc"])
    assert vectorizer.vocabulary_ == {"aa": 0, "bb": 1, "cc": 2}
    names = vectorizer.get_feature_names_out()
    assert names.dtype == object and names.shape == (9,)
    assert names.tolist() == [
        "aa aa", "aa bb", "aa cc", "bb aa", "bb bb", "bb cc", "cc aa", "cc bb",
        "cc cc",
    ]  # fmt: skip
    # Column i * V + j is named "word_i word_j": the counts agree with the names.
    counts = dict(zip(names, np.asarray(X.sum(axis=0)).ravel()))
    assert counts["aa aa"] == 2 and counts["aa bb"] == counts["bb aa"] == 1
    assert counts["bb cc"] == 0
    # set_output exists; pandas output of sparse counts is refused by
    # scikit-learn's own error, as for its sparse-output transformers.
    vectorizer.set_output(transform="pandas")
    for method in (vectorizer.transform, vectorizer.fit_transform):
        with pytest.raises(ValueError, match=r"sparse matrix.*set_output"):
            method(["aa bb"])
    vectorizer.set_output(transform="default")
    assert sp.issparse(vectorizer.transform(["aa bb"]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_clone_pickle_pipeline_and_check_estimator():
    from sklearn.base import clone
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.utils.estimator_checks import check_estimator

    # scikit-learn skips its checks for text input (as for CountVectorizer).
    assert not [
        result
        for result in check_estimator(CooccurrenceVectorizer(), on_fail=None)
        if result["status"] == "failed"
    ]
    vectorizer = CooccurrenceVectorizer(window=2, min_count=1, dtype="float32")
    copy = clone(vectorizer)
    assert copy.get_params() == vectorizer.get_params()
    assert not hasattr(copy, "vocabulary_")
    fitted = vectorizer.fit(TEXT)
    restored = pickle.loads(pickle.dumps(fitted))
    before, after = fitted.transform(TEXT), restored.transform(TEXT)
    assert (before != after).nnz == 0 and after.dtype == np.float32
    documents = ["cat dog cat purr", "car road wheel", "dog bark cat", "road car fuel"]
    labels = [0, 1, 0, 1]
    pipeline = make_pipeline(
        CooccurrenceVectorizer(), TfidfTransformer(), LogisticRegression()
    )
    search = GridSearchCV(
        pipeline, {"cooccurrencevectorizer__window": [1, 3]}, cv=2
    ).fit(documents * 3, labels * 3)
    assert search.best_score_ == 1.0
    assert search.predict(["purr cat dog"]).tolist() == [0]
