"""Bad and unusual inputs through the linear autoencoders and novel_entries.

Beyond ``test_fuzz_estimators.py`` (every input case at default parameters),
these properties draw the solver (``"gradient"`` stands for
MiniBatchLinearAutoencoder), centring and number of components with the
input, every argument of ``novel_entries``, the codes given to
``inverse_transform``, sequences of ``partial_fit`` batches and every
parameter, and check what the answer must be: the fit of ``X * 2**k`` is the
fit of ``X`` with the spectrum scaled by exactly ``2**k``; exact solvers
reach the Eckart-Young optimum on every valid input; ``novel_entries`` equals
a search over the whole reconstruction; and anything invalid gets a clear
error that leaves inputs and (for ``partial_fit``) the model unchanged.
"""

import math
import pickle
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sparse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklearn_kexue import LinearAutoencoder, MiniBatchLinearAutoencoder
from sklearn_kexue.decomposition import novel_entries
from tests.fuzz._bad_inputs import (
    EITHER,
    ERROR,
    INPUT_CASES,
    VALID,
    check_outcome,
)

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(SETTINGS, max_examples=8)
EXACT = ["full", "covariance_eigh", "arpack", "propack"]
SOLVERS = [*EXACT, "randomized", "block_krylov", "gradient"]


def _quiet(call):
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)
            return call()

    return run


def _model(solver, **params):
    if solver == "gradient":
        params.setdefault("max_iter", 5)
        return MiniBatchLinearAutoencoder(random_state=0, **params)
    if solver == "block_krylov":
        params.update(solver="randomized", randomized_method="block_krylov")
    else:
        params.update(solver=solver)
    return LinearAutoencoder(random_state=0, **params)


def _limit(solver, shape):
    """The largest int n_components ``solver`` accepts for data of ``shape``."""
    if solver == "gradient":
        return shape[1]
    return min(shape) - 1 if solver == "arpack" else min(shape)


def _dense(X):
    if isinstance(X, (sparse.COO, sparse.GCXS)):
        X = X.todense()
    if sp.issparse(X):
        X = X.toarray()
    return np.asarray(X, dtype=np.float64)


@st.composite
def eighths(draw, rows=(6, 20), columns=(3, 6)):
    """Multiples of 1/8 with the largest |x| in [1/2, 1): every power-of-two
    multiple down to 2**-1000 is exact, and internal rescaling maps any of
    them back onto this very matrix."""
    n_rows, n_columns = draw(st.integers(*rows)), draw(st.integers(*columns))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    X = rng.integers(-7, 8, size=(n_rows, n_columns)) / 8
    X[0, 0] = 7 / 8
    if draw(st.booleans()):
        X = np.abs(X)
    return X


# ------------------------------------------------------------- scale equivariance

# log2 of the largest float: squares of singular values must stay below it.
_LOG2_MAX = {np.float64: 1024.0, np.float32: 128.0}
# Outside [2**-200, 2**200] ([2**-40, 2**40] for float32) the data are
# rescaled internally, back onto X itself: the fit must then be exact.
EXPONENTS = {
    np.float64: [-1000, -800, -300, 0, 300, 480, 600, 1000],
    np.float32: [-120, -60, 0, 60, 100],
}


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fit_of_a_power_of_two_multiple_is_the_scaled_fit(solver, dtype):
    @SETTINGS
    @given(
        X=eighths(),
        center=st.booleans(),
        container=st.sampled_from(["dense", "csr", "csc"]),
        exponent=st.sampled_from(EXPONENTS[dtype]),
        data=st.data(),
    )
    def check(X, center, container, exponent, data):
        X = X.astype(dtype)
        k = data.draw(st.integers(1, _limit(solver, X.shape)), label="k")
        convert = {"dense": np.asarray, "csr": sp.csr_array, "csc": sp.csc_matrix}
        convert = convert[container]
        reference = _quiet(
            lambda: _model(solver, n_components=k, center=center).fit(convert(X))
        )()
        scaled = convert(np.ldexp(X, exponent))
        # The variance sigma^2 / (n - 1) must fit the dtype, sigma^2 float64.
        largest = float(np.max(reference.singular_values_, initial=0.0))
        log2_square = 2 * (exponent + math.log2(largest)) if largest else -np.inf
        log2_variance = log2_square - math.log2(max(X.shape[0] - 1, 1))
        margin = min(
            _LOG2_MAX[np.float64] - log2_square, _LOG2_MAX[dtype] - log2_variance
        )
        expect = VALID if margin > 1 else (ERROR if margin < -1 else EITHER)
        model = check_outcome(
            _quiet(lambda: _model(solver, n_components=k, center=center).fit(scaled)),
            expect,
            f"LinearAutoencoder({solver}).fit(X * 2**{exponent})",
            inputs=(scaled,),
        )
        if model is None:
            return
        np.testing.assert_array_equal(model.components_, reference.components_)
        np.testing.assert_array_equal(
            model.singular_values_,
            np.ldexp(reference.singular_values_, exponent).astype(dtype),
        )
        np.testing.assert_array_equal(
            model.explained_variance_ratio_, reference.explained_variance_ratio_
        )
        assert model.reconstruction_error_ == float(
            np.ldexp(reference.reconstruction_error_, exponent)
        )
        if center:
            np.testing.assert_array_equal(
                model.mean_, np.ldexp(reference.mean_, exponent)
            )
        codes = model.transform(scaled)
        assert codes.dtype == dtype and np.all(np.isfinite(codes))
        tolerance = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(
            np.ldexp(codes.astype(np.float64), -exponent),
            reference.transform(convert(X)),
            rtol=tolerance,
            atol=tolerance,
        )

    check()


