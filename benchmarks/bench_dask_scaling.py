"""Scale-out on Dask: hashing throughput and memory per worker, and corpus counting.

Protocol (the scale-out issue's two benchmarks), on a ``LocalCluster`` of
worker processes (one thread each) on this machine:

1. Transform. X is 10^7 x 128 float32 uniform [0, 1), generated block by block
   on the workers (``da.random.default_rng(0).random(..., dtype=float32)``,
   80 blocks of 125 000 rows: it never exists whole anywhere).
   ``transform_blocks`` applies a fitted ``FlyHashTransformer(n_components=1280,
   hash_length=16)`` and a fitted ``BioHashTransformer(n_components=1280,
   hash_length=16)`` (3 epochs on 20 000 rows of the same distribution), with
   ``sklearn.config_context(working_memory=256)`` (``transform_blocks``
   carries it to the workers); only each block's number of ones (a check:
   16 per row) comes back. Workers have
   a 2 GiB memory limit. Each model runs on a fresh cluster of 1 and then of
   2 workers: a warm-up computation on 2 blocks (loads the compiled kernels),
   then the timed one. Peak memory of a worker: its peak resident set size
   (``getrusage(RUSAGE_SELF).ru_maxrss``) after the computation, which
   includes the Python interpreter and the imported libraries. Targets: peak
   below 2 GB per worker; rows per second with 2 workers at least 1.6x that
   with 1.
2. Counting. A corpus of R copies of the Wikipedia shard's 206 pages
   (``load_wikipedia_shard``), one page per line, written as R text files of
   the analyzer's lower-case tokens separated by spaces.
   ``count_cooccurrence_corpus`` (window 10, ``min_count`` 5R,
   ``tokenizer=str.split``) reads the files in 8 MiB partitions on 2
   workers with a 1 GiB memory limit each, fitting the vocabulary and
   counting. Checks: the vocabulary is the single-machine one of one copy
   (``min_count`` 5), the word counts and the co-occurrence matrix are
   exactly R times the single-machine ones, and the count of the first file
   alone equals the single-machine count of its lines. Reported: tokens per
   second, each worker's peak resident set size against the memory limit.
   The corpus on disk is 10x the memory limit (10 GiB, about 1.8 billion
   tokens; 1 GiB per worker because a worker holds about 250 MiB before any
   data and Dask pauses it at 80 % of its limit).

``--quick``: 10^6 rows; a 60 MB corpus. Full run: about 26 minutes on 2
cores (the counting of 10 GiB most of it), and 10 GiB of free disk.
"""

import os
import resource
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn import config_context

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dask.array as da
from _common import script_main
from dask.distributed import Client, LocalCluster

from sklearn_kexue import BioHashTransformer, FlyHashTransformer
from sklearn_kexue.dask import count_cooccurrence_corpus, transform_blocks
from sklearn_kexue.datasets import load_wikipedia_shard
from sklearn_kexue.embedding import CooccurrenceVectorizer

BENCHMARK = "dask_scaling"
N_FEATURES = 128
BLOCK_ROWS = 125_000
N_UNITS, HASH_LENGTH = 1280, 16
TRANSFORM_MEMORY = "2GiB"
TARGET_PEAK_BYTES = 2e9
TARGET_SPEEDUP = 1.6
COUNT_MEMORY_BYTES = 2**30
WINDOW, MIN_COUNT = 10, 5

# This module's functions reach the workers pickled by value (cloudpickle does
# that for a module that is not importable there, as run.py loads it by path).


