"""GammaCrossEntropyClassifier: a linear classifier trained with the γ-cross-entropy."""

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue._loss import (
    logistic_gamma_gradient,
    softmax_gamma_gradient,
    threshold_constants,
)
from sklearn_kexue.utils._adam import Adam
from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._data_constraints import InputData, Labels
from sklearn_kexue.utils._labels import check_label_kinds
from sklearn_kexue.utils._param_validation import Interval, StrOptions
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._scaling import max_abs
from sklearn_kexue.utils._threads import SolverOnOneBlasThread
from sklearn_kexue.utils._validation import (
    validate_input_data,
    validate_sample_weight,
)
from sklearn_kexue.utils._verbose import print_iteration, print_summary

__all__ = ["GammaCrossEntropyClassifier"]

# Bytes of float64 rows per block of the objective's single pass: a block this
# size stays in a core's L2 cache between its two products. It is a cache
# budget, far below any working_memory, so it is passed to gen_row_batches.
_CACHE_BLOCK_BYTES = 400_000
_MIN_BLOCK_ROWS = 64

# partial_fit's Adam step: learning_rate / (1 + t / _DECAY_UPDATES) at update t.
_DECAY_UPDATES = 1000

# Features whose standard deviations all lie in this range count as scaled: the
# convergence advice then does not tell the user to scale them.
_COMMON_SCALE = (0.1, 10.0)


def _row_blocks(n_samples, n_features, min_rows=1):
    """Row slices of about ``_CACHE_BLOCK_BYTES`` of float64, at least ``min_rows``."""
    row_bytes = 8 * n_features
    budget = max(_CACHE_BLOCK_BYTES, min_rows * row_bytes)
    # A budget in whole bytes divided by 2**20 is exact: the blocks have
    # budget // row_bytes rows.
    return gen_row_batches(n_samples, row_bytes, working_memory=budget / 2**20)


def _feature_deviations(X):
    """Standard deviation of each column, in row blocks (no copy of X)."""
    if sp.issparse(X):
        _, variance = mean_variance_axis(sp.csr_matrix(X), axis=0)
        return np.sqrt(np.maximum(variance, 0.0))
    mean = X.mean(axis=0, dtype=np.float64)
    squares = np.zeros(X.shape[1])
    for rows in _row_blocks(X.shape[0], X.shape[1]):
        centred = np.asarray(X[rows], dtype=np.float64) - mean
        squares += np.einsum("ij,ij->j", centred, centred)
    return np.sqrt(squares / max(X.shape[0], 1))


