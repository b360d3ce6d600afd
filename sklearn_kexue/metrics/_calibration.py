"""Probabilistic classification metrics: the γ-cross-entropy and top-label ECE.

Both take class probabilities as ``predict_proba`` returns them, or for a
binary problem the probability of the positive class alone, in the same
conventions as :func:`sklearn.metrics.log_loss`, and both can be turned into
scorers with ``make_scorer(..., greater_is_better=False,
response_method="predict_proba")``.
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_array, check_consistent_length, column_or_1d

from sklearn_kexue._loss import gamma_loss_and_weight
from sklearn_kexue.utils._labels import check_label_kinds
from sklearn_kexue.utils._param_validation import Interval, validate_params
from sklearn_kexue.utils._scaling import power_of_two_scale
from sklearn_kexue.utils._validation import validate_sample_weight

__all__ = ["expected_calibration_error", "gamma_cross_entropy_loss"]

# Largest allowed abs(row sum - 1) of y_proba, by the dtype it is passed in.
_ROW_SUM_TOLERANCE = {
    np.dtype(np.float64): 1e-6,
    np.dtype(np.float32): float(np.sqrt(np.finfo(np.float32).eps)),
}


def _refuse_nan(values, name):
    if values.dtype.kind == "f" and np.any(np.isnan(values)):
        raise ValueError(f"{name} contains NaN; class labels must not be NaN.")


def _check_classes(y_true, labels):
    """The class list (column order) and the column index of each true label."""
    if labels is None:
        classes = np.unique(y_true)
    else:
        classes = column_or_1d(check_label_kinds(labels, "labels"))
        _refuse_nan(classes, "labels")
        if len(np.unique(classes)) != len(classes):
            raise ValueError(f"labels must not contain duplicates, got {classes}.")
        # Object arrays left by check_label_kinds hold strings.
        if (classes.dtype.kind in "USO") != (y_true.dtype.kind in "USO"):
            raise ValueError(
                f"y_true ({y_true.dtype}) and labels ({classes.dtype}) must both "
                "be numbers or both be strings."
            )
    if len(classes) < 2:
        if labels is None:
            raise ValueError(
                f"y_true contains only one label ({classes[0]}). Pass the list "
                "of all class labels, in the column order of y_proba, through "
                "the labels argument."
            )
        raise ValueError(f"labels must contain at least two labels, got {classes}.")
    sorter = np.argsort(classes, kind="stable")
    positions = np.searchsorted(classes, y_true, sorter=sorter)
    columns = sorter[np.minimum(positions, len(classes) - 1)]
    unknown = classes[columns] != y_true
    if np.any(unknown):
        raise ValueError(
            f"y_true contains labels {np.unique(y_true[unknown]).tolist()} that "
            f"are not in labels {classes.tolist()}."
        )
    return classes, columns


def _check_probabilistic_targets(y_true, y_proba, labels, sample_weight):
    """Validate the inputs of both metrics.

    Returns the (n_samples, n_classes) float64 probabilities, the column of
    each sample's true class and the sample weights (ones when None).
    """
    y_true = column_or_1d(check_label_kinds(y_true, "y_true"))
    _refuse_nan(y_true, "y_true")
    y_proba = check_array(
        y_proba,
        ensure_2d=False,
        dtype=(np.float64, np.float32),
        input_name="y_proba",
    )
    if y_proba.ndim not in (1, 2):
        raise ValueError(
            "y_proba must have shape (n_samples, n_classes), or (n_samples,) for "
            f"the positive-class probability of a binary problem; got {y_proba.shape}."
        )
    check_consistent_length(y_true, y_proba, sample_weight)
    if y_proba.max() > 1:
        raise ValueError(f"y_proba contains values greater than 1: {y_proba.max()}.")
    if y_proba.min() < 0:
        raise ValueError(f"y_proba contains values lower than 0: {y_proba.min()}.")
    classes, columns = _check_classes(y_true, labels)
    n_classes = len(classes)
    if y_proba.ndim == 1:
        if n_classes != 2:
            raise ValueError(
                "y_proba of shape (n_samples,) is the probability of the positive "
                f"class of a binary problem, but there are {n_classes} classes "
                f"{classes.tolist()}. Pass one column per class."
            )
        positive = y_proba.astype(np.float64)
        y_proba = np.column_stack([1 - positive, positive])
    else:
        if y_proba.shape[1] != n_classes:
            origin = "in y_true" if labels is None else "in labels"
            hint = (
                " Pass all the class labels, in column order, through the labels "
                "argument."
                if labels is None
                else ""
            )
            raise ValueError(
                f"y_proba has {y_proba.shape[1]} columns but there are "
                f"{n_classes} classes {origin}: {classes.tolist()}.{hint}"
            )
        tolerance = _ROW_SUM_TOLERANCE[y_proba.dtype]
        y_proba = y_proba.astype(np.float64)
        deviation = np.abs(y_proba.sum(axis=1) - 1)
        if np.any(deviation > tolerance):
            row = int(np.argmax(deviation))
            raise ValueError(
                f"The rows of y_proba must sum to 1 (within {tolerance:.1e}); "
                f"row {row} sums to {float(y_proba[row].sum())!r}."
            )
    with np.errstate(over="ignore"):  # extreme weights are rescaled below
        sample_weight = validate_sample_weight(sample_weight, len(y_true))
    # Both metrics are ratios of weighted sums: weights scaled by a power of two
    # give the same value, and the sums of extreme weights neither overflow nor
    # lose subnormal bits. Ordinary weights are left as they are.
    weight_scale = power_of_two_scale(float(sample_weight.max()))
    if weight_scale != 1:
        sample_weight = np.ldexp(sample_weight, math.frexp(weight_scale)[1] - 1)
    return y_proba, columns, sample_weight, weight_scale


@validate_params(
    {
        "y_true": ["array-like"],
        "y_proba": ["array-like"],
        "gamma": [Interval(Real, 0, 1, closed="both")],
        "b": [Interval(Real, 0, 1, closed="left")],
        "sample_weight": ["array-like", None],
        "labels": ["array-like", None],
        "normalize": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def gamma_cross_entropy_loss(
    y_true,
    y_proba,
    *,
    gamma=0.5,
    b=0.0,
    sample_weight=None,
    labels=None,
    normalize=True,
):
    r"""Mean γ-cross-entropy of predicted probabilities, with TaiLr's weight floor.

    The γ-cross-entropy of TaiLr [1]_, in the classification form of Su
    [2]_, interpolates between the log loss (``gamma=0``) and the expected
    error rate 1 - p (``gamma=1``) of the probability p given to the true
    class. Its gradient is the cross-entropy's times a weight
    p / (γ + (1 - γ) p) in [0, 1], so samples the model finds unlikely
    (often mislabelled ones) weigh less. TaiLr floors that weight at ``b``.
    See the Notes for the formula.

    Use it to score a model on the objective it was trained with, for example
    to select hyper-parameters of a γ-cross-entropy model. The loss is not a
    proper scoring rule for ``gamma > 0``: it rewards probabilities sharper
    than the true ones, so compare the calibration of models with
    :func:`sklearn.metrics.log_loss` or :func:`expected_calibration_error`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels: all numbers or all strings, not NaN.

    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, as returned by ``predict_proba``: column k
        holds the probability of the k-th class of ``labels``. Each row must
        lie in [0, 1] and sum to 1 within 1e-6 (float64 input) or 3.5e-4
        (float32 input). For a binary problem, shape (n_samples,) gives the
        probability of the positive class, the second of the two labels; the
        negative class gets 1 minus it.

    gamma : float, default=0.5
        The interpolation parameter γ, in [0, 1]: 0 gives the log loss, 1
        the mean of 1 - p.

    b : float, default=0.0
        Floor on the gradient weight, in [0, 1) (TaiLr's ``min_weight``).
        With ``b > 0`` the loss continues linearly in -log p below the
        probability where the weight reaches ``b``; it has no effect when
        ``gamma=0``, whose weight is always 1.

    sample_weight : array-like of shape (n_samples,), default=None
        Finite, non-negative sample weights, with a positive sum; only their
        ratios matter, however large or small they are. A sample with weight
        0 is left out, even when its loss is infinite.

    labels : array-like of shape (n_classes,), default=None
        The class of each column of ``y_proba``, in column order. None uses
        the sorted unique labels of ``y_true``, the order of ``classes_`` in
        scikit-learn classifiers. Pass it when ``y_true`` lacks some class.
        Unlike :func:`sklearn.metrics.log_loss`, which sorts ``labels``, the
        order given is kept.

    normalize : bool, default=True
        Return the (weighted) mean loss per sample; False returns the
        (weighted) sum (a ValueError if that sum exceeds the float64 range).

    Returns
    -------
    loss : float
        The mean or summed γ-cross-entropy, non-negative; lower is better.
        It can be infinite where a true class has probability 0 (see Notes).

    See Also
    --------
    expected_calibration_error : Top-label expected calibration error.
    sklearn.metrics.log_loss : The cross-entropy, equal to ``gamma=0``.

    Notes
    -----
    For the probability :math:`p_i` that ``y_proba`` gives to the true class
    of sample i, the loss is

    .. math::
        L_\gamma(p) = -\frac{\log(\gamma + (1 - \gamma)\, p)}{1 - \gamma}
        \quad (0 \le \gamma < 1), \qquad L_1(p) = 1 - p,

    whose derivative in :math:`u = -\log p` is the weight
    :math:`w(p) = p / (\gamma + (1 - \gamma) p)`. With a floor
    :math:`b > 0` (and :math:`\gamma > 0`) the weight becomes
    :math:`\max(b, w(p))`, which integrates to :math:`L_\gamma(p)` for
    :math:`p \ge p^*` and
    :math:`L_\gamma(p^*) + b\,(\log p^* - \log p)` for :math:`p < p^*`,
    with :math:`p^* = b\gamma / (1 - b(1 - \gamma))` where
    :math:`w(p^*) = b`. The returned value is

    .. math::
        \frac{\sum_i s_i L(p_i)}{\sum_i s_i}

    for sample weights :math:`s_i` (all 1 by default), or its numerator when
    ``normalize=False``. The loss is computed from :math:`\log p_i`,
    so it is accurate for tiny probabilities. For ``b=0`` and
    :math:`0 < \gamma < 1` it is bounded,
    :math:`0 \le L_\gamma(p) \le -\log\gamma / (1 - \gamma)`.

    A true-class probability of exactly 0 is not clipped: it gives the
    finite limit :math:`L_\gamma(0) = -\log\gamma / (1 - \gamma)` when
    ``b=0`` and ``gamma > 0`` (1 when ``gamma=1``), and an infinite loss
    when ``gamma=0`` or ``b > 0``. :func:`sklearn.metrics.log_loss` clips
    probabilities to [eps, 1 - eps] instead, so it agrees with ``gamma=0``
    only where no probability is clipped.

    References
    ----------
    .. [1] H. Ji, P. Ke, Z. Hu, R. Zhang and M. Huang, "Tailoring Language
       Generation Models under Total Variation Distance", ICLR 2023.
       :arxiv:`2302.13344`
    .. [2] J. Su, "A simple scheme to alleviate cross-entropy
       over-confidence" (in Chinese), 2023.
       https://kexue.fm/archives/9526

    Examples
    --------
    >>> from sklearn.metrics import log_loss
    >>> from sklearn_kexue.metrics import gamma_cross_entropy_loss
    >>> y_true = [0, 1, 2, 2]
    >>> y_proba = [[0.5, 0.25, 0.25],
    ...            [0.25, 0.75, 0.0],
    ...            [0.0, 0.5, 0.5],
    ...            [0.5, 0.5, 0.0]]

    The last sample gives its true class probability 0. Its loss is finite
    for ``gamma > 0``:

    >>> round(gamma_cross_entropy_loss(y_true, y_proba), 4)
    0.701
    >>> gamma_cross_entropy_loss(y_true, y_proba, gamma=1.0)
    0.5625
    >>> gamma_cross_entropy_loss(y_true, y_proba, gamma=0.0)
    inf
    >>> gamma_cross_entropy_loss(y_true[:3], y_proba[:3], gamma=0.0) == log_loss(
    ...     y_true[:3], y_proba[:3])
    True

    A binary problem can pass the positive-class probability alone:

    >>> round(gamma_cross_entropy_loss(["no", "yes"], [0.25, 0.5], gamma=0.5), 4)
    0.4212

    As a scorer, for model selection:

    >>> from sklearn.metrics import make_scorer
    >>> scorer = make_scorer(gamma_cross_entropy_loss, greater_is_better=False,
    ...                      response_method="predict_proba", gamma=0.5)
    """
    return _gamma_cross_entropy_loss(
        y_true, y_proba, gamma, b, sample_weight, labels, normalize
    )


def _gamma_cross_entropy_loss(
    y_true, y_proba, gamma, b, sample_weight, labels, normalize
):
    y_proba, columns, sample_weight, weight_scale = _check_probabilistic_targets(
        y_true, y_proba, labels, sample_weight
    )
    p_true = y_proba[np.arange(len(columns)), columns]
    # log 0 = -inf is a valid input of gamma_loss_and_weight (loss inf for
    # gamma = 0, finite otherwise).
    with np.errstate(divide="ignore"):
        loss = gamma_loss_and_weight(np.log(p_true), gamma, b)[0]
    # Rounding can leave L(1) a hair below 0, or at -0.0.
    loss = np.maximum(loss, 0.0) + 0.0
    kept = sample_weight > 0
    total = np.sum(sample_weight[kept] * loss[kept])
    if normalize:
        return float(total / sample_weight.sum())
    # The sum of the caller's weights: the scaled sum, scaled back.
    with np.errstate(over="ignore"):
        total = float(total) / weight_scale
    if math.isinf(total) and np.all(np.isfinite(loss[kept])):
        raise ValueError(
            "The weighted sum of the losses exceeds the float64 range: pass "
            "normalize=True for the weighted mean, or smaller sample_weight."
        )
    return total


# Up to this many bins the edges are built as an array; beyond it (where the
# array would cost more memory than the data) they are computed per sample.
_EDGE_ARRAY_BINS = 2**20


def _bin_indices(confidence, n_bins):
    """Bin j = (j / n_bins, (j + 1) / n_bins] of each confidence; 0 in bin 0.

    The bin of c is the number of interior edges j / n_bins (j = 1 .. n_bins
    - 1, each the correctly rounded float64 quotient) strictly below c.
    """
    if n_bins <= _EDGE_ARRAY_BINS:
        interior_edges = np.arange(1, n_bins) / n_bins
        # side="left": a confidence equal to an edge goes to the bin below it.
        return np.searchsorted(interior_edges, confidence, side="left")
    # Without the array: a first guess floor(c * n) is off by at most one
    # (rounding), and comparing c with the same quotients the array would hold
    # corrects it.
    bins = np.clip(np.floor(confidence * n_bins), 0, n_bins - 1).astype(np.int64)
    too_high = (bins >= 1) & (bins / n_bins >= confidence)
    bins[too_high] -= 1
    too_low = (bins + 1 <= n_bins - 1) & ((bins + 1) / n_bins < confidence)
    bins[too_low] += 1
    return bins


@validate_params(
    {
        "y_true": ["array-like"],
        "y_proba": ["array-like"],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "sample_weight": ["array-like", None],
        "labels": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def expected_calibration_error(
    y_true, y_proba, *, n_bins=15, sample_weight=None, labels=None
):
    r"""Top-label expected calibration error (ECE) with equal-width bins.

    Each prediction is the class of highest probability and its confidence
    that probability. The samples are grouped by confidence into ``n_bins``
    equal-width bins, and the ECE is the average, weighted by the share of
    samples in each bin, of the absolute gap between the bin's accuracy and
    its mean confidence ([1]_, [2]_). It is 0 for
    a model whose confidence matches its accuracy within every bin, and lies
    in [0, 1].

    **Binning convention.** The bins are right-closed: bin j (counting from
    0) holds the confidences c with j / M < c <= (j + 1) / M, for
    M = ``n_bins``, and a confidence of 0 goes into the first bin. A
    confidence equal to an edge therefore goes into the bin below the edge;
    1 goes into the last bin. The edges are the float64 values
    ``j / n_bins``, correctly rounded, so a confidence written as the same
    decimal (0.2 with 5 bins) is on the edge; float32 confidences are
    compared after conversion to float64. This is the right-closed
    convention of the ECE code published with Guo et al.'s temperature
    scaling, which however builds its edges in float32 with
    ``torch.linspace`` (and leaves a confidence of 0 out of every bin, which
    valid probabilities never give): results can differ only for
    confidences within a rounding error of an edge. Left-closed
    implementations, such as ``np.digitize`` with its default
    ``right=False``, put every confidence that is on an edge into the bin
    above it.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels: all numbers or all strings, not NaN.

    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, as returned by ``predict_proba``: column k
        holds the probability of the k-th class of ``labels``. Each row must
        lie in [0, 1] and sum to 1 within 1e-6 (float64 input) or 3.5e-4
        (float32 input). For a binary problem, shape (n_samples,) gives the
        probability p of the positive class, the second of the two labels;
        it is read as the rows [1 - p, p].

    n_bins : int, default=15
        Number M of equal-width confidence bins on [0, 1]. Guo et al. use 15.
        Any number is allowed: beyond about a million bins only the occupied
        ones take memory.

    sample_weight : array-like of shape (n_samples,), default=None
        Finite, non-negative sample weights, with a positive sum; only their
        ratios matter, however large or small they are. They weigh the
        bin sizes, accuracies and mean confidences.

    labels : array-like of shape (n_classes,), default=None
        The class of each column of ``y_proba``, in column order. None uses
        the sorted unique labels of ``y_true``, the order of ``classes_`` in
        scikit-learn classifiers. Pass it when ``y_true`` lacks some class.

    Returns
    -------
    ece : float
        The expected calibration error, in [0, 1]; lower is better.

    See Also
    --------
    gamma_cross_entropy_loss : Mean γ-cross-entropy of the true-class
        probability.
    sklearn.calibration.calibration_curve : Reliability diagram points for
        binary problems.

    Notes
    -----
    With :math:`c_i` the largest probability in row i, :math:`\hat y_i` its
    column's class (the first such column on ties, as ``numpy.argmax``),
    :math:`s_i` the sample weights (all 1 by default) and :math:`B_j` the
    samples whose confidence falls into bin j,

    .. math::
        \mathrm{ECE} = \sum_{j=0}^{M-1} \frac{W_j}{W}
        \left\lvert \mathrm{acc}_j - \mathrm{conf}_j \right\rvert,
        \qquad W_j = \sum_{i \in B_j} s_i, \quad W = \sum_i s_i,

    with :math:`\mathrm{acc}_j = \sum_{i \in B_j} s_i
    [\hat y_i = y_i] / W_j` and :math:`\mathrm{conf}_j = \sum_{i \in B_j}
    s_i c_i / W_j`. Empty bins contribute 0.

    The binned ECE is biased upwards on small samples and depends on
    ``n_bins``: compare models on the same test set with the same bins.

    References
    ----------
    .. [1] M. P. Naeini, G. F. Cooper and M. Hauskrecht, "Obtaining Well
       Calibrated Probabilities Using Bayesian Binning", AAAI 2015.
    .. [2] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration of
       Modern Neural Networks", ICML 2017. :arxiv:`1706.04599`

    Examples
    --------
    >>> from sklearn_kexue.metrics import expected_calibration_error
    >>> y_true = [0, 1, 1, 0]
    >>> y_proba = [[0.875, 0.125],
    ...            [0.25, 0.75],
    ...            [0.375, 0.625],
    ...            [0.25, 0.75]]

    With 4 bins the confidences 0.75 (on an edge), 0.625 and 0.75 share the
    bin (0.5, 0.75], whose accuracy is 2/3 and mean confidence 17/24; the
    confidence 0.875 is alone in (0.75, 1] and correct:

    >>> expected_calibration_error(y_true, y_proba, n_bins=4)
    0.0625

    With a single bin the ECE is abs(accuracy - mean confidence):

    >>> expected_calibration_error(y_true, y_proba, n_bins=1)
    0.0

    The positive-class probabilities alone give the same result:

    >>> expected_calibration_error(y_true, [0.125, 0.75, 0.625, 0.75], n_bins=4)
    0.0625
    """
    return _expected_calibration_error(y_true, y_proba, n_bins, sample_weight, labels)


def _expected_calibration_error(y_true, y_proba, n_bins, sample_weight, labels):
    y_proba, columns, sample_weight, _ = _check_probabilistic_targets(
        y_true, y_proba, labels, sample_weight
    )
    confidence = y_proba.max(axis=1)
    correct = y_proba.argmax(axis=1) == columns
    bins = _bin_indices(confidence, n_bins)
    if n_bins > _EDGE_ARRAY_BINS:
        # Only occupied bins: the empty ones contribute 0 and need no memory.
        _, bins = np.unique(bins, return_inverse=True)
    # W_j (acc_j - conf_j) for each bin j.
    gaps = np.bincount(
        bins,
        weights=sample_weight * (correct - confidence),
        minlength=min(n_bins, _EDGE_ARRAY_BINS),
    )
    ece = np.abs(gaps).sum() / sample_weight.sum()
    # Rounding could overshoot the bound by an ulp.
    return float(min(ece, 1.0))
