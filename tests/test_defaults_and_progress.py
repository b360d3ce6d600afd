"""Defaults that converge on scikit-learn's small data sets, and one progress format.

Every estimator is fitted at its default parameters on digits, iris, wine and
breast cancer, raw and standardised. A fit either converges without a
ConvergenceWarning, or warns with advice that is right for the data at hand.
Every iterative estimator prints ``[ClassName] iteration N, loss L`` lines
(``verbose=2``) and a summary (``verbose=1``) whose losses are those of its
``loss_curve_``.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_kexue import (
    BioHashTransformer,
    GammaCrossEntropyClassifier,
    LinearAutoencoder,
    MiniBatchLinearAutoencoder,
    SimplerGlove,
)
from sklearn_kexue.utils import all_estimators

DATA_SETS = ["digits", "iris", "wine", "breast_cancer"]
ARRAY_ESTIMATORS = [
    (name, cls)
    for name, cls in all_estimators()
    if cls().__sklearn_tags__().input_tags.two_d_array
]


def _load(name, standardised):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return (StandardScaler().fit_transform(X) if standardised else X), y


def _badly_scaled(X):
    # GammaCrossEntropyClassifier's advice to standardise is right exactly then.
    deviations = X.std(axis=0)
    deviations = deviations[deviations > 0]
    return bool(np.any((deviations < 0.1) | (deviations > 10)))


def _cases():
    for name, cls in ARRAY_ESTIMATORS:
        for data_set in DATA_SETS:
            for standardised in (False, True):
                # SimplerGlove reads counts, which standardised data are not.
                if not (name == "SimplerGlove" and standardised):
                    kind = "standardised" if standardised else "raw"
                    yield pytest.param(
                        name,
                        cls,
                        data_set,
                        standardised,
                        id=f"{name}-{data_set}-{kind}",
                    )


@pytest.mark.parametrize("name, cls, data_set, standardised", list(_cases()))
def test_defaults_converge_or_give_the_right_advice(name, cls, data_set, standardised):
    X, y = _load(data_set, standardised)
    estimator = cls()
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        estimator.fit(X, y)
    messages = [
        str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)
    ]
    if not messages:
        return
    assert len(messages) == 1, messages
    message = messages[0]
    if name == "GammaCrossEntropyClassifier":
        # Only badly scaled raw features keep L-BFGS from converging here.
        assert _badly_scaled(X) and not standardised, message
        assert "standardi" in message, message
    elif name == "BioHashTransformer":
        # Units that win no sample never learn: more epochs cannot help them.
        n_idle = int(np.sum(estimator.win_counts_ == 0))
        assert n_idle > 0 and f"{n_idle} of the 100 units won no sample" in message
        assert "fewer n_components" in message
    elif name == "MiniBatchLinearAutoencoder":
        # The weight decay switches off units whose direction carries less
        # than alpha of the energy: right when the exact spectrum has one.
        shares = LinearAutoencoder(estimator.n_components).fit(X)
        assert np.any(shares.explained_variance_ratio_ < estimator.alpha), message
        assert "switched off" in message and "Lower alpha or n_components" in message
    else:
        pytest.fail(f"{name} on {data_set}: {message}")


ITERATIVE = [
    (BioHashTransformer(max_iter=3, random_state=0), "counts"),
    (SimplerGlove(max_iter=3, random_state=0), "counts"),
    (GammaCrossEntropyClassifier(max_iter=3), "standardised"),
    (MiniBatchLinearAutoencoder(max_iter=3, random_state=0), "standardised"),
]

_NUMBER = r"[-+0-9.e]+"


@pytest.mark.parametrize(
    "estimator, data",
    ITERATIVE,
    ids=lambda v: type(v).__name__ if hasattr(v, "fit") else v,
)
def test_progress_lines_and_loss_curve(estimator, data, capsys):
    X, y = load_digits_subset()
    if data == "standardised":
        X = StandardScaler().fit_transform(X)
    name = type(estimator).__name__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.set_params(verbose=2).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    curve = [float(value) for value in estimator.loss_curve_]
    assert len(curve) == 3
    iteration_lines = lines[:-1]
    for number, (line, loss) in enumerate(zip(iteration_lines, curve), start=1):
        match = re.match(
            rf"\[{name}\] iteration {number}, loss ({_NUMBER})(, .*)?$", line
        )
        assert match, line
        assert float(match.group(1)) == pytest.approx(loss, rel=1e-5)
    summary = re.match(
        rf"\[{name}\] (converged|stopped) after 3 iterations, loss ({_NUMBER})",
        lines[-1],
    )
    assert summary, lines[-1]
    assert float(summary.group(2)) == pytest.approx(curve[-1], rel=1e-5)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.set_params(verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"[{name}] ")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.set_params(verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""


def load_digits_subset():
    X, y = datasets.load_digits(return_X_y=True)
    return X[:300], y[:300]
