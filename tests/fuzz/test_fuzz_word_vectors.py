"""Bad and unusual inputs through WordVectors: a result or a clear error.

``WordVectors`` is built from vectors in every container of
``_bad_inputs.INPUT_CASES`` (dense ones: sparse input is refused), from every
form of words and counts; it is queried with words, row indices and vectors,
over rows of every scale; and it writes and reads word2vec files, text and
binary, whole or broken: truncated at any byte, with wrong header counts,
non-numeric, non-finite or repeated entries, extra or missing lines, the other
format's bytes, no bytes at all, or no file. What each call must do is decided
by this file's own predicates: a reference reader of the word2vec format,
written from the format's description, says whether a file is well formed and
what it holds; scores are recomputed by explicit formulas on rows brought to
unit size first. ``check_outcome`` then asserts the rest: a clear
ValueError/TypeError for invalid input, finite results, unchanged inputs.
"""

import os
import pathlib
import re
import tempfile
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_kexue.embedding import UnknownWordError, WordVectors
from tests.fuzz._bad_inputs import EITHER, ERROR, INPUT_CASES, VALID, InputCase
from tests.fuzz.test_fuzz_embedding import (
    INVALID_WORDS,
    MEASURES,
    N_REFERENCES,
    TOPNS,
    VECTORS,
    _expect,
    _is_int,
    _vocabularies,
    check_outcome,
    one_broken,
)

_SOME = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Containers that hold a sparse matrix: WordVectors takes dense vectors only.
_SPARSE = ("csr", "csc", "coo", "bsr", "lil", "dok", "dia", "pydata")


# ------------------------------------------------------------- references


def _sized(rows):
    """Rows divided by their largest absolute entry (zero rows stay zero).

    Cosines and correlations do not see a row's scale; this brings rows of
    any scale to where their squares neither overflow nor vanish.
    """
    rows = np.asarray(rows, dtype=np.float64)
    largest = np.max(np.abs(rows), axis=-1, keepdims=True)
    return np.divide(rows, largest, out=np.zeros_like(rows), where=largest > 0)


def _cosines(rows, target):
    rows, target = _sized(rows), _sized(target)
    scores = []
    for row in rows:
        norms = np.linalg.norm(row) * np.linalg.norm(target)
        scores.append(float(row @ target / norms) if norms > 0 else 0.0)
    return np.array(scores)


