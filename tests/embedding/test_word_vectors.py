"""Tests of WordVectors: queries on hand-made vectors, checks, word2vec, gensim."""

import math
import pickle
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import pearsonr
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_kexue import SimplerGlove
from sklearn_kexue.embedding import UnknownWordError, WordVectors
from sklearn_kexue.embedding._simpler_glove import (
    UnknownWordError as UnknownWordErrorFromSimplerGlove,
)
from sklearn_kexue.metrics import word_analogy_accuracy, word_similarity_spearman

WORDS = ["king", "queen", "man", "woman", "apple", "pear"]
VECTORS = np.array(
    [[3, 1, 0], [3, -1, 0], [1, 1, 0], [1, -1, 0], [0, 0, 2], [0, 0.2, 1]]
)
COUNTS = np.array([60.0, 50.0, 40.0, 30.0, 20.0, 10.0])


def _royal():
    return WordVectors(VECTORS, WORDS, counts=COUNTS)


def _cosine(u, v):
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


# ------------------------------------------------------------------ queries


def test_most_similar_similarity_and_analogy_on_hand_made_vectors():
    vectors = _royal()
    # Cosines to king = (3, 1, 0): man 4/sqrt(20), queen 8/10, woman 2/sqrt(20),
    # pear 0.2/sqrt(10.4), apple 0; the query word itself is left out.
    neighbours = vectors.most_similar("king", topn=10)
    assert [word for word, _ in neighbours] == [
        "man",
        "queen",
        "woman",
        "pear",
        "apple",
    ]
    np.testing.assert_allclose(
        [score for _, score in neighbours],
        [4 / math.sqrt(20), 0.8, 2 / math.sqrt(20), 0.2 / math.sqrt(10.4), 0.0],
        rtol=1e-15,
        atol=1e-16,
    )
    # Inner products rank queen (8) above man (4).
    assert vectors.most_similar("king", topn=2, measure="dot") == [
        ("queen", 8.0),
        ("man", 4.0),
    ]
    assert vectors.similarity("king", "queen") == pytest.approx(0.8, rel=1e-15)
    assert vectors.similarity("king", "queen", measure="dot") == 8.0
    assert vectors.similarity("apple", "king") == 0.0
    # A vector query excludes nothing; its scale does not matter to cosines.
    assert vectors.most_similar([0, 0, 5.0], topn=2) == [
        ("apple", 1.0),
        ("pear", pytest.approx(1 / math.sqrt(1.04), rel=1e-15)),
    ]
    assert vectors.most_similar(np.array([0, 0, 1e-310]), topn=1)[0][0] == "apple"
    # 3CosAdd: king - man + woman is queen, at cosine 1.247.../1.451...
    unit = VECTORS / np.linalg.norm(VECTORS, axis=1, keepdims=True)
    target = unit[0] - unit[2] + unit[3]
    answers = vectors.analogy("man", "king", "woman", topn=3)
    assert [word for word, _ in answers] == ["queen", "apple", "pear"]
    assert answers[0][1] == pytest.approx(_cosine(VECTORS[1], target), rel=1e-14)
    assert answers[0][1] == pytest.approx(0.859519, abs=1e-6)
    assert len(vectors.analogy("man", "king", "woman", topn=100)) == 3
    # Row indices are words too, NumPy ints included.
    assert vectors.analogy(2, 0, np.int64(3)) == vectors.analogy("man", "king", "woman")
    assert vectors.similarity(np.int32(0), 1) == vectors.similarity("king", "queen")


def test_ties_are_broken_by_row_order_even_at_the_cut():
    # Rows 1 to 4 are the same direction (at different scales): equal cosines.
    vectors = WordVectors([[1.0, 0], [2.0, 0], [0.5, 0], [3.0, 0], [1.0, 0], [0, 1.0]])
    assert [word for word, _ in vectors.most_similar(0, topn=2)] == [1, 2]
    assert [word for word, _ in vectors.most_similar(0, topn=4)] == [1, 2, 3, 4]
    assert [word for word, _ in vectors.most_similar([0, 1.0], topn=3)] == [5, 0, 1]


