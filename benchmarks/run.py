"""Run the benchmarks and print, per benchmark, our figure, the peer's and their ratio.

Usage, from the repository root::

    .venv/bin/python benchmarks/run.py [--quick] [--only NAME ...] [--json out.json]

Every ``benchmarks/bench_*.py`` module exposes ``run(quick: bool) -> list[dict]``.
Each record has the keys ``benchmark``, ``case``, ``metric``, ``ours``,
``peer``, ``peer_value``, ``ratio`` (> 1 means we are better) and
``ratio_meaning``, and optionally ``note``, ``target`` and ``target_met``.
Records are grouped into one table per ``benchmark`` value. All numbers come
from this one run.
"""

import argparse
import glob
import importlib.util
import json
import math
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _common import environment  # noqa: E402

REQUIRED_KEYS = {
    "benchmark": str,
    "case": str,
    "metric": str,
    "ours": float,
    "peer": str,
    "peer_value": float,
    "ratio": float,
    "ratio_meaning": str,
}


def discover():
    """Benchmark module names (``bench_`` prefix removed) and their paths, sorted."""
    paths = sorted(glob.glob(os.path.join(HERE, "bench_*.py")))
    return {os.path.basename(path)[len("bench_") : -len(".py")]: path for path in paths}


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def validate(record, source):
    for key, kind in REQUIRED_KEYS.items():
        if key not in record:
            raise ValueError(f"{source}: record {record!r} lacks {key!r}")
        if kind is float:
            record[key] = float(record[key])
        elif not isinstance(record[key], kind):
            raise TypeError(
                f"{source}: {key!r} must be {kind.__name__}, got {record!r}"
            )
    return record


def _number(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _met(record):
    if "target_met" not in record:
        return ""
    return "yes" if record["target_met"] else "NO"


def format_table(records):
    """An aligned text table of records; ratio meanings are footnoted below it."""
    meanings = list(dict.fromkeys(record["ratio_meaning"] for record in records))
    header = [
        "case",
        "metric",
        "ours",
        "peer",
        "peer value",
        "ratio",
        "target",
        "met",
        "note",
    ]
    rows = [
        [
            record["case"],
            record["metric"],
            _number(record["ours"]),
            record["peer"],
            _number(record["peer_value"]),
            f"{record['ratio']:.2f} [{meanings.index(record['ratio_meaning']) + 1}]",
            record.get("target", ""),
            _met(record),
            record.get("note", ""),
        ]
        for record in records
    ]
    numeric = {2, 4, 5}
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        parts = [
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    lines = [line(header), line(["-" * width for width in widths])]
    lines += [line(row) for row in rows]
    lines += [f"  [{i + 1}] ratio = {meaning}" for i, meaning in enumerate(meanings)]
    return "\n".join(lines)


def print_tables(records):
    for name in dict.fromkeys(record["benchmark"] for record in records):
        group = [record for record in records if record["benchmark"] == name]
        print(f"\n== {name} ==")
        print(format_table(group))


def print_targets(records):
    targeted = [record for record in records if "target_met" in record]
    if not targeted:
        return
    met = sum(record["target_met"] for record in targeted)
    print(f"\nTargets met: {met} of {len(targeted)}")
    for record in targeted:
        if not record["target_met"]:
            print(
                f"  NOT MET: {record['benchmark']} | {record['case']} | "
                f"{record['peer']} | {record['target']} (ratio {record['ratio']:.2f})"
            )


def parse_args(argv, available):
    parser = argparse.ArgumentParser(description="Run the sklearn-kexue benchmarks.")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and few repeats (smoke test)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help=f"run only these benchmarks (of: {', '.join(available)})",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.only:
        names = [name.removeprefix("bench_").removesuffix(".py") for name in args.only]
        unknown = [name for name in names if name not in available]
        if unknown:
            parser.error(
                f"unknown benchmark(s) {unknown}; available: {list(available)}"
            )
        args.only = names
    return args


def main(argv=None):
    available = discover()
    args = parse_args(argv, available)
    selected = args.only or list(available)
    command = " ".join([os.path.relpath(sys.argv[0]), *sys.argv[1:]])
    env = environment()
    print(f"command: python {command}")
    print("environment: " + ", ".join(f"{key}={value}" for key, value in env.items()))

    records, failures, durations = [], [], {}
    started = time.perf_counter()
    for name in selected:
        print(f"\n-- running {name}{' (quick)' if args.quick else ''} --", flush=True)
        start = time.perf_counter()
        try:
            module = load_module(name, available[name])
            new = [validate(record, name) for record in module.run(quick=args.quick)]
        except Exception:
            traceback.print_exc()
            failures.append(name)
            new = []
        durations[name] = time.perf_counter() - start
        print(
            f"-- {name}: {len(new)} records in {durations[name]:.1f} s --", flush=True
        )
        records += new
    total = time.perf_counter() - started

    print_tables(records)
    print_targets(records)
    print(
        f"\nTotal wall time: {total:.1f} s ("
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in durations.items())
        + ")"
    )
    if failures:
        print(f"FAILED benchmarks: {', '.join(failures)}")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "command": f"python {command}",
                    "quick": args.quick,
                    "environment": env,
                    "durations_s": durations,
                    "total_s": total,
                    "failures": failures,
                    "records": records,
                },
                out,
                indent=2,
                ensure_ascii=False,
            )
        print(f"results written to {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
