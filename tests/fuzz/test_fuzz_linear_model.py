"""Bad and unusual arguments through GammaCrossEntropyClassifier.

Beyond ``test_fuzz_estimators.py`` (X cases at default parameters), these
properties draw the other arguments of ``fit`` and ``partial_fit``: labels of
every kind, sample weights, class weights, ``classes``, sequences of
``partial_fit`` calls, features far from unit scale, and every parameter.
Invalid ones must get a clear error that leaves the model as it was; valid
ones must give the model their definition implies: ``loss_`` is the objective
``C sum_i s_i L(p_i) + 1/2 ||W||^2`` recomputed from the predictions, a class
weight equals the matching sample weights, sample weights times ``2**k`` with
``C`` times ``2**-k`` give the very same model, and a stream cut at minibatch
edges takes the steps of one long call.
"""

import math
import pickle
import warnings
from numbers import Integral, Real

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from sklearn_kexue import GammaCrossEntropyClassifier
from sklearn_kexue._loss import gamma_loss_and_weight
from tests.fuzz._bad_inputs import EITHER, ERROR, VALID, check_outcome

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(SETTINGS, max_examples=10)


def _quiet(call):
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)  # DataConversionWarning
            return call()

    return run


LABEL_KINDS = {
    "int": lambda index: index * 2 - 1,
    "str": lambda index: np.array([f"class {i}" for i in index]),
    "float": lambda index: index * 1.0,  # integral floats (others: "continuous")
    "object_int": lambda index: index.astype(object),
    "object_str": lambda index: np.array([f"c{i}" for i in index], dtype=object),
    "list_str": lambda index: [f"c{i}" for i in index],
}


