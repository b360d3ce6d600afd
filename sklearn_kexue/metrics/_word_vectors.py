"""Evaluation of word vectors: similarity correlation and analogy accuracy."""

import numpy as np
from scipy.stats import spearmanr
from sklearn.utils import Bunch

__all__ = ["word_analogy_accuracy", "word_similarity_spearman"]

# Questions answered per matrix product in word_analogy_accuracy.
_ANALOGY_BATCH = 512


def _unit_rows(embeddings):
    embeddings = np.asarray(embeddings, dtype=np.float64)
    if embeddings.ndim != 2:
        raise ValueError(f"embeddings must be 2-D, got shape {embeddings.shape}.")
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    return np.divide(embeddings, norms, out=np.zeros_like(embeddings), where=norms > 0)


def _lookup(vocabulary, words, n_rows):
    """Row index of each word (lower-cased), -1 where it is missing or too rare."""
    indices = np.array(
        [vocabulary.get(str(word).lower(), -1) for word in np.ravel(words)],
        dtype=np.int64,
    ).reshape(np.shape(words))
    indices[indices >= n_rows] = -1
    return indices


def word_similarity_spearman(embeddings, vocabulary, pairs, scores):
    """Spearman correlation between cosine similarities and human scores.

    The protocol of WordSim-353 and SimLex-999 evaluations (as in gensim's
    ``evaluate_word_pairs``): pairs with a word outside the vocabulary are
    left out, and the share of pairs kept is reported. Words are looked up
    lower-cased.

    Parameters
    ----------
    embeddings : array-like of shape (n_words, n_components)
        One vector per word.
    vocabulary : dict
        Word -> row of ``embeddings`` (lower-case words).
    pairs : array-like of str of shape (n_pairs, 2)
        Word pairs.
    scores : array-like of shape (n_pairs,)
        Human similarity judgements.

    Returns
    -------
    rho : float
        Spearman rank correlation over the covered pairs.
    coverage : float
        Share of the pairs whose two words are in the vocabulary.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.metrics import word_similarity_spearman
    >>> vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> vocabulary = {"cup": 0, "mug": 1, "tree": 2}
    >>> pairs = [["cup", "mug"], ["cup", "tree"], ["mug", "tree"], ["cup", "sky"]]
    >>> word_similarity_spearman(vectors, vocabulary, pairs, [9.0, 1.0, 2.0, 3.0])
    (1.0, 0.75)
    """
    unit = _unit_rows(embeddings)
    pairs = np.asarray(pairs)
    scores = np.asarray(scores, dtype=np.float64)
    if pairs.ndim != 2 or pairs.shape[1] != 2 or len(scores) != len(pairs):
        raise ValueError(
            "pairs must have shape (n_pairs, 2) and scores shape (n_pairs,); got "
            f"{pairs.shape} and {scores.shape}."
        )
    indices = _lookup(vocabulary, pairs, unit.shape[0])
    covered = (indices >= 0).all(axis=1)
    if not covered.any():
        raise ValueError("No pair has both words in the vocabulary.")
    first, second = indices[covered].T
    cosines = np.einsum("ij,ij->i", unit[first], unit[second])
    rho = spearmanr(cosines, scores[covered]).statistic
    return float(rho), float(covered.mean())


def word_analogy_accuracy(
    embeddings, vocabulary, questions, *, restrict_vocab=None, sections=None
):
    """Accuracy on analogy questions "a is to b as c is to d", by 3CosAdd.

    The answer to a question is the word whose unit vector has the largest
    dot product with b̂ - â + ĉ, among all words but a, b and c, as in
    gensim's ``evaluate_word_analogies`` and GloVe's evaluation script.
    Questions with a word outside the (restricted) vocabulary are skipped
    and counted in ``coverage``.

    Parameters
    ----------
    embeddings : array-like of shape (n_words, n_components)
        One vector per word.
    vocabulary : dict
        Word -> row of ``embeddings`` (lower-case words).
    questions : array-like of str of shape (n_questions, 4)
        The words a, b, c and the expected answer d.
    restrict_vocab : int, default=None
        Only the rows below this index take part, as questions' words and
        as candidate answers (the vocabulary should then be sorted by
        decreasing frequency, as gensim assumes).
    sections : array-like of str of shape (n_questions,), default=None
        Each question's section (e.g. ``load_word_analogies().sections``);
        when given, the accuracy of each section is reported too.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``accuracy`` (over the covered questions, 0 if none), ``coverage``
        (share of questions covered), ``n_correct``, ``n_covered`` and
        ``correct`` (bool per question; False where not covered) and, with
        ``sections``, ``per_section``: dict section -> accuracy over its
        covered questions (nan where none is covered), in order of first
        appearance.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.metrics import word_analogy_accuracy
    >>> words = ["man", "woman", "king", "queen", "apple"]
    >>> vectors = np.array([[1, 1, 0], [1, -1, 0], [3, 1, 0], [3, -1, 0], [0, 0, 1]])
    >>> vocabulary = {word: i for i, word in enumerate(words)}
    >>> questions = [["man", "king", "woman", "queen"], ["man", "king", "pear", "x"]]
    >>> result = word_analogy_accuracy(vectors, vocabulary, questions)
    >>> result.accuracy, result.coverage
    (1.0, 0.5)
    >>> word_analogy_accuracy(
    ...     vectors, vocabulary, questions, sections=["royal", "fruit"]
    ... ).per_section
    {'royal': 1.0, 'fruit': nan}
    """
    unit = _unit_rows(embeddings)
    if restrict_vocab is not None:
        unit = unit[:restrict_vocab]
    questions = np.asarray(questions)
    if questions.ndim != 2 or questions.shape[1] != 4:
        raise ValueError(
            f"questions must have shape (n_questions, 4), got {questions.shape}."
        )
    if sections is not None:
        sections = np.asarray(sections)
        if sections.shape != (len(questions),):
            raise ValueError(
                f"sections must have shape ({len(questions)},), got {sections.shape}."
            )
    indices = _lookup(vocabulary, questions, unit.shape[0])
    covered = (indices >= 0).all(axis=1)
    correct = np.zeros(len(questions), dtype=bool)
    covered_rows = np.flatnonzero(covered)
    for start in range(0, len(covered_rows), _ANALOGY_BATCH):
        rows = covered_rows[start : start + _ANALOGY_BATCH]
        a, b, c, d = indices[rows].T
        scores = (unit[b] - unit[a] + unit[c]) @ unit.T
        batch = np.arange(len(rows))
        for query in (a, b, c):
            scores[batch, query] = -np.inf
        correct[rows] = scores.argmax(axis=1) == d
    n_covered = int(covered.sum())
    n_correct = int(correct.sum())
    result = Bunch(
        accuracy=n_correct / n_covered if n_covered else 0.0,
        coverage=n_covered / len(questions) if len(questions) else 0.0,
        n_correct=n_correct,
        n_covered=n_covered,
        correct=correct,
    )
    if sections is not None:
        result.per_section = {}
        for section in dict.fromkeys(sections.tolist()):
            in_section = covered & (sections == section)
            result.per_section[section] = (
                float(correct[in_section].mean()) if in_section.any() else np.nan
            )
    return result
