"""docs/api.rst documents every public object of every public module."""

import importlib
import pkgutil
import re
from pathlib import Path

import sklearn_kexue

API_RST = Path(__file__).resolve().parents[1] / "docs" / "api.rst"

# The package and its public submodules (sklearn_kexue.dask included): a new
# one is checked as soon as it exists.
PUBLIC_MODULES = ["sklearn_kexue"] + [
    name
    for _, name, _ in pkgutil.iter_modules(sklearn_kexue.__path__, "sklearn_kexue.")
    if not name.rpartition(".")[2].startswith("_")
]


def _documented_objects():
    """Objects the API reference documents, as (module, name) pairs resolved."""
    documented, module, in_autosummary = [], None, False
    for line in API_RST.read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module, in_autosummary = match.group(1), False
        elif match := re.match(r"\.\. data:: (\S+)", line):
            documented.append((module, match.group(1)))
            in_autosummary = False
        elif line.startswith(".. autosummary::"):
            in_autosummary = True
        elif in_autosummary and line.startswith("   "):
            entry = line.strip()
            if not entry.startswith(":"):
                documented.append((module, entry))
        elif line.strip():
            in_autosummary = False
    return documented


def test_every_public_object_is_documented():
    documented = set()
    for module, name in _documented_objects():
        obj = getattr(importlib.import_module(module), name)
        documented.add(id(obj))
    missing = []
    for module_name in PUBLIC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # sklearn_kexue.dask without the dask extra
            continue
        for name in module.__all__:
            if name != "__version__" and id(getattr(module, name)) not in documented:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"missing from docs/api.rst: {missing}"


def test_documented_objects_are_public():
    for module, name in _documented_objects():
        assert name in importlib.import_module(module).__all__, f"{module}.{name}"
