"""Linear models: classifiers trained with noise-robust losses."""

from sklearn_kexue.linear_model._gamma_cross_entropy import GammaCrossEntropyClassifier

__all__ = ["GammaCrossEntropyClassifier"]
