"""FlyHashTransformer.transform: throughput and memory against its peers.

Data: uniform [0, 1) float32 rows, two shapes with a 10x expansion and
k = 32 winners (the paper's Fig. 3 setting):

- SIFT-like:  d = 128, m = 1280, fan-in s = 12;
- MNIST-like: d = 784, m = 7840, fan-in s = 78.

Methods, all on the same data and the same 0/1 projection:

- ours: ``FlyHashTransformer.transform`` (compiled kernel fusing the
  projection with the top-k; one thread, or ``n_jobs=2``). Output: CSR float32, n x m,
  exactly k stored ones per row, column indices sorted.
- flyhash: the PyPI ``flyhash`` 1.1.1 package, ``FlyHash(...)(X)`` with its
  ``projection_matrix`` replaced by ours (its own storage: bool CSR, m x d).
  Output: dense int32 n x m array of 0/1.
- numpy, selection only: float32 GEMM ``X @ W`` with the dense 0/1 matrix
  ``W`` (d x m), then ``np.argpartition(A, -k, axis=1)[:, -k:]``. Output:
  int64 n x k array of winner indices (unsorted within a row).
- numpy + CSR: the same, then a CSR float32 n x m matrix of ones built from
  those indices (unsorted within a row, no sorting step).

Sections:

1. speed: µs per row (best of interleaved repeats) with BLAS pinned to one
   thread; then on two threads (ours ``n_jobs=2``, numpy two BLAS threads,
   flyhash unchanged). Ratio = peer time /
   our time. The winners of every method are checked against ours.
2. peak memory: peak RSS growth during one transform, in a fresh process,
   beyond the input data and the fitted projection (which exist before the
   measurement starts). Ratio = peer MiB / our MiB.
3. memory bound: 10^6 SIFT-like rows, default CSR output, under
   ``sklearn.config_context(working_memory=...)``; the requirement is peak
   growth <= working_memory + output size.

Project targets: ours >= 5x faster than flyhash, and no slower than numpy.
"""

import os
import sys
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (
    MIB,
    interleaved_times,
    median,
    peak_memory_supported,
    peak_rss_growth,
    run_worker,
    script_main,
)

SEED = 0
REPEATS = {False: 15, True: 3}
BOUND_ROWS = {False: 1_000_000, True: 200_000}
BOUND_WORKING_MEMORY = {False: (64, 1024), True: (64,)}
# Float32 sums in a different order can swap near-tied winners; anything
# beyond this fraction of rows would point to a real disagreement.
MAX_MISMATCH_FRACTION = 0.01
FLYHASH_INSTALL = (
    "flyhash peer skipped: the PyPI package 'flyhash' is not importable. "
    "Install it with `.venv/bin/pip install --no-deps flyhash==1.1.1` "
    "(--no-deps because it pins numpy<2; the module itself works with numpy 2)."
)

SPEED_RATIO = "peer time / our time"
MEMORY_RATIO = "peer peak MiB / our peak MiB"
BOUND_RATIO = "(working_memory + output) / peak growth"

OUTPUT_KINDS = {
    "ours": "CSR float32, k sorted ones/row",
    "flyhash 1.1.1": "dense int32 n x m",
    "numpy GEMM+argpartition (selection only)": "int64 n x k indices",
    "numpy GEMM+argpartition+CSR": "CSR float32, k unsorted ones/row",
}
PEER_TARGETS = {
    "flyhash 1.1.1": ("ours >= 5x faster (ratio >= 5)", 5.0),
    "numpy GEMM+argpartition (selection only)": ("no slower (ratio >= 1)", 1.0),
    "numpy GEMM+argpartition+CSR": ("no slower (ratio >= 1)", 1.0),
}


@dataclass(frozen=True)
class Shape:
    name: str
    d: int
    m: int
    k: int
    s: int
    n: int
    n_quick: int

    def rows(self, quick):
        return self.n_quick if quick else self.n