def _scale_advice(X):
    """Advice to standardise X when its features are far from unit scale, or "".

    The penalised objective is not scale-invariant, and L-BFGS converges
    slowest when the features' scales differ or are far from 1: the advice
    is given only when some non-constant feature has a standard deviation
    outside [0.1, 10] (it is not given for standardised data).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        deviations = _feature_deviations(X)
    deviations = deviations[deviations > 0]
    if deviations.size == 0:
        return ""
    low, high = float(deviations.min()), float(deviations.max())
    if _COMMON_SCALE[0] <= low and high <= _COMMON_SCALE[1] and np.isfinite(high):
        return ""
    return (
        "standardise the features (for example with sklearn.preprocessing."
        f"StandardScaler): their standard deviations range from {low:.3g} to "
        f"{high:.3g}"
    )


class _Objective:
    """C Σ s_i L(p_i) + ½ ||W||², scaled by 1 / (C Σ s), and its gradient.

    The scaling makes it the weighted mean loss plus a penalty of
    1 / (2 C Σ s) ||W||², the form scikit-learn's ``LogisticRegression``
    hands to L-BFGS, so the same ``tol`` means the same thing. With two
    classes there is one weight vector and p(y=1 | x) = expit(z); otherwise
    one per class and a softmax. For a minibatch, ``penalty_weight`` is the
    Σ s of all the data the penalty belongs to.
    """

    def __init__(
        self,
        X,
        y_index,
        n_classes,
        sample_weight,
        C,
        gamma,
        b,
        intercept,
        penalty_weight=None,
    ):
        self.X = X
        self.y_index = y_index
        self.n_outputs = 1 if n_classes == 2 else n_classes
        total = sample_weight.sum()
        # A minibatch of weight 0 contributes the penalty alone.
        self.weights = sample_weight / total if total > 0 else sample_weight
        # The penalty belongs to all the data (partial_fit: all seen so far).
        if penalty_weight is None:
            penalty_weight = total
        self.penalty = 1.0 / (C * penalty_weight)
        self.gamma = gamma
        self.b = b
        self.threshold = threshold_constants(gamma, b)
        self.intercept = intercept
        self.n_features = X.shape[1]
        self.size = self.n_outputs * (self.n_features + int(intercept))
        self.sample_weight_sum = float(total)

    def unpack(self, packed):
        columns = self.n_features + int(self.intercept)
        params = packed.reshape(self.n_outputs, columns)
        coef = params[:, : self.n_features]
        intercept = (
            params[:, self.n_features] if self.intercept else np.zeros(self.n_outputs)
        )
        return coef, intercept

    def value_and_gradient(self, packed):
        coef, intercept = self.unpack(packed)
        if sp.issparse(self.X):
            mean_loss, data_grad, intercept_grad = self._sparse_pass(coef, intercept)
        else:
            mean_loss, data_grad, intercept_grad = self._dense_pass(coef, intercept)
        self.mean_loss = mean_loss
        value = mean_loss + 0.5 * self.penalty * np.sum(coef**2)
        grad_coef = data_grad + self.penalty * coef
        if self.intercept:
            grad = np.hstack([grad_coef, intercept_grad[:, np.newaxis]])
        else:
            grad = grad_coef
        return value, grad.ravel()

    def _loss_gradient(self, dlogits, rows):
        """Weighted loss of ``rows``; overwrites their logits with dL/dlogits."""
        if self.n_outputs == 1:
            kernel, dlogits = logistic_gamma_gradient, dlogits[:, 0]
        else:
            kernel = softmax_gamma_gradient
        return kernel(
            dlogits,
            self.y_index[rows],
            self.weights[rows],
            self.gamma,
            self.b,
            *self.threshold,
        )

    def _sparse_pass(self, coef, intercept):
        dlogits = np.ascontiguousarray(self.X @ coef.T) + intercept
        mean_loss = self._loss_gradient(dlogits, slice(None))
        return mean_loss, np.asarray(self.X.T @ dlogits).T, dlogits.sum(axis=0)

    def _dense_pass(self, coef, intercept):
        """One pass over X, a block of rows at a time.

        A block's logits and its share of the gradient are computed while
        the block is in cache, so X is read from memory once per evaluation
        instead of twice: with few classes the products do little arithmetic
        per number read, so reading X is most of their cost.
        """
        n_samples = self.X.shape[0]
        # At least _MIN_BLOCK_ROWS rows, so that very wide data pay little
        # Python overhead per block even when a block no longer fits in cache.
        blocks = list(_row_blocks(n_samples, self.n_features, _MIN_BLOCK_ROWS))
        buffer = np.empty((blocks[0].stop - blocks[0].start, self.n_outputs))
        coef_t = np.ascontiguousarray(coef.T)
        data_grad = np.zeros_like(coef)
        intercept_grad = np.zeros(self.n_outputs)
        mean_loss = 0.0
        for rows in blocks:
            # float32 data are widened a block at a time, never as a whole.
            X_block = self.X[rows].astype(np.float64, copy=False)
            dlogits = buffer[: X_block.shape[0]]
            np.matmul(X_block, coef_t, out=dlogits)
            dlogits += intercept
            mean_loss += self._loss_gradient(dlogits, rows)
            data_grad += dlogits.T @ X_block
            intercept_grad += dlogits.sum(axis=0)
        return mean_loss, data_grad, intercept_grad


class GammaCrossEntropyClassifier(LinearClassifierMixin, DocLinkMixin, BaseEstimator):
    r"""Linear classifier trained with the γ-cross-entropy, robust to label noise.

    The loss of a sample whose true class gets probability :math:`p` is

    .. math::
        L(p) = -\frac{\log(\gamma + (1 - \gamma) p)}{1 - \gamma}

    (TaiLr [1]_, as a classification loss by Su [2]_): the cross-entropy for
    :math:`\gamma = 0`, the smooth accuracy :math:`1 - p` as
    :math:`\gamma \to 1`. Its gradient is the cross-entropy's times
    :math:`p / (\gamma + (1 - \gamma) p)`, so samples the model finds
    unlikely (often mislabelled ones) pull less. TaiLr's ``b`` floors that
    weight. The model is multinomial logistic regression (one weight vector
    for two classes), fitted by L-BFGS on
    :math:`C \sum_i s_i L(p_i) + \frac{1}{2} \lVert W \rVert^2` with the
    intercept not penalised, scikit-learn's convention.

    Read more in the :ref:`User Guide <gamma_cross_entropy>`.

    Parameters
    ----------
    gamma : float, default=0.5
        The γ of the loss, in [0, 1]: 0 is the cross-entropy (then the model
        is :class:`~sklearn.linear_model.LogisticRegression`), 1 the smooth
        accuracy 1 - p. The larger it is, the less the samples the model
        finds unlikely pull. The default sits mid-range: under label noise it
        keeps nearly all of γ = 1's robustness, and unlike γ = 1 it does not
        give up whole classes under strong regularisation, while without
        noise it loses nothing against the cross-entropy (the user guide's
        noisy-digits benchmark). Tune it with
        :class:`~sklearn.model_selection.GridSearchCV`.

    b : float, default=0.0
        Floor in [0, 1) on the gradient weight (TaiLr's lower threshold).
        Below the probability where the weight reaches ``b`` the loss
        continues as ``b`` times the cross-entropy.

    C : float, default=1.0
        Inverse regularisation strength, as in ``LogisticRegression``.

    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.

    max_iter : int, default=1000
        Maximum L-BFGS iterations. The default is large enough for ``tol``
        to be reached on standardised data of the size of scikit-learn's toy
        data sets, with or without label noise (the iteration counts are in
        the user guide, "Convergence at the defaults"). A fit stops at
        ``tol``, so a larger limit changes nothing for fits that converge
        within a smaller one. ``max_iter=0`` returns the starting point.

    tol : float, default=1e-6
        L-BFGS stops when the largest gradient entry of the mean-form
        objective (the weighted mean loss plus
        :math:`\lVert W \rVert^2 / (2 C \sum_i s_i)`) is below ``tol``.
        The default is tighter than ``LogisticRegression``'s
        1e-4 because for γ > 0 the gradient of a sample vanishes as the
        model gives its class a probability near 0, so the objective has
        plateaus where a loose ``tol`` can stop far from a minimum (the user
        guide shows one). On well-scaled data 1e-4 is often enough, and
        faster.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.

    warm_start : bool, default=False
        Start from the previous solution instead of zero.

    learning_rate : float, default=0.01
        Adam's step size in :meth:`partial_fit` (not used by :meth:`fit`);
        at update t it is ``learning_rate / (1 + t / 1000)``.

    batch_size : int, default=32
        Rows per Adam step in :meth:`partial_fit` (not used by :meth:`fit`).

    verbose : int, default=0
        Progress lines in the package's common format
        (``[GammaCrossEntropyClassifier] iteration N, loss L``): 1 prints a
        summary after :meth:`fit` and one line per :meth:`partial_fit` call,
        2 also one line per L-BFGS iteration, with the loss recorded in
        ``loss_curve_``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights; one row for two classes.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).

    n_iter_ : ndarray of shape (1,)
        L-BFGS iterations run; after :meth:`partial_fit`, the number of
        calls since the model was created or fitted.

    loss_ : float
        The objective
        :math:`C \sum_i s_i L(p_i) + \frac{1}{2} \lVert W \rVert^2` at the
        solution. After :meth:`partial_fit`, the same sum over that call's
        rows, each minibatch's losses taken just before its step.

    loss_curve_ : list of float
        After :meth:`fit`: the objective
        :math:`C \sum_i s_i L(p_i) + \frac{1}{2} \lVert W \rVert^2` after
        each L-BFGS iteration (``len(loss_curve_) == n_iter_[0]``; the last
        entry is ``loss_``). After :meth:`partial_fit`: one entry per call
        since the model was created or fitted, that call's ``loss_`` (one
        pass of Adam minibatches over its rows).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The cross-entropy (γ = 0).

    Notes
    -----
    For γ > 0 the objective is not convex; fitting starts from zero (or
    from the previous solution with ``warm_start=True``), which makes
    it deterministic.

    **Convergence.** At the same tolerance L-BFGS needs a few more
    iterations for γ > 0 than ``LogisticRegression``: rows the model gives
    up on add negative curvature. The tighter default ``tol`` costs more
    (measurements in the user guide). A
    :class:`~sklearn.exceptions.ConvergenceWarning` advises standardising
    the features only when some non-constant feature has a standard
    deviation outside [0.1, 10]; otherwise it advises a larger ``max_iter``
    (or a looser ``tol``).

    **Scale.** The penalty :math:`\frac{1}{2} \lVert W \rVert^2` makes the
    fit depend on the scale of the features (and the loss on ``C`` times the
    sample weights), so extreme features cannot be rescaled internally
    without changing the problem. Features large enough to overflow the
    objective (absolute values near 1e150), or to keep L-BFGS from taking a
    single step from zero (beyond about 1e25), raise a ValueError that
    advises standardising them; no fitted attribute is ever NaN.

    Each L-BFGS evaluation reads dense data once, a block of rows at a
    time; float32 data are widened to float64 a block at a time, so they
    fit exactly as their float64 copy would, without making one.

    :meth:`partial_fit` is a stochastic solver for data that arrive in
    chunks (for example through dask-ml's ``Incremental``): Adam on
    minibatches, with the penalty scaled by the sample weight seen so far,
    so that one pass over a data set aims at the objective of :meth:`fit`.
    Rows passed again count again, as in a stream.

    References
    ----------
    .. [1] H. Ji, P. Ke, Z. Hu, R. Zhang and M. Huang, "Tailoring language
       generation models under total variation distance", ICLR 2023.
       :arxiv:`2302.13344`
    .. [2] J. Su, "A simple scheme to alleviate the over-confidence of
       cross-entropy" (in Chinese), 2023. https://kexue.fm/archives/9526

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_kexue.linear_model import GammaCrossEntropyClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = GammaCrossEntropyClassifier(gamma=0.5, max_iter=500).fit(X, y)
    >>> clf.predict(X[:3]).tolist()
    [0, 0, 0]
    >>> round(clf.score(X, y), 2)
    0.97
    """

    _parameter_constraints: dict = {
        "gamma": [Interval(Real, 0, 1, closed="both")],
        "b": [Interval(Real, 0, 1, closed="left")],
        "C": [Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }
    # For joint property-test draws: finite features and two classes at least.
    _data_constraints: dict = {"X": InputData(min_samples=2), "y": Labels()}

    def __init__(
        self,
        gamma=0.5,
        *,
        b=0.0,
        C=1.0,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-6,
        class_weight=None,
        warm_start=False,
        learning_rate=0.01,
        batch_size=32,
        verbose=0,
    ):
        self.gamma = gamma
        self.b = b
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by L-BFGS on the γ-cross-entropy objective.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Target labels, all numbers or all strings.

        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights (finite, non-negative, with a positive sum);
            integer weights equal repeated rows.

        Returns
        -------
        self : object
            Fitted classifier.

        Raises
        ------
        ValueError
            For invalid labels, weights or class weights, and when the
            objective overflows or L-BFGS cannot take a first step on features
            far from unit scale (see Notes). A refused fit leaves a fitted
            model as it was.
        """
        saved = copy.deepcopy(self.__dict__)
        try:
            return self._fit(X, y, sample_weight)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _fit(self, X, y, sample_weight):
        y = check_label_kinds(y, "y")
        X, y = validate_input_data(
            self, X, y, reset=True, accept_sparse="csr", dtype=[np.float64, np.float32]
        )
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        weights = validate_sample_weight(sample_weight, X.shape[0])
        if isinstance(self.class_weight, dict):
            weights = weights * self._class_weight_vector(classes)[y_index]
        elif self.class_weight is not None:
            weights = weights * compute_sample_weight(self.class_weight, y)
        present = np.unique(y[weights > 0])
        if len(present) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data "
                f"with positive sample weight, but the data contains {len(present)} "
                "class(es)."
            )
        objective = _Objective(
            # C order: the objective reads X a block of rows at a time.
            X if sp.issparse(X) else np.ascontiguousarray(X),
            y_index,
            len(classes),
            weights,
            self.C,
            float(self.gamma),
            float(self.b),
            self.fit_intercept,
        )
        warm = self._warm_start_parameters(objective)
        start = np.zeros(objective.size) if warm is None else warm
        loss_curve = []

        def evaluate(packed):
            value, gradient = objective.value_and_gradient(packed)
            if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
                raise ValueError(self._overflow_message(X, objective))
            return value, gradient

        def record(intermediate_result):
            loss_curve.append(float(intermediate_result.fun) / objective.penalty)
            if self.verbose >= 2:
                print_iteration(self, len(loss_curve), loss_curve[-1])

        # Overflow is reported by evaluate, not by NumPy warnings.
        product_flops = X.shape[0] * X.shape[1] * objective.n_outputs
        with (
            np.errstate(over="ignore", invalid="ignore"),
            SolverOnOneBlasThread(product_flops) as threads,
        ):
            result = scipy.optimize.minimize(
                threads.objective(evaluate),
                start,
                method="L-BFGS-B",
                jac=True,
                options={
                    "maxiter": self.max_iter,
                    "maxls": 50,
                    "gtol": self.tol,
                    "ftol": 64 * np.finfo(float).eps,
                },
                callback=record,
            )
        loss = float(result.fun) / objective.penalty
        scale_advice = _scale_advice(X)
        if result.status == 2 and result.nit == 0 and warm is None and scale_advice:
            # The first step from zero failed: at this scale of the features
            # the line search cannot shrink L-BFGS's unit trial step enough.
            raise ValueError(
                "L-BFGS could not take a single step from the zero start (its "
                "line search failed): the penalised objective is not invariant "
                "to the scale of the features, so they cannot be rescaled "
                f"internally; {scale_advice}."
            )
        if not np.isfinite(loss):
            raise ValueError(self._overflow_message(X, objective))
        self._warn_if_not_converged(result, scale_advice)
        coef, intercept = objective.unpack(result.x)
        self.classes_ = classes
        self.__dict__.pop("_optimizer", None)  # partial_fit restarts Adam from here
        self._seen_weight = float(weights.sum())
        self.coef_ = coef.copy()
        self.intercept_ = intercept.copy()
        self.n_iter_ = np.array([min(result.nit, self.max_iter)], dtype=np.int32)
        self.loss_ = loss
        self.loss_curve_ = loss_curve
        if self.verbose:
            print_summary(
                self, int(self.n_iter_[0]), loss, converged=result.status == 0
            )
        return self

    def _class_weight_vector(self, classes):
        """The weight of each class of ``classes`` from the class_weight dict.

        Classes absent from the dict weigh 1; a key that is not a class, or a
        weight that is not a finite non-negative number, is refused (a
        negative class weight was accepted while a negative sample weight was
        not).
        """
        index = {label: position for position, label in enumerate(classes.tolist())}
        vector = np.ones(len(classes))
        unknown = []
        for label, weight in self.class_weight.items():
            if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, Real):
                raise ValueError(
                    f"class_weight must map classes to numbers, got {weight!r} for "
                    f"class {label!r}."
                )
            if not (np.isfinite(weight) and weight >= 0):
                raise ValueError(
                    "class_weight must map classes to finite non-negative "
                    f"weights, like sample_weight; got {weight!r} for class "
                    f"{label!r}."
                )
            try:
                vector[index[label]] = weight
            except (KeyError, TypeError):  # TypeError: an unhashable key
                unknown.append(label)
        if unknown:
            raise ValueError(
                f"class_weight has keys {unknown!r} that are not classes; the "
                f"classes are {classes.tolist()!r}."
            )
        return vector

    def _overflow_message(self, X, objective):
        largest = max_abs(X)
        weight = self.C * objective.sample_weight_sum
        message = (
            "The gamma-cross-entropy objective overflowed (largest |x| = "
            f"{largest:.3g}, C * sum of sample weights = {weight:.3g})."
        )
        if largest > 2.0**100 or not largest:
            return message + (
                " The penalised objective is not invariant to the scale of the "
                "features, so they cannot be rescaled internally; standardise "
                "them first (for example with sklearn.preprocessing."
                "StandardScaler)."
            )
        return message + (
            " The fit depends on C times the sample weights: divide "
            "sample_weight (or C) by a constant, or standardise the features "
            "(for example with sklearn.preprocessing.StandardScaler)."
        )

    def _warm_start_parameters(self, objective):
        """The previous solution when warm starting with matching shapes, else None."""
        if self.warm_start and hasattr(self, "coef_"):
            if self.coef_.shape == (objective.n_outputs, objective.n_features):
                return self._packed_parameters()
        return None

    def _packed_parameters(self):
        """coef_ with intercept_ as a last column (when fitted), flattened."""
        params = self.coef_
        if self.fit_intercept:
            params = np.hstack([params, self.intercept_[:, np.newaxis]])
        return params.astype(np.float64).ravel()

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one pass of Adam over a batch of a stream.

        Each call visits the rows of ``X`` in order, ``batch_size`` at a
        time, and takes one Adam step per minibatch on the minibatch's
        weighted mean loss plus ``||W||² / (2 C S)``, where ``S`` is the
        sample weight seen so far by all calls (after :meth:`fit`, its
        data counts as seen). After one pass over a whole data set the
        penalty is therefore :meth:`fit`'s, and repeated passes approach
        :meth:`fit`'s objective. The step size at update t is
        ``learning_rate / (1 + t / 1000)`` and Adam's moment estimates
        carry over between calls, so a stream of calls takes the same
        steps as one long pass. Shuffle the stream: minibatches of one
        class pull the model towards that class. The first call starts
        from zero, or from :meth:`fit`'s solution if the model was fitted.
        A call that is refused (bad labels, weights, or an overflowing
        objective) leaves the model as it was.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            A batch of training data.

        y : array-like of shape (n_samples,)
            Target labels, all in ``classes``.

        classes : array-like of shape (n_classes,), default=None
            Every class of the stream, all numbers or all strings. Required
            on the first call (unless the model was fitted with :meth:`fit`);
            later calls may pass the same classes or None.

        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights (finite, non-negative, with a positive sum).

        Returns
        -------
        self : object
            The updated classifier.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.preprocessing import StandardScaler
        >>> from sklearn_kexue.linear_model import GammaCrossEntropyClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> X = StandardScaler().fit_transform(X)
        >>> # 150 rows take only 5 steps per pass: a larger step size helps.
        >>> clf = GammaCrossEntropyClassifier(learning_rate=0.05)
        >>> for seed in range(20):  # 20 shuffled passes, in chunks of 50 rows
        ...     order = np.random.default_rng(seed).permutation(len(y))
        ...     for chunk in np.array_split(order, 3):
        ...         clf = clf.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
        >>> round(clf.score(X, y), 2)
        0.96
        >>> len(clf.loss_curve_), clf.n_iter_.tolist()  # one entry per call
        (60, [60])
        """
        saved = copy.deepcopy(self.__dict__)
        try:
            return self._partial_fit(X, y, classes, sample_weight)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _partial_fit(self, X, y, classes, sample_weight):
        first_call = not hasattr(self, "coef_")
        classes = self._stream_classes(classes, first_call)
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the class frequencies of the whole "
                "data, which partial_fit does not see; pass a dict of class "
                "weights instead."
            )
        y = check_label_kinds(y, "y")
        X, y = validate_input_data(
            self,
            X,
            y,
            reset=first_call,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
        )
        check_classification_targets(y)
        unknown = np.setdiff1d(y, classes)
        if len(unknown):
            raise ValueError(
                f"y contains labels {unknown.tolist()} that are not in classes "
                f"{classes.tolist()} (set by the first partial_fit or fit)."
            )
        y_index = np.searchsorted(classes, y)
        weights = validate_sample_weight(sample_weight, X.shape[0])
        if self.class_weight is not None:
            weights = weights * self._class_weight_vector(classes)[y_index]
        n_outputs = 1 if len(classes) == 2 else len(classes)
        if first_call:
            self.classes_ = classes
            self.coef_ = np.zeros((n_outputs, X.shape[1]))
            self.intercept_ = np.zeros(n_outputs)
            self._seen_weight = 0.0
        if not hasattr(self, "_optimizer"):
            # A new stream (first call, or the first after fit): n_iter_ and
            # loss_curve_ count its calls.
            size = n_outputs * (X.shape[1] + int(self.fit_intercept))
            self._optimizer = Adam([(size,)], _DECAY_UPDATES)
            self.n_iter_ = np.zeros(1, dtype=np.int32)
            self.loss_curve_ = []
        params = self._packed_parameters()
        summed_loss = 0.0
        # Minibatches of batch_size rows, whatever their memory.
        minibatches = gen_row_batches(
            X.shape[0], 0, working_memory=math.inf, max_batch_size=self.batch_size
        )
        for batch in minibatches:
            self._seen_weight += float(weights[batch].sum())
            if self._seen_weight == 0:
                continue  # nothing seen yet that carries weight
            objective = _Objective(
                X[batch],  # float32 stays float32: the objective widens blocks
                y_index[batch],
                len(self.classes_),
                weights[batch],
                self.C,
                float(self.gamma),
                float(self.b),
                self.fit_intercept,
                penalty_weight=self._seen_weight,
            )
            with np.errstate(over="ignore", invalid="ignore"):
                value, gradient = objective.value_and_gradient(params)
                # Adam squares the gradient: an overflow there freezes the
                # weights at their start without a word.
                squares_finite = np.all(np.isfinite(gradient * gradient))
            if not (np.isfinite(value) and squares_finite):
                raise ValueError(self._overflow_message(X, objective))
            summed_loss += objective.mean_loss * weights[batch].sum()
            self._optimizer.step([params], [gradient], self.learning_rate)
        params = params.reshape(n_outputs, -1)
        coef = params[:, : X.shape[1]].copy()
        loss = self.C * summed_loss + 0.5 * float(np.sum(coef**2))
        if not (np.all(np.isfinite(params)) and np.isfinite(loss)):
            raise ValueError(self._overflow_message(X, objective))
        self.coef_ = coef
        if self.fit_intercept:
            self.intercept_ = params[:, -1].copy()
        self.n_iter_ = self.n_iter_ + 1
        self.loss_ = loss
        self.loss_curve_.append(loss)
        if self.verbose:
            print_iteration(self, int(self.n_iter_[0]), loss)
        return self

    def _stream_classes(self, classes, first_call):
        """The classes of the stream: ``classes`` checked, or those already known."""
        if classes is None:
            if first_call:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            return self.classes_
        classes = check_label_kinds(classes, "classes")
        try:
            array = np.asarray(classes)
        except (ValueError, TypeError):  # ragged nested sequences
            array = None
        if isinstance(classes, (str, bytes)) or array is None or array.ndim != 1:
            raise ValueError(
                "classes must be a 1-D array-like of every class label, got "
                f"{classes!r}."
            )
        classes = np.unique(array)
        if classes.dtype.kind == "f" and np.any(np.isnan(classes)):
            raise ValueError("classes must not contain NaN.")
        if classes.dtype.kind not in "biufUSO":
            raise ValueError(
                f"classes must be numbers or strings, got dtype {classes.dtype}."
            )
        if first_call:
            if len(classes) < 2:
                raise ValueError(
                    f"partial_fit needs at least 2 classes, got {classes.tolist()}."
                )
        elif not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"classes={classes.tolist()} differs from the classes of the "
                f"earlier calls, {self.classes_.tolist()}."
            )
        return classes

    def _warn_if_not_converged(self, result, scale_advice):
        if result.status == 0:
            return
        message = (
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {result.message}."
        )
        if result.nit >= self.max_iter:
            message += (
                f" The largest gradient entry is still above tol={self.tol}: "
                f"increase max_iter={self.max_iter}"
            )
        else:
            message += (
                " The line search found no decrease: loosen tol, or refit with "
                "warm_start=True"
            )
        if scale_advice:
            message += f", or {scale_advice}."
        else:
            message += " (the features are already on a common scale)."
        warnings.warn(message, ConvergenceWarning, stacklevel=3)

    def predict_proba(self, X):
        """Class probabilities: the logistic function, or the softmax.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            positive = expit(scores)
            return np.column_stack([1 - positive, positive])
        return softmax(scores, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return log_softmax(scores, axis=1)

    def decision_function(self, X):
        """Logits: shape (n_samples,) for two classes, else (n_samples, n_classes).

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``X @ coef_.T + intercept_``.
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False, accept_sparse="csr")
        with np.errstate(over="ignore", invalid="ignore"):
            scores = np.asarray(X @ self.coef_.T.astype(X.dtype, copy=False))
            scores = scores + self.intercept_.astype(X.dtype, copy=False)
        if not np.all(np.isfinite(scores)):
            raise ValueError(
                f"The logits of X overflow {scores.dtype}: its features (largest "
                f"|x| = {max_abs(X):.3g}) are far larger than the model can score; "
                "scale them as the training data were scaled."
            )
        return scores.ravel() if scores.shape[1] == 1 else scores

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
