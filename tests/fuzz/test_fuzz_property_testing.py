"""Bad and unusual arguments through the property-testing entry points.

Covers ``estimators_with_data``, ``property_checks``,
``parametrize_with_properties``, ``check_properties`` and ``FitCase``: each
argument in turn takes every value of a pool of wrong types and edge values;
the documented contract decides whether the call must build its strategy or
tests (then a draw must fit) or raise a clear ``ValueError``/``TypeError``
(``_bad_inputs.check_outcome``).
"""

import warnings
from numbers import Integral

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from sklearn_kexue import FlyHashTransformer, SignRandomProjection
from sklearn_kexue.testing import (
    FORMATS,
    FitCase,
    check_properties,
    estimators_with_data,
    parametrize_with_properties,
    property_checks,
)
from sklearn_kexue.utils import all_estimators
from sklearn_kexue.utils._data_constraints import Given
from tests.fuzz._bad_inputs import ERROR, VALID, check_outcome

_POOL = [
    None,
    True,
    np.bool_(True),
    -1,
    0,
    2,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "dense",
    "not-an-option",
    [],
    [1],
    (2, 1),
    (1, 2),
    (-1, 2),
    (1.0, 2),
    {},
    np.array([1, 2]),
    object(),
    FlyHashTransformer(),
    FlyHashTransformer,
]


def _is_int(value):
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def _is_size(value):
    """An int >= 0 or an ordered (low, high) pair of them, as documented."""
    if _is_int(value):
        return value >= 0
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return False
    low, high = value
    return _is_int(low) and _is_int(high) and 0 <= low <= high


def _valid(name, value):
    if name == "estimator_class":
        return isinstance(value, type) and hasattr(value, "_parameter_constraints")
    if name in ("n_samples", "n_features"):
        return _is_size(value)
    if name == "formats":
        names = (value,) if isinstance(value, str) else value
        return (
            isinstance(value, (str, list, tuple))
            and len(names) > 0
            and all(isinstance(n, str) and n in FORMATS for n in names)
        )
    if name == "data_constraints":
        return value is None or (isinstance(value, dict) and not value)
    if name == "int_span":
        return _is_int(value) and value >= 0
    if name == "float_span":
        return (
            isinstance(value, (int, float, np.floating))
            and not isinstance(value, (bool, np.bool_))
            and np.isfinite(value)
            and value > 0
        )
    raise AssertionError(name)


_DEFAULTS = {
    "estimator_class": SignRandomProjection,
    "n_samples": (1, 6),
    "n_features": (1, 4),
    "formats": FORMATS,
    "data_constraints": None,
    "int_span": 8,
    "float_span": 2.0,
}


@pytest.mark.parametrize("name", sorted(_DEFAULTS))
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_estimators_with_data_bad_values(name, data):
    for value in _POOL:
        arguments = {**_DEFAULTS, name: value}
        expect = VALID if _valid(name, value) else ERROR
        context = f"estimators_with_data({name}={value!r})"
        strategy = check_outcome(
            lambda a=arguments: estimators_with_data(**a), expect, context
        )
        if strategy is None or name in ("n_samples", "n_features"):
            continue  # sizes such as 2**40 are valid but not worth drawing
        case = data.draw(strategy, label=context)
        assert isinstance(case, FitCase)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            case.estimator.fit(case.X, case.y)


@pytest.mark.parametrize(
    "data_constraints",
    [
        {"X": 3},
        {"y": 3},
        {"n_components": 3},
        {"n_components": lambda n_features: []},
        {"n_components": Given(lambda n_rows: [])},
        {"not_a_parameter": Given(lambda: [])},
        {"n_components": Given(lambda: 3)},
        {"n_components": Given(lambda: ["not a constraint"])},
    ],
)
def test_malformed_data_constraints_give_clear_errors(data_constraints):
    def build_and_draw():
        strategy = estimators_with_data(
            SignRandomProjection, data_constraints=data_constraints
        )
        return strategy.example()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hypothesis warns about .example()
        check_outcome(build_and_draw, ERROR, repr(data_constraints))


@pytest.mark.parametrize("value", _POOL)
def test_generators_refuse_a_bad_class_or_setting(value):
    class_ok = isinstance(value, type) and hasattr(value, "_parameter_constraints")
    for name, call in (
        ("estimator_class", lambda: list(property_checks(value))),
        (
            "max_examples",
            lambda: list(property_checks(SignRandomProjection, max_examples=value)),
        ),
        (
            "strategy_kwargs",
            lambda: list(property_checks(SignRandomProjection, strategy_kwargs=value)),
        ),
    ):
        if name == "estimator_class":
            expect = VALID if class_ok else ERROR
        elif name == "max_examples":
            expect = (
                VALID if value is None or (_is_int(value) and value >= 1) else ERROR
            )
        else:
            expect = (
                VALID
                if value is None or (isinstance(value, dict) and not value)
                else ERROR
            )
        check_outcome(call, expect, f"property_checks({name}={value!r})")
    expect = VALID if class_ok else ERROR
    check_outcome(
        lambda: parametrize_with_properties([value], max_examples=1),
        expect,
        f"parametrize_with_properties([{value!r}])",
    )


def test_check_properties_on_a_scikit_learn_classifier():
    # A class without _data_constraints is assumed to take real X and labels;
    # LogisticRegression's solver/penalty pairs are described by overrides.
    check_properties(
        LogisticRegression,
        max_examples=3,
        strategy_kwargs={
            "solver": "lbfgs",
            "penalty": "l2",
            "l1_ratio": None,
            "dual": False,
            "max_iter": st.integers(1, 100),
        },
    )


def test_every_public_estimator_builds_its_generated_tests():
    for _, cls in all_estimators():
        names = [name for name, _ in property_checks(cls, max_examples=1)]
        assert len(names) >= 7 and len(set(names)) == len(names)