def test_profile_measure_is_the_correlation_of_inner_product_profiles():
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(12, 4))
    counts = rng.permutation(12).astype(float) + 1
    vectors = WordVectors(raw, [f"w{i}" for i in range(12)], counts=counts)
    reference = raw[np.argsort(-counts)[:7]]  # the 7 most frequent words
    for a, b in [(0, 1), (3, 9), (10, 11)]:
        expected = pearsonr(reference @ raw[a], reference @ raw[b]).statistic
        assert vectors.similarity(
            a, b, measure="profile", n_reference=7
        ) == pytest.approx(expected, rel=1e-10)
    correlation = np.corrcoef((reference @ raw.T).T)[0]
    ranked = vectors.most_similar("w0", topn=11, measure="profile", n_reference=7)
    assert [word for word, _ in ranked] == [
        f"w{i}" for i in np.argsort(-correlation) if i != 0
    ]
    np.testing.assert_allclose(
        [score for _, score in ranked], np.sort(correlation[1:])[::-1], rtol=1e-10
    )
    with pytest.raises(ValueError, match="needs the word counts; pass counts="):
        WordVectors(raw).similarity(0, 1, measure="profile")


def test_mapping_words_container_protocol_and_read_only_views():
    vectors = WordVectors(VECTORS, {"b": 1, "a": 0, "d": 3, "c": 2, "e": 4, "f": 5})
    assert vectors.words == ["a", "b", "c", "d", "e", "f"]
    assert vectors.key_to_index == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4, "f": 5}
    assert vectors.counts is None
    assert len(vectors) == 6 and list(vectors) == vectors.words
    assert vectors.get_index("d") == 3 and vectors.get_index(np.int64(5)) == 5
    np.testing.assert_array_equal(vectors["c"], [1, 1, 0])
    np.testing.assert_array_equal(vectors[2], [1, 1, 0])
    for word, present in [
        ("a", True),
        (5, True),
        (np.int16(0), True),
        ("z", False),
        (6, False),
        (-1, False),
        (True, False),
        (1.0, False),
        (None, False),
        (["a"], False),
    ]:
        assert (word in vectors) is present, word
    for view in (vectors.vectors, vectors["a"], _royal().counts):
        with pytest.raises(ValueError, match="read-only"):
            view[0] = 1.0
    plain = WordVectors(VECTORS)
    assert plain.words is None and plain.key_to_index is None
    assert list(plain) == list(range(6)) and "king" not in plain
    assert plain.most_similar(0, topn=1) == [(2, pytest.approx(4 / math.sqrt(20)))]
    assert type(plain.most_similar(0, topn=1)[0][0]) is int
    assert repr(plain) == "WordVectors(n_words=6, dim=3, dtype=float64)"
    # Every word form SimplerGlove takes: tuples, arrays, pandas Index.
    for form in (tuple(WORDS), np.array(WORDS), pd.Index(WORDS)):
        assert WordVectors(VECTORS, form).words == WORDS
        assert all(type(word) is str for word in WordVectors(VECTORS, form).words)


def test_input_arrays_are_neither_copied_nor_modified():
    data = np.ascontiguousarray(VECTORS, dtype=np.float64) * 1.0
    counts = COUNTS.copy()
    before, counts_before = data.copy(), counts.copy()
    vectors = WordVectors(data, WORDS, counts=counts)
    assert np.shares_memory(vectors.vectors, data)
    assert np.shares_memory(vectors.counts, counts)
    for measure in ("cosine", "dot", "profile"):
        vectors.most_similar("king", measure=measure)
        vectors.most_similar([1e300, 2e300, 0], measure=measure)
        vectors.similarity("king", "pear", measure=measure)
    vectors.analogy("man", "king", "woman")
    np.testing.assert_array_equal(data, before)
    np.testing.assert_array_equal(counts, counts_before)
    assert data.flags.writeable  # only the view is read-only
    as_float32 = WordVectors(data.astype(np.float32))
    assert as_float32.vectors.dtype == np.float32
    assert WordVectors(VECTORS.astype(int)).vectors.dtype == np.float64
    frame = pd.DataFrame(VECTORS, columns=["x", "y", "z"])
    np.testing.assert_array_equal(WordVectors(frame).vectors, VECTORS)


