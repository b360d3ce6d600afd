"""BLAS threads where they pay, one thread where they cost more than they save."""

from contextlib import nullcontext

from threadpoolctl import ThreadpoolController, threadpool_limits

__all__ = ["SolverOnOneBlasThread", "blas_threads_for"]

# Below this many multiply-adds a product is over before BLAS threads start
# working, and with the other cores busy OpenBLAS's waiting threads can cost
# many times the product itself (docs/benchmarks.rst, "Small products").
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


class SolverOnOneBlasThread:
    """Run an optimiser's own steps on one BLAS thread, its objective on the rest.

    SciPy >= 1.15's L-BFGS-B calls BLAS on vectors the size of the
    parameters at every step; with multithreaded OpenBLAS those calls cost
    far more than they compute (LogisticRegression on digits ran 100 times
    slower with two threads than with one, scipy/scipy#23191). Inside this
    context every BLAS call runs on one thread, except those of the objective
    wrapped by :meth:`objective`, which get back the threads the caller had
    (for large products, as in :func:`blas_threads_for`).

    Parameters
    ----------
    product_flops : int
        Multiply-adds of the objective's largest product per evaluation.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.optimize
    >>> from sklearn_kexue.utils._threads import SolverOnOneBlasThread
    >>> def squares(w):
    ...     return float(w @ w), 2 * w
    >>> with SolverOnOneBlasThread(product_flops=3) as threads:
    ...     result = scipy.optimize.minimize(
    ...         threads.objective(squares), np.ones(3), jac=True, method="L-BFGS-B"
    ...     )
    >>> bool(np.allclose(result.x, 0))
    True
    """

    def __init__(self, product_flops):
        self.product_flops = product_flops

    def __enter__(self):
        self._controller = ThreadpoolController()
        blas = self._controller.select(user_api="blas").info()
        self._threads = max((info["num_threads"] for info in blas), default=1)
        self._limit = self._controller.limit(limits=1, user_api="blas")
        return self

    def __exit__(self, *exc_info):
        self._limit.restore_original_limits()
        return False

    def objective(self, function):
        """``function`` run with the caller's BLAS threads when its products pay."""
        if self.product_flops < _THREADED_PRODUCT_MIN_FLOPS or self._threads == 1:
            return function
        controller, threads = self._controller, self._threads

        def threaded(*args, **kwargs):
            with controller.limit(limits=threads, user_api="blas"):
                return function(*args, **kwargs)

        return threaded
