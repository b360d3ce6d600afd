"""Approximate k-NN on real vectors: HashingNeighborsTransformer against ANN peers.

Recall@10 against queries per second (QPS) and build time, in the protocol
of ann-benchmarks (Aumüller, Bernhardsson & Faithfull), on ONE thread
everywhere: ``n_jobs=1`` for ours, FlyHash and pynndescent,
``faiss.omp_set_num_threads(1)``, hnswlib ``num_threads=1``, annoy
``build(n_jobs=1)``, ``numba.set_num_threads(1)`` and ``threadpoolctl``
limits of 1 (BLAS and OpenMP). Run it with ``OPENBLAS_NUM_THREADS=1
OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE NUMBA_NUM_THREADS=1`` as well, so
no library starts spare threads.

Data (``benchmarks/_ann_data.py``)
    - SIFT-10k: 10 000 x 128 SIFT descriptors; 1 000 queries drawn at
      random (``np.random.default_rng(0).permutation``), the other 9 000 rows
      are the base. Euclidean distance.
    - GloVe 6B 50-d: 400 000 word vectors; 1 000 random queries held out
      (``default_rng(0)``), the other 399 000 rows are the base (full run;
      ``GLOVE_BASE`` caps it). Cosine distance: every row is scaled to unit
      norm first, ours re-ranks with ``metric="cosine"`` and the peers use
      euclidean (L2) on the unit rows, which ranks identically.
    ``--quick``: SIFT only, few settings.

Ground truth and recall
    Exact neighbours: faiss ``IndexFlatL2`` top 100, re-sorted by distances
    recomputed in float64. Recall@10 is ann-benchmarks' tie-tolerant recall:
    a returned item counts if its true distance (recomputed in float64 from
    its index, whatever the method reports; euclidean for SIFT, 1 - cos for
    GloVe) is <= the 10th true distance + 1e-3; recall = mean hits / 10.

Timing
    - Batched QPS: all 1 000 queries in one call (``kneighbors(Q, 10)``,
      ``knn_query``, ``query``, ``search``; annoy has no batch call, so a
      Python loop of ``get_nns_by_vector``), best of up to 5 calls, fewer
      once a point has used 2 s. QPS = 1 000 / seconds.
    - One query per call: the first 200 queries, one call each, at each
      method's fastest batched setting with recall@10 >= 0.9 (or its most
      accurate setting when none reaches 0.9).
    - Build: wall time of the index construction from the float32 base
      (best of up to 3 builds while a method has used under 2 s). Ours:
      ``HashingNeighborsTransformer.fit`` (hasher fit + hashing the base +
      code index). pynndescent: ``NNDescent(...)`` plus ``prepare()`` (the
      search graph); its numba compilation (about a minute) is EXCLUDED: a
      warm-up builds, prepares and queries an index on 2 000 rows of the
      same data first. annoy: ``add_item`` loop + ``build``. IVF: ``train``
      + ``add``.

Methods
    - Ours: ``HashingNeighborsTransformer(hasher, n_candidates=C,
      metric=..., n_jobs=1)`` with C in CANDIDATES, and the hashers
      ``SignRandomProjection(b, packed_output=True, random_state=0)`` at
      b = 64, 256, 1024 (centred; the packed bytes give the same codes as
      the default {0, 1} floats, whose output costs several times more to
      build: the default estimator, ``hasher=None``, i.e. unpacked SRP-256,
      is also shown at C = 100); ``FlyHashTransformer(m, hash_length=k,
      n_jobs=1, random_state=0)`` (fan-in 10 % of the features) and
      ``BioHashTransformer(m, hash_length=k, learning_rate=0.5,
      max_iter=20, random_state=0)`` at (m, k) = (2048, 32) and (4096, 64).
      BioHash is fitted beforehand on at most 20 000 base rows
      (``BIOHASH_FIT_ROWS``; all 9 000 on SIFT), and the fitted hasher is
      passed in; its build time is that fit plus ``fit`` of the estimator.
    - hnswlib: ``Index("l2")``, M = 16, ef_construction = 200, ef in EF.
    - pynndescent: ``NNDescent(metric="euclidean", n_neighbors=30,
      n_jobs=1, random_state=0)``, epsilon in EPSILONS.
    - annoy: ``AnnoyIndex(d, "euclidean")``, n_trees in 10, 50, 100,
      search_k in SEARCH_K (-1: annoy's default, n_trees x 10).
    - faiss ``IndexIVFFlat`` (L2), nlist = round(4 sqrt(N)), nprobe in
      NPROBE.
    - faiss ``IndexFlatL2``: exact, the reference.

Output
    Per dataset a table (method, parameter, recall@10, QPS, build s), the
    one-query-per-call QPS, where our query time goes (hashing the queries,
    the Hamming search, the re-ranking), and the summary the project asks
    for: build time of our fastest index that reaches recall@10 >= 0.9 at
    some C (the fastest of all and the default estimator are printed too)
    against hnswlib and pynndescent (target: ours >= 10x faster), and the
    best QPS at recall@10 >= 0.9 of
    ours against hnswlib (target: ours >= hnswlib / 3). Records for
    ``run.py``; the curves as JSON in ``benchmarks/.results/ann_recall.json``
    (``ann_recall_quick.json`` with ``--quick``; ``--curves PATH`` when run
    as a script) for the docs' plots.
"""

