"""Tests for the joint strategies: an estimator drawn with data it accepts."""

import warnings
from numbers import Integral

import numpy as np
import pytest
import scipy.sparse as sp
import sparse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression

from sklearn_kexue import FlyHashTransformer, SignRandomProjection
from sklearn_kexue.testing import FitCase, estimator_params, estimators_with_data
from sklearn_kexue.utils import all_estimators
from sklearn_kexue.utils._data_constraints import (
    Given,
    InputData,
    Labels,
    integers_between,
)
from sklearn_kexue.utils._param_validation import Interval

ESTIMATORS = [cls for _, cls in all_estimators()]

# The draws a fit-rate measurement makes: generated only (no shrinking, no
# replay of stored failures), each counted.
_RATE_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def fit_rate(strategy):
    """The fraction of draws whose ``fit`` succeeds, and the failures."""
    outcomes, failures = [], []

    @_RATE_SETTINGS
    @given(case=strategy)
    def measure(case):
        estimator, X, y = case
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator.fit(X, y)
        except Exception as error:  # counted, not raised: this is a measurement
            failures.append((case, error))
            outcomes.append(False)
        else:
            outcomes.append(True)

    measure()
    return sum(outcomes) / len(outcomes), failures


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_at_least_95_percent_of_joint_draws_fit(cls):
    rate, failures = fit_rate(estimators_with_data(cls))
    print(f"{cls.__name__}: {rate:.0%} of 100 joint draws fit")
    for case, error in failures:
        print(f"    {case!r}: {type(error).__name__}: {error}")
    assert rate >= 0.95, failures[:3]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_public_estimator_declares_its_data_constraints(cls):
    assert "X" in cls._data_constraints or any(
        isinstance(rule, Given) for rule in cls._data_constraints.values()
    )


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_joint_draws_satisfy_every_parameter_constraint(cls, data):
    estimator, _, _ = data.draw(estimators_with_data(cls))
    estimator._validate_params()  # raises on a value outside the constraints
    assert isinstance(estimator, cls)


@settings(max_examples=30, deadline=None)
@given(case=estimators_with_data(FlyHashTransformer))
def test_flyhash_draws_respect_the_rules_between_parameters_and_data(case):
    hasher, X, _ = case
    n_features = X.shape[1]
    if isinstance(hasher.fan_in, Integral):
        assert hasher.fan_in <= n_features
    if hasher.n_components == "auto":
        assert isinstance(hasher.hash_length, Integral)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no clipped hash_length either
        codes = hasher.fit_transform(X)
    assert hasher.hash_length_ < hasher.n_components_
    assert codes.shape == (X.shape[0], hasher.n_components_)


def test_scikit_learn_estimators_get_default_data_descriptions():
    @settings(max_examples=20, deadline=None)
    @given(case=estimators_with_data(LogisticRegression, max_iter=50))
    def classifier_draws_have_two_classes(case):
        _, X, y = case
        assert len(y) == X.shape[0] and len(np.unique(y)) >= 2

    classifier_draws_have_two_classes()


class _Projection(TransformerMixin, BaseEstimator):
    """A user's estimator: keeps the first ``n_components`` columns."""

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")]
    }
    _data_constraints = {
        "X": InputData("nonnegative", min_features=2),
        "n_components": Given(lambda n_features: integers_between(1, n_features)),
    }

    def __init__(self, n_components=3):
        self.n_components = n_components

    def fit(self, X, y=None):
        if self.n_components > X.shape[1]:
            raise ValueError("n_components exceeds n_features")
        return self

    def transform(self, X):
        return X[:, : self.n_components]


@settings(max_examples=30, deadline=None)
@given(case=estimators_with_data(_Projection, formats=["dense"]))
def test_users_own_estimator_plugs_in_with_data_constraints(case):
    projection, X, y = case
    assert y is None and X.shape[1] >= 2 and (X >= 0).all()
    assert 1 <= projection.n_components <= X.shape[1]
    projection.fit(X)


