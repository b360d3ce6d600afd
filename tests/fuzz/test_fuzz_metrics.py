"""Bad and unusual arguments through the calibration and retrieval metrics.

Every argument of ``gamma_cross_entropy_loss``, ``expected_calibration_error``,
``mean_average_precision_neighbors`` and ``mean_average_precision_labels`` is
drawn valid or corrupted in one of the ways a user gets wrong. A corrupted
call must raise a clear error (``check_outcome(..., ERROR)``); a valid call
must succeed and equal a brute-force reference written from the definitions,
one sample (or one query and item) at a time; extreme but finite values must
give the value of their rescaled copy.
"""

import bisect
import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_kexue.metrics import (
    expected_calibration_error,
    gamma_cross_entropy_loss,
    mean_average_precision_labels,
    mean_average_precision_neighbors,
)
from tests.fuzz._bad_inputs import ERROR, VALID, check_outcome

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _quiet(call):
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DataConversionWarning and the like
            return call()

    return run


# --------------------------------------------------------------- references


def _reference_gamma_loss(p, gamma, b):
    """L(p) from its definition, one probability at a time."""

    def unfloored(p):
        if gamma == 1:
            return 1.0 - p
        inner = gamma + (1 - gamma) * p
        return math.inf if inner == 0 else -math.log(inner) / (1 - gamma)

    if b > 0 and gamma > 0:
        threshold = b * gamma / (1 - b * (1 - gamma))
        if p < threshold:
            if p == 0:
                return math.inf
            return unfloored(threshold) + b * (math.log(threshold) - math.log(p))
    return unfloored(p)


def reference_gamma_cross_entropy(columns, proba, weights, gamma, b, normalize):
    total = 0.0
    for column, row, weight in zip(columns, proba, weights):
        if weight > 0:
            total += weight * _reference_gamma_loss(float(row[column]), gamma, b)
    return total / sum(weights) if normalize else total


class _Edges:
    """The float64 edges j / n_bins, j = 1 .. n_bins - 1, without an array."""

    def __init__(self, n_bins):
        self.n_bins = n_bins

    def __len__(self):
        return self.n_bins - 1

    def __getitem__(self, index):
        return (index + 1) / self.n_bins


def reference_ece(columns, proba, weights, n_bins):
    gaps = {}
    for column, row, weight in zip(columns, proba, weights):
        confidence = float(max(row))
        predicted = int(np.argmax(row))
        # The bin is the number of edges strictly below the confidence.
        bin_index = bisect.bisect_left(_Edges(n_bins), confidence)
        gaps[bin_index] = gaps.get(bin_index, 0.0) + weight * (
            (predicted == column) - confidence
        )
    return sum(abs(gap) for gap in gaps.values()) / sum(weights)


# ---------------------------------------------------- calibration metric draws

# The arguments only one metric takes: a corrupted one leaves the other valid.
LOSS_ONLY = {"gamma", "b", "normalize"}
ECE_ONLY = {"n_bins"}

CORRUPTIONS = [
    "proba_nan",
    "proba_inf",
    "proba_negative",
    "proba_above_one",
    "rows_not_summing",
    "proba_3d",
    "proba_strings",
    "proba_columns",
    "proba_rows",
    "empty",
    "y_mixed",
    "y_nan",
    "y_2d",
    "y_none",
    "labels_duplicate",
    "labels_missing_class",
    "labels_mixed",
    "labels_kind",
    "weight_negative",
    "weight_nan",
    "weight_inf",
    "weight_zero",
    "weight_length",
    "gamma",
    "b",
    "normalize",
    "n_bins",
]