def _peak_rss_bytes():
    """Peak resident set size of the calling process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cluster(n_workers, memory_limit):
    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        memory_limit=memory_limit,
        dashboard_address=None,
    )


def _ones_per_block(block):
    return np.array([block.nnz])


def _ones(model, n_rows):
    X = da.random.default_rng(0).random(
        (n_rows, N_FEATURES), chunks=(BLOCK_ROWS, N_FEATURES), dtype=np.float32
    )
    codes = transform_blocks(model, X)
    return codes.map_blocks(
        _ones_per_block,
        drop_axis=1,
        chunks=((1,) * X.numblocks[0],),
        meta=np.empty(0, dtype=np.int64),
    )


def _transform_run(model, n_rows, n_workers):
    with (
        _cluster(n_workers, TRANSFORM_MEMORY) as cluster,
        Client(cluster) as client,
        # Each block's hashing batches: 256 MiB of temporaries at most.
        config_context(working_memory=256),
    ):
        _ones(model, 2 * BLOCK_ROWS).sum().compute()  # warm-up
        start = time.perf_counter()
        total = int(_ones(model, n_rows).sum().compute())
        seconds = time.perf_counter() - start
        peaks = client.run(_peak_rss_bytes)
    if total != n_rows * HASH_LENGTH:
        raise AssertionError(f"{total} ones, expected {n_rows * HASH_LENGTH}")
    return n_rows / seconds, max(peaks.values())


def _transform_records(n_rows):
    sample = np.random.default_rng(1).random((20_000, N_FEATURES), dtype=np.float32)
    models = {
        "FlyHash": FlyHashTransformer(
            n_components=N_UNITS, hash_length=HASH_LENGTH, random_state=0
        ),
        "BioHash": BioHashTransformer(
            n_components=N_UNITS, hash_length=HASH_LENGTH, max_iter=3, random_state=0
        ),
    }
    records = []
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 3 epochs: not converged, and fine
            model.fit(sample)
        rate_1, peak_1 = _transform_run(model, n_rows, 1)
        rate_2, peak_2 = _transform_run(model, n_rows, 2)
        case = f"{name} transform, {n_rows:.0e} x {N_FEATURES} float32, m={N_UNITS}"
        records.append(
            {
                "benchmark": BENCHMARK,
                "case": case,
                "metric": "rows per second, 2 workers",
                "ours": rate_2,
                "peer": "same, 1 worker",
                "peer_value": rate_1,
                "ratio": rate_2 / rate_1,
                "ratio_meaning": "2-worker rate / 1-worker rate",
                "target": f">= {TARGET_SPEEDUP}",
                "target_met": bool(rate_2 >= TARGET_SPEEDUP * rate_1),
            }
        )
        peak = max(peak_1, peak_2)
        records.append(
            {
                "benchmark": BENCHMARK,
                "case": case,
                "metric": "peak worker RSS, MB",
                "ours": peak / 1e6,
                "peer": "target",
                "peer_value": TARGET_PEAK_BYTES / 1e6,
                "ratio": TARGET_PEAK_BYTES / peak,
                "ratio_meaning": "2 GB / peak",
                "target": "> 1",
                "target_met": bool(peak < TARGET_PEAK_BYTES),
                "note": f"1 worker {peak_1 / 1e6:.0f} MB, 2 workers "
                f"{peak_2 / 1e6:.0f} MB (memory limit {TRANSFORM_MEMORY})",
            }
        )
    return records


def _write_corpus(directory, corpus_bytes):
    analyzer = CooccurrenceVectorizer().build_analyzer()
    lines = [" ".join(analyzer(page)) + "\n" for page in load_wikipedia_shard().data]
    copy = "".join(lines).encode("utf-8")
    n_copies = -(-corpus_bytes // len(copy))
    paths = []
    for index in range(n_copies):
        path = os.path.join(directory, f"copy{index:05d}.txt")
        with open(path, "wb") as sink:
            sink.write(copy)
        paths.append(path)
    return paths, lines, n_copies, n_copies * len(copy)


def _vectorizer(min_count):
    # The files hold the analyzer's tokens: splitting at spaces recovers them.
    return CooccurrenceVectorizer(
        window=WINDOW, min_count=min_count, tokenizer=str.split, lowercase=False
    )


def _counting_records(corpus_bytes):
    with tempfile.TemporaryDirectory() as directory:
        paths, lines, n_copies, size = _write_corpus(directory, corpus_bytes)
        single = _vectorizer(MIN_COUNT)
        one_copy = single.fit(lines).cooccurrence_matrix(lines)
        vectorizer = _vectorizer(MIN_COUNT * n_copies)
        with (
            _cluster(2, COUNT_MEMORY_BYTES) as cluster,
            Client(cluster) as client,
        ):
            sample = count_cooccurrence_corpus(_vectorizer(MIN_COUNT), paths[:1])
            start = time.perf_counter()
            total = count_cooccurrence_corpus(vectorizer, paths, blocksize="8MiB")
            seconds = time.perf_counter() - start
            peaks = client.run(_peak_rss_bytes)
    n_tokens = n_copies * sum(len(line.split()) for line in lines)
    exact = (
        vectorizer.vocabulary_ == single.vocabulary_
        and np.array_equal(vectorizer.word_counts_, n_copies * single.word_counts_)
        and (total != n_copies * one_copy).nnz == 0
        and (sample != one_copy).nnz == 0
    )
    peak = max(peaks.values())
    return [
        {
            "benchmark": BENCHMARK,
            "case": f"counting {size / 2**30:.2f} GiB on disk ({n_copies} copies, "
            f"{n_tokens:.3g} tokens), 2 workers",
            "metric": "peak worker RSS, MiB",
            "ours": peak / 2**20,
            "peer": "memory limit per worker",
            "peer_value": COUNT_MEMORY_BYTES / 2**20,
            "ratio": COUNT_MEMORY_BYTES / peak,
            "ratio_meaning": "memory limit / peak",
            "target": "> 1, corpus >= 10 x limit, exact",
            "target_met": bool(
                peak < COUNT_MEMORY_BYTES and size >= 10 * COUNT_MEMORY_BYTES and exact
            ),
            "note": f"corpus / limit {size / COUNT_MEMORY_BYTES:.1f}; "
            f"equal to R x single-machine and on a sample: {exact}; "
            f"{n_tokens / seconds:,.0f} tokens/s ({seconds:.0f} s, 2 passes)",
        }
    ]


def run(quick):
    n_rows = 10**6 if quick else 10**7
    corpus_bytes = 60 * 10**6 if quick else 10 * COUNT_MEMORY_BYTES
    return _transform_records(n_rows) + _counting_records(corpus_bytes)


if __name__ == "__main__":
    script_main(__doc__, None, run)
