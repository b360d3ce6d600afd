"""HammingNeighbors: exact Hamming k-NN against faiss and scikit-learn, one thread.

Every method runs on ONE thread: ``HammingNeighbors(n_jobs=1)``,
``faiss.omp_set_num_threads(1)``, and ``threadpoolctl`` limits of 1 (BLAS and
OpenMP, which scikit-learn's brute-force search uses). Timings are the best of
3 interleaved repeats (``_common.interleaved_times``; the median is in the
record), after a warm-up that compiles the numba kernels on a small fit and
query and runs every timed call once. QPS = queries / seconds of the call(s).

1. Dense random codes (``hamming_search.dense_*``). N = 10^6 stored codes
   (``--quick``: 20 000) and 1 000 queries (``--quick``: 50), k = 10, at
   64, 256 and 1024 bits. Codes are uniform random bytes, already packed
   (``np.packbits`` layout, uint8): stored codes from
   ``np.random.default_rng([0, n_bits]).integers(0, 256, (N, n_bits // 8),
   dtype=np.uint8)``, queries the same with ``default_rng([1, n_bits])``.

   - batched: all queries in one call. Ours:
     ``HammingNeighbors(10, algorithm="packed", packed_input=True,
     n_jobs=1)``, fitted on the uint8 codes and queried with uint8 codes
     (the time includes the input validation and conversion). Peer: faiss
     ``IndexBinaryFlat(n_bits)`` on the same uint8 codes. Ratio = our QPS /
     faiss QPS, target >= 0.7.
   - single: the first 100 queries (``--quick``: 50), one query per call
     in a Python loop, same two methods; no target.
   - sklearn: ``NearestNeighbors(n_neighbors=10, metric="hamming",
     algorithm="brute")`` on the unpacked bits (``np.unpackbits``) as
     float64 and as bool. It is far too slow for 10^6 x 1024 bits, so it
     runs on a subsample: the first 50 000 stored codes (``--quick``:
     5 000) and the first 100 queries (``--quick``: 20), one call. Brute
     force costs one distance per (query, stored code), so the methods are
     compared by the time per query per stored code: seconds / (queries x
     stored codes), in ns. Ours is taken from the batched run at full N.
     Ratio = sklearn ns / our ns, target >= 50. Our index fitted on the
     same subsample is timed on the same queries for the note, and checked
     against sklearn's distances x n_bits (index differences among equal
     distances are counted separately: sklearn's tie order is not ours).
   - build: fit / ``add`` seconds and index bytes (ours ``index_bytes_``,
     faiss ``ntotal * code_size``); ratio = faiss seconds / ours; no target.

2. Sparse winner-take-all codes (``hamming_search.sparse*``). N = 10^6
   stored rows (``--quick``: 20 000) with exactly 32 ones among m units,
   m = 2000 and m = 10000; the 32 units of each row are uniform without
   replacement (Floyd's algorithm, vectorised over rows in chunks of 65 536
   rows), stored rows from ``np.random.default_rng([2, m])``, 1 000 queries
   (``--quick``: 50) drawn the same way from ``default_rng([3, m])``;
   k_nn = 10. Methods: ours ``HammingNeighbors(10,
   algorithm="inverted_index", n_jobs=1)`` and ``algorithm="packed"`` on
   the CSR float32 codes (k sorted ones per row, like FlyHashTransformer's
   output), and faiss ``IndexBinaryFlat(m)`` on ``np.packbits`` of the
   codes (m is a multiple of 8, so no padding is needed). Records: QPS of
   inverted / faiss (target >= 3 at m = 2000), packed / faiss, inverted /
   packed; fit seconds (best of 3) and index bytes; the path
   ``algorithm="auto"`` picks (``fit_method_``, in the notes).

Correctness (``hamming_search.correctness``): our distances and indices
against faiss on every query, and against a NumPy reference on the first 50
queries of each dense case and 20 of each sparse case: XOR and
``np.bitwise_count`` on the codes as uint64 words (bytes zero-padded to a
multiple of 8), top k by ``np.lexsort`` on (distance, index), i.e. ties to
the lowest index. Ours and faiss both break ties by the lowest index, so
they must agree exactly; a query whose indices differ while its distances
agree is reported as a tie-only difference. The value is the number of
queries that differ; ratio = fraction that agree, target: all agree.
"""