@st.composite
def probabilistic_arguments(draw, corrupted):
    """Valid arguments of both metrics, then at most one of them corrupted.

    Returns ``(kwargs, corrupted, reference)``: the name of the corrupted
    argument (None if none), and the reference arguments of the valid call
    (the columns of the true classes, the probabilities and the weights
    before their power-of-two scaling, which neither metric may notice).
    """
    n_classes = draw(st.integers(2, 4))
    n_samples = draw(st.integers(1, 25))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    concentration = draw(st.sampled_from([0.2, 1.0, 5.0]))
    proba = rng.dirichlet(np.full(n_classes, concentration), size=n_samples)
    if draw(st.booleans()):  # exact zeros and ones, where the loss is extreme
        proba[rng.random(n_samples) < 0.3] = np.eye(n_classes)[0]
    columns = rng.integers(0, n_classes, n_samples)
    kind = draw(st.sampled_from(["int", "str", "float", "object_int"]))
    classes = {
        "int": np.arange(n_classes) * 3 - 2,
        "str": np.array([f"c{i}" for i in range(n_classes)]),
        "float": np.arange(n_classes) / 2.0,
        "object_int": np.arange(n_classes).astype(object),
    }[kind]
    y_true = classes[columns]
    labels = None
    if draw(st.booleans()) or len(np.unique(columns)) < n_classes:
        labels = list(classes)
    base_weights = np.ones(n_samples)
    weights, exponent = None, 0
    if draw(st.booleans()):
        base_weights = rng.integers(0, 4, n_samples).astype(float)
        base_weights[0] = 1.0
        exponent = draw(st.sampled_from([0, 0, -1070, -600, 1020]))
        weights = np.ldexp(base_weights, exponent)
    kwargs = {
        "y_true": y_true,
        "y_proba": proba,
        "labels": labels,
        "sample_weight": weights,
        "gamma": draw(st.sampled_from([0.0, 0.3, 0.5, 1.0])),
        "b": draw(st.sampled_from([0.0, 0.0, 0.2, 0.9])),
        "normalize": draw(st.booleans()),
        "n_bins": draw(st.sampled_from([1, 4, 15, 1000, 10**12])),
    }
    if n_classes == 2 and draw(st.booleans()):
        kwargs["y_proba"] = proba[:, 1].copy()  # the binary shape
    reference = (columns, proba, base_weights, exponent)
    if corrupted is not None:
        _corrupt(draw, corrupted, kwargs, columns, classes, kind)
    return kwargs, corrupted, reference


def _corrupt(draw, corrupted, kwargs, columns, classes, kind):
    n_samples = len(columns)
    p = np.array(kwargs["y_proba"], dtype=float)
    if corrupted == "proba_nan":
        p.flat[0] = np.nan
    elif corrupted == "proba_inf":
        p.flat[0] = np.inf
    elif corrupted == "proba_negative":
        p.flat[0] = -0.25
    elif corrupted == "proba_above_one":
        p.flat[0] = 1.5
    elif corrupted == "rows_not_summing":
        if p.ndim == 1:
            p = p * 0 + 2.0  # the binary shape can only leave [0, 1]
        else:
            p[0] = p[0] * 0.5 + 0.01
    elif corrupted == "proba_3d":
        p = p[np.newaxis]
    elif corrupted == "proba_strings":
        p = p.astype(str).astype(object)
        p.flat[0] = "high"
    elif corrupted == "proba_columns":
        p = np.column_stack([p.reshape(n_samples, -1), np.zeros(n_samples)])
    elif corrupted == "proba_rows":
        p = p[:-1] if n_samples > 1 else np.concatenate([p, p])
    elif corrupted == "empty":
        p = p[:0]
        kwargs["y_true"] = kwargs["y_true"][:0]
        kwargs["sample_weight"] = None
    kwargs["y_proba"] = p
    if corrupted == "y_mixed":
        y = np.array(kwargs["y_true"], dtype=object)
        y[0] = 0 if kind == "str" else "c0"
        kwargs["y_true"] = y
    elif corrupted == "y_nan":
        kwargs["y_true"] = np.where(np.arange(n_samples) == 0, np.nan, columns + 0.0)
        kwargs["labels"] = None
    elif corrupted == "y_2d":
        kwargs["y_true"] = np.column_stack([columns, columns])
    elif corrupted == "y_none":
        kwargs["y_true"] = None
    elif corrupted == "labels_duplicate":
        kwargs["labels"] = [*classes, classes[0]]
    elif corrupted == "labels_missing_class":
        kwargs["labels"] = [label for label in classes if label != classes[columns[0]]]
    elif corrupted == "labels_mixed":
        kwargs["labels"] = [0, *(f"c{i}" for i in range(1, len(classes)))]
    elif corrupted == "labels_kind":
        kwargs["labels"] = [str(label) for label in classes]
        kwargs["y_true"] = columns  # numbers against string labels
    elif corrupted.startswith("weight_"):
        w = kwargs["sample_weight"]
        w = np.ones(n_samples) if w is None else np.array(w)
        if corrupted == "weight_negative":
            w[0] = -1.0
        elif corrupted == "weight_nan":
            w[0] = np.nan
        elif corrupted == "weight_inf":
            w[0] = np.inf
        elif corrupted == "weight_zero":
            w[:] = 0.0
        else:
            w = np.append(w, 1.0)
        kwargs["sample_weight"] = w
    elif corrupted == "gamma":
        kwargs["gamma"] = draw(
            st.sampled_from([-0.1, 1.5, np.nan, np.inf, True, "0.5"])
        )
    elif corrupted == "b":
        kwargs["b"] = draw(st.sampled_from([-0.1, 1.0, np.nan, True, None]))
    elif corrupted == "normalize":
        kwargs["normalize"] = draw(st.sampled_from([1, "yes", None]))
    elif corrupted == "n_bins":
        kwargs["n_bins"] = draw(st.sampled_from([0, -3, True, 2.5, np.nan, "15"]))


