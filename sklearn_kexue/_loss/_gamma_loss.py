r"""The γ-cross-entropy of a true-class probability, with TaiLr's weight floor.

For :math:`p = p(y \mid x)`, :math:`\gamma \in [0, 1]` and a floor
:math:`b \in [0, 1)`, write :math:`u = -\log p`. The γ-cross-entropy is

.. math::
    L(p) = -\frac{\log(\gamma + (1 - \gamma) p)}{1 - \gamma}
    \quad (L(p) = 1 - p \text{ when } \gamma = 1),

and its derivative in :math:`u` is the weight
:math:`w(p) = p / (\gamma + (1 - \gamma) p) \in [0, 1]`, so its gradient is
:math:`w(p)` times the cross-entropy's. TaiLr [1]_ floors the weight at
:math:`b`. Integrating :math:`\max(b, w)` in :math:`u` gives a
:math:`C^1` loss: :math:`L(p)` above
:math:`p^* = b\gamma / (1 - b(1 - \gamma))`, where :math:`w(p^*) = b`, and
the straight continuation :math:`L(p^*) + b(\log p^* - \log p)` below it.

Everything is computed from :math:`\log p`, so probabilities far below the
smallest float do not underflow. One compiled scalar routine computes the
loss and the weight; the fused kernels below apply it inside one pass over
the logits (log-softmax or log-sigmoid, loss, and gradient), which the
L-BFGS objective calls at every evaluation.

References
----------
.. [1] H. Ji, P. Ke, Z. Hu, R. Zhang and M. Huang, "Tailoring language
   generation models under total variation distance", ICLR 2023.
   :arxiv:`2302.13344`
"""

import math

import numpy as np

from sklearn_kexue.utils._jit import jit

__all__ = [
    "gamma_loss_and_weight",
    "logistic_gamma_gradient",
    "softmax_gamma_gradient",
    "threshold_constants",
]

# Above this γ the loss is evaluated through log1p, accurate as γ -> 1.
_LOG1P_GAMMA = 0.5


@jit
def _log_add_exp(a, b):
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


@jit
def _unfloored_loss_and_weight(log_p, gamma):
    """L(p) and w(p) = p / (γ + (1 - γ) p), from log p."""
    if gamma == 0:
        return -log_p, 1.0
    # log(γ + (1 - γ) p); log1p(-1) = -inf makes it 0 for γ = 1.
    log_mixture = _log_add_exp(math.log(gamma), math.log1p(-gamma) + log_p)
    weight = math.exp(log_p - log_mixture)
    if gamma == 1:
        return -math.expm1(log_p), weight  # 1 - p
    if gamma > _LOG1P_GAMMA:
        # γ + (1 - γ) p = 1 + (1 - γ)(p - 1) >= 1/2: log1p is exact and stable.
        return -math.log1p((1 - gamma) * math.expm1(log_p)) / (1 - gamma), weight
    return -log_mixture / (1 - gamma), weight


def threshold_constants(gamma, b):
    """log p* and L(p*) of the floor, or (-inf, 0) when there is none."""
    if b == 0 or gamma == 0:
        return -np.inf, 0.0
    log_threshold = math.log(b) + math.log(gamma) - math.log1p(-b * (1 - gamma))
    return log_threshold, _unfloored_loss_and_weight(log_threshold, gamma)[0]


@jit
def _loss_and_weight(log_p, gamma, b, log_threshold, loss_at_threshold):
    if log_p < log_threshold:
        return loss_at_threshold + b * (log_threshold - log_p), b
    loss, weight = _unfloored_loss_and_weight(log_p, gamma)
    return loss, max(weight, b)


@jit
def _loss_and_weight_array(log_p, gamma, b, log_threshold, loss_at_threshold):
    loss = np.empty_like(log_p)
    weight = np.empty_like(log_p)
    for i in range(log_p.shape[0]):
        loss[i], weight[i] = _loss_and_weight(
            log_p[i], gamma, b, log_threshold, loss_at_threshold
        )
    return loss, weight


def gamma_loss_and_weight(log_p, gamma, b=0.0):
    """Per-sample γ-cross-entropy and its weight on the cross-entropy gradient.

    Parameters
    ----------
    log_p : ndarray
        Log-probabilities log p of the true classes (finite or -inf).
    gamma : float
        γ in [0, 1]; 0 is the cross-entropy, 1 the smooth accuracy 1 - p.
    b : float, default=0.0
        Floor on the weight, in [0, 1) (TaiLr's lower threshold).

    Returns
    -------
    loss : ndarray
        L(p), the same shape as ``log_p``.
    weight : ndarray
        dL/du with u = -log p: max(b, p / (γ + (1 - γ) p)).
    """
    log_p = np.asarray(log_p, dtype=np.float64)
    gamma, b = float(gamma), float(b)
    loss, weight = _loss_and_weight_array(
        log_p.ravel(), gamma, b, *threshold_constants(gamma, b)
    )
    return loss.reshape(log_p.shape), weight.reshape(log_p.shape)


@jit
def softmax_gamma_gradient(
    logits, y_index, sample_weight, gamma, b, log_threshold, loss_at_threshold
):
    """Σ s_i L(p_i) under a softmax; ``logits`` is overwritten by dL/dlogits.

    Per row: d(-log p_y)/dz = softmax(z) - onehot(y), times s_i w(p_i).
    """
    total = 0.0
    n_classes = logits.shape[1]
    for i in range(logits.shape[0]):
        row = logits[i]
        peak = row[0]
        for k in range(1, n_classes):
            peak = max(peak, row[k])
        label = y_index[i]
        shifted_label_logit = row[label] - peak  # log p without underflow
        norm = 0.0
        for k in range(n_classes):
            row[k] = math.exp(row[k] - peak)
            norm += row[k]
        log_p = shifted_label_logit - math.log(norm)
        loss, weight = _loss_and_weight(
            log_p, gamma, b, log_threshold, loss_at_threshold
        )
        total += sample_weight[i] * loss
        scale = sample_weight[i] * weight / norm
        for k in range(n_classes):
            row[k] *= scale
        row[label] -= sample_weight[i] * weight
    return total


@jit
def logistic_gamma_gradient(
    z, y_index, sample_weight, gamma, b, log_threshold, loss_at_threshold
):
    """Σ s_i L(p_i) with p(y=1 | x) = expit(z); ``z`` is overwritten by dL/dz.

    With t = ±z signed by the label, log p = log expit(t) and
    d(-log p)/dz = -sign expit(-t).
    """
    total = 0.0
    for i in range(z.shape[0]):
        sign = 1.0 if y_index[i] == 1 else -1.0
        t = sign * z[i]
        if t >= 0:
            log_p = -math.log1p(math.exp(-t))
            rest = math.exp(-t) / (1 + math.exp(-t))  # expit(-t)
        else:
            log_p = t - math.log1p(math.exp(t))
            rest = 1 / (1 + math.exp(t))
        loss, weight = _loss_and_weight(
            log_p, gamma, b, log_threshold, loss_at_threshold
        )
        total += sample_weight[i] * loss
        z[i] = -sample_weight[i] * weight * sign * rest
    return total