# ------------------------------------------- the optimum on every drawn input

# Finite data whose squared singular values overflow: a clear refusal is due.
_TOO_LARGE = {"huge", "huge_negative", "csr_huge", "mixed_magnitudes", "float32_huge"}
# Cases the shared machinery calls EITHER but that are plain valid input here.
_VALID_HERE = {
    "tiny",
    "subnormal",
    "all_zeros",
    "constant",
    "one_row",
    "one_column",
    "duplicate_rows",
    "negative_zeros",
}


def _expectation(case, solver, n_components, shape):
    if case.expect == ERROR:
        return ERROR
    if n_components > _limit(solver, shape) or (solver == "arpack" and min(shape) < 2):
        return ERROR  # a legal parameter the shape cannot take: a clear error
    if case.name in _TOO_LARGE:
        return ERROR if case.name != "float32_huge" else EITHER
    if case.name in _VALID_HERE or case.expect == VALID:
        return VALID
    return EITHER


@pytest.mark.parametrize("case", INPUT_CASES, ids=lambda case: case.name)
def test_fit_reaches_the_optimum_or_refuses_clearly(case):
    @FEW
    @given(
        X=eighths(rows=(6, 12), columns=(3, 5)),
        solver=st.sampled_from(SOLVERS),
        center=st.booleans(),
        n_components=st.integers(1, 4),
    )
    def check(X, solver, center, n_components):
        X_case = case.make(X * 8)  # integers: exact in every container
        shape = getattr(X_case, "shape", None)
        shape = shape if shape is not None and len(shape) == 2 else X.shape
        expect = _expectation(case, solver, n_components, shape)
        model = check_outcome(
            _quiet(
                lambda: _model(solver, n_components=n_components, center=center).fit(
                    X_case
                )
            ),
            expect,
            f"LinearAutoencoder({solver}, center={center}, "
            f"n_components={n_components}).fit({case.name})",
            inputs=(X_case,),
        )
        if model is None:
            return
        _assert_a_truncated_svd(model, _dense(X_case), solver, center)

    check()


def _assert_a_truncated_svd(model, X, solver, center):
    k = model.n_components_
    values = model.singular_values_.astype(np.float64)
    assert np.all(values >= 0) and np.all(np.diff(values) <= 1e-6 * values[0] + 1e-300)
    ratio = model.explained_variance_ratio_.astype(np.float64)
    assert np.all((ratio >= 0) & (ratio <= 1 + 1e-6)) and ratio.sum() <= 1 + 1e-5
    components = model.components_.astype(np.float64)
    np.testing.assert_allclose(components @ components.T, np.eye(k), atol=1e-4)
    if solver in ("gradient", "randomized", "block_krylov") or not np.all(
        np.isfinite(X)
    ):
        return
    centred = X - X.mean(axis=0) if center else X
    scale = np.max(np.abs(centred), initial=0.0)
    if scale == 0:  # a zero (centred: constant) matrix: a fixed answer
        np.testing.assert_array_equal(model.components_, np.eye(k, X.shape[1]))
        assert model.n_iter_ == 0 and model.reconstruction_error_ == 0
        return
    # Exact solvers: LAPACK's spectrum and the Eckart-Young error, relative to
    # the largest singular value (at any scale, through an exact rescaling).
    exponent = -math.frexp(scale)[1]
    spectrum = np.linalg.svd(np.ldexp(centred, exponent), compute_uv=False)
    tolerance = (1e-4 if model.singular_values_.dtype == np.float32 else 1e-7) * max(
        spectrum[0], 1e-300
    )
    np.testing.assert_allclose(np.ldexp(values, exponent), spectrum[:k], atol=tolerance)
    optimum = math.sqrt(float(np.sum(spectrum[k:] ** 2)))
    assert abs(math.ldexp(model.reconstruction_error_, exponent) - optimum) <= (
        10 * tolerance
    )


