"""SimplerGloveVectorizer: raw text in, text vectors out, trained on windowed counts."""

from collections.abc import Iterator
from itertools import pairwise

from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue.embedding._simpler_glove import SimplerGlove
from sklearn_kexue.embedding._vectorizer import CooccurrenceVectorizer
from sklearn_kexue.utils._data_constraints import InputData
from sklearn_kexue.utils._param_validation import RANDOM_STATE, HasMethods
from sklearn_kexue.utils._repr import DocLinkMixin

__all__ = ["SimplerGloveVectorizer"]


def _has_adjacent_pair(documents):
    """Whether some document has two different words side by side."""
    for document in documents:
        tokens = document.split() if isinstance(document, str) else document
        if any(a != b for a, b in pairwise(tokens)):
            return True
    return False


class SimplerGloveVectorizer(TransformerMixin, DocLinkMixin, BaseEstimator):
    """Text vectors from word vectors trained on the documents' windowed co-occurrences.

    :meth:`fit` counts the training documents' co-occurrences within a
    sliding window with ``vectorizer`` (a
    :class:`~sklearn_kexue.embedding.CooccurrenceVectorizer`), streaming
    them into one V x V matrix, and fits ``glove`` (a
    :class:`~sklearn_kexue.embedding.SimplerGlove`) on it. :meth:`transform`
    maps each document to the count-weighted sum (or mean, ``glove``'s
    ``pooling``) of its words' vectors. This is the text-level estimator for
    a :class:`~sklearn.pipeline.Pipeline` and a grid search: the window, the
    vocabulary and the model's parameters are all searchable, as
    ``vectorizer__window`` or ``glove__n_components``.

    Read more in the :ref:`User Guide <simpler_glove>`.

    Parameters
    ----------
    vectorizer : CooccurrenceVectorizer, default=None
        Tokenises and counts; cloned before fitting. None means
        ``CooccurrenceVectorizer()`` (window 10).
    glove : SimplerGlove, default=None
        The word-vector model; cloned before fitting, and fitted with
        ``input_type="cooccurrence"`` and the vectorizer's vocabulary
        whatever those two parameters of ``glove`` say. None means
        ``SimplerGlove()``.
    random_state : int, RandomState instance or None, default=None
        Seeds the word-vector model, as ``BaggingClassifier`` seeds its
        estimators: when not None it replaces ``glove``'s own
        ``random_state``. Pass an int for reproducible text vectors (the
        default ``SimplerGlove()`` is otherwise seeded afresh on each fit).

    Attributes
    ----------
    vectorizer_ : CooccurrenceVectorizer
        The fitted vectorizer (vocabulary and word counts).
    glove_ : SimplerGlove
        The fitted word vectors (``glove_.embeddings_``, and the word-level
        queries ``most_similar``, ``similarity`` and ``analogy``).

    See Also
    --------
    SimplerGlove : The word vectors, from a co-occurrence matrix or word
        counts.
    CooccurrenceVectorizer : The windowed counts.

    Examples
    --------
    >>> from sklearn_kexue.embedding import (
    ...     CooccurrenceVectorizer, SimplerGlove, SimplerGloveVectorizer)
    >>> documents = ["the cat sat on the mat", "the dog sat on the log"] * 10
    >>> model = SimplerGloveVectorizer(
    ...     CooccurrenceVectorizer(window=2),
    ...     SimplerGlove(n_components=3, max_iter=20, tol=0, random_state=0),
    ... ).fit(documents)
    >>> model.transform(["a cat on a log"]).shape
    (1, 3)
    >>> sorted(model.glove_.vocabulary_)[:3]
    ['cat', 'dog', 'log']
    """

    _parameter_constraints: dict = {
        "vectorizer": [HasMethods(["fit", "cooccurrence_matrix", "count_words"]), None],
        "glove": [HasMethods(["fit", "transform"]), None],
        "random_state": RANDOM_STATE,
    }
    # For joint property-test draws: a document where two words stand side by
    # side, so that the default vectorizer counts a pair for the fit.
    _data_constraints: dict = {
        "X": InputData("documents", require=_has_adjacent_pair, reason="a pair"),
    }

    def __init__(self, vectorizer=None, glove=None, *, random_state=None):
        self.vectorizer = vectorizer
        self.glove = glove
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, raw_documents, y=None):
        """Count the documents' co-occurrences and fit the word vectors.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens. They are read twice
            (vocabulary, then counts), so a one-shot iterator is first
            turned into a list.
        y : None
            Ignored.

        Returns
        -------
        self : SimplerGloveVectorizer
            The fitted estimator.
        """
        if isinstance(raw_documents, Iterator):
            raw_documents = list(raw_documents)
        vectorizer = clone(
            CooccurrenceVectorizer() if self.vectorizer is None else self.vectorizer
        )
        vectorizer.fit(raw_documents)
        counts = vectorizer.cooccurrence_matrix(raw_documents)
        glove = clone(SimplerGlove() if self.glove is None else self.glove)
        glove.set_params(input_type="cooccurrence", vocabulary=vectorizer.vocabulary_)
        if self.random_state is not None and "random_state" in glove.get_params():
            glove.set_params(random_state=self.random_state)
        self.vectorizer_ = vectorizer
        self.glove_ = glove.fit(counts)
        return self

    def transform(self, raw_documents):
        """Text vectors: each document's pooled word vectors.

        Parameters
        ----------
        raw_documents : iterable
            Documents: str, or sequences of str tokens.

        Returns
        -------
        X_new : ndarray of shape (n_documents, n_components)
            Out-of-vocabulary words are left out; a document without a known
            word maps to zeros.
        """
        check_is_fitted(self)
        return self.glove_.transform(self.vectorizer_.count_words(raw_documents))

    def get_feature_names_out(self, input_features=None):
        """Output feature names: ``simplerglove0``, ``simplerglove1``, ...

        Parameters
        ----------
        input_features : None
            Ignored (the input is text).

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per text-vector dimension.
        """
        check_is_fitted(self)
        return self.glove_.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        glove = SimplerGlove() if self.glove is None else self.glove
        tags.non_deterministic = glove.__sklearn_tags__().non_deterministic
        return tags
