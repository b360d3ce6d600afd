"""Tests of the word-vector metrics, against hand-made cases and gensim."""

import numpy as np
import pytest
from gensim.models import KeyedVectors
from scipy.stats import spearmanr

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
