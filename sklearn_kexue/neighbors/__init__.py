"""Nearest neighbours over binary codes: exact Hamming search and re-ranking.

:class:`HammingNeighbors` finds the exact Hamming neighbours of binary codes
(a compiled popcount scan over packed words, or posting lists for sparse
winner-take-all codes); :class:`HashingNeighborsTransformer` finds
approximate neighbours of real vectors by hashing them, taking the nearest
codes as candidates and re-ranking those exactly, with the interface of
scikit-learn's ``KNeighborsTransformer``.
"""

from sklearn_kexue.neighbors._hamming import HammingNeighbors
from sklearn_kexue.neighbors._hashing_neighbors import HashingNeighborsTransformer

__all__ = ["HammingNeighbors", "HashingNeighborsTransformer"]
