"""Shared helpers for the benchmark modules: timing, peak memory, environment.

Not a benchmark itself (the runner only discovers ``bench_*.py``).

Timing runs the competing methods in interleaved rounds, so that slow
phases of a shared, noisy machine hit every method alike, and keeps every
repeat so that both the best and the median can be reported.

Peak memory is the growth of the resident set size (RSS) during one call,
measured in a fresh process. On Linux, writing "5" to
``/proc/self/clear_refs`` resets the high-water mark ``VmHWM`` to the
current RSS, so ``VmHWM`` after the call minus ``VmRSS`` before it is the
call's peak growth. Unlike ``tracemalloc``, this sees every allocation,
including those made by numba-compiled code, BLAS and scipy.
"""

import argparse
import ctypes
import ctypes.util
import datetime
import gc
import json
import os
import platform
import subprocess
import sys
import time

MIB = 2**20

_STATUS = "/proc/self/status"
_CLEAR_REFS = "/proc/self/clear_refs"


def interleaved_times(methods, repeats):
    """Seconds per call of each method, ``repeats`` interleaved rounds.

    Parameters
    ----------
    methods : dict of str to callable
        Zero-argument callables, already warmed up.
    repeats : int
        Number of rounds; each round calls every method once.

    Returns
    -------
    times : dict of str to list of float
    """
    times = {name: [] for name in methods}
    for _ in range(repeats):
        for name, method in methods.items():
            gc.collect()
            start = time.perf_counter()
            result = method()
            times[name].append(time.perf_counter() - start)
            del result
    return times


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return 0.5 * (ordered[middle - 1] + ordered[middle])


def _status_kib(field):
    with open(_STATUS) as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in {_STATUS}")


def _release_free_heap():
    """Return freed heap memory to the OS (glibc), so it is not counted as resident.

    Otherwise memory freed before the measurement (by warm-up or set-up code)
    stays resident in malloc's heap, is reused by the measured call, and
    hides part of the call's growth.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return
    libc = ctypes.CDLL(name)
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def peak_memory_supported():
    """Whether the high-water mark of this process can be reset (Linux only)."""
    return sys.platform.startswith("linux") and os.access(_CLEAR_REFS, os.W_OK)


def peak_rss_growth(function):
    """Call ``function()`` and return ``(result, peak RSS growth in bytes)``.

    The growth is measured from the RSS just before the call, after a
    garbage collection, to the high-water mark during the call. The result
    is kept alive until the high-water mark has been read, so it counts.
    """
    gc.collect()
    _release_free_heap()
    before = _status_kib("VmRSS")
    with open(_CLEAR_REFS, "w") as clear_refs:
        clear_refs.write("5")
    result = function()
    peak = _status_kib("VmHWM")
    return result, (peak - before) * 1024


def run_worker(script, payload, timeout=900):
    """Run ``script --worker JSON`` in a fresh interpreter; return its JSON reply.

    The worker must print its reply as the last line of its standard output.
    """
    command = [sys.executable, script, "--worker", json.dumps(payload)]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"worker {payload} failed with exit code {completed.returncode}:\n"
            f"{completed.stderr[-4000:]}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def script_main(doc, worker, run):
    """Command line of a benchmark module run as a script.

    ``--quick`` as in ``run.py``; ``--worker JSON`` (internal, see
    ``run_worker``) prints ``worker(payload)`` as JSON; otherwise prints the
    records of ``run``. ``doc`` is the module docstring, for ``--help``.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--worker", help="internal: run one memory measurement")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    for record in run(args.quick):
        print(record)


def _cpu_model():
    try:
        output = subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=False
        ).stdout
        for line in output.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment():
    """Machine, library versions and date, for the record of a run."""
    import numba
    import numpy
    import scipy
    import sklearn
    import threadpoolctl

    import sklearn_kexue

    try:
        from importlib.metadata import version

        flyhash_version = version("flyhash")
    except Exception:  # not installed
        flyhash_version = None

    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} logical CPUs",
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "scikit-learn": sklearn.__version__,
        "threadpoolctl": threadpoolctl.__version__,
        "sklearn_kexue": sklearn_kexue.__version__,
        "flyhash": flyhash_version,
    }