# ------------------------------------------------------- methods of a fitted model


@pytest.mark.parametrize("case", INPUT_CASES, ids=lambda case: case.name)
def test_methods_give_the_dense_formula_or_refuse_clearly(case):
    @FEW
    @given(
        X=eighths(rows=(8, 12), columns=(3, 5)),
        solver=st.sampled_from(["full", "arpack", "randomized"]),
        center=st.booleans(),
        activation=st.sampled_from([None, "relu"]),
    )
    def check(X, solver, center, activation):
        model = _model(solver, n_components=2, center=center, activation=activation)
        model = _quiet(lambda: model.fit(X * 8))()
        X_case = case.make(X * 8)
        if case.name in ("one_column", "no_columns", "one_dimensional"):
            expect = ERROR  # another width than the fit's
        elif case.name in ("huge", "huge_negative", "csr_huge", "mixed_magnitudes"):
            expect = EITHER  # squared errors of 1e300 are out of range
        elif case.expect == ERROR:
            expect = ERROR
        else:
            expect = VALID if case.name != "numeric_strings" else EITHER
        codes = check_outcome(
            _quiet(lambda: model.transform(X_case)),
            expect if expect != EITHER else VALID,
            f"transform({case.name})",
            inputs=(X_case,),
        )
        scores = check_outcome(
            _quiet(lambda: model.score_samples(X_case)),
            expect,
            f"score_samples({case.name})",
            inputs=(X_case,),
        )
        if codes is None:
            return
        dense = _dense(X_case)
        components = model.components_.astype(np.float64)
        mean = 0.0 if model.mean_ is None else model.mean_
        expected = (dense - mean) @ components.T
        scale = max(np.max(np.abs(expected), initial=0.0), 1e-300)
        np.testing.assert_allclose(codes, expected, atol=1e-5 * scale, rtol=1e-5)
        reconstruction = check_outcome(
            _quiet(lambda: model.inverse_transform(codes)),
            VALID,
            f"inverse_transform(transform({case.name}))",
            inputs=(codes,),
        )
        if scores is not None and case.name not in ("tiny", "subnormal"):
            residual = dense - reconstruction.astype(np.float64)
            np.testing.assert_allclose(
                scores,
                -np.sum(residual**2, axis=1),
                rtol=1e-4,
                atol=1e-4 * max(np.max(np.abs(scores), initial=0.0), 1e-300),
            )

    check()


CODE_CASES = {
    "valid": (lambda codes: codes, VALID),
    "float32": (lambda codes: codes.astype(np.float32), VALID),
    "list": (lambda codes: codes.tolist(), VALID),
    "tiny": (lambda codes: np.ldexp(codes, -1000), VALID),
    "huge": (lambda codes: np.ldexp(codes, 1000), EITHER),
    "wrong_width": (lambda codes: np.hstack([codes, codes]), ERROR),
    "one_dimensional": (lambda codes: codes[:, 0], ERROR),
    "nan": (lambda codes: np.where(codes == codes.flat[0], np.nan, codes), ERROR),
    "inf": (lambda codes: np.full_like(codes, np.inf), ERROR),
    "strings": (lambda codes: np.full(codes.shape, "code", dtype=object), ERROR),
    "sparse": (lambda codes: sp.csr_array(codes), ERROR),
    "empty": (lambda codes: codes[:0], ERROR),
}


@pytest.mark.parametrize("name", sorted(CODE_CASES))
def test_inverse_transform_of_drawn_codes(name):
    make, expect = CODE_CASES[name]

    @FEW
    @given(X=eighths(rows=(8, 12)), center=st.booleans())
    def check(X, center):
        model = LinearAutoencoder(2, center=center).fit(X)
        codes = make(model.transform(X))
        result = check_outcome(
            lambda: model.inverse_transform(codes),
            expect,
            f"inverse_transform({name})",
            inputs=(codes,),
        )
        if result is not None and name in ("valid", "list"):
            mean = 0.0 if model.mean_ is None else model.mean_
            np.testing.assert_allclose(
                result, np.asarray(codes) @ model.components_ + mean, rtol=1e-12
            )

    check()


