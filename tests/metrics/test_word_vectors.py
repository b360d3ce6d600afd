"""Tests of the word-vector metrics, against hand-made cases and gensim."""

import numpy as np
import pytest
from gensim.models import KeyedVectors
from scipy.stats import spearmanr
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_kexue.datasets import load_word_analogies, load_word_similarity
from sklearn_kexue.metrics import word_analogy_accuracy, word_similarity_spearman


def _random_keyed_vectors(words, seed):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(len(words), 8)).astype(np.float32)
    keyed = KeyedVectors(8)
    keyed.add_vectors(list(words), vectors)
    return keyed, vectors, {word: i for i, word in enumerate(words)}


def test_similarity_matches_gensim_on_wordsim353(tmp_path):
    data = load_word_similarity("wordsim353")
    words = list(dict.fromkeys(data.pairs[::2].ravel()))  # covers about half
    keyed, vectors, vocabulary = _random_keyed_vectors(words, seed=0)
    path = tmp_path / "pairs.tsv"
    path.write_text(
        "\n".join(f"{a}\t{b}\t{s}" for (a, b), s in zip(data.pairs, data.scores))
    )
    (_, (gensim_rho, _), oov_percent) = keyed.evaluate_word_pairs(str(path))
    rho, coverage = word_similarity_spearman(
        vectors, vocabulary, data.pairs, data.scores
    )
    assert rho == pytest.approx(gensim_rho, abs=1e-6)
    assert coverage == pytest.approx(1 - oov_percent / 100)
    assert 0.4 < coverage < 0.9


def test_analogy_matches_gensim(tmp_path):
    data = load_word_analogies()
    questions = data.questions[:300]
    words = list(dict.fromkeys(questions[::3].ravel()))
    keyed, vectors, vocabulary = _random_keyed_vectors(words, seed=1)
    # Plant the answers of some questions so that accuracy is not ~0.
    for a, b, c, d in questions[:60:3]:
        vectors[vocabulary[d]] = (
            vectors[vocabulary[b]] - vectors[vocabulary[a]] + vectors[vocabulary[c]]
        )
    keyed = KeyedVectors(8)
    keyed.add_vectors(words, vectors)
    path = tmp_path / "questions.txt"
    path.write_text(": section\n" + "\n".join(" ".join(q) for q in questions))
    gensim_accuracy, sections = keyed.evaluate_word_analogies(str(path))
    total = sections[-1]
    result = word_analogy_accuracy(vectors, vocabulary, questions)
    assert result.n_correct == len(total["correct"])
    assert result.n_covered == len(total["correct"]) + len(total["incorrect"])
    assert result.accuracy == pytest.approx(gensim_accuracy)
    assert result.n_correct >= 15


def test_analogy_excludes_query_words_and_restricts_the_vocabulary():
    # b - a + c lands exactly on c: without the exclusion c would be the answer.
    vectors = np.array([[1.0, 0], [1.0, 0], [0, 1.0], [0.1, 1.0]])
    vocabulary = {"a": 0, "b": 1, "c": 2, "d": 3}
    result = word_analogy_accuracy(vectors, vocabulary, [["a", "b", "c", "d"]])
    assert result.accuracy == 1.0 and result.correct.tolist() == [True]
    restricted = word_analogy_accuracy(
        vectors, vocabulary, [["a", "b", "c", "d"]], restrict_vocab=3
    )
    assert restricted.n_covered == 0 and restricted.coverage == 0.0


def test_similarity_uses_cosines_and_lowercase():
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(5, 3))
    vocabulary = {w: i for i, w in enumerate("abcde")}
    pairs = np.array([["A", "b"], ["c", "d"], ["e", "a"], ["b", "d"]])
    scores = np.array([1.0, 4.0, 2.0, 3.0])
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = [unit[vocabulary[a.lower()]] @ unit[vocabulary[b]] for a, b in pairs]
    rho, coverage = word_similarity_spearman(vectors * 7.0, vocabulary, pairs, scores)
    assert rho == pytest.approx(spearmanr(cosines, scores).statistic)
    assert coverage == 1.0
    with pytest.raises(ValueError, match="No pair"):
        word_similarity_spearman(vectors, {}, pairs, scores)
    with pytest.raises(ValueError, match="shape"):
        word_similarity_spearman(vectors, vocabulary, pairs[:, :1], scores)


