"""scikit-learn's common estimator checks over every exported estimator."""

import os

import pytest
from sklearn.utils.estimator_checks import (
    check_estimator,
    check_param_validation,
    parametrize_with_checks,
)

from sklearn_kexue.utils.discovery import all_estimators

# Non-default configurations whose code paths differ enough to need the checks too.
EXTRA_CONFIGURATIONS = {
    "FlyHashTransformer": [
        {"sparse_output": False, "n_jobs": 2},
        {"binary": False, "center": True, "hash_length": 0.05, "n_components": 200},
    ],
    "SignRandomProjection": [{"packed_output": True}, {"center": False}],
    "BioHashTransformer": [
        {"sparse_output": False, "p": 3.0, "max_iter": 5},
        {"delta": 0.4, "hash_length": 2, "learning_rate_schedule": "constant"},
    ],
    "LinearAutoencoder": [
        {"solver": "arpack", "center": True, "n_components": 1},
        {"solver": "propack"},
        {"solver": "randomized", "center": True},
        {"solver": "randomized", "randomized_method": "block_krylov"},
        {"solver": "covariance_eigh", "activation": "relu"},
        {"solver": "full", "n_components": 0.9},
    ],
    "MiniBatchLinearAutoencoder": [
        {"max_iter": 20, "center": True},
        {"max_iter": 5, "batch_size": 7, "activation": "relu", "tol": 1e-3},
    ],
    # input_type="cooccurrence" needs a square symmetric matrix, which the
    # checks' random data are not; tests/embedding/ covers it.
    "SimplerGlove": [
        {"pooling": "mean", "truncate_weights": False, "n_components": 3},
        {"negative": 0, "n_components": 2},
    ],
}


def _tested_instances():
    for name, cls in all_estimators():
        yield cls()
        for params in EXTRA_CONFIGURATIONS.get(name, []):
            yield cls(**params)


def test_array_api_checks_are_enabled():
    # Without SCIPY_ARRAY_API=1 scikit-learn silently skips its array API checks.
    assert os.environ.get("SCIPY_ARRAY_API") == "1"


def test_every_estimator_is_tested():
    names = {name for name, _ in all_estimators()}
    assert names >= set(EXTRA_CONFIGURATIONS)
    assert "CooccurrenceVectorizer" in names


@pytest.mark.parametrize(
    "estimator",
    [cls() for _, cls in all_estimators()],
    ids=lambda est: type(est).__name__,
)
def test_check_estimator_passes_at_defaults(estimator):
    # The headline promise, as a user runs it: no expected-failure list.
    results = check_estimator(estimator, on_fail=None)
    failed = {
        result["check_name"]: result["exception"]
        for result in results
        if result["status"] == "failed"
    }
    assert not failed


# No expected failures: every estimator passes every check, at its defaults and
# in the configurations above.
@parametrize_with_checks(list(_tested_instances()))
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator",
    [cls() for _, cls in all_estimators()],
    ids=lambda est: type(est).__name__,
)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
