"""Constraints that tie an estimator's parameters to its data and to each other.

``_parameter_constraints`` says which values each parameter may take on its
own. Some values are valid only for some data (``n_components`` at most
``n_features``) or beside other values (``hash_length`` below
``n_components``). An estimator states those rules in ``_data_constraints``,
next to ``_parameter_constraints``: a dict whose ``"X"`` entry describes the
data ``fit`` accepts (:class:`InputData`), whose ``"y"`` entry the targets
(:class:`Labels`, or None for none), and whose other entries map a parameter
name to the constraints valid in a context (:class:`Given`). The strategies
of :mod:`sklearn_kexue.testing` read it to draw an estimator together with
data it accepts; nothing in ``fit`` depends on it.

Names a :class:`Given` function may take: ``n_samples``, ``n_features`` and
``format`` (the container of X: ``"dense"`` or a sparse format name) from the
data, ``n_classes`` from the labels, ``max_word_count`` (the largest count of
one token) for documents, and the name of any other parameter of the
estimator.
"""

import inspect
from numbers import Integral

from sklearn_kexue.utils._param_validation import Interval, Options

__all__ = ["DATA_KINDS", "Given", "InputData", "Labels", "integers_between"]

#: What :class:`InputData` may describe.
DATA_KINDS = ("real", "nonnegative", "counts", "cooccurrence", "documents")

# Quantities the data and labels provide to Given functions.
DATA_NAMES = ("n_samples", "n_features", "format", "max_word_count")
LABEL_NAMES = ("n_classes",)


def _names(function, what):
    if not callable(function):
        raise TypeError(f"{what} must be callable, got {type(function).__name__}.")
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in parameters):
        raise TypeError(
            f"{what} must take named arguments only (the quantities it depends on)."
        )
    return tuple(p.name for p in parameters)


def integers_between(low, high):
    """Constraints allowing the integers of ``[low, high]`` (none if it is empty).

    scikit-learn's ``Interval`` refuses a single point or an empty range, which
    data-dependent bounds produce for small data.

    Examples
    --------
    >>> from sklearn_kexue.utils._data_constraints import integers_between
    >>> integers_between(1, 1)[0].is_satisfied_by(1), integers_between(2, 1)
    (True, [])
    """
    if high is not None and low > high:
        return []
    if high is not None and low == high:
        return [Options(Integral, {int(low)})]
    return [Interval(Integral, low, high, closed="left" if high is None else "both")]


class Given:
    """Constraints of one entry, computed from the quantities they depend on.

    Parameters
    ----------
    function : callable
        Takes named arguments (a data quantity such as ``n_features``, or
        another parameter's name) and returns what the entry holds in that
        context: for a parameter, a list of constraints in the form of
        ``_parameter_constraints`` (an ``Interval``, ``StrOptions``, None,
        ``"boolean"``...), which must each be a subset of the parameter's own
        constraints; for ``"X"``, an :class:`InputData`.

    Attributes
    ----------
    names : tuple of str
        The names ``function`` takes, in order.

    Examples
    --------
    >>> from numbers import Integral
    >>> from sklearn_kexue.utils._data_constraints import Given
    >>> from sklearn_kexue.utils._param_validation import Interval
    >>> rule = Given(
    ...     lambda n_features: [Interval(Integral, 1, n_features, closed="both")]
    ... )
    >>> rule.names
    ('n_features',)
    >>> rule.resolve({"n_features": 3, "n_samples": 10})[0].right
    3
    """

    def __init__(self, function):
        self.names = _names(function, "Given's function")
        self.function = function

    def resolve(self, context):
        """The constraints in ``context``, a mapping that holds every name."""
        missing = [name for name in self.names if name not in context]
        if missing:
            raise KeyError(f"Given needs {missing}, which the context lacks.")
        return self.function(**{name: context[name] for name in self.names})

    def __repr__(self):
        return f"Given({', '.join(self.names)})"


def _check_count(value, name, low):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")
    return int(value)


class InputData:
    """The X an estimator's ``fit`` accepts.

    Parameters
    ----------
    kind : {"real", "nonnegative", "counts", "cooccurrence", "documents"}, \
            default="real"
        ``"real"``: finite numbers; ``"nonnegative"``: finite numbers >= 0;
        ``"counts"``: non-negative integers (rows of word counts, say);
        ``"cooccurrence"``: a square symmetric matrix of integer pair counts
        with the word counts on its diagonal; ``"documents"``: a list of
        documents, each a str or a list of str tokens.
    min_samples, min_features : int, default=1
        The fewest rows (documents) and columns (words) ``fit`` accepts.
    sparse : bool, default=True
        Whether ``fit`` accepts SciPy sparse containers.
    pydata : bool, default=True
        Whether ``fit`` accepts pydata ``sparse`` arrays (scikit-learn's own
        estimators do not).
    require : callable, default=None
        A last condition on the data that sizes and kind do not express,
        ``require(values) -> bool`` on the dense NumPy values (or the list of
        documents); data it refuses are not drawn.
    reason : str, default=None
        What ``require`` demands, in words (shown in error messages).

    Examples
    --------
    >>> from sklearn_kexue.utils._data_constraints import InputData
    >>> InputData("counts", min_features=2)
    InputData('counts', min_samples=1, min_features=2)
    """

    def __init__(
        self,
        kind="real",
        *,
        min_samples=1,
        min_features=1,
        sparse=True,
        pydata=True,
        require=None,
        reason=None,
    ):
        if kind not in DATA_KINDS:
            raise ValueError(f"kind must be one of {DATA_KINDS}, got {kind!r}.")
        if require is not None and not callable(require):
            raise TypeError(f"require must be callable or None, got {require!r}.")
        self.kind = kind
        self.min_samples = _check_count(min_samples, "min_samples", 0)
        self.min_features = _check_count(min_features, "min_features", 0)
        self.sparse = bool(sparse)
        self.pydata = bool(pydata)
        self.require = require
        self.reason = reason

    def __repr__(self):
        return (
            f"InputData({self.kind!r}, min_samples={self.min_samples}, "
            f"min_features={self.min_features})"
        )


class Labels:
    """Class labels that a classifier's ``fit`` needs.

    Parameters
    ----------
    min_classes : int, default=2
        The fewest distinct classes ``fit`` accepts; every drawn ``y`` holds
        at least this many.

    Examples
    --------
    >>> from sklearn_kexue.utils._data_constraints import Labels
    >>> Labels().min_classes
    2
    """

    def __init__(self, min_classes=2):
        self.min_classes = _check_count(min_classes, "min_classes", 1)

    def __repr__(self):
        return f"Labels(min_classes={self.min_classes})"
