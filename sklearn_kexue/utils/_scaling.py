"""Exact rescaling of extreme but finite inputs by a power of two."""

import math

import numpy as np
import scipy.sparse as sp

__all__ = ["max_abs", "power_of_two_scale"]

# Entries within [2**-e, 2**e] can be multiplied pairwise and summed in huge
# numbers (2**600 terms in float64, 2**24 in float32) without overflow or
# underflow to zero.
_SAFE_EXPONENT = {np.dtype(np.float64): 200, np.dtype(np.float32): 40}


def max_abs(X):
    """Largest absolute value of a dense or SciPy sparse array (0 if empty)."""
    data = X.data if sp.issparse(X) else X
    if data.size == 0:
        return 0.0
    # Two reductions instead of np.abs(data), which would copy the whole input.
    return float(max(np.max(data), -np.min(data))) + 0.0  # + 0.0: never -0.0


def power_of_two_scale(largest, dtype=np.float64):
    """A factor ``2**e`` that brings ``largest`` into ``[0.5, 1)``, or 1.

    Multiplying by a power of two is exact (away from the subnormal range),
    so an algorithm that is equivariant to positive scaling gives the same
    answer, bit for bit, on the rescaled input. Inputs whose largest
    absolute value already lies in ``[2**-200, 2**200]`` (``[2**-40, 2**40]``
    for float32 arithmetic), and all-zero inputs, get 1: for them nothing
    changes.

    Parameters
    ----------
    largest : float
        The largest absolute value of the input (finite, >= 0).
    dtype : {np.float64, np.float32}, default=np.float64
        The floating-point type the computation runs in.

    Returns
    -------
    scale : float
        A power of two.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.utils._scaling import power_of_two_scale
    >>> power_of_two_scale(3.0), power_of_two_scale(0.0)
    (1.0, 1.0)
    >>> 1e300 * power_of_two_scale(1e300)
    0.7466...
    >>> power_of_two_scale(1e30), power_of_two_scale(1e30, np.float32)
    (1.0, 7.888...e-31)
    """
    safe = _SAFE_EXPONENT.get(np.dtype(dtype), _SAFE_EXPONENT[np.dtype(np.float32)])
    if largest == 0 or 2.0**-safe <= largest <= 2.0**safe:
        return 1.0
    _, exponent = math.frexp(largest)
    # Capped so that the factor and its inverse are normal numbers.
    return math.ldexp(1.0, -min(max(exponent, -1000), 1000))