def reference_scores(vectors, counts, target, measure, n_reference):
    """Scores of every row against a target vector, by explicit formulas.

    ``"dot"``: the inner products, NaN where they overflow. ``"cosine"``:
    cosines. ``"profile"``: the correlation of the profiles of inner products
    with the ``n_reference`` most frequent words (ties by row), a profile
    being scale-free in the word and the reference taken at one common scale.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if measure == "dot":
        with np.errstate(over="ignore", invalid="ignore"):
            scores = np.array([float(np.dot(row, target)) for row in vectors])
        return np.where(np.isfinite(scores), scores, np.nan)
    if measure == "cosine":
        return _cosines(vectors, target)
    order = np.argsort(-np.asarray(counts, dtype=np.float64), kind="stable")
    reference = vectors[order[:n_reference]]
    largest = np.max(np.abs(reference))
    reference = reference / largest if largest > 0 else reference
    profiles = _sized(vectors) @ reference.T
    profiles -= profiles.mean(axis=1, keepdims=True)
    query = reference @ _sized(target)
    return _cosines(profiles, query - query.mean())


def assert_ranked(result, scores, exclude, topn, words, context):
    """Best first, the top scores (ties anywhere), none of ``exclude``."""
    index = {word: k for k, word in enumerate(words)} if words else None
    chosen = [index[word] if index else word for word, _ in result]
    candidates = [k for k in range(len(scores)) if k not in exclude]
    assert len(result) == min(topn, len(candidates)), context
    assert not set(chosen) & set(exclude), context
    got = [score for _, score in result]
    assert got == sorted(got, reverse=True), context
    np.testing.assert_allclose(got, scores[chosen], rtol=1e-7, atol=1e-9)
    rest = [scores[k] for k in candidates if k not in chosen]
    assert not rest or min(got) >= max(rest) - 1e-9, context


# ----------------------------------------------------------- the vectors

base_vectors = hnp.arrays(
    np.float64,
    st.tuples(st.integers(3, 7), st.integers(2, 4)),
    elements=st.floats(-10, 10, allow_nan=False, allow_subnormal=False),
)


def _vectors_expect(case):
    """What WordVectors must do with a case: dense finite real arrays only."""
    if case.name.startswith(_SPARSE) or case.name == "numeric_strings":
        return ERROR  # sparse containers; text, even numeric, is not a number
    # Finite extremes, zeros and repeated rows are ordinary word vectors.
    return VALID if case.expect == EITHER else case.expect


def _beyond_float64(X):
    X = X.astype(np.longdouble)
    X[0, 0] = np.longdouble(10) ** 400  # finite in long double, inf in float64
    return X


# Dtypes and shapes that only WordVectors meets (the shared cases are all 2-D).
VECTOR_CASES = [
    *INPUT_CASES,
    InputCase("float16", lambda X: X.astype(np.float16), VALID),
    InputCase("long_double", lambda X: X.astype(np.longdouble), VALID),
    InputCase("uint8", lambda X: np.abs(X).astype(np.uint8), VALID),
    InputCase("tuple_of_tuples", lambda X: tuple(map(tuple, X.tolist())), VALID),
    InputCase("beyond_float64", _beyond_float64, ERROR),
    InputCase(
        "ragged",
        lambda X: [row[: 1 + k % 2] for k, row in enumerate(X.tolist())],
        ERROR,
    ),
    InputCase("bool", lambda X: X > 0, ERROR),
    InputCase("masked_nan", lambda X: np.ma.masked_invalid(_with_nan(X)), ERROR),
]


def _with_nan(X):
    X = X.copy()
    X[0, 0] = np.nan
    return X


@pytest.mark.parametrize("case", VECTOR_CASES, ids=lambda case: case.name)
@_SOME
@given(X=base_vectors)
def test_vectors_in_every_container(case, X):
    X[:, 0] += np.arange(X.shape[0]) + 1  # distinct rows
    data = case.make(X)
    context = f"WordVectors({case.name})"
    vectors = check_outcome(
        lambda: WordVectors(data), _vectors_expect(case), context, inputs=(data,)
    )
    if vectors is None:
        return
    expected = np.asarray(data.to_numpy() if hasattr(data, "to_numpy") else data)
    # Floats are kept (float16 and float32 too); long doubles become float64.
    kept = expected.dtype.kind == "f" and expected.dtype.itemsize <= 8
    dtype = expected.dtype if kept else np.float64
    assert vectors.vectors.dtype == dtype, context
    np.testing.assert_array_equal(vectors.vectors, expected.astype(dtype))
    assert not vectors.vectors.flags.writeable, context
    assert vectors.words is None and vectors.key_to_index is None, context
    assert len(vectors) == len(expected) and list(vectors) == list(range(len(expected)))
    n_words = len(vectors)
    result = check_outcome(
        lambda: vectors.most_similar(0, topn=n_words), VALID, f"{context}: query"
    )
    scores = reference_scores(expected, None, expected[0], "cosine", None)
    assert_ranked(result, scores, [0], n_words, None, context)


def _words_cases(n_words, seed):
    """Words for n_words rows, as (name, value, expected mapping or None, valid)."""
    words = [f"w{k}" for k in range(n_words)]
    mapping = dict(zip(words, range(n_words)))
    extra = [
        ("series", pd.Series(words), mapping),
        ("numpy_str_words", [np.str_(word) for word in words], mapping),
    ]
    broken = [
        ("bytes_words", [word.encode() for word in words], None),
        ("generator", (word for word in words), None),
        ("nested", [[word] for word in words], None),
    ]
    cases = [(*case, True) for case in extra]
    for k, case in enumerate(_vocabularies(n_words, seed)):
        cases.append((*case, k < 9))
    return cases + [(*case, False) for case in broken]


def _counts_cases(n_words, seed):
    """Counts of n_words words, as (name, value, valid)."""
    counts = np.random.default_rng(seed).integers(1, 50, size=n_words)
    bad = counts.astype(float)
    return [
        ("none", None, True),
        ("int_list", counts.tolist(), True),
        ("float_array", counts.astype(float), True),
        ("int32", counts.astype(np.int32), True),
        ("zeros", np.zeros(n_words), True),
        ("tuple", tuple(counts.tolist()), True),
        ("huge", counts * 1e300, True),
        ("negative", -bad, False),
        ("nan", np.where(np.arange(n_words) == 1, np.nan, bad), False),
        ("inf", np.where(np.arange(n_words) == 0, np.inf, bad), False),
        ("short", counts[:-1], False),
        ("long", np.append(counts, 3), False),
        ("two_d", counts[np.newaxis], False),
        ("str", counts.astype(str), False),
        ("bool", counts > 10, False),
        ("none_entry", [None, *counts[1:].tolist()], False),
        ("complex", counts + 1j, False),
        ("scalar", 5, False),
    ]


@given(
    seed=st.integers(0, 2**16),
    n_words=st.integers(2, 5),
    params=one_broken(
        words_case=(list(range(11)), list(range(11, 27))),
        counts_case=(list(range(7)), list(range(7, 18))),
    ),
)
def test_words_and_counts(seed, n_words, params):
    vectors = np.random.default_rng(seed).normal(size=(n_words, 3))
    w_name, words, mapping, w_ok = _words_cases(n_words, seed)[params["words_case"]]
    c_name, counts, c_ok = _counts_cases(n_words, seed)[params["counts_case"]]
    context = f"WordVectors(words={w_name}, counts={c_name})"
    before = dict(words) if isinstance(words, dict) else None
    result = check_outcome(
        lambda: WordVectors(vectors, words, counts=counts),
        _expect(w_ok and c_ok),
        context,
        inputs=(vectors,) + ((counts,) if isinstance(counts, np.ndarray) else ()),
    )
    if before is not None:
        assert words == before, f"{context}: the call modified its words"
    if result is None:
        return
    if mapping is None:
        assert result.words is None and result.key_to_index is None, context
        assert 1 in result and "w1" not in result, context
    else:
        assert result.key_to_index == mapping, context
        assert result.words == sorted(mapping, key=mapping.get), context
        assert all(type(word) is str for word in result.words), context
        for word, row in mapping.items():
            assert word in result and result.get_index(word) == row, context
            np.testing.assert_array_equal(result[word], vectors[row])
    if counts is None:
        assert result.counts is None, context
    else:
        np.testing.assert_array_equal(result.counts, np.asarray(counts, float))
        assert result.counts.dtype == np.float64, context
        assert not result.counts.flags.writeable, context


# ---------------------------------------------------------------- queries

QUERY_WORDS = ["aa", "bb", "cc", "dd", "ee", "ff"]
# Row scales: ordinary, huge, tiny, subnormal and zero rows.
ROW_EXPONENTS = [0, 0, 0, 250, -250, -300, -310, None]


@st.composite
def word_vectors(draw):
    """(vectors, words or None, counts): 6 rows of dimension 3, at any scale."""
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(6, 3))
    exponents = draw(st.lists(st.sampled_from(ROW_EXPONENTS), min_size=6, max_size=6))
    for row, exponent in enumerate(exponents):
        vectors[row] = 0.0 if exponent is None else vectors[row] * 10.0**exponent
    if draw(st.booleans()):  # float32: its own range
        vectors = np.clip(vectors, -1e30, 1e30).astype(np.float32)
    words = QUERY_WORDS if draw(st.booleans()) else None
    counts = rng.integers(1, 100, size=6)
    return vectors, words, counts


def _word_ok(word, words):
    """(valid, row) of a word argument, by this file's own rules."""
    if isinstance(word, str):
        known = words is not None and word in words
        return known, words.index(word) if known else None
    if _is_int(word):
        return 0 <= word < 6, int(word)
    return False, None


