"""Matrix decomposition: the linear autoencoder (truncated SVD) and novel entries.

:class:`LinearAutoencoder` computes the optimum of a linear autoencoder as a
truncated SVD; :class:`MiniBatchLinearAutoencoder` trains the same network by
minibatch gradient descent, with ``partial_fit`` for streams.
"""

from sklearn_kexue.decomposition._linear_autoencoder import LinearAutoencoder
from sklearn_kexue.decomposition._minibatch_linear_autoencoder import (
    MiniBatchLinearAutoencoder,
)
from sklearn_kexue.decomposition._novel_entries import novel_entries

__all__ = ["LinearAutoencoder", "MiniBatchLinearAutoencoder", "novel_entries"]
