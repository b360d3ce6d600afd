"""GammaCrossEntropyClassifier: the loss, its gradient, the MM link and robustness."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import check_grad
from scipy.special import log_expit, log_softmax
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_kexue import GammaCrossEntropyClassifier
from sklearn_kexue._loss import (
    gamma_loss_and_weight,
    logistic_gamma_gradient,
    softmax_gamma_gradient,
    threshold_constants,
)
from sklearn_kexue.linear_model._gamma_cross_entropy import _Objective
from sklearn_kexue.testing import assert_input_unchanged, assert_pickle_roundtrip


def _scaled(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _flip_labels(y, fraction, seed):
    """Replace ``fraction`` of the labels by a uniformly drawn other class."""
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    noisy = y.copy()
    flipped = rng.choice(len(y), round(fraction * len(y)), replace=False)
    shift = rng.integers(1, len(classes), len(flipped))
    noisy[flipped] = classes[
        (np.searchsorted(classes, y[flipped]) + shift) % len(classes)
    ]
    return noisy


@pytest.mark.parametrize("loader", [load_iris, load_breast_cancer, load_digits])
@pytest.mark.parametrize("C", [0.1, 1.0])
def test_gamma_zero_is_logistic_regression(loader, C):
    X, y = _scaled(loader)
    weights = np.random.default_rng(0).integers(1, 4, len(y)).astype(float)
    ours = GammaCrossEntropyClassifier(gamma=0.0, C=C, tol=1e-10, max_iter=10000)
    ours.fit(X, y, sample_weight=weights)
    theirs = LogisticRegression(C=C, tol=1e-10, max_iter=10000)
    theirs.fit(X, y, sample_weight=weights)
    # Both L-BFGS runs stop on the relative-reduction test a few 1e-9 of
    # gradient from the optimum; on digits at C=1 that leaves up to ~1.1e-6
    # between probabilities of a few percent, hence the small relative term.
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6, rtol=1e-5
    )
    assert ours.coef_.shape == theirs.coef_.shape


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("gamma", [0.0, 0.3, 0.7, 1.0])
@pytest.mark.parametrize("b", [0.0, 0.2, 0.6])
def test_gradient_matches_finite_differences(n_classes, intercept, gamma, b):
    rng = np.random.default_rng(n_classes)
    X = rng.standard_normal((40, 5))
    y_index = rng.integers(0, n_classes, 40)
    weights = rng.uniform(0.5, 2.0, 40)
    objective = _Objective(X, y_index, n_classes, weights, 0.7, gamma, b, intercept)
    n_outputs = 1 if n_classes == 2 else n_classes
    # Large parameters put some samples below TaiLr's threshold p*.
    for scale in (0.3, 3.0):
        start = scale * rng.standard_normal(n_outputs * (5 + intercept))
        error = check_grad(
            lambda w: objective.value_and_gradient(w)[0],
            lambda w: objective.value_and_gradient(w)[1],
            start,
        )
        assert error < 1e-6 * max(1.0, np.linalg.norm(start))


@pytest.mark.parametrize("n_classes", [2, 5])
@pytest.mark.parametrize("block_rows", [3, 64, 1000])
def test_dense_pass_in_blocks_equals_one_pass_over_all_rows(
    monkeypatch, n_classes, block_rows
):
    # 3 rows a block (with a short last block), 64 rows, and all rows at once.
    module = "sklearn_kexue.linear_model._gamma_cross_entropy"
    monkeypatch.setattr(f"{module}._MIN_BLOCK_ROWS", 1)
    monkeypatch.setattr(f"{module}._CACHE_BLOCK_BYTES", 8 * 7 * block_rows)
    rng = np.random.default_rng(n_classes)
    X = rng.standard_normal((200, 7))
    y_index = rng.integers(0, n_classes, 200)
    weights = rng.uniform(0.0, 2.0, 200)
    n_outputs = 1 if n_classes == 2 else n_classes
    packed = rng.standard_normal(n_outputs * 8)
    args = (y_index, n_classes, weights, 0.3, 0.5, 0.1, True)
    dense_value, dense_grad = _Objective(X, *args).value_and_gradient(packed)
    # The sparse path computes all logits with one product, then X^T dlogits.
    sparse_value, sparse_grad = _Objective(sp.csr_matrix(X), *args).value_and_gradient(
        packed
    )
    np.testing.assert_allclose(dense_value, sparse_value, rtol=1e-13)
    np.testing.assert_allclose(dense_grad, sparse_grad, rtol=1e-12, atol=1e-15)


def test_float32_data_fit_exactly_as_float64_without_a_float64_copy():
    X, y = make_classification(
        20_000, 50, n_informative=10, n_classes=3, random_state=0
    )
    X32 = X.astype(np.float32)
    expected = GammaCrossEntropyClassifier(max_iter=20).fit(X32.astype(np.float64), y)
    GammaCrossEntropyClassifier(max_iter=2).fit(X32[:100], y[:100])  # compile first
    tracemalloc.start()
    try:
        model = GammaCrossEntropyClassifier(max_iter=20).fit(X32, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Blocks are widened one at a time, exactly: the same model, and far less
    # memory than the 7.6 MiB a float64 copy of X would take.
    np.testing.assert_array_equal(model.coef_, expected.coef_)
    np.testing.assert_array_equal(model.intercept_, expected.intercept_)
    assert peak < X32.nbytes


@settings(max_examples=50)
@given(
    gamma=st.floats(0, 1),
    b=st.floats(0, 0.95),
    log_p=st.floats(-700, 0),
)
def test_loss_weight_is_its_derivative_and_bounded_by_one(gamma, b, log_p):
    loss, weight = gamma_loss_and_weight(np.array([log_p]), gamma, b)
    assert b <= weight[0] <= 1 + 1e-12 and loss[0] >= -1e-12
    step = 1e-6
    above, _ = gamma_loss_and_weight(np.array([log_p + step]), gamma, b)
    below, _ = gamma_loss_and_weight(np.array([log_p - step]), gamma, b)
    # dL/du with u = -log p, where L is C1: central differences agree.
    slope = (below[0] - above[0]) / (2 * step)
    assert slope == pytest.approx(weight[0], abs=1e-4)


@pytest.mark.parametrize("gamma, b", [(0.5, 0.0), (1.0, 0.0), (0.3, 0.2)])
@pytest.mark.parametrize("loader", [load_breast_cancer, load_digits])
def test_a_reweighted_logistic_step_never_increases_the_objective(gamma, b, loader):
    # L is concave in u = -log p, so weighted CE with weights w(p) at the
    # current model majorises it: one weighted LR fit cannot increase it.
    X, y = _scaled(loader)
    y = _flip_labels(y, 0.2, seed=0)
    classes, y_index = np.unique(y, return_inverse=True)
    ones = np.ones(len(y))
    objective = _Objective(X, y_index, len(classes), ones, 1.0, gamma, b, True)
    current = LogisticRegression(C=1.0, max_iter=50).fit(X, y)
    for _ in range(3):
        packed = np.hstack([current.coef_, current.intercept_[:, None]]).ravel()
        value, _ = objective.value_and_gradient(packed)
        log_p = current.predict_log_proba(X)[np.arange(len(y)), y_index]
        _, weights = gamma_loss_and_weight(log_p, gamma, b)
        step = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000)
        step.fit(X, y, sample_weight=weights)
        packed = np.hstack([step.coef_, step.intercept_[:, None]]).ravel()
        new_value, _ = objective.value_and_gradient(packed)
        assert new_value <= value + 1e-12
        current = step


def test_robust_to_symmetric_label_noise_on_digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    noisy = _flip_labels(y_train, 0.4, seed=1000)
    plain = LogisticRegression(max_iter=10000).fit(X_train, noisy).score(X_test, y_test)
    robust = GammaCrossEntropyClassifier(max_iter=2000).fit(X_train, noisy)
    assert robust.score(X_test, y_test) > plain + 0.05
    clean = GammaCrossEntropyClassifier(max_iter=2000).fit(X_train, y_train)
    assert clean.score(X_test, y_test) > 0.95


def test_sparse_input_gives_the_same_model():
    X, y = _scaled(load_iris)
    X[np.abs(X) < 0.5] = 0
    dense = GammaCrossEntropyClassifier(tol=1e-10, max_iter=1000).fit(X, y)
    sparse = GammaCrossEntropyClassifier(tol=1e-10, max_iter=1000).fit(
        sp.csr_array(X), y
    )
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-6, atol=1e-8)


def test_warm_start_continues_and_loss_is_the_objective():
    X, y = _scaled(load_iris)
    clf = GammaCrossEntropyClassifier(gamma=0.7, C=0.5, max_iter=1000).fit(X, y)
    _, y_index = np.unique(y, return_inverse=True)
    objective = _Objective(X, y_index, 3, np.ones(len(y)), 0.5, 0.7, 0.0, True)
    packed = np.hstack([clf.coef_, clf.intercept_[:, None]]).ravel()
    value, _ = objective.value_and_gradient(packed)
    assert clf.loss_ == pytest.approx(value / objective.penalty)
    clf.set_params(warm_start=True, max_iter=5)
    clf.fit(X, y)
    assert clf.n_iter_[0] <= 2  # already at the minimum
    assert_input_unchanged(clf, X, y)
    assert_pickle_roundtrip(clf, X, y)


def test_binary_decision_function_and_probabilities():
    X, y = _scaled(load_breast_cancer)
    clf = GammaCrossEntropyClassifier(max_iter=1000).fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (len(y),)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(np.argsort(scores), np.argsort(proba[:, 1]))
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), atol=1e-12)


def test_bad_sample_weight_raises():
    X, y = _scaled(load_iris)
    with pytest.raises(ValueError, match="can not be all zero"):
        GammaCrossEntropyClassifier().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="at least 2 classes"):
        GammaCrossEntropyClassifier().fit(X, y, sample_weight=(y == 0).astype(float))


def _digits_split():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def test_partial_fit_stream_takes_the_steps_of_one_long_pass():
    X, y = _scaled(load_iris)
    order = np.random.default_rng(0).permutation(len(y))
    X, y = X[order], y[order]
    one_pass = GammaCrossEntropyClassifier(batch_size=16)
    one_pass.partial_fit(X[:128], y[:128], classes=[0, 1, 2])
    stream = GammaCrossEntropyClassifier(batch_size=16)
    for start in range(0, 128, 32):  # chunk edges on minibatch edges
        stream.partial_fit(
            X[start : start + 32], y[start : start + 32], classes=[0, 1, 2]
        )
    np.testing.assert_allclose(stream.coef_, one_pass.coef_, rtol=1e-12)
    np.testing.assert_allclose(stream.intercept_, one_pass.intercept_, rtol=1e-12)
    assert stream.n_iter_.tolist() == [4] and one_pass.n_iter_.tolist() == [1]


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_one_pass_of_partial_fit_over_a_stream_approaches_fit(gamma):
    X, y = make_classification(
        n_samples=25000, n_features=20, n_informative=10, n_classes=5, random_state=0
    )
    X_test, y_test, X, y = X[20000:], y[20000:], X[:20000], y[:20000]
    full = GammaCrossEntropyClassifier(gamma=gamma, max_iter=5000).fit(X, y)
    streamed = GammaCrossEntropyClassifier(gamma=gamma)
    for chunk in np.array_split(np.arange(len(y)), 10):
        streamed.partial_fit(X[chunk], y[chunk], classes=np.arange(5))
    # After one pass the stream's penalty is fit's: compare the objectives.
    objective = _Objective(X, y, 5, np.ones(len(y)), 1.0, gamma, 0.0, True)
    values = [
        objective.value_and_gradient(
            np.hstack([model.coef_, model.intercept_[:, np.newaxis]]).ravel()
        )[0]
        for model in (full, streamed)
    ]
    assert values[0] <= values[1] < 1.1 * values[0]
    assert streamed.score(X_test, y_test) > full.score(X_test, y_test) - 0.015


def test_partial_fit_after_fit_continues_from_its_solution():
    X_train, X_test, y_train, y_test = _digits_split()
    clf = GammaCrossEntropyClassifier(max_iter=5000).fit(X_train, y_train)
    fitted_score = clf.score(X_test, y_test)
    for chunk in np.array_split(np.random.default_rng(0).permutation(len(y_train)), 4):
        clf.partial_fit(X_train[chunk], y_train[chunk])  # classes_ known from fit
    assert clf.score(X_test, y_test) > fitted_score - 0.02
    assert clf._seen_weight == 2 * len(y_train)
    refit = GammaCrossEntropyClassifier(max_iter=5000).fit(X_train, y_train)
    clf.fit(X_train, y_train)  # fit discards the stream's state
    np.testing.assert_array_equal(clf.coef_, refit.coef_)
    assert not hasattr(clf, "_optimizer")


def test_partial_fit_pickles_mid_stream_and_matches_sparse_input():
    X, y = _scaled(load_breast_cancer)
    first, second = slice(0, 300), slice(300, None)
    dense = GammaCrossEntropyClassifier(class_weight={0: 2.0})
    dense.partial_fit(X[first], y[first], classes=[0, 1])
    restored = pickle.loads(pickle.dumps(dense))
    dense.partial_fit(X[second], y[second])
    restored.partial_fit(X[second], y[second])
    np.testing.assert_array_equal(restored.coef_, dense.coef_)
    assert dense.coef_.shape == (1, X.shape[1])
    sparse = GammaCrossEntropyClassifier(class_weight={0: 2.0})
    for part in (first, second):
        sparse.partial_fit(sp.csr_matrix(X[part]), y[part], classes=[0, 1])
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10, atol=1e-12)
    assert dense.score(X, y) > 0.9


def test_partial_fit_class_weight_dict_equals_sample_weight():
    X, y = _scaled(load_iris)
    by_class = GammaCrossEntropyClassifier(class_weight={0: 3.0, 2: 0.5})
    by_class.partial_fit(X, y, classes=[0, 1, 2])
    by_sample = GammaCrossEntropyClassifier()
    by_sample.partial_fit(
        X, y, classes=[0, 1, 2], sample_weight=np.array([3.0, 1.0, 0.5])[y]
    )
    np.testing.assert_array_equal(by_class.coef_, by_sample.coef_)


def test_partial_fit_rejects_bad_streams():
    X, y = _scaled(load_iris)
    clf = GammaCrossEntropyClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.partial_fit(X[y == 0], y[y == 0], classes=[0])
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes"):
        GammaCrossEntropyClassifier().partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    balanced = GammaCrossEntropyClassifier(class_weight="balanced")
    with pytest.raises(ValueError, match="class_weight='balanced'"):
        balanced.partial_fit(X, y, classes=[0, 1, 2])
    X_before, y_before = X.copy(), y.copy()
    GammaCrossEntropyClassifier().partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize("scale", [1.0, 1e3])
@pytest.mark.parametrize("gamma, b", [(0.0, 0.0), (0.5, 0.0), (1.0, 0.3), (0.2, 0.6)])
def test_fused_kernels_match_log_softmax_reference(scale, gamma, b):
    # scale 1e3 puts true-class probabilities far below the smallest float.
    rng = np.random.default_rng(0)
    logits = scale * rng.standard_normal((50, 4))
    y_index = rng.integers(0, 4, 50)
    weights = rng.uniform(0.5, 2, 50)
    constants = threshold_constants(gamma, b)
    rows = np.arange(50)
    for n_outputs in (1, 4):
        z = logits[:, :n_outputs].copy()
        labels = y_index % 2 if n_outputs == 1 else y_index
        if n_outputs == 1:
            log_proba = np.column_stack([log_expit(-z[:, 0]), log_expit(z[:, 0])])
            total = logistic_gamma_gradient(
                z[:, 0], labels, weights, gamma, b, *constants
            )
        else:
            log_proba = log_softmax(z, axis=1)
            total = softmax_gamma_gradient(z, labels, weights, gamma, b, *constants)
        loss, weight = gamma_loss_and_weight(log_proba[rows, labels], gamma, b)
        assert np.all(np.isfinite(loss))
        assert total == pytest.approx(weights @ loss, rel=1e-12)
        # dL/dlogits = s w (softmax - onehot); for one output, s w (expit(z) - y).
        expected = np.exp(log_proba)
        expected[rows, labels] -= 1
        expected *= (weights * weight)[:, np.newaxis]
        if n_outputs == 1:
            expected = expected[:, 1:]
        # (the reference rounds 1 - p to 0 where the kernels keep it exact)
        np.testing.assert_allclose(z, expected, rtol=1e-10, atol=1e-12)


def test_a_rejected_first_partial_fit_leaves_the_model_unfitted():
    X, y = _scaled(load_iris)
    clf = GammaCrossEntropyClassifier()
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "classes_") and not hasattr(clf, "coef_")
    clf.partial_fit(X, y, classes=[0, 1, 2])  # a valid first call starts afresh
    assert clf.classes_.tolist() == [0, 1, 2] and clf.coef_.shape == (3, 4)


# ------------------------------------------------- defaults, warnings, bad input


@pytest.mark.parametrize(
    "loader, max_iterations",
    [(load_digits, 125), (load_iris, 30), (load_breast_cancer, 30), (load_wine, 30)],
)
def test_defaults_converge_without_warnings_on_scaled_small_datasets(
    loader, max_iterations
):
    # digits needed 120 iterations against the old max_iter=100 and warned
    # "scale the data" although it was scaled.
    X, y = _scaled(loader)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = GammaCrossEntropyClassifier().fit(X, y)
        noisy = GammaCrossEntropyClassifier().fit(X, _flip_labels(y, 0.4, seed=0))
    assert model.n_iter_[0] <= max_iterations
    assert noisy.n_iter_[0] < 300
    assert model.score(X, y) > 0.95


def test_convergence_advice_fits_the_data():
    X, y = load_digits(return_X_y=True)
    with pytest.warns(ConvergenceWarning) as raw:
        GammaCrossEntropyClassifier(max_iter=20).fit(X, y)
    (message,) = [str(w.message) for w in raw]
    assert "increase max_iter=20" in message
    assert "standardise the features" in message
    assert "range from 0.0236 to 6.54" in message
    scaled = StandardScaler().fit_transform(X)  # constant pixels stay at 0
    with pytest.warns(ConvergenceWarning) as standardised:
        GammaCrossEntropyClassifier(max_iter=20).fit(scaled, y)
    (message,) = [str(w.message) for w in standardised]
    assert "increase max_iter=20" in message
    assert "standardise" not in message and "scale the data" not in message
    assert "already on a common scale" in message


@pytest.mark.parametrize("factor", [1e30, 1e100, 1e300])
@pytest.mark.parametrize("sparse", [False, True])
def test_features_far_from_unit_scale_are_refused_clearly(factor, sparse):
    # 1e300 gave coef_ all 0 with loss_ = nan; 1e30 to 1e150 all-zero coef_
    # after a failed first line search, with only a warning.
    X, y = _scaled(load_iris)
    big = sp.csr_matrix(X * factor) if sparse else X * factor
    clf = GammaCrossEntropyClassifier()
    with pytest.raises(ValueError, match="standardise") as error:
        clf.fit(big, y)
    assert "not invariant to the scale" in str(error.value)
    assert not hasattr(clf, "coef_") and not hasattr(clf, "classes_")
    fitted = GammaCrossEntropyClassifier().fit(X, y)
    before = pickle.dumps(fitted)
    with pytest.raises(ValueError, match=r"overflowed|single step"):
        fitted.fit(big, y)  # a refit that fails keeps the old model whole
    assert pickle.dumps(fitted) == before
    # Adam bounds its steps, so only an overflow (of the squared gradient,
    # which froze the weights at zero before) stops a stream.
    stream = GammaCrossEntropyClassifier()
    if factor > 1e200:
        with pytest.raises(ValueError, match=r"overflowed.*standardise"):
            stream.partial_fit(big, y, classes=[0, 1, 2])
        assert not hasattr(stream, "coef_")
    else:
        stream.partial_fit(big, y, classes=[0, 1, 2])
        for attribute in ("coef_", "intercept_", "loss_"):
            assert np.all(np.isfinite(getattr(stream, attribute)))


def test_moderately_large_features_still_fit():
    X, y = _scaled(load_iris)
    for factor in (1e5, 1e20):
        clf = GammaCrossEntropyClassifier().fit(X * factor, y)
        assert np.all(np.isfinite(clf.coef_)) and np.isfinite(clf.loss_)
        assert clf.score(X * factor, y) > 0.8


@pytest.mark.parametrize(
    "class_weight, message",
    [
        ({0: -1.0}, "finite non-negative weights.*-1.0 for class 0"),
        ({0: np.nan}, "finite non-negative"),
        ({0: np.inf}, "finite non-negative"),
        ({0: "2"}, "must map classes to numbers"),
        ({0: True}, "must map classes to numbers"),
        ({7: 2.0}, r"keys \[7\] that are not classes; the classes are \[0, 1, 2\]"),
        ({"0": 2.0}, "keys \\['0'\\] that are not classes"),
    ],
)
def test_bad_class_weight_is_refused_in_fit_and_partial_fit(class_weight, message):
    # {0: -1.0} was accepted (a negative sample_weight was not).
    X, y = _scaled(load_iris)
    with pytest.raises(ValueError, match=message):
        GammaCrossEntropyClassifier(class_weight=class_weight).fit(X, y)
    clf = GammaCrossEntropyClassifier(class_weight=class_weight)
    with pytest.raises(ValueError, match=message):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(clf, "coef_")


def test_class_weight_dict_equals_sample_weight_in_fit():
    X, y = _scaled(load_iris)
    by_class = GammaCrossEntropyClassifier(class_weight={0: 3.0, 2: 0.5}).fit(X, y)
    by_sample = GammaCrossEntropyClassifier().fit(
        X, y, sample_weight=np.array([3.0, 1.0, 0.5])[y]
    )
    np.testing.assert_array_equal(by_class.coef_, by_sample.coef_)


@pytest.mark.parametrize(
    "y",
    [
        np.array([0, "a"] * 75, dtype=object),
        [0, "a"] * 75,  # NumPy would silently read the 0s as "0"
        np.array([1.5, None] * 75, dtype=object),
    ],
)
def test_mixed_label_types_are_named(y):
    # LogisticRegression says "Unknown label type: unknown"; partial_fit said
    # "'<' not supported between instances of 'str' and 'int'".
    X, _ = _scaled(load_iris)
    with pytest.raises(ValueError, match="y mixes labels of different types"):
        GammaCrossEntropyClassifier().fit(X, y)
    with pytest.raises(ValueError, match="classes mixes labels of different types"):
        GammaCrossEntropyClassifier().partial_fit(X, y, classes=[0, "a"])


@pytest.mark.parametrize(
    "classes, message",
    [
        ([0, 1, np.nan], "classes must not contain NaN"),
        ([[0, 1, 2]], "classes must be a 1-D"),
        (3, "classes must be a 1-D"),
        ("abc", "classes must be a 1-D"),
        ([0], "at least 2 classes"),
    ],
)
def test_partial_fit_checks_classes(classes, message):
    X, y = _scaled(load_iris)
    with pytest.raises(ValueError, match=message):
        GammaCrossEntropyClassifier().partial_fit(X, y, classes=classes)


def test_a_refused_partial_fit_call_leaves_the_stream_unchanged():
    X, y = _scaled(load_iris)
    # gamma=0: the cross-entropy's gradient does not vanish on huge logits.
    clf = GammaCrossEntropyClassifier(gamma=0.0, batch_size=16)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    before = pickle.dumps(clf)
    bad_calls = [
        lambda: clf.partial_fit(X, np.where(y == 2, 5, y)),
        lambda: clf.partial_fit(X, y, classes=[0, 1]),
        lambda: clf.partial_fit(X, y, sample_weight=-np.ones(len(y))),
        lambda: clf.partial_fit(X, y, sample_weight=np.r_[np.nan, np.ones(149)]),
        lambda: clf.partial_fit(X[:, :2], y),
        lambda: clf.partial_fit(X * 1e300, y),
    ]
    for call in bad_calls:
        with pytest.raises(ValueError):
            call()
        assert pickle.dumps(clf) == before
    clf.partial_fit(X, y)
    assert clf.n_iter_.tolist() == [2] and len(clf.loss_curve_) == 2


def test_loss_curve_and_verbose_lines_agree(capsys):
    X, y = _scaled(load_iris)
    clf = GammaCrossEntropyClassifier(verbose=2).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(clf.loss_curve_) == clf.n_iter_[0] == len(lines) - 1
    assert clf.loss_curve_[-1] == pytest.approx(clf.loss_, rel=1e-12)
    assert np.all(np.diff(clf.loss_curve_) <= 1e-9 * clf.loss_curve_[0])
    for iteration, (line, loss) in enumerate(zip(lines, clf.loss_curve_), start=1):
        prefix = f"[GammaCrossEntropyClassifier] iteration {iteration}, loss "
        assert line.startswith(prefix)
        assert float(line[len(prefix) :]) == pytest.approx(loss, rel=1e-5)
    assert lines[-1] == (
        f"[GammaCrossEntropyClassifier] converged after {clf.n_iter_[0]} "
        f"iterations, loss {clf.loss_:.6g}"
    )
    GammaCrossEntropyClassifier(verbose=1).fit(X, y)
    assert len(capsys.readouterr().out.splitlines()) == 1
    # partial_fit: one entry and one line per call since the model was fitted.
    clf.set_params(verbose=1)
    for chunk in np.array_split(np.arange(len(y)), 3):
        clf.partial_fit(X[chunk], y[chunk])
    lines = capsys.readouterr().out.splitlines()
    assert clf.n_iter_.tolist() == [3] and len(clf.loss_curve_) == 3
    assert clf.loss_curve_[-1] == clf.loss_
    assert [line.split(",")[0] for line in lines] == [
        f"[GammaCrossEntropyClassifier] iteration {i}" for i in (1, 2, 3)
    ]


def test_decision_function_refuses_overflowing_logits():
    X, y = _scaled(load_iris)
    clf = GammaCrossEntropyClassifier().fit(X, y)
    assert np.all(np.isfinite(clf.predict_proba(X * 1e300)))
    with pytest.raises(ValueError, match="logits of X overflow"):
        clf.decision_function(np.full((2, 4), 1.7e308))


def test_a_refused_refit_with_another_width_leaves_the_model_as_it_was():
    X, y = _scaled(load_iris)
    clf = GammaCrossEntropyClassifier().fit(X, y)
    before = pickle.dumps(clf)
    # validate_data sets n_features_in_ = 2 before the weights are refused.
    with pytest.raises(ValueError, match="non-negative"):
        clf.fit(X[:, :2], y, sample_weight=-np.ones(len(y)))
    assert pickle.dumps(clf) == before
    assert clf.n_features_in_ == 4 and clf.predict(X[:3]).tolist() == [0, 0, 0]