def test_extreme_rows_have_the_cosines_of_their_directions():
    scales = np.array([1e300, 1e-300, 5e-324, 1.0, 1e200, 2.0**-1060])[:, None]
    extreme = WordVectors(np.round(VECTORS) * scales + 0.0, WORDS)
    ordinary = WordVectors(np.round(VECTORS), WORDS)
    for word in ("king", "man", "apple"):
        got, expected = extreme.most_similar(word), ordinary.most_similar(word)
        assert [w for w, _ in got] == [w for w, _ in expected]
        np.testing.assert_allclose(
            [s for _, s in got], [s for _, s in expected], rtol=1e-12, atol=1e-15
        )
    assert extreme.analogy("man", "king", "woman")[0][0] == "queen"
    with pytest.raises(ValueError, match=r"float64 range.*cosine"):
        extreme.most_similar([1e300, 1e300, 0], measure="dot")


def test_extreme_inputs_found_by_the_fuzz_suite():
    # Inner products beyond float64 are refused by similarity as by most_similar.
    huge = WordVectors(VECTORS * 1e300, WORDS, counts=COUNTS)
    with pytest.raises(ValueError, match=r"float64 range.*cosine"):
        huge.similarity("king", "queen", measure="dot")
    # Profiles do not see the scale of the vectors, at any scale (they came out
    # as zeros, or raised LinAlgError, once V^T V overflowed or vanished).
    ordinary = _royal()
    for scale in (2.0**900, 2.0**-1000):
        scaled = WordVectors(VECTORS * scale, WORDS, counts=COUNTS)
        assert scaled.similarity("king", "man", measure="profile") == pytest.approx(
            ordinary.similarity("king", "man", measure="profile"), rel=1e-12
        )
        got = scaled.most_similar("apple", measure="profile", n_reference=4)
        expected = ordinary.most_similar("apple", measure="profile", n_reference=4)
        assert [w for w, _ in got] == [w for w, _ in expected]
        np.testing.assert_allclose(
            [s for _, s in got], [s for _, s in expected], rtol=1e-12, atol=1e-15
        )
    # Long doubles become float64 (written as numbers, not as their repr).
    long_double = WordVectors(VECTORS.astype(np.longdouble), WORDS)
    assert long_double.vectors.dtype == np.float64
    beyond = VECTORS.astype(np.longdouble)
    beyond[2, 0] = np.longdouble(10) ** 400
    with pytest.raises(ValueError, match="finite in float64; row 2 exceeds"):
        WordVectors(beyond, WORDS)
    with pytest.raises(ValueError, match="rows of different lengths"):
        WordVectors([[1.0, 2.0], [3.0]])


def test_pickle_round_trip():
    vectors = _royal()
    expected = vectors.most_similar("king")  # fills the unit-row cache
    restored = pickle.loads(pickle.dumps(vectors))
    assert restored.words == WORDS and restored.key_to_index == vectors.key_to_index
    np.testing.assert_array_equal(restored.vectors, VECTORS)
    np.testing.assert_array_equal(restored.counts, COUNTS)
    assert restored.most_similar("king") == expected
    assert restored.similarity("man", "pear", measure="profile", n_reference=3) == (
        vectors.similarity("man", "pear", measure="profile", n_reference=3)
    )
    # The cache is recomputed, not pickled: pickles before and after a query agree.
    assert len(pickle.dumps(vectors)) == len(pickle.dumps(_royal()))


# ------------------------------------------------------------------- errors


