"""SimplerGlove: word vectors whose inner products fit the PMI of co-occurring words."""

import math
import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, check_non_negative

from sklearn_kexue.embedding._glove_kernels import adagrad_epoch, weighted_pair_loss
from sklearn_kexue.utils._dimensions import minimum_entropy_dimension
from sklearn_kexue.utils._param_validation import RANDOM_STATE, Interval, StrOptions
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._validation import validate_input_data

__all__ = ["SimplerGlove"]


class SimplerGlove(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, DocLinkMixin, BaseEstimator
):
    """Word vectors whose inner products fit pointwise mutual information.

    Su's "simpler GloVe" (2017) learns one vector v_i per word, with no
    biases and no separate context vectors, so that the inner product of two
    words' vectors is their pointwise mutual information:

    ``<v_i, v_j> ≈ PMI(i, j) = log P(i, j) / (P(i) P(j))``.

    It minimises ``Σ λ_ij (<v_i, v_j> - PMI_ij)²`` over the pairs of distinct
    words that co-occur, with GloVe's weight ``λ = min(x_ij / x_max, 1)^α``
    on the pair count x_ij, by textbook Adagrad over the pairs in a random
    order each epoch. A word's squared norm then tracks -log P(w) (frequent
    function words get short vectors), the inner product scores relatedness,
    and the sum of a text's word vectors is a text vector: that is what
    :meth:`transform` returns.

    Each row of ``X`` is a context (a window, a sentence or a document) and
    each column a word. With ``input_type="contexts"`` a row holds
    non-negative word counts, as :class:`~sklearn.feature_extraction.text.
    CountVectorizer` produces, and two words co-occur as often as the
    product of their counts in a row. With ``input_type="cooccurrence"`` a
    row is the flattened V x V output of
    :class:`~sklearn_kexue.embedding.CooccurrenceVectorizer`: pair counts
    within a sliding window off the diagonal, word counts on it.

    Read more in the :ref:`User Guide <simpler_glove>`.

    Parameters
    ----------
    n_components : int or "auto", default="auto"
        Dimension d of the word vectors. ``"auto"`` takes
        ``ceil(8.33 ln V)`` for V words (columns), Su's minimum-entropy rule
        (:func:`~sklearn_kexue.utils.minimum_entropy_dimension`).

    input_type : {"contexts", "cooccurrence"}, default="contexts"
        How ``X`` is read. ``"contexts"``: rows of word counts; the pair
        count of words i != j is ``Σ_rows X[r, i] X[r, j]`` and the word
        count ``Σ_rows X[r, i]``. ``"cooccurrence"``: ``X`` has V² columns;
        summed over rows, column ``i * V + j`` is the pair count of words
        i != j (it must be symmetric) and column ``i * V + i`` the count of
        word i.

    x_max : float, default=100.0
        Pair count at which the weight λ reaches 1.

    alpha : float, default=0.75
        Exponent α of the weight λ = (x / x_max)^α.

    truncate_weights : bool, default=True
        Whether λ stops at 1 for pair counts above ``x_max`` (GloVe's
        weight). Without truncation frequent pairs weigh more, which fits
        frequent words better: the squared norms then follow -log P(w)
        closely (the author's code offers both).

    learning_rate : float, default=0.1
        Adagrad's η. Every coordinate's accumulator starts at 1 and includes
        the current squared gradient, so no step exceeds η.

    max_iter : int, default=25
        Maximum number of epochs (passes over all pairs).

    tol : float, default=1e-4
        Training stops when an epoch lowers the loss by less than
        ``tol`` times its value. A :class:`~sklearn.exceptions.
        ConvergenceWarning` is raised if ``max_iter`` epochs end first. 0
        always runs ``max_iter`` epochs, without warning.

    pooling : {"sum", "mean"}, default="sum"
        Text vector returned by :meth:`transform`: the count-weighted sum of
        the row's word vectors (the post's sentence vector; PMI adds up over
        words) or their mean.

    vocabulary : dict or sequence of str, default=None
        The words of the columns, as a mapping word -> column (for example
        ``CooccurrenceVectorizer().vocabulary_``) or a sequence in column
        order. Used by the word-level methods. Without it, the column names
        of a DataFrame are used, and otherwise words are column indices.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial vectors and the order of the pairs in every epoch.
        Pass an int for reproducible results.

    verbose : int, default=0
        0 silent, 1 a summary at the end, 2 a line per epoch.

    Attributes
    ----------
    embeddings_ : ndarray of shape (n_words, n_components)
        One vector per word (column). Words that never co-occur with
        another word have the zero vector.

    n_components_ : int
        The resolved dimension.

    word_counts_ : ndarray of shape (n_words,)
        Count of each word in the training data, which sets P(w).

    vocabulary_ : dict
        Word -> index of its row in ``embeddings_``. Only set when
        ``vocabulary`` is given or ``X`` has string column names.

    loss_curve_ : list of float
        The loss after each epoch: the mean over co-occurring pairs of
        ½ λ (<v_i, v_j> - PMI_ij)².

    n_iter_ : int
        Number of epochs run.

    n_pairs_ : int
        Number of pairs of distinct words that co-occur (each pair once).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X``
        has feature names that are all strings.

    See Also
    --------
    sklearn_kexue.embedding.CooccurrenceVectorizer : Windowed co-occurrence
        counts of raw text, the usual input.
    sklearn.decomposition.TruncatedSVD : Factorises a matrix without a
        target transform or pair weights.

    Notes
    -----
    With word counts c_i (N in all) and pair counts x_ij (T in all, both
    orders, self-pairs excluded) the target is
    ``PMI_ij = log x_ij - log T - log c_i - log c_j + 2 log N``, as in the
    author's code. Pairs of a word with itself never enter the loss: the
    model fits them freely, which is where the norm's meaning comes from.
    Each unordered pair is visited once per epoch (the objective over
    ordered pairs is twice that over unordered ones). Vectors start uniform
    in [-0.5, 0.5) / d. The problem is non-convex; Adagrad is run in a
    single thread, so a fit is reproducible with ``random_state``.

    References
    ----------
    Su, J. (2017). 更别致的词向量模型 (A simpler GloVe), parts 1-6.
    https://kexue.fm/archives/4667

    Pennington, J., Socher, R. & Manning, C. D. (2014). GloVe: Global vectors
    for word representation. EMNLP 2014, 1532-1543.

    Duchi, J., Hazan, E. & Singer, Y. (2011). Adaptive subgradient methods
    for online learning and stochastic optimization. JMLR 12, 2121-2159.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import SimplerGlove
    >>> rng = np.random.default_rng(0)
    >>> X = rng.poisson(1.0, size=(200, 6))
    >>> glove = SimplerGlove(n_components=4, max_iter=50, tol=0, random_state=0)
    >>> glove = glove.fit(X)
    >>> glove.embeddings_.shape
    (6, 4)
    >>> glove.transform(X[:2]).shape
    (2, 4)
    """

    _parameter_constraints: dict = {
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "input_type": [StrOptions({"contexts", "cooccurrence"})],
        "x_max": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "truncate_weights": ["boolean"],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "pooling": [StrOptions({"sum", "mean"})],
        "vocabulary": [dict, list, tuple, np.ndarray, None],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components="auto",
        *,
        input_type="contexts",
        x_max=100.0,
        alpha=0.75,
        truncate_weights=True,
        learning_rate=0.1,
        max_iter=25,
        tol=1e-4,
        pooling="sum",
        vocabulary=None,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.input_type = input_type
        self.x_max = x_max
        self.alpha = alpha
        self.truncate_weights = truncate_weights
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.pooling = pooling
        self.vocabulary = vocabulary
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn one vector per word (column) from the co-occurrences in ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative counts: rows of word counts (``input_type=
            "contexts"``) or flattened co-occurrence rows
            (``input_type="cooccurrence"``).
        y : None
            Ignored.

        Returns
        -------
        self : SimplerGlove
            The fitted estimator.
        """
        X = validate_input_data(self, X, reset=True)
        check_non_negative(X, f"{type(self).__name__} (input X)")
        counts, rows, cols, pair_counts = _cooccurrence_statistics(X, self.input_type)
        n_words = counts.shape[0]
        if n_words < 2:
            raise ValueError(
                "SimplerGlove needs at least two words (columns) to pair; got "
                f"n_features={X.shape[1]}."
            )
        if rows.shape[0] == 0:
            raise ValueError(
                "No two distinct words co-occur in X: every row has at most one "
                "word with a non-zero count, so there is nothing to fit."
            )
        vocabulary = self._resolve_vocabulary(n_words)
        if vocabulary is not None:
            self.vocabulary_ = vocabulary
        else:  # a refit without words must not keep an earlier fit's words
            self.__dict__.pop("vocabulary_", None)
        self.n_components_ = (
            minimum_entropy_dimension(n_words)
            if self.n_components == "auto"
            else self.n_components
        )
        targets = _pmi_targets(counts, rows, cols, pair_counts)
        weights = _pair_weights(
            pair_counts, self.x_max, self.alpha, self.truncate_weights
        )

        rng = check_random_state(self.random_state)
        n_components = self.n_components_
        vectors = (rng.uniform(size=(n_words, n_components)) - 0.5) / n_components
        # Words without a partner get no gradient: zero, not leftover noise.
        paired = np.zeros(n_words, dtype=bool)
        paired[rows] = True
        paired[cols] = True
        vectors[~paired] = 0.0
        accumulators = np.ones_like(vectors)

        n_pairs = rows.shape[0]
        self.loss_curve_ = []
        converged = False
        start = time.perf_counter()
        for epoch in range(1, self.max_iter + 1):
            order = rng.permutation(n_pairs)
            skipped = adagrad_epoch(
                vectors,
                accumulators,
                rows,
                cols,
                targets,
                weights,
                order,
                self.learning_rate,
            )
            if skipped:
                raise FloatingPointError(
                    f"The fit diverged in epoch {epoch} ({skipped} pairs had a "
                    "non-finite residual); lower learning_rate."
                )
            loss = weighted_pair_loss(vectors, rows, cols, targets, weights) / n_pairs
            self.loss_curve_.append(float(loss))
            if self.verbose >= 2:
                print(
                    f"epoch {epoch}: loss {loss:.6g} "
                    f"({time.perf_counter() - start:.2f} s)"
                )
            if self.tol > 0 and epoch > 1:
                previous = self.loss_curve_[-2]
                if previous - loss < self.tol * previous:
                    converged = True
                    break
        self.n_iter_ = epoch
        self.embeddings_ = vectors
        self.word_counts_ = counts
        self.n_pairs_ = n_pairs
        if self.verbose:
            print(
                f"SimplerGlove: {n_words} words, {n_pairs} pairs, {self.n_iter_} "
                f"epochs, loss {self.loss_curve_[-1]:.6g}, "
                f"{time.perf_counter() - start:.2f} s"
            )
        if self.tol > 0 and not converged:
            warnings.warn(
                f"SimplerGlove stopped after max_iter={self.max_iter} epochs "
                f"before the loss improved by less than tol={self.tol} in an "
                "epoch; increase max_iter.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def transform(self, X):
        """Text vectors: the count-weighted sum (or mean) of each row's word vectors.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows in the layout of ``fit`` (``input_type``).

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            Linear in the counts for ``pooling="sum"``.
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False)
        check_non_negative(X, f"{type(self).__name__} (input X)")
        counts = _row_word_counts(X, self.input_type, self.embeddings_.shape[0])
        text_vectors = np.asarray(counts @ self.embeddings_)
        if self.pooling == "mean":
            totals = np.asarray(counts.sum(axis=1)).ravel()
            nonempty = totals > 0
            text_vectors[nonempty] /= totals[nonempty, np.newaxis]
        return text_vectors

    def score(self, X, y=None):
        """Return the negative loss of the fitted vectors on the co-occurrences of X.

        The mean over the pairs that co-occur in ``X`` of
        ½ λ (<v_i, v_j> - PMI_ij)², with the PMI and weights computed from
        ``X``; higher is better.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows in the layout of ``fit``.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Minus the weighted loss.
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False)
        check_non_negative(X, f"{type(self).__name__} (input X)")
        counts, rows, cols, pair_counts = _cooccurrence_statistics(X, self.input_type)
        if rows.shape[0] == 0:
            raise ValueError("No two distinct words co-occur in X.")
        targets = _pmi_targets(counts, rows, cols, pair_counts)
        weights = _pair_weights(
            pair_counts, self.x_max, self.alpha, self.truncate_weights
        )
        loss = weighted_pair_loss(self.embeddings_, rows, cols, targets, weights)
        return -float(loss) / rows.shape[0]

    # Word-level API -------------------------------------------------------------

    def similarity(self, word_a, word_b, *, measure="cosine", n_reference=10_000):
        """Similarity of two words.

        Parameters
        ----------
        word_a, word_b : str or int
            Words of ``vocabulary_``, or row indices of ``embeddings_``.
        measure : {"cosine", "dot", "profile"}, default="cosine"
            ``"dot"``: the inner product, the model's PMI (relatedness).
            ``"cosine"``: its normalised form. ``"profile"``: the Pearson
            correlation of the two words' PMI profiles over the
            ``n_reference`` most frequent words (similarity rather than
            relatedness).
        n_reference : int, default=10000
            Reference words of ``measure="profile"``.

        Returns
        -------
        similarity : float
            The inner product, cosine or profile correlation of the two words.

        Examples
        --------
        >>> from sklearn_kexue import SimplerGlove
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 20
        >>> vectorizer = CooccurrenceVectorizer(window=2).fit(docs)
        >>> glove = SimplerGlove(
        ...     n_components=3, input_type="cooccurrence", max_iter=100, tol=0,
        ...     vocabulary=vectorizer.vocabulary_, random_state=0,
        ... ).fit(vectorizer.cooccurrence_matrix(docs).reshape(1, -1))
        >>> round(glove.similarity("cat", "cat"), 6)
        1.0
        >>> -1 <= glove.similarity("cat", "dog", measure="profile", n_reference=5) <= 1
        True
        """
        check_is_fitted(self)
        space = self._measure_space(measure, n_reference)
        a = _mapped(self.embeddings_[self._word_index(word_a)], space)
        b = _mapped(self.embeddings_[self._word_index(word_b)], space)
        if measure == "dot":
            return float(a @ b)
        norms = np.linalg.norm(a) * np.linalg.norm(b)
        return float(a @ b / norms) if norms > 0 else 0.0

    def most_similar(self, query, topn=10, *, measure="cosine", n_reference=10_000):
        """The words closest to a word or a vector.

        Parameters
        ----------
        query : str, int or array-like of shape (n_components,)
            A word of ``vocabulary_`` (or a row index), which is left out of
            the answer, or a vector in the embedding space.
        topn : int, default=10
            Number of words returned.
        measure : {"cosine", "dot", "profile"}, default="cosine"
            See :meth:`similarity`. ``"profile"`` ranks by the correlation of
            PMI profiles: neighbours that are similar (interchangeable)
            rather than related.
        n_reference : int, default=10000
            Reference words of ``measure="profile"``; fewer (about 500)
            favours syntactic neighbours, more (about 10,000) semantic ones.

        Returns
        -------
        neighbours : list of (word, float)
            Best first; words are indices when there is no ``vocabulary_``.

        Examples
        --------
        >>> from sklearn_kexue import SimplerGlove
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 20
        >>> vectorizer = CooccurrenceVectorizer(window=2).fit(docs)
        >>> glove = SimplerGlove(
        ...     n_components=3, input_type="cooccurrence", max_iter=100, tol=0,
        ...     vocabulary=vectorizer.vocabulary_, random_state=0,
        ... ).fit(vectorizer.cooccurrence_matrix(docs).reshape(1, -1))
        >>> neighbours = glove.most_similar("cat", topn=3)
        >>> len(neighbours), "cat" in dict(neighbours)  # the query is left out
        (3, False)
        """
        check_is_fitted(self)
        space = self._measure_space(measure, n_reference)
        vectors = _mapped(self.embeddings_, space)
        exclude = []
        if isinstance(query, (str, Integral)) and not isinstance(query, bool):
            index = self._word_index(query)
            target = vectors[index]
            exclude.append(index)
        else:
            target = _mapped(self._query_vector(query), space)
        return self._rank(vectors, target, measure, exclude, topn)

    def analogy(self, word_a, word_b, word_c, topn=1):
        """Solve "a is to b as c is to ?" by 3CosAdd.

        The answer maximises cos(v, b̂ - â + ĉ) over the unit-normalised word
        vectors, leaving out the three query words (as gensim and GloVe's
        evaluation script do).

        Parameters
        ----------
        word_a, word_b, word_c : str or int
            Words of ``vocabulary_`` or row indices.
        topn : int, default=1
            Number of answers.

        Returns
        -------
        answers : list of (word, float)
            Best first, with the cosine to b̂ - â + ĉ.

        Examples
        --------
        >>> from sklearn_kexue import SimplerGlove
        >>> from sklearn_kexue.embedding import CooccurrenceVectorizer
        >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 20
        >>> vectorizer = CooccurrenceVectorizer(window=2).fit(docs)
        >>> glove = SimplerGlove(
        ...     n_components=3, input_type="cooccurrence", max_iter=100, tol=0,
        ...     vocabulary=vectorizer.vocabulary_, random_state=0,
        ... ).fit(vectorizer.cooccurrence_matrix(docs).reshape(1, -1))
        >>> answer, cosine = glove.analogy("cat", "mat", "dog")[0]
        >>> answer in ("cat", "mat", "dog")  # the query words are left out
        False
        """
        check_is_fitted(self)
        indices = [self._word_index(word) for word in (word_a, word_b, word_c)]
        unit = _unit_rows(self.embeddings_)
        target = unit[indices[1]] - unit[indices[0]] + unit[indices[2]]
        return self._rank(unit, target, "cosine", indices, topn)

    def _resolve_vocabulary(self, n_words):
        """Word -> index from ``vocabulary`` or string feature names, else None."""
        vocabulary = self.vocabulary
        if vocabulary is None:
            names = getattr(self, "feature_names_in_", None)
            if names is None or self.input_type != "contexts":
                return None
            vocabulary = list(names)
        if isinstance(vocabulary, dict):
            mapping = dict(vocabulary)
        else:
            words = list(vocabulary)
            mapping = {word: index for index, word in enumerate(words)}
            if len(mapping) != len(words):
                raise ValueError("vocabulary contains repeated words.")
        indices = sorted(mapping.values())
        if indices != list(range(n_words)):
            raise ValueError(
                f"vocabulary must map {n_words} words to the indices 0 to "
                f"{n_words - 1} (one per column of X); got {len(mapping)} words."
            )
        return mapping

    def _word_index(self, word):
        vocabulary = getattr(self, "vocabulary_", None)
        if isinstance(word, str):
            if vocabulary is None:
                raise ValueError(
                    f"Word {word!r} given, but the model has no vocabulary_; pass "
                    "vocabulary= to SimplerGlove, or use column indices."
                )
            if word not in vocabulary:
                raise KeyError(f"Word {word!r} is not in the vocabulary.")
            return vocabulary[word]
        if isinstance(word, Integral) and not isinstance(word, bool):
            n_words = self.embeddings_.shape[0]
            if not 0 <= word < n_words:
                raise IndexError(f"Word index {word} is out of range [0, {n_words}).")
            return int(word)
        raise TypeError(f"A word is a str or an int index, got {type(word).__name__}.")

    def _query_vector(self, query):
        vector = np.asarray(query, dtype=np.float64)
        n_components = self.embeddings_.shape[1]
        if vector.shape != (n_components,):
            raise ValueError(
                f"A query vector must have shape ({n_components},), got {vector.shape}."
            )
        return vector

    def _measure_space(self, measure, n_reference):
        """The map into the space where ``measure`` is a dot product or a cosine.

        None stands for the identity (``"cosine"`` and ``"dot"``), so that the
        common measures copy nothing.
        """
        if measure in ("cosine", "dot"):
            return None
        if measure == "profile":
            return self._profile_transform(n_reference)
        raise ValueError(
            f"measure must be 'cosine', 'dot' or 'profile', got {measure!r}."
        )

    def _profile_transform(self, n_reference):
        """U with <U v_a, U v_b> = the covariance of the PMI profiles of a and b.

        A word's PMI profile over reference words R is (<v_w, v_r>) for r in
        R; centred over R it is V_c v_w with V_c the centred reference
        vectors, so the profiles' correlation is a cosine after mapping every
        vector by a square root U of V_cᵀ V_c (Su's "similar words").
        """
        if not isinstance(n_reference, Integral) or n_reference < 2:
            raise ValueError(f"n_reference must be an int >= 2, got {n_reference!r}.")
        frequent = np.argsort(-self.word_counts_, kind="stable")[:n_reference]
        reference = self.embeddings_[frequent]
        centred = reference - reference.mean(axis=0)
        eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
        return np.sqrt(np.clip(eigenvalues, 0.0, None))[:, np.newaxis] * eigenvectors.T

    def _rank(self, vectors, target, measure, exclude, topn):
        if not isinstance(topn, Integral) or topn < 1:
            raise ValueError(f"topn must be a positive int, got {topn!r}.")
        scores = vectors @ target
        if measure != "dot":
            norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(target)
            scores = np.divide(
                scores, norms, out=np.zeros_like(scores), where=norms > 0
            )
        scores[exclude] = -np.inf
        topn = min(topn, scores.shape[0] - len(set(exclude)))
        best = np.argpartition(-scores, topn - 1)[:topn] if topn else []
        best = sorted(best, key=lambda index: (-scores[index], index))
        words = self._index_to_word()
        return [(words[index], float(scores[index])) for index in best]

    def _index_to_word(self):
        vocabulary = getattr(self, "vocabulary_", None)
        if vocabulary is None:
            return range(self.embeddings_.shape[0])
        words = [None] * len(vocabulary)
        for word, index in vocabulary.items():
            words[index] = word
        return words

    @property
    def _n_features_out(self):
        return self.embeddings_.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        return tags


def _cooccurrence_statistics(X, input_type):
    """Word counts (V,) and the pairs i < j that co-occur, with their counts.

    Pairs come sorted by (i, j), so that the same co-occurrences give the same
    training order whatever the input's layout or sparse format.
    """
    if input_type == "contexts":
        counts, rows, cols, pair_counts = _context_statistics(X)
    else:
        counts, rows, cols, pair_counts = _flattened_statistics(X)
    order = np.lexsort((cols, rows))
    return counts, rows[order], cols[order], pair_counts[order]


def _context_statistics(X):
    X = X.astype(np.float64, copy=False)
    counts = np.asarray(X.sum(axis=0)).ravel()
    if sp.issparse(X):
        gram = sp.coo_matrix(X.T @ X)
        keep = (gram.row < gram.col) & (gram.data > 0)
        rows, cols, pair_counts = gram.row[keep], gram.col[keep], gram.data[keep]
    else:
        gram = X.T @ X
        rows, cols = np.nonzero(np.triu(gram, k=1) > 0)
        pair_counts = gram[rows, cols]
    return (
        counts,
        rows.astype(np.intp),
        cols.astype(np.intp),
        np.ascontiguousarray(pair_counts, dtype=np.float64),
    )


def _flattened_statistics(X):
    n_words = _flattened_vocabulary_size(X.shape[1])
    if sp.issparse(X):
        total = sp.csr_matrix(np.ones((1, X.shape[0]))) @ sp.csr_matrix(X)
        total.sum_duplicates()
        flat_index, values = total.indices.astype(np.int64), total.data
    else:
        summed = np.asarray(X, dtype=np.float64).sum(axis=0)
        flat_index = np.flatnonzero(summed)
        values = summed[flat_index]
    values = values.astype(np.float64)
    rows, cols = np.divmod(flat_index, n_words)
    on_diagonal = rows == cols
    counts = np.zeros(n_words)
    counts[rows[on_diagonal]] = values[on_diagonal]
    off = ~on_diagonal & (values > 0)
    pairs = sp.coo_matrix(
        (values[off], (rows[off], cols[off])), shape=(n_words, n_words)
    ).tocsr()
    asymmetry = abs(pairs - pairs.T).max() if pairs.nnz else 0.0
    if asymmetry > 1e-9 * max(pairs.max() if pairs.nnz else 0.0, 1.0):
        raise ValueError(
            "With input_type='cooccurrence' the pair counts (summed over rows, "
            "read as a V x V matrix) must be symmetric; they differ by up to "
            f"{asymmetry:g}."
        )
    upper = sp.triu(pairs, k=1).tocoo()
    unpaired_count = upper.row[counts[upper.row] <= 0]
    unpaired_count = np.concatenate([unpaired_count, upper.col[counts[upper.col] <= 0]])
    if unpaired_count.size:
        raise ValueError(
            f"Word {int(unpaired_count[0])} co-occurs with others but its count "
            "(the diagonal entry) is 0; with input_type='cooccurrence' column "
            "i * V + i must hold the count of word i."
        )
    return (
        counts,
        upper.row.astype(np.intp),
        upper.col.astype(np.intp),
        np.ascontiguousarray(upper.data, dtype=np.float64),
    )


def _flattened_vocabulary_size(n_features):
    n_words = math.isqrt(n_features)
    if n_words * n_words != n_features:
        raise ValueError(
            "With input_type='cooccurrence', X must have V * V columns (a "
            f"flattened V x V co-occurrence per row); got n_features={n_features}, "
            "which is not a square."
        )
    return n_words


def _row_word_counts(X, input_type, n_words):
    """Each row's word counts, (n_samples, V), in the layout of ``input_type``."""
    if input_type == "contexts":
        return X
    diagonal = np.arange(n_words) * (n_words + 1)
    return X[:, diagonal]


def _pmi_targets(counts, rows, cols, pair_counts):
    """log[(x_ij / T) / ((c_i / N) (c_j / N))], T counting both orders."""
    total_pairs = 2.0 * pair_counts.sum()
    total_words = counts.sum()
    return (
        np.log(pair_counts)
        - np.log(total_pairs)
        - np.log(counts[rows])
        - np.log(counts[cols])
        + 2.0 * np.log(total_words)
    )


def _pair_weights(pair_counts, x_max, alpha, truncate):
    """GloVe's weight (x / x_max)^α, capped at 1 when ``truncate``."""
    ratio = pair_counts / x_max
    if truncate:
        ratio = np.minimum(ratio, 1.0)
    return ratio**alpha


def _unit_rows(vectors):
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _mapped(vectors, space):
    """Vectors (rows, or one vector) mapped by ``space``; None is the identity."""
    return vectors if space is None else vectors @ space.T