# ----------------------------------------------------------- partial_fit streams

BATCHES = {
    "ordinary": (lambda X: X, VALID),
    "csr": (lambda X: sp.csr_array(X), VALID),
    "float32": (lambda X: X.astype(np.float32), VALID),
    "tiny": (lambda X: np.ldexp(X, -900), VALID),
    "one_row": (lambda X: X[:1], VALID),
    "zeros": (lambda X: np.zeros_like(X), VALID),
    "far_larger": (lambda X: np.ldexp(X, 900), EITHER),
    "wrong_width": (lambda X: X[:, 1:], ERROR),
    "nan": (lambda X: np.where(X == X.flat[0], np.nan, X), ERROR),
    "no_rows": (lambda X: X[:0], ERROR),
    "one_dimensional": (lambda X: X[0], ERROR),
    "strings": (lambda X: np.full(X.shape, "row", dtype=object), ERROR),
}


@SETTINGS
@given(
    X=eighths(rows=(6, 12), columns=(3, 5)),
    first=st.sampled_from(["ordinary", "csr", "float32", "one_row", "zeros"]),
    batches=st.lists(st.sampled_from(sorted(BATCHES)), max_size=5),
    center=st.booleans(),
)
def test_partial_fit_sequences_refuse_without_a_trace(X, first, batches, center):
    # The first batch fixes the width and scale_; later ones are checked
    # against them.
    model = MiniBatchLinearAutoencoder(2, center=center, random_state=0)
    accepted_calls, accepted_rows = 0, 0
    for name in [first, *batches]:
        make, expect = BATCHES[name]
        batch = make(X)
        before = pickle.dumps(model)
        result = check_outcome(
            _quiet(lambda b=batch: model.partial_fit(b)),
            expect,
            f"partial_fit({name}) after {accepted_calls} accepted call(s)",
            inputs=(batch,),
        )
        if result is None:
            assert pickle.dumps(model) == before, f"partial_fit({name}) left a trace"
            continue
        accepted_calls += 1
        accepted_rows += batch.shape[0]
    if accepted_calls:
        assert model.n_iter_ == len(model.loss_curve_) == accepted_calls
        assert model.n_samples_seen_ == accepted_rows
        assert model.reconstruction_error_ is None
        assert np.all(np.isfinite(model.transform(X)))


# ------------------------------------------------------------------ novel_entries


def _brute_force_entries(estimator, X, n_entries, min_value):
    reconstruction = _dense(estimator.inverse_transform(estimator.transform(X)))
    dense = _dense(X)
    cells = [
        (-reconstruction[i, j], i, j)
        for i in range(dense.shape[0])
        for j in range(dense.shape[1])
        if dense[i, j] == 0 and reconstruction[i, j] > min_value
    ]
    cells.sort()  # decreasing value, then row-major
    return cells[:n_entries]


NOVEL_CORRUPTIONS = [
    "n_entries_zero",
    "n_entries_negative",
    "n_entries_bool",
    "n_entries_float",
    "n_entries_string",
    "min_value_nan",
    "min_value_string",
    "min_value_none",
    "labels_short_rows",
    "labels_long_columns",
    "labels_string",
    "labels_triple",
    "labels_nested",
    "labels_dict",
    "X_negative",
    "X_nan",
    "X_inf",
    "X_width",
    "X_one_dimensional",
    "X_no_rows",
    "X_malformed",
    "X_strings",
    "estimator_unfitted",
    "estimator_classifier",
    "estimator_none",
]