VALID_QUERY_WORDS = ["aa", "cc", "ff", 0, 5, np.int64(2), np.uint8(3)]


@settings(max_examples=60)
@given(
    data=word_vectors(),
    params=one_broken(
        query=(
            [
                *VALID_QUERY_WORDS,
                *(str(k) for k, case in enumerate(VECTORS) if case[2]),
            ],
            [
                *INVALID_WORDS,
                *(str(k) for k, case in enumerate(VECTORS) if not case[2]),
            ],
        ),
        topn=TOPNS,
        measure=MEASURES,
        n_reference=N_REFERENCES,
    ),
)
def test_most_similar_at_every_scale(data, params):
    vectors, words, counts = data
    query, topn = params["query"], params["topn"]
    measure, n_reference = params["measure"], params["n_reference"]
    model = WordVectors(vectors, words, counts=counts)
    if isinstance(query, str) and query.isdigit():  # an index into VECTORS
        name, query, valid = VECTORS[int(query)]
        word_ok, row = False, None
    else:
        name = repr(query)
        word_ok, row = _word_ok(query, words)
        valid = word_ok
    valid = (
        valid
        and _is_int(topn, 1)
        and measure in ("cosine", "dot", "profile")
        and _is_int(n_reference, 2)
    )
    scores = None
    expect = _expect(valid)
    if valid:
        target = vectors[row] if word_ok else np.asarray(query, dtype=np.float64)
        scores = reference_scores(vectors, counts, target, measure, n_reference)
        if measure == "dot" and np.isnan(scores).any():
            # Inner products beyond float64: refused, unless only the query
            # word's own (never an answer) overflows.
            others = np.delete(scores, [row] if word_ok else [])
            expect = ERROR if np.isnan(others).any() else EITHER
    context = f"most_similar({name}, {topn!r}, {measure!r}, {n_reference!r})"
    result = check_outcome(
        lambda: model.most_similar(
            query, topn=topn, measure=measure, n_reference=n_reference
        ),
        expect,
        context,
        inputs=(query,) if isinstance(query, np.ndarray) else (),
    )
    if result is not None:
        exclude = [row] if word_ok else []
        assert_ranked(result, scores, exclude, int(topn), words, context)