@st.composite
def problems(draw):
    """Standardised-looking features and labels of a drawn kind."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n_classes = draw(st.integers(2, 4))
    n_samples = draw(st.integers(3 * n_classes, 30))
    index = np.arange(n_samples) % n_classes  # every class present
    rng.shuffle(index)
    X = rng.standard_normal((n_samples, draw(st.integers(2, 5)))) + index[:, None] * 0.7
    kind = draw(st.sampled_from(sorted(LABEL_KINDS)))
    return X, index, LABEL_KINDS[kind](index), kind


def reference_loss(model, X, y_index, weights):
    """C sum_i s_i L(p_i) + 1/2 ||W||^2, from predict_log_proba."""
    log_p = model.predict_log_proba(X)[np.arange(len(y_index)), y_index]
    loss, _ = gamma_loss_and_weight(log_p, model.gamma, model.b)
    return model.C * float(weights @ loss) + 0.5 * float(np.sum(model.coef_**2))


FIT_CORRUPTIONS = [
    "y_mixed",
    "y_nan",
    "y_none_label",
    "y_2d",
    "y_one_class",
    "y_continuous",
    "y_length",
    "sample_weight_negative",
    "sample_weight_nan",
    "sample_weight_inf",
    "sample_weight_zero",
    "sample_weight_length",
    "sample_weight_2d",
    "sample_weight_strings",
    "class_weight_negative",
    "class_weight_nan",
    "class_weight_inf",
    "class_weight_unknown_key",
    "class_weight_string_value",
    "class_weight_bool_value",
    "X_nan",
    "X_huge",
    "X_far_from_unit_scale",
]


@st.composite
def fit_arguments(draw, corrupted):
    X, index, y, kind = draw(problems())
    n_samples, n_classes = len(index), index.max() + 1
    classes = np.unique(np.asarray(y, dtype=object if "str" in kind else None))
    weights = None
    if draw(st.booleans()):
        weights = np.random.default_rng(n_samples).integers(0, 4, n_samples) + 0.0
        weights[:n_classes] = 1.0  # every class keeps a positive weight
    class_weight = draw(st.sampled_from([None, "balanced", "dict"]))
    if class_weight == "dict":
        class_weight = {classes[0]: 2.5, classes[-1]: 0.5}
    model = GammaCrossEntropyClassifier(
        gamma=draw(st.sampled_from([0.0, 0.5, 1.0])),
        b=draw(st.sampled_from([0.0, 0.2])),
        C=draw(st.sampled_from([0.1, 1.0, 10.0])),
        class_weight=class_weight,
        fit_intercept=draw(st.booleans()),
    )
    if corrupted is None:
        return model, X, y, weights, index
    y_bad = np.array(y, dtype=object)
    if corrupted == "y_mixed":
        y_bad[0] = 0 if "str" in kind else "zero"
        y = y_bad
    elif corrupted == "y_nan":
        y = np.where(np.arange(n_samples) == 0, np.nan, index + 0.0)
    elif corrupted == "y_none_label":
        y_bad[0] = None
        y = y_bad
    elif corrupted == "y_2d":
        y = np.column_stack([index, index])
    elif corrupted == "y_one_class":
        y = np.full(n_samples, 3)
        model.set_params(class_weight=None)
    elif corrupted == "y_continuous":
        y = index + np.linspace(0.01, 0.5, n_samples)
        model.set_params(class_weight=None)
    elif corrupted == "y_length":
        y = y[:-1]
    elif corrupted.startswith("sample_weight_"):
        weights = np.ones(n_samples) if weights is None else weights.copy()
        if corrupted == "sample_weight_negative":
            weights[0] = -1.0
        elif corrupted == "sample_weight_nan":
            weights[0] = np.nan
        elif corrupted == "sample_weight_inf":
            weights[0] = np.inf
        elif corrupted == "sample_weight_zero":
            weights[:] = 0.0
        elif corrupted == "sample_weight_length":
            weights = weights[:-1]
        elif corrupted == "sample_weight_2d":
            weights = weights[:, np.newaxis]
        else:
            weights = weights.astype(str).astype(object)
            weights[0] = "heavy"
    elif corrupted.startswith("class_weight_"):
        value = {
            "class_weight_negative": -1.0,
            "class_weight_nan": np.nan,
            "class_weight_inf": np.inf,
            "class_weight_string_value": "2",
            "class_weight_bool_value": True,
        }.get(corrupted, 1.0)
        key = "not a class" if corrupted == "class_weight_unknown_key" else classes[0]
        model.set_params(class_weight={key: value})
    elif corrupted == "X_nan":
        X = X.copy()
        X[0, 0] = np.nan
    elif corrupted == "X_huge":
        X = X * 1e300
    elif corrupted == "X_far_from_unit_scale":
        X = X * 1e40
        return model, X, y, weights, index  # may fit: then to its definition
    return model, X, y, weights, None


@pytest.mark.parametrize("corrupted", [None, *FIT_CORRUPTIONS])
def test_fit_gives_its_definition_or_a_clear_error(corrupted):
    @FEW
    @given(case=fit_arguments(corrupted))
    def check(case):
        model, X, y, weights, index = case
        fitted = GammaCrossEntropyClassifier().fit(np.eye(3), [0, 1, 2])
        before = pickle.dumps(fitted)
        expect = VALID if corrupted is None else ERROR
        if corrupted == "X_far_from_unit_scale":
            expect = EITHER  # L-BFGS may or may not get going at 1e40
        result = check_outcome(
            _quiet(lambda: model.fit(X, y, sample_weight=weights)),
            expect,
            f"GammaCrossEntropyClassifier.fit({corrupted or 'valid'})",
            inputs=(X, y) if weights is None else (X, y, weights),
        )
        if result is None:
            # A refused refit leaves the earlier model whole.
            with pytest.raises((ValueError, TypeError)):
                _quiet(
                    lambda: fitted.set_params(**model.get_params()).fit(
                        X, y, sample_weight=weights
                    )
                )()
            fitted.set_params(**GammaCrossEntropyClassifier().get_params())
            assert pickle.dumps(fitted) == before
            return
        _assert_the_definition(result, X, y, weights, index)

    check()


def _assert_the_definition(model, X, y, weights, index):
    classes = np.unique(np.asarray(y, dtype=object) if isinstance(y, list) else y)
    assert model.classes_.tolist() == classes.tolist()
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert len(model.loss_curve_) == model.n_iter_[0]
    if model.n_iter_[0]:
        assert model.loss_curve_[-1] == pytest.approx(model.loss_, rel=1e-12)
    s = np.ones(len(index)) if weights is None else np.asarray(weights, dtype=float)
    class_weight = model.class_weight
    if isinstance(class_weight, dict):
        per_class = np.array([class_weight.get(c, 1.0) for c in model.classes_])
        s = s * per_class[index]
        # The same weights given per sample give the very same model.
        by_sample = GammaCrossEntropyClassifier(
            **{**model.get_params(), "class_weight": None}
        )
        by_sample = _quiet(lambda: by_sample.fit(X, y, sample_weight=s))()
        np.testing.assert_array_equal(by_sample.coef_, model.coef_)
    elif class_weight == "balanced":
        counts = np.bincount(index, weights=None)
        s = s * (len(index) / (len(counts) * counts))[index]
    assert model.loss_ == pytest.approx(reference_loss(model, X, index, s), rel=1e-7)


@pytest.mark.parametrize("exponent", [-1000, -300, 300, 1000])
def test_sample_weights_and_C_trade_powers_of_two_exactly(exponent):
    @FEW
    @given(problem=problems(), gamma=st.sampled_from([0.0, 0.5, 1.0]))
    def check(problem, gamma):
        X, index, y, _ = problem
        weights = np.arange(len(index)) % 3 + 1.0
        reference = _quiet(
            lambda: GammaCrossEntropyClassifier(gamma=gamma, C=0.5).fit(
                X, y, sample_weight=weights
            )
        )()
        # The objective depends on C times the weights only, and the mean form
        # L-BFGS sees is the very same numbers.
        scaled = _quiet(
            lambda: GammaCrossEntropyClassifier(
                gamma=gamma, C=math.ldexp(0.5, -exponent)
            ).fit(X, y, sample_weight=np.ldexp(weights, exponent))
        )()
        np.testing.assert_array_equal(scaled.coef_, reference.coef_)
        np.testing.assert_array_equal(scaled.intercept_, reference.intercept_)
        assert scaled.loss_ == reference.loss_

    check()


# ----------------------------------------------------------- partial_fit streams

STREAM_CALLS = {
    # name: (expectation, what the call passes)
    "chunk": VALID,
    "chunk_same_classes": VALID,
    "chunk_one_class": VALID,
    "chunk_weighted": VALID,
    "chunk_one_row": VALID,
    "unknown_label": ERROR,
    "other_classes": ERROR,
    "classes_nan": ERROR,
    "classes_2d": ERROR,
    "wrong_width": ERROR,
    "X_nan": ERROR,
    "y_mixed": ERROR,
    "sample_weight_negative": ERROR,
    "sample_weight_length": ERROR,
    "X_huge": EITHER,
    "no_rows": ERROR,
}


def _stream_call(name, X, y, classes, rng):
    rows = rng.choice(len(y), size=max(1, len(y) // 3), replace=False)
    X_part, y_part = X[rows], np.asarray(y, dtype=object)[rows]
    if not isinstance(classes[0], str):
        y_part = y_part.astype(type(classes[0]))
    else:
        y_part = y_part.astype(str)
    kwargs = {}
    if name == "chunk_same_classes":
        kwargs["classes"] = list(classes)
    elif name == "chunk_one_class":
        keep = y_part == y_part[0]
        X_part, y_part = X_part[keep], y_part[keep]
    elif name == "chunk_weighted":
        kwargs["sample_weight"] = rng.uniform(0.5, 2.0, len(y_part))
    elif name == "chunk_one_row":
        X_part, y_part = X_part[:1], y_part[:1]
    elif name == "unknown_label":
        y_part = y_part.copy()
        y_part[0] = "intruder" if isinstance(classes[0], str) else 999
    elif name == "other_classes":
        kwargs["classes"] = list(classes[:-1])
    elif name == "classes_nan":
        kwargs["classes"] = [np.nan, *classes[1:]]
    elif name == "classes_2d":
        kwargs["classes"] = [list(classes)]
    elif name == "wrong_width":
        X_part = X_part[:, 1:]
    elif name == "X_nan":
        X_part = X_part.copy()
        X_part[0, 0] = np.nan
    elif name == "y_mixed":
        y_part = y_part.astype(object)
        y_part[0] = 0 if isinstance(classes[0], str) else "zero"
    elif name == "sample_weight_negative":
        kwargs["sample_weight"] = -np.ones(len(y_part))
    elif name == "sample_weight_length":
        kwargs["sample_weight"] = np.ones(len(y_part) + 1)
    elif name == "X_huge":
        X_part = X_part * 1e300
    elif name == "no_rows":
        X_part, y_part = X_part[:0], y_part[:0]
    return X_part, y_part, kwargs


@SETTINGS
@given(
    problem=problems(),
    calls=st.lists(st.sampled_from(sorted(STREAM_CALLS)), max_size=6),
    gamma=st.sampled_from([0.0, 0.5]),
    seed=st.integers(0, 2**16),
)
def test_partial_fit_streams_refuse_without_a_trace(problem, calls, gamma, seed):
    X, _, y, kind = problem
    classes = np.unique(np.asarray(y, dtype=object) if "str" in kind else y)
    classes = [str(c) for c in classes] if "str" in kind else list(classes)
    rng = np.random.default_rng(seed)
    model = GammaCrossEntropyClassifier(gamma=gamma, batch_size=4)
    first = _quiet(lambda: model.partial_fit(X, y, classes=classes))()
    assert first.n_iter_.tolist() == [1]
    accepted = 1
    for name in calls:
        X_part, y_part, kwargs = _stream_call(name, X, y, classes, rng)
        before = pickle.dumps(model)
        result = check_outcome(
            _quiet(lambda a=X_part, b=y_part, k=kwargs: model.partial_fit(a, b, **k)),
            STREAM_CALLS[name],
            f"partial_fit({name}) after {accepted} accepted call(s)",
            inputs=(X_part,),
        )
        if result is None:
            assert pickle.dumps(model) == before, f"partial_fit({name}) left a trace"
            continue
        accepted += 1
        assert model.n_iter_.tolist() == [accepted] == [len(model.loss_curve_)]
        assert model.loss_curve_[-1] == model.loss_
    assert model.classes_.tolist() == classes
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


@SETTINGS
@given(
    problem=problems(),
    batch_size=st.integers(1, 6),
    cuts=st.lists(st.integers(1, 5), min_size=1, max_size=4),
)
def test_a_stream_cut_at_minibatch_edges_takes_one_pass_s_steps(
    problem, batch_size, cuts
):
    X, _, y, kind = problem
    classes = np.unique(np.asarray(y, dtype=object) if "str" in kind else y)
    classes = [str(c) for c in classes] if "str" in kind else list(classes)
    y = np.array([str(label) for label in y]) if "str" in kind else np.asarray(y)
    one_pass = GammaCrossEntropyClassifier(batch_size=batch_size)
    one_pass.partial_fit(X, y, classes=classes)
    stream = GammaCrossEntropyClassifier(batch_size=batch_size)
    edges = np.unique(np.minimum(np.cumsum(cuts) * batch_size, len(y)))
    for start, stop in zip(np.r_[0, edges], np.r_[edges, len(y)]):
        if stop > start:
            stream.partial_fit(X[start:stop], y[start:stop], classes=classes)
    np.testing.assert_allclose(stream.coef_, one_pass.coef_, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------- parameters


def _is_int(value, low):
    return (
        isinstance(value, Integral)
        and not isinstance(value, (bool, np.bool_))
        and value >= low
    )


def _is_real(value, low, high=math.inf, *, low_open=False, high_open=True):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        return False
    if not math.isfinite(value):
        return False
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    return above and below


ORACLE = {
    "gamma": lambda v: _is_real(v, 0, 1, high_open=False),
    "b": lambda v: _is_real(v, 0, 1),
    "C": lambda v: _is_real(v, 0, low_open=True),
    "fit_intercept": lambda v: isinstance(v, (bool, np.bool_)),
    "max_iter": lambda v: _is_int(v, 0),
    "tol": lambda v: _is_real(v, 0),
    "class_weight": lambda v: v is None or v == "balanced" or isinstance(v, dict),
    "warm_start": lambda v: isinstance(v, (bool, np.bool_)),
    "learning_rate": lambda v: _is_real(v, 0, low_open=True),
    "batch_size": lambda v: _is_int(v, 1),
    "verbose": lambda v: isinstance(v, (bool, np.bool_)) or _is_int(v, 0),
}
VALUES = [
    True,
    False,
    np.bool_(False),
    None,
    -1,
    0,
    1,
    3,
    np.int64(3),
    0.5,
    np.float32(0.25),
    -0.5,
    1.0,
    1.5,
    1e-300,
    1e300,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "balanced",
    "not-an-option",
    [1],
    {0: 2.0},
    {},
]


@pytest.mark.parametrize("parameter", sorted(ORACLE))
def test_every_parameter_refuses_what_its_constraint_must_refuse(parameter):
    assert set(ORACLE) == set(GammaCrossEntropyClassifier().get_params())

    @settings(SETTINGS, max_examples=len(VALUES))
    @given(problem=problems(), value=st.sampled_from(VALUES))
    def check(problem, value):
        X, index, _, _ = problem
        accepted = ORACLE[parameter](value)
        if parameter == "class_weight" and isinstance(value, dict) and value:
            accepted = 0 in set(index)  # a key that is a class
        model = GammaCrossEntropyClassifier().set_params(**{parameter: value})
        if parameter == "verbose" and accepted:
            model.set_params(verbose=0)  # accepted; keep the test output quiet
        fitted = check_outcome(
            _quiet(lambda: model.fit(X, index)),
            VALID if accepted else ERROR,
            f"GammaCrossEntropyClassifier({parameter}={value!r}).fit",
            inputs=(X,),
        )
        if fitted is not None:
            check_outcome(
                lambda: fitted.predict_proba(X), VALID, "predict_proba", inputs=(X,)
            )

    check()
