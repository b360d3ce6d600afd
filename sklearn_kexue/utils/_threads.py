"""BLAS threads where they pay, one thread where they cost more than they save."""

from contextlib import nullcontext

from threadpoolctl import threadpool_limits

__all__ = ["blas_threads_for"]

# Below this many multiply-adds a product is over before BLAS threads start
# working; with the other core busy, OpenBLAS's waiting threads made a
# 100 x 64 x 100 product take 20 ms instead of 0.2 ms on one thread.
_THREADED_PRODUCT_MIN_FLOPS = 2**21


def blas_threads_for(product_flops):
    """A context manager: one BLAS thread for small products, else no change.

    Loops of many small products (minibatch updates) run under it; large
    products keep the threads that scikit-learn's configuration, joblib's
    ``parallel_config`` or threadpoolctl allow. Limiting to one thread never
    oversubscribes.

    Parameters
    ----------
    product_flops : int
        Multiply-adds of the typical product in the block.

    Returns
    -------
    context : context manager

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.utils._threads import blas_threads_for
    >>> with blas_threads_for(100 * 64 * 100):
    ...     product = np.ones((100, 64)) @ np.ones((64, 100))
    >>> float(product[0, 0])
    64.0
    """
    if product_flops < _THREADED_PRODUCT_MIN_FLOPS:
        return threadpool_limits(limits=1, user_api="blas")
    return nullcontext()