def test_analogy_per_section_matches_gensim(tmp_path):
    data = load_word_analogies()
    chosen = np.arange(0, len(data.questions), 41)  # every section, in file order
    questions, sections = data.questions[chosen], data.sections[chosen]
    words = list(dict.fromkeys(questions[::2].ravel()))
    keyed, vectors, vocabulary = _random_keyed_vectors(words, seed=3)
    for a, b, c, d in questions[::4]:
        if all(word in vocabulary for word in (a, b, c, d)):
            vectors[vocabulary[d]] = (
                vectors[vocabulary[b]] - vectors[vocabulary[a]] + vectors[vocabulary[c]]
            )
    keyed = KeyedVectors(8)
    keyed.add_vectors(words, vectors)
    lines, previous = [], None
    for question, section in zip(questions, sections):
        if section != previous:
            lines.append(f": {section}")
            previous = section
        lines.append(" ".join(question))
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(lines))
    _, gensim_sections = keyed.evaluate_word_analogies(str(path))
    result = word_analogy_accuracy(vectors, vocabulary, questions, sections=sections)
    assert list(result.per_section) == list(dict.fromkeys(sections))
    assert len(result.per_section) == 14
    compared = 0
    for entry in gensim_sections[:-1]:
        n_correct, n_incorrect = len(entry["correct"]), len(entry["incorrect"])
        if n_correct + n_incorrect:
            expected = n_correct / (n_correct + n_incorrect)
            assert result.per_section[entry["section"]] == pytest.approx(expected)
            compared += 1
        else:
            assert np.isnan(result.per_section[entry["section"]])
    assert compared >= 10
    assert result.n_correct >= 20
    # Overall accuracy is the covered-question-weighted mean of the sections.
    in_section = [result.correct[sections == s].sum() for s in result.per_section]
    assert sum(in_section) == result.n_correct
    with pytest.raises(ValueError, match="sections"):
        word_analogy_accuracy(vectors, vocabulary, questions, sections=sections[:5])


def _small_case():
    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(6, 3))
    words = ["cup", "mug", "tree", "oak", "sky", "sea"]
    pairs = np.array([["cup", "mug"], ["tree", "oak"], ["sky", "sea"], ["cup", "oak"]])
    scores = np.array([9.0, 8.0, 5.0, 1.0])
    return vectors, words, pairs, scores


def test_similarity_refuses_bad_embeddings_vocabularies_and_scores():
    vectors, words, pairs, scores = _small_case()
    vocabulary = {word: i for i, word in enumerate(words)}
    for bad, message in [
        (np.where(np.eye(6, 3) > 0, np.nan, vectors), "embeddings contains NaN"),
        (np.where(np.eye(6, 3) > 0, np.inf, vectors), "embeddings contains infinity"),
        (vectors + 1j, "Complex data"),
        (vectors[:, 0], "2D array"),
        (np.full((6, 3), "x"), "embeddings must be a 2-D array of real numbers"),
    ]:
        with pytest.raises(ValueError, match=message):
            word_similarity_spearman(bad, vocabulary, pairs, scores)
    for vocab, error, message in [
        (dict(vocabulary, sea=6), ValueError, "'sea' to row 6, outside the 6 rows"),
        (dict(vocabulary, sea=-1), ValueError, "'sea' to row -1"),
        (dict(vocabulary, sea=5.0), TypeError, "int rows.*5.0"),
        (dict(vocabulary, sea=True), TypeError, "int rows.*True"),
        ({**vocabulary, 3: 1}, TypeError, "words must be str"),
        ([*words, "cup"], ValueError, "more than once"),
        (set(words), ValueError, "a set"),
    ]:
        with pytest.raises(error, match=message):
            word_similarity_spearman(vectors, vocab, pairs, scores)
    for bad_pairs, bad_scores, error, message in [
        (pairs, [9.0, np.nan, 5.0, 1.0], ValueError, "scores contains NaN"),
        (pairs, scores[:3], ValueError, "scores shape"),
        (pairs, ["a", "b", "c", "d"], ValueError, "scores must be real"),
        (pairs[:0], scores[:0], ValueError, "pairs is empty"),
        ([[0, 1], [2, 3]], [1.0, 2.0], TypeError, "pairs must hold words"),
        (pairs[:, :1], scores, ValueError, "shape"),
        (pairs[:1], scores[:1], ValueError, "at least two"),
        (pairs, [1.0] * 4, ValueError, "scores of the 4 covered pairs are all equal"),
    ]:
        with pytest.raises(error, match=message):
            word_similarity_spearman(vectors, vocabulary, bad_pairs, bad_scores)
    with pytest.raises(ValueError, match=r"cosine similarities .* all equal"):
        word_similarity_spearman(np.zeros((6, 3)), vocabulary, pairs, scores)
    for bad_vocabulary in (None, "cup mug"):
        with pytest.raises(InvalidParameterError, match="vocabulary"):
            word_similarity_spearman(vectors, bad_vocabulary, pairs, scores)


