"""Losses shared by the estimators that train on them and the metrics that score them.

A private package, as scikit-learn's ``sklearn/_loss``: the γ-cross-entropy
(with TaiLr's weight floor) is the objective of
:class:`~sklearn_kexue.linear_model.GammaCrossEntropyClassifier` and the value of
:func:`~sklearn_kexue.metrics.gamma_cross_entropy_loss`; both import it from
here, so the two can never compute different losses.
"""

from sklearn_kexue._loss._gamma_loss import (
    gamma_loss_and_weight,
    logistic_gamma_gradient,
    softmax_gamma_gradient,
    threshold_constants,
)

__all__ = [
    "gamma_loss_and_weight",
    "logistic_gamma_gradient",
    "softmax_gamma_gradient",
    "threshold_constants",
]
