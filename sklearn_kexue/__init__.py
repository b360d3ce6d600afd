"""sklearn_kexue: scikit-learn estimators for hashing, compression and embedding.

Every estimator follows the scikit-learn API (fit/transform/predict), passes
``check_estimator`` and composes in ``Pipeline`` and ``GridSearchCV``.
"""

from sklearn_kexue._version import __version__
from sklearn_kexue.decomposition import LinearAutoencoder, MiniBatchLinearAutoencoder
from sklearn_kexue.embedding import SimplerGlove
from sklearn_kexue.hashing import (
    BioHashTransformer,
    FlyHashTransformer,
    SignRandomProjection,
)
from sklearn_kexue.linear_model import GammaCrossEntropyClassifier

__all__ = [
    "BioHashTransformer",
    "FlyHashTransformer",
    "GammaCrossEntropyClassifier",
    "LinearAutoencoder",
    "MiniBatchLinearAutoencoder",
    "SignRandomProjection",
    "SimplerGlove",
    "__version__",
]
