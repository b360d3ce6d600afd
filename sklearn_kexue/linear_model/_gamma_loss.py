"""The γ-cross-entropy of a true-class probability, with TaiLr's weight floor.

For p = p(y | x), γ in [0, 1] and a floor b in [0, 1), write u = -log p. The
γ-cross-entropy is

    L(p) = -log(γ + (1 - γ) p) / (1 - γ),      (1 - p when γ = 1)

and its derivative in u is the weight w(p) = p / (γ + (1 - γ) p) in [0, 1],
so its gradient is w(p) times the cross-entropy's. TaiLr (Ji et al., ICLR
2023) floors the weight at b. Integrating max(b, w) in u gives a C¹ loss:
L(p) above p* = bγ / (1 - b (1 - γ)), where w(p*) = b, and the straight
continuation L(p*) + b (log p* - log p) below it.

Everything is computed from log p, so probabilities far below the smallest
float do not underflow.
"""

import numpy as np

__all__ = ["gamma_loss_and_weight"]

# Above this γ the loss is evaluated through log1p, accurate as γ -> 1.
_LOG1P_GAMMA = 0.5


def _log_mixture(log_p, gamma):
    """log(γ + (1 - γ) p) from log p."""
    with np.errstate(divide="ignore"):
        return np.logaddexp(np.log(gamma), np.log1p(-gamma) + log_p)


def _loss_above_threshold(log_p, gamma):
    """The γ-cross-entropy L(p) without the floor."""
    if gamma == 1:
        return -np.expm1(log_p)  # 1 - p
    if gamma > _LOG1P_GAMMA:
        # γ + (1 - γ) p = 1 + (1 - γ)(p - 1) >= 1/2: log1p is exact and stable.
        return -np.log1p((1 - gamma) * np.expm1(log_p)) / (1 - gamma)
    return -_log_mixture(log_p, gamma) / (1 - gamma)


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
    weight = np.exp(log_p - _log_mixture(log_p, gamma))
    loss = _loss_above_threshold(log_p, gamma)
    if b > 0 and gamma > 0:
        with np.errstate(divide="ignore"):
            log_threshold = np.log(b) + np.log(gamma) - np.log1p(-b * (1 - gamma))
        below = log_p < log_threshold
        if np.any(below):
            at_threshold = _loss_above_threshold(np.asarray(log_threshold), gamma)
            loss = np.where(below, at_threshold + b * (log_threshold - log_p), loss)
            weight = np.where(below, b, weight)
    return loss, np.maximum(weight, b)
