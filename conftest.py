"""Test-session set-up shared by the doctests and the test suite."""

import os

# scikit-learn's array API checks are skipped unless this is set before scipy loads.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

collect_ignore = ["docs", "examples", "benchmarks", "build"]
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
