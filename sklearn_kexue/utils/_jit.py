"""Compiled kernels that import and run where nothing is writable.

numba's on-disk cache (``cache=True``) saves a compiled kernel next to its
source or in the user's cache directory, and refuses to decorate the function
at all ("cannot cache function ...: no locator available") when neither is
writable: a read-only container or a serverless runtime could not even
``import sklearn_kexue``. :func:`jit` tries, in order:

1. numba's own cache locations (``NUMBA_CACHE_DIR`` when set, the package's
   ``__pycache__``, the user-wide cache directory);
2. a private cache directory in the system's temporary directory, owned by
   the current user and writable by nobody else (a cache that others can
   write to would let them replace the code this process runs);
3. no cache: the kernel is compiled in memory, once per process.
"""

import os
import stat
import tempfile

import numba
from numba.core import config

__all__ = ["COMPILE_MIN_WORK", "jit", "use_compiled"]

# Calls that do less work than this run the NumPy twin of a kernel. The work is
# counted in the steps the kernel replaces (say, rows times units to rank):
# compiling a kernel costs seconds the first time, while below this size the
# NumPy twin takes well under a second. Both give the same results.
COMPILE_MIN_WORK = 2**22


def use_compiled(work):
    """Whether a call doing ``work`` elementary steps should run compiled code.

    Parameters
    ----------
    work : int
        The call's size in elementary steps (e.g. rows times units).

    Returns
    -------
    compiled : bool
        True from :data:`COMPILE_MIN_WORK` steps on.

    Examples
    --------
    >>> from sklearn_kexue.utils._jit import use_compiled
    >>> use_compiled(100), use_compiled(10**7)
    (False, True)
    """
    return work >= COMPILE_MIN_WORK


def _private_temporary_cache():
    """A temporary cache directory only this user can write to, or None."""
    try:
        user = os.getuid()
    except AttributeError:  # Windows: per-user temporary directories
        user = os.environ.get("USERNAME", "user")
    path = os.path.join(tempfile.gettempdir(), f"sklearn_kexue-numba-{user}")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        status = os.stat(path)
    except OSError:
        return None
    if hasattr(os, "getuid") and (
        status.st_uid != os.getuid() or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        return None
    return path


def _cached(function, options, cache_dir):
    """Decorate with numba's cache in ``cache_dir`` (None: numba's choice)."""
    if cache_dir is None:
        return numba.njit(cache=True, **options)(function)
    previous = config.CACHE_DIR
    config.CACHE_DIR = cache_dir  # read once, when the cache locator is chosen
    try:
        return numba.njit(cache=True, **options)(function)
    finally:
        config.CACHE_DIR = previous


def jit(function=None, **options):
    """``numba.njit`` with the best cache this process can write, or none.

    Parameters
    ----------
    function : callable, default=None
        The function to compile; None returns a decorator.
    **options : dict
        Options of :func:`numba.njit` other than ``cache`` (``nogil``, ...).

    Returns
    -------
    dispatcher : numba dispatcher or decorator
        Compiled lazily, at the first call with each new type signature.

    Examples
    --------
    >>> from sklearn_kexue.utils._jit import jit
    >>> @jit(nogil=True)
    ... def double(x):
    ...     return 2 * x
    >>> double(21)
    42
    """
    if function is None:
        return lambda function: jit(function, **options)
    try:
        return _cached(function, options, None)
    except RuntimeError:  # numba found no writable cache location
        pass
    cache_dir = _private_temporary_cache()
    if cache_dir is not None:
        try:
            return _cached(function, options, cache_dir)
        except RuntimeError:
            pass
    return numba.njit(cache=False, **options)(function)
