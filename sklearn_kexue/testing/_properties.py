"""Property checks as a test generator: invariants run over joint hypothesis draws.

The counterpart of scikit-learn's ``parametrize_with_checks``: where a check
of ``check_estimator`` runs one fixed example, a property check here runs a
hypothesis test over estimators and data drawn by
:func:`~sklearn_kexue.testing.estimators_with_data`, and a failure reports
the shrunk minimal example.
"""

import functools
import math
import warnings
from numbers import Integral

import numpy as np
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from sklearn.base import clone

from sklearn_kexue.testing._invariants import (
    _assert_even_hamming_distances,
    _assert_fixed_weight_codes,
    _assert_input_unchanged,
    _assert_outputs_equal,
    _assert_pickle_roundtrip,
    _assert_reproducible,
    _assert_row_independent,
    _assert_same_output_across_formats,
    _output,
    classifiers_compared_by_probabilities,
    outputs_compared_within,
)
from sklearn_kexue.testing._joint import (
    accepted_formats,
    data_constraints_of,
    estimators_with_data,
)
from sklearn_kexue.testing._strategies import _dense_values
from sklearn_kexue.utils._data_constraints import Given, InputData
from sklearn_kexue.utils._param_validation import Interval, validate_params

__all__ = ["check_properties", "parametrize_with_properties", "property_checks"]


# Float outputs may differ by rounding between batch sizes or containers (BLAS
# picks other kernels, a sparse product sums in another order), and a fit
# that ends in a decomposition amplifies that by its conditioning: outputs
# that agree to half their digits (sqrt(eps) relative to the output's largest
# magnitude) differ by rounding, not by a broken invariant.
def _rtol(output):
    values = _dense_values(output)
    if values.dtype.kind not in "fc":
        return 0.0
    return math.sqrt(float(np.finfo(values.dtype).eps))


def _fitted(case):
    estimator, X, y = case
    return clone(estimator).fit(X, y)


def _is_numeric(X):
    return not isinstance(X, list)


def _seeded(estimator):
    """A clone whose unset ``random_state`` parameters (nested ones too) are 0,
    and which starts every fit afresh (``warm_start=False``: a warm start
    continues the last fit, so fitting twice is not meant to repeat it)."""
    params = estimator.get_params(deep=True)
    unset = {
        name: 0
        for name, value in params.items()
        if (name == "random_state" or name.endswith("__random_state")) and value is None
    }
    cold = {
        name: False
        for name, value in params.items()
        if (name == "warm_start" or name.endswith("__warm_start")) and value is True
    }
    return clone(estimator).set_params(**unset, **cold)


def _reproducible(estimator):
    """Whether the estimator's tags promise the same output on every fit
    (scikit-learn's ``non_deterministic`` tag; threads that race, say)."""
    return not estimator.__sklearn_tags__().non_deterministic


# ---------------------------------------------------------------- the checks


def check_fit_output_shape_and_dtype(case):
    """``fit`` returns self; the output has a row per sample and a kept dtype."""
    estimator, X, y = case
    fitted = clone(estimator)
    if fitted.fit(X, y) is not fitted:
        raise AssertionError("fit does not return self.")
    output = _output(fitted, X)
    n_samples = len(X) if isinstance(X, list) else X.shape[0]
    if output.shape[0] != n_samples:
        raise AssertionError(
            f"The output has {output.shape[0]} rows for {n_samples} samples."
        )
    if hasattr(fitted, "transform"):
        if len(output.shape) != 2:
            raise AssertionError(f"transform gives shape {output.shape}, not 2-D.")
        names = getattr(fitted, "get_feature_names_out", None)
        if names is not None and len(names()) != output.shape[1]:
            raise AssertionError(
                f"get_feature_names_out names {len(names())} columns of "
                f"{output.shape[1]}."
            )
        kept = fitted.__sklearn_tags__().transformer_tags.preserves_dtype
        if _is_numeric(X) and X.dtype.name in kept and output.dtype != X.dtype:
            raise AssertionError(
                f"transform turns {X.dtype} input into {output.dtype} output, "
                f"but the estimator's tags say it preserves {kept}."
            )
    elif hasattr(fitted, "classes_"):
        unknown = np.setdiff1d(np.asarray(fitted.predict(X)), fitted.classes_)
        if unknown.size:
            raise AssertionError(f"predict returns labels {unknown} not in classes_.")


def check_row_independence(case):
    """Each output row depends on its own input row only."""
    fitted = _fitted(case)
    with outputs_compared_within(_rtol(_output(fitted, case.X))):
        _assert_row_independent(fitted, case.X, 0)


def check_deterministic(case):
    """A fixed ``random_state`` gives the same output on every fit."""
    if _reproducible(case.estimator):
        _assert_reproducible(_seeded(case.estimator), case.X, case.y)


