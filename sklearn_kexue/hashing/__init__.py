"""Hashing: FlyHash, BioHash, sign random projection, winner-take-all."""

from sklearn_kexue.hashing._biohash import BioHashTransformer
from sklearn_kexue.hashing._flyhash import FlyHashTransformer
from sklearn_kexue.hashing._sign_random_projection import SignRandomProjection
from sklearn_kexue.hashing._winner_take_all import winner_take_all

__all__ = [
    "BioHashTransformer",
    "FlyHashTransformer",
    "SignRandomProjection",
    "winner_take_all",
]