SHAPES = (
    Shape("SIFT-like", d=128, m=1280, k=32, s=12, n=20_000, n_quick=4_000),
    Shape("MNIST-like", d=784, m=7840, k=32, s=78, n=5_000, n_quick=1_000),
)
SHAPES_BY_NAME = {shape.name: shape for shape in SHAPES}


# --------------------------------------------------------------------------
# The methods


def make_data(shape, n_rows):
    return np.random.default_rng(SEED).random((n_rows, shape.d), dtype=np.float32)


def fit_ours(shape, X):
    from sklearn_kexue import FlyHashTransformer

    return FlyHashTransformer(
        n_components=shape.m, hash_length=shape.k, fan_in=shape.s, random_state=SEED
    ).fit(X)


def dense_projection(hasher):
    """Our 0/1 projection as a dense float32 d x m matrix, for the GEMM."""
    return hasher.components_.T.toarray().astype(np.float32)


def import_flyhash():
    """The flyhash package's ``FlyHash`` class, or None if it is not installed."""
    try:
        from flyhash import FlyHash
    except ImportError:
        return None
    return FlyHash


def make_flyhash(FlyHash, shape, hasher):
    """A flyhash hasher with the same k and the same projection as ``hasher``."""
    fly = FlyHash(
        shape.d, shape.m, density=shape.s, sparsity=shape.k / shape.m, seed=SEED
    )
    if fly.num_winners != shape.k:
        raise RuntimeError(
            f"flyhash chose {fly.num_winners} winners, expected {shape.k}"
        )
    fly.projection_matrix = hasher.components_.astype(bool).tocsr()
    return fly


def numpy_select(X, W, k):
    """Winner indices by dense GEMM and a vectorised argpartition."""
    activations = X @ W
    return np.argpartition(activations, -k, axis=1)[:, -k:]


def numpy_csr(X, W, k):
    """The same winners as a CSR matrix of ones (k entries per row)."""
    winners = numpy_select(X, W, k)
    n_rows = X.shape[0]
    indptr = np.arange(0, n_rows * k + 1, k, dtype=np.int32)
    data = np.ones(n_rows * k, dtype=X.dtype)
    indices = winners.astype(np.int32).ravel()
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, W.shape[1]))


def build_methods(shape, X, hasher, FlyHash):
    """Zero-argument callables for every available method on ``X``."""
    W = dense_projection(hasher)
    k = shape.k
    methods = {"ours": lambda: hasher.transform(X)}
    if FlyHash is not None:
        fly = make_flyhash(FlyHash, shape, hasher)
        methods["flyhash 1.1.1"] = lambda: fly(X)
    methods["numpy GEMM+argpartition (selection only)"] = lambda: numpy_select(X, W, k)
    methods["numpy GEMM+argpartition+CSR"] = lambda: numpy_csr(X, W, k)
    return methods


def sorted_winners(name, output, k):
    """The winners of each row as a sorted (n, k) index array, from any output."""
    if name == "ours" or sp.issparse(output):
        output = output.tocsr()
        output.sort_indices()
        return output.indices.reshape(-1, k)
    if name == "flyhash 1.1.1":
        _rows, columns = np.nonzero(output)
        return columns.reshape(-1, k)
    return np.sort(output, axis=1)


def mismatch_fraction(ours, peer):
    """Fraction of rows whose winner sets differ."""
    return float(np.mean(np.any(ours != peer, axis=1)))


# --------------------------------------------------------------------------
# 1. Speed


