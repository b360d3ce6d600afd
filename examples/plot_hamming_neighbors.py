"""
=================================================
Approximate nearest neighbours from hash codes
=================================================

:class:`~sklearn_kexue.neighbors.HashingNeighborsTransformer` finds the
nearest neighbours of real vectors in three steps: it hashes every row into a
binary code, takes the ``n_candidates`` stored codes nearest to the query's
code in Hamming distance (an exact search by
:class:`~sklearn_kexue.neighbors.HammingNeighbors`), and re-ranks those
candidates by their exact Euclidean distance to the query. ``n_candidates``
trades recall for speed; the hasher decides how good the candidates are.

This example measures that trade-off, recall@10 against queries per second,
for :class:`~sklearn_kexue.SignRandomProjection` (SimHash) codes of three
lengths and :class:`~sklearn_kexue.FlyHashTransformer` codes, with exact brute
force (:class:`sklearn.neighbors.NearestNeighbors`) as the reference. It then
puts the transformer in two pipelines, in front of
:class:`~sklearn.neighbors.KNeighborsClassifier` and
:class:`~sklearn.manifold.Isomap` with ``metric="precomputed"``. See
:ref:`hashing_neighbors` for the method.
"""

# %%
# Data
# ----
#
# The 1797 digit images of :func:`sklearn.datasets.load_digits`, and the same
# images shifted by one pixel up, down, left and right, as in scikit-learn's
# restricted Boltzmann machine example: 8985 vectors of 64 pixels. 500 of
# them, drawn at random, are the queries; the other 8485 are the database.

import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.ndimage import shift
from sklearn.datasets import load_digits
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from sklearn_kexue import FlyHashTransformer, SignRandomProjection
from sklearn_kexue.neighbors import HashingNeighborsTransformer

X_digits, y_digits = load_digits(return_X_y=True)
images = X_digits.reshape(-1, 8, 8)
moves = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]
X = np.concatenate(
    [
        shift(images, (0, *move), order=0, mode="constant").reshape(len(images), -1)
        for move in moves
    ]
)
order = np.random.default_rng(0).permutation(len(X))
X_query, X_base = X[order[:500]], X[order[500:]]
print(f"database {X_base.shape}, queries {X_query.shape}")

# %%
# Recall and speed
# ----------------
#
# Recall@10 is measured as in ann-benchmarks: a returned row counts if its true
# distance is at most the query's true 10th-neighbour distance (plus
# :math:`10^{-3}`), so rows tied with the 10th neighbour count whichever the
# search returns. Queries per second (QPS) are for all 500 queries in one call
# on one thread (the BLAS of the brute-force search is limited to one thread
# too), timed in CPU time, which other programs running on the machine do not
# inflate as they do wall time; the best of three runs.

n_neighbors = 10
repeats = 3


def best_time(function, *args):
    """The shortest CPU time of ``repeats`` calls ``function(*args)``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        function(*args)
        times.append(time.process_time() - start)
    return min(times)


def recall(indices):
    """ann-benchmarks' recall@k: returned rows within the true k-th distance."""
    found = np.linalg.norm(X_base[indices] - X_query[:, None, :], axis=2)
    return np.mean(found <= kth_distance[:, None] + 1e-3)


with threadpool_limits(limits=1):
    exact = NearestNeighbors(n_neighbors=n_neighbors, algorithm="brute").fit(X_base)
    true_distances, true_indices = exact.kneighbors(X_query)
    kth_distance = true_distances[:, -1]
    brute_qps = len(X_query) / best_time(exact.kneighbors, X_query)
print(f"exact brute force: {brute_qps:,.0f} queries per second")

# %%
# Each hasher is fitted once; ``set_params(n_candidates=...)`` changes only
# how many candidates a query re-ranks, so the sweep reuses the index. The
# FlyHash codes have 32 ones among 2000 units.

hashers = {
    "SimHash, 64 bits": SignRandomProjection(n_components=64, random_state=0),
    "SimHash, 128 bits": SignRandomProjection(n_components=128, random_state=0),
    "SimHash, 256 bits": SignRandomProjection(n_components=256, random_state=0),
    "FlyHash, 32 of 2000": FlyHashTransformer(
        n_components=2000, hash_length=32, random_state=0
    ),
}
candidate_counts = [10, 20, 50, 100, 200]

curves = {}
with threadpool_limits(limits=1):
    for name, hasher in hashers.items():
        search = HashingNeighborsTransformer(hasher, n_neighbors=n_neighbors)
        search.fit(X_base)
        search.kneighbors(X_query[:5])  # the first call loads the compiled kernels
        points = []
        for n_candidates in candidate_counts:
            search.set_params(n_candidates=n_candidates)
            indices = search.kneighbors(X_query, return_distance=False)
            seconds = best_time(search.kneighbors, X_query)
            points.append((recall(indices), len(X_query) / seconds))
        curves[name] = np.array(points)
        print(f"{name} ({search.index_.fit_method_} index)")
        for n_candidates, (value, qps) in zip(candidate_counts, curves[name]):
            print(
                f"  n_candidates={n_candidates:<3d}  recall@10 {value:.3f}  "
                f"{qps:,.0f} queries per second"
            )

# %%
# The FlyHash codes are searched by the packed scan, not by posting lists:
# ``algorithm="auto"`` estimates a query's cost from how often each unit is set
# in the stored codes, and the digits set a few units very often. A query
# drawn like the stored codes reads :math:`\sum_j c_j^2 / N` postings, where
# :math:`c_j` rows of :math:`N` have unit :math:`j` set; uniformly used units
# would give :math:`N k^2 / m`.