def test_unknown_words_raise_unknown_word_error_naming_the_word():
    assert UnknownWordErrorFromSimplerGlove is UnknownWordError
    vectors = _royal()
    calls = [
        lambda: vectors.most_similar("plum"),
        lambda: vectors.similarity("king", "plum"),
        lambda: vectors.analogy("man", "plum", "woman"),
        lambda: vectors["plum"],
        lambda: vectors.get_index("plum"),
    ]
    for call in calls:
        with pytest.raises(KeyError) as caught:
            call()
        assert isinstance(caught.value, (IndexError, ValueError, UnknownWordError))
        assert caught.value.word == "plum"
        assert str(caught.value) == "Word 'plum' is not in the vocabulary."
    for call in (lambda: vectors.similarity(0, 6), lambda: vectors[-1]):
        with pytest.raises(IndexError, match=r"out of range \[0, 6\)"):
            call()
    with pytest.raises(UnknownWordError, match=r"have no words .* row indices"):
        WordVectors(VECTORS).most_similar("king")
    with pytest.raises(TypeError, match=r"str or an int row index; got 1\.5"):
        vectors.get_index(1.5)
    with pytest.raises(TypeError, match="got True of type bool"):
        vectors[True]


@pytest.mark.parametrize(
    "vectors, error, message",
    [
        ([[1.0, np.nan], [0.0, 1.0]], ValueError, "finite; row 0 holds NaN or inf"),
        ([[1.0, 0.0], [np.inf, 1.0]], ValueError, "finite; row 1"),
        (
            np.ones(3),
            ValueError,
            r"2-D array of shape \(n_words, dim\); got shape \(3,\)",
        ),
        (np.ones((2, 2, 2)), ValueError, r"got shape \(2, 2, 2\)"),
        (
            [["a", "b"], ["c", "d"]],
            TypeError,
            "real numbers; got an array of dtype <U1",
        ),
        ([["1.0", "2.0"]], TypeError, "real numbers"),
        (np.ones((2, 2), dtype=bool), TypeError, "dtype bool"),
        (np.ones((2, 2)) + 1j, TypeError, "dtype complex128"),
        (None, TypeError, "dtype object"),
        (np.empty((0, 3)), ValueError, r"empty \(shape \(0, 3\)\)"),
        (np.empty((3, 0)), ValueError, r"empty \(shape \(3, 0\)\)"),
        ([], ValueError, "2-D array"),
        (sp.csr_matrix(np.eye(2)), TypeError, "dense 2-D array .* sparse"),
        ([[1.0, 2.0], [3.0]], ValueError, "2-D array of real numbers"),
    ],
)
def test_bad_vectors_are_refused_with_clear_errors(vectors, error, message):
    with pytest.raises(error, match=message):
        WordVectors(vectors)


@pytest.mark.parametrize(
    "words, error, message",
    [
        (["a", "b", "a", "d"], ValueError, r"repeated words \('a'\)"),
        (
            ["a", "b", "c"],
            ValueError,
            r"map 4 words to the indices 0 to 3 \(one per row",
        ),
        (["a", "b", "c", "d", "e"], ValueError, "indices 0 to 3.* 0 to 4"),
        ({"a": 0, "b": 1, "c": 2, "d": 4}, ValueError, "indices 0 to 3.*0 to 4"),
        ({"a": 0, "b": 1, "c": 1, "d": 3}, ValueError, "indices 0 to 3"),
        ({"a": 0, "b": 1.0, "c": 2, "d": 3}, TypeError, "int row indices; got 1.0"),
        ({"a": 0, "b": True, "c": 2, "d": 3}, TypeError, "int row indices; got True"),
        ([1, 2, 3, 4], TypeError, "words must be str; got 1 of type int"),
        (["a", "b", None, "d"], TypeError, "must be str; got None"),
        ({"a", "b", "c", "d"}, ValueError, r"a set \(unordered\)"),
        ([["a", "b"], ["c", "d"]], ValueError, r"shape \(2, 2\)"),
        ("abcd", TypeError, "got a str"),
    ],
)
def test_bad_words_are_refused_with_clear_errors(words, error, message):
    with pytest.raises(error, match=message):
        WordVectors(np.eye(4), words)


