"""SimplerGlove: word vectors whose inner products fit the PMI of co-occurring words."""

import math
import time
import warnings
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
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
from sklearn_kexue.embedding._word_vectors import (
    _ANALOGY_PARAMS,
    _MOST_SIMILAR_PARAMS,
    _SIMILARITY_PARAMS,
    UnknownWordError,
    WordVectors,
    _complete_vocabulary,
)
from sklearn_kexue.utils._data_constraints import Given, InputData
from sklearn_kexue.utils._dimensions import minimum_entropy_dimension
from sklearn_kexue.utils._param_validation import (
    N_JOBS,
    RANDOM_STATE,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale
from sklearn_kexue.utils._validation import validate_input_data
from sklearn_kexue.utils._verbose import print_iteration, print_summary

__all__ = ["SimplerGlove", "UnknownWordError"]

# No pair weight may exceed this: squared gradients (λ d v)² then stay far from
# float64's overflow at 2**1024 for any residual d and coordinate v of sane size.
_MAX_PAIR_WEIGHT = 2.0**100
# A step is η λ d times a coordinate: with every λ below float64's epsilon no
# step changes a vector's coordinates at float64 precision.
_MIN_LARGEST_PAIR_WEIGHT = float(np.finfo(np.float64).eps)


def _has_a_context_pair(counts):
    """Whether a row of word counts holds two words (a pair to fit)."""
    return bool(np.any(np.count_nonzero(counts, axis=1) >= 2))


def _has_pair_counts(cooccurrence):
    """Whether a square co-occurrence matrix counts a pair off its diagonal."""
    return bool(np.any(cooccurrence[~np.eye(len(cooccurrence), dtype=bool)]))


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

    ``X`` comes in one of two layouts, and both have one column per word.
    With ``input_type="contexts"`` each row is a context (a window, a
    sentence or a document) of non-negative word counts, as
    :class:`~sklearn.feature_extraction.text.CountVectorizer` produces, and two
    words co-occur as often as the product of their counts in a row. With
    ``input_type="cooccurrence"`` ``X`` is the square V x V co-occurrence
    matrix itself, as :meth:`CooccurrenceVectorizer.cooccurrence_matrix
    <sklearn_kexue.embedding.CooccurrenceVectorizer.cooccurrence_matrix>` and
    :func:`~sklearn_kexue.embedding.count_cooccurrence` return it (pair counts
    within a sliding window off the diagonal, word counts on it), read in
    memory linear in its stored entries. Either way :meth:`transform` takes
    rows of word counts.

    By default a second term pushes the vectors of word pairs drawn at
    random towards orthogonality (``negative``, see Notes): Su's loss only
    sees the pairs that co-occur, and without it every vector shares one
    large common direction that blurs their cosines.

    Read more in the :ref:`User Guide <simpler_glove>`.

    Parameters
    ----------
    n_components : int or "auto", default="auto"
        Dimension d of the word vectors. ``"auto"`` takes
        ``ceil(8.33 ln V)`` for V words (columns), Su's minimum-entropy rule
        (:func:`~sklearn_kexue.utils.minimum_entropy_dimension`).

    input_type : {"contexts", "cooccurrence"}, default="contexts"
        How ``fit`` reads ``X``. ``"contexts"``: rows of word counts; the
        pair count of words i != j is ``Σ_rows X[r, i] X[r, j]`` and the word
        count ``Σ_rows X[r, i]``. ``"cooccurrence"``: ``X`` is V x V;
        ``X[i, j]`` is the pair count of words i != j (it must be symmetric)
        and ``X[i, i]`` the count of word i. :meth:`transform` takes rows of
        word counts in both cases.

    x_max : float, default=100.0
        Pair count at which the weight λ reaches 1 (GloVe's value). λ is a
        function of the counts themselves, not of their ratios: with counts
        far below ``x_max`` every pair weighs little and training is slow
        (see Notes).

    alpha : float, default=0.75
        Exponent α of the weight λ = (x / x_max)^α.

    truncate_weights : bool, default=True
        Whether λ stops at 1 for pair counts above ``x_max`` (GloVe's
        weight). Without truncation frequent pairs weigh more, which fits
        frequent words better: the squared norms then follow -log P(w)
        closely (the author's code offers both).

    negative : int, default=2
        Number of words n drawn, for each word of each co-occurring pair in
        each epoch, to step on ½ ``negative_weight`` <v_i, v_n>²: unobserved
        pairs are pushed towards orthogonality (PMI 0). 0 gives Su's
        objective alone.

    negative_weight : float, default=0.1
        Weight w of a drawn pair's loss, against the pair weights λ <= 1 of
        the co-occurring pairs.

    negative_exponent : float, default=0.75
        Words are drawn with probability proportional to their count to this
        power (word2vec's smoothing; 0 draws uniformly).

    learning_rate : float, default=0.1
        Adagrad's η. Every coordinate's accumulator starts at 1 and includes
        the current squared gradient, so no step exceeds η.

    max_iter : int, default=200
        Maximum number of epochs (passes over all pairs). With the default
        ``tol`` a fit of scikit-learn's digits (pixels as words) stops after
        67 epochs and one of 455,000 tokens of Wikipedia after about 100;
        the quality of the vectors improves up to there (see the
        :ref:`User Guide <simpler_glove>`).

    tol : float, default=1e-4
        Training stops at the first epoch (from the third on) that lowers
        the λ-weighted mean of ½ (<v_i, v_j> - PMI_ij)² by less than ``tol``
        (in squared nats: the loss of ``loss_curve_`` divided by the mean
        pair weight), and by no more than the epoch before. The second
        condition lets the first epochs run, in which the small initial
        vectors grow and the loss falls ever faster. A
        :class:`~sklearn.exceptions.ConvergenceWarning` is raised if
        ``max_iter`` epochs end first. 0 always runs ``max_iter`` epochs,
        without warning.

    pooling : {"sum", "mean"}, default="sum"
        Text vector returned by :meth:`transform`: the count-weighted sum of
        the row's word vectors (the post's sentence vector; PMI adds up over
        words) or their mean.

    vocabulary : dict or array-like of str, default=None
        The words of the columns, as a mapping word (str) -> column (int;
        for example ``CooccurrenceVectorizer().vocabulary_``) or a sequence
        of distinct words in column order (a list, tuple, 1-D array, or
        pandas Index), as scikit-learn's ``CountVectorizer`` takes it. Used
        by the word-level methods. Without it, the column names of a
        DataFrame are used, and otherwise words are column indices.

    n_jobs : int, default=None
        Threads running each epoch's Adagrad steps, on disjoint shares of the
        pairs, updating the shared vectors without locks (Hogwild, as GloVe
        and word2vec train). ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; -1 means all processors. A fit
        with ``n_jobs=1`` is reproducible bit for bit with ``random_state``;
        with more threads each thread's pairs and draws are seeded but their
        interleaving is not, so results vary slightly from run to run.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial vectors, the order of the pairs in every epoch and
        the drawn words. Pass an int for reproducible results.

    verbose : int, default=0
        0 silent, 1 a summary at the end, 2 also a line per epoch
        (``[SimplerGlove] iteration N, loss L, time T s``; L is the value
        appended to ``loss_curve_``).

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
        ½ λ (<v_i, v_j> - PMI_ij)², the value that ``verbose`` prints.

    n_iter_ : int
        Number of epochs run.

    n_pairs_ : int
        Number of pairs of distinct words that co-occur (each pair once).

    word_vectors_ : WordVectors
        The vectors with their words and counts, for queries and export
        (gensim ``KeyedVectors``, the word2vec text format).

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

    Scale. The PMI targets do not change when every count is multiplied by
    the same factor, but the weights λ do: they compare the pair counts with
    ``x_max``, and Adagrad's accumulators start at 1, so a weight λ slows
    the first steps by λ. The counts are therefore read at their scale,
    and the arithmetic is made safe for any finite scale instead: the
    statistics are computed on ``X`` rescaled by a power of two (exact; no
    change for counts within 2**±200) and λ from the true counts, in
    logarithms. Counts ×1e300 thus fit as counts for which every pair
    passes ``x_max`` (λ = 1 everywhere). A :class:`ValueError` names the
    problem where the weights cannot be used: when every λ is below
    float64's epsilon (counts ×1e-300: no step could move a vector; lower
    ``x_max``), or when untruncated weights exceed 2**100 (their squared
    gradients would overflow; raise ``x_max`` or truncate). Pair counts
    below ``x_max`` everywhere give a :class:`~sklearn.exceptions.
    ConvergenceWarning` that says so if ``max_iter`` ends the fit.

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
        # An open end at np.inf refuses inf (None would accept it).
        "x_max": [Interval(Real, 0, np.inf, closed="neither")],
        "alpha": [Interval(Real, 0, np.inf, closed="left")],
        "truncate_weights": ["boolean"],
        "negative": [Interval(Integral, 0, None, closed="left")],
        "negative_weight": [Interval(Real, 0, np.inf, closed="neither")],
        "negative_exponent": [Interval(Real, 0, np.inf, closed="left")],
        "learning_rate": [Interval(Real, 0, np.inf, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, np.inf, closed="left")],
        "pooling": [StrOptions({"sum", "mean"})],
        "vocabulary": [Mapping, "array-like", None],
        "n_jobs": N_JOBS,
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }
    # For joint property-test draws: counts in the layout input_type names,
    # with two words that co-occur, and untruncated weights that stay finite.
    _data_constraints: dict = {
        "X": Given(
            lambda input_type: (
                InputData(
                    "cooccurrence",
                    min_features=2,
                    require=_has_pair_counts,
                    reason="two words co-occur",
                )
                if input_type == "cooccurrence"
                else InputData(
                    "counts",
                    min_features=2,
                    require=_has_a_context_pair,
                    reason="a row counts two words",
                )
            )
        ),
        "x_max": Given(
            lambda truncate_weights: [
                Interval(Real, 0 if truncate_weights else 1, np.inf, closed="neither")
            ]
        ),
        "alpha": Given(
            lambda truncate_weights: [
                Interval(Real, 0, np.inf if truncate_weights else 1, closed="left")
            ]
        ),
    }

    def __init__(
        self,
        n_components="auto",
        *,
        input_type="contexts",
        x_max=100.0,
        alpha=0.75,
        truncate_weights=True,
        negative=2,
        negative_weight=0.1,
        negative_exponent=0.75,
        learning_rate=0.1,
        max_iter=200,
        tol=1e-4,
        pooling="sum",
        vocabulary=None,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.input_type = input_type
        self.x_max = x_max
        self.alpha = alpha
        self.truncate_weights = truncate_weights
        self.negative = negative
        self.negative_weight = negative_weight
        self.negative_exponent = negative_exponent
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.pooling = pooling
        self.vocabulary = vocabulary
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn one vector per word (column) from the co-occurrences in ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative counts: rows of word counts (``input_type=
            "contexts"``), or the V x V co-occurrence matrix, of shape
            (n_features, n_features) (``input_type="cooccurrence"``).
        y : None
            Ignored.

        Returns
        -------
        self : SimplerGlove
            The fitted estimator.
        """
        X = validate_input_data(self, X, reset=True)
        check_non_negative(X, f"{type(self).__name__} (input X)")
        statistics = _Statistics(X, self.input_type)
        n_words = statistics.counts.shape[0]
        if n_words < 2:
            raise ValueError(
                "SimplerGlove needs at least two words (columns) to pair; got "
                f"n_features={X.shape[1]}."
            )
        if statistics.rows.shape[0] == 0:
            raise ValueError(
                "No two distinct words co-occur in X: every row has at most one "
                "word with a non-zero count, so there is nothing to fit."
            )
        vocabulary = self._resolve_vocabulary(n_words)
        targets, weights = statistics.targets_and_weights(
            self.x_max, self.alpha, self.truncate_weights
        )
        word_counts = statistics.word_counts()
        if vocabulary is not None:
            self.vocabulary_ = vocabulary
        else:  # a refit without words must not keep an earlier fit's words
            self.__dict__.pop("vocabulary_", None)
        self.n_components_ = (
            minimum_entropy_dimension(n_words)
            if self.n_components == "auto"
            else self.n_components
        )
        rows, cols = statistics.rows, statistics.cols

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
        negatives = self._negative_sampling(statistics)
        n_threads = min(effective_n_jobs(self.n_jobs), n_pairs)
        # The stopping rule reads the loss per unit of weight: the λ-weighted
        # mean of ½ d², in squared nats whatever the weights' scale.
        mean_weight = float(weights.mean())

        def mean_loss():
            positive = weighted_pair_loss(vectors, rows, cols, targets, weights)
            return (positive + negatives.expected_loss(vectors)) / n_pairs

        initial_loss = mean_loss()
        self.loss_curve_ = []
        converged = False
        # No gain before the second epoch; the rule first applies in the third.
        gain = -math.inf
        start = time.perf_counter()
        for epoch in range(1, self.max_iter + 1):
            order = rng.permutation(n_pairs)
            skipped = _run_epoch(
                vectors,
                accumulators,
                (rows, cols, targets, weights),
                order,
                self.learning_rate,
                negatives,
                rng,
                n_threads,
            )
            loss = mean_loss()
            if skipped or not math.isfinite(loss):
                raise ValueError(
                    f"The fit diverged in epoch {epoch} (the residuals of "
                    f"{skipped or 'some'} pairs were not finite); lower "
                    f"learning_rate={self.learning_rate}."
                )
            self.loss_curve_.append(float(loss))
            if self.verbose >= 2:
                print_iteration(
                    self, epoch, loss, time=f"{time.perf_counter() - start:.2f} s"
                )
            if epoch > 1:
                previous_gain = gain
                gain = (self.loss_curve_[-2] - loss) / mean_weight
                if self.tol > 0 and gain < self.tol and gain <= previous_gain:
                    converged = True
                    break
        self.n_iter_ = epoch
        self.embeddings_ = vectors
        self.word_counts_ = word_counts
        self.n_pairs_ = n_pairs
        if self.verbose:
            print_summary(
                self,
                self.n_iter_,
                self.loss_curve_[-1],
                converged=converged,
                words=n_words,
                pairs=n_pairs,
                time=f"{time.perf_counter() - start:.2f} s",
            )
        if self.loss_curve_[-1] > initial_loss:
            warnings.warn(
                f"SimplerGlove's loss rose from {initial_loss:.3g} (the initial "
                f"vectors) to {self.loss_curve_[-1]:.3g}: the steps are too "
                f"large; lower learning_rate={self.learning_rate}.",
                ConvergenceWarning,
                stacklevel=2,
            )
        elif self.tol > 0 and not converged:
            warnings.warn(
                self._convergence_message(gain, statistics, weights),
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _convergence_message(self, gain, statistics, weights):
        """The ConvergenceWarning's text, with the advice that fits the data."""
        message = (
            f"SimplerGlove stopped after max_iter={self.max_iter} epochs, "
            f"before the stopping rule of tol={self.tol} was met"
        )
        if math.isfinite(gain):
            message += (
                " (the weighted mean of ½ (<v_i, v_j> - PMI_ij)² fell by "
                f"{gain:.3g} in the last epoch)"
            )
        message += "; increase max_iter"
        largest_weight = float(weights.max())
        if largest_weight < 1.0:
            message += (
                f", or lower x_max: no pair count reaches x_max={self.x_max} "
                f"(the largest is {statistics.largest_pair_count()}), so every "
                f"pair weighs at most {largest_weight:.2g} and the first Adagrad "
                "steps are that much smaller"
            )
        return message + "."

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

        Raises
        ------
        ValueError
            If a sum of word vectors (``pooling="sum"``) exceeds the float64
            range, which only counts near 1e300 can cause.
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False)
        check_non_negative(X, f"{type(self).__name__} (input X)")
        counts = X
        # Extreme counts are rescaled exactly; ordinary ones are left untouched.
        scale = power_of_two_scale(max_abs(counts))
        if scale != 1.0:
            counts = counts * scale
        text_vectors = np.asarray(counts @ self.embeddings_)
        if self.pooling == "mean":
            totals = np.asarray(counts.sum(axis=1)).ravel()
            nonempty = totals > 0
            text_vectors[nonempty] /= totals[nonempty, np.newaxis]
        elif scale != 1.0:
            with np.errstate(over="ignore"):
                text_vectors /= scale
            if not np.all(np.isfinite(text_vectors)):
                raise ValueError(
                    "The text vectors (count-weighted sums of word vectors) "
                    "exceed the float64 range for counts as large as "
                    f"{max_abs(X):.3g}; use pooling='mean' or smaller counts."
                )
        return text_vectors

    def score(self, X, y=None):
        """Return the negative loss of the fitted vectors on the co-occurrences of X.

        The mean over the pairs that co-occur in ``X`` of
        ½ λ (<v_i, v_j> - PMI_ij)², with the PMI and weights computed from
        ``X``, plus the expected loss of the drawn pairs (``negative``, with
        the word distribution of ``X``): the objective that ``loss_curve_``
        records during ``fit``. Higher is better.

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
        statistics = _Statistics(X, self.input_type)
        if statistics.rows.shape[0] == 0:
            raise ValueError("No two distinct words co-occur in X.")
        targets, weights = statistics.targets_and_weights(
            self.x_max, self.alpha, self.truncate_weights
        )
        rows, cols = statistics.rows, statistics.cols
        loss = weighted_pair_loss(self.embeddings_, rows, cols, targets, weights)
        loss += self._negative_sampling(statistics).expected_loss(self.embeddings_)
        return -float(loss) / rows.shape[0]

    def _negative_sampling(self, statistics):
        return _NegativeSampling(
            statistics.counts,
            statistics.rows,
            statistics.cols,
            self.negative,
            self.negative_weight,
            self.negative_exponent,
        )

    # Word-level API -------------------------------------------------------------

    @property
    def word_vectors_(self):
        """:class:`~sklearn_kexue.embedding.WordVectors` of the fitted model.

        Built on each access from ``embeddings_``, ``vocabulary_`` (when
        set; otherwise words are column indices) and ``word_counts_``,
        sharing their memory: it queries the vectors (:meth:`similarity`,
        :meth:`most_similar` and :meth:`analogy` are its methods) and exports
        them to gensim or to word2vec files. Keep it in a variable for many
        queries: it computes the unit vectors once.
        """
        check_is_fitted(self)
        return WordVectors(
            self.embeddings_,
            getattr(self, "vocabulary_", None),
            counts=self.word_counts_,
        )

    @validate_params(_SIMILARITY_PARAMS, prefer_skip_nested_validation=True)
    def similarity(self, word_a, word_b, *, measure="cosine", n_reference=10_000):
        """Similarity of two words.

        :meth:`WordVectors.similarity
        <sklearn_kexue.embedding.WordVectors.similarity>` of ``word_vectors_``,
        which describes the measures and the errors.

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
            Used by ``measure="profile"``.

        Returns
        -------
        similarity : float
            The inner product, cosine or profile correlation of the two words.
            The cosine of a word that has the zero vector (one that never
            co-occurs with another word) is 0, as in scikit-learn's
            ``cosine_similarity``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_kexue import SimplerGlove
        >>> X = np.random.default_rng(0).poisson(1.0, size=(200, 4))
        >>> words = ["cat", "dog", "mat", "log"]
        >>> glove = SimplerGlove(n_components=2, vocabulary=words, random_state=0)
        >>> glove = glove.fit(X)
        >>> round(glove.similarity("cat", "cat"), 6)
        1.0
        >>> -1 <= glove.similarity("cat", "dog", measure="profile") <= 1
        True
        """
        return self._queried_word_vectors(word_a, word_b).similarity(
            word_a, word_b, measure=measure, n_reference=n_reference
        )

    @validate_params(_MOST_SIMILAR_PARAMS, prefer_skip_nested_validation=True)
    def most_similar(self, query, topn=10, *, measure="cosine", n_reference=10_000):
        """The words closest to a word or a vector.

        :meth:`WordVectors.most_similar
        <sklearn_kexue.embedding.WordVectors.most_similar>` of
        ``word_vectors_``, which describes the measures and the errors.

        Parameters
        ----------
        query : str, int or array-like of shape (n_components,)
            A word of ``vocabulary_`` (or a row index), which is left out of
            the answer, or a vector in the embedding space.
        topn : int, default=10
            Number of words returned (fewer if the model has fewer).
        measure : {"cosine", "dot", "profile"}, default="cosine"
            As in :meth:`similarity`.
        n_reference : int, default=10000
            Used by ``measure="profile"``.

        Returns
        -------
        neighbours : list of (word, float)
            Best first; words are indices when there is no ``vocabulary_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_kexue import SimplerGlove
        >>> X = np.random.default_rng(0).poisson(1.0, size=(200, 4))
        >>> glove = SimplerGlove(n_components=2, random_state=0).fit(X)
        >>> neighbours = glove.most_similar(0, topn=3)
        >>> len(neighbours), 0 in dict(neighbours)  # the query is left out
        (3, False)
        """
        words = (query,) if isinstance(query, str) else ()
        return self._queried_word_vectors(*words).most_similar(
            query, topn=topn, measure=measure, n_reference=n_reference
        )

    @validate_params(_ANALOGY_PARAMS, prefer_skip_nested_validation=True)
    def analogy(self, word_a, word_b, word_c, topn=1):
        """Solve "a is to b as c is to ?" by 3CosAdd.

        :meth:`WordVectors.analogy
        <sklearn_kexue.embedding.WordVectors.analogy>` of ``word_vectors_``:
        the words whose unit vectors are closest to b̂ - â + ĉ, leaving out
        the three query words.

        Parameters
        ----------
        word_a, word_b, word_c : str or int
            Words of ``vocabulary_`` or row indices.
        topn : int, default=1
            Number of answers (fewer if the model has fewer other words).

        Returns
        -------
        answers : list of (word, float)
            Best first, with the cosine to b̂ - â + ĉ.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_kexue import SimplerGlove
        >>> X = np.random.default_rng(0).poisson(1.0, size=(200, 4))
        >>> glove = SimplerGlove(n_components=2, random_state=0).fit(X)
        >>> glove.analogy(0, 2, 1)[0][0]  # the query words are left out
        3
        """
        return self._queried_word_vectors(word_a, word_b, word_c).analogy(
            word_a, word_b, word_c, topn=topn
        )

    def _queried_word_vectors(self, *words):
        """``word_vectors_``, once the str among ``words`` can be looked up."""
        check_is_fitted(self)
        word = next((word for word in words if isinstance(word, str)), None)
        if word is not None and not hasattr(self, "vocabulary_"):
            raise ValueError(
                f"Word {word!r} given, but the model has no vocabulary_; pass "
                "vocabulary= to SimplerGlove, or use column indices."
            )
        return self.word_vectors_

    def _resolve_vocabulary(self, n_words):
        """Word -> index from ``vocabulary`` or string feature names, else None."""
        vocabulary = self.vocabulary
        if vocabulary is None:
            names = getattr(self, "feature_names_in_", None)
            if names is None or self.input_type != "contexts":
                return None
            vocabulary = list(names)
        return _complete_vocabulary(
            vocabulary, n_words, name="vocabulary", unit="column", of="X"
        )

    @property
    def _n_features_out(self):
        return self.embeddings_.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        # Hogwild threads interleave their updates differently on every run.
        tags.non_deterministic = effective_n_jobs(self.n_jobs) > 1
        return tags


class _Statistics:
    """Word counts and co-occurring pairs of ``X``, safe at any finite scale.

    They are computed on ``X`` times a power of two that brings its largest
    entry near 1 when it lies outside 2**±200 (exact, and 1 otherwise, so
    that ordinary counts give the same numbers bit for bit). The PMI targets
    are invariant to that factor; the weights and the word counts are taken
    back to the scale of ``X`` (the weights in logarithms).
    """

    def __init__(self, X, input_type):
        self.scale = power_of_two_scale(max_abs(X))
        if self.scale != 1.0:
            X = X * self.scale
        self.counts, self.rows, self.cols, self.pair_counts = _cooccurrence_statistics(
            X, input_type
        )
        # Pair counts scale as X² (products of two counts) or as X (a matrix of them).
        power = 2.0 if input_type == "contexts" else 1.0
        self.log_pair_scale = power * math.log(self.scale)

    def word_counts(self):
        """The word counts at the scale of ``X``."""
        if self.scale == 1.0:
            return self.counts
        with np.errstate(over="ignore"):
            counts = self.counts / self.scale
        if not np.all(np.isfinite(counts)):
            raise ValueError(
                "The word counts (column sums of X) exceed the float64 range; "
                "SimplerGlove reads X as counts: divide X by a constant."
            )
        return counts

    def largest_pair_count(self):
        """The largest pair count at the scale of ``X``, as text (it may be
        outside the float64 range)."""
        log10 = (math.log(self.pair_counts.max()) - self.log_pair_scale) / math.log(10)
        if abs(log10) < 300:
            return f"{10.0**log10:.3g}"
        exponent = math.floor(log10)
        return f"{10.0 ** (log10 - exponent):.3g}e{exponent:+d}"

    def targets_and_weights(self, x_max, alpha, truncate):
        """PMI targets and GloVe weights of the pairs, the weights checked usable."""
        targets = _pmi_targets(self.counts, self.rows, self.cols, self.pair_counts)
        weights = _pair_weights(
            self.pair_counts, x_max, alpha, truncate, self.log_pair_scale
        )
        largest = float(weights.max())
        if not largest <= _MAX_PAIR_WEIGHT:
            raise ValueError(
                "The untruncated pair weights (x_ij / x_max)^alpha reach "
                f"{largest:.3g} (pair counts up to {self.largest_pair_count()} "
                f"against x_max={x_max}, alpha={alpha}), beyond 2**100, where "
                "Adagrad's squared gradients would overflow float64; raise "
                "x_max, lower alpha or set truncate_weights=True."
            )
        if largest < _MIN_LARGEST_PAIR_WEIGHT:
            raise ValueError(
                "Every pair weight min(x_ij / x_max, 1)^alpha is below float64's "
                f"epsilon (the largest is {largest:.3g}, for pair counts up to "
                f"{self.largest_pair_count()} against x_max={x_max}, "
                f"alpha={alpha}), so no Adagrad step could change the vectors. "
                "SimplerGlove reads X as counts: scale X to counts, or lower "
                "x_max towards the largest pair count."
            )
        return targets, weights


def _cooccurrence_statistics(X, input_type):
    """Word counts (V,) and the pairs i < j that co-occur, with their counts.

    Pairs come sorted by (i, j), so that the same co-occurrences give the same
    training order whatever the input's layout or sparse format.
    """
    if input_type == "contexts":
        counts, rows, cols, pair_counts = _context_statistics(X)
    else:
        counts, rows, cols, pair_counts = _square_statistics(X)
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


def _square_statistics(X):
    """Word counts and upper-triangle pairs of a square co-occurrence matrix.

    Memory is linear in the stored entries: the pairs are read from the CSR
    arrays, and symmetry is checked against one transposed copy.
    """
    n_rows, n_words = X.shape
    if n_rows != n_words:
        raise ValueError(
            "With input_type='cooccurrence', X must be the square V x V "
            "co-occurrence matrix (pair counts off the diagonal, word counts on "
            f"it), as CooccurrenceVectorizer.cooccurrence_matrix returns; got "
            f"shape {X.shape}."
        )
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
        if not X.has_canonical_format or np.any(X.data == 0):
            X = X.copy()  # the caller's matrix is never changed in place
            X.sum_duplicates()
            X.eliminate_zeros()
        counts = X.diagonal().astype(np.float64)
        # In X's index dtype, not intp: the upper half is widened below, once.
        rows = np.repeat(np.arange(n_words, dtype=X.indices.dtype), np.diff(X.indptr))
        cols = X.indices
        values = X.data
        transposed = X.T.tocsr()
        transposed.sort_indices()
        symmetric = np.array_equal(X.indptr, transposed.indptr) and np.array_equal(
            X.indices, transposed.indices
        )
        asymmetry = math.inf
        if symmetric:
            difference = values - transposed.data
            asymmetry = float(np.max(np.abs(difference, out=difference), initial=0.0))
            del difference
        del transposed
    else:
        X = np.asarray(X, dtype=np.float64)
        counts = np.diagonal(X).copy()
        asymmetry = float(np.max(np.abs(X - X.T), initial=0.0))
        rows, cols = np.nonzero(X)
        values = X[rows, cols]
    upper = cols > rows
    if asymmetry > 1e-9 * max(float(np.max(values[upper], initial=0.0)), 1.0):
        raise ValueError(
            "With input_type='cooccurrence' the pair counts (X off its diagonal) "
            "must be symmetric; "
            + (
                f"they differ by up to {asymmetry:g}."
                if math.isfinite(asymmetry)
                else "some pair (i, j) is stored but not (j, i)."
            )
        )
    rows = rows[upper].astype(np.intp, copy=False)
    cols = cols[upper].astype(np.intp, copy=False)
    pair_counts = values[upper]
    unpaired = np.concatenate([rows[counts[rows] <= 0], cols[counts[cols] <= 0]])
    if unpaired.size:
        raise ValueError(
            f"Word {int(unpaired[0])} co-occurs with others but its count "
            "(the diagonal entry X[i, i]) is 0; with input_type='cooccurrence' "
            "the diagonal must hold the word counts."
        )
    return counts, rows, cols, np.ascontiguousarray(pair_counts, dtype=np.float64)


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


def _pair_weights(pair_counts, x_max, alpha, truncate, log_pair_scale=0.0):
    """GloVe's weight (x / x_max)^α, capped at 1 when ``truncate``.

    ``pair_counts`` are the counts times ``exp(log_pair_scale)``; for a
    rescaled input the weight is computed in logarithms, from the true counts.
    Weights may overflow to inf or underflow to 0: the caller checks them.
    """
    with np.errstate(over="ignore", under="ignore"):
        if log_pair_scale == 0.0:
            ratio = pair_counts / x_max
            if truncate:
                ratio = np.minimum(ratio, 1.0)
            return ratio**alpha
        log_ratio = np.log(pair_counts) - log_pair_scale - math.log(x_max)
        if truncate:
            log_ratio = np.minimum(log_ratio, 0.0)
        return np.exp(alpha * log_ratio)


class _NegativeSampling:
    """The unobserved-pair term: its sampling distribution and expected loss.

    For every pair (i, j) in an epoch, ``n_negative`` words n are drawn for
    each of i and j with probability q_n ∝ c_n^exponent (c_n the word count,
    among the words that co-occur with another), and ½ w <v_i, v_n>² is
    stepped on. Its expectation over the draws is therefore, per pair side
    with word a, ``n_negative`` ½ w Σ_{n≠a} q_n <v_a, v_n>², which
    :meth:`expected_loss` computes exactly from the d x d matrix
    Σ_n q_n v_n v_nᵀ.
    """

    def __init__(self, counts, rows, cols, n_negative, weight, exponent):
        self.n_negative = int(n_negative)
        self.weight = float(weight)
        if self.n_negative == 0:
            self.probabilities = None
            self.cumulative = np.ones(1)
            return
        paired = np.zeros(counts.shape[0], dtype=bool)
        paired[rows] = True
        paired[cols] = True
        with np.errstate(divide="ignore", over="ignore"):
            # In logarithms: counts of any finite scale give finite q.
            logs = np.where(paired & (counts > 0), np.log(counts) * exponent, -np.inf)
        probabilities = np.exp(logs - logs.max())
        self.probabilities = probabilities / probabilities.sum()
        self.cumulative = np.cumsum(self.probabilities)
        self.cumulative[-1] = np.inf  # u < 1 always finds a word
        # The pairs each word belongs to: how often it is a negative's anchor.
        self.sides = np.bincount(rows, minlength=counts.shape[0]) + np.bincount(
            cols, minlength=counts.shape[0]
        )

    def expected_loss(self, vectors):
        """Σ over pair sides of n_negative ½ w E_n<v_a, v_n>² (0 without negatives)."""
        if self.probabilities is None:
            return 0.0
        q = self.probabilities
        second_moment = (vectors * q[:, np.newaxis]).T @ vectors
        quadratic = np.einsum("ij,jk,ik->i", vectors, second_moment, vectors)
        # A draw of the anchor itself is skipped by the epoch.
        quadratic -= q * np.einsum("ij,ij->i", vectors, vectors) ** 2
        return 0.5 * self.weight * self.n_negative * float(self.sides @ quadratic)


def _run_epoch(vectors, accumulators, pairs, order, eta, negatives, rng, n_threads):
    """One Adagrad epoch over ``order``, in ``n_threads`` chunks run at once.

    ``pairs`` holds the arrays rows, cols, targets and weights of
    :func:`adagrad_epoch`. Returns the number of pairs skipped because their
    residual was not finite.
    """
    # Seeds are drawn only with negatives, so that Su's objective alone
    # consumes the random state as it always has.
    seeds = (
        rng.randint(0, 2**63, size=n_threads, dtype=np.uint64)
        if negatives.n_negative
        else np.zeros(n_threads, dtype=np.uint64)
    )

    def run(chunk, seed):
        return adagrad_epoch(
            vectors,
            accumulators,
            *pairs,
            chunk,
            eta,
            negatives.cumulative,
            negatives.n_negative,
            negatives.weight,
            seed,
        )

    chunks = np.array_split(order, n_threads)
    if n_threads == 1:
        return run(chunks[0], seeds[0])
    # Lock-free updates of the shared vectors by threads (Hogwild): each
    # thread's pairs and draws are seeded, their interleaving is not.
    skipped = Parallel(n_jobs=n_threads, require="sharedmem")(
        delayed(run)(chunk, seed) for chunk, seed in zip(chunks, seeds)
    )
    return sum(skipped)
