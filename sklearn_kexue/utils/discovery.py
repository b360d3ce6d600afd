"""Discovery of the estimators that ``sklearn_kexue`` exports."""

import importlib
import inspect

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)

from sklearn_kexue.utils._param_validation import StrOptions, validate_params

__all__ = ["all_estimators"]

# The package and its public subpackages, whose __all__ lists what they export.
_PUBLIC_MODULES = (
    "sklearn_kexue",
    "sklearn_kexue.decomposition",
    "sklearn_kexue.embedding",
    "sklearn_kexue.hashing",
    "sklearn_kexue.linear_model",
    "sklearn_kexue.neighbors",
)

_TYPE_MIXINS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
}


@validate_params(
    {"type_filter": [StrOptions(set(_TYPE_MIXINS)), list, tuple, set, frozenset, None]},
    prefer_skip_nested_validation=True,
)
def all_estimators(type_filter=None):
    """List the estimators exported by :mod:`sklearn_kexue`.

    Every class named in the ``__all__`` of ``sklearn_kexue`` or of one of
    its public subpackages that derives from
    :class:`~sklearn.base.BaseEstimator` is returned, so a new estimator is
    picked up (by the common tests, the fuzz suite, the tour and the docs) as
    soon as it is exported.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer"}, list of those \
            or None, default=None
        Keep only estimators of these kinds (a list, tuple or set of kinds
        keeps those of any of them; an empty one keeps none).

    Returns
    -------
    estimators : list of (str, type) tuples
        ``(name, class)`` pairs sorted by name.

    Raises
    ------
    ValueError or TypeError
        If ``type_filter`` is neither None nor a kind or a collection of
        kinds.

    Examples
    --------
    >>> from sklearn_kexue.utils.discovery import all_estimators
    >>> [name for name, _ in all_estimators(type_filter="classifier")]
    ['GammaCrossEntropyClassifier']
    >>> transformers = [name for name, _ in all_estimators("transformer")]
    >>> "FlyHashTransformer" in transformers, "CooccurrenceVectorizer" in transformers
    (True, True)
    """
    return _all_estimators(type_filter)


def _all_estimators(type_filter):
    found = {}
    for module_name in _PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
                found[name] = obj
    estimators = list(found.items())
    if type_filter is not None:
        kinds = [type_filter] if isinstance(type_filter, str) else list(type_filter)
        unknown = [k for k in kinds if not isinstance(k, str) or k not in _TYPE_MIXINS]
        if unknown:
            raise ValueError(
                f"type_filter must be among {sorted(_TYPE_MIXINS)}, got {unknown!r}."
            )
        estimators = [
            (name, cls)
            for name, cls in estimators
            if any(issubclass(cls, _TYPE_MIXINS[kind]) for kind in kinds)
        ]
    return sorted(estimators, key=lambda pair: pair[0])