@st.composite
def novel_arguments(draw, corrupted):
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    shape = (draw(st.integers(4, 12)), draw(st.integers(3, 6)))
    X = rng.poisson(1.5, size=shape).astype(float)
    X[rng.random(shape) < 0.4] = 0
    X[0, 0] = 3.0
    exponent = draw(st.sampled_from([0, 0, -900, 400]))
    X = np.ldexp(X, exponent)
    kind = draw(st.sampled_from(["relu", "linear", "centred", "scaler"]))
    estimator = {
        "relu": LinearAutoencoder(2, activation="relu"),
        "linear": LinearAutoencoder(2),
        "centred": LinearAutoencoder(1, center=True),
        # Any transformer that reconstructs X (with_mean=False: sparse too).
        "scaler": StandardScaler(with_mean=False),
    }[kind].fit(X)
    container = draw(st.sampled_from(["dense", "csr", "pydata", "frame"]))
    row_labels = [f"r{i}" for i in range(shape[0])]
    column_labels = [f"c{j}" for j in range(shape[1])]
    X_in = {
        "dense": lambda: X,
        "csr": lambda: sp.csr_matrix(X),
        "pydata": lambda: sparse.COO.from_numpy(X),
        "frame": lambda: pd.DataFrame(X, index=row_labels, columns=column_labels),
    }[container]()
    if container == "frame":
        estimator = estimator.fit(X_in)  # fitted with feature names
    labels = draw(
        st.sampled_from([None, (row_labels, column_labels), (None, column_labels)])
    )
    if container == "frame":
        labels = None  # the frame labels itself
    kwargs = {
        "n_entries": draw(st.sampled_from([1, 3, 7, 2**62])),
        "labels": labels,
        "min_value": draw(st.sampled_from([-np.inf, -1.0, 0.0, 0.25, np.inf])),
    }
    if container == "frame":
        labels = (row_labels, column_labels)
    reference = (estimator, X_in, kwargs["n_entries"], kwargs["min_value"], labels)
    if corrupted is None:
        return estimator, X_in, kwargs, reference
    values = {
        "n_entries_zero": ("n_entries", 0),
        "n_entries_negative": ("n_entries", -2),
        "n_entries_bool": ("n_entries", True),
        "n_entries_float": ("n_entries", 3.0),
        "n_entries_string": ("n_entries", "3"),
        "min_value_nan": ("min_value", np.nan),
        "min_value_string": ("min_value", "0"),
        "min_value_none": ("min_value", None),
        "labels_short_rows": ("labels", (row_labels[:-1], None)),
        "labels_long_columns": ("labels", (None, [*column_labels, "extra"])),
        "labels_string": ("labels", "rows and columns"),
        "labels_triple": ("labels", (row_labels, column_labels, None)),
        "labels_nested": ("labels", (None, [column_labels])),
        "labels_dict": ("labels", {"rows": row_labels}),
    }
    if corrupted in values:
        name, value = values[corrupted]
        kwargs[name] = value
        if container == "frame" and name == "labels":
            X_in = X  # so that the frame's own labels do not stand in
    elif corrupted.startswith("X_"):
        X_bad = X.copy()
        if corrupted == "X_negative":
            X_bad[0, 0] = -1.0
        elif corrupted == "X_nan":
            X_bad[0, 0] = np.nan
        elif corrupted == "X_inf":
            X_bad[0, 0] = np.inf
        elif corrupted == "X_width":
            X_bad = X[:, 1:]
        elif corrupted == "X_one_dimensional":
            X_bad = X[0]
        elif corrupted == "X_no_rows":
            X_bad = X[:0]
        elif corrupted == "X_malformed":
            X_bad = sp.csr_matrix(np.ones_like(X))
            X_bad.indices[0] = shape[1] + 1
        elif corrupted == "X_strings":
            X_bad = np.full(shape, "count", dtype=object)
        X_in = X_bad
        if container == "frame":
            estimator = estimator.fit(X)  # forget the feature names
    elif corrupted == "estimator_unfitted":
        estimator = LinearAutoencoder(2)
    elif corrupted == "estimator_classifier":
        estimator = LogisticRegression().fit(X, np.arange(shape[0]) % 2)
    elif corrupted == "estimator_none":
        estimator = None
    return estimator, X_in, kwargs, None


@pytest.mark.parametrize("corrupted", [None, *NOVEL_CORRUPTIONS])
def test_novel_entries_is_the_brute_force_search_or_a_clear_error(corrupted):
    @FEW
    @given(case=novel_arguments(corrupted))
    def check(case):
        estimator, X, kwargs, reference = case
        call = _quiet(lambda: novel_entries(estimator, X, **kwargs))
        if corrupted == "estimator_unfitted":
            from sklearn.exceptions import NotFittedError

            with pytest.raises(NotFittedError):
                call()
            return
        found = check_outcome(
            call,
            VALID if corrupted is None else ERROR,
            f"novel_entries({corrupted or 'valid'})",
            inputs=(X,),
        )
        if found is None:
            return
        model, X_in, n_entries, min_value, labels = reference
        expected = _brute_force_entries(model, X_in, n_entries, min_value)
        np.testing.assert_array_equal(found.row, [i for _, i, _ in expected])
        np.testing.assert_array_equal(found.column, [j for _, _, j in expected])
        np.testing.assert_allclose(
            found.value, [-v for v, _, _ in expected], rtol=1e-12
        )
        if labels is not None and labels[1] is not None:
            assert list(found.column_label) == [labels[1][j] for j in found.column]

    check()