@settings(max_examples=60)
@given(
    data=word_vectors(),
    params=one_broken(
        word_a=(VALID_QUERY_WORDS, INVALID_WORDS),
        word_b=(VALID_QUERY_WORDS, INVALID_WORDS),
        measure=MEASURES,
        n_reference=N_REFERENCES,
    ),
)
def test_similarity_at_every_scale(data, params):
    vectors, words, counts = data
    word_a, word_b = params["word_a"], params["word_b"]
    measure, n_reference = params["measure"], params["n_reference"]
    model = WordVectors(vectors, words, counts=counts)
    (ok_a, row_a), (ok_b, row_b) = _word_ok(word_a, words), _word_ok(word_b, words)
    valid = (
        ok_a
        and ok_b
        and measure in ("cosine", "dot", "profile")
        and _is_int(n_reference, 2)
    )
    expected = None
    if valid:
        scores = reference_scores(vectors, counts, vectors[row_b], measure, n_reference)
        expected = scores[row_a]
        valid = not np.isnan(expected)  # an inner product beyond float64
    context = f"similarity({word_a!r}, {word_b!r}, {measure!r}, {n_reference!r})"
    result = check_outcome(
        lambda: model.similarity(
            word_a, word_b, measure=measure, n_reference=n_reference
        ),
        _expect(valid),
        context,
    )
    if result is not None:
        assert result == pytest.approx(expected, rel=1e-7, abs=1e-9), context
    elif isinstance(word_a, str) and not ok_a:
        with pytest.raises(UnknownWordError, match=re.escape(repr(word_a))):
            model.similarity(word_a, 0)


