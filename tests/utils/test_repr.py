"""The HTML repr links every public estimator to its page of this project's docs."""

import importlib
import inspect
import re
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from sklearn.externals._numpydoc import docscrape

from sklearn_kexue.embedding import CooccurrenceVectorizer
from sklearn_kexue.hashing import FlyHashTransformer
from sklearn_kexue.utils._repr import DOC_URL
from sklearn_kexue.utils.discovery import all_estimators

# CooccurrenceVectorizer is named in case discovery leaves it out; no duplicates.
ESTIMATORS = list(
    dict.fromkeys([cls for _, cls in all_estimators()] + [CooccurrenceVectorizer])
)
API_RST = Path(__file__).resolve().parents[2] / "docs" / "api.rst"


def _autosummary_pages():
    """Dotted names of the pages autosummary writes to docs/generated/.

    An entry ``Name`` under ``.. currentmodule:: mod`` becomes
    ``generated/mod.Name.html``.
    """
    pages, module, in_block = [], None, False
    for line in API_RST.read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match.group(1)
        elif line.startswith(".. autosummary::"):
            in_block = True
        elif in_block and line.startswith("   "):
            entry = line.strip()
            if not entry.startswith(":"):
                pages.append(f"{module}.{entry}")
        elif line.strip():
            in_block = False
    return pages


def _documented_page(cls):
    """The one API page docs/api.rst gives ``cls``."""
    pages = []
    for page in _autosummary_pages():
        module, _, name = page.rpartition(".")
        if getattr(importlib.import_module(module), name, None) is cls:
            pages.append(page)
    assert len(pages) == 1, f"{cls.__name__} has API pages {pages}"
    return pages[0]


def _param_types(cls, section="Parameters"):
    return {
        item.name: item.type
        for item in docscrape.NumpyDocString(inspect.getdoc(cls))[section]
    }


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_doc_link_is_the_api_page(cls):
    estimator = cls()
    expected = f"{DOC_URL}generated/{_documented_page(cls)}.html"
    assert estimator._get_doc_link() == expected

    html = estimator._repr_html_()
    assert f'href="{expected}"' in html
    assert 'href="https://scikit-learn.org' not in html

    # Every documented parameter's name links to its entry on that page.
    links = re.findall(r'href="([^"]*#:~:text=[^"]*)"', html)
    linked = {unquote(link.split("#:~:text=")[1]).split(",-")[0] for link in links}
    assert all(link.startswith(expected + "#:~:text=") for link in links)
    assert set(_param_types(cls)) <= linked
    assert set(_param_types(cls)) == set(estimator.get_params())


def _parameter_cases():
    for cls in ESTIMATORS:
        for name in _param_types(cls):
            yield pytest.param(cls, name, id=f"{cls.__name__}-{name}")


@pytest.mark.parametrize("cls, name", list(_parameter_cases()))
def test_parameter_link_finds_the_rendered_entry(cls, name):
    # numpydoc gives parameters no anchor: the link is a text fragment, the
    # name followed by the type line, which numpydoc renders right after the
    # name (backticks become code, so they are dropped from the fragment).
    html = cls()._repr_html_()
    prefix = f"{cls()._get_doc_link()}#:~:text={quote(name)},-"
    links = re.findall(rf'href="{re.escape(prefix)}([^"]*)"', html)
    assert len(links) == 1
    source_type = _param_types(cls)[name]
    rendered_type = source_type.replace("`", "")
    assert unquote(links[0]) == rendered_type
    # reST consumes backslashes outside ``literals``, and the page shows one
    # space where the source has several.
    outside_literals = re.sub(r"``.*?``", "", source_type)
    assert "\\" not in outside_literals
    assert "  " not in rendered_type


def test_fitted_attribute_links():
    estimator = FlyHashTransformer(hash_length=4, random_state=0)
    estimator.fit([[0.0, 1.0, 2.0, 3.0]] * 3)
    link = estimator._get_doc_link()
    html = estimator._repr_html_()
    assert f'href="{link}#:~:text=connections_,-' in html


class _UserFlyHash(FlyHashTransformer):
    """A user's subclass lives outside the package: not our page to link."""


def test_subclass_outside_package_gets_no_link():
    assert _UserFlyHash()._get_doc_link() == ""
    html = _UserFlyHash()._repr_html_()
    assert "sklearn-kexue.readthedocs.io" not in html