def _metric_arguments(kwargs, ignored):
    return {name: value for name, value in kwargs.items() if name not in ignored}


def _inputs(kwargs):
    inputs = [kwargs["y_proba"]]
    if kwargs["sample_weight"] is not None:
        inputs.append(kwargs["sample_weight"])
    return inputs


@pytest.mark.parametrize("corrupted", [None, *CORRUPTIONS])
def test_gamma_cross_entropy_loss_is_the_reference_or_a_clear_error(corrupted):
    @SETTINGS
    @given(case=probabilistic_arguments(corrupted))
    def check(case):
        _check_gamma_cross_entropy_loss(*case)

    check()


def _check_gamma_cross_entropy_loss(kwargs, corrupted, reference):
    columns, proba, weights, exponent = reference
    arguments = _metric_arguments(kwargs, ECE_ONLY)
    expect = ERROR if corrupted is not None and corrupted not in ECE_ONLY else VALID
    expected = (
        reference_gamma_cross_entropy(
            columns, proba, weights, kwargs["gamma"], kwargs["b"], kwargs["normalize"]
        )
        if expect == VALID
        else None
    )
    if expect == VALID and math.isinf(expected):
        # A true class of probability 0 costs an infinite loss for gamma=0 or
        # b>0: documented, and not clipped as log_loss clips it.
        assert _quiet(lambda: gamma_cross_entropy_loss(**arguments))() == math.inf
        return
    if expect == VALID and not kwargs["normalize"]:
        with np.errstate(over="ignore"):  # the sum scales with the weights
            expected = float(np.ldexp(expected, exponent))
        if math.isinf(expected):
            expect = "either"  # the caller's sum exceeds float64: a clear error
    result = check_outcome(
        _quiet(lambda: gamma_cross_entropy_loss(**arguments)),
        expect,
        f"gamma_cross_entropy_loss({corrupted or 'valid'})",
        inputs=_inputs(kwargs),
    )
    if result is not None:
        assert result == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("corrupted", [None, *CORRUPTIONS])
def test_expected_calibration_error_is_the_reference_or_a_clear_error(corrupted):
    @SETTINGS
    @given(case=probabilistic_arguments(corrupted))
    def check(case):
        _check_expected_calibration_error(*case)

    check()


def _check_expected_calibration_error(kwargs, corrupted, reference):
    columns, proba, weights, _ = reference
    arguments = _metric_arguments(kwargs, LOSS_ONLY)
    expect = ERROR if corrupted is not None and corrupted not in LOSS_ONLY else VALID
    result = check_outcome(
        _quiet(lambda: expected_calibration_error(**arguments)),
        expect,
        f"expected_calibration_error({corrupted or 'valid'})",
        inputs=_inputs(kwargs),
    )
    if result is not None:
        # The weights' power-of-two scale must not matter.
        expected = reference_ece(columns, proba, weights, kwargs["n_bins"])
        assert 0.0 <= result <= 1.0
        assert result == pytest.approx(expected, rel=1e-9, abs=1e-12)


# -------------------------------------------------------------- retrieval draws