@settings(max_examples=60)
@given(
    data=word_vectors(),
    params=one_broken(
        word_a=(VALID_QUERY_WORDS, INVALID_WORDS),
        word_b=(VALID_QUERY_WORDS, INVALID_WORDS),
        word_c=(VALID_QUERY_WORDS, INVALID_WORDS),
        topn=TOPNS,
    ),
)
def test_analogy_at_every_scale(data, params):
    vectors, words, counts = data
    query = (params["word_a"], params["word_b"], params["word_c"])
    topn = params["topn"]
    model = WordVectors(vectors, words, counts=counts)
    checked = [_word_ok(word, words) for word in query]
    valid = all(ok for ok, _ in checked) and _is_int(topn, 1)
    context = f"analogy{query!r}, topn={topn!r}"
    result = check_outcome(
        lambda: model.analogy(*query, topn=topn), _expect(valid), context
    )
    if result is None:
        return
    a, b, c = (row for _, row in checked)
    unit = _sized(vectors)
    norms = np.linalg.norm(unit, axis=1, keepdims=True)
    unit = np.divide(unit, norms, out=np.zeros_like(unit), where=norms > 0)
    target = unit[b] - unit[a] + unit[c]
    scores = _cosines(unit, target)
    assert_ranked(result, scores, [a, b, c], int(topn), words, context)


# ------------------------------------------------------- word2vec: writing

# Letters, and what the format cannot hold: whitespace of every kind (str's
# own notion of it) and lone surrogates, which UTF-8 cannot encode.
WORD_ALPHABET = st.sampled_from(
    [
        *"abcxyz019_-.,'",
        *("é", "中", "Ω", "\x00", "\x7f"),
        *(" ", "\t", "\n", "\r", "\x0b", "\x1c", "\x85", "\u2028", "\u3000"),
        "\ud800",
    ]
)
PATH_FORMS = (["str", "pathlib", "bytes"], ["none", "int", "list", "float"])
BINARY_FLAGS = ([False, True, np.True_, np.False_], [None, 1, 0, "yes", "binary"])


def _path(form, folder):
    path = os.path.join(folder, "vectors.w2v")
    return {
        "str": path,
        "pathlib": pathlib.Path(path),
        "bytes": os.fsencode(path),
        "none": None,
        "int": 3,
        "list": [path],
        "float": 1.5,
    }[form], path


def _writable(word):
    """The format separates fields by whitespace and holds UTF-8 words."""
    if not word or any(character.isspace() for character in word):
        return False
    return not any("\ud800" <= character <= "\udfff" for character in word)


@settings(max_examples=60, deadline=None)
@given(
    words=st.one_of(
        st.none(),
        st.lists(
            st.text(WORD_ALPHABET, max_size=4), min_size=1, max_size=5, unique=True
        ),
    ),
    data=st.data(),
    params=one_broken(path=PATH_FORMS, binary=BINARY_FLAGS),
)
def test_save_and_load_word2vec_round_trip(words, data, params):
    n_words = 3 if words is None else len(words)
    dim = data.draw(st.integers(1, 4))
    dtype = data.draw(st.sampled_from([np.float64, np.float32]))
    vectors = data.draw(
        hnp.arrays(
            dtype,
            (n_words, dim),
            elements=st.floats(allow_nan=False, allow_infinity=False, width=64)
            if dtype is np.float64
            else st.floats(allow_nan=False, allow_infinity=False, width=32),
        )
    )
    model = WordVectors(vectors, words)
    binary = params["binary"]
    written = [str(k) for k in range(n_words)] if words is None else words
    valid = (
        params["path"] in PATH_FORMS[0]
        and isinstance(binary, (bool, np.bool_))
        and all(_writable(word) for word in written)
    )
    if valid and binary:
        with np.errstate(over="ignore"):
            valid = bool(np.all(np.isfinite(vectors.astype(np.float32))))
    with tempfile.TemporaryDirectory() as folder:
        path, plain = _path(params["path"], folder)
        context = f"save_word2vec_format({words!r}, {params})"
        check_outcome(
            lambda: model.save_word2vec_format(path, binary=binary),
            _expect(valid),
            context,
            inputs=(vectors,),
        )
        if not valid:
            assert not os.path.exists(plain), f"{context}: written all the same"
            return
        loaded = check_outcome(
            lambda: WordVectors.load_word2vec_format(path, binary=binary),
            VALID,
            f"load after {context}",
        )
    assert loaded.words == written, context
    if binary:
        assert loaded.vectors.dtype == np.float32, context
        np.testing.assert_array_equal(loaded.vectors, vectors.astype(np.float32))
    else:
        # Exact in float64, bit for bit (-0.0 and subnormals included).
        assert loaded.vectors.dtype == np.float64, context
        assert loaded.vectors.tobytes() == vectors.astype(np.float64).tobytes()