def _speed_record(shape, n_rows, peer, times, case_suffix, note):
    ours_us = min(times["ours"]) / n_rows * 1e6
    peer_us = min(times[peer]) / n_rows * 1e6
    ratio = peer_us / ours_us
    record = {
        "benchmark": "flyhash_transform.speed",
        "case": f"{shape.name} n={n_rows}, {case_suffix}",
        "metric": "µs/row (best)",
        "ours": ours_us,
        "peer": peer,
        "peer_value": peer_us,
        "ratio": ratio,
        "ratio_meaning": SPEED_RATIO,
        "ours_median": median(times["ours"]) / n_rows * 1e6,
        "peer_median": median(times[peer]) / n_rows * 1e6,
        "repeats": len(times["ours"]),
        "ours_output": OUTPUT_KINDS["ours"],
        "peer_output": OUTPUT_KINDS[peer],
        "note": note,
    }
    if case_suffix.startswith("1 BLAS") and peer in PEER_TARGETS:
        record["target"], threshold = PEER_TARGETS[peer]
        record["target_met"] = bool(ratio >= threshold)
    return record


def check_agreement(shape, methods):
    """Run each method once (also the warm-up) and compare its winners with ours."""
    outputs = {name: method() for name, method in methods.items()}
    reference = sorted_winners("ours", outputs["ours"], shape.k)
    mismatches = {}
    for name, output in outputs.items():
        if name == "ours":
            continue
        fraction = mismatch_fraction(reference, sorted_winners(name, output, shape.k))
        print(
            f"  {shape.name}: rows whose winners differ, ours vs {name}: {fraction:.2e}"
        )
        assert fraction <= MAX_MISMATCH_FRACTION, (
            f"{name} disagrees with ours on {fraction:.2%} of the rows"
        )
        mismatches[name] = fraction
    return mismatches


def speed_records(shape, quick, FlyHash):
    n_rows = shape.rows(quick)
    repeats = REPEATS[quick]
    X = make_data(shape, n_rows)
    hasher = fit_ours(shape, X)
    records = []
    with threadpool_limits(limits=1):
        methods = build_methods(shape, X, hasher, FlyHash)
        mismatches = check_agreement(shape, methods)
        times = interleaved_times(methods, repeats)
    for peer in methods:
        if peer == "ours":
            continue
        note = (
            f"median ours {median(times['ours']) / n_rows * 1e6:.2f}, "
            f"peer {median(times[peer]) / n_rows * 1e6:.2f}; "
            f"winner mismatch {mismatches[peer]:.1e} of rows"
        )
        records.append(_speed_record(shape, n_rows, peer, times, "1 BLAS thread", note))

    # Two cores: ours hashes row batches on two threads (n_jobs=2), numpy's
    # GEMM uses two BLAS threads, and flyhash has no multi-threaded path.
    hasher.set_params(n_jobs=2)
    two_cores = {"ours": methods["ours"]}
    two_cores.update(
        (peer, methods[peer])
        for peer in ("numpy GEMM+argpartition+CSR", "flyhash 1.1.1")
        if peer in methods
    )
    with threadpool_limits(limits=2):
        times = interleaved_times(two_cores, repeats)
    hasher.set_params(n_jobs=None)
    for peer in two_cores:
        if peer == "ours":
            continue
        note = (
            f"ours n_jobs=2; median ours {median(times['ours']) / n_rows * 1e6:.2f}, "
            f"peer {median(times[peer]) / n_rows * 1e6:.2f}"
        )
        records.append(
            _speed_record(
                shape, n_rows, peer, times, "2 threads (n_jobs=2, 2 BLAS)", note
            )
        )
    return records


# --------------------------------------------------------------------------
# 2. and 3. Memory, each measurement in a fresh process


def _output_bytes(output):
    if sp.issparse(output):
        return output.data.nbytes + output.indices.nbytes + output.indptr.nbytes
    return output.nbytes


