"""Loader for the bundled list of two-character Chinese words and frequencies."""

import gzip
import importlib.resources
from numbers import Integral

import numpy as np
from sklearn.utils import Bunch

from sklearn_kexue.utils._param_validation import Interval, validate_params

__all__ = ["load_two_character_words"]

_DATA_FILE = "two_character_words.tsv.gz"
# The bundled file keeps only the words at least this frequent.
_FILE_MIN_FREQUENCY = 100

_DESCR = """\
Two-character words of the jieba Chinese word segmenter's dictionary
--------------------------------------------------------------------

The words of exactly two characters whose frequency is at least 100 in
``jieba/dict.txt`` of jieba 0.42.1 (23,630 words), with their frequencies,
sorted by frequency (descending) and then by word. The frequencies are
jieba's counts; part-of-speech tags are not kept.

Source: jieba 0.42.1, https://github.com/fxsjy/jieba, MIT licence,
Copyright (c) 2013 Sun Junyi. See ``sklearn_kexue/datasets/data/README.md``
for how the file was built.
"""


def _read_rows():
    """Words and frequencies of the bundled file, in file order."""
    path = importlib.resources.files("sklearn_kexue.datasets") / "data" / _DATA_FILE
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        header = f.readline().rstrip("\n")
        if header != "word\tfrequency":
            raise RuntimeError(f"Unexpected header {header!r} in {_DATA_FILE}.")
        words, frequencies = [], []
        for line in f:
            word, frequency = line.rstrip("\n").split("\t")
            words.append(word)
            frequencies.append(int(frequency))
    return words, frequencies


@validate_params(
    {
        # The bundled file only holds the words with frequency >= 100.
        "min_frequency": [Interval(Integral, _FILE_MIN_FREQUENCY, None, closed="left")],
        "as_frame": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_two_character_words(*, min_frequency=100, as_frame=False):
    """Load the two-character words of jieba's dictionary with their frequencies.

    The words of exactly two characters listed in the dictionary of the jieba
    Chinese word segmenter [1]_ with a frequency of at least ``min_frequency``,
    most frequent first (ties in word order).

    =================   =======================
    Words (default)     23,630
    Word length         2 characters
    Frequencies         int64, 100 to 142,747
    =================   =======================

    Parameters
    ----------
    min_frequency : int, default=100
        Keep only the words with at least this frequency. Must be at least
        100, as the bundled file only holds the words with frequency >= 100.

    as_frame : bool, default=False
        If True (a bool, not any truthy value), also return the words and
        frequencies as a pandas DataFrame in ``frame`` (requires pandas).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        words : ndarray of shape (n_words,), dtype=object
            The words (``str`` of length 2), sorted by decreasing frequency
            and then by word.
        frequency : ndarray of shape (n_words,), dtype=int64
            The frequency of each word in jieba's dictionary.
        frame : pandas.DataFrame of shape (n_words, 2) or None
            Columns ``word`` and ``frequency``; only when ``as_frame=True``,
            None otherwise.
        DESCR : str
            A description of the dataset and its source.

    Raises
    ------
    ValueError
        If ``min_frequency`` is not an int or is below 100, or ``as_frame``
        is not a bool (scikit-learn's ``InvalidParameterError``, which is
        both a ``ValueError`` and a ``TypeError``).
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    Notes
    -----
    The list is derived from ``jieba/dict.txt`` of jieba 0.42.1 [1]_, whose
    lines are ``word frequency pos_tag``: the words with ``len(word) == 2``
    and frequency >= 100 are kept, the part-of-speech tags dropped. jieba is
    distributed under the MIT licence, Copyright (c) 2013 Sun Junyi; the
    licence text and the commands that built the bundled file are in
    ``sklearn_kexue/datasets/data/README.md``.

    References
    ----------
    .. [1] Sun Junyi, "jieba: Chinese text segmentation", version 0.42.1,
       2020. https://github.com/fxsjy/jieba

    Examples
    --------
    >>> from sklearn_kexue.datasets import load_two_character_words
    >>> data = load_two_character_words()
    >>> len(data.words)
    23630
    >>> data.words[:3].tolist(), data.frequency[:3].tolist()
    (['一个', '中国', '我们'], [142747, 129470, 98740])
    >>> len(load_two_character_words(min_frequency=1000).words)
    4702
    """
    return _load_two_character_words(min_frequency, as_frame)


def _load_two_character_words(min_frequency, as_frame):
    words, frequencies = _read_rows()
    frequency = np.asarray(frequencies, dtype=np.int64)
    keep = frequency >= min_frequency
    words_array = np.asarray(words, dtype=object)[keep]
    frequency = frequency[keep]

    frame = None
    if as_frame:
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                "load_two_character_words(as_frame=True) requires pandas; "
                "install it (pip install pandas) or use as_frame=False."
            ) from exc
        frame = pd.DataFrame({"word": words_array, "frequency": frequency})

    return Bunch(words=words_array, frequency=frequency, frame=frame, DESCR=_DESCR)
