"""Matrix decomposition: the linear autoencoder (truncated SVD) and novel entries."""

from sklearn_kexue.decomposition._linear_autoencoder import LinearAutoencoder
from sklearn_kexue.decomposition._novel_entries import novel_entries

__all__ = ["LinearAutoencoder", "novel_entries"]