# ------------------------------------------------------- word2vec: reading


def reference_read(data, binary):
    """(words, vectors) of a word2vec file's bytes, or None if it is malformed.

    The format: a header line of two positive integers, ``n_words dim``;
    then, in text, a line per word: the word (UTF-8, up to the first space)
    and ``dim`` whitespace-separated numbers; in binary, per word: optional
    newlines, the word, a space and ``dim`` little-endian float32. Nothing
    but whitespace may follow. Words are distinct; values are finite.
    """
    header, _, body = data.partition(b"\n")
    fields = header.split()
    if len(fields) != 2 or not all(re.fullmatch(rb"[0-9]+", f) for f in fields):
        return None
    n_words, dim = (int(field) for field in fields)
    if n_words < 1 or dim < 1:
        return None
    words, vectors = [], []
    if binary:
        position = 0
        for _ in range(n_words):
            space = body.find(b" ", position)
            if space == -1 or len(body) - space - 1 < 4 * dim:
                return None
            word = body[position:space].lstrip(b"\r\n")
            values = np.frombuffer(body, "<f4", count=dim, offset=space + 1)
            words.append(word)
            vectors.append(values.astype(np.float32))
            position = space + 1 + 4 * dim
        if body[position:].strip():
            return None
    else:
        lines = body.split(b"\n")
        if len(lines) < n_words or any(line.strip() for line in lines[n_words:]):
            return None
        for line in lines[:n_words]:
            try:
                text = line.decode()
            except UnicodeDecodeError:
                return None
            word, _, rest = text.partition(" ")
            tokens = rest.split()
            if not word or len(tokens) != dim:
                return None
            try:
                vectors.append([float(token) for token in tokens])
            except ValueError:
                return None
            words.append(word.encode())
    try:
        words = [word.decode() for word in words]
    except UnicodeDecodeError:
        return None
    array = np.array(vectors, dtype=np.float32 if binary else np.float64)
    if "" in words or len(set(words)) < n_words or not np.all(np.isfinite(array)):
        return None
    return words, array


def reference_write(words, vectors, binary, newline=b"\n"):
    """The bytes of a word2vec file, written from the format's description."""
    n_words, dim = vectors.shape
    out = [f"{n_words} {dim}".encode(), newline]
    for word, row in zip(words, vectors):
        if binary:
            out += [word.encode(), b" ", row.astype("<f4").tobytes(), newline]
        else:
            out += [f"{word} {' '.join(map(repr, row.tolist()))}".encode(), newline]
    return b"".join(out)


