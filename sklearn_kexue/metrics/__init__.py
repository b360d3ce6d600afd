"""Evaluation metrics: mean average precision of hash codes, metrics of
predicted class probabilities (γ-cross-entropy, expected calibration error),
and word-vector benchmarks (similarity correlation, analogy accuracy)."""

from sklearn_kexue.metrics._calibration import (
    expected_calibration_error,
    gamma_cross_entropy_loss,
)
from sklearn_kexue.metrics._retrieval import (
    mean_average_precision_labels,
    mean_average_precision_neighbors,
)
from sklearn_kexue.metrics._word_vectors import (
    word_analogy_accuracy,
    word_similarity_spearman,
)

__all__ = [
    "expected_calibration_error",
    "gamma_cross_entropy_loss",
    "mean_average_precision_labels",
    "mean_average_precision_neighbors",
    "word_analogy_accuracy",
    "word_similarity_spearman",
]
