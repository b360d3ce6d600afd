"""Tests for the γ-cross-entropy loss and the top-label expected calibration error."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose
from scipy.integrate import quad
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from threadpoolctl import threadpool_limits

from sklearn_kexue.metrics import expected_calibration_error, gamma_cross_entropy_loss
from sklearn_kexue.metrics._calibration import _bin_indices


def random_proba(rng, n_samples, n_classes):
    return rng.dirichlet(np.ones(n_classes), size=n_samples)


def weight(p, gamma):
    return p / (gamma + (1 - gamma) * p)


# -- gamma_cross_entropy_loss -------------------------------------------------


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_gamma_zero_is_log_loss_multiclass(weighted, normalize):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 5, 60)
    y_proba = random_proba(rng, 60, 5)
    sample_weight = rng.uniform(0, 3, 60) if weighted else None
    expected = log_loss(
        y_true, y_proba, sample_weight=sample_weight, normalize=normalize
    )
    got = gamma_cross_entropy_loss(
        y_true, y_proba, gamma=0.0, sample_weight=sample_weight, normalize=normalize
    )
    assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_gamma_zero_is_log_loss_binary_both_shapes(weighted):
    rng = np.random.default_rng(1)
    y_true = np.array(["ham", "spam"])[rng.integers(0, 2, 40)]
    positive = rng.uniform(0.01, 0.99, 40)  # probability of "spam", the larger
    sample_weight = rng.uniform(0, 2, 40) if weighted else None
    expected = log_loss(y_true, positive, sample_weight=sample_weight)
    one_column = gamma_cross_entropy_loss(
        y_true, positive, gamma=0.0, sample_weight=sample_weight
    )
    two_columns = gamma_cross_entropy_loss(
        y_true,
        np.column_stack([1 - positive, positive]),
        gamma=0.0,
        sample_weight=sample_weight,
    )
    assert_allclose(one_column, expected, rtol=1e-12)
    assert_allclose(two_columns, expected, rtol=1e-12)
    assert log_loss(y_true, positive) > 0.5  # a real, non-trivial value


def test_gamma_one_is_mean_error_probability():
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 4, 50)
    y_proba = random_proba(rng, 50, 4)
    p_true = y_proba[np.arange(50), y_true]
    sample_weight = rng.uniform(0, 1, 50)
    assert_allclose(
        gamma_cross_entropy_loss(y_true, y_proba, gamma=1.0), np.mean(1 - p_true)
    )
    assert_allclose(
        gamma_cross_entropy_loss(
            y_true, y_proba, gamma=1.0, sample_weight=sample_weight
        ),
        np.average(1 - p_true, weights=sample_weight),
    )


def test_gamma_half_by_hand():
    # L(p) = -2 log((1 + p) / 2) for gamma = 1/2; p_true = 0.5, 0.8, 0.2:
    # L = 2 log(4/3), 2 log(10/9), 2 log(5/3), mean (2/3) log(200/81).
    y_true = [0, 1, 2]
    y_proba = [[0.5, 0.3, 0.2], [0.1, 0.8, 0.1], [0.4, 0.4, 0.2]]
    got = gamma_cross_entropy_loss(y_true, y_proba, gamma=0.5)
    assert_allclose(got, 2 / 3 * np.log(200 / 81), rtol=1e-14)
    assert_allclose(got, 0.6025788079170653, rtol=1e-14)
    summed = gamma_cross_entropy_loss(y_true, y_proba, gamma=0.5, normalize=False)
    assert_allclose(summed, 2 * np.log(200 / 81), rtol=1e-14)


@pytest.mark.parametrize("gamma, b", [(0.5, 0.3), (0.1, 0.3), (0.8, 0.2), (1.0, 0.2)])
def test_floor_matches_the_integral_of_the_floored_weight(gamma, b):
    # L(p) = integral over u = -log q from 0 to -log p of max(b, w(q)).
    p_star = b * gamma / (1 - b * (1 - gamma))
    assert_allclose(weight(p_star, gamma), b)
    u_star = -np.log(p_star)
    for p in [1e-6, 1e-3, p_star / 2, p_star, 0.3, 0.9, 1.0]:
        expected, _ = quad(
            lambda u: max(b, weight(np.exp(-u), gamma)),
            0,
            -np.log(p),
            points=[u_star] if u_star < -np.log(p) else None,
            epsabs=1e-13,
            epsrel=1e-12,
        )
        got = gamma_cross_entropy_loss([1], [p], gamma=gamma, b=b, labels=[0, 1])
        assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_floor_is_a_linear_tail_below_the_threshold():
    gamma, b = 0.5, 0.3
    p_star = b * gamma / (1 - b * (1 - gamma))
    at_star = gamma_cross_entropy_loss([1], [p_star], gamma=gamma, b=b, labels=[0, 1])
    for p in [1e-300, 1e-20, p_star / 3]:
        got = gamma_cross_entropy_loss([1], [p], gamma=gamma, b=b, labels=[0, 1])
        assert_allclose(got, at_star + b * (np.log(p_star) - np.log(p)), rtol=1e-12)
    # Above the threshold the floor changes nothing.
    for p in [0.2, 0.7]:
        assert gamma_cross_entropy_loss(
            [1], [p], gamma=gamma, b=b, labels=[0, 1]
        ) == gamma_cross_entropy_loss([1], [p], gamma=gamma, labels=[0, 1])


@pytest.mark.parametrize(
    "gamma, b, expected",
    [
        (0.5, 0.0, 2 * np.log(2)),  # -log(γ) / (1 - γ)
        (0.1, 0.0, -np.log(0.1) / 0.9),
        (1.0, 0.0, 1.0),
        (0.0, 0.0, np.inf),
        (0.0, 0.2, np.inf),
        (0.5, 0.2, np.inf),
        (1.0, 0.2, np.inf),
    ],
)
def test_zero_probability_of_the_true_class(gamma, b, expected):
    y_proba = [[0.0, 1.0], [1.0, 0.0]]  # both true classes get probability 0
    with np.errstate(all="raise"):
        got = gamma_cross_entropy_loss([0, 1], y_proba, gamma=gamma, b=b)
    assert_allclose(got, expected, rtol=1e-14)


def test_zero_weight_drops_an_infinite_loss():
    y_proba = [[0.0, 1.0], [0.25, 0.75]]
    got = gamma_cross_entropy_loss([0, 1], y_proba, gamma=0.0, sample_weight=[0, 2])
    assert_allclose(got, -np.log(0.75))


def test_perfect_predictions_have_zero_loss():
    y_proba = np.eye(3)
    for gamma in [0.0, 0.3, 0.7, 1.0]:
        loss = gamma_cross_entropy_loss([0, 1, 2], y_proba, gamma=gamma, b=0.2)
        assert loss == 0.0
        assert not np.signbit(loss)


def test_labels_give_the_column_order():
    rng = np.random.default_rng(3)
    y_true = np.array(["b", "c", "a", "c", "b", "a"])
    y_proba = random_proba(rng, 6, 3)  # columns a, b, c
    permutation = [2, 0, 1]  # columns c, a, b
    expected = gamma_cross_entropy_loss(y_true, y_proba, gamma=0.3)
    got = gamma_cross_entropy_loss(
        y_true, y_proba[:, permutation], gamma=0.3, labels=["c", "a", "b"]
    )
    assert_allclose(got, expected, rtol=1e-14)
    ece = expected_calibration_error(y_true, y_proba, n_bins=3)
    assert_allclose(
        expected_calibration_error(
            y_true, y_proba[:, permutation], n_bins=3, labels=["c", "a", "b"]
        ),
        ece,
    )


def test_labels_cover_classes_absent_from_y_true():
    y_proba = [[0.5, 0.25, 0.25], [0.25, 0.5, 0.25]]
    got = gamma_cross_entropy_loss([0, 1], y_proba, gamma=1.0, labels=[0, 1, 2])
    assert_allclose(got, 0.5)


def test_float32_probabilities():
    y_proba = np.array([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]], dtype=np.float32)
    got = gamma_cross_entropy_loss([2, 0], y_proba, gamma=1.0, labels=[0, 1, 2])
    assert_allclose(got, (0.3 + 0.7) / 2, rtol=1e-6)


# -- sample weights -----------------------------------------------------------


def test_integer_weights_equal_repeated_rows():
    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 3, 30)
    y_proba = random_proba(rng, 30, 3)
    counts = rng.integers(0, 4, 30)
    counts[0] = 1
    repeated = np.repeat(np.arange(30), counts)
    for gamma, b in [(0.0, 0.0), (0.4, 0.0), (0.4, 0.25), (1.0, 0.0)]:
        assert_allclose(
            gamma_cross_entropy_loss(
                y_true, y_proba, gamma=gamma, b=b, sample_weight=counts
            ),
            gamma_cross_entropy_loss(
                y_true[repeated], y_proba[repeated], gamma=gamma, b=b
            ),
            rtol=1e-12,
        )
    for n_bins in [1, 4, 15]:
        assert_allclose(
            expected_calibration_error(
                y_true, y_proba, n_bins=n_bins, sample_weight=counts
            ),
            expected_calibration_error(
                y_true[repeated], y_proba[repeated], n_bins=n_bins
            ),
            rtol=1e-12,
            atol=1e-15,
        )


# -- expected_calibration_error -----------------------------------------------


def test_ece_by_hand_three_bins():
    # Bins (0, 1/3], (1/3, 2/3], (2/3, 1]. Confidences 0.9 (right), 0.8 (wrong)
    # in the top bin: accuracy 1/2, confidence 0.85. Confidences 0.6 (right),
    # 0.5 (wrong), 0.4 (right) in the middle bin: accuracy 2/3, confidence 0.5.
    # ECE = 2/5 * 0.35 + 3/5 * 1/6 = 0.24.
    y_proba = [
        [0.9, 0.05, 0.05],
        [0.1, 0.8, 0.1],
        [0.2, 0.2, 0.6],
        [0.5, 0.3, 0.2],
        [0.3, 0.4, 0.3],
    ]
    y_true = [0, 2, 2, 1, 1]
    assert_allclose(expected_calibration_error(y_true, y_proba, n_bins=3), 0.24)
    # One bin: abs(accuracy 3/5 - mean confidence 0.64).
    assert_allclose(expected_calibration_error(y_true, y_proba, n_bins=1), 0.04)
    # Weights 2 on the first sample: top bin W = 3, accuracy 2/3, confidence
    # 2.6/3; middle bin as before. ECE = 3/6 * 0.2 + 3/6 * 1/6.
    assert_allclose(
        expected_calibration_error(
            y_true, y_proba, n_bins=3, sample_weight=[2, 1, 1, 1, 1]
        ),
        0.5 * 0.2 + 0.5 / 6,
    )


def test_ece_of_a_calibrated_predictor_is_small():
    rng = np.random.default_rng(5)
    n_samples, n_classes = 200_000, 4
    confidence = rng.uniform(1 / n_classes, 1, n_samples)
    predicted = rng.integers(0, n_classes, n_samples)
    y_proba = np.repeat(((1 - confidence) / (n_classes - 1))[:, None], 4, axis=1)
    y_proba[np.arange(n_samples), predicted] = confidence
    correct = rng.uniform(size=n_samples) < confidence
    other = (predicted + rng.integers(1, n_classes, n_samples)) % n_classes
    y_true = np.where(correct, predicted, other)
    ece = expected_calibration_error(y_true, y_proba)
    assert ece < 0.02
    # The same predictions made over-confident are far from calibrated.
    sharpened = y_proba**4 / (y_proba**4).sum(axis=1, keepdims=True)
    assert expected_calibration_error(y_true, sharpened) > 0.1


def test_ece_of_a_constant_overconfident_predictor_is_the_gap():
    y_true = np.array([1] * 60 + [0] * 40)
    y_proba = np.full(100, 0.9)  # always predicts class 1 with confidence 0.9
    for n_bins in [1, 10, 15]:
        assert_allclose(expected_calibration_error(y_true, y_proba, n_bins=n_bins), 0.3)


def test_ece_edge_confidence_goes_to_the_lower_bin():
    # With 5 bins, confidence 0.6 is in (0.4, 0.6], not with 0.8 in (0.6, 0.8].
    y_true = [1, 0]
    y_proba = [0.6, 0.8]
    # Separate bins: abs(1 - 0.6) and abs(0 - 0.8).
    assert_allclose(expected_calibration_error(y_true, y_proba, n_bins=5), 0.6)
    # Just above the edge they share a bin: accuracy 1/2, confidence 0.7.
    above = [np.nextafter(0.6, 1), 0.8]
    assert_allclose(expected_calibration_error(y_true, above, n_bins=5), 0.2)
    # Confidence 1 is in the last bin; 0.5 (an edge for 2 bins) in the first.
    assert_allclose(
        expected_calibration_error([1, 1], [1.0, 0.5], n_bins=2, labels=[0, 1]), 0.25
    )


def test_bin_indices_convention():
    assert _bin_indices(np.array([0.0, 0.2, 0.3, 0.4, 0.5, 1.0]), 5).tolist() == [
        0,
        0,
        1,
        1,
        2,
        4,
    ]
    for n_bins in range(1, 40):
        edges = np.arange(n_bins + 1) / n_bins
        # Each edge j / M (the float nearest it) belongs to bin j - 1.
        assert_allclose(
            _bin_indices(edges, n_bins), np.maximum(np.arange(n_bins + 1) - 1, 0)
        )
        # The next float above it starts bin j.
        above = np.nextafter(edges[:-1], 2)
        assert_allclose(_bin_indices(above, n_bins), np.arange(n_bins))


def test_ece_ties_predict_the_first_column():
    # Confidence 0.5 for class 0 (first of the tied columns): correct for y = 0.
    for y_true in [0, 1]:
        assert (
            expected_calibration_error([y_true], [[0.5, 0.5]], n_bins=2, labels=[0, 1])
            == 0.5
        )
    assert_allclose(
        expected_calibration_error(
            [0, 0], [[0.5, 0.5], [0.5, 0.5]], n_bins=3, labels=[0, 1]
        ),
        0.5,
    )
    assert_allclose(
        expected_calibration_error([0, 1], [[0.5, 0.5], [0.5, 0.5]], n_bins=3), 0.0
    )


def test_ece_is_invariant_to_permuting_samples():
    rng = np.random.default_rng(6)
    y_true = rng.integers(0, 3, 500)
    y_proba = random_proba(rng, 500, 3)
    sample_weight = rng.uniform(0, 2, 500)
    order = rng.permutation(500)
    assert_allclose(
        expected_calibration_error(
            y_true[order], y_proba[order], sample_weight=sample_weight[order]
        ),
        expected_calibration_error(y_true, y_proba, sample_weight=sample_weight),
        rtol=1e-12,
    )


# -- errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric", [gamma_cross_entropy_loss, expected_calibration_error]
)
def test_errors(metric):
    y_proba = np.array([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25]])
    with pytest.raises(ValueError, match="has 3 columns but there are 2 classes"):
        metric([0, 1], y_proba)
    with pytest.raises(ValueError, match="has 3 columns but there are 4 classes"):
        metric([0, 1], y_proba, labels=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="there are 3 classes"):
        metric([0, 1], [0.5, 0.5], labels=[0, 1, 2])
    with pytest.raises(ValueError, match="greater than 1"):
        metric([0, 1], [[1.5, -0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="lower than 0"):
        metric([0, 1], [-0.1, 0.5])
    with pytest.raises(ValueError, match=r"must sum to 1 .* row 1 sums to 0\.9\."):
        metric([0, 1], [[0.5, 0.5], [0.5, 0.4]])
    with pytest.raises(ValueError, match="NaN"):
        metric([0, 1], [np.nan, 0.5])
    with pytest.raises(ValueError, match="not in labels"):
        metric([0, 5], [0.5, 0.5], labels=[0, 1])
    with pytest.raises(ValueError, match="only one label"):
        metric([1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match="duplicates"):
        metric([0, 1], [0.5, 0.5], labels=[0, 1, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        metric([0, 1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match="non-negative"):
        metric([0, 1], [0.5, 0.5], sample_weight=[1, -1])
    with pytest.raises(ValueError, match="positive sum"):
        metric([0, 1], [0.5, 0.5], sample_weight=[0, 0])


def test_rows_summing_to_one_within_rounding_are_accepted():
    y_proba = np.array([[0.3, 0.6, 0.1]])
    assert y_proba.sum() != 1  # 0.9999999999999999
    gamma_cross_entropy_loss([2], y_proba, labels=[0, 1, 2])
    off = np.array([[0.3, 0.6, 0.1 + 2e-6]])
    with pytest.raises(ValueError, match="must sum to 1"):
        gamma_cross_entropy_loss([2], off, labels=[0, 1, 2])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"gamma": -0.1}, "'gamma' parameter"),
        ({"gamma": 1.5}, "'gamma' parameter"),
        ({"b": 1.0}, "'b' parameter"),
        ({"b": -0.5}, "'b' parameter"),
    ],
)
def test_gamma_and_b_out_of_range(params, match):
    with pytest.raises(ValueError, match=match):
        gamma_cross_entropy_loss([0, 1], [0.5, 0.5], **params)


def test_n_bins_out_of_range():
    with pytest.raises(ValueError, match="'n_bins' parameter"):
        expected_calibration_error([0, 1], [0.5, 0.5], n_bins=0)


# -- scorers ------------------------------------------------------------------


def _check_grid_search_scores(X, y, scorer, metric, **kwargs):
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    estimator = LogisticRegression(max_iter=1000)
    # One BLAS thread: on a loaded machine, threads make these tiny fits slow.
    with threadpool_limits(limits=1, user_api="blas"):
        search = GridSearchCV(
            estimator, {"C": [0.01, 1.0]}, scoring=scorer, cv=cv, refit=False
        ).fit(X, y)
        for i, params in enumerate(search.cv_results_["params"]):
            for fold, (train, test) in enumerate(cv.split(X, y)):
                model = clone(estimator).set_params(**params).fit(X[train], y[train])
                expected = -metric(y[test], model.predict_proba(X[test]), **kwargs)
                score = search.cv_results_[f"split{fold}_test_score"][i]
                assert_allclose(score, expected, rtol=1e-12)
    return search


@pytest.mark.parametrize("binary", [False, True])
def test_gamma_cross_entropy_scorer_in_grid_search(binary):
    X, y = load_iris(return_X_y=True)
    if binary:  # versicolor against virginica: the scorer passes a 1-D y_proba
        X, y = X[y > 0], y[y > 0]
    scorer = make_scorer(
        gamma_cross_entropy_loss,
        greater_is_better=False,
        response_method="predict_proba",
        gamma=0.5,
    )
    search = _check_grid_search_scores(
        X, y, scorer, gamma_cross_entropy_loss, gamma=0.5
    )
    scores = search.cv_results_["mean_test_score"]
    assert np.all(scores < 0)
    assert np.all(scores > -2 * np.log(2))  # the bound for gamma = 1/2
    # The weakly regularised model fits better.
    assert search.cv_results_["rank_test_score"].tolist() == [2, 1]


@pytest.mark.parametrize("binary", [False, True])
def test_ece_scorer_in_grid_search(binary):
    X, y = load_iris(return_X_y=True)
    if binary:
        X, y = X[y > 0], y[y > 0]
    scorer = make_scorer(
        expected_calibration_error,
        greater_is_better=False,
        response_method="predict_proba",
        n_bins=5,
    )
    search = _check_grid_search_scores(
        X, y, scorer, expected_calibration_error, n_bins=5
    )
    scores = search.cv_results_["mean_test_score"]
    assert np.all((-1 <= scores) & (scores < 0))


# -- properties ---------------------------------------------------------------


@st.composite
def labelled_probabilities(draw):
    n_samples = draw(st.integers(1, 30))
    n_classes = draw(st.integers(2, 5))
    raw = draw(
        hnp.arrays(
            np.float64,
            (n_samples, n_classes),
            elements=st.one_of(st.just(0.0), st.floats(1e-3, 1.0)),
        )
    )
    raw[raw.sum(axis=1) == 0, 0] = 1.0
    y_proba = raw / raw.sum(axis=1, keepdims=True)
    y_true = draw(
        hnp.arrays(np.int64, n_samples, elements=st.integers(0, n_classes - 1))
    )
    return y_true, y_proba, list(range(n_classes))


@given(
    case=labelled_probabilities(),
    gamma=st.floats(1e-6, 1.0, exclude_max=True),
)
def test_loss_is_bounded_for_b_zero(case, gamma):
    y_true, y_proba, labels = case
    loss = gamma_cross_entropy_loss(y_true, y_proba, gamma=gamma, labels=labels)
    assert 0.0 <= loss <= -np.log(gamma) / (1 - gamma) * (1 + 1e-12)
    p_true = y_proba[np.arange(len(y_true)), y_true]
    # -log(γ + (1 - γ) p) / (1 - γ), accurate as γ -> 1 through log1p.
    expected = np.mean(-np.log1p((1 - gamma) * (p_true - 1)) / (1 - gamma))
    assert_allclose(loss, expected, rtol=1e-9, atol=1e-12)


@given(
    case=labelled_probabilities(),
    gamma=st.floats(0.0, 1.0),
    b=st.floats(0.0, 0.9),
)
def test_loss_decreases_with_gamma_and_increases_with_b(case, gamma, b):
    # w(p) decreases in gamma, so L does too; max(b, w) grows with b.
    y_true, y_proba, labels = case
    loss = gamma_cross_entropy_loss(y_true, y_proba, gamma=gamma, b=b, labels=labels)
    assert loss >= 0.0
    if gamma < 1.0:
        higher_gamma = gamma_cross_entropy_loss(
            y_true, y_proba, gamma=(gamma + 1) / 2, b=b, labels=labels
        )
        assert higher_gamma <= loss * (1 + 1e-9) + 1e-12
    no_floor = gamma_cross_entropy_loss(y_true, y_proba, gamma=gamma, labels=labels)
    assert no_floor <= loss * (1 + 1e-9) + 1e-12


@given(case=labelled_probabilities(), n_bins=st.integers(1, 20), data=st.data())
def test_ece_is_in_unit_interval_and_permutation_invariant(case, n_bins, data):
    y_true, y_proba, labels = case
    ece = expected_calibration_error(y_true, y_proba, n_bins=n_bins, labels=labels)
    assert 0.0 <= ece <= 1.0
    order = data.draw(st.permutations(range(len(y_true))))
    permuted = expected_calibration_error(
        y_true[order], y_proba[order], n_bins=n_bins, labels=labels
    )
    assert_allclose(permuted, ece, rtol=1e-9, atol=1e-12)
    # With a single bin the ECE is abs(accuracy - mean confidence).
    one_bin = expected_calibration_error(y_true, y_proba, n_bins=1, labels=labels)
    accuracy = np.mean(y_proba.argmax(axis=1) == y_true)
    assert_allclose(one_bin, abs(accuracy - y_proba.max(axis=1).mean()), atol=1e-12)


# ----------------------------------------------------------- bad and extreme input


@pytest.mark.parametrize(
    "metric", [gamma_cross_entropy_loss, expected_calibration_error]
)
@pytest.mark.parametrize(
    "y_true, labels, message",
    [
        # Both failed with "'<' not supported between instances of 'str' and 'int'".
        (np.array([0, "a", 0, "a"], dtype=object), None, "y_true mixes labels"),
        ([0, 1, 0, 1], [0, "a"], "labels mixes labels"),
        # NaN labels were "not in labels [0.0, 1.0, nan]".
        ([0.0, np.nan, 0.0, 1.0], None, "y_true contains NaN"),
        ([0, 1, 0, 1], [0, np.nan], "labels contains NaN"),
        (["0", "1", "0", "1"], [0, 1], "both be numbers or both be strings"),
        ([None, 1, None, 1], None, "y_true mixes labels"),
    ],
)
def test_label_errors_name_the_problem(metric, y_true, labels, message):
    y_proba = np.full((4, 2), 0.5)
    with pytest.raises(ValueError, match=message):
        metric(y_true, y_proba, labels=labels)


@pytest.mark.parametrize(
    "metric", [gamma_cross_entropy_loss, expected_calibration_error]
)
def test_object_arrays_of_labels_work(metric):
    rng = np.random.default_rng(0)
    y_proba = random_proba(rng, 40, 3)
    y = rng.integers(0, 3, 40)
    expected = metric(y, y_proba)
    assert metric(y.astype(object), y_proba) == expected
    assert metric(y.astype(str).astype(object), y_proba) == expected
    assert metric(y.astype(str), y_proba, labels=["0", "1", "2"]) == expected


@pytest.mark.parametrize(
    "metric", [gamma_cross_entropy_loss, expected_calibration_error]
)
@pytest.mark.parametrize("exponent", [-1070, -1000, 900, 1022])
def test_extreme_sample_weights_give_the_value_of_their_rescaled_copy(metric, exponent):
    # 1e308 weights gave NaN (the sum overflowed), subnormal ones lost bits.
    rng = np.random.default_rng(1)
    y_proba = random_proba(rng, 50, 3)
    y = rng.integers(0, 3, 50)
    weights = rng.integers(1, 4, 50).astype(float)
    expected = metric(y, y_proba, sample_weight=weights)
    got = metric(y, y_proba, sample_weight=np.ldexp(weights, exponent))
    assert got == expected


def test_unnormalised_sum_scales_with_the_weights_or_refuses_to_overflow():
    rng = np.random.default_rng(2)
    y_proba = random_proba(rng, 50, 3)
    y = rng.integers(0, 3, 50)
    weights = rng.integers(1, 4, 50).astype(float)
    total = gamma_cross_entropy_loss(y, y_proba, sample_weight=weights, normalize=False)
    for exponent in (-1000, 500):
        scaled = gamma_cross_entropy_loss(
            y, y_proba, sample_weight=np.ldexp(weights, exponent), normalize=False
        )
        assert scaled == np.ldexp(total, exponent)
    with pytest.raises(ValueError, match=r"exceeds the float64 range.*normalize"):
        gamma_cross_entropy_loss(
            y, y_proba, sample_weight=np.full(50, 1e308), normalize=False
        )


def test_huge_n_bins_needs_no_memory_per_bin():
    # n_bins=10**12 raised MemoryError (7.28 TiB of bin edges).
    rng = np.random.default_rng(3)
    y_proba = random_proba(rng, 200, 3)
    y = rng.integers(0, 3, 200)
    confidence, correct = y_proba.max(axis=1), y_proba.argmax(axis=1) == y
    # With more bins than distinct confidences, every sample is alone in its
    # bin (except exact ties): the ECE is the mean |correct - confidence|.
    expected = np.mean(np.abs(correct - confidence))
    assert expected_calibration_error(y, y_proba, n_bins=10**12) == pytest.approx(
        expected, rel=1e-12
    )


@pytest.mark.parametrize("n_bins", [7, 1000, 2**20 + 3, 10**9])
def test_bin_indices_without_an_edge_array_match_the_edge_array(monkeypatch, n_bins):
    from sklearn_kexue.metrics import _calibration

    rng = np.random.default_rng(n_bins)
    edges = (
        np.arange(1, 2000) / n_bins if n_bins > 2000 else np.arange(n_bins + 1) / n_bins
    )
    confidence = np.concatenate(
        [
            rng.random(3000),
            edges,
            np.nextafter(edges, 0),
            np.nextafter(edges, 1),
            [0, 1],
        ]
    )
    confidence = np.clip(confidence, 0, 1)
    reference = np.searchsorted(
        np.arange(1, min(n_bins, 3 * 10**6)) / n_bins, confidence, side="left"
    )
    monkeypatch.setattr(_calibration, "_EDGE_ARRAY_BINS", 1)
    computed = _calibration._bin_indices(confidence, n_bins)
    if n_bins > 3 * 10**6:  # the reference array stops early: compare below it
        keep = reference < 3 * 10**6 - 2
        reference, computed = reference[keep], computed[keep]
    np.testing.assert_array_equal(computed, reference)
