"""Row batches sized by scikit-learn's ``working_memory`` setting."""

import sklearn

__all__ = ["gen_row_batches"]


def gen_row_batches(n_samples, row_bytes, *, working_memory=None, max_batch_size=None):
    """Yield row slices whose temporary memory fits in ``working_memory``.

    Chunked transforms call this so that the memory they need beyond their
    output stays bounded, however many rows they are given.

    Parameters
    ----------
    n_samples : int
        Number of rows to cover.
    row_bytes : int
        Bytes of temporary memory that one row needs.
    working_memory : float, default=None
        Memory budget in MiB. ``None`` reads
        ``sklearn.get_config()["working_memory"]`` (1024 MiB by default).
    max_batch_size : int, default=None
        Optional upper bound on the rows per batch.

    Yields
    ------
    batch : slice
        Consecutive, non-overlapping slices that together cover
        ``range(n_samples)``. A batch has at least one row, even when one
        row alone exceeds the budget.

    Examples
    --------
    >>> from sklearn_kexue.utils import gen_row_batches
    >>> list(gen_row_batches(5, row_bytes=2**20, working_memory=2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    if working_memory is None:
        working_memory = sklearn.get_config()["working_memory"]
    batch_size = max(1, int(working_memory * 2**20 // max(1, row_bytes)))
    if max_batch_size is not None:
        batch_size = max(1, min(batch_size, max_batch_size))
    for start in range(0, n_samples, batch_size):
        yield slice(start, min(start + batch_size, n_samples))