def test_data_constraints_argument_describes_a_class_one_cannot_edit():
    # scikit-learn's PCA, described from outside: ARPACK finds fewer
    # components than min(n_samples, n_features).
    rule = Given(
        lambda n_samples, n_features, svd_solver: integers_between(
            1, min(n_samples, n_features) - (svd_solver == "arpack")
        )
    )
    strategy = estimators_with_data(
        PCA, formats=["dense"], data_constraints={"n_components": rule}
    )
    rate, failures = fit_rate(strategy)
    assert rate >= 0.95, failures[:3]
    plain_rate, _ = fit_rate(estimators_with_data(PCA, formats=["dense"]))
    assert plain_rate < rate


def test_a_fixed_value_keeps_only_the_contexts_that_allow_it():
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=estimators_with_data(_Projection, n_components=4, formats=["dense"]))
    def fixed(case):
        assert case.X.shape[1] >= 4 and case.estimator.n_components == 4

    fixed()


@pytest.mark.parametrize(
    "data_constraints, message",
    [
        ({"nope": Given(lambda: [])}, "no parameter 'nope'"),
        ({"n_components": 3}, "must be a Given"),
        ({"n_components": Given(lambda n_rows: [])}, "'n_rows'"),
        ({"X": "dense"}, "must be an InputData or a Given"),
        ({"y": "labels"}, "must be a Labels"),
    ],
)
def test_malformed_data_constraints_are_reported(data_constraints, message):
    with pytest.raises((TypeError, ValueError), match=message):
        estimators_with_data(SignRandomProjection, data_constraints=data_constraints)


def test_rules_that_depend_on_each_other_in_a_cycle_are_reported():
    cycle = {
        "n_components": Given(lambda center: [Interval(Integral, 1, 4, closed="both")]),
        "center": Given(lambda n_components: ["boolean"]),
    }
    with pytest.raises(ValueError, match=r"cycle: .*n_components.*center"):
        estimators_with_data(SignRandomProjection, data_constraints=cycle)


def test_a_rule_outside_the_parameter_constraints_is_reported():
    outside = {
        "n_components": Given(lambda: [Interval(Integral, -5, -1, closed="both")])
    }
    strategy = estimators_with_data(SignRandomProjection, data_constraints=outside)
    with pytest.raises(ValueError, match="_parameter_constraints refuse"):
        strategy.example()


@pytest.mark.parametrize("format", ["dense", "csr_array", "csc_matrix", "pydata_coo"])
def test_a_cases_repr_is_python_that_rebuilds_it(format):
    @settings(max_examples=5, deadline=None)
    @given(case=estimators_with_data(SignRandomProjection, formats=[format]))
    def rebuilt(case):
        namespace = {"np": np, "sp": sp, "sparse": sparse, "FitCase": FitCase}
        namespace["SignRandomProjection"] = SignRandomProjection
        copy = eval(repr(case), namespace)  # our own repr
        assert type(copy.X) is type(case.X)
        np.testing.assert_array_equal(np.asarray(_dense(copy.X)), _dense(case.X))

    rebuilt()


def _dense(X):
    if sp.issparse(X):
        return X.toarray()
    return X.todense() if hasattr(X, "todense") else X


def test_labels_and_input_descriptions_check_their_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        InputData("images")
    with pytest.raises(ValueError, match="min_classes must be an int >= 1"):
        Labels(0)
    with pytest.raises(TypeError, match="named arguments only"):
        Given(lambda *args: [])


@pytest.mark.parametrize("name", ["KBinsDiscretizer", "SimpleImputer"])
def test_no_validation_and_type_options_are_drawable(name):
    # SimpleImputer has a bare "no_validation" constraint (its default is
    # kept); KBinsDiscretizer offers a set of types, which do not sort.
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import KBinsDiscretizer

    cls = {"KBinsDiscretizer": KBinsDiscretizer, "SimpleImputer": SimpleImputer}[name]

    @settings(max_examples=10, deadline=None)
    @given(params=estimator_params(cls))
    def valid(params):
        cls(**params)._validate_params()

    valid()
