"""Run the property checks of ``sklearn_kexue.testing`` on scikit-learn's estimators.

Not a timing benchmark (``run.py`` collects ``bench_*.py`` only): a survey
of what :func:`~sklearn_kexue.testing.property_checks` finds on the
estimators of :func:`sklearn.utils.all_estimators` that have
``_parameter_constraints`` and whose constructor needs no argument.

Usage, from the repository root::

    .venv/bin/python benchmarks/property_checks_sklearn.py OUT_DIR \\
        [--max-examples 10] [--fit-draws 50] [--jobs 2] [--only NAME ...]

It writes ``OUT_DIR/results.json`` (everything, the falsifying examples
included) and ``OUT_DIR/summary.md`` (counts and the failures).

For each estimator class, in a fresh interpreter:

1. **Fit rate.** ``--fit-draws`` joint draws of
   :func:`~sklearn_kexue.testing.estimators_with_data` with the defaults a
   class without ``_data_constraints`` gets (finite real X in dense and SciPy
   sparse containers; labels for a classifier, real targets for a
   regressor), counting the draws whose ``fit`` succeeds and grouping the
   errors of those that do not. Then the same with what scikit-learn's own
   tags say about the data ("described"): dense only where
   ``input_tags.sparse`` is False, real targets where ``target_tags.required``
   holds for a class that is neither a classifier nor a regressor.
2. **Property checks**, with the described data and ``--max-examples`` draws
   each. A draw whose ``fit`` raises is rejected (``hypothesis.reject``), so
   that the checks run on the draws that fit; a check none of whose draws
   fits ends in ``Unsatisfiable`` and counts as "unfit", never as a failure.
   Statuses: ``pass``, ``fail`` (the check's ``AssertionError``, with the
   shrunk example hypothesis reports in ``__notes__``), ``error`` (another
   exception, from ``transform`` or ``predict`` say), ``flaky`` (a failure
   that did not reproduce), ``unfit``, ``timeout`` and ``n/a`` (the class has
   neither ``transform`` nor ``predict``, or the check would be vacuous).

``property_checks``' own ``check_format_invariance`` compares every
container of :data:`~sklearn_kexue.testing.FORMATS`, pydata ``sparse``
arrays included, which scikit-learn does not accept: it would report every
estimator as unfit. In its place this script runs
``check_format_invariance_scipy``: dense against the SciPy containers
(``csr_matrix``, ``csr_array``, ``csc_matrix``, ``coo_array``), fitting on
each and predicting or transforming each, values compared as the property
checks compare them (float outputs to sqrt(eps) of their largest
magnitude), the output container (sparse output for sparse input) not
compared.

``copy``-like flags (``copy``, ``copy_X``, ``copy_x``...) are pinned to True
in the property checks: ``copy=False`` is documented to let an estimator
modify its input (scaling in place, say), which ``check_input_unchanged``
and ``check_row_independence`` would report first on every such class and
shrink to, hiding anything else; ``--draw-copy`` draws them too. A class
with a ``novelty`` parameter (``LocalOutlierFactor``) gets ``novelty=True``,
the setting under which it predicts.

Each check runs in a forked child with a wall-clock cap (``--check-timeout``)
within a cap per estimator (``--estimator-timeout``); a check that times out
(while shrinking, mostly) is run again without shrinking, within half the
cap, and a failure found then is reported with its unshrunk example.
Hypothesis runs derandomised, without a database; OpenBLAS and OpenMP use
one thread and warnings are silenced. With the defaults, the 183 classes
of scikit-learn 1.9.1 take about 25 minutes on two cores.
"""

import argparse
import concurrent.futures
import inspect
import json
import math
import multiprocessing
import os
import platform
import re
import signal
import subprocess
import sys
import time
import traceback
import warnings
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)
SCIPY_FORMATS = ("csr_matrix", "csr_array", "csc_matrix", "coo_array")
FORMAT_CHECK = "check_format_invariance_scipy"
STATUSES = ("pass", "fail", "error", "flaky", "unfit", "timeout", "n/a")
MARKER = "@@RESULT@@ "