def test_bad_counts_and_query_arguments():
    for counts, error, message in [
        ([1.0, 2.0], ValueError, r"shape \(6,\), one per word; got \(2,\)"),
        (-COUNTS, ValueError, "non-negative"),
        (np.where(COUNTS > 30, np.nan, COUNTS), ValueError, "finite"),
        (np.array(WORDS), TypeError, "counts must hold real numbers"),
    ]:
        with pytest.raises(error, match=message):
            WordVectors(VECTORS, WORDS, counts=counts)
    vectors = _royal()
    for bad, error, message in [
        (np.full(3, np.nan), ValueError, "finite"),
        ([1.0, np.inf, 0.0], ValueError, "finite"),
        (["a", "b", "c"], TypeError, "real numbers"),
        (np.array([True, False, True]), TypeError, "real numbers"),
        (np.ones((1, 3)), ValueError, r"shape \(3,\), got \(1, 3\)"),
        (np.ones(4), ValueError, r"shape \(3,\)"),
    ]:
        with pytest.raises(error, match=message):
            vectors.most_similar(bad)
    invalid = [
        (vectors.most_similar, ("king",), {"topn": 0}),
        (vectors.most_similar, ("king",), {"topn": True}),
        (vectors.most_similar, ("king",), {"measure": "euclid"}),
        (vectors.most_similar, ("king",), {"n_reference": 1}),
        (vectors.most_similar, (None,), {}),
        (vectors.most_similar, (1.5,), {}),
        (vectors.similarity, ("king", b"queen"), {}),
        (vectors.similarity, ("king", np.True_), {}),
        (vectors.analogy, ("man", "king", "woman"), {"topn": 2.0}),
        (vectors.analogy, ("man", "king", 2.0), {}),
    ]
    for method, args, kwargs in invalid:
        with pytest.raises(
            InvalidParameterError, match=f"WordVectors.{method.__name__}"
        ):
            method(*args, **kwargs)
    with pytest.raises(TypeError, match="positional"):
        vectors.most_similar("king", 3)  # topn is keyword-only


# ----------------------------------------------------------- word2vec files


