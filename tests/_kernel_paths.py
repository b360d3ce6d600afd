"""Run a test on the compiled kernels and on their NumPy twins."""

from contextlib import contextmanager

from sklearn_kexue.utils import _jit

#: The two implementations of every compiled kernel.
KERNEL_PATHS = ("numpy", "compiled")


@contextmanager
def kernel_path(path):
    """Force every call inside the block onto one path, whatever its size."""
    saved = _jit.COMPILE_MIN_WORK
    _jit.COMPILE_MIN_WORK = 0 if path == "compiled" else 2**62
    try:
        yield
    finally:
        _jit.COMPILE_MIN_WORK = saved