# ---------------------------------------------------------------------- parameters


def _is_int(value, low):
    return (
        isinstance(value, Integral)
        and not isinstance(value, (bool, np.bool_))
        and (value >= low)
    )


def _is_real(value, low, high=math.inf, *, low_open=False, high_open=True):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        return False
    if not math.isfinite(value):
        return False
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    return above and below


# What each parameter accepts (None where it takes None), for both estimators.
SHARED_ORACLE = {
    "center": lambda v: isinstance(v, (bool, np.bool_)),
    "activation": lambda v: v is None or v == "relu",
    "tol": lambda v: v is None or _is_real(v, 0),
    "max_iter": lambda v: v is None or _is_int(v, 1),
    "random_state": lambda v: (
        v is None
        or isinstance(v, np.random.RandomState)
        or (_is_int(v, 0) and v <= 2**32 - 1)
    ),
    "verbose": lambda v: isinstance(v, (bool, np.bool_)) or _is_int(v, 0),
}
ORACLES = {
    LinearAutoencoder: {
        **SHARED_ORACLE,
        "n_components": lambda v: (
            v is None
            or _is_int(v, 1)
            or (_is_real(v, 0, 1, low_open=True) and not isinstance(v, Integral))
        ),
        # "gradient" is MiniBatchLinearAutoencoder now: refused.
        "solver": lambda v: (
            v in ("auto", "full", "covariance_eigh", "arpack", "propack", "randomized")
        ),
        "min_singular_value": lambda v: v is None or _is_real(v, 0),
        "iterated_power": lambda v: v == "auto" or _is_int(v, 0),
        "n_oversamples": lambda v: _is_int(v, 0),
        "randomized_method": lambda v: v in ("subspace", "block_krylov"),
    },
    MiniBatchLinearAutoencoder: {
        **SHARED_ORACLE,
        "n_components": lambda v: _is_int(v, 1),
        "alpha": lambda v: _is_real(v, 0, 1, low_open=True),
        "learning_rate": lambda v: _is_real(v, 0, low_open=True),
        "batch_size": lambda v: _is_int(v, 1),
    },
}
# Parameters whose every accepted value must give a fit on ordinary data.
ALWAYS_FEASIBLE = {"center", "activation", "randomized_method", "tol", "random_state"}
VALUES = [
    True,
    False,
    np.bool_(True),
    None,
    -1,
    0,
    1,
    2,
    2**40,
    np.int32(3),
    0.5,
    np.float32(0.5),
    -0.5,
    1.0,
    1.5,
    1e-300,
    1e300,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "auto",
    "relu",
    "block_krylov",
    "not-an-option",
    [1],
    np.random.RandomState(0),
]


@pytest.mark.parametrize(
    "cls, parameter",
    [(cls, name) for cls, oracle in ORACLES.items() for name in sorted(oracle)],
    ids=lambda v: v.__name__ if isinstance(v, type) else v,
)
def test_every_parameter_refuses_what_its_constraint_must_refuse(cls, parameter):
    assert set(ORACLES[cls]) == set(cls().get_params())
    # A short training budget, unless max_iter itself is drawn.
    defaults = {"max_iter": 3} if cls is MiniBatchLinearAutoencoder else {}

    @settings(SETTINGS, max_examples=len(VALUES))
    @given(X=eighths(rows=(12, 16), columns=(4, 5)), value=st.sampled_from(VALUES))
    def check(X, value):
        if value == 2**40 and parameter in ("max_iter", "n_oversamples"):
            return  # legitimate, but asks for more time or memory than exists
        accepted = ORACLES[cls][parameter](value)
        expect = ERROR
        if accepted:
            expect = VALID if parameter in ALWAYS_FEASIBLE else EITHER
        model = cls(random_state=0, **defaults).set_params(**{parameter: value})
        check_outcome(
            _quiet(lambda: model.fit(X)),
            expect,
            f"{cls.__name__}({parameter}={value!r}).fit",
            inputs=(X,),
        )

    check()