def test_word2vec_text_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(5, 4)) * 10.0 ** rng.integers(-300, 300, size=(5, 4))
    data[0, :3] = [5e-324, -0.0, np.finfo(np.float64).max]
    words = ["naïve", "中文", "a_b", "Ω", "x"]
    path = tmp_path / "vectors.txt"
    WordVectors(data, words).save_word2vec_format(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "5 4" and len(lines) == 6
    assert lines[1].split(" ") == ["naïve", *map(repr, data[0].tolist())]
    loaded = WordVectors.load_word2vec_format(str(path))
    assert loaded.words == words and loaded.vectors.dtype == np.float64
    assert loaded.vectors.tobytes() == data.tobytes()  # bit for bit, -0.0 included
    # float32 vectors come back as the same numbers, in float64.
    single = rng.normal(size=(4, 3)).astype(np.float32)
    WordVectors(single).save_word2vec_format(path)
    loaded = WordVectors.load_word2vec_format(path)
    assert loaded.words == ["0", "1", "2", "3"]
    np.testing.assert_array_equal(loaded.vectors, single)


def test_word2vec_binary_round_trip_is_float32(tmp_path):
    data = np.random.default_rng(2).normal(size=(4, 3))
    path = tmp_path / "vectors.bin"
    WordVectors(data, ["a", "bé", "c", "d"]).save_word2vec_format(path, binary=True)
    raw = path.read_bytes()
    assert raw.startswith(b"4 3\na ") and len(raw) == 4 + 4 * (12 + 2) + 6
    loaded = WordVectors.load_word2vec_format(path, binary=True)
    assert loaded.words == ["a", "bé", "c", "d"]
    assert loaded.vectors.dtype == np.float32
    np.testing.assert_array_equal(loaded.vectors, data.astype(np.float32))


def test_words_that_word2vec_cannot_hold_are_refused(tmp_path):
    path = tmp_path / "vectors.txt"
    for word in ["a b", "a\nb", "tab\t", "", "\u3000", "cr\r"]:
        vectors = WordVectors(np.eye(2), ["ok", word])
        for binary in (False, True):
            with pytest.raises(ValueError, match=r"\(row 1\) cannot be written"):
                vectors.save_word2vec_format(path, binary=binary)
            assert not path.exists()  # nothing written


def test_what_word2vec_files_cannot_hold_is_refused_before_writing(tmp_path):
    path = tmp_path / "vectors.w2v"
    surrogate = WordVectors(np.eye(2), ["ok", "a\ud800"])
    beyond_float32 = WordVectors([[1.0, 1e39], [0.0, 1.0]])
    for vectors, binary, message in [
        (surrogate, False, r"'a\\ud800' \(row 1\).*UTF-8"),
        (surrogate, True, r"'a\\ud800' \(row 1\).*UTF-8"),
        (beyond_float32, True, r"Row 0 .* float32 range .* \(binary=False\)"),
    ]:
        with pytest.raises(ValueError, match=message):
            vectors.save_word2vec_format(path, binary=binary)
        assert not path.exists()
    beyond_float32.save_word2vec_format(path)  # the text format holds it exactly
    assert WordVectors.load_word2vec_format(path).vectors[0, 1] == 1e39
    for binary in (None, 1, "yes"):
        for call in (
            lambda b=binary: beyond_float32.save_word2vec_format(path, binary=b),
            lambda b=binary: WordVectors.load_word2vec_format(path, binary=b),
        ):
            with pytest.raises(InvalidParameterError, match="'binary' parameter"):
                call()
    with pytest.raises(InvalidParameterError, match="'path' parameter"):
        WordVectors.load_word2vec_format(None)


@pytest.mark.parametrize(
    "text, message",
    [
        ("2 x\na 1\nb 2\n", "header 'n_words dim'"),
        ("", "header 'n_words dim'"),
        ("0 2\n", "both must be at least 1"),
        # Counts far beyond the file: an error, not an allocation for them.
        (f"{10**12} 300\na 1\n", "line 2: expected a word, a space and 300"),
        (f"{10**30} 1\na 1\n", f"announces {10**30} words, but the file ends"),
        ("3 2\na 1 2\nb 3 4\n", "announces 3 words, but the file ends after 2"),
        ("2 2\na 1 2\nb 3\n", r"line 3: expected a word, a space and 2 numbers"),
        ("2 2\na 1 2\nb 3 four\n", "line 3: expected 2 numbers after the word 'b'"),
        ("2 2\na 1 2\n 3 4\n", "line 3: expected a word"),
        ("1 2\na 1 2\nb 3 4\n", "more lines than the 1 words"),
        ("2 2\na 1 2\na 3 4\n", r"repeated words \('a'\)"),
        ("2 2\na 1 2\nb nan 4\n", "finite; row 1 holds NaN"),
    ],
)
def test_malformed_word2vec_files_get_clear_errors(tmp_path, text, message):
    path = tmp_path / "vectors.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        WordVectors.load_word2vec_format(path)


def test_malformed_binary_files_get_clear_errors(tmp_path):
    path = tmp_path / "vectors.bin"
    WordVectors(np.eye(2), ["a", "b"]).save_word2vec_format(path, binary=True)
    whole = path.read_bytes()
    path.write_bytes(whole[:-5])
    with pytest.raises(ValueError, match="ends after 1"):
        WordVectors.load_word2vec_format(path, binary=True)
    path.write_bytes(whole + b"c " + np.zeros(2, "<f4").tobytes())
    with pytest.raises(ValueError, match="more than the 2 words"):
        WordVectors.load_word2vec_format(path, binary=True)


# -------------------------------------------------------------------- gensim


def test_to_gensim_ranks_as_we_do():
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    vectors = WordVectors(rng.normal(size=(40, 6)), words, counts=np.arange(40.0))
    keyed = vectors.to_gensim()
    assert isinstance(keyed, gensim.models.KeyedVectors)
    assert keyed.index_to_key == words and keyed.vectors.dtype == np.float32
    np.testing.assert_array_equal(keyed.vectors, vectors.vectors.astype(np.float32))
    assert keyed.get_vecattr("w7", "count") == 7.0
    for word in ("w0", "w13", "w39"):
        ours, theirs = (
            vectors.most_similar(word, topn=5),
            keyed.most_similar(word, topn=5),
        )
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose(
            [s for _, s in ours], [s for _, s in theirs], rtol=1e-6
        )
        assert vectors.similarity(word, "w1") == pytest.approx(
            keyed.similarity(word, "w1"), rel=1e-6
        )
    # gensim's similarity must not change our vectors (it normalises float64
    # rows in place, hence float32 copies).
    keyed.similarity("w0", "w1")
    theirs, ours = (
        keyed.most_similar("w39", topn=5),
        vectors.most_similar("w39", topn=5),
    )
    assert [w for w, _ in theirs] == [w for w, _ in ours]
    np.testing.assert_allclose([s for _, s in theirs], [s for _, s in ours], rtol=1e-6)
    np.testing.assert_array_equal(keyed.vectors, vectors.vectors.astype(np.float32))
    plain = WordVectors(rng.normal(size=(5, 2))).to_gensim()
    assert plain.index_to_key == [0, 1, 2, 3, 4] and plain.vectors.dtype == np.float32


def test_gensim_reads_our_files_and_we_read_gensims(tmp_path):
    pytest.importorskip("gensim")
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(4)
    data = rng.normal(size=(6, 5)) * np.array([1e-20, 1, 1e20, 3, 1e-5, 7])[:, None]
    words = ["Zürich", "b", "c", "dé", "e", "f"]
    ours = WordVectors(data, words)
    text, binary = tmp_path / "ours.txt", tmp_path / "ours.bin"
    ours.save_word2vec_format(text)
    ours.save_word2vec_format(binary, binary=True)
    read = KeyedVectors.load_word2vec_format(str(text), datatype=np.float64)
    assert read.index_to_key == words
    np.testing.assert_array_equal(read.vectors, data)  # exact
    read = KeyedVectors.load_word2vec_format(str(binary), binary=True)
    assert read.index_to_key == words
    np.testing.assert_array_equal(read.vectors, data.astype(np.float32))
    # gensim's files, float64 and float32, text and binary.
    for dtype in (np.float64, np.float32):
        keyed = KeyedVectors(5, dtype=dtype)
        keyed.add_vectors(words, data.astype(dtype))
        keyed.save_word2vec_format(str(text))
        keyed.save_word2vec_format(str(binary), binary=True)
        loaded = WordVectors.load_word2vec_format(text)
        assert loaded.words == words
        np.testing.assert_array_equal(loaded.vectors.astype(dtype), data.astype(dtype))
        loaded = WordVectors.load_word2vec_format(binary, binary=True)
        assert loaded.words == words
        np.testing.assert_array_equal(loaded.vectors, data.astype(np.float32))
    # With counts gensim writes the most frequent words first: same words, vectors.
    counted = WordVectors(data, words, counts=[1, 5, 2, 6, 3, 4]).to_gensim()
    counted.save_word2vec_format(str(text))
    loaded = WordVectors.load_word2vec_format(text)
    assert loaded.words == ["dé", "b", "f", "e", "c", "Zürich"]
    for word in words:  # to_gensim's float32, written in their shortest form
        np.testing.assert_array_equal(
            loaded[word].astype(np.float32), ours[word].astype(np.float32)
        )


def test_to_gensim_without_gensim_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "gensim", None)
    monkeypatch.setitem(sys.modules, "gensim.models", None)
    with pytest.raises(ImportError, match="pip install gensim"):
        _royal().to_gensim()


