"""
================================================
BioHash versus FlyHash and SimHash for retrieval
================================================

This example compares :class:`~sklearn_kexue.BioHashTransformer`, whose units
are learned from the data by a local Hebbian rule, with two data-independent
hashers: the fruit-fly hash (:class:`~sklearn_kexue.FlyHashTransformer`) and
sign random projection (SimHash / LSH,
:class:`~sklearn_kexue.SignRandomProjection`). The data are the 8x8 digit
images of :func:`sklearn.datasets.load_digits`, and the hash lengths are
:math:`k \\in \\{2, 4, 8, 16, 32\\}`.

The protocol follows Ryali et al. (ICML 2020) on MNIST, scaled down to the
1797 digits:

* 18 random images per class (180 in total) are held out as queries; the
  other 1617 images are both the retrieval database and BioHash's training
  set;
* BioHash keeps the k most active of :math:`m = k / 0.05` learned units
  (activity 5 %);
* FlyHash keeps the k most active of :math:`m = 10 d = 640` random units, each
  summing 10 % of the 64 pixels;
* SimHash computes k random hyperplane bits on mean-centred pixels;
* each code is scored by
  :func:`~sklearn_kexue.metrics.mean_average_precision_labels`: mAP@All where a
  database image is relevant to a query when it shows the same digit, with
  ties between equal Hamming distances ordered at random.

Every score is averaged over three seeds; a seed draws a new query split, new
random weights for all three hashers and a new tie order.
"""

# %%
# Data, split and hashers
# -----------------------
#
# BioHash is trained with the default plain Hebbian rule, without the
# anti-Hebbian repulsion (``delta=0``; with ``p=2`` this is online spherical
# k-means), at a learning rate of 0.1 decayed linearly to 0 over 200 epochs.
# The run also records, for every fit, the share of the training codes'
# entries that come from units not yet on the unit sphere (the last value of
# ``convergence_curve_``, which
# :meth:`~sklearn_kexue.BioHashTransformer.fit` warns about above 1 %) and
# how many units enter no code at all.

import time

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_digits

from sklearn_kexue import (
    BioHashTransformer,
    FlyHashTransformer,
    SignRandomProjection,
)
from sklearn_kexue.metrics import mean_average_precision_labels

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel counts 0..16 to [0, 1]
n_features = X.shape[1]

hash_lengths = [2, 4, 8, 16, 32]
seeds = [0, 1, 2]
activity = 0.05
queries_per_class = 18


def split(seed):
    """Hold out ``queries_per_class`` random images of every digit."""
    rng = np.random.default_rng(seed)
    queries = np.concatenate(
        [
            rng.choice(np.flatnonzero(y == digit), queries_per_class, replace=False)
            for digit in np.unique(y)
        ]
    )
    database = np.setdiff1d(np.arange(len(y)), queries)
    return queries, database


hashers = {
    "BioHash (m = k / 0.05)": lambda k, seed: BioHashTransformer(
        n_components=round(k / activity),
        hash_length=k,
        learning_rate=0.1,
        max_iter=200,
        random_state=seed,
    ),
    "FlyHash (m = 10d)": lambda k, seed: FlyHashTransformer(
        n_components=10 * n_features, hash_length=k, fan_in=0.1, random_state=seed
    ),
    "SimHash / LSH": lambda k, seed: SignRandomProjection(
        n_components=k, center=True, random_state=seed
    ),
}

# %%
# Scoring
# -------
#
# Each hasher is fitted on the database, then hashes the database and the
# queries. FlyHash's ``center`` option is left off: it subtracts each image's
# own mean, which shifts all units by the same amount and never changes the
# winners of a binary fly. The runs are independent, so they are spread over
# two processes with :class:`joblib.Parallel`.


def score(name, k, seed):
    queries, database = split(seed)
    hasher = hashers[name](k, seed).fit(X[database])
    value = mean_average_precision_labels(
        hasher.transform(X[database]),
        y[database],
        query_codes=hasher.transform(X[queries]),
        query_labels=y[queries],
        tie_breaking="random",
        random_state=seed,
    )
    if isinstance(hasher, BioHashTransformer):
        unconverged_share = hasher.convergence_curve_[-1]
        return value, unconverged_share, int(np.sum(hasher.code_counts_ == 0))
    return value, 0, 0