def test_similarity_vocabulary_forms_case_and_scale():
    vectors, words, pairs, scores = _small_case()
    vocabulary = {word: i for i, word in enumerate(words)}
    expected = word_similarity_spearman(vectors, vocabulary, pairs, scores)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = [unit[vocabulary[a]] @ unit[vocabulary[b]] for a, b in pairs]
    assert expected == (pytest.approx(spearmanr(cosines, scores).statistic), 1.0)
    # A list of words in row order, an array, a pandas Index: the same.
    import pandas as pd

    for form in (words, tuple(words), np.array(words), pd.Index(words)):
        assert word_similarity_spearman(vectors, form, pairs, scores) == expected
    # Mixed-case vocabularies are folded: "Sky" is found for "sky"; of two
    # forms the lower row (more frequent) is used, as gensim does.
    cased = dict(vocabulary)
    cased["Sky"] = cased.pop("sky")
    assert word_similarity_spearman(vectors, cased, pairs, scores) == expected
    doubled = np.vstack([vectors, -vectors[4]])
    both = {**vocabulary, "SKY": 6}
    assert word_similarity_spearman(doubled, both, pairs, scores) == expected
    both = {**{w: i for i, w in enumerate(words) if w != "sky"}, "SKY": 4, "sky": 6}
    assert word_similarity_spearman(doubled, both, pairs, scores) == expected
    # Cosines do not see the scale of a row, however extreme.
    factors = np.array([1e300, 1e-300, 1e-310, 1.0, 3e200, 2.0**-1000])[:, None]
    rho, _ = word_similarity_spearman(vectors * factors, vocabulary, pairs, scores)
    assert rho == pytest.approx(expected[0])


def test_analogy_refuses_bad_input():
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array([[1, 1, 0], [1, -1, 0], [3, 1, 0], [3, -1, 0], [0, 0, 1.0]])
    vocabulary = {word: i for i, word in enumerate(words)}
    questions = [["man", "king", "woman", "queen"]]
    assert word_analogy_accuracy(vectors, words, questions).accuracy == 1.0
    for bad, message in [
        (vectors * np.nan, "NaN"),
        (np.where(vectors > 2, np.inf, vectors), "infinity"),
    ]:
        with pytest.raises(ValueError, match=message):
            word_analogy_accuracy(bad, vocabulary, questions)
    for vocab, error, message in [
        (dict(vocabulary, queen=5), ValueError, "'queen' to row 5, outside the 5"),
        (dict(vocabulary, queen=-1), ValueError, "'queen' to row -1"),
        (dict(vocabulary, queen=3.5), TypeError, "int rows"),
    ]:
        with pytest.raises(error, match=message):
            word_analogy_accuracy(vectors, vocab, questions)
    for bad_questions, error, message in [
        ([], ValueError, "shape"),
        (np.empty((0, 4), dtype=str), ValueError, "questions is empty"),
        ([["man", "king", "woman"]], ValueError, "shape"),
        ([[0, 2, 1, 3]], TypeError, "questions must hold words"),
    ]:
        with pytest.raises(error, match=message):
            word_analogy_accuracy(vectors, vocabulary, bad_questions)
    for restrict_vocab in (0, -1, True, 2.5, "5"):
        with pytest.raises(InvalidParameterError, match="restrict_vocab"):
            word_analogy_accuracy(
                vectors, vocabulary, questions, restrict_vocab=restrict_vocab
            )
    # Extreme but finite rows: the same answers as unit rows.
    scaled = vectors * np.array([1e300, 1e-300, 1e-310, 1.0, 5e-324])[:, None]
    assert word_analogy_accuracy(scaled, vocabulary, questions).accuracy == 1.0


def test_analogy_without_candidates_has_no_answer():
    # restrict_vocab=3 and a, b, c the three rows: every candidate is excluded.
    # The argmax of an all -inf row was row 0, counted correct when d was row 0.
    vectors = np.eye(4)
    words = ["a", "b", "c", "d"]
    result = word_analogy_accuracy(
        vectors, words, [["b", "c", "a", "a"], ["a", "b", "c", "d"]], restrict_vocab=3
    )
    assert result.correct.tolist() == [False, False]
    assert result.n_covered == 1 and result.accuracy == 0.0