def check_format_invariance(case):
    """Dense and every sparse container of the same values give the same output."""
    estimator, X, y = case
    spec = data_constraints_of(type(estimator))["X"]
    if isinstance(spec, Given):
        spec = InputData()  # a numeric X whose kind depends on the parameters
    formats = accepted_formats(spec)
    if not _is_numeric(X) or formats == ["dense"]:
        return
    if not _reproducible(estimator):
        return
    estimator = _seeded(estimator)
    X = _dense_values(X)
    with outputs_compared_within(_rtol(_output(clone(estimator).fit(X, y), X))):
        _assert_same_output_across_formats(estimator, X, y, formats)


def check_pickle_roundtrip(case):
    """A fitted estimator gives bit-identical output after pickling."""
    _assert_pickle_roundtrip(case.estimator, case.X, case.y)


def check_input_unchanged(case):
    """``fit``, ``transform`` and ``fit_transform`` never modify the input."""
    _assert_input_unchanged(case.estimator, case.X, case.y)


def check_fit_transform_consistent(case):
    """``fit_transform(X)`` equals ``fit(X).transform(X)``."""
    estimator, X, y = case
    if not hasattr(estimator, "fit_transform") or not hasattr(estimator, "transform"):
        return
    if not _reproducible(estimator):
        return
    estimator = _seeded(estimator)
    expected = clone(estimator).fit(X, y).transform(X)
    actual = clone(estimator).fit_transform(X, y)
    with outputs_compared_within(_rtol(expected)):
        _assert_outputs_equal(expected, actual, "fit_transform against fit().transform")


def check_fixed_weight_codes(case):
    """Winner-take-all codes have exactly ``hash_length_`` non-zeros per row,
    and binary codes of equal weight are an even Hamming distance apart."""
    estimator, X, y = case
    # Sparse codes store every winner, even one whose kept value is 0.
    fitted = clone(estimator).set_params(sparse_output=True).fit(X, y)
    codes = fitted.transform(X)
    binary = getattr(fitted, "binary", True)
    _assert_fixed_weight_codes(codes, fitted.hash_length_, binary)
    if binary:
        _assert_even_hamming_distances(codes)


def check_eckart_young_optimum(case):
    """An exact solver's reconstruction error is the sum of the trailing
    squared singular values of the (centred) data: the best rank-k error."""
    fitted = _fitted(case)
    if fitted.solver_ not in ("full", "covariance_eigh") or fitted.activation:
        return
    X = _dense_values(case.X).astype(np.float64)
    reconstruction = _dense_values(fitted.inverse_transform(fitted.transform(case.X)))
    if fitted.center:
        X = X - X.mean(axis=0)
        reconstruction = reconstruction - fitted.mean_
    singular_values = np.linalg.svd(X, compute_uv=False)
    optimum = float(np.sum(singular_values[fitted.n_components_ :] ** 2))
    error = float(np.sum((X - reconstruction) ** 2))
    energy = float(np.sum(singular_values**2))
    # covariance_eigh squares the data: its error is exact to eps * energy.
    eps = float(np.finfo(fitted.components_.dtype).eps)
    if not math.isclose(error, optimum, rel_tol=1e-4, abs_tol=1e3 * eps * energy):
        raise AssertionError(
            f"Reconstruction error {error!r} differs from the Eckart-Young optimum "
            f"{optimum!r} (sum of the trailing squared singular values)."
        )


def check_gamma_zero_is_logistic_regression(case):
    """At γ = 0 the γ-cross-entropy is the cross-entropy: the fit is
    scikit-learn's ``LogisticRegression`` with the same ``C``."""
    from sklearn.linear_model import LogisticRegression

    estimator, X, y = case
    X = _dense_values(X).astype(np.float64)
    X = X / (np.abs(X).max() or 1.0)  # well scaled, so both solvers converge
    exact = {"gamma": 0.0, "tol": 1e-10, "max_iter": 10000, "class_weight": None}
    ours = clone(estimator).set_params(**exact).fit(X, y)
    theirs = LogisticRegression(
        C=estimator.C, fit_intercept=estimator.fit_intercept, tol=1e-10, max_iter=10000
    ).fit(X, y)
    difference = np.abs(ours.predict_proba(X) - theirs.predict_proba(X)).max()
    if difference > 1e-5:
        raise AssertionError(
            f"At gamma=0 the probabilities differ from LogisticRegression's by "
            f"{difference:.3g}."
        )