# ------------------------------------------------- SimplerGlove and metrics


def _fitted_glove(vocabulary=tuple(WORDS)):
    X = np.random.default_rng(5).poisson(1.5, size=(120, 6)).astype(float)
    glove = SimplerGlove(
        n_components=3, max_iter=5, tol=0, random_state=0, vocabulary=vocabulary
    )
    return glove.fit(X)


def test_simpler_glove_word_vectors_are_its_fitted_attributes():
    unfitted = SimplerGlove()
    with pytest.raises(NotFittedError):
        _ = unfitted.word_vectors_
    assert not hasattr(unfitted, "word_vectors_")
    glove = _fitted_glove()
    vectors = glove.word_vectors_
    assert isinstance(vectors, WordVectors)
    assert vectors.words == WORDS and np.shares_memory(
        vectors.vectors, glove.embeddings_
    )
    np.testing.assert_array_equal(vectors.counts, glove.word_counts_)
    for measure in ("cosine", "dot", "profile"):
        assert glove.most_similar("king", 3, measure=measure) == vectors.most_similar(
            "king", topn=3, measure=measure
        )
        assert glove.similarity("man", 5, measure=measure) == vectors.similarity(
            "man", 5, measure=measure
        )
    assert glove.analogy("man", "king", "woman", 2) == vectors.analogy(
        "man", "king", "woman", topn=2
    )
    # A property: nothing extra to pickle, and the same queries after loading.
    restored = pickle.loads(pickle.dumps(glove))
    assert restored.word_vectors_.most_similar("king") == vectors.most_similar("king")
    plain = _fitted_glove(vocabulary=None)
    assert plain.word_vectors_.words is None
    with pytest.raises(ValueError, match="no vocabulary_; pass vocabulary="):
        plain.most_similar("king")


