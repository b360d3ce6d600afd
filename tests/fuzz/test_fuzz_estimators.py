"""Bad and unusual inputs through every public estimator: a result or a clear error.

Each estimator is fitted on, or applied to, every input case of
``_bad_inputs.INPUT_CASES``, with base data drawn by hypothesis; and each of
its parameters is set to values from a pool of wrong types and edge values.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_kexue.utils.discovery import all_estimators
from tests.fuzz._bad_inputs import (
    ERROR,
    INPUT_CASES,
    VALID,
    check_outcome,
)

# Estimators of numeric 2-D arrays; the text vectorizers (CooccurrenceVectorizer,
# SimplerGloveVectorizer) are fed text in test_fuzz_embedding.py.
ESTIMATORS = {
    name: cls
    for name, cls in all_estimators()
    if cls().__sklearn_tags__().input_tags.two_d_array
}
# Cases that change the number of columns: wrong for a fitted estimator.
_COLUMN_CHANGING = {"one_column", "no_columns", "one_dimensional"}
_FEW_EXAMPLES = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_APPLY_METHODS = (
    "transform",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score_samples",
    "kneighbors",
)


def _apply(fitted, method, X):
    # One neighbour: the input is on trial, not the index's size.
    if method == "kneighbors":
        return fitted.kneighbors(X, n_neighbors=1)
    return getattr(fitted, method)(X)


def _needs_counts(name):
    # SimplerGlove reads rows of non-negative word counts.
    return name == "SimplerGlove"


@st.composite
def base_data(draw, name):
    """Valid data for the estimator ``name``: X (and y for a classifier)."""
    n_samples = draw(st.integers(8, 14))
    n_features = draw(st.integers(3, 6))
    if _needs_counts(name):
        elements = st.integers(0, 5).map(float)
    else:
        elements = st.floats(-10, 10, allow_nan=False, allow_subnormal=False)
    X = draw(hnp.arrays(np.float64, (n_samples, n_features), elements=elements))
    X[:, 0] += np.arange(n_samples) % 3 + 1  # no all-zero rows or columns
    X[0, :] += 1
    y = None
    if name in ESTIMATORS and "Classifier" in name:
        y = np.arange(n_samples) % draw(st.integers(2, 3))
    return X, y


def _estimator(name):
    estimator = ESTIMATORS[name]()
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=0)
    return estimator


def _quietly(call):
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)
            return call()

    return run


def _fit_call(estimator, X, y):
    return _quietly(lambda: clone(estimator).fit(X, y))


@pytest.mark.parametrize("case", INPUT_CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_fit_on_unusual_input(name, case):
    @_FEW_EXAMPLES
    @given(data=base_data(name))
    def check(data):
        X_base, y = data
        X = case.make(X_base)
        n_rows = getattr(X, "shape", (None,))[0] if hasattr(X, "shape") else None
        if y is not None and n_rows not in (None, len(y)) and case.expect != ERROR:
            y = y[:n_rows]
        fitted = check_outcome(
            _fit_call(_estimator(name), X, y),
            case.expect,
            f"{name}.fit({case.name})",
            inputs=(X,),
        )
        if fitted is not None and y is not None and len(np.unique(y)) < 2:
            return
        if fitted is not None:
            for method in _APPLY_METHODS:
                if hasattr(fitted, method):
                    check_outcome(
                        _quietly(lambda m=method: _apply(fitted, m, X)),
                        VALID,
                        f"{name}.{method}({case.name}) after fitting on it",
                        inputs=(X,),
                    )

    check()


@pytest.mark.parametrize("case", INPUT_CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_apply_to_unusual_input(name, case):
    @_FEW_EXAMPLES
    @given(data=base_data(name))
    def check(data):
        X_base, y = data
        fitted = _quietly(lambda: _estimator(name).fit(X_base, y))()
        X = case.make(X_base)
        expect = ERROR if case.name in _COLUMN_CHANGING else case.expect
        for method in _APPLY_METHODS:
            if method == "kneighbors" and X is None:
                continue  # kneighbors(None) queries the fitted rows: valid
            if hasattr(fitted, method):
                check_outcome(
                    _quietly(lambda m=method: _apply(fitted, m, X)),
                    expect,
                    f"{name}.{method}({case.name})",
                    inputs=(X,),
                )

    check()


# Wrong types and edge values, tried for every parameter of every estimator.
PARAMETER_VALUES = [
    True,
    False,
    None,
    -1,
    0,
    1,
    2,
    0.5,
    -0.5,
    1.5,
    float("nan"),
    float("inf"),
    -float("inf"),
    1e300,
    "",
    "auto",
    "not-an-option",
    [1],
    np.int64(3),
    np.float32(0.5),
    np.bool_(True),
    np.nan,
]


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_parameters_with_wrong_or_edge_values(name):
    parameters = sorted(ESTIMATORS[name]().get_params())

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        data=base_data(name),
        parameter=st.sampled_from(parameters),
        value=st.sampled_from(PARAMETER_VALUES),
    )
    def check(data, parameter, value):
        X, y = data
        estimator = _estimator(name)
        if parameter in ("n_components", "max_iter") and value == 1e300:
            return  # a legitimate request for more memory or time than exists
        estimator.set_params(**{parameter: value})
        context = f"{name}({parameter}={value!r}).fit"
        fitted = check_outcome(
            _fit_call(estimator, X, y), "either", context, inputs=(X,)
        )
        if fitted is not None and parameter not in ("max_iter",):
            for method in _APPLY_METHODS:
                if hasattr(fitted, method):
                    check_outcome(
                        _quietly(lambda m=method: _apply(fitted, m, X)),
                        VALID,
                        f"{context} then {method}",
                        inputs=(X,),
                    )

    check()
