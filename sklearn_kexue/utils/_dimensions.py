"""Rules of thumb for the dimension of an embedding."""

import math
from numbers import Integral

from sklearn_kexue.utils._param_validation import Interval, validate_params

__all__ = ["minimum_entropy_dimension"]

# Su (2020): word vectors need n > 8.33 log N dimensions for a vocabulary of N words.
_MINIMUM_ENTROPY_FACTOR = 8.33


@validate_params(
    {"n_words": [Interval(Integral, 1, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def minimum_entropy_dimension(n_words):
    """Word-vector size by the minimum-entropy rule of thumb, ⌈8.33 ln N⌉.

    Su [1]_ asks how many dimensions a skip-gram-like model needs so that
    the entropy of the word-pair distribution it can express matches that of
    a vocabulary of N words, and finds n > 8.33 ln N: 77 for 10,000 words,
    96 for 100,000, 116 for a million. :class:`~sklearn_kexue.SimplerGlove`
    uses it for ``n_components="auto"``.

    Parameters
    ----------
    n_words : int
        Vocabulary size N, at least 1 (an int; bools and floats are refused).

    Returns
    -------
    n_components : int
        ``ceil(8.33 * ln(n_words))``, and at least 1.

    References
    ----------
    .. [1] J. Su, "最小熵原理（六）：词向量的维度应该怎么选择？" (The minimum
       entropy principle, part 6: how to choose the dimension of word
       vectors), 2020. https://kexue.fm/archives/7695

    Examples
    --------
    >>> from sklearn_kexue.utils import minimum_entropy_dimension
    >>> minimum_entropy_dimension(10_000)
    77
    >>> minimum_entropy_dimension(1)
    1
    """
    return _minimum_entropy_dimension(n_words)


def _minimum_entropy_dimension(n_words):
    return max(1, math.ceil(_MINIMUM_ENTROPY_FACTOR * math.log(n_words)))
