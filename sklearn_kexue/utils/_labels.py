"""Class labels of one kind: numbers or strings, never a mix.

NumPy turns ``[0, "a"]`` into the strings ``["0", "a"]`` without a word, and
sorting an object array that mixes ``int`` and ``str`` fails deep inside with
"'<' not supported between instances of 'str' and 'int'". The classifier and
the metrics that take labels check them here first, and say what is mixed.
"""

from numbers import Number

import numpy as np

__all__ = ["check_label_kinds"]


def _kind(label):
    if isinstance(label, (str, np.str_, bytes)):
        return "str"
    if isinstance(label, (Number, np.number, np.bool_)):
        return "number"
    return type(label).__name__


def _elements(labels):
    """The labels as an iterable of scalars, if they can mix kinds; else None."""
    if isinstance(labels, (str, bytes)):
        return None
    dtype = getattr(labels, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", "O") != "O":
        return None  # a typed array: all one kind
    if hasattr(labels, "to_numpy"):  # pandas Series, Index, Categorical
        labels = labels.to_numpy(dtype=object)
    # np.asarray, not np.ndim: containers that only offer __array__ work too.
    labels = np.asarray(labels, dtype=object)
    return labels.ravel() if labels.ndim else None


def check_label_kinds(labels, name):
    """Raise a ValueError if ``labels`` mix kinds, or are neither numbers nor strings.

    Parameters
    ----------
    labels : array-like
        Class labels, in any container.
    name : str
        How the error message names the labels (``"y"``, ``"classes"``).

    Returns
    -------
    labels : array-like
        ``labels`` itself, or, for an object array of numbers, those numbers
        as a numeric array.
    """
    elements = _elements(labels)
    if elements is None or elements.size == 0:
        return labels
    kinds = {}
    for label in elements:
        kinds.setdefault(_kind(label), label)
    if len(kinds) > 1:
        examples = ", ".join(f"{kind} ({value!r})" for kind, value in kinds.items())
        raise ValueError(
            f"{name} mixes labels of different types: {examples}. Class labels "
            "must be all numbers or all strings; convert them first (for "
            "example with .astype(str))."
        )
    (kind, example), *_ = kinds.items()
    if kind not in ("number", "str"):
        raise ValueError(
            f"{name} holds {kind} labels ({example!r}); class labels must be "
            "numbers or strings."
        )
    if kind == "number" and getattr(getattr(labels, "dtype", None), "kind", "") == "O":
        # An object array of numbers: scikit-learn calls its type "unknown".
        return np.asarray(elements.tolist()).reshape(np.shape(elements))
    return labels
