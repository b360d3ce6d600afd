"""SimplerGlove at scale: a 100,000-word vocabulary from a stream of 10^8 tokens.

Memory and thread scaling of counting and fitting, on one machine.

The stream is synthetic: no 10^8-token corpus is available offline (the
largest real one here, ``bench_simpler_glove_corpus``'s, has 2.4 M tokens).
It is made batch by batch (10^6 tokens) from ``default_rng(0)`` and never
held whole: documents of 1 000 tokens over 100 000 words ``w0`` ..
``w99999``. Each token is, with probability 0.75, a word of rank r drawn by
the inverse of the continuous Zipf law with exponent 1 on [1, V + 1)
(``floor((V + 1)^u)``, P(r) = log((r + 1) / r) / log(V + 1), about
1 / (r ln V) as in natural text), and otherwise a word of its document's
topic (500 topics, each 1 000 words drawn uniformly among ranks >= 100, by
the same law within the topic), which gives the PMI some topical
structure. Every one of the 100 000 words reaches ``min_count`` (the rarest
is seen 50 times), so V = 100 000 exactly (checked). For
calibration, the plain Zipf stream of 455 000 tokens gives a C with about
the density of the real Wikipedia shard of that length (6.3 and 6.1 stored
entries per vocabulary token); the topics make it denser.

Protocol, each step in a fresh subprocess (peak resident set size is
``getrusage(RUSAGE_SELF).ru_maxrss``; the fit's own peak is ``VmHWM`` after
resetting it through ``/proc/self/clear_refs`` just before ``fit``, with
glibc's free heap trimmed first; each worker sets its ``oom_score_adj`` to
1000, so that on a shared machine it, not a neighbour, is killed first):

1. Vocabulary. ``CooccurrenceVectorizer(window=10, min_count=5)``,
   ``partial_fit`` on each batch of documents (pre-tokenised lists of str)
   of the whole stream. Reported: tokens per second; V is checked.
2. The 5 x 10^7 matrix. C of the first 5 x 10^6 tokens of the same stream,
   counted by ``cooccurrence_matrix`` with step 1's vocabulary: about
   5 x 10^7 stored entries, the size of the issue's memory target. Then
   ``SimplerGlove(n_components=100, input_type="cooccurrence", max_iter=2,
   tol=0, random_state=0, verbose=2, n_jobs=J).fit(C)``, with J = 1 and,
   in another subprocess, J = 2. Reported: the peak RSS during the fit (C
   and the interpreter included) against 4 GB, the whole process's peak
   (counting + fit), seconds per epoch (differences of the elapsed times
   that the verbose lines print; an epoch includes its loss evaluation),
   the losses of both, and the CPU time of the process per wall second of
   the fit (2: both threads ran all the time) and per epoch (equal for
   J = 1 and 2 when threading adds no work). Targets (issue): peak below
   4 GB; epoch time with n_jobs=1 at least 1.7x that with n_jobs=2; the two
   losses within 2 %.
3. The whole stream. ``cooccurrence_matrix`` over a second pass of the
   stream, with ``batch_tokens=10**7`` (the default 10^6 makes 100 running
   sums of a total that grows past 10^8 entries; the profile gives their
   cost). Reported: tokens per second, stored entries of C (both orders and
   the diagonal), the peak RSS of the process, and a cProfile of the pass
   by phase (compiled kernel, token ids, running sums of scipy matrices,
   making the stream). Then the fit of this C (``n_jobs=2``,
   ``max_iter=2``) runs only where step 2's bytes per stored entry and
   seconds per pair, scaled to this C, give a growth below 80 % of the
   available memory and an epoch below 10 minutes; otherwise these
   extrapolations are reported instead, labelled as such.

The machine is shared: the 1-minute load average before each fit is in the
notes; with other processes running, two threads cannot get two cores.

``--quick``: 2 000 words, 5 x 10^5 tokens, the first 10^5 for step 2
(stream batches of 10^5), one epoch for the fit of step 3; about a
minute, a smoke test only. Full run: about 20 minutes on 2 cores (the
epochs of step 2 most of it), with a peak of about 15 GB of memory in step
3 (the whole stream's C has 5.6 x 10^8 stored entries, 6.8 GB).
"""

