"""BioHash's default learning rate (0.1) against Krotov's MNIST value (0.02).

Protocol:

- data: scikit-learn's digits, iris, wine and breast cancer, raw and
  standardised (``StandardScaler``), and the 10,000 SIFT descriptors of
  ``shared/data/sift10k.txt.gz`` (skipped if absent);
- models: ``BioHashTransformer(random_state=0)`` at its defaults (100 units,
  activity 0.05, 100 epochs, ``batch_size=100``), ours with
  ``learning_rate=0.1`` (the default) and the peer with ``learning_rate=0.02``;
  on SIFT, ``n_components=20 k`` and ``hash_length=k`` for k = 8 and 32;
- scores: on the small sets the same-label mAP@All of the training codes
  (``mean_average_precision_labels``, random tie order, seed 0) and whether
  ``fit`` raised a ConvergenceWarning; on SIFT the Euclidean-neighbour mAP of
  500 queries (``mean_average_precision_neighbors``, seed 0);
- one BLAS thread (threadpoolctl); ``--quick`` leaves SIFT out.

The ratio is ours / peer (mAP): > 1 means the default codes retrieve better.
"""

import gzip
import os
import sys
import warnings

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import script_main

from sklearn_kexue import BioHashTransformer
from sklearn_kexue.metrics import (
    mean_average_precision_labels,
    mean_average_precision_neighbors,
)

SIFT = os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "data", "sift10k.txt.gz"
)
OURS, PEER = 0.1, 0.02


def _fit(X, learning_rate, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        hasher = BioHashTransformer(
            learning_rate=learning_rate, random_state=0, **params
        ).fit(X)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return hasher, warned


def _small_sets():
    for name in ("digits", "iris", "wine", "breast_cancer"):
        X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
        yield name, X, y
        yield f"{name} (standardised)", StandardScaler().fit_transform(X), y


def run(quick=False):
    records = []
    with threadpool_limits(limits=1, user_api="blas"):
        for name, X, y in _small_sets():
            scores, warned = {}, {}
            for rate in (OURS, PEER):
                hasher, warned[rate] = _fit(X, rate)
                scores[rate] = mean_average_precision_labels(
                    hasher.transform(X), y, random_state=0
                )
            records.append(
                {
                    "benchmark": "biohash_learning_rate",
                    "case": name,
                    "metric": "same-label mAP@All",
                    "ours": scores[OURS],
                    "peer": f"learning_rate={PEER}",
                    "peer_value": scores[PEER],
                    "ratio": scores[OURS] / scores[PEER],
                    "ratio_meaning": "ours / peer mAP",
                    "note": f"ConvergenceWarning: ours {warned[OURS]}, "
                    f"peer {warned[PEER]}",
                }
            )
        if quick or not os.path.exists(SIFT):
            return records
        X = np.loadtxt(gzip.open(SIFT), delimiter=",")
        for k in (8, 32):
            scores = {}
            for rate in (OURS, PEER):
                hasher, _ = _fit(X, rate, n_components=20 * k, hash_length=k)
                scores[rate] = mean_average_precision_neighbors(
                    X, hasher.transform(X), n_queries=500, random_state=0
                )
            records.append(
                {
                    "benchmark": "biohash_learning_rate",
                    "case": f"SIFT-10k, k={k}, m={20 * k}",
                    "metric": "neighbour mAP",
                    "ours": scores[OURS],
                    "peer": f"learning_rate={PEER}",
                    "peer_value": scores[PEER],
                    "ratio": scores[OURS] / scores[PEER],
                    "ratio_meaning": "ours / peer mAP",
                }
            )
    return records


if __name__ == "__main__":
    script_main(__doc__, None, run)
