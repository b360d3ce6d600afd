"""Row batches sized by scikit-learn's ``working_memory`` setting."""

import math
from numbers import Integral, Real

import sklearn

from sklearn_kexue.utils._param_validation import Interval, validate_params

__all__ = ["gen_row_batches"]


def _batch_size(n_samples, row_bytes, working_memory, max_batch_size):
    if working_memory is None:
        working_memory = sklearn.get_config()["working_memory"]
        # The global setting is not validated by scikit-learn.
        if (
            isinstance(working_memory, bool)
            or not isinstance(working_memory, Real)
            or not working_memory > 0
        ):
            raise ValueError(
                "sklearn.get_config()['working_memory'] must be a positive number "
                f"of MiB, got {working_memory!r}; set it with "
                "sklearn.set_config(working_memory=...)."
            )
    budget = working_memory * 2**20
    if math.isinf(budget):  # no limit (or a budget beyond float64's range)
        batch_size = n_samples
    else:
        # A row needing no memory still counts a byte: batches stay finite.
        batch_size = min(n_samples, int(budget // max(1, row_bytes)))
    batch_size = max(1, batch_size)
    if max_batch_size is not None:
        batch_size = min(batch_size, max_batch_size)
    return batch_size


def _gen_row_batches(n_samples, batch_size):
    for start in range(0, n_samples, batch_size):
        yield slice(start, min(start + batch_size, n_samples))


@validate_params(
    {
        "n_samples": [Interval(Integral, 0, None, closed="left")],
        "row_bytes": [Interval(Real, 0, None, closed="left")],
        "working_memory": [Interval(Real, 0, None, closed="right"), None],
        "max_batch_size": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def gen_row_batches(n_samples, row_bytes, *, working_memory=None, max_batch_size=None):
    """Yield row slices whose temporary memory fits in ``working_memory``.

    Chunked transforms call this so that the memory they need beyond their
    output stays bounded, however many rows they are given. The arguments
    are checked when it is called, before the first slice is asked for.

    Parameters
    ----------
    n_samples : int >= 0
        Number of rows to cover.
    row_bytes : float >= 0
        Bytes of temporary memory that one row needs (finite).
    working_memory : float > 0, default=None
        Memory budget in MiB; ``inf`` means no limit (one batch). ``None``
        reads ``sklearn.get_config()["working_memory"]`` (1024 MiB by
        default).
    max_batch_size : int >= 1, default=None
        Optional upper bound on the rows per batch.

    Returns
    -------
    batches : generator of slice
        Consecutive, non-overlapping slices with integer bounds that together
        cover ``range(n_samples)`` (none when it is 0). A batch has at least
        one row, even when one row alone exceeds the budget; all batches but
        the last have the same size.

    Raises
    ------
    ValueError or TypeError
        If an argument is of the wrong type or out of its range (booleans
        are not counts), or the global ``working_memory`` is not a positive
        number.

    Examples
    --------
    >>> from sklearn_kexue.utils import gen_row_batches
    >>> list(gen_row_batches(5, row_bytes=2**20, working_memory=2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    >>> list(gen_row_batches(5, row_bytes=8, max_batch_size=3))
    [slice(0, 3, None), slice(3, 5, None)]
    """
    n_samples = int(n_samples)
    batch_size = _batch_size(n_samples, row_bytes, working_memory, max_batch_size)
    return _gen_row_batches(n_samples, int(batch_size))