import gc
import json
import math
import os
import sys
import time
import warnings

if __name__ == "__main__":  # before numpy, numba and faiss start their pools
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ.setdefault(_name, "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
from threadpoolctl import threadpool_limits

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _ann_data import GLOVE_PACKAGE, load_glove6b50d, load_sift10k  # noqa: E402
from _common import environment  # noqa: E402

BENCHMARK = "ann_recall"
K = 10
RECALL_EPSILON = 1e-3
RECALL_TARGET = 0.9
BUILD_TARGET = 10.0
QPS_TARGET = 1 / 3
N_QUERIES = 1000
N_SINGLE = 200
SPLIT_SEED = 0
GROUND_TRUTH_DEPTH = 100
GLOVE_BASE = None  # None: all 399 000 rows left after the queries
BIOHASH_FIT_ROWS = 20_000
WARMUP_ROWS = 2000
QUERY_REPEATS = 5
QUERY_BUDGET_S = 2.0
BUILD_REPEATS = 3
BUILD_BUDGET_S = 2.0

CANDIDATES = {False: (10, 20, 50, 100, 200, 500, 1000), True: (10, 100, 1000)}
EF = {False: (10, 20, 40, 80, 120, 200, 400), True: (10, 40, 200)}
EPSILONS = {False: (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3), True: (0.0, 0.2)}
ANNOY_TREES = {False: (10, 50, 100), True: (10,)}
SEARCH_K = {False: (-1, 1000, 2000, 5000, 10_000, 20_000, 50_000), True: (-1, 5000)}
NPROBE = {False: (1, 2, 4, 8, 16, 32, 64), True: (1, 8, 64)}
SRP_BITS = {False: (64, 256, 1024), True: (256,)}
SPARSE_HASHERS = {  # (family, m, k)
    False: (
        ("FlyHash", 2048, 32),
        ("FlyHash", 4096, 64),
        ("BioHash", 2048, 32),
        ("BioHash", 4096, 64),
    ),
    True: (("FlyHash", 2048, 32),),
}
DATASETS = {False: ("sift10k", "glove50"), True: ("sift10k",)}
RESULTS_DIR = os.path.join(HERE, ".results")

OURS = "ours"
HNSW = "hnswlib"
NNDESCENT = "pynndescent"
ANNOY = "annoy"
IVF = "faiss IVFFlat"
FLAT = "faiss FlatL2 (exact)"

BUILD_RATIO = "peer build s / our build s"
QPS_RATIO = "our QPS / peer QPS"


# --------------------------------------------------------------------------
# Data and recall


class Dataset:
    """Base and queries (float32, C-contiguous), metric and exact neighbours."""

    def __init__(self, name, label, base, queries, metric, note):
        self.name, self.label, self.metric, self.note = name, label, metric, note
        self.base = np.ascontiguousarray(base, dtype=np.float32)
        self.queries = np.ascontiguousarray(queries, dtype=np.float32)
        self.base64 = self.base.astype(np.float64)
        self.queries64 = self.queries.astype(np.float64)
        self.base_sq = np.einsum("ij,ij->i", self.base64, self.base64)

    def true_distances(self, indices):
        """Float64 distances (dataset metric) of the first queries to given rows.

        Row i of ``indices`` belongs to query i. Indices < 0 (nothing
        returned) get +inf.
        """
        indices = np.asarray(indices, dtype=np.int64)
        valid = indices >= 0
        safe = np.where(valid, indices, 0)
        out = np.empty(indices.shape)
        for start in range(0, len(indices), 64):
            rows = slice(start, min(start + 64, len(indices)))
            gathered = self.base64[safe[rows]]
            query = self.queries64[rows][:, None, :]
            if self.metric == "cosine":  # unit rows: 1 - cos = 1 - dot
                out[rows] = 1.0 - np.einsum("qcd,qcd->qc", gathered, query)
            else:
                difference = gathered - query
                out[rows] = np.sqrt(np.einsum("qcd,qcd->qc", difference, difference))
        out[~valid] = np.inf
        return out

    def set_ground_truth(self, faiss):
        index = faiss.IndexFlatL2(self.base.shape[1])
        index.add(self.base)
        depth = min(GROUND_TRUTH_DEPTH, len(self.base))
        _, candidates = index.search(self.queries, depth)
        distances = self.true_distances(candidates)
        order = np.lexsort((candidates, distances), axis=1)
        self.true_indices = np.take_along_axis(candidates, order, axis=1)[:, :K]
        self.true_kth = np.take_along_axis(distances, order, axis=1)[:, K - 1]

    def recall(self, indices):
        """ann-benchmarks recall@K: hits within the K-th true distance + 1e-3."""
        indices = np.asarray(indices)[:, :K]
        distances = self.true_distances(indices)
        kth = self.true_kth[: len(indices), None]
        hits = distances <= kth + RECALL_EPSILON
        return float(hits.sum(axis=1).mean() / K)


def split(X, n_queries, n_base=None, seed=SPLIT_SEED):
    """Random held-out queries; the base is the rest (a random n_base of it)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    queries, rest = order[:n_queries], np.sort(order[n_queries:])
    if n_base is not None and n_base < len(rest):
        rest = np.sort(rng.choice(rest, n_base, replace=False))
    return X[rest], X[queries]


def load_dataset(name):
    if name == "sift10k":
        base, queries = split(load_sift10k(), N_QUERIES)
        return Dataset(
            name,
            "SIFT-10k",
            base,
            queries,
            "euclidean",
            f"{len(base):,} base / {len(queries):,} queries x 128, euclidean",
        )
    X = load_glove6b50d()
    X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), np.finfo(X.dtype).tiny)
    base, queries = split(X, N_QUERIES, GLOVE_BASE)
    return Dataset(
        name,
        "GloVe 6B 50-d",
        base,
        queries,
        "cosine",
        f"{len(base):,} base / {len(queries):,} queries x 50, cosine "
        f"(unit rows; peers: euclidean on them)",
    )


# --------------------------------------------------------------------------
# Timing


def time_calls(call, repeats=QUERY_REPEATS, budget=QUERY_BUDGET_S):
    """(best seconds, all seconds, last result) of up to ``repeats`` calls."""
    seconds, spent, result = [], 0.0, None
    for _ in range(repeats):
        del result
        gc.collect()
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
        spent += seconds[-1]
        if spent >= budget:
            break
    return min(seconds), seconds, result


def time_build(build):
    """(best seconds, all seconds, last index) of up to BUILD_REPEATS builds."""
    return time_calls(build, BUILD_REPEATS, BUILD_BUDGET_S)


class Method:
    """One index (one build) and its sweep of a query-time parameter."""

    def __init__(self, family, name, parameter, build_s, builds, note=""):
        self.family, self.name, self.parameter = family, name, parameter
        self.build_s, self.builds, self.note = build_s, builds, note
        self.points = []
        self.single = None

    def add_point(self, value, recall, seconds, calls):
        self.points.append(
            {
                "value": value,
                "recall": recall,
                "qps": N_QUERIES / seconds,
                "seconds": seconds,
                "calls_s": calls,
            }
        )
        print(
            f"    {self.name:<34} {self.parameter}={value!s:<6} "
            f"recall@10 {recall:.4f}  {N_QUERIES / seconds:>10,.0f} q/s",
            flush=True,
        )

    def chosen_point(self):
        """Fastest point with recall >= target, else the most accurate."""
        good = [p for p in self.points if p["recall"] >= RECALL_TARGET]
        if good:
            return max(good, key=lambda p: p["qps"])
        return max(self.points, key=lambda p: (p["recall"], p["qps"]))

    def as_json(self):
        return {
            "family": self.family,
            "method": self.name,
            "parameter": self.parameter,
            "build_s": self.build_s,
            "build_calls_s": self.builds,
            "note": self.note,
            "points": self.points,
            "single_query": self.single,
        }


def sweep(method, data, values, query):
    """Time ``query(value)`` (all queries, returns indices) for each value."""
    for value in values:
        seconds, calls, indices = time_calls(lambda v=value: query(v))
        method.add_point(value, data.recall(indices), seconds, calls)


def single_query_qps(method, data, query_one):
    """One query per call over the first N_SINGLE queries, at chosen_point."""
    point = method.chosen_point()
    value = point["value"]
    queries = data.queries[:N_SINGLE]
    query_one(value, queries[0])  # warm-up
    gc.collect()
    start = time.perf_counter()
    rows = [query_one(value, q) for q in queries]
    seconds = time.perf_counter() - start
    recall = float("nan")
    if rows and rows[0] is not None:
        indices = np.full((len(rows), K), -1, dtype=np.int64)
        for i, row in enumerate(rows):
            row = np.asarray(row).ravel()[:K]
            indices[i, : len(row)] = row
        recall = data.recall(indices)  # the first len(rows) queries
    method.single = {
        "value": value,
        "qps": len(queries) / seconds,
        "batched_qps": point["qps"],
        "recall": recall,
        "n_queries": len(queries),
    }


# --------------------------------------------------------------------------
# Ours


def srp(bits, packed=True):
    from sklearn_kexue import SignRandomProjection

    return SignRandomProjection(bits, packed_output=packed, random_state=0)


def sparse_hasher(family, m, k):
    from sklearn_kexue import BioHashTransformer, FlyHashTransformer

    if family == "FlyHash":
        return FlyHashTransformer(m, hash_length=k, n_jobs=1, random_state=0)
    return BioHashTransformer(
        m, hash_length=k, learning_rate=0.5, max_iter=20, random_state=0
    )


def our_hashers(quick):
    hashers = [(f"SRP-{b} packed", lambda b=b: srp(b)) for b in SRP_BITS[quick]]
    hashers += [
        (f"{family} m={m} k={k}", lambda f=family, m=m, k=k: sparse_hasher(f, m, k))
        for family, m, k in SPARSE_HASHERS[quick]
    ]
    return hashers


def warm_up_ours(data):
    """Compile our numba kernels (code search, FlyHash) on a small index."""
    from sklearn_kexue import FlyHashTransformer
    from sklearn_kexue.neighbors import HashingNeighborsTransformer

    base, queries = data.base[:WARMUP_ROWS], data.queries[:20]
    for hasher in (
        srp(64),
        srp(256, packed=False),
        FlyHashTransformer(256, hash_length=8, n_jobs=1, random_state=0),
    ):
        search = HashingNeighborsTransformer(hasher, n_candidates=50, n_jobs=1)
        search.fit(base).kneighbors(queries, K)
        search.kneighbors(queries[:1], K)


def run_ours(data, quick):
    from sklearn_kexue.neighbors import HashingNeighborsTransformer

    metric = data.metric
    methods = []
    warm_up_ours(data)
    for name, make in our_hashers(quick):
        note = ""
        if name.startswith("BioHash"):
            rows = min(BIOHASH_FIT_ROWS, len(data.base))
            fit_rows = data.base[
                np.sort(
                    np.random.default_rng(1).choice(len(data.base), rows, replace=False)
                )
            ]
            hasher = make()
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                hasher.fit(fit_rows)
            hasher_s = time.perf_counter() - start
            note = (
                f"hasher fit on {rows:,} rows: {hasher_s:.1f} s, off-sphere share "
                f"{hasher.convergence_curve_[-1]:.4f}"
            )
            if caught:
                note += f"; warned: {str(caught[0].message)[:80]}"
        else:
            hasher, hasher_s = make(), 0.0

        def build(hasher=hasher):
            return HashingNeighborsTransformer(
                hasher, n_candidates=CANDIDATES[quick][0], metric=metric, n_jobs=1
            ).fit(data.base)

        seconds, builds, search = time_build(build)
        method = Method(
            OURS, name, "C", seconds + hasher_s, [b + hasher_s for b in builds], note
        )
        print(f"  {name}: build {method.build_s:.2f} s {note}", flush=True)

        def query(c, search=search):
            search.set_params(n_candidates=c)
            return search.kneighbors(data.queries, K, return_distance=False)

        sweep(method, data, CANDIDATES[quick], query)

        def query_one(c, q, search=search):
            search.set_params(n_candidates=c)
            return search.kneighbors(q[None, :], K, return_distance=False)

        single_query_qps(method, data, query_one)
        method.search = search
        methods.append(method)

    # The default estimator: hasher=None (SRP-256, unpacked float codes).
    def build_default():
        return HashingNeighborsTransformer(metric=metric, n_jobs=1, random_state=0).fit(
            data.base
        )

    seconds, builds, search = time_build(build_default)
    method = Method(OURS, "default (SRP-256 unpacked)", "C", seconds, builds)
    print(f"  default estimator: build {seconds:.2f} s", flush=True)
    sweep(
        method,
        data,
        (search.n_candidates,),
        lambda c: search.kneighbors(data.queries, K, return_distance=False),
    )
    method.search = search
    methods.append(method)
    return methods


def breakdown(data, methods):
    """Where a batched kneighbors call of ours spends its time.

    For SRP-256 and the sparse hasher at m=2048 (at C = 100 and 1000):
    hashing the queries (``hasher_.transform``), the Hamming search
    (``index_.kneighbors(codes, C)``), and the rest of ``kneighbors``
    (re-ranking, sorting, validation) = whole call - the two. Then the
    whole call again under ``sklearn.config_context(working_memory=16)``,
    which bounds the re-ranking batches to 16 MiB.
    """
    import sklearn

    rows = []
    wanted = [m for m in methods if m.name in ("SRP-256 packed", "FlyHash m=2048 k=32")]
    for method in wanted:
        for c in (100, 1000):
            if c <= len(data.base):
                rows.append(_breakdown_row(data, method, c, sklearn))
    return rows


def _breakdown_row(data, method, c, sklearn):
    search = method.search.set_params(n_candidates=c)
    hash_s, _, codes = time_calls(lambda: search.hasher_.transform(data.queries))
    search_s, _, _ = time_calls(
        lambda: search.index_.kneighbors(codes, c, return_distance=False)
    )

    def whole():
        return search.kneighbors(data.queries, K, return_distance=False)

    whole_s, _, _ = time_calls(whole)
    with sklearn.config_context(working_memory=16):
        small_s, _, _ = time_calls(whole)
    rest_s = max(whole_s - hash_s - search_s, 0.0)
    return {
        "method": method.name,
        "C": c,
        "hash_ms_per_query": 1e3 * hash_s / N_QUERIES,
        "search_ms_per_query": 1e3 * search_s / N_QUERIES,
        "rerank_ms_per_query": 1e3 * rest_s / N_QUERIES,
        "whole_ms_per_query": 1e3 * whole_s / N_QUERIES,
        "whole_wm16_ms_per_query": 1e3 * small_s / N_QUERIES,
    }


# --------------------------------------------------------------------------
# Peers


def faiss_module():
    import faiss

    faiss.omp_set_num_threads(1)
    return faiss


def run_flat(data, faiss):
    def build():
        index = faiss.IndexFlatL2(data.base.shape[1])
        index.add(data.base)
        return index

    seconds, builds, index = time_build(build)
    method = Method("peer", FLAT, "k", seconds, builds)
    sweep(method, data, (K,), lambda _: index.search(data.queries, K)[1])
    single_query_qps(method, data, lambda _, q: index.search(q[None, :], K)[1])
    return [method]


def run_ivf(data, faiss, quick):
    n, d = data.base.shape
    nlist = round(4 * math.sqrt(n))

    def build():
        quantizer = faiss.IndexFlatL2(d)
        index = faiss.IndexIVFFlat(quantizer, d, nlist)
        # Only silences faiss's warning on SIFT-10k (9 000 < 39 x nlist points).
        index.cp.min_points_per_centroid = 1
        index.train(data.base)
        index.add(data.base)
        return index

    seconds, builds, index = time_build(build)
    method = Method("peer", f"{IVF} nlist={nlist}", "nprobe", seconds, builds)
    print(f"  {method.name}: build {seconds:.2f} s", flush=True)

    def query(nprobe):
        index.nprobe = nprobe
        return index.search(data.queries, K)[1]

    sweep(method, data, NPROBE[quick], query)

    def query_one(nprobe, q):
        index.nprobe = nprobe
        return index.search(q[None, :], K)[1]

    single_query_qps(method, data, query_one)
    return [method]


def run_hnsw(data, quick):
    import hnswlib

    n, d = data.base.shape

    def build():
        index = hnswlib.Index(space="l2", dim=d)
        index.init_index(max_elements=n, ef_construction=200, M=16, random_seed=100)
        index.set_num_threads(1)
        index.add_items(data.base, np.arange(n), num_threads=1)
        return index

    seconds, builds, index = time_build(build)
    method = Method("peer", f"{HNSW} M=16 efC=200", "ef", seconds, builds)
    print(f"  {method.name}: build {seconds:.2f} s", flush=True)

    def query(ef):
        index.set_ef(ef)
        return index.knn_query(data.queries, k=K, num_threads=1)[0]

    sweep(method, data, EF[quick], query)

    def query_one(ef, q):
        index.set_ef(ef)
        return index.knn_query(q[None, :], k=K, num_threads=1)[0]

    single_query_qps(method, data, query_one)
    return [method]


def run_nndescent(data, quick):
    import pynndescent

    def make(base):
        index = pynndescent.NNDescent(
            base, metric="euclidean", n_neighbors=30, n_jobs=1, random_state=0
        )
        index.prepare()
        return index

    start = time.perf_counter()
    warm = make(data.base[:WARMUP_ROWS])
    warm.query(data.queries[:20], k=K, epsilon=0.1)
    warm.query(data.queries[:1], k=K, epsilon=0.1)
    compile_s = time.perf_counter() - start
    del warm
    seconds, builds, index = time_build(lambda: make(data.base))
    note = f"numba warm-up (compilation) {compile_s:.1f} s excluded"
    method = Method("peer", f"{NNDESCENT} n_neighbors=30", "epsilon", seconds, builds)
    method.note = note
    print(f"  {method.name}: build {seconds:.2f} s ({note})", flush=True)

    def query(epsilon):
        return index.query(data.queries, k=K, epsilon=epsilon)[0]

    sweep(method, data, EPSILONS[quick], query)
    single_query_qps(
        method, data, lambda e, q: index.query(q[None, :], k=K, epsilon=e)[0]
    )
    return [method]


def run_annoy(data, quick):
    import annoy

    d = data.base.shape[1]
    methods = []
    for trees in ANNOY_TREES[quick]:

        def build(trees=trees):
            index = annoy.AnnoyIndex(d, "euclidean")
            index.set_seed(0)
            for i, row in enumerate(data.base):
                index.add_item(i, row)
            index.build(trees, n_jobs=1)
            return index

        seconds, builds, index = time_build(build)
        method = Method("peer", f"{ANNOY} n_trees={trees}", "search_k", seconds, builds)
        print(f"  {method.name}: build {seconds:.2f} s", flush=True)

        def query(search_k, index=index):
            return np.array(
                [index.get_nns_by_vector(q, K, search_k) for q in data.queries]
            )

        sweep(method, data, SEARCH_K[quick], query)
        single_query_qps(
            method,
            data,
            lambda s, q, index=index: index.get_nns_by_vector(q, K, s),
        )
        methods.append(method)
    return methods


# --------------------------------------------------------------------------
# Report


def best_at_recall(methods):
    """(method, point) with the highest QPS among points with recall >= target."""
    best = None
    for method in methods:
        for point in method.points:
            if point["recall"] >= RECALL_TARGET and (
                best is None or point["qps"] > best[1]["qps"]
            ):
                best = (method, point)
    return best


def print_table(data, methods):
    print(f"\n[{BENCHMARK}] {data.label}: {data.note}")
    header = ("method", "param", "recall@10", "QPS", "build s")
    rows = []
    for method in methods:
        for point in method.points:
            rows.append(
                (
                    method.name,
                    f"{method.parameter}={point['value']}",
                    f"{point['recall']:.4f}",
                    f"{point['qps']:,.0f}",
                    f"{method.build_s:.3f}",
                )
            )
    _print_rows(header, rows)
    print(f"\n[{BENCHMARK}] {data.label}: one query per call ({N_SINGLE} queries)")
    header = ("method", "param", "recall@10", "QPS single", "QPS batched")
    rows = [
        (
            m.name,
            f"{m.parameter}={m.single['value']}",
            f"{m.single['recall']:.4f}",
            f"{m.single['qps']:,.0f}",
            f"{m.single['batched_qps']:,.0f}",
        )
        for m in methods
        if m.single is not None
    ]
    _print_rows(header, rows)


def print_breakdown(data, rows):
    if not rows:
        return
    print(
        f"\n[{BENCHMARK}] {data.label}: where our batched query time goes, "
        f"ms per query (rerank = whole call - hashing - Hamming search; "
        f"wm16 = whole call under working_memory=16)"
    )
    header = ("method", "C", "hash", "search", "rerank", "whole", "whole wm16")
    table = [
        (
            row["method"],
            str(row["C"]),
            f"{row['hash_ms_per_query']:.4f}",
            f"{row['search_ms_per_query']:.4f}",
            f"{row['rerank_ms_per_query']:.4f}",
            f"{row['whole_ms_per_query']:.4f}",
            f"{row['whole_wm16_ms_per_query']:.4f}",
        )
        for row in rows
    ]
    _print_rows(header, table)


def _print_rows(header, rows):
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join(
        cell.ljust(width) if i == 0 else cell.rjust(width)
        for i, (cell, width) in enumerate(zip(header, widths))
    )
    print(line)
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths))
            )
        )
    sys.stdout.flush()


def summary(data, methods):
    """Print the project's comparisons and return their records."""
    ours = [m for m in methods if m.family == OURS]
    by_peer = {
        HNSW: [m for m in methods if m.name.startswith(HNSW)],
        NNDESCENT: [m for m in methods if m.name.startswith(NNDESCENT)],
        ANNOY: [m for m in methods if m.name.startswith(ANNOY)],
        IVF: [m for m in methods if m.name.startswith(IVF)],
        FLAT: [m for m in methods if m.name == FLAT],
    }
    records = []
    # Our fastest index to build among those that reach the recall target at
    # some C (a fast index that never finds the neighbours proves nothing).
    fastest_any = min(ours, key=lambda m: m.build_s)
    useful = [m for m in ours if any(p["recall"] >= RECALL_TARGET for p in m.points)]
    fastest = min(useful or ours, key=lambda m: m.build_s)
    default = next(m for m in ours if m.name.startswith("default"))
    print(f"\n[{BENCHMARK}] {data.label}: summary")
    print(
        f"  build: our fastest index reaching recall@10 >= {RECALL_TARGET} "
        f"{fastest.name} {fastest.build_s:.3f} s; fastest of all {fastest_any.name} "
        f"{fastest_any.build_s:.3f} s; the default estimator {default.build_s:.3f} s"
    )
    for peer, peer_methods in by_peer.items():
        if not peer_methods:
            continue
        peer_method = min(peer_methods, key=lambda m: m.build_s)
        ratio = peer_method.build_s / fastest.build_s
        targeted = peer in (HNSW, NNDESCENT)
        met = ratio >= BUILD_TARGET
        print(
            f"  build vs {peer_method.name}: {peer_method.build_s:.3f} s / "
            f"{fastest.build_s:.3f} s = {ratio:.2f}x"
            + (
                f" (target >= {BUILD_TARGET:.0f}x: {'met' if met else 'NOT MET'})"
                if targeted
                else ""
            )
            + f"; default estimator: {peer_method.build_s / default.build_s:.2f}x"
        )
        record = {
            "benchmark": BENCHMARK,
            "case": f"{data.name} build",
            "metric": "build s",
            "ours": fastest.build_s,
            "peer": peer_method.name,
            "peer_value": peer_method.build_s,
            "ratio": ratio,
            "ratio_meaning": BUILD_RATIO,
            "note": f"ours: {fastest.name} (fastest reaching recall "
            f"{RECALL_TARGET}); default estimator {default.build_s:.3f} s "
            f"({peer_method.build_s / default.build_s:.2f}x)",
        }
        if targeted:
            record["target"] = f"ratio >= {BUILD_TARGET:.0f}"
            record["target_met"] = bool(met)
        records.append(record)

    ours_best = best_at_recall(ours)
    if ours_best is None:
        top = max(
            ((m, p) for m in ours for p in m.points), key=lambda mp: mp[1]["recall"]
        )
        print(
            f"  QPS at recall@10 >= {RECALL_TARGET}: ours never reaches it "
            f"(best recall {top[1]['recall']:.4f}, {top[0].name} C={top[1]['value']})"
        )
        ours_qps, ours_label = 0.0, "none reaches the recall"
    else:
        ours_qps = ours_best[1]["qps"]
        ours_label = f"{ours_best[0].name} C={ours_best[1]['value']}"
        print(
            f"  QPS at recall@10 >= {RECALL_TARGET}: ours best {ours_qps:,.0f} q/s "
            f"({ours_label}, recall {ours_best[1]['recall']:.4f})"
        )
    for peer, peer_methods in by_peer.items():
        if not peer_methods:
            continue
        peer_best = best_at_recall(peer_methods)
        targeted = peer == HNSW
        if peer_best is None:
            print(f"  vs {peer}: never reaches recall {RECALL_TARGET}")
            continue
        method, point = peer_best
        ratio = ours_qps / point["qps"]
        met = ratio >= QPS_TARGET
        verdict = ""
        if targeted:
            verdict = f" (target >= 1/3: {'met' if met else 'NOT MET'})"
        where = "we are faster" if ratio >= 1 else f"we are {1 / ratio:.1f}x slower"
        if ratio == 0:
            where = "we do not reach the recall"
        print(
            f"  vs {method.name} {method.parameter}={point['value']} "
            f"({point['qps']:,.0f} q/s, recall {point['recall']:.4f}): "
            f"ours / peer = {ratio:.3f}{verdict}; {where}"
        )
        record = {
            "benchmark": BENCHMARK,
            "case": f"{data.name} QPS at recall@10 >= {RECALL_TARGET}",
            "metric": "queries/s, batched",
            "ours": ours_qps,
            "peer": f"{method.name} {method.parameter}={point['value']}",
            "peer_value": point["qps"],
            "ratio": ratio,
            "ratio_meaning": QPS_RATIO,
            "note": f"ours: {ours_label}",
        }
        if targeted:
            record["target"] = "ratio >= 0.333"
            record["target_met"] = bool(met)
        records.append(record)

    # One query per call: ours (its best setting) against hnswlib.
    singles = [m for m in ours if m.single is not None]
    hnsw = by_peer[HNSW]
    if singles and hnsw and hnsw[0].single is not None:
        mine = max(
            singles,
            key=lambda m: (m.single["recall"] >= RECALL_TARGET, m.single["qps"]),
        )
        peer = hnsw[0]
        ratio = mine.single["qps"] / peer.single["qps"]
        print(
            f"  one query per call: ours {mine.single['qps']:,.0f} q/s "
            f"({mine.name} C={mine.single['value']}) vs {peer.name} "
            f"ef={peer.single['value']} {peer.single['qps']:,.0f} q/s: {ratio:.3f}"
        )
        records.append(
            {
                "benchmark": BENCHMARK,
                "case": f"{data.name} one query per call",
                "metric": "queries/s, 1 per call",
                "ours": mine.single["qps"],
                "peer": f"{peer.name} ef={peer.single['value']}",
                "peer_value": peer.single["qps"],
                "ratio": ratio,
                "ratio_meaning": QPS_RATIO,
                "note": f"ours: {mine.name} C={mine.single['value']} "
                f"(recall {mine.single['recall']:.3f} on {N_SINGLE} queries)",
            }
        )
    sys.stdout.flush()
    return records


def print_protocol(quick):
    sparse = [f"{f} m={m} k={k}" for f, m, k in SPARSE_HASHERS[quick]]
    print(
        f"[{BENCHMARK}] protocol{' (quick)' if quick else ''}: one thread everywhere; "
        f"{N_QUERIES} held-out queries (default_rng({SPLIT_SEED})), k={K}; "
        f"recall@10 tie-tolerant (true distance <= 10th true distance + "
        f"{RECALL_EPSILON}); batched QPS = {N_QUERIES} queries in one call, best of "
        f"up to {QUERY_REPEATS} calls ({QUERY_BUDGET_S:.0f} s budget per point); "
        f"one-query-per-call QPS on {N_SINGLE} queries at each method's fastest "
        f"setting with recall >= {RECALL_TARGET}; build = wall time, best of up to "
        f"{BUILD_REPEATS} ({BUILD_BUDGET_S:.0f} s budget), pynndescent's numba "
        f"compilation excluded (warm-up on {WARMUP_ROWS:,} rows).\n"
        f"  datasets: {', '.join(DATASETS[quick])} (GloVe: unit rows, cosine; "
        f"base {'all 399,000' if GLOVE_BASE is None else f'{GLOVE_BASE:,}'} rows).\n"
        f"  ours: HashingNeighborsTransformer with SRP bits {SRP_BITS[quick]} "
        f"(packed_output=True), {sparse}"
        f" (BioHash lr 0.5, 20 epochs, fit on <= {BIOHASH_FIT_ROWS:,} rows), "
        f"C in {CANDIDATES[quick]}; the default estimator at C=100.\n"
        f"  peers: hnswlib M=16 efC=200 ef {EF[quick]}; pynndescent n_neighbors=30 "
        f"epsilon {EPSILONS[quick]}; annoy n_trees {ANNOY_TREES[quick]} search_k "
        f"{SEARCH_K[quick]}; faiss IVFFlat nlist=4 sqrt(N) nprobe {NPROBE[quick]}; "
        f"faiss IndexFlatL2 exact.",
        flush=True,
    )


def peer_versions():
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("faiss-cpu", "hnswlib", "pynndescent", "annoy", GLOVE_PACKAGE):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return versions


def curves_path(quick):
    return os.path.join(RESULTS_DIR, f"ann_recall{'_quick' if quick else ''}.json")


def run(quick, curves=None):
    """All records of this benchmark (see the module docstring)."""
    import numba

    print_protocol(quick)
    versions = peer_versions()
    print(f"  versions: {', '.join(f'{k} {v}' for k, v in versions.items())}")
    faiss = faiss_module()
    numba_threads = numba.get_num_threads()
    numba.set_num_threads(1)
    started = time.perf_counter()
    records, output = (
        [],
        {
            "benchmark": BENCHMARK,
            "quick": quick,
            "protocol": __doc__,
            "environment": environment(),
            "peer_versions": versions,
            "datasets": {},
        },
    )
    try:
        with threadpool_limits(limits=1):
            for name in DATASETS[quick]:
                start = time.perf_counter()
                data = load_dataset(name)
                data.set_ground_truth(faiss)
                print(
                    f"\n[{BENCHMARK}] {data.label}: {data.note} (loaded, ground "
                    f"truth in {time.perf_counter() - start:.1f} s)",
                    flush=True,
                )
                methods = run_ours(data, quick)
                rows = breakdown(data, methods)
                methods += run_flat(data, faiss)
                methods += run_hnsw(data, quick)
                if not quick:
                    methods += run_nndescent(data, quick)
                methods += run_annoy(data, quick)
                methods += run_ivf(data, faiss, quick)
                print_table(data, methods)
                print_breakdown(data, rows)
                records += summary(data, methods)
                output["datasets"][name] = {
                    "label": data.label,
                    "description": data.note,
                    "n_base": int(data.base.shape[0]),
                    "n_queries": int(data.queries.shape[0]),
                    "dim": int(data.base.shape[1]),
                    "metric": data.metric,
                    "methods": [m.as_json() for m in methods],
                    "breakdown": rows,
                    "seconds": time.perf_counter() - start,
                }
                for method in methods:
                    method.search = None
                del data, methods
                gc.collect()
    finally:
        numba.set_num_threads(numba_threads)
    output["total_s"] = time.perf_counter() - started
    output["records"] = records
    path = curves or curves_path(quick)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(output, out, indent=1, default=_json_default)
    print(
        f"\n[{BENCHMARK}] curves written to {path} ({output['total_s']:.0f} s in all)",
        flush=True,
    )
    return records


def _json_default(value):
    if isinstance(value, np.integer | np.floating):
        return value.item()
    raise TypeError(f"not JSON serialisable: {value!r}")


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SIFT only, few settings")
    parser.add_argument("--curves", metavar="PATH", help="where to write the curves")
    args = parser.parse_args()
    for record in run(args.quick, args.curves):
        print(record)


if __name__ == "__main__":
    main()
