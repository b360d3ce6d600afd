"""Parameter constraints: scikit-learn's, with booleans refused where numbers are due.

``bool`` is a subclass of ``int`` in Python, so scikit-learn's ``Interval``
accepts ``True`` as the integer 1 (and as the real 1.0):
``FlyHashTransformer(hash_length=True)`` would fit with one winner. Every
constraint in this package comes from this module, whose :class:`Interval`
refuses booleans; a parameter that takes a flag says ``"boolean"``.
"""

import re
from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    InvalidParameterError,
    Options,
    RealNotInt,
    StrOptions,
    validate_params,
)
from sklearn.utils._param_validation import Interval as _SklearnInterval

__all__ = [
    "N_JOBS",
    "RANDOM_STATE",
    "HasMethods",
    "Hidden",
    "Interval",
    "Options",
    "RealNotInt",
    "StrOptions",
    "estimator_errors_keep_their_names",
    "validate_params",
]


class Interval(_SklearnInterval):
    """scikit-learn's typed interval constraint, refusing ``bool`` values.

    Parameters
    ----------
    type : {numbers.Integral, numbers.Real, RealNotInt}
        The set of numbers the interval is taken from.
    left, right : float, int or None
        Bounds; None means unbounded on that side.
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the interval.

    Examples
    --------
    >>> from numbers import Integral
    >>> from sklearn_kexue.utils._param_validation import Interval
    >>> positive = Interval(Integral, 1, None, closed="left")
    >>> positive.is_satisfied_by(3), positive.is_satisfied_by(True)
    (True, False)
    """

    def is_satisfied_by(self, val):
        if isinstance(val, (bool, np.bool_)):
            return False
        return super().is_satisfied_by(val)


# scikit-learn's "random_state" constraint without its acceptance of booleans.
RANDOM_STATE = [
    Interval(Integral, 0, 2**32 - 1, closed="both"),
    np.random.RandomState,
    None,
]

# joblib's n_jobs: a positive count, a negative count from the CPU count
# (-1: all), or None; 0 has no meaning.
N_JOBS = [
    Interval(Integral, None, -1, closed="right"),
    Interval(Integral, 1, None, closed="left"),
    None,
]


@contextmanager
def estimator_errors_keep_their_names():
    """Keep an estimator's name in its own parameter errors, inside a helper.

    ``validate_params`` rewrites "parameter of <Name> must be" in every
    :class:`InvalidParameterError` raised inside the function it decorates,
    which would blame a helper that runs an estimator (a Dask wrapper, an
    invariant check) for the estimator's own parameter. Run the estimator
    inside this context: its errors then read "parameter of estimator <Name>".
    """
    try:
        yield
    except InvalidParameterError as error:
        message = re.sub(
            r"parameter of (\w+) must be",
            r"parameter of estimator \1 must be",
            str(error),
        )
        raise InvalidParameterError(message) from error