def test_metrics_take_word_vectors_and_fitted_simpler_glove():
    rng = np.random.default_rng(6)
    data = rng.normal(size=(6, 3))
    vectors = WordVectors(data, WORDS)
    pairs = [["king", "queen"], ["man", "woman"], ["apple", "PEAR"], ["king", "pear"]]
    scores = [8.0, 7.0, 9.0, 1.0]
    expected = word_similarity_spearman(data, WORDS, pairs, scores)
    assert word_similarity_spearman(vectors, None, pairs, scores) == expected
    questions = [["man", "king", "woman", "queen"], ["apple", "pear", "man", "woman"]]
    planted = WordVectors(VECTORS, WORDS)
    result = word_analogy_accuracy(planted, None, questions)
    assert result.correct.tolist() == [True, False]
    # An explicit vocabulary wins over the words of a WordVectors.
    reversed_words = WORDS[::-1]
    assert word_similarity_spearman(vectors, reversed_words, pairs, scores) == (
        word_similarity_spearman(data, reversed_words, pairs, scores)
    )
    glove = _fitted_glove()
    assert word_similarity_spearman(glove, None, pairs, scores) == (
        word_similarity_spearman(glove.embeddings_, WORDS, pairs, scores)
    )
    assert word_analogy_accuracy(glove, None, questions).correct.tolist() == (
        word_analogy_accuracy(glove.embeddings_, WORDS, questions).correct.tolist()
    )
    with pytest.raises(ValueError, match="embeddings has no words"):
        word_similarity_spearman(WordVectors(data), None, pairs, scores)
    with pytest.raises(NotFittedError):
        word_analogy_accuracy(SimplerGlove(), None, questions)
    with pytest.raises(InvalidParameterError, match=r"'vocabulary' .* None is only"):
        word_analogy_accuracy(data, None, questions)
    # A None among the words was looked up as a str (AttributeError) before.
    with pytest.raises(TypeError, match=r"pairs must hold words .* got None"):
        word_similarity_spearman(vectors, None, [[None, "king"], *pairs], [0, *scores])