def _quiet_environment():
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env[name] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    return env


def _enable_experimental():
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401


# ---------------------------------------------------------------- discovery


def candidates():
    """(name, class, reason) for every estimator; reason is None when it runs."""
    from sklearn.utils import all_estimators

    _enable_experimental()
    found = []
    for name, cls in all_estimators():
        reason = None
        if not hasattr(cls, "_parameter_constraints"):
            reason = "no _parameter_constraints"
        else:
            required = [
                p.name
                for p in inspect.signature(cls).parameters.values()
                if p.default is p.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            if required:
                reason = f"constructor needs {', '.join(required)}"
        found.append((name, cls, reason))
    return found


# ---------------------------------------------------------------- the worker


def _described(cls):
    """Strategy keyword arguments from scikit-learn's tags, and what they say."""
    from sklearn.base import ClassifierMixin, RegressorMixin

    kwargs, notes = {}, []
    try:
        tags = cls().__sklearn_tags__()
    except Exception as error:  # SelfTrainingClassifier() without an estimator
        return {}, [f"tags unavailable ({type(error).__name__})"], None
    if tags.input_tags.sparse:
        kwargs["formats"] = ("dense", *SCIPY_FORMATS)
    else:
        kwargs["formats"] = ("dense",)
        notes.append("dense only")
    supervised = issubclass(cls, (ClassifierMixin, RegressorMixin))
    if tags.target_tags.required and not supervised:
        kwargs["data_constraints"] = {"y": "continuous"}
        notes.append("real targets")
    return kwargs, notes, tags


def _normalised(message):
    first = (message.strip().splitlines() or [""])[0]
    return re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", first)[:200]


def _fit_rate(cls, kwargs, draws):
    """Fit ``draws`` joint draws; count the fits and group the errors."""
    from hypothesis import HealthCheck, Phase, given, settings
    from sklearn.base import clone

    from sklearn_kexue.testing import estimators_with_data

    counts = {"draws": 0, "fitted": 0}
    errors = Counter()
    examples = {}

    @settings(
        max_examples=draws,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=estimators_with_data(cls, **kwargs))
    def probe(case):
        counts["draws"] += 1
        estimator, X, y = case
        try:
            clone(estimator).fit(X, y)
        except Exception as error:
            key = f"{type(error).__name__}: {_normalised(str(error))}"
            errors[key] += 1
            examples.setdefault(key, str(error).strip()[:500])
        else:
            counts["fitted"] += 1

    try:
        probe()
    except Exception as error:
        counts["strategy_error"] = f"{type(error).__name__}: {error}"[:500]
    counts["errors"] = [
        {"error": key, "count": n, "message": examples[key]}
        for key, n in errors.most_common()
    ]
    return counts


def _reject_unfit_draws(cls):
    """Make a failing ``fit`` of ``cls`` reject the hypothesis draw."""
    import functools

    from hypothesis import reject

    original = cls.fit

    @functools.wraps(original)
    def fit(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        except Exception:
            reject()

    cls.fit = fit


def _where(error):
    """The scikit-learn frames an error passed through: entry and raise site."""
    frames = [
        f"{frame.filename.split('/sklearn/', 1)[1]}:{frame.lineno} {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
        if "/sklearn/" in frame.filename
    ]
    return frames[:1] + frames[-1:] if len(frames) > 1 else frames


def _outcome(test):
    """Run a zero-argument hypothesis test; its status and what it raised."""
    from hypothesis.errors import Flaky, Unsatisfiable

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test()
    except Unsatisfiable as error:
        return {"status": "unfit", "message": str(error)[:300]}
    except Exception as error:
        if isinstance(error, Flaky):
            status = "flaky"
        elif isinstance(error, AssertionError):
            status = "fail"
        else:
            status = "error"
        return {
            "status": status,
            "type": type(error).__name__,
            "message": str(error)[:2000],
            "notes": "\n".join(getattr(error, "__notes__", []))[:20000],
            "where": _where(error),
        }
    return {"status": "pass"}


def _format_invariance_test(cls, kwargs, max_examples):
    """Dense against SciPy containers: fit on each, output of each."""
    import numpy as np
    import scipy.sparse as sp
    from hypothesis import HealthCheck, given, settings
    from sklearn.base import clone

    from sklearn_kexue.testing import as_format, estimators_with_data

    def output(estimator, X):
        if hasattr(estimator, "transform"):
            return estimator.transform(X)
        return estimator.predict(X)

    def dense(values):
        return np.asarray(values.toarray() if sp.issparse(values) else values)

    def compare(expected, actual, context):
        expected, actual = dense(expected), dense(actual)
        if expected.shape != actual.shape:
            raise AssertionError(f"{context}: shape {expected.shape} vs {actual.shape}")
        if expected.dtype.kind in "fc" and actual.dtype.kind in "fc":
            rtol = math.sqrt(float(np.finfo(expected.dtype).eps))
            finite = np.abs(expected[np.isfinite(expected)])
            scale = float(finite.max(initial=0.0)) or 1.0
            with np.errstate(invalid="ignore"):
                equal = (expected == actual) | (
                    np.abs(expected - actual) <= rtol * scale
                )
            equal |= np.isnan(expected) & np.isnan(actual)
        else:
            equal = expected == actual
        if not np.all(equal):
            rows = np.flatnonzero(~np.reshape(equal, (len(equal), -1)).all(axis=1))
            raise AssertionError(
                f"{context}: outputs differ in {len(rows)} row(s), first row {rows[0]}."
            )

    def seeded(estimator):
        unset = {
            name: 0
            for name, value in estimator.get_params(deep=True).items()
            if (name == "random_state" or name.endswith("__random_state"))
            and value is None
        }
        return clone(estimator).set_params(**unset)

    strategy = estimators_with_data(cls, **{**kwargs, "formats": ("dense",)})

    @settings(
        max_examples=max_examples,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=strategy)
    def check_format_invariance_scipy(case):
        estimator, X, y = case
        estimator = seeded(estimator)
        reference = clone(estimator).fit(X, y)
        expected = output(reference, X)
        for format in SCIPY_FORMATS:
            X_format = as_format(X, format)
            compare(expected, output(reference, X_format), f"predicting {format}")
            fitted = clone(estimator).fit(X_format, y)
            compare(expected, output(fitted, X_format), f"fitted on {format}")

    return check_format_invariance_scipy


def _in_child(function, timeout):
    """``function()`` in a forked child, killed after ``timeout`` seconds."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def target():
        try:
            result = function()
        except BaseException as error:
            result = {"status": "error", "type": type(error).__name__}
            result["message"] = str(error)[:2000]
        send.send(result)

    start = time.perf_counter()
    child = context.Process(target=target)
    child.start()
    send.close()
    result = None
    if receive.poll(max(timeout, 0.1)):
        try:
            result = receive.recv()
        except EOFError:
            result = None
    child.join(1.0)
    if child.is_alive():
        child.kill()
        child.join()
    if result is None:
        result = (
            {"status": "timeout"}
            if child.exitcode in (None, -signal.SIGKILL)
            else {"status": "error", "type": "crash", "message": f"{child.exitcode}"}
        )
    result["seconds"] = round(time.perf_counter() - start, 2)
    return result


def _pinned_copies(cls):
    """``copy=True`` (and ``copy_X``, ...) where the class has such a flag."""
    defaults = cls().get_params(deep=False)
    return {
        name: True
        for name, value in defaults.items()
        if name.lower().startswith("copy") and isinstance(value, bool)
    }


def _build_test(cls, check, kwargs, max_examples):
    from sklearn_kexue.testing import property_checks

    if check == FORMAT_CHECK:
        return _format_invariance_test(cls, kwargs, max_examples)
    tests = property_checks(cls, max_examples=max_examples, strategy_kwargs=kwargs)
    return dict(tests)[check]


def worker(name, args):
    """Survey one estimator class; print its record as JSON."""
    warnings.simplefilter("ignore")
    from hypothesis import Phase, settings

    common = {"database": None, "derandomize": True, "deadline": None}
    common["print_blob"] = False
    settings.register_profile(
        "survey",
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        **common,
    )
    settings.register_profile(
        "survey_without_shrinking",
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        **common,
    )
    settings.load_profile("survey")
    from sklearn_kexue.testing import property_checks

    cls = next(c for n, c, _ in candidates() if n == name)
    deadline = time.perf_counter() + args.estimator_timeout

    def budget(cap=args.check_timeout):
        return min(cap, deadline - time.perf_counter())

    kwargs, notes, tags = _described(cls)
    pinned = {} if args.draw_copy else _pinned_copies(cls)
    if "novelty" in cls().get_params(deep=False):
        pinned["novelty"] = True  # LocalOutlierFactor predicts only then
    kwargs.update(pinned)
    notes += [f"{flag}={value}" for flag, value in pinned.items()]
    record = {"name": name, "module": cls.__module__, "described": notes}
    try:
        checks = [check for check, _ in property_checks(cls, max_examples=1)]
    except (TypeError, ValueError) as error:
        # A parameter no strategy can draw (an estimator=None default that
        # the constraints refuse, say).
        record["cannot_draw"] = f"{type(error).__name__}: {error}"[:500]
        print(MARKER + json.dumps(record), flush=True)
        return
    record["fit_rate_default"] = _in_child(
        lambda: _fit_rate(cls, {"formats": ("dense", *SCIPY_FORMATS)}, args.fit_draws),
        budget(),
    )
    record["fit_rate_described"] = _in_child(
        lambda: _fit_rate(cls, kwargs, args.fit_draws), budget()
    )
    has_output = hasattr(cls, "transform") or hasattr(cls, "predict")
    vacuous = {
        "check_fit_transform_consistent": not (
            hasattr(cls, "fit_transform") and hasattr(cls, "transform")
        ),
        "check_deterministic": tags is not None and tags.non_deterministic,
        FORMAT_CHECK: "dense only" in notes
        or (tags is not None and tags.non_deterministic),
    }
    _reject_unfit_draws(cls)
    checks = [c for c in checks if c != "check_format_invariance"] + [FORMAT_CHECK]
    record["checks"] = {}
    for check in checks:
        if not has_output or vacuous.get(check, False):
            reason = "no transform or predict" if not has_output else "vacuous"
            record["checks"][check] = {"status": "n/a", "message": reason}
            continue
        if budget() <= 0:
            record["checks"][check] = {"status": "timeout", "message": "no time left"}
            continue

        def attempt(profile, check=check):
            settings.load_profile(profile)
            test = _build_test(cls, check, kwargs, args.max_examples)
            return _outcome(test)

        outcome = _in_child(lambda: attempt("survey"), budget())
        if outcome["status"] == "timeout" and budget(args.check_timeout / 2) > 1:
            # Shrinking (or the draws) took too long: find a failure unshrunk.
            retry = _in_child(
                lambda: attempt("survey_without_shrinking"),
                budget(args.check_timeout / 2),
            )
            if retry["status"] != "timeout":
                retry["shrunk"] = False
                retry["seconds"] += outcome["seconds"]
                outcome = retry
        record["checks"][check] = outcome
    print(MARKER + json.dumps(record), flush=True)


# ---------------------------------------------------------------- the parent


def _run_worker(name, args):
    command = [sys.executable, os.path.abspath(__file__), "--worker", name]
    command += ["--max-examples", str(args.max_examples)]
    command += ["--fit-draws", str(args.fit_draws)]
    command += ["--check-timeout", str(args.check_timeout)]
    command += ["--estimator-timeout", str(args.estimator_timeout)]
    command += ["--draw-copy"] if args.draw_copy else []
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=_quiet_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=args.estimator_timeout + 60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    lines = [line for line in stdout.splitlines() if line.startswith(MARKER)]
    if lines:
        record = json.loads(lines[-1][len(MARKER) :])
    else:
        record = {"name": name, "crash": stderr[-3000:], "checks": {}}
    record["seconds"] = round(time.perf_counter() - start, 1)
    return record


def _rate(block):
    if not isinstance(block, dict) or not block.get("draws"):
        return None
    return block["fitted"] / block["draws"]


def _bucket(rate):
    if rate is None:
        return "no draws (timeout or strategy error)"
    if rate == 0:
        return "0 %"
    if rate < 0.5:
        return "1-49 %"
    if rate < 0.9:
        return "50-89 %"
    if rate < 1:
        return "90-99 %"
    return "100 %"


def _fence(text, limit=1500):
    text = text.strip()
    if len(text) > limit:
        text = text[:limit] + "\n... (truncated; full text in results.json)"
    return "```\n" + text.replace("```", "'''") + "\n```"


def summary(results):
    """The Markdown summary of a survey."""
    env, records = results["environment"], results["estimators"]
    skipped = results["skipped"]
    lines = [
        "# Property checks on scikit-learn's estimators",
        "",
        f"scikit-learn {env['sklearn']}, hypothesis {env['hypothesis']}, "
        f"Python {env['python']}; {env['max_examples']} examples per check, "
        f"{env['fit_draws']} draws for the fit rate; copy flags "
        f"{env['copy_flags']}; {env['wall_s']:.0f} s wall with {env['jobs']} "
        "worker(s).",
        "",
        f"- estimators in `all_estimators()`: {len(records) + len(skipped)}",
        f"- skipped: {len(skipped)} "
        f"({', '.join(sorted(set(Counter(r for _, r in skipped))))[:300]})",
        f"- surveyed: {len(records)}, of which the strategies cannot draw "
        f"{sum(bool(r.get('cannot_draw')) for r in records)}",
        "",
        "## Fit rate of the joint draws",
        "",
        "| fit rate | default data | described by sklearn tags |",
        "|---|---|---|",
    ]
    buckets = [
        "100 %",
        "90-99 %",
        "50-89 %",
        "1-49 %",
        "0 %",
        "no draws (timeout or strategy error)",
    ]
    default = Counter(_bucket(_rate(r.get("fit_rate_default"))) for r in records)
    described = Counter(_bucket(_rate(r.get("fit_rate_described"))) for r in records)
    for bucket in buckets:
        lines.append(f"| {bucket} | {default[bucket]} | {described[bucket]} |")
    checks = list(dict.fromkeys(c for r in records for c in r.get("checks", {})))
    lines += [
        "",
        "## Property checks",
        "",
        "| check | " + " | ".join(STATUSES) + " |",
        "|---|" + "---|" * len(STATUSES),
    ]
    for check in checks:
        outcomes = [r.get("checks", {}).get(check) for r in records]
        counts = Counter(outcome["status"] for outcome in outcomes if outcome)
        lines.append(
            f"| {check} | " + " | ".join(str(counts[s]) for s in STATUSES) + " |"
        )
    lines += ["", "## Per estimator", ""]
    lines += [
        "| estimator | fit default | fit described | "
        + " | ".join(c.replace("check_", "") for c in checks)
        + " | s |",
        "|---|---|---|" + "---|" * len(checks) + "---|",
    ]
    for r in records:

        def cell(block):
            rate = _rate(block)
            return "-" if rate is None else f"{rate:.0%}"

        statuses = [r.get("checks", {}).get(c, {}).get("status", "-") for c in checks]
        lines.append(
            f"| {r['name']} | {cell(r.get('fit_rate_default'))} | "
            f"{cell(r.get('fit_rate_described'))} | "
            + " | ".join(statuses)
            + f" | {r['seconds']} |"
        )
    lines += ["", "## Failures, errors and flaky results", ""]
    for r in records:
        for check, outcome in r.get("checks", {}).items():
            if outcome["status"] not in ("fail", "error", "flaky"):
                continue
            shrunk = "" if outcome.get("shrunk", True) else " (example not shrunk)"
            lines += [
                f"### {r['name']} - {check}: {outcome['status']}{shrunk}",
                "",
                f"{outcome.get('type', '')}: {outcome.get('message', '')[:500]}",
                "",
            ]
            if outcome.get("where"):
                lines += ["at " + " ... ".join(outcome["where"]), ""]
            if outcome.get("notes"):
                lines += [_fence(outcome["notes"]), ""]
    lines += ["## Why draws did not fit (described data)", ""]
    for r in records:
        block = r.get("fit_rate_described") or {}
        errors = block.get("errors") or []
        if errors or block.get("strategy_error"):
            lines.append(
                f"- **{r['name']}** ({block.get('fitted')}/{block.get('draws')})"
            )
            lines += [f"  - {e['count']} x {e['error'][:200]}" for e in errors[:3]]
            if block.get("strategy_error"):
                lines.append(f"  - strategy error: {block['strategy_error'][:200]}")
    if any(r.get("cannot_draw") for r in records):
        lines += ["", "## Classes the strategies cannot draw", ""]
        lines += [
            f"- {r['name']}: {r['cannot_draw'][:300]}"
            for r in records
            if r.get("cannot_draw")
        ]
    if any(r.get("crash") for r in records):
        lines += ["", "## Workers that crashed", ""]
        lines += [f"- {r['name']}" for r in records if r.get("crash")]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", help="where to write the results")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--fit-draws", type=int, default=50)
    parser.add_argument("--check-timeout", type=float, default=30.0)
    parser.add_argument("--estimator-timeout", type=float, default=120.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--draw-copy",
        action="store_true",
        help="draw copy=False too (by default copy flags are pinned to True)",
    )
    parser.add_argument("--only", nargs="*", help="estimator class names")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args)
        return 0
    if not args.out_dir:
        parser.error("OUT_DIR is required")
    os.makedirs(args.out_dir, exist_ok=True)

    import hypothesis
    import sklearn

    found = candidates()
    if args.only:
        found = [item for item in found if item[0] in set(args.only)]
    names = [name for name, _, reason in found if reason is None]
    skipped = [(name, reason) for name, _, reason in found if reason is not None]
    start = time.perf_counter()
    records = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(_run_worker, name, args): name for name in names}
        for future in concurrent.futures.as_completed(futures):
            record = future.result()
            records.append(record)
            statuses = Counter(c["status"] for c in record.get("checks", {}).values())
            print(
                f"[{len(records)}/{len(names)}] {record['name']}: "
                f"{dict(statuses)} ({record['seconds']} s)",
                file=sys.stderr,
                flush=True,
            )
    records.sort(key=lambda record: record["name"])
    results = {
        "environment": {
            "sklearn": sklearn.__version__,
            "hypothesis": hypothesis.__version__,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "max_examples": args.max_examples,
            "fit_draws": args.fit_draws,
            "check_timeout_s": args.check_timeout,
            "estimator_timeout_s": args.estimator_timeout,
            "jobs": args.jobs,
            "copy_flags": "drawn" if args.draw_copy else "pinned to True",
            "wall_s": time.perf_counter() - start,
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "skipped": skipped,
        "estimators": records,
    }
    with open(os.path.join(args.out_dir, "results.json"), "w") as file:
        json.dump(results, file, indent=1)
    with open(os.path.join(args.out_dir, "summary.md"), "w") as file:
        file.write(summary(results))
    print(f"wrote {args.out_dir}/results.json and summary.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