import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import MIB, interleaved_times, median, script_main

BENCHMARK = "hamming_search"
K = 10
REPEATS = 3
DENSE_BITS = (64, 256, 1024)
WTA_ONES = 32
WTA_UNITS = (2000, 10000)
SIZES = {
    False: {
        "n_rows": 10**6,
        "n_queries": 1000,
        "n_single": 100,
        "sklearn_rows": 50_000,
        "sklearn_queries": 100,
        "check_dense": 50,
        "check_sparse": 20,
    },
    True: {
        "n_rows": 20_000,
        "n_queries": 50,
        "n_single": 50,
        "sklearn_rows": 5_000,
        "sklearn_queries": 20,
        "check_dense": 50,
        "check_sparse": 20,
    },
}
CHUNK_ROWS = 2**16
DENSE_SEED, DENSE_QUERY_SEED, WTA_SEED, WTA_QUERY_SEED = 0, 1, 2, 3

FAISS = "faiss IndexBinaryFlat"
QPS_RATIO = "our QPS / peer QPS"
NS_RATIO = "peer ns per (query x stored code) / ours"
BUILD_RATIO = "peer build seconds / ours"
AGREE_RATIO = "fraction of queries that agree"
FAISS_TARGET = ("ratio >= 0.7", 0.7)
SKLEARN_TARGET = ("ratio >= 50", 50.0)
INVERTED_TARGET = ("ratio >= 3 (m = 2000)", 3.0)


# --------------------------------------------------------------------------
# Data


def dense_codes(n_bits, n_rows, n_queries):
    """Uniform random packed codes (uint8) and queries, seeded by n_bits."""
    n_bytes = n_bits // 8
    stored = np.random.default_rng([DENSE_SEED, n_bits]).integers(
        0, 256, (n_rows, n_bytes), dtype=np.uint8
    )
    queries = np.random.default_rng([DENSE_QUERY_SEED, n_bits]).integers(
        0, 256, (n_queries, n_bytes), dtype=np.uint8
    )
    return stored, queries


def winner_units(rng, n_rows, n_units, n_ones):
    """Sorted int32 (n_rows, n_ones): n_ones distinct units of n_units per row.

    Floyd's algorithm, vectorised over a chunk of rows: for j = m - k, ...,
    m - 1 draw t uniform in [0, j] and take t, or j if t is already taken.
    Every k-subset is equally likely.
    """
    out = np.empty((n_rows, n_ones), dtype=np.int32)
    for start in range(0, n_rows, CHUNK_ROWS):
        rows = min(CHUNK_ROWS, n_rows - start)
        chosen = np.empty((rows, n_ones), dtype=np.int32)
        for i, j in enumerate(range(n_units - n_ones, n_units)):
            draw = rng.integers(0, j + 1, size=rows, dtype=np.int32)
            taken = (chosen[:, :i] == draw[:, None]).any(axis=1)
            chosen[:, i] = np.where(taken, j, draw)
        chosen.sort(axis=1)
        out[start : start + rows] = chosen
    return out


def units_to_csr(units, n_units):
    """CSR float32 of ones from sorted unit indices (one row per code)."""
    n_rows, n_ones = units.shape
    indptr = np.arange(0, n_rows * n_ones + 1, n_ones, dtype=np.int64)
    data = np.ones(n_rows * n_ones, dtype=np.float32)
    return sp.csr_matrix((data, units.ravel(), indptr), shape=(n_rows, n_units))