start = time.perf_counter()
runs = [(name, k, seed) for name in hashers for k in hash_lengths for seed in seeds]
results = Parallel(n_jobs=2)(delayed(score)(*run) for run in runs)
results = np.reshape(results, (len(hashers), len(hash_lengths), len(seeds), 3))
scores = {name: results[i, ..., 0] for i, name in enumerate(hashers)}
print(f"hashed and scored in {time.perf_counter() - start:.1f} s\n")

print("mAP@All (same digit), mean +- std over seeds")
print(f"{'':24s}" + "".join(f"  k={k:<12d}" for k in hash_lengths))
for name in hashers:
    row = "".join(
        f"  {m:.3f} +- {s:.3f}"
        for m, s in zip(scores[name].mean(axis=1), scores[name].std(axis=1))
    )
    print(f"{name:24s}{row}")

bio, fly = scores["BioHash (m = k / 0.05)"], scores["FlyHash (m = 10d)"]
ratios = bio.mean(axis=1) / fly.mean(axis=1)
print(f"{'BioHash / FlyHash':24s}" + "".join(f"  {r:<14.2f}" for r in ratios))

bio_runs = results[0]
print(
    "\nBioHash fits (max over seeds): m, share of code entries from units off "
    "the unit sphere, units in no code"
)
for k, counts in zip(hash_lengths, bio_runs):
    m = round(k / activity)
    print(
        f"  k={k:2d}: m={m:3d}, unconverged share {counts[:, 1].max():.2%}, "
        f"in no code {int(counts[:, 2].max()):3d}"
    )

# %%
# Results
# -------
#
# The error bars show the standard deviation over the seeds.

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for (name, values), marker in zip(scores.items(), "os^"):
    ax.errorbar(
        hash_lengths,
        values.mean(axis=1),
        yerr=values.std(axis=1),
        marker=marker,
        capsize=3,
        label=name,
    )
ax.set_xscale("log", base=2)
ax.set_xticks(hash_lengths, [str(k) for k in hash_lengths])
ax.set_xlabel("hash length k")
ax.set_ylabel("mAP@All (same digit)")
ax.set_ylim(0, 1)
ax.set_title("Digits: 180 held-out queries")
ax.grid(alpha=0.3)
ax.legend(loc="lower right")
plt.show()

# %%
# What the figure shows
# ---------------------
#
# * BioHash scores highest at every hash length, and its lead is largest at
#   the shortest codes: with only k = 2 active units out of 40, the learned
#   units already sit on the digit clusters, while FlyHash's random units and
#   SimHash's random hyperplanes know nothing about the data. This is the
#   paper's main claim (its Table 1), reproduced on a much smaller data set.
# * FlyHash beats SimHash at every k, as in the paper.
# * Hash lengths are not storage: a BioHash or FlyHash code is a set of k units
#   out of m, while a SimHash code holds k bits.
#
# Training settings matter
# ------------------------
#
# * With the anti-Hebbian strength of Krotov's notebook, ``delta=0.4`` (the
#   paper does not state its value), and the same 200 epochs, BioHash still
#   beats both baselines at every k, but by much less. Running this script
#   with ``delta=0.4`` gave mAP 0.403, 0.401, 0.518, 0.607 and 0.761 at
#   k = 2 ... 32, that is 1.70, 1.24, 1.21, 1.20 and 1.35 times FlyHash. On
#   this small data set (about 1.6k training images, 10 classes) pure
#   Hebbian learning, which places the units on the dense digit clusters,
#   works better than repelling the runner-up unit; hence the default
#   ``delta=0``. ``p=3`` scores about the same as ``p=2``.
# * A learning rate too large for this small data set (e.g. 0.2 with
#   ``delta=0.4``) kills most units and can drop BioHash below FlyHash.
# * Fewer epochs leave units off the unit sphere (``fit`` then raises a
#   :class:`~sklearn.exceptions.ConvergenceWarning`); larger m needs more
#   epochs. The shares printed above show that after 200 epochs at most about
#   0.1 % of the code entries come from units off the sphere: units that
#   never won and kept their random weights, but enter the odd code. Some
#   units never enter a code at all (``code_counts_`` shows which).
