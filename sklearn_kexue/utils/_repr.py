"""Links from the estimators' HTML representation to this project's API pages.

scikit-learn's HTML repr (``estimator._repr_html_()``, shown by Jupyter) draws
a "?" link to the estimator's documentation and, in its parameter and fitted
attribute tables, a link per name. Both come from
``sklearn.utils._repr_html.base._HTMLDocumentationLinkMixin``, which
``BaseEstimator`` inherits with scikit-learn's own settings: left alone, our
estimators would get no link at all (their module is not ``sklearn``).
:class:`DocLinkMixin` sets the three class attributes that mixin reads, in one
place for every estimator.
"""

import itertools

__all__ = ["DOC_URL", "DocLinkMixin", "api_page_name"]

# Where the Sphinx build of docs/ is published (also docs/conf.py's
# html_baseurl and pyproject's Documentation URL).
DOC_URL = "https://sklearn-kexue.readthedocs.io/en/latest/"


def api_page_name(cls):
    """Dotted name of the autosummary page that documents ``cls``.

    docs/api.rst documents each class where users import it from: the
    estimators exported by the top-level package under ``sklearn_kexue``
    (``generated/sklearn_kexue.FlyHashTransformer.html``), the others under
    their public subpackage, the module path up to its first private part
    (``generated/sklearn_kexue.embedding.CooccurrenceVectorizer.html``).
    """
    import sklearn_kexue

    name = cls.__name__
    if getattr(sklearn_kexue, name, None) is cls:
        return f"sklearn_kexue.{name}"
    public_module = ".".join(
        itertools.takewhile(
            lambda part: not part.startswith("_"), cls.__module__.split(".")
        )
    )
    return f"{public_module}.{name}"


class DocLinkMixin:
    """Point the HTML repr's documentation links at this project's API pages.

    Put it right before ``BaseEstimator`` in an estimator's bases. The "?"
    link becomes ``DOC_URL + "generated/<page>.html"`` (see
    :func:`api_page_name`); scikit-learn appends to it a text fragment
    ``#:~:text=<name>,-<type line>`` per parameter and fitted attribute,
    which a browser scrolls to: numpydoc's parameter lists carry no anchors,
    and the type line, the text that follows the name on the page, tells the
    entry apart from other mentions of the name.

    Subclasses defined outside ``sklearn_kexue`` get no link, as in
    scikit-learn: their page is not ours.
    """

    _doc_link_module = "sklearn_kexue"
    _doc_link_template = DOC_URL + "generated/{page}.html"

    def _doc_link_url_param_generator(self):
        return {"page": api_page_name(type(self))}