def units_to_packed(units, n_units):
    """np.packbits (big bit order, uint8) of the codes, chunk by chunk."""
    n_rows = units.shape[0]
    packed = np.empty((n_rows, -(-n_units // 8)), dtype=np.uint8)
    chunk = max(1, 2**28 // n_units)  # at most 256 MiB of bools at a time
    for start in range(0, n_rows, chunk):
        stop = min(start + chunk, n_rows)
        bits = np.zeros((stop - start, n_units), dtype=bool)
        np.put_along_axis(bits, units[start:stop].astype(np.intp), True, axis=1)
        packed[start:stop] = np.packbits(bits, axis=1)
    return packed


# --------------------------------------------------------------------------
# Reference and comparisons


def _as_words(packed_bytes):
    """uint8 codes as uint64 words, zero-padded to a multiple of 8 bytes."""
    pad = -packed_bytes.shape[1] % 8
    if pad:
        packed_bytes = np.pad(packed_bytes, ((0, 0), (0, pad)))
    return np.ascontiguousarray(packed_bytes).view(np.uint64)


def reference_top_k(stored, queries, k):
    """NumPy brute force: XOR + bitwise_count, top k by lexsort(distance, index)."""
    n_rows = stored.shape[0]
    query_words = _as_words(queries)
    distances = np.empty((len(queries), n_rows), dtype=np.int64)
    for start in range(0, n_rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n_rows)
        words = _as_words(stored[start:stop])
        for i, query in enumerate(query_words):
            counts = np.bitwise_count(words ^ query)
            distances[i, start:stop] = counts.sum(axis=1, dtype=np.int64)
    top_d = np.empty((len(queries), k), dtype=np.int64)
    top_i = np.empty((len(queries), k), dtype=np.int64)
    for i, row in enumerate(distances):
        kth = np.partition(row, k - 1)[k - 1]
        candidates = np.flatnonzero(row <= kth)
        order = np.lexsort((candidates, row[candidates]))[:k]
        top_i[i] = candidates[order]
        top_d[i] = row[top_i[i]]
    return top_d, top_i


def compare(ours, peer):
    """Counts of queries whose distances / indices differ between two answers."""
    d_ours, i_ours = ours
    d_peer, i_peer = peer
    distance_rows = np.any(np.asarray(d_ours) != np.asarray(d_peer), axis=1)
    index_rows = np.any(np.asarray(i_ours) != np.asarray(i_peer), axis=1)
    return {
        "n": len(i_ours),
        "distances_differ": int(distance_rows.sum()),
        "indices_differ": int(index_rows.sum()),
        "tie_only": int((index_rows & ~distance_rows).sum()),
        "differ": int((index_rows | distance_rows).sum()),
    }


def describe(result):
    return (
        f"{result['differ']}/{result['n']} queries differ "
        f"(distances {result['distances_differ']}, indices {result['indices_differ']}"
        f", of which tie-only {result['tie_only']})"
    )


def correctness_record(case, peer, result, ties_may_differ=False):
    """A record of ``compare``; with ``ties_may_differ`` only distances count."""
    differ = result["distances_differ"] if ties_may_differ else result["differ"]
    agree = 1.0 - differ / max(result["n"], 1)
    return {
        "benchmark": f"{BENCHMARK}.correctness",
        "case": case,
        "metric": "queries, distances differ"
        if ties_may_differ
        else "queries that differ",
        "ours": float(differ),
        "peer": peer,
        "peer_value": float(result["n"]),
        "ratio": agree,
        "ratio_meaning": AGREE_RATIO,
        "target": "distances agree" if ties_may_differ else "all agree",
        "target_met": bool(differ == 0),
        "note": describe(result),
        **{f"check_{key}": value for key, value in result.items()},
    }


# --------------------------------------------------------------------------
# Methods


def faiss_module():
    import faiss

    faiss.omp_set_num_threads(1)
    return faiss


def faiss_index(faiss, packed, n_bits):
    index = faiss.IndexBinaryFlat(n_bits)
    index.add(packed)
    return index


def faiss_bytes(index):
    return int(index.ntotal) * int(index.code_size)


def warm_up(faiss):
    """Compile every numba kernel this benchmark calls (packed and inverted)."""
    from sklearn_kexue.neighbors import HammingNeighbors

    stored, queries = dense_codes(64, 3000, 40)
    HammingNeighbors(K, algorithm="packed", packed_input=True, n_jobs=1).fit(
        stored
    ).kneighbors(queries)
    units = winner_units(np.random.default_rng(99), 3000, 200, 8)
    codes = units_to_csr(units, 200)
    for algorithm in ("packed", "inverted_index", "auto"):
        HammingNeighbors(K, algorithm=algorithm, n_jobs=1).fit(codes).kneighbors(
            codes[:40]
        )
    faiss_index(faiss, stored, 64).search(queries, K)


def best_fit(fits):
    """Best-of-REPEATS seconds of zero-argument fit callables, interleaved."""
    times = interleaved_times(fits, REPEATS)
    return {name: min(values) for name, values in times.items()}, times


# --------------------------------------------------------------------------
# Records


def _qps_record(benchmark, case, peer, n_queries, times, ours, other, note, target):
    ours_qps = n_queries / min(times[ours])
    peer_qps = n_queries / min(times[other])
    ratio = ours_qps / peer_qps
    record = {
        "benchmark": benchmark,
        "case": case,
        "metric": "queries/s (best of 3)",
        "ours": ours_qps,
        "peer": peer,
        "peer_value": peer_qps,
        "ratio": ratio,
        "ratio_meaning": QPS_RATIO,
        "ours_median_qps": n_queries / median(times[ours]),
        "peer_median_qps": n_queries / median(times[other]),
        "repeats": len(times[ours]),
        "note": note,
    }
    if target is not None:
        record["target"], threshold = target
        record["target_met"] = bool(ratio >= threshold)
    return record


def _build_record(benchmark, case, ours_s, peer, peer_s, note):
    return {
        "benchmark": benchmark,
        "case": case,
        "metric": "build s (best of 3)",
        "ours": ours_s,
        "peer": peer,
        "peer_value": peer_s,
        "ratio": peer_s / ours_s,
        "ratio_meaning": BUILD_RATIO,
        "note": note,
    }


# --------------------------------------------------------------------------
# 1. Dense random codes


def dense_case(n_bits, sizes, faiss, table):
    from sklearn.neighbors import NearestNeighbors

    from sklearn_kexue.neighbors import HammingNeighbors

    n_rows, n_queries = sizes["n_rows"], sizes["n_queries"]
    n_single = min(sizes["n_single"], n_queries)
    case = f"{n_bits} bits, N={n_rows:,}, {n_queries} queries, k={K}"
    print(f"[{BENCHMARK}] dense {case}", flush=True)
    stored, queries = dense_codes(n_bits, n_rows, n_queries)
    records = []

    def fit_ours(codes=stored):
        return HammingNeighbors(K, algorithm="packed", packed_input=True, n_jobs=1).fit(
            codes
        )

    build, _ = best_fit(
        {"ours": fit_ours, "faiss": lambda: faiss_index(faiss, stored, n_bits)}
    )
    ours = fit_ours()
    index = faiss_index(faiss, stored, n_bits)
    records.append(
        _build_record(
            f"{BENCHMARK}.build",
            f"dense {n_bits} bits, N={n_rows:,}",
            build["ours"],
            FAISS,
            build["faiss"],
            f"index bytes: ours {ours.index_bytes_:,}, faiss {faiss_bytes(index):,}; "
            f"ours fit_method_={ours.fit_method_}",
        )
    )

    # Correctness (and warm-up of every timed call).
    answer = ours.kneighbors(queries)
    faiss_answer = index.search(queries, K)
    versus_faiss = compare(answer, faiss_answer)
    n_check = min(sizes["check_dense"], n_queries)
    reference = reference_top_k(stored, queries[:n_check], K)
    versus_reference = compare((answer[0][:n_check], answer[1][:n_check]), reference)
    single = [ours.kneighbors(queries[i : i + 1]) for i in range(n_single)]
    single = (
        np.vstack([d for d, _ in single]),
        np.vstack([i for _, i in single]),
    )
    versus_single = compare(single, (answer[0][:n_single], answer[1][:n_single]))
    for i in range(n_single):  # warm faiss's single-query calls too
        index.search(queries[i : i + 1], K)
    records.append(correctness_record(f"dense {n_bits} bits", FAISS, versus_faiss))
    records.append(
        correctness_record(
            f"dense {n_bits} bits", "numpy bitwise_count + lexsort", versus_reference
        )
    )
    records.append(
        correctness_record(
            f"dense {n_bits} bits", "ours, one query per call", versus_single
        )
    )
    print(
        f"  vs faiss: {describe(versus_faiss)}; vs numpy reference: "
        f"{describe(versus_reference)}",
        flush=True,
    )

    # Batched and single-query speed.
    batched = interleaved_times(
        {
            "ours": lambda: ours.kneighbors(queries),
            "faiss": lambda: index.search(queries, K),
        },
        REPEATS,
    )
    records.append(
        _qps_record(
            f"{BENCHMARK}.dense_batched",
            case,
            FAISS,
            n_queries,
            batched,
            "ours",
            "faiss",
            f"one call with all {n_queries} queries; ours packed_input=True",
            FAISS_TARGET,
        )
    )
    singles = interleaved_times(
        {
            "ours": lambda: [
                ours.kneighbors(queries[i : i + 1]) for i in range(n_single)
            ],
            "faiss": lambda: [
                index.search(queries[i : i + 1], K) for i in range(n_single)
            ],
        },
        REPEATS,
    )
    records.append(
        _qps_record(
            f"{BENCHMARK}.dense_single",
            f"{n_bits} bits, N={n_rows:,}, {n_single} calls of 1 query, k={K}",
            FAISS,
            n_single,
            singles,
            "ours",
            "faiss",
            f"ms/query: ours {min(singles['ours']) / n_single * 1e3:.3f}, "
            f"faiss {min(singles['faiss']) / n_single * 1e3:.3f}",
            None,
        )
    )

    # scikit-learn on a subsample, compared per (query x stored code).
    sk_rows = min(sizes["sklearn_rows"], n_rows)
    sk_queries = min(sizes["sklearn_queries"], n_queries)
    sub_bits = np.unpackbits(stored[:sk_rows], axis=1)
    query_bits = np.unpackbits(queries[:sk_queries], axis=1)
    ours_sub = fit_ours(stored[:sk_rows])
    sub_answer = ours_sub.kneighbors(queries[:sk_queries])
    methods = {
        "ours (same subsample)": lambda: ours_sub.kneighbors(queries[:sk_queries])
    }
    sklearn_answers = {}
    for dtype in (np.float64, bool):
        name = f"sklearn brute hamming, {np.dtype(dtype).name}"
        nn = NearestNeighbors(n_neighbors=K, metric="hamming", algorithm="brute")
        nn.fit(sub_bits.astype(dtype))
        dtype_queries = query_bits.astype(dtype)
        distances, indices = nn.kneighbors(dtype_queries)
        sklearn_answers[name] = (np.rint(distances * n_bits), indices)
        methods[name] = lambda nn=nn, q=dtype_queries: nn.kneighbors(q)
    sk_times = interleaved_times(methods, REPEATS)
    ours_ns = min(batched["ours"]) / (n_queries * n_rows) * 1e9
    ours_sub_ns = min(sk_times["ours (same subsample)"]) / (sk_queries * sk_rows) * 1e9
    sklearn_ns = {}
    for name, answer_sk in sklearn_answers.items():
        agreement = compare(sub_answer, answer_sk)
        peer_ns = min(sk_times[name]) / (sk_queries * sk_rows) * 1e9
        sklearn_ns[name] = peer_ns
        ratio = peer_ns / ours_ns
        records.append(
            {
                "benchmark": f"{BENCHMARK}.dense_sklearn",
                "case": f"{n_bits} bits",
                "metric": "ns per query per stored code",
                "ours": ours_ns,
                "peer": f"{name} (N={sk_rows:,}, {sk_queries} q)",
                "peer_value": peer_ns,
                "ratio": ratio,
                "ratio_meaning": NS_RATIO,
                "target": SKLEARN_TARGET[0],
                "target_met": bool(ratio >= SKLEARN_TARGET[1]),
                "ours_same_subsample_ns": ours_sub_ns,
                "note": (
                    f"ours at N={n_rows:,}, {n_queries} q; ours on sklearn's "
                    f"subsample {ours_sub_ns:.3g} ns "
                    f"(ratio {peer_ns / ours_sub_ns:.0f}); "
                    f"distances x n_bits vs ours: {agreement['distances_differ']} "
                    f"queries differ, tie-order only {agreement['tie_only']}"
                ),
            }
        )
        records.append(
            correctness_record(
                f"dense {n_bits} bits, N={sk_rows:,}",
                name,
                agreement,
                ties_may_differ=True,
            )
        )
    table.append(
        {
            "bits": n_bits,
            "ours_qps": n_queries / min(batched["ours"]),
            "faiss_qps": n_queries / min(batched["faiss"]),
            "ours_single_qps": n_single / min(singles["ours"]),
            "faiss_single_qps": n_single / min(singles["faiss"]),
            "ours_ns": ours_ns,
            "sklearn_ns": sklearn_ns,
            "ours_build": build["ours"],
            "faiss_build": build["faiss"],
        }
    )
    return records


# --------------------------------------------------------------------------
# 2. Sparse winner-take-all codes


def sparse_case(n_units, sizes, faiss, table):
    from sklearn_kexue.neighbors import HammingNeighbors

    n_rows, n_queries = sizes["n_rows"], sizes["n_queries"]
    case = f"k={WTA_ONES} of m={n_units}, N={n_rows:,}, {n_queries} q, k_nn={K}"
    print(f"[{BENCHMARK}] sparse {case}", flush=True)
    start = time.perf_counter()
    units = winner_units(
        np.random.default_rng([WTA_SEED, n_units]), n_rows, n_units, WTA_ONES
    )
    query_units = winner_units(
        np.random.default_rng([WTA_QUERY_SEED, n_units]), n_queries, n_units, WTA_ONES
    )
    codes = units_to_csr(units, n_units)
    queries = units_to_csr(query_units, n_units)
    packed = units_to_packed(units, n_units)
    packed_queries = units_to_packed(query_units, n_units)
    del units
    print(f"  data generated in {time.perf_counter() - start:.1f} s", flush=True)

    def fit(algorithm):
        return HammingNeighbors(K, algorithm=algorithm, n_jobs=1).fit(codes)

    build, _ = best_fit(
        {
            "inverted": lambda: fit("inverted_index"),
            "packed": lambda: fit("packed"),
            "faiss": lambda: faiss_index(faiss, packed, n_units),
        }
    )
    start = time.perf_counter()
    auto = fit("auto")
    auto_seconds = time.perf_counter() - start
    auto_method = auto.fit_method_
    del auto
    inverted = fit("inverted_index")
    packed_ours = fit("packed")
    index = faiss_index(faiss, packed, n_units)
    index_bytes = {
        "inverted": inverted.index_bytes_,
        "packed": packed_ours.index_bytes_,
        "faiss": faiss_bytes(index),
    }

    answers = {
        "inverted": inverted.kneighbors(queries),
        "packed": packed_ours.kneighbors(queries),
        "faiss": index.search(packed_queries, K),
    }
    n_check = min(sizes["check_sparse"], n_queries)
    reference = reference_top_k(packed, packed_queries[:n_check], K)
    records = []
    label = f"sparse m={n_units}"
    for name, peer_name, peer in (
        ("inverted", FAISS, answers["faiss"]),
        ("packed", FAISS, answers["faiss"]),
        ("inverted", "ours packed", answers["packed"]),
    ):
        result = compare(answers[name], peer)
        records.append(correctness_record(f"{label}, ours {name}", peer_name, result))
        print(f"  ours {name} vs {peer_name}: {describe(result)}", flush=True)
    for name in ("inverted", "packed"):
        ours = (answers[name][0][:n_check], answers[name][1][:n_check])
        result = compare(ours, reference)
        records.append(
            correctness_record(
                f"{label}, ours {name}", "numpy bitwise_count + lexsort", result
            )
        )
        print(f"  ours {name} vs numpy reference: {describe(result)}", flush=True)
    del answers

    times = interleaved_times(
        {
            "inverted": lambda: inverted.kneighbors(queries),
            "packed": lambda: packed_ours.kneighbors(queries),
            "faiss": lambda: index.search(packed_queries, K),
        },
        REPEATS,
    )
    note = f'auto picks "{auto_method}"'
    target = INVERTED_TARGET if n_units == 2000 else None
    for ours_name, peer_key, peer_name, record_target in (
        ("inverted", "faiss", FAISS, target),
        ("packed", "faiss", FAISS, None),
        ("inverted", "packed", 'ours algorithm="packed"', None),
    ):
        record = _qps_record(
            f"{BENCHMARK}.sparse",
            f"m={n_units}, ours {ours_name}",
            peer_name,
            n_queries,
            times,
            ours_name,
            peer_key,
            note,
            record_target,
        )
        record["case_detail"] = case
        records.append(record)
    for name in ("inverted", "packed"):
        records.append(
            _build_record(
                f"{BENCHMARK}.build",
                f"sparse m={n_units}, N={n_rows:,}, ours {name}",
                build[name],
                FAISS,
                build["faiss"],
                f"index bytes: ours {index_bytes[name]:,}, faiss "
                f"{index_bytes['faiss']:,}; auto fit {auto_seconds:.2f} s -> "
                f"{auto_method}",
            )
        )
    table.append(
        {
            "m": n_units,
            "qps": {name: n_queries / min(values) for name, values in times.items()},
            "build": build,
            "bytes": index_bytes,
            "auto": auto_method,
        }
    )
    return records


# --------------------------------------------------------------------------
# Printing


def print_protocol(quick, sizes):
    print(
        f"[{BENCHMARK}] protocol{' (quick)' if quick else ''}: one thread "
        f"(n_jobs=1, faiss.omp_set_num_threads(1), threadpoolctl limits=1); "
        f"best of {REPEATS} interleaved repeats; k={K}.\n"
        f"  dense: N={sizes['n_rows']:,} uniform random codes at {DENSE_BITS} bits, "
        f"{sizes['n_queries']} queries in one call and {sizes['n_single']} one-query "
        f"calls; stored codes default_rng([{DENSE_SEED}, n_bits]), queries "
        f"default_rng([{DENSE_QUERY_SEED}, n_bits]), .integers(0, 256, uint8).\n"
        f"  sklearn: NearestNeighbors(metric='hamming', algorithm='brute') on the "
        f"first {sizes['sklearn_rows']:,} stored codes and {sizes['sklearn_queries']} "
        f"queries, unpacked (float64, bool); compared in ns per query per stored "
        f"code = seconds / (queries x stored codes).\n"
        f"  sparse: N={sizes['n_rows']:,} rows with {WTA_ONES} ones of m in "
        f"{WTA_UNITS} (Floyd sampling), stored default_rng([{WTA_SEED}, m]), "
        f"{sizes['n_queries']} queries default_rng([{WTA_QUERY_SEED}, m]).\n"
        f"  correctness: ours vs faiss on every query; vs NumPy bitwise_count + "
        f"lexsort on the first {sizes['check_dense']} (dense) / "
        f"{sizes['check_sparse']} (sparse) queries.",
        flush=True,
    )


def _print_rows(rows):
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths)))


def print_summary(dense, sparse):
    if dense:
        print(
            f"\n[{BENCHMARK}] dense random codes, QPS (best of {REPEATS}), one thread"
        )
        sklearn_names = list(dense[0]["sklearn_ns"])
        rows = [
            [
                "bits",
                "ours QPS",
                "faiss QPS",
                "ours/faiss",
                "ours 1q QPS",
                "faiss 1q QPS",
                "ours/faiss 1q",
                "ours ns/(q*code)",
                *(f"{name.split(', ')[-1]} sklearn ns" for name in sklearn_names),
                "sklearn/ours",
                "build s ours/faiss",
            ]
        ]
        for row in dense:
            best_sklearn = min(row["sklearn_ns"].values())
            rows.append(
                [
                    str(row["bits"]),
                    f"{row['ours_qps']:.1f}",
                    f"{row['faiss_qps']:.1f}",
                    f"{row['ours_qps'] / row['faiss_qps']:.2f}",
                    f"{row['ours_single_qps']:.1f}",
                    f"{row['faiss_single_qps']:.1f}",
                    f"{row['ours_single_qps'] / row['faiss_single_qps']:.2f}",
                    f"{row['ours_ns']:.3g}",
                    *(f"{row['sklearn_ns'][name]:.3g}" for name in sklearn_names),
                    f"{best_sklearn / row['ours_ns']:.0f}",
                    f"{row['ours_build']:.2f}/{row['faiss_build']:.2f}",
                ]
            )
        _print_rows(rows)
    if sparse:
        print(f"\n[{BENCHMARK}] sparse {WTA_ONES}-of-m codes, QPS (best of {REPEATS})")
        rows = [
            [
                "m",
                "inverted QPS",
                "packed QPS",
                "faiss QPS",
                "inv/faiss",
                "packed/faiss",
                "build s inv/packed/faiss",
                "index MiB inv/packed/faiss",
                "auto",
            ]
        ]
        for row in sparse:
            qps, build, size = row["qps"], row["build"], row["bytes"]
            rows.append(
                [
                    str(row["m"]),
                    f"{qps['inverted']:.1f}",
                    f"{qps['packed']:.1f}",
                    f"{qps['faiss']:.1f}",
                    f"{qps['inverted'] / qps['faiss']:.2f}",
                    f"{qps['packed'] / qps['faiss']:.2f}",
                    "/".join(
                        f"{build[n]:.2f}" for n in ("inverted", "packed", "faiss")
                    ),
                    "/".join(
                        f"{size[n] / MIB:.0f}" for n in ("inverted", "packed", "faiss")
                    ),
                    row["auto"],
                ]
            )
        _print_rows(rows)
    sys.stdout.flush()


# --------------------------------------------------------------------------


def run(quick):
    """All records of this benchmark (see the module docstring)."""
    sizes = SIZES[quick]
    print_protocol(quick, sizes)
    faiss = faiss_module()
    records, dense, sparse = [], [], []
    with threadpool_limits(limits=1):
        warm_up(faiss)
        for n_bits in DENSE_BITS:
            records += dense_case(n_bits, sizes, faiss, dense)
        for n_units in WTA_UNITS:
            records += sparse_case(n_units, sizes, faiss, sparse)
    print_summary(dense, sparse)
    return records


if __name__ == "__main__":
    script_main(__doc__, None, run)
