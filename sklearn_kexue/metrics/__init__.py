"""Evaluation metrics: mean average precision of hash codes, and metrics of
predicted class probabilities (γ-cross-entropy, expected calibration error)."""

from sklearn_kexue.metrics._calibration import (
    expected_calibration_error,
    gamma_cross_entropy_loss,
)
from sklearn_kexue.metrics._retrieval import (
    mean_average_precision_labels,
    mean_average_precision_neighbors,
)

__all__ = [
    "expected_calibration_error",
    "gamma_cross_entropy_loss",
    "mean_average_precision_labels",
    "mean_average_precision_neighbors",
]
