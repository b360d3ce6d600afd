"""Evaluation of word vectors: similarity correlation and analogy accuracy."""

from collections.abc import Mapping
from numbers import Integral

import numpy as np
from scipy.stats import spearmanr
from sklearn.utils import Bunch, check_array
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_kexue.embedding._simpler_glove import SimplerGlove
from sklearn_kexue.embedding._word_vectors import (
    WordVectors,
    _three_cos_add,
    _unit_rows,
    _vocabulary_items,
)
from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._param_validation import Interval, validate_params

__all__ = ["word_analogy_accuracy", "word_similarity_spearman"]


def _embeddings_and_vocabulary(embeddings, vocabulary, function):
    """Checked float64 embeddings and the folded vocabulary of a metric's input.

    ``embeddings`` is an array with ``vocabulary`` given, or a WordVectors or
    a fitted SimplerGlove, whose words serve when ``vocabulary`` is None.
    """
    if isinstance(embeddings, SimplerGlove):
        embeddings = embeddings.word_vectors_
    if isinstance(embeddings, WordVectors):
        if vocabulary is None:
            if embeddings.words is None:
                raise ValueError(
                    "embeddings has no words (a WordVectors without words, or a "
                    "SimplerGlove fitted without a vocabulary): pass vocabulary."
                )
            vocabulary = embeddings.words
        embeddings = embeddings.vectors
    elif vocabulary is None:
        raise InvalidParameterError(
            f"The 'vocabulary' parameter of {function} must be a dict or an "
            "array-like of words; None is only accepted with a WordVectors or "
            "a fitted SimplerGlove as embeddings, which know their words."
        )
    embeddings = _check_embeddings(embeddings)
    return embeddings, _folded_vocabulary(vocabulary, embeddings.shape[0])


def _check_embeddings(embeddings):
    """Finite real float64 embeddings of shape (n_words, n_components)."""
    try:
        return check_array(
            embeddings, dtype=np.float64, input_name="embeddings", copy=False
        )
    except ValueError as error:
        message = str(error)
        if "embeddings" not in message:  # e.g. NumPy's "could not convert ..."
            message = f"embeddings must be a 2-D array of real numbers: {message}"
        raise ValueError(message) from None


def _folded_vocabulary(vocabulary, n_rows):
    """Lower-cased word -> row, every row checked to be an int in [0, n_rows).

    A sequence of words maps each to its position. Where lower-casing joins
    words ("Paris", "paris"), the lowest row wins: with rows in order of
    decreasing frequency, the most frequent form, as in gensim's
    case-insensitive evaluations.
    """
    folded = {}
    items = _vocabulary_items(
        vocabulary, name="vocabulary", unit="row", index_kind="rows of embeddings"
    )
    for word, row in items:
        if not 0 <= row < n_rows:
            raise ValueError(
                f"vocabulary maps {word!r} to row {row}, outside the {n_rows} rows "
                "of embeddings."
            )
        key = word.lower()
        if folded.get(key, row) >= row:
            folded[key] = row
    return folded


