"""Sphinx configuration for the sklearn-kexue documentation.

Build with::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build needs no network: no intersphinx, no remote fonts. The gallery
examples in ``examples/`` are executed at build time.
"""

import os
import re
import sys
from pathlib import Path

# The gallery examples draw off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.use("Agg")

# Document the checkout even when the package is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sklearn_kexue
from sklearn_kexue.utils._repr import DOC_URL

# -- Project information -----------------------------------------------------

project = "sklearn-kexue"
author = "The sklearn-kexue developers"
copyright = "The sklearn-kexue developers"
version = sklearn_kexue.__version__
release = sklearn_kexue.__version__

# -- General configuration ---------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.extlinks",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
# Single backticks render as code, as in scikit-learn's docstrings.
default_role = "literal"
# Straight quotes stay straight (dashes and ellipses are still set): a
# parameter's type line, such as `{"auto", "full"}, default="auto"`, must
# read on the page as in the docstring, because the HTML repr's parameter
# links find the entry by that text (a #:~:text= fragment).
smartquotes_action = "De"

# -- autodoc / autosummary / numpydoc ----------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# Methods inherited from scikit-learn (get_params, set_output, ...) carry
# :ref: roles that point into scikit-learn's own documentation. Without
# intersphinx they cannot resolve, so point them at scikit-learn's site.
_SKLEARN_REF = re.compile(r":ref:`(?:([^`<]+?)\s*<([^`>]+)>|([^`<>]+))`")
_SKLEARN_USER_GUIDE = "https://scikit-learn.org/stable/user_guide.html"
_SKLEARN_EXAMPLES = "https://scikit-learn.org/stable/auto_examples/index.html"


def _link_sklearn_refs(match):
    title, label = match.group(1), match.group(2) or match.group(3)
    if label.startswith("sphx_glr_"):
        text, url = title or "scikit-learn's examples", _SKLEARN_EXAMPLES
    else:
        text, url = title or "scikit-learn's user guide", _SKLEARN_USER_GUIDE
    return f"`{text} <{url}>`__"


# Glossary terms (the metadata-routing methods' :term:`meta-estimator`) go to
# scikit-learn's glossary.
_SKLEARN_TERM = re.compile(r":term:`(?:([^`<]+?)\s*<[^`>]+>|([^`<>]+))`")
_SKLEARN_GLOSSARY = "https://scikit-learn.org/stable/glossary.html"


def _link_sklearn_terms(match):
    return f"`{match.group(1) or match.group(2)} <{_SKLEARN_GLOSSARY}>`__"


def _rewrite_sklearn_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if module == "sklearn" or module.startswith("sklearn."):
        lines[:] = [_SKLEARN_REF.sub(_link_sklearn_refs, line) for line in lines]
        lines[:] = [_SKLEARN_TERM.sub(_link_sklearn_terms, line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _rewrite_sklearn_refs)


# Roles used in the docstrings' References sections.
extlinks = {
    "doi": ("https://doi.org/%s", "doi:%s"),
    "arxiv": ("https://arxiv.org/abs/%s", "arXiv:%s"),
}

# -- sphinx-gallery ----------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "run_stale_examples": False,
    "doc_module": ("sklearn_kexue",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
}

# -- HTML output -------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
# Where the documentation is published, defined once with the estimators'
# HTML repr links to DOC_URL + "generated/<page>.html".
html_baseurl = DOC_URL
html_title = f"sklearn-kexue {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_show_sourcelink = False