def check_hamming_neighbors_are_exact(case):
    """The neighbours are the ``n_neighbors`` smallest (Hamming distance, row)
    pairs of a brute-force count of differing bits, on every search path."""
    estimator, X, y = case
    if estimator.packed_input:
        return
    threshold = 0.0 if estimator.binarize is None else estimator.binarize
    bits = _dense_values(X) > threshold
    n_neighbors = min(estimator.n_neighbors, bits.shape[0])
    counts = (bits[:, None, :] != bits[None, :, :]).sum(axis=2)
    rows = np.broadcast_to(np.arange(bits.shape[0]), counts.shape)
    order = np.lexsort((rows, counts), axis=1)[:, :n_neighbors]
    expected = np.take_along_axis(counts, order, axis=1)
    for algorithm in ("packed", "inverted_index"):
        fitted = clone(estimator).set_params(algorithm=algorithm).fit(X, y)
        distances, indices = fitted.kneighbors(X, n_neighbors)
        if not (np.array_equal(indices, order) and np.array_equal(distances, expected)):
            raise AssertionError(
                f"algorithm={algorithm!r}: kneighbors differs from the brute-force "
                f"Hamming neighbours (ties to the lower row)."
            )


def check_all_candidates_give_exact_neighbors(case):
    """With every row a candidate, the re-ranked neighbours are the exact ones:
    the ``n_neighbors`` smallest (distance under ``metric``, row) pairs."""
    estimator, X, y = case
    n_samples = X.shape[0]
    fitted = clone(estimator).set_params(n_candidates=n_samples).fit(X, y)
    n_neighbors = min(estimator.n_neighbors, n_samples)
    distances, indices = fitted.kneighbors(X, n_neighbors)
    values = _dense_values(X).astype(np.float64)
    size = float(np.abs(values).max()) or 1.0
    values = values / size  # no overflow in the squares below
    dots = values @ values.T
    if estimator.metric == "inner_product":
        exact = -dots * size * size
    elif estimator.metric == "cosine":
        norms = np.sqrt(np.diag(dots))
        scale = np.outer(norms, norms)
        with np.errstate(divide="ignore", invalid="ignore"):
            exact = np.where(scale > 0, 1 - dots / scale, 1.0)
    else:
        differences = values[:, None, :] - values[None, :, :]
        exact = np.sqrt((differences**2).sum(axis=2)) * size
    found = np.take_along_axis(exact, indices, axis=1)
    best = np.sort(exact, axis=1)[:, :n_neighbors]
    scale = max(1.0, float(np.abs(exact).max()))
    # Rounding differs between summation orders: sqrt(eps) of the largest value.
    tolerance = math.sqrt(np.finfo(np.float64).eps) * scale
    if not np.allclose(found, best, rtol=0, atol=tolerance):
        raise AssertionError(
            "With n_candidates covering every row, the neighbours are not the "
            f"exact nearest under metric={estimator.metric!r}."
        )
    if not np.allclose(distances, found, rtol=0, atol=tolerance):
        raise AssertionError("kneighbors reports distances other than the exact ones.")


_GENERAL_CHECKS = (
    check_fit_output_shape_and_dtype,
    check_row_independence,
    check_deterministic,
    check_format_invariance,
    check_pickle_roundtrip,
    check_input_unchanged,
    check_fit_transform_consistent,
)


def _family_checks(estimator_class):
    """The checks of the invariants a family of this package promises."""
    from sklearn_kexue.decomposition import LinearAutoencoder
    from sklearn_kexue.hashing._base import BaseWinnerTakeAllHasher
    from sklearn_kexue.linear_model import GammaCrossEntropyClassifier
    from sklearn_kexue.neighbors import HammingNeighbors, HashingNeighborsTransformer

    families = (
        (HammingNeighbors, check_hamming_neighbors_are_exact),
        (HashingNeighborsTransformer, check_all_candidates_give_exact_neighbors),
        (BaseWinnerTakeAllHasher, check_fixed_weight_codes),
        (LinearAutoencoder, check_eckart_young_optimum),
        (GammaCrossEntropyClassifier, check_gamma_zero_is_logistic_regression),
    )
    return tuple(check for base, check in families if issubclass(estimator_class, base))


# ----------------------------------------------------------- the generator


def _by_probabilities(check):
    """``check`` comparing classifiers' probabilities rather than labels."""

    @functools.wraps(check)
    def compared_by_probabilities(case):
        with classifiers_compared_by_probabilities():
            check(case)

    return compared_by_probabilities


def _as_property_test(check, strategy, settings):
    """A zero-argument hypothesis test that runs ``check`` on drawn cases."""

    check = _by_probabilities(check)

    def run(case):
        with warnings.catch_warnings():
            # Convergence and clipping warnings are about quality, not invariants.
            warnings.simplefilter("ignore")
            check(case)

    run.__name__ = run.__qualname__ = check.__name__
    run.__doc__ = check.__doc__
    return settings(given(case=strategy)(run))