def _mutations(data, words, vectors, binary, draw):
    """Broken (or not) versions of a file's bytes, as (name, bytes)."""
    n_words, dim = vectors.shape
    header, _, body = data.partition(b"\n")
    lines = body.split(b"\n")
    cut = draw(st.integers(0, max(len(data) - 1, 0)))
    row = draw(st.integers(0, n_words - 1))
    headers = [
        f"{n_words + 1} {dim}",
        f"{n_words - 1} {dim}",
        f"{n_words} {dim + 1}",
        f"{n_words} {dim - 1}",
        f"{10**12} {dim}",
        f"{10**30} {dim}",
        f"{n_words} {10**10}",
        f"{n_words}",
        f"{n_words} {dim} 1",
        f"{n_words}.0 {dim}",
        f"{n_words},{dim}",
        f"x {dim}",
        f"-1 {dim}",
        f"0 {dim}",
        "",
    ]
    values = [
        "x",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "1e-400",
        "1,5",
        "0x10",
        "--1",
        "\u0661",
    ]  # Arabic-Indic one: float() reads it
    float32s = [np.nan, np.inf, -np.inf, 3e38, 1e-45, -0.0]
    value = draw(st.integers(0, 9))
    mutated = {
        "whole": data,
        "truncated": data[:cut],
        "header": headers[draw(st.integers(0, len(headers) - 1))].encode()
        + b"\n"
        + body,
        "empty": b"",
        "only_header": header + b"\n",
        "crlf": data.replace(b"\n", b"\r\n"),
        "trailing_blank_lines": data + b"\n \n\t\n",
        "extra_word": data
        + reference_write(["zz"], np.ones((1, dim)), binary).partition(b"\n")[2],
        "repeated_word": reference_write(
            [*words[:row], words[0] if row else words[-1], *words[row + 1 :]],
            vectors,
            binary,
        ),
        "not_utf8_word": reference_write(words, vectors, binary).replace(
            words[row].encode() + b" ", b"\xff\xfe ", 1
        ),
    }
    if binary:
        record = data.index(words[row].encode() + b" ", len(header) + 1)
        start = (
            record + len(words[row].encode()) + 1 + 4 * draw(st.integers(0, dim - 1))
        )
        number = np.float32(float32s[value % len(float32s)]).tobytes()
        mutated["bad_value"] = data[:start] + number + data[start + 4 :]
        mutated["no_newlines"] = reference_write(words, vectors, True, newline=b"")
    else:
        fields = lines[row].split(b" ")
        fields[1 + draw(st.integers(0, dim - 1))] = values[value].encode()
        mutated["bad_value"] = b"\n".join(
            [header, *lines[:row], b" ".join(fields), *lines[row + 1 :]]
        )
        mutated["missing_line"] = b"\n".join([header, *lines[:row], *lines[row + 1 :]])
        mutated["blank_line_inside"] = b"\n".join(
            [header, *lines[:row], b"", *lines[row:]]
        )
    return mutated


MUTATIONS = [
    "whole",
    "truncated",
    "header",
    "empty",
    "only_header",
    "crlf",
    "trailing_blank_lines",
    "extra_word",
    "repeated_word",
    "not_utf8_word",
    "bad_value",
    "missing_line",
    "blank_line_inside",
    "no_newlines",
]


@pytest.mark.parametrize("mutation", MUTATIONS)
@settings(max_examples=15, deadline=None)
@given(
    words=st.lists(
        st.text(st.sampled_from([*"abxyz", "é", "中"]), min_size=1, max_size=3),
        min_size=2,
        max_size=4,
        unique=True,
    ),
    data=st.data(),
    written_binary=st.booleans(),
    read_binary=st.booleans(),
)
def test_load_word2vec_whole_and_broken_files(
    mutation, words, data, written_binary, read_binary
):
    dim = data.draw(st.integers(1, 3))
    vectors = data.draw(
        hnp.arrays(
            np.float64,
            (len(words), dim),
            elements=st.floats(-1e6, 1e6, allow_nan=False, width=32),
        )
    )
    original = reference_write(words, vectors, written_binary)
    mutated = _mutations(original, words, vectors, written_binary, data.draw)
    if mutation not in mutated:
        return  # a mutation of the other format
    contents = mutated[mutation]
    expected = reference_read(contents, read_binary)
    context = (
        f"load_word2vec_format({mutation}, written binary={written_binary}, "
        f"read binary={read_binary}): {contents[:120]!r}"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "vectors.w2v")
        with open(path, "wb") as file:
            file.write(contents)
        loaded = check_outcome(
            lambda: WordVectors.load_word2vec_format(path, binary=read_binary),
            _expect(expected is not None),
            context,
        )
    if loaded is None:
        return
    words_read, vectors_read = expected
    assert loaded.words == words_read, context
    assert loaded.vectors.dtype == vectors_read.dtype, context
    assert loaded.vectors.tobytes() == vectors_read.tobytes(), context
    if mutation == "whole" and written_binary == read_binary:
        assert loaded.words == words, context
        written = vectors.astype(np.float32) if read_binary else vectors
        np.testing.assert_array_equal(loaded.vectors, written)