import contextlib
import cProfile
import ctypes
import ctypes.util
import gc
import io
import itertools
import os
import pickle
import pstats
import re
import resource
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import run_worker, script_main

BENCHMARK = "simpler_glove_scale"
SEED = 0
DOCUMENT_TOKENS = 1_000
TOPIC_SHARE = 0.25
N_TOPICS = 500
TOPIC_WORDS = 1_000
TOPIC_MIN_RANK = 100
WINDOW, MIN_COUNT = 10, 5
N_COMPONENTS = 100
MAX_ITER = 2
COUNT_BATCH_TOKENS = 10**7
TARGET_PEAK_BYTES = 4e9
TARGET_SPEEDUP = 1.7
TARGET_LOSS_GAP = 0.02
# The whole stream's C is fitted only where the fit's extrapolated growth
# stays below this share of the available memory (the machine is shared) ...
MEMORY_SHARE = 0.8
# ... and one epoch below this many seconds.
MAX_EPOCH_SECONDS = 600.0
STREAM_FIT_JOBS = 2
GB = 1e9
SIZES = {
    False: {
        "n_words": 100_000,
        "n_tokens": 10**8,
        "prefix_tokens": 5 * 10**6,
        "stream_batch": 10**6,
    },
    True: {
        "n_words": 2_000,
        "n_tokens": 5 * 10**5,
        "prefix_tokens": 10**5,
        "stream_batch": 10**5,
    },
}
_ITERATION = re.compile(r"iteration (\d+), loss ([^,]+), time ([0-9.]+) s")


def _token_batches(n_words, n_tokens, stream_batch):
    """Yield (ids, document offsets) of the seeded stream, one batch at a time.

    A prefix of ``k * stream_batch`` tokens is the same whatever ``n_tokens``.
    """
    rng = np.random.default_rng(SEED)
    log_words = np.log(n_words + 1.0)
    log_topic = np.log(TOPIC_WORDS + 1.0)
    topics = rng.integers(TOPIC_MIN_RANK, n_words, size=(N_TOPICS, TOPIC_WORDS))
    for start in range(0, n_tokens, stream_batch):
        n_batch = min(stream_batch, n_tokens - start)
        n_documents = n_batch // DOCUMENT_TOKENS
        n_batch = n_documents * DOCUMENT_TOKENS
        # Inverse of the continuous Zipf law (exponent 1) on [1, V + 1).
        ids = np.exp(rng.random(n_batch) * log_words).astype(np.int64) - 1
        topical = rng.random(n_batch) < TOPIC_SHARE
        document_topic = np.repeat(
            rng.integers(0, N_TOPICS, n_documents), DOCUMENT_TOKENS
        )
        ranks = np.exp(rng.random(int(topical.sum())) * log_topic).astype(np.int64) - 1
        ids[topical] = topics[
            document_topic[topical], np.minimum(ranks, TOPIC_WORDS - 1)
        ]
        np.minimum(ids, n_words - 1, out=ids)
        yield ids, np.arange(0, n_batch + 1, DOCUMENT_TOKENS)


def _document_batches(n_words, n_tokens, stream_batch):
    """Yield lists of documents (lists of str tokens), one stream batch each."""
    words = np.array([f"w{rank}" for rank in range(n_words)], dtype=object)
    for ids, offsets in _token_batches(n_words, n_tokens, stream_batch):
        tokens = words[ids]
        yield [
            tokens[start:stop].tolist() for start, stop in itertools.pairwise(offsets)
        ]


def _documents(n_words, n_tokens, stream_batch):
    for batch in _document_batches(n_words, n_tokens, stream_batch):
        yield from batch