def _check_words(words, name, n_columns):
    """An array of str of shape (n, n_columns), not empty."""
    array = np.asarray(words, dtype=object)
    if array.ndim != 2 or array.shape[1] != n_columns:
        raise ValueError(
            f"{name} must have shape (n_{name}, {n_columns}), got {array.shape}."
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty.")
    bad = [word for word in array.flat if not isinstance(word, str)][:1]
    if bad:
        bad = bad[0]
        raise TypeError(
            f"{name} must hold words (str); got {bad!r} of type {type(bad).__name__}."
        )
    return array


def _lookup(vocabulary, words, n_rows):
    """Row index of each word (lower-cased), -1 where missing or past n_rows."""
    indices = np.array(
        [vocabulary.get(word.lower(), -1) for word in words.flat], dtype=np.int64
    ).reshape(words.shape)
    indices[indices >= n_rows] = -1
    return indices


@validate_params(
    {
        "embeddings": [WordVectors, SimplerGlove, "array-like"],
        "vocabulary": [Mapping, "array-like", None],
        "pairs": ["array-like"],
        "scores": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def word_similarity_spearman(embeddings, vocabulary, pairs, scores):
    """Spearman correlation between cosine similarities and human scores.

    The protocol of WordSim-353 and SimLex-999 evaluations (as in gensim's
    ``evaluate_word_pairs``): pairs with a word outside the vocabulary are
    left out, and the share of pairs kept is reported. Words are looked up
    lower-cased, in a lower-cased vocabulary.

    Parameters
    ----------
    embeddings : array-like of shape (n_words, n_components), WordVectors or \
            SimplerGlove
        One vector per word: finite real numbers. A zero row has cosine 0
        with every word. A :class:`~sklearn_kexue.embedding.WordVectors` or
        a fitted :class:`~sklearn_kexue.SimplerGlove` (its
        ``word_vectors_``) brings its words along.
    vocabulary : dict, array-like of str or None
        Word -> row of ``embeddings`` (an int in ``[0, n_words)``), or the
        words in row order. Where lower-casing makes two words one, the
        lower row is used (the more frequent word, when rows are sorted by
        frequency), as gensim does. None (only with a ``WordVectors`` or a
        ``SimplerGlove``): their words.
    pairs : array-like of str of shape (n_pairs, 2)
        Word pairs, at least one.
    scores : array-like of shape (n_pairs,)
        Human similarity judgements, finite.

    Returns
    -------
    rho : float
        Spearman rank correlation over the covered pairs.
    coverage : float
        Share of the pairs whose two words are in the vocabulary.

    Raises
    ------
    ValueError
        If no pair has both words in the vocabulary, if fewer than two pairs
        are covered, or if the cosines or the scores of the covered pairs
        are all equal: Spearman's correlation is then undefined.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.metrics import word_similarity_spearman
    >>> vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> vocabulary = {"cup": 0, "mug": 1, "tree": 2}
    >>> pairs = [["cup", "mug"], ["cup", "tree"], ["mug", "tree"], ["cup", "sky"]]
    >>> word_similarity_spearman(vectors, vocabulary, pairs, [9.0, 1.0, 2.0, 3.0])
    (1.0, 0.75)

    A :class:`~sklearn_kexue.embedding.WordVectors` knows its words:

    >>> from sklearn_kexue.embedding import WordVectors
    >>> word_vectors = WordVectors(vectors, ["cup", "mug", "tree"])
    >>> word_similarity_spearman(word_vectors, None, pairs, [9.0, 1.0, 2.0, 3.0])
    (1.0, 0.75)
    """
    return _word_similarity_spearman(embeddings, vocabulary, pairs, scores)


def _word_similarity_spearman(embeddings, vocabulary, pairs, scores):
    embeddings, vocabulary = _embeddings_and_vocabulary(
        embeddings, vocabulary, "word_similarity_spearman"
    )
    pairs = _check_words(pairs, "pairs", 2)
    try:
        scores = check_array(
            scores, ensure_2d=False, dtype=np.float64, input_name="scores"
        ).ravel()
    except ValueError as error:
        message = str(error)
        if "scores" not in message:  # e.g. NumPy's "could not convert ..."
            message = f"scores must be real numbers: {message}"
        raise ValueError(message) from None
    if np.ndim(scores) != 1 or scores.shape[0] != pairs.shape[0]:
        raise ValueError(
            "pairs must have shape (n_pairs, 2) and scores shape (n_pairs,); got "
            f"{pairs.shape} and {np.shape(scores)}."
        )
    indices = _lookup(vocabulary, pairs, embeddings.shape[0])
    covered = (indices >= 0).all(axis=1)
    if not covered.any():
        raise ValueError("No pair has both words in the vocabulary.")
    if covered.sum() < 2:
        raise ValueError(
            "Only one pair has both words in the vocabulary; Spearman's "
            "correlation needs at least two."
        )
    unit = _unit_rows(embeddings)
    first, second = indices[covered].T
    cosines = np.einsum("ij,ij->i", unit[first], unit[second])
    for name, values in (("cosine similarities", cosines), ("scores", scores[covered])):
        if np.all(values == values[0]):
            raise ValueError(
                f"Spearman's correlation is undefined: the {name} of the "
                f"{covered.sum()} covered pairs are all equal."
            )
    rho = spearmanr(cosines, scores[covered]).statistic
    return float(rho), float(covered.mean())


@validate_params(
    {
        "embeddings": [WordVectors, SimplerGlove, "array-like"],
        "vocabulary": [Mapping, "array-like", None],
        "questions": ["array-like"],
        "restrict_vocab": [Interval(Integral, 1, None, closed="left"), None],
        "sections": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def word_analogy_accuracy(
    embeddings, vocabulary, questions, *, restrict_vocab=None, sections=None
):
    """Accuracy on analogy questions "a is to b as c is to d", by 3CosAdd.

    The answer to a question is the word whose unit vector has the largest
    dot product with b̂ - â + ĉ, among all words but a, b and c, as in
    gensim's ``evaluate_word_analogies`` and GloVe's evaluation script (and
    :meth:`WordVectors.analogy <sklearn_kexue.embedding.WordVectors.analogy>`,
    which shares this code).
    Questions with a word outside the (restricted) vocabulary are skipped
    and counted in ``coverage``. Words are looked up lower-cased, in a
    lower-cased vocabulary.

    Parameters
    ----------
    embeddings : array-like of shape (n_words, n_components), WordVectors or \
            SimplerGlove
        One vector per word: finite real numbers. A
        :class:`~sklearn_kexue.embedding.WordVectors` or a fitted
        :class:`~sklearn_kexue.SimplerGlove` (its ``word_vectors_``) brings
        its words along.
    vocabulary : dict, array-like of str or None
        Word -> row of ``embeddings`` (an int in ``[0, n_words)``), or the
        words in row order. Where lower-casing makes two words one, the
        lower row is used, as gensim does. None (only with a
        ``WordVectors`` or a ``SimplerGlove``): their words.
    questions : array-like of str of shape (n_questions, 4)
        The words a, b, c and the expected answer d; at least one question.
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
        covered questions (nan where none is covered: no accuracy exists),
        in order of first appearance.

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
    return _word_analogy_accuracy(
        embeddings, vocabulary, questions, restrict_vocab, sections
    )


def _word_analogy_accuracy(embeddings, vocabulary, questions, restrict_vocab, sections):
    embeddings, vocabulary = _embeddings_and_vocabulary(
        embeddings, vocabulary, "word_analogy_accuracy"
    )
    questions = _check_words(questions, "questions", 4)
    if sections is not None:
        sections = np.asarray(sections)
        if sections.shape != (len(questions),):
            raise ValueError(
                f"sections must have shape ({len(questions)},), got {sections.shape}."
            )
    unit = _unit_rows(embeddings)
    if restrict_vocab is not None:
        unit = unit[:restrict_vocab]
    indices = _lookup(vocabulary, questions, unit.shape[0])
    covered = (indices >= 0).all(axis=1)
    correct = np.zeros(len(questions), dtype=bool)
    covered_rows = np.flatnonzero(covered)
    # A question's scores are one float64 row over the vocabulary.
    for chunk in gen_row_batches(len(covered_rows), 8 * unit.shape[0]):
        rows = covered_rows[chunk]
        a, b, c, d = indices[rows].T
        scores, _ = _three_cos_add(unit, a, b, c)
        best = scores.argmax(axis=1)
        # With every candidate excluded (a tiny restrict_vocab) there is no answer.
        correct[rows] = (best == d) & np.isfinite(scores[np.arange(len(rows)), best])
    n_covered = int(covered.sum())
    n_correct = int(correct.sum())
    result = Bunch(
        accuracy=n_correct / n_covered if n_covered else 0.0,
        coverage=n_covered / len(questions),
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