def test_reference_reader_agrees_with_the_format_on_hand_made_files():
    # The predicates above are only as good as the reference reader.
    good = b"2 3\na 1 2 3\nb -1e-3 0 5\n"
    assert reference_read(good, False)[0] == ["a", "b"]
    np.testing.assert_array_equal(
        reference_read(good, False)[1], [[1, 2, 3], [-1e-3, 0, 5]]
    )
    for broken in [
        b"",
        b"2 3\na 1 2 3\n",
        b"2 3\na 1 2 3\nb 1 2\n",
        b"2 3\na 1 2 3\na 1 2 3\n",
        b"2 3\na 1 2 3\nb 1 2 x\n",
        b"2 3\na 1 2 3\nb 1 2 nan\n",
        b"1 3\na 1 2 3\nb 1 2 3\n",
        b"0 3\n",
        b"2 3 4\na 1 2 3\nb 1 2 3\n",
    ]:
        assert reference_read(broken, False) is None, broken
    binary = b"2 2\na " + np.float32([1, 2]).tobytes() + b"\nb "
    assert reference_read(binary + np.float32([3, 4]).tobytes(), True)[0] == ["a", "b"]
    assert reference_read(binary + np.float32([3]).tobytes(), True) is None
    assert reference_read(binary + np.float32([3, np.nan]).tobytes(), True) is None


@given(
    params=one_broken(
        path=(["str", "pathlib", "bytes"], ["none", "int", "list", "float"]),
        binary=BINARY_FLAGS,
    )
)
def test_load_word2vec_path_and_binary_arguments(params):
    valid = params["path"] in PATH_FORMS[0] and isinstance(
        params["binary"], (bool, np.bool_)
    )
    with tempfile.TemporaryDirectory() as folder:
        path, plain = _path(params["path"], folder)
        with open(plain, "wb") as file:
            file.write(reference_write(["a", "b"], np.eye(2), bool(params["binary"])))
        loaded = check_outcome(
            lambda: WordVectors.load_word2vec_format(path, binary=params["binary"]),
            _expect(valid),
            f"load_word2vec_format({params})",
        )
    if loaded is not None:
        assert loaded.words == ["a", "b"]
        np.testing.assert_array_equal(loaded.vectors, np.eye(2))


@pytest.mark.parametrize("binary", [False, True])
def test_missing_files_and_folders_raise_os_errors_naming_them(binary):
    # Python's own errors for a path that is not a readable file (as
    # numpy.loadtxt, pandas and gensim raise them): an OSError naming it.
    model = WordVectors(np.eye(2), ["a", "b"])
    with tempfile.TemporaryDirectory() as folder:
        missing = os.path.join(folder, "no", "such.w2v")
        for call in (
            lambda: WordVectors.load_word2vec_format(missing, binary=binary),
            lambda: model.save_word2vec_format(missing, binary=binary),
        ):
            with pytest.raises(FileNotFoundError, match=re.escape(missing)):
                call()
        with pytest.raises(IsADirectoryError, match=re.escape(folder)):
            WordVectors.load_word2vec_format(folder, binary=binary)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("announced", [10**6, 10**12, 10**30])
def test_a_header_announcing_too_many_words_allocates_nothing_for_them(
    binary, announced, monkeypatch
):
    # The header's counts used to size the array before any word was read: a
    # corrupt header asked for terabytes (MemoryError) or more than NumPy can
    # index ("Maximum allowed dimension exceeded").
    shapes = Counter()
    empty = np.empty

    def counted(shape, *args, **kwargs):
        shapes[int(np.prod(shape, dtype=object))] += 1
        return empty(shape, *args, **kwargs)

    monkeypatch.setattr(np, "empty", counted)
    contents = reference_write(["a", "b"], np.eye(2), binary).replace(
        b"2 2\n", f"{announced} 2\n".encode(), 1
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "vectors.w2v")
        with open(path, "wb") as file:
            file.write(contents)
        with pytest.raises(ValueError, match=f"announces {announced} words"):
            WordVectors.load_word2vec_format(path, binary=binary)
    assert shapes and max(shapes) <= 2 * len(contents), shapes