def _settings(max_examples):
    base = {
        "deadline": None,
        # One failure, the minimal one, rather than a group of distinct ones.
        "report_multiple_bugs": False,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
    }
    if max_examples is not None:
        base["max_examples"] = max_examples
    return hypothesis_settings(**base)


_GENERATOR_PARAMS = {
    "estimator_class": [type],
    "max_examples": [Interval(Integral, 1, None, closed="left"), None],
    "strategy_kwargs": [dict, None],
}


@validate_params(_GENERATOR_PARAMS, prefer_skip_nested_validation=True)
def property_checks(estimator_class, *, max_examples=None, strategy_kwargs=None):
    """Yield the property tests that apply to an estimator class.

    Parameters
    ----------
    estimator_class : type
        An estimator class with ``_parameter_constraints`` (and, for draws
        that fit, ``_data_constraints``; see :func:`estimators_with_data`).
    max_examples : int, default=None
        Draws per check; None takes hypothesis' current profile.
    strategy_kwargs : dict, default=None
        Passed to :func:`estimators_with_data` (sizes, formats,
        ``data_constraints``, parameter overrides).

    Yields
    ------
    name : str
        The check's name, e.g. ``"check_row_independence"``.
    test : callable
        Runs the check as a hypothesis test, with no arguments; raises the
        check's ``AssertionError`` on the shrunk minimal example, which
        hypothesis reports ("Falsifying example: ...", in the exception's
        notes).

    Examples
    --------
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import property_checks
    >>> checks = dict(property_checks(SignRandomProjection, max_examples=5))
    >>> sorted(checks)[:2]
    ['check_deterministic', 'check_fit_output_shape_and_dtype']
    >>> checks["check_row_independence"]()
    """
    strategy = estimators_with_data(estimator_class, **(strategy_kwargs or {}))
    settings = _settings(max_examples)
    for check in (*_GENERAL_CHECKS, *_family_checks(estimator_class)):
        yield check.__name__, _as_property_test(check, strategy, settings)


@validate_params(
    {
        "estimators": ["array-like"],
        "max_examples": [Interval(Integral, 1, None, closed="left"), None],
        "strategy_kwargs": [dict, None],
    },
    prefer_skip_nested_validation=True,
)
def parametrize_with_properties(estimators, *, max_examples=None, strategy_kwargs=None):
    """Pytest parametrisation over the property checks of estimator classes.

    The counterpart of scikit-learn's ``parametrize_with_checks``, for
    classes rather than instances: each test draws estimators and data with
    :func:`estimators_with_data` and checks one invariant.

    Parameters
    ----------
    estimators : list of type
        Estimator classes.
    max_examples : int, default=None
        Draws per check; None takes hypothesis' current profile.
    strategy_kwargs : dict, default=None
        Passed to :func:`estimators_with_data`: one dict of keyword arguments
        for every class, or a dict mapping estimator classes to such dicts
        (a class it does not name gets none), to bound a slow parameter of
        one class, say.

    Returns
    -------
    decorator : pytest.mark.parametrize
        Parametrises a test function with arguments ``estimator_class`` and
        ``check`` (a zero-argument callable to call); the test ids read
        ``ClassName-check_name``.

    Examples
    --------
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import parametrize_with_properties
    >>> @parametrize_with_properties([SignRandomProjection], max_examples=5)
    ... def test_properties(estimator_class, check):
    ...     check()
    """
    import pytest

    per_class = bool(strategy_kwargs) and all(
        isinstance(key, type) for key in strategy_kwargs
    )
    params, ids = [], []
    for estimator_class in estimators:
        kwargs = strategy_kwargs.get(estimator_class) if per_class else strategy_kwargs
        for name, test in property_checks(
            estimator_class, max_examples=max_examples, strategy_kwargs=kwargs
        ):
            params.append((estimator_class, test))
            ids.append(f"{estimator_class.__name__}-{name}")
    return pytest.mark.parametrize(("estimator_class", "check"), params, ids=ids)


@validate_params(_GENERATOR_PARAMS, prefer_skip_nested_validation=True)
def check_properties(estimator_class, *, max_examples=None, strategy_kwargs=None):
    """Run every property check of an estimator class; raise the first failure.

    Parameters
    ----------
    estimator_class : type
        An estimator class with ``_parameter_constraints``.
    max_examples : int, default=None
        Draws per check; None takes hypothesis' current profile.
    strategy_kwargs : dict, default=None
        Passed to :func:`estimators_with_data`.

    Raises
    ------
    AssertionError
        From the first check that fails, on its shrunk minimal example.

    Examples
    --------
    >>> from sklearn_kexue import SignRandomProjection
    >>> from sklearn_kexue.testing import check_properties
    >>> check_properties(SignRandomProjection, max_examples=3)
    """
    for _, test in property_checks(
        estimator_class, max_examples=max_examples, strategy_kwargs=strategy_kwargs
    ):
        test()