codes = search.hasher_.transform(X_base)
unit_counts = np.asarray(codes.sum(axis=0)).ravel()
print(
    f"FlyHash units set in some stored code: {np.count_nonzero(unit_counts)} of "
    f"{codes.shape[1]}; the busiest in {unit_counts.max() / len(X_base):.0%} of "
    f"the rows; postings per query {np.sum(unit_counts**2) / len(X_base):,.0f} "
    f"(uniform units: {len(X_base) * 32**2 / codes.shape[1]:,.0f})"
)

# %%
# Each curve runs from 10 candidates (bottom right: fast, low recall) to 200
# (top left: slower, high recall). More bits give better candidates, so
# the same recall needs fewer of them: with 256-bit SimHash codes about 50
# candidates reach the recall that 64-bit codes need 200 for. The star is the
# exact search.

fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
for (name, points), marker in zip(curves.items(), "os^D"):
    ax.plot(points[:, 1], points[:, 0], marker=marker, label=name)
ax.plot(brute_qps, 1.0, "k*", markersize=14, label="exact (brute force)")
ax.set_xscale("log")
ax.set_xlabel("queries per CPU second (one thread, log scale)")
ax.set_ylabel("recall@10")
ax.set_title("HashingNeighborsTransformer, sweeping n_candidates (10 to 200)")
ax.grid(alpha=0.3, which="both")
ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
plt.show()

# %%
# Where the curves pass the star depends on the machine and on the size of
# the data. At 8485 rows of 64 pixels, brute force is cheap: one BLAS product
# per batch of queries. Its cost grows with the rows, while the re-ranking
# costs ``n_candidates`` distances per query whatever their number, and the
# Hamming scan reads 32 bytes per row for 256-bit codes against 512 bytes of
# float64 pixels; so hashing gains with the size of the database, and
# FlyHash's slower curve here is the price of hashing into 2000 units and
# scanning 2000-bit codes. The :ref:`user guide <hashing_neighbors>` has the
# costs.
#
# In a pipeline
# -------------
#
# ``transform`` returns the sparse neighbours graph that scikit-learn's
# ``KNeighborsTransformer`` returns: each row holds the query's neighbours
# sorted by distance, one more than ``n_neighbors`` in ``mode="distance"``
# (a training row finds itself at distance 0, stored explicitly). Estimators
# with ``metric="precomputed"`` take it as their input. Here it feeds a
# 5-nearest-neighbour classifier of the original digits; with 100 candidates
# of 256-bit codes the classifier predicts exactly what the exact one does.

from sklearn.manifold import Isomap
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier, KNeighborsTransformer
from sklearn.pipeline import make_pipeline

X_train, X_test, y_train, y_test = train_test_split(
    X_digits, y_digits, test_size=0.25, stratify=y_digits, random_state=0
)
hashed_classifier = make_pipeline(
    HashingNeighborsTransformer(
        SignRandomProjection(n_components=256, random_state=0),
        n_neighbors=5,
        n_candidates=100,
    ),
    KNeighborsClassifier(n_neighbors=5, metric="precomputed"),
).fit(X_train, y_train)
exact_classifier = KNeighborsClassifier(n_neighbors=5).fit(X_train, y_train)
hashed_predictions = hashed_classifier.predict(X_test)
exact_predictions = exact_classifier.predict(X_test)
print(
    f"test accuracy: hashed neighbours {np.mean(hashed_predictions == y_test):.4f}, "
    f"exact neighbours {np.mean(exact_predictions == y_test):.4f}; "
    f"same prediction for {np.mean(hashed_predictions == exact_predictions):.1%} "
    "of the test images"
)

# %%
# The same graph gives :class:`~sklearn.manifold.Isomap` its neighbourhoods.
# Isomap with ``n_neighbors=10`` needs 10 neighbours besides each sample
# itself, which ``n_neighbors=10`` in ``mode="distance"`` gives. The two
# embeddings below come from the hashed graph and from scikit-learn's exact
# ``KNeighborsTransformer``.

graphs = {
    "hashed neighbours (256-bit SimHash, 100 candidates)": HashingNeighborsTransformer(
        SignRandomProjection(n_components=256, random_state=0),
        n_neighbors=10,
        n_candidates=100,
    ),
    "exact neighbours (KNeighborsTransformer)": KNeighborsTransformer(n_neighbors=10),
}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), layout="constrained")
neighbours = {}
for ax, (title, transformer) in zip(axes, graphs.items()):
    pipeline = make_pipeline(transformer, Isomap(n_neighbors=10, metric="precomputed"))
    embedding = pipeline.fit_transform(X_digits)
    neighbours[title] = (
        pipeline[0].transform(X_digits).indices.reshape(len(X_digits), -1)
    )
    ax.scatter(*embedding.T, c=y_digits, cmap="tab10", s=4)
    ax.set_title(title, fontsize="medium")
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

hashed, exact_graph = neighbours.values()
shared = np.mean([len(np.intersect1d(a, b)) for a, b in zip(hashed, exact_graph)])
print(f"the two graphs share {shared:.2f} of the 11 entries per row on average")

# %%
# The graphs agree almost everywhere, and so do the embeddings (an
# eigendecomposition fixes each axis only up to its sign).
