"""Every public object has a valid numpydoc docstring with an Examples section."""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

PUBLIC_MODULES = [
    "sklearn_kexue",
    "sklearn_kexue.dask",
    "sklearn_kexue.datasets",
    "sklearn_kexue.decomposition",
    "sklearn_kexue.embedding",
    "sklearn_kexue.hashing",
    "sklearn_kexue.linear_model",
    "sklearn_kexue.metrics",
    "sklearn_kexue.neighbors",
    "sklearn_kexue.testing",
    "sklearn_kexue.utils",
]

# ES01: extended summaries are optional; SA01: See Also is optional for helpers;
# GL01: the docstring may start on the first line; RT02: returns are named
# (``self : object``), all three as in scikit-learn's own docstrings.
IGNORED = {"ES01", "SA01", "GL01", "RT02"}
# Methods document their behaviour; the class docstring carries the example.
IGNORED_FOR_METHODS = IGNORED | {"EX01"}


def _public_objects():
    seen = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            path = f"{module_name}.{name}"
            yield path, obj, IGNORED
            if inspect.isclass(obj):
                for method_name, method in vars(obj).items():
                    if method_name.startswith("_") or not callable(method):
                        continue
                    yield f"{path}.{method_name}", method, IGNORED_FOR_METHODS


OBJECTS = list(_public_objects())


@pytest.mark.parametrize("path, obj, ignored", OBJECTS, ids=[o[0] for o in OBJECTS])
def test_docstring(path, obj, ignored):
    result = numpydoc_validate.validate(path)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in ignored
    ]
    assert not errors, "\n".join(errors)