def worker(payload):
    """Measure one method's peak RSS growth in this (fresh) process."""
    import sklearn

    shape = SHAPES_BY_NAME[payload["shape"]]
    n_rows = payload["n_rows"]
    X = make_data(shape, n_rows)
    hasher = fit_ours(shape, X)
    FlyHash = import_flyhash() if payload["method"] == "flyhash 1.1.1" else None
    with (
        threadpool_limits(limits=1),
        sklearn.config_context(working_memory=payload.get("working_memory", 1024)),
    ):
        # Warm-up on a copy: JIT load, lazy imports, BLAS buffers. Small calls
        # run the kernels' NumPy twins, so the warm-up must be large enough
        # to load the compiled kernel (3,277 rows SIFT-like, 535 MNIST-like),
        # or its one-time ~46 MiB load lands in the measured call.
        warm_up = X[:4096].copy()
        build_methods(shape, warm_up, hasher, FlyHash)[payload["method"]]()
        method = build_methods(shape, X, hasher, FlyHash)[payload["method"]]
        start = time.perf_counter()
        output, growth = peak_rss_growth(method)
        seconds = time.perf_counter() - start
    return {
        "growth_bytes": growth,
        "output_bytes": _output_bytes(output),
        "seconds": seconds,
        "n_rows": n_rows,
    }


def _measure(payload):
    return run_worker(os.path.abspath(__file__), payload)


def peak_memory_records(shape, quick, FlyHash):
    n_rows = shape.rows(quick)
    methods = ["ours"] + [
        name
        for name in OUTPUT_KINDS
        if name != "ours" and (FlyHash is not None or name != "flyhash 1.1.1")
    ]
    results = {
        name: _measure({"shape": shape.name, "method": name, "n_rows": n_rows})
        for name in methods
    }
    ours = results["ours"]
    records = []
    for peer in methods[1:]:
        result = results[peer]
        records.append(
            {
                "benchmark": "flyhash_transform.peak_memory",
                "case": f"{shape.name} n={n_rows}",
                "metric": "peak MiB",
                "ours": ours["growth_bytes"] / MIB,
                "peer": peer,
                "peer_value": result["growth_bytes"] / MIB,
                "ratio": result["growth_bytes"] / max(ours["growth_bytes"], 1),
                "ratio_meaning": MEMORY_RATIO,
                "note": (
                    f"output itself: ours {ours['output_bytes'] / MIB:.1f}, "
                    f"peer {result['output_bytes'] / MIB:.1f} MiB"
                ),
            }
        )
    return records


def memory_bound_records(quick):
    shape = SHAPES_BY_NAME["SIFT-like"]
    n_rows = BOUND_ROWS[quick]
    records = []
    for working_memory in BOUND_WORKING_MEMORY[quick]:
        result = _measure(
            {
                "shape": shape.name,
                "method": "ours",
                "n_rows": n_rows,
                "working_memory": working_memory,
            }
        )
        growth, output = result["growth_bytes"], result["output_bytes"]
        overhead_mib = (growth - output) / MIB
        us_per_row = result["seconds"] / n_rows * 1e6
        records.append(
            {
                "benchmark": "flyhash_transform.memory_bound",
                "case": f"SIFT-like n={n_rows:,}, working_memory={working_memory}",
                "metric": "peak growth - output, MiB",
                "ours": overhead_mib,
                "peer": "working_memory (MiB)",
                "peer_value": float(working_memory),
                "ratio": (working_memory * MIB + output) / growth,
                "ratio_meaning": BOUND_RATIO,
                "target": "peak growth <= working_memory + output",
                "target_met": bool(growth <= working_memory * MIB + output),
                "us_per_row": us_per_row,
                "note": (
                    f"peak growth {growth / MIB:.1f} MiB, output {output / MIB:.1f} "
                    f"MiB; {us_per_row:.2f} µs/row"
                ),
            }
        )
    return records


# --------------------------------------------------------------------------


def run(quick):
    """All records of this benchmark (see the module docstring)."""
    FlyHash = import_flyhash()
    if FlyHash is None:
        print(FLYHASH_INSTALL)
    records = []
    for shape in SHAPES:
        records += speed_records(shape, quick, FlyHash)
    if not peak_memory_supported():
        print("peak-memory sections skipped: they need Linux /proc/self/clear_refs.")
        return records
    for shape in SHAPES:
        records += peak_memory_records(shape, quick, FlyHash)
    records += memory_bound_records(quick)
    return records


if __name__ == "__main__":
    script_main(__doc__, worker, run)