def _vectorizer():
    from sklearn_kexue.embedding import CooccurrenceVectorizer

    return CooccurrenceVectorizer(window=WINDOW, min_count=MIN_COUNT)


def _status_bytes(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _max_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak():
    """Collect, give glibc's free heap back, reset VmHWM; return VmRSS."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if name is not None and hasattr(ctypes.CDLL(name), "malloc_trim"):
        ctypes.CDLL(name).malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _status_bytes("VmRSS")


def _sacrifice_first():
    """Make this worker the out-of-memory killer's first choice, not a neighbour."""
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as adj:
        adj.write("1000")


def _matrix_bytes(matrix):
    return matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes


def _cumulative(stats, name, path_part):
    """Cumulative seconds of the profiled functions called ``name`` in ``path_part``."""
    return sum(
        entry[3]
        for (path, _, function), entry in stats.items()
        if function == name and path_part in path
    )


def _calls(stats, name, path_part):
    return sum(
        entry[1]
        for (path, _, function), entry in stats.items()
        if function == name and path_part in path
    )


def _vocabulary_worker(payload):
    """Step 1: the vocabulary of the whole stream, by ``partial_fit`` per batch."""
    _sacrifice_first()
    vectorizer = _vectorizer()
    start = time.perf_counter()
    for documents in _document_batches(
        payload["n_words"], payload["n_tokens"], payload["stream_batch"]
    ):
        vectorizer.partial_fit(documents)
    seconds = time.perf_counter() - start
    with open(os.path.join(payload["directory"], "vectorizer.pkl"), "wb") as sink:
        pickle.dump(vectorizer, sink)
    return {
        "n_words": len(vectorizer.vocabulary_),
        "rarest": int(vectorizer.word_counts_.min()),
        "seconds": seconds,
        "max_rss": _max_rss_bytes(),
    }


def _load_vectorizer(directory):
    with open(os.path.join(directory, "vectorizer.pkl"), "rb") as source:
        return pickle.load(source)


def _model(n_jobs, max_iter):
    from sklearn_kexue.embedding import SimplerGlove

    return SimplerGlove(
        n_components=N_COMPONENTS,
        input_type="cooccurrence",
        max_iter=max_iter,
        tol=0,
        random_state=0,
        n_jobs=n_jobs,
        verbose=2,
    )


def _measured_fit(model, counts):
    """Fit with the peak RSS, CPU time and per-epoch seconds of the fit alone."""
    load = os.getloadavg()[0]
    rss_before = _reset_peak()
    output = io.StringIO()
    cpu = time.process_time()
    start = time.perf_counter()
    with contextlib.redirect_stdout(output):
        model.fit(counts)
    fit_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu
    fit_peak = _status_bytes("VmHWM")
    elapsed = [float(match[2]) for match in _ITERATION.findall(output.getvalue())]
    return {
        "n_pairs": int(model.n_pairs_),
        "fit_s": fit_s,
        "epoch_s": np.diff([0.0, *elapsed]).tolist(),
        "cpu_s": cpu_s,
        "loss": [float(loss) for loss in model.loss_curve_],
        "rss_before_fit": rss_before,
        "fit_peak": fit_peak,
        "load_before_fit": load,
    }


def _fit_worker(payload):
    """Step 2: count the prefix, then fit with ``n_jobs``; memory and epochs."""
    _sacrifice_first()
    vectorizer = _load_vectorizer(payload["directory"])
    start = time.perf_counter()
    counts = vectorizer.cooccurrence_matrix(
        _documents(
            payload["n_words"], payload["prefix_tokens"], payload["stream_batch"]
        )
    )
    count_s = time.perf_counter() - start
    fit = _measured_fit(_model(payload["n_jobs"], payload["max_iter"]), counts)
    return {
        **fit,
        "nnz": int(counts.nnz),
        "matrix_bytes": _matrix_bytes(counts),
        "count_s": count_s,
        "max_rss": _max_rss_bytes(),
    }


def _available_memory():
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return _physical_memory()


def _stream_worker(payload):
    """Step 3: C of the whole stream, by phase; its fit where it can run."""
    _sacrifice_first()
    n_words, n_tokens = payload["n_words"], payload["n_tokens"]
    vectorizer = _load_vectorizer(payload["directory"])
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    counts = vectorizer.cooccurrence_matrix(
        _documents(n_words, n_tokens, payload["stream_batch"]),
        batch_tokens=COUNT_BATCH_TOKENS,
    )
    profile.disable()
    count_s = time.perf_counter() - start
    stats = pstats.Stats(profile).stats
    result = {
        "count_s": count_s,
        "nnz": int(counts.nnz),
        "n_pairs": int((counts.nnz - np.count_nonzero(counts.diagonal())) // 2),
        "matrix_bytes": _matrix_bytes(counts),
        "rss_with_matrix": _status_bytes("VmRSS"),
        "count_max_rss": _max_rss_bytes(),
        "phases": {
            "kernel": _cumulative(stats, "_count_batch", "_vectorizer"),
            "token ids": _cumulative(stats, "__call__", "_vectorizer"),
            "running sums": _cumulative(stats, "__add__", "scipy"),
            "stream": _cumulative(stats, "_document_batches", "bench_"),
        },
        "n_sums": _calls(stats, "__add__", "scipy"),
    }
    # The fit's needs, extrapolated from the prefix fit's bytes per stored
    # entry and seconds per pair; it runs only where both are affordable.
    growth = payload["fit_bytes_per_entry"] * result["nnz"]
    epoch = payload["fit_seconds_per_pair"] * result["n_pairs"]
    available = _available_memory()
    result.update(
        predicted_growth=growth,
        predicted_epoch_s=epoch,
        available=available,
        fitted=bool(growth < MEMORY_SHARE * available and epoch < MAX_EPOCH_SECONDS),
    )
    if result["fitted"]:
        result["fit"] = _measured_fit(
            _model(STREAM_FIT_JOBS, payload["stream_max_iter"]), counts
        )
    result["max_rss"] = _max_rss_bytes()
    return result


def worker(payload):
    return {
        "vocabulary": _vocabulary_worker,
        "fit": _fit_worker,
        "stream": _stream_worker,
    }[payload["task"]](payload)


def _record(section, case, metric, ours, peer, peer_value, ratio, meaning, **extra):
    return {
        "benchmark": f"{BENCHMARK}.{section}",
        "case": case,
        "metric": metric,
        "ours": float(ours),
        "peer": peer,
        "peer_value": float(peer_value),
        "ratio": float(ratio),
        "ratio_meaning": meaning,
        **extra,
    }


def _physical_memory():
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _counting_records(size, vocabulary, stream, fit):
    n_tokens = size["n_tokens"]
    case = (
        f"{n_tokens:.0e} tokens, V={vocabulary['n_words']:,}, window {WINDOW}, "
        f"C {stream['nnz']:.3g} entries"
    )
    phases = ", ".join(
        f"{name} {seconds:.0f} s" for name, seconds in stream["phases"].items()
    )
    count_rate = n_tokens / stream["count_s"]
    vocabulary_rate = n_tokens / vocabulary["seconds"]
    memory = _physical_memory()
    records = [
        _record(
            "counting",
            case,
            "tokens/s, counting pass",
            count_rate,
            "vocabulary pass (partial_fit)",
            vocabulary_rate,
            count_rate / vocabulary_rate,
            "counting rate / vocabulary-pass rate",
            note=f"count {stream['count_s']:.0f} s, vocabulary "
            f"{vocabulary['seconds']:.0f} s; count profile: {phases} "
            f"({stream['n_sums']} sums); rarest word seen {vocabulary['rarest']} "
            "times",
        ),
        _record(
            "counting",
            case,
            "stored entries of C",
            stream["nnz"],
            "tokens",
            n_tokens,
            stream["nnz"] / n_tokens,
            "stored entries per token",
            note=f"{stream['n_pairs']:.3g} pairs i < j; C holds "
            f"{stream['matrix_bytes'] / GB:.2f} GB",
        ),
        _record(
            "counting",
            case,
            "peak RSS of counting, GB",
            stream["count_max_rss"] / GB,
            "physical memory",
            memory / GB,
            memory / stream["count_max_rss"],
            "physical memory / peak",
            note=f"peak / C's bytes "
            f"{stream['count_max_rss'] / stream['matrix_bytes']:.2f}; RSS with C "
            f"alone {stream['rss_with_matrix'] / GB:.2f} GB; vocabulary pass "
            f"peak {vocabulary['max_rss'] / GB:.2f} GB",
        ),
    ]
    if stream["fitted"]:
        fitted = stream["fit"]
        records.append(
            _record(
                "counting",
                case,
                "peak RSS, counting + fit, GB",
                stream["max_rss"] / GB,
                "physical memory",
                memory / GB,
                memory / stream["max_rss"],
                "physical memory / peak",
                note=f"fit (n_jobs={STREAM_FIT_JOBS}) peak "
                f"{fitted['fit_peak'] / GB:.2f} GB, {fitted['fit_s']:.0f} s for "
                f"{len(fitted['epoch_s'])} epochs ("
                + " ".join(f"{s:.0f}" for s in fitted["epoch_s"])
                + f" s), loss {fitted['loss'][-1]:.4g}",
            )
        )
        return records
    predicted_peak = stream["rss_with_matrix"] + stream["predicted_growth"]
    per_entry = (fit["fit_peak"] - fit["rss_before_fit"]) / fit["nnz"]
    records.append(
        _record(
            "counting",
            case,
            "fit peak RSS, GB: EXTRAPOLATED, fit not run",
            predicted_peak / GB,
            "physical memory",
            memory / GB,
            memory / predicted_peak,
            "physical memory / peak",
            note=f"{per_entry:.1f} B per stored entry above C, as measured on the "
            f"{fit['nnz']:.3g}-entry C; one epoch (n_jobs=1) "
            f"~{stream['predicted_epoch_s'] / 60:.0f} min at its "
            f"{statistics.median(fit['epoch_s']) / fit['n_pairs'] * 1e6:.1f} us per "
            f"pair; runs only below {MEMORY_SHARE:.0%} of the "
            f"{stream['available'] / GB:.1f} GB available and "
            f"{MAX_EPOCH_SECONDS / 60:.0f} min per epoch",
        )
    )
    return records


def _fit_records(fits, prefix_tokens):
    single, double = fits[1], fits[2]
    case = (
        f"first {prefix_tokens:.0e} tokens: C {single['nnz']:.3g} entries, "
        f"{single['n_pairs']:.3g} pairs"
    )
    records = []
    for n_jobs, fit in fits.items():
        records.append(
            _record(
                "memory",
                f"{case}, n_jobs={n_jobs}",
                "peak RSS during fit, GB",
                fit["fit_peak"] / GB,
                "issue target",
                TARGET_PEAK_BYTES / GB,
                TARGET_PEAK_BYTES / fit["fit_peak"],
                "4 GB / peak",
                target="< 4 GB",
                target_met=bool(fit["fit_peak"] < TARGET_PEAK_BYTES),
                note=f"whole process (counting + fit) {fit['max_rss'] / GB:.2f} GB; "
                f"before fit {fit['rss_before_fit'] / GB:.2f} GB (C "
                f"{fit['matrix_bytes'] / GB:.2f} GB); fit's growth "
                f"{(fit['fit_peak'] - fit['rss_before_fit']) / fit['nnz']:.1f} B "
                "per stored entry",
            )
        )
    epoch_1 = statistics.median(single["epoch_s"])
    epoch_2 = statistics.median(double["epoch_s"])
    cpu_per_epoch = {
        n_jobs: fit["cpu_s"] * sum(fit["epoch_s"]) / fit["fit_s"] / len(fit["epoch_s"])
        for n_jobs, fit in fits.items()
    }
    records.append(
        _record(
            "threads",
            case,
            "seconds per epoch (median)",
            epoch_2,
            "n_jobs=1",
            epoch_1,
            epoch_1 / epoch_2,
            "n_jobs=1 epoch time / n_jobs=2 epoch time",
            target=f">= {TARGET_SPEEDUP}",
            target_met=bool(epoch_1 >= TARGET_SPEEDUP * epoch_2),
            note="epochs: n_jobs=1 "
            + " ".join(f"{s:.0f}" for s in single["epoch_s"])
            + " s, n_jobs=2 "
            + " ".join(f"{s:.0f}" for s in double["epoch_s"])
            + f" s; fit CPU s / wall s {single['cpu_s'] / single['fit_s']:.2f} "
            f"and {double['cpu_s'] / double['fit_s']:.2f}; CPU s per epoch "
            f"~{cpu_per_epoch[1]:.0f} and ~{cpu_per_epoch[2]:.0f}; "
            f"load average before {single['load_before_fit']:.1f} and "
            f"{double['load_before_fit']:.1f}; "
            f"{epoch_1 / single['n_pairs'] * 1e6:.1f} us per pair (n_jobs=1)",
        )
    )
    loss_1, loss_2 = single["loss"][-1], double["loss"][-1]
    records.append(
        _record(
            "threads",
            case,
            f"loss after {len(single['loss'])} epochs",
            loss_2,
            "n_jobs=1",
            loss_1,
            loss_1 / loss_2,
            "n_jobs=1 loss / n_jobs=2 loss",
            target=f"within {TARGET_LOSS_GAP:.0%}",
            target_met=bool(abs(loss_2 - loss_1) <= TARGET_LOSS_GAP * loss_1),
            note="loss curves: n_jobs=1 "
            + " ".join(f"{loss:.4g}" for loss in single["loss"])
            + ", n_jobs=2 "
            + " ".join(f"{loss:.4g}" for loss in double["loss"]),
        )
    )
    for n_jobs, fit in fits.items():
        records.append(
            _record(
                "threads",
                f"{case}, n_jobs={n_jobs}",
                f"fit seconds ({len(fit['epoch_s'])} epochs)",
                fit["fit_s"],
                "counting this C",
                fit["count_s"],
                fit["count_s"] / fit["fit_s"],
                "counting seconds / fit seconds",
                note=f"set-up before the first epoch (statistics, PMI, weights) "
                f"{fit['fit_s'] - sum(fit['epoch_s']):.0f} s",
            )
        )
    return records


def run(quick):
    size = SIZES[bool(quick)]
    script = os.path.abspath(__file__)
    timeout = 4 * 3600
    with tempfile.TemporaryDirectory() as directory:
        common = {**size, "directory": directory}
        vocabulary = run_worker(
            script, {**common, "task": "vocabulary"}, timeout=timeout
        )
        if vocabulary["n_words"] != size["n_words"]:
            raise AssertionError(
                f"{vocabulary['n_words']} words reached min_count={MIN_COUNT}, "
                f"expected {size['n_words']}"
            )
        fits = {
            n_jobs: run_worker(
                script,
                {**common, "task": "fit", "n_jobs": n_jobs, "max_iter": MAX_ITER},
                timeout=timeout,
            )
            for n_jobs in (1, 2)
        }
        single = fits[1]
        stream = run_worker(
            script,
            {
                **common,
                "task": "stream",
                "stream_max_iter": 1 if quick else MAX_ITER,
                "fit_bytes_per_entry": (single["fit_peak"] - single["rss_before_fit"])
                / single["nnz"],
                "fit_seconds_per_pair": statistics.median(single["epoch_s"])
                / single["n_pairs"],
            },
            timeout=timeout,
        )
    return _counting_records(size, vocabulary, stream, single) + _fit_records(
        fits, size["prefix_tokens"]
    )


if __name__ == "__main__":
    script_main(__doc__, worker, run)
