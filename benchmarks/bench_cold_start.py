"""Cold start: each estimator's first call in a fresh process, empty numba cache.

Protocol:

- each measurement is a fresh interpreter (``python -c``) with
  ``NUMBA_CACHE_DIR`` pointing at a new empty directory ("empty cache"), then
  a second fresh interpreter on the same directory ("warm cache");
- the interpreter times ``import sklearn_kexue`` and then the estimator's
  first ``fit`` + ``transform`` (``predict`` for the classifier) at default
  parameters (``random_state=0``) on small data: 200 x 64 float64 uniform
  [0, 1) values (labels ``row % 2`` for the classifier; Poisson(2) counts for
  SimplerGlove; 200 documents of 8 to 20 words from a 50-word vocabulary for
  CooccurrenceVectorizer), and then the same call on float32 data;
- the README's tour (``python -m sklearn_kexue``) is timed the same way.

The ratio is warm / empty-cache seconds (import and first calls together).
Target: the empty-cache import plus first call at most 3 s per estimator, and
the tour within 20 s.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import script_main

CALL = textwrap.dedent(
    """
    import json, sys, time, warnings
    start = time.perf_counter()
    import numpy as np
    import sklearn_kexue
    from sklearn_kexue.utils import all_estimators
    imported = time.perf_counter()
    warnings.simplefilter("ignore")
    name = sys.argv[1]
    cls = dict(all_estimators())[name]
    rng = np.random.default_rng(0)
    if name.endswith("Vectorizer"):  # text in
        words = [f"w{i}" for i in range(50)]
        data = [list(rng.choice(words, rng.integers(8, 21))) for _ in range(200)]
    elif name == "SimplerGlove":
        data = rng.poisson(2.0, size=(200, 64)).astype(float)
    else:
        data = rng.random((200, 64))
    labels = np.arange(200) % 2

    def first_call(data):
        estimator = cls()
        if "random_state" in estimator.get_params():
            estimator.set_params(random_state=0)
        if hasattr(estimator, "predict"):
            return estimator.fit(data, labels).predict(data)
        return estimator.fit(data).transform(data)

    first_call(data)
    called = time.perf_counter()
    if not name.endswith("Vectorizer"):
        first_call(data.astype(np.float32))
    float32 = time.perf_counter()
    print(json.dumps({"import": imported - start, "call": called - imported,
                      "float32": float32 - called}))
    """
)


def _estimator_names():
    from sklearn_kexue.utils import all_estimators

    return [name for name, _ in all_estimators()]


def _timed(args, cache_dir, timeout=600):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout, elapsed


def _call_times(name, cache_dir):
    stdout, _ = _timed(["-c", CALL, name], cache_dir)
    return json.loads(stdout.strip().splitlines()[-1])


def run(quick=False):
    records = []
    for name in _estimator_names():
        with tempfile.TemporaryDirectory() as cache_dir:
            cold = _call_times(name, cache_dir)
            warm = _call_times(name, cache_dir)
        cold_total = cold["import"] + cold["call"]
        warm_total = warm["import"] + warm["call"]
        records.append(
            {
                "benchmark": "cold_start",
                "case": name,
                "metric": "import + first call (s)",
                "ours": cold_total,
                "peer": "warm cache",
                "peer_value": warm_total,
                "ratio": warm_total / cold_total,
                "ratio_meaning": "warm / empty-cache seconds",
                "target": "empty cache <= 3 s",
                "target_met": bool(cold_total <= 3.0),
                "note": f"import {cold['import']:.2f} s, first call "
                f"{cold['call']:.2f} s, then float32 {cold['float32']:.2f} s "
                f"(warm: {warm['import']:.2f} + {warm['call']:.2f}, float32 "
                f"{warm['float32']:.2f})",
            }
        )
    if quick:
        return records
    with tempfile.TemporaryDirectory() as cache_dir:
        _, cold = _timed(["-m", "sklearn_kexue"], cache_dir)
        _, warm = _timed(["-m", "sklearn_kexue"], cache_dir)
    records.append(
        {
            "benchmark": "cold_start",
            "case": "README tour (python -m sklearn_kexue)",
            "metric": "wall time (s)",
            "ours": cold,
            "peer": "warm cache",
            "peer_value": warm,
            "ratio": warm / cold,
            "ratio_meaning": "warm / empty-cache seconds",
            "target": "empty cache <= 20 s",
            "target_met": bool(cold <= 20.0),
        }
    )
    return records


if __name__ == "__main__":
    script_main(__doc__, None, run)