def reference_neighbors_map(X, codes, queries, n_neighbors):
    """The Science 2017 protocol, one query and one item at a time."""
    scores = []
    for i in queries:
        input_space, code_space = [], []
        for j in range(len(X)):
            if np.all(X[i] == X[j]):
                continue  # the query and its exact duplicates
            input_space.append((float(np.sum((X[i] - X[j]) ** 2)), j))
            code_space.append((float(np.sum((codes[i] - codes[j]) ** 2)), j))
        truth = {j for _, j in sorted(input_space)[:n_neighbors]}
        predicted = [j for _, j in sorted(code_space)[:n_neighbors]]
        scores.append(_average_precision([j in truth for j in predicted]))
    return float(np.mean(scores))


def _average_precision(relevance):
    hits, precisions = 0, []
    for rank, relevant in enumerate(relevance, start=1):
        if relevant:
            hits += 1
            precisions.append(hits / rank)
    return float(np.mean(precisions)) if precisions else 0.0


def reference_labels_map(codes, labels, query_codes, query_labels, n_retrieved):
    leave_one_out = query_codes is None
    if leave_one_out:
        query_codes, query_labels = codes, labels
    scores = []
    for i, (query, label) in enumerate(zip(query_codes, query_labels)):
        ranked = sorted(
            (float(np.sum((query - item) ** 2)), j)
            for j, item in enumerate(codes)
            if not (leave_one_out and j == i)
        )
        kept = ranked if n_retrieved == "all" else ranked[:n_retrieved]
        scores.append(_average_precision([labels[j] == label for _, j in kept]))
    return float(np.mean(scores))


def _small_integers(rng, shape, high=3):
    return rng.integers(0, high, size=shape).astype(float)


CONTAINERS = {
    "dense": np.asarray,
    "float32": lambda X: np.asarray(X, dtype=np.float32),
    "list": lambda X: X.tolist(),
    "csr": sp.csr_matrix,
    "csr_array": sp.csr_array,
    "csc": sp.csc_matrix,
    "coo": sp.coo_array,
}
# Powers of two that scale small integers exactly, by container dtype:
# ordinary, subnormal, tiny and huge.
EXPONENTS = {
    "float64": [0, 0, -1060, -700, 600, 1000],
    "float32": [0, 0, -140, -100, 100],
}


def _scaled_container(draw):
    container = draw(st.sampled_from(sorted(CONTAINERS)))
    dtype = "float32" if container == "float32" else "float64"
    exponent = draw(st.sampled_from(EXPONENTS[dtype]))
    return (lambda X: CONTAINERS[container](np.ldexp(X, exponent))), exponent


def _malformed_csr(X):
    csr = sp.csr_matrix(np.ones_like(X))
    csr.indices[0] = X.shape[1] + 3
    return csr


NEIGHBOR_CORRUPTIONS = [
    "X_nan",
    "codes_inf",
    "codes_rows",
    "codes_1d",
    "codes_malformed",
    "X_malformed",
    "X_strings",
    "n_queries_too_many",
    "n_queries_zero",
    "n_queries_bool",
    "n_queries_float_array",
    "n_queries_out_of_range",
    "n_queries_empty",
    "n_neighbors_too_many",
    "n_neighbors_zero",
    "n_neighbors_bool",
    "tie_breaking",
    "random_state",
]


