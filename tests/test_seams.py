"""Code outside the estimators reaches them through public interfaces only.

``sklearn_kexue.dask`` and the benchmarks use what users use: no underscore
attribute or method of another object (an estimator's ``_count_words``, a
solver's ``_training_error``, a dask array's ``_meta``) and no private name
imported from the package. A class of their own may use its own private
methods (``self._objective``). Private *modules* whose public names are
documented for contributors (``sklearn_kexue._loss``) may be imported.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = [ROOT / "sklearn_kexue" / "dask.py", *sorted(ROOT.glob("benchmarks/*.py"))]


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_accesses(source):
    """(line, text) of every private attribute access or private name import."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sklearn_kexue"
        ):
            found.extend(
                (node.lineno, f"from {node.module} import {alias.name}")
                for alias in node.names
                if _private(alias.name)
            )
    return sorted(found)


def test_the_check_finds_what_it_looks_for():
    source = (
        "from sklearn_kexue.utils._validation import _check_pydata_sparse\n"
        "from sklearn_kexue._loss import gamma_loss_and_weight\n"
        "vectorizer._set_vocabulary(counts)\n"
        "X._meta\n"
        "self._objective\n"
        "type(X).__name__\n"
    )
    assert private_accesses(source) == [
        (1, "from sklearn_kexue.utils._validation import _check_pydata_sparse"),
        (3, "vectorizer._set_vocabulary"),
        (4, "X._meta"),
    ]


@pytest.mark.parametrize("path", CHECKED, ids=lambda path: path.name)
def test_no_private_access(path):
    assert private_accesses(path.read_text()) == []
