"""Evaluation metrics: similarity-search mean average precision protocols."""

from sklearn_kexue.metrics._retrieval import (
    mean_average_precision_labels,
    mean_average_precision_neighbors,
)

__all__ = ["mean_average_precision_labels", "mean_average_precision_neighbors"]