@st.composite
def neighbor_arguments(draw, corrupted):
    """Valid arguments (and the reference's), then ``corrupted`` corrupted."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n_samples = draw(st.integers(4, 18))
    X = _small_integers(rng, (n_samples, draw(st.integers(1, 3))), high=4)
    X[0, 0] = 9.0  # one row differs from every other: at least one candidate
    codes = _small_integers(rng, (n_samples, draw(st.integers(1, 6))), high=2)
    duplicates = np.array([np.sum(np.all(X == row, axis=1)) for row in X])
    n_candidates = int(n_samples - duplicates.max())
    n_neighbors = draw(st.integers(1, max(1, n_candidates)))
    queries = draw(st.sampled_from(["all", "array", "negative"]))
    n_queries = {
        "all": None,
        "array": np.sort(rng.choice(n_samples, size=min(5, n_samples), replace=False)),
        "negative": np.array([-1, 0]),
    }[queries]
    convert, _ = _scaled_container(draw)
    kwargs = {
        "X": convert(X),
        "codes": convert(codes),
        "n_queries": n_queries,
        "n_neighbors": n_neighbors,
        "tie_breaking": "index",
    }
    rows = np.arange(n_samples) if n_queries is None else n_queries % n_samples
    reference = (X, codes, rows, n_neighbors)
    if corrupted is None:
        return kwargs, reference
    if corrupted == "X_nan":
        kwargs["X"] = X.copy()
        kwargs["X"].flat[0] = np.nan
    elif corrupted == "codes_inf":
        kwargs["codes"] = codes.copy()
        kwargs["codes"].flat[-1] = np.inf
    elif corrupted == "codes_rows":
        kwargs["codes"] = codes[:-1]
    elif corrupted == "codes_1d":
        kwargs["codes"] = codes[:, 0]
    elif corrupted == "codes_malformed":
        kwargs["codes"] = _malformed_csr(codes)
    elif corrupted == "X_malformed":
        kwargs["X"] = _malformed_csr(X)
    elif corrupted == "X_strings":
        kwargs["X"] = np.full(X.shape, "near", dtype=object)
    elif corrupted == "n_queries_too_many":
        kwargs["n_queries"] = n_samples + 1
    elif corrupted == "n_queries_zero":
        kwargs["n_queries"] = 0
    elif corrupted == "n_queries_bool":
        kwargs["n_queries"] = True
    elif corrupted == "n_queries_float_array":
        kwargs["n_queries"] = np.array([0.5, 1.0])
    elif corrupted == "n_queries_out_of_range":
        kwargs["n_queries"] = np.array([0, n_samples])
    elif corrupted == "n_queries_empty":
        kwargs["n_queries"] = np.array([], dtype=int)
    elif corrupted == "n_neighbors_too_many":
        kwargs["n_neighbors"] = n_candidates + 1
        kwargs["n_queries"] = None
    elif corrupted == "n_neighbors_zero":
        kwargs["n_neighbors"] = 0
    elif corrupted == "n_neighbors_bool":
        kwargs["n_neighbors"] = True
    elif corrupted == "tie_breaking":
        kwargs["tie_breaking"] = draw(st.sampled_from(["lowest", None, 1]))
    elif corrupted == "random_state":
        kwargs["random_state"] = draw(st.sampled_from([True, -1, 1.5, "seed"]))
    return kwargs, None


@pytest.mark.parametrize("corrupted", [None, *NEIGHBOR_CORRUPTIONS])
def test_neighbors_map_is_the_reference_or_a_clear_error(corrupted):
    @SETTINGS
    @given(case=neighbor_arguments(corrupted))
    def check(case):
        kwargs, reference = case
        result = check_outcome(
            _quiet(lambda: mean_average_precision_neighbors(**kwargs)),
            VALID if corrupted is None else ERROR,
            f"mean_average_precision_neighbors({corrupted or 'valid'})",
            inputs=(kwargs["X"], kwargs["codes"]),
        )
        if result is not None:
            # The scaled inputs rank exactly as the small integers they scale.
            expected = reference_neighbors_map(*reference)
            assert result == pytest.approx(expected, abs=1e-12)

    check()


LABEL_CORRUPTIONS = [
    "labels_nan",
    "labels_mixed",
    "labels_length",
    "labels_2d",
    "codes_nan",
    "codes_malformed",
    "query_width",
    "query_malformed",
    "query_labels_missing",
    "query_labels_without_codes",
    "query_labels_length",
    "query_labels_kind",
    "n_retrieved_zero",
    "n_retrieved_bool",
    "n_retrieved_string",
    "single_item",
]


@st.composite
def label_arguments(draw, corrupted):
    """Valid arguments (and the reference's), then ``corrupted`` corrupted."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n_database = draw(st.integers(2, 18))
    codes = _small_integers(rng, (n_database, draw(st.integers(1, 6))), high=2)
    label_kind = draw(st.sampled_from(["int", "str", "float", "object"]))
    raw_labels = rng.integers(0, 3, n_database)
    convert_labels = {
        "int": lambda values: values,
        "str": lambda values: np.array([f"class {v}" for v in values]),
        "float": lambda values: values / 2.0,
        "object": lambda values: values.astype(object),
    }[label_kind]
    labels = convert_labels(raw_labels)
    query_codes = query_labels = None
    if draw(st.booleans()):
        n_queries = draw(st.integers(1, 6))
        query_codes = _small_integers(rng, (n_queries, codes.shape[1]), high=2)
        query_labels = convert_labels(rng.integers(0, 3, n_queries))
    n_retrieved = draw(st.sampled_from(["all", 1, 3, 10**9]))
    convert, _ = _scaled_container(draw)
    kwargs = {
        "codes": convert(codes),
        "labels": labels,
        "query_codes": None if query_codes is None else convert(query_codes),
        "query_labels": query_labels,
        "n_retrieved": n_retrieved,
        "tie_breaking": "index",
    }
    reference = (codes, labels, query_codes, query_labels, n_retrieved)
    if corrupted is None:
        return kwargs, reference
    if corrupted == "labels_nan":
        kwargs["labels"] = np.where(raw_labels == raw_labels[0], np.nan, raw_labels)
    elif corrupted == "labels_mixed":
        mixed = raw_labels.astype(object)
        mixed[0] = "zero"
        kwargs["labels"] = mixed
    elif corrupted == "labels_length":
        kwargs["labels"] = labels[:-1]
    elif corrupted == "labels_2d":
        kwargs["labels"] = np.column_stack([raw_labels, raw_labels])
    elif corrupted == "codes_nan":
        kwargs["codes"] = codes.copy()
        kwargs["codes"].flat[-1] = np.nan
    elif corrupted == "codes_malformed":
        kwargs["codes"] = _malformed_csr(codes)
    elif corrupted == "query_width":
        kwargs["query_codes"] = np.ones((2, codes.shape[1] + 1))
        kwargs["query_labels"] = labels[:2]
    elif corrupted == "query_malformed":
        kwargs["query_codes"] = _malformed_csr(codes)
        kwargs["query_labels"] = labels
    elif corrupted == "query_labels_missing":
        kwargs["query_codes"] = codes
        kwargs["query_labels"] = None
    elif corrupted == "query_labels_without_codes":
        kwargs["query_codes"] = None
        kwargs["query_labels"] = labels
    elif corrupted == "query_labels_length":
        kwargs["query_codes"] = codes
        kwargs["query_labels"] = labels[:-1]
    elif corrupted == "query_labels_kind":
        kwargs["query_codes"] = codes
        kwargs["query_labels"] = (
            raw_labels if label_kind == "str" else np.array([f"{v}" for v in labels])
        )
    elif corrupted == "n_retrieved_zero":
        kwargs["n_retrieved"] = 0
    elif corrupted == "n_retrieved_bool":
        kwargs["n_retrieved"] = True
    elif corrupted == "n_retrieved_string":
        kwargs["n_retrieved"] = "every"
    elif corrupted == "single_item":
        kwargs["codes"], kwargs["labels"] = codes[:1], labels[:1]
        kwargs["query_codes"] = kwargs["query_labels"] = None
    return kwargs, None


@pytest.mark.parametrize("corrupted", [None, *LABEL_CORRUPTIONS])
def test_labels_map_is_the_reference_or_a_clear_error(corrupted):
    @SETTINGS
    @given(case=label_arguments(corrupted))
    def check(case):
        kwargs, reference = case
        inputs = [kwargs["codes"]]
        if kwargs["query_codes"] is not None:
            inputs.append(kwargs["query_codes"])
        result = check_outcome(
            _quiet(lambda: mean_average_precision_labels(**kwargs)),
            VALID if corrupted is None else ERROR,
            f"mean_average_precision_labels({corrupted or 'valid'})",
            inputs=inputs,
        )
        if result is not None:
            expected = reference_labels_map(*reference)
            assert result == pytest.approx(expected, abs=1e-12)

    check()


@SETTINGS
@given(
    seed=st.integers(0, 2**16),
    exponent=st.sampled_from([-1060, -1000, -300, 300, 1000]),
)
def test_random_ties_do_not_depend_on_the_scale(seed, exponent):
    # A power of two keeps integer codes' distances exact, so the same ties are
    # drawn in the same order at every scale.
    rng = np.random.default_rng(seed)
    codes = _small_integers(rng, (15, 4), high=2)
    labels = rng.integers(0, 3, 15)
    expected = mean_average_precision_labels(codes, labels, random_state=seed)
    scaled = mean_average_precision_labels(
        np.ldexp(codes, exponent), labels, random_state=seed
    )
    assert scaled == expected
