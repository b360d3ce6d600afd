"""Test-session set-up shared by the doctests and the test suite."""

import os

# scikit-learn's array API checks are skipped unless this is set before scipy loads.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

collect_ignore = ["docs", "examples", "benchmarks", "build"]


def pytest_configure(config):
    # Share the cores among xdist workers: oversubscribed BLAS threads on small
    # matrices can make a LogisticRegression fit ten times slower.
    n_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if n_workers > 1:
        from threadpoolctl import threadpool_limits

        threadpool_limits(max(1, (os.cpu_count() or 1) // n_workers))


collect_ignore_glob = ["sklearn_kexue/__main__.py"]


def pytest_collection_modifyitems(config, items):
    # Doctests belong to the package; a test module re-exposes imported docstrings.
    items[:] = [
        item
        for item in items
        if not (
            type(item).__name__ == "DoctestItem"
            and item.path.relative_to(config.rootpath).parts[0] == "tests"
        )
    ]
