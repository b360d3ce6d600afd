"""LinearAutoencoder: Eckart-Young optimum, agreement with scikit-learn, extremes.

The gradient-trained MiniBatchLinearAutoencoder has its own file; the tests of
extreme and degenerate data here run both estimators.
"""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_kexue import LinearAutoencoder, MiniBatchLinearAutoencoder
from sklearn_kexue.testing import (
    FORMATS,
    as_format,
    assert_input_unchanged,
    assert_pickle_roundtrip,
    matrices,
)
from sklearn_kexue.utils import check_pydata_sparse

EXACT_SOLVERS = ["full", "covariance_eigh", "arpack", "propack"]


def _dense(X):
    X = check_pydata_sparse(X)
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _matrix_with_spectrum(singular_values, n_samples, n_features, seed):
    """A matrix with the given singular values and random singular vectors."""
    rng = np.random.default_rng(seed)
    rank = len(singular_values)
    left = np.linalg.qr(rng.standard_normal((n_samples, rank)))[0]
    right = np.linalg.qr(rng.standard_normal((n_features, rank)))[0]
    return (left * singular_values) @ right.T


def _optimal_error(X, n_components, center):
    X = _dense(X).astype(np.float64)
    if center:
        X = X - X.mean(axis=0)
    singular_values = np.linalg.svd(X, compute_uv=False)
    return np.sqrt(np.sum(singular_values[n_components:] ** 2)), np.linalg.norm(X)


def _align_signs(reference, other):
    """Flip the columns of ``other`` to match ``reference``'s signs."""
    signs = np.sign(np.sum(reference * other, axis=0))
    signs[signs == 0] = 1
    return other * signs


@given(
    X=matrices(
        n_samples=(3, 25),
        n_features=(3, 12),
        dtypes=(np.float64,),
        zero_fraction=0.3,
    ),
    solver=st.sampled_from(EXACT_SOLVERS),
    center=st.booleans(),
    data=st.data(),
)
def test_exact_solvers_reach_the_eckart_young_optimum(X, solver, center, data):
    n_components = data.draw(st.integers(1, min(X.shape) - 1), label="k")
    optimum, norm = _optimal_error(X, n_components, center)
    # A tail far below the norm is lost to rounding in any float64 computation.
    assume(optimum > 1e-3 * norm)
    model = LinearAutoencoder(
        n_components, solver=solver, center=center, random_state=0
    ).fit(X)
    reconstruction = model.inverse_transform(model.transform(X))
    dense = _dense(X)
    error = np.linalg.norm(dense - reconstruction)
    assert error == pytest.approx(optimum, rel=1e-10)
    assert model.reconstruction_error_ == pytest.approx(optimum, rel=1e-8)
    assert model.n_components_ == n_components


@given(
    seed=st.integers(0, 2**16),
    shape=st.sampled_from([(40, 12), (12, 40), (30, 30)]),
    n_components=st.integers(1, 6),
    format=st.sampled_from(["dense", "csr_array", "pydata_coo"]),
    solver=st.sampled_from(EXACT_SOLVERS),
)
def test_transform_equals_truncated_svd_and_pca_up_to_sign(
    seed, shape, n_components, format, solver
):
    # Well separated singular values make every component unique up to sign.
    spectrum = 2.0 ** -np.arange(min(shape), dtype=float) * 10
    X_dense = _matrix_with_spectrum(spectrum, *shape, seed) + 1.0
    X = as_format(X_dense, format)
    for center, peer in [
        (False, TruncatedSVD(n_components, algorithm="arpack", random_state=0)),
        (True, PCA(n_components, svd_solver="full")),
    ]:
        ours = LinearAutoencoder(
            n_components, solver=solver, center=center, random_state=0
        ).fit(X)
        codes = ours.transform(X)
        expected = peer.fit(X_dense).transform(X_dense)
        # ARPACK inside TruncatedSVD works on the Gram matrix: about 1e-7 accurate.
        np.testing.assert_allclose(_align_signs(expected, codes), expected, atol=1e-6)
        # Against LAPACK, the exact solvers agree to rounding.
        centred = X_dense - X_dense.mean(axis=0) if center else X_dense
        left, singular_values, _ = np.linalg.svd(centred, full_matrices=False)
        exact = left[:, :n_components] * singular_values[:n_components]
        np.testing.assert_allclose(_align_signs(exact, codes), exact, atol=1e-9)
        if center:
            np.testing.assert_allclose(
                ours.explained_variance_, peer.explained_variance_, rtol=1e-8
            )
            np.testing.assert_allclose(
                ours.explained_variance_ratio_,
                peer.explained_variance_ratio_,
                rtol=1e-8,
            )


def test_signs_follow_scikit_learn_convention():
    X = _matrix_with_spectrum([5.0, 3.0, 1.0], 30, 8, seed=1)
    for solver in [*EXACT_SOLVERS, "randomized"]:
        model = LinearAutoencoder(2, solver=solver, random_state=0).fit(X)
        reference = TruncatedSVD(2, algorithm="arpack", random_state=0).fit(X)
        np.testing.assert_allclose(model.components_, reference.components_, atol=1e-8)
        largest = np.abs(model.components_).argmax(axis=1)
        assert np.all(model.components_[[0, 1], largest] > 0)


@settings(max_examples=20)
@given(
    seed=st.integers(0, 2**16),
    decay=st.floats(0.3, 0.8),
    iterated_power=st.integers(2, 6),
    transposed=st.booleans(),
    method=st.sampled_from(["subspace", "block_krylov"]),
)
def test_randomized_agrees_with_exact_on_decaying_spectra(
    seed, decay, iterated_power, transposed, method
):
    shape = (60, 300) if transposed else (300, 60)
    X = _matrix_with_spectrum(decay ** np.arange(60), *shape, seed)
    exact = LinearAutoencoder(8, solver="full").fit(X)
    randomized = LinearAutoencoder(
        8,
        solver="randomized",
        iterated_power=iterated_power,
        randomized_method=method,
        random_state=seed,
    ).fit(X)
    np.testing.assert_allclose(
        randomized.singular_values_, exact.singular_values_, rtol=1e-6
    )
    cosines = np.abs(np.sum(randomized.components_ * exact.components_, axis=1))
    np.testing.assert_allclose(cosines, 1.0, atol=1e-6)
    assert randomized.n_iter_ == iterated_power


@pytest.mark.parametrize("transposed", [False, True])
def test_block_krylov_captures_more_energy_on_a_flat_spectrum(transposed):
    X = sp.random_array((3000, 600), density=0.01, rng=np.random.default_rng(0))
    X = sp.csr_array(X.T) if transposed else X
    optimum = np.sum(np.linalg.svd(X.toarray(), compute_uv=False)[:20] ** 2)

    def captured(method):
        model = LinearAutoencoder(
            20,
            solver="randomized",
            iterated_power=4,
            randomized_method=method,
            random_state=0,
        ).fit(X)
        energy = np.sum((X @ model.components_.T) ** 2)
        if method == "block_krylov" and not transposed:  # sigma_i = ||X v_i||
            np.testing.assert_allclose(
                model.singular_values_,
                np.linalg.norm(X @ model.components_.T, axis=0),
            )
        return energy / optimum

    subspace, krylov = captured("subspace"), captured("block_krylov")
    assert krylov > subspace + 0.02
    assert krylov > 0.97


def test_randomized_cholesky_fallback_on_rank_deficient_input():
    # Rank 3 with k + oversampling = 13 columns: the Gram matrix of the tall
    # block is singular and the solver must fall back to Householder QR.
    X = _matrix_with_spectrum([4.0, 2.0, 1.0], 200, 50, seed=3)
    model = LinearAutoencoder(3, solver="randomized", random_state=0).fit(X)
    np.testing.assert_allclose(model.singular_values_, [4.0, 2.0, 1.0], rtol=1e-10)
    assert model.reconstruction_error_ < 1e-10


@pytest.mark.parametrize("solver", ["full", "arpack", "randomized", "covariance_eigh"])
@pytest.mark.parametrize("center", [False, True])
def test_energy_fraction_rule(solver, center):
    X = _matrix_with_spectrum(0.8 ** np.arange(40), 400, 40, seed=2)
    fraction = 0.9
    model = LinearAutoencoder(
        fraction, solver=solver, center=center, random_state=0
    ).fit(sp.csr_array(X) if solver == "arpack" else X)
    centred = X - X.mean(axis=0) if center else X
    energy = np.linalg.svd(centred, compute_uv=False) ** 2
    expected = int(np.searchsorted(np.cumsum(energy) / energy.sum(), fraction)) + 1
    assert model.n_components_ == expected
    assert model.explained_variance_ratio_.sum() >= fraction
    assert model.explained_variance_ratio_[:-1].sum() < fraction
    np.testing.assert_allclose(
        model.singular_values_, np.sqrt(energy[:expected]), rtol=1e-8
    )


@pytest.mark.parametrize("solver", ["full", "arpack", "propack", "randomized"])
def test_min_singular_value_rule(solver):
    X = _matrix_with_spectrum(0.7 ** np.arange(30) * 10, 300, 30, seed=4)
    model = LinearAutoencoder(
        None if solver == "full" else 25,
        solver=solver,
        min_singular_value=1.0,
        random_state=0,
    ).fit(X)
    assert model.n_components_ == int(np.sum(0.7 ** np.arange(30) * 10 > 1.0))
    assert model.singular_values_.min() > 1.0


def test_n_components_none_keeps_all_and_error_is_zero():
    X = np.random.default_rng(0).random((10, 6))
    model = LinearAutoencoder(None, solver="full").fit(X)
    assert model.n_components_ == 6
    assert model.reconstruction_error_ < 1e-12
    np.testing.assert_allclose(model.explained_variance_ratio_.sum(), 1.0)


@pytest.mark.parametrize(
    "params, shape, message",
    [
        ({"n_components": 7}, (10, 6), "must be <= min"),
        ({"n_components": 6, "solver": "arpack"}, (10, 6), "must be < min"),
        ({"n_components": 1, "solver": "arpack"}, (1, 6), "n_samples=1"),
    ],
)
def test_bad_settings_raise_clear_errors(params, shape, message):
    X = np.random.default_rng(0).random(shape)
    with pytest.raises(ValueError, match=message):
        LinearAutoencoder(**params).fit(X)


def test_inverse_transform_checks_width_and_applies_relu():
    X = np.abs(_matrix_with_spectrum([5.0, 2.0, 1.0, 0.5], 50, 10, seed=5))
    linear = LinearAutoencoder(2).fit(X)
    relu = LinearAutoencoder(2, activation="relu").fit(X)
    codes = linear.transform(X)
    plain = linear.inverse_transform(codes)
    assert plain.min() < 0  # a rank-2 fit of this matrix undershoots somewhere
    np.testing.assert_array_equal(relu.inverse_transform(codes), np.maximum(plain, 0))
    with pytest.raises(ValueError, match="n_components_=2"):
        linear.inverse_transform(np.ones((3, 5)))


def test_score_is_negative_mean_squared_reconstruction_error():
    X = _matrix_with_spectrum([5.0, 2.0, 1.0, 0.5], 60, 10, seed=6)
    model = LinearAutoencoder(2).fit(X)
    residual = X - model.inverse_transform(model.transform(X))
    np.testing.assert_allclose(model.score_samples(X), -np.sum(residual**2, axis=1))
    assert model.score(X) == pytest.approx(-np.mean(np.sum(residual**2, axis=1)))
    # The score is usable for model selection: more components fit better.
    search = GridSearchCV(LinearAutoencoder(), {"n_components": [1, 2, 3]}, cv=3)
    assert search.fit(X).best_params_ == {"n_components": 3}


@pytest.mark.parametrize("solver", ["full", "covariance_eigh", "arpack", "randomized"])
def test_float32_is_preserved(solver):
    X = _matrix_with_spectrum([5.0, 2.0, 1.0], 100, 8, seed=7).astype(np.float32)
    model = LinearAutoencoder(2, solver=solver, random_state=0).fit(X)
    assert model.components_.dtype == np.float32
    assert model.transform(X).dtype == np.float32
    assert model.inverse_transform(model.transform(X)).dtype == np.float32
    np.testing.assert_allclose(model.singular_values_, [5.0, 2.0], rtol=1e-5)


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("center", [False, True])
def test_all_input_formats_agree_and_stay_unchanged(format, center):
    X = np.abs(_matrix_with_spectrum([6.0, 3.0, 1.0, 0.2], 40, 7, seed=8))
    X[X < 0.05] = 0
    reference = LinearAutoencoder(3, center=center).fit(X)
    model = LinearAutoencoder(3, center=center)
    X_format = as_format(X, format)
    assert_input_unchanged(model, X_format)
    model.fit(X_format)
    np.testing.assert_allclose(model.transform(X_format), reference.transform(X))
    np.testing.assert_allclose(
        model.score_samples(X_format), reference.score_samples(X)
    )


@pytest.mark.parametrize("solver", ["full", "arpack", "randomized"])
def test_pickle_roundtrip(solver):
    X = _matrix_with_spectrum([6.0, 3.0, 1.0], 60, 9, seed=9)
    assert_pickle_roundtrip(
        LinearAutoencoder(2, solver=solver, max_iter=5, random_state=0), X
    )


def test_iteration_counts_and_encoder_decoder_views():
    X = sp.random_array((300, 200), density=0.05, rng=np.random.default_rng(0))
    arpack = LinearAutoencoder(5, solver="arpack", random_state=0).fit(X)
    propack = LinearAutoencoder(5, solver="propack", random_state=0).fit(X)
    assert arpack.n_iter_ > 10 and propack.n_iter_ > 10
    np.testing.assert_allclose(
        arpack.singular_values_, propack.singular_values_, rtol=1e-10
    )
    assert LinearAutoencoder(5, solver="full").fit(X).n_iter_ == 1
    assert np.shares_memory(arpack.encoder_, arpack.components_)
    assert arpack.encoder_.shape == (200, 5) and arpack.decoder_.shape == (5, 200)
    np.testing.assert_allclose(arpack.transform(X), X @ arpack.encoder_)


@pytest.mark.parametrize(
    "shape, sparse, n_components, expected",
    [
        ((5000, 50), False, 5, "covariance_eigh"),
        ((5000, 50), True, 5, "covariance_eigh"),
        ((300, 400), True, 5, "full"),
        ((2000, 1500), True, 5, "arpack"),
        ((2000, 1500), False, 5, "randomized"),
        ((2000, 1500), False, 0.5, "full"),
        ((2000, 1500), False, 1400, "full"),
    ],
)
def test_auto_solver_policy(shape, sparse, n_components, expected):
    model = LinearAutoencoder(n_components)
    X = np.zeros(shape)
    X = sp.csr_array(X) if sparse else X
    assert model._resolve_solver(X) == expected


# ---------------------------------------------------------- extreme and degenerate


def _eighths(shape, seed):
    """Multiples of 1/8 in [-7/8, 7/8] with |max| >= 1/2: every power-of-two
    multiple down to 2**-1000 is a normal float, and the largest entry already
    lies in [0.5, 1), where the internal rescaling puts it."""
    X = np.random.default_rng(seed).integers(-7, 8, size=shape) / 8
    X[0, 0] = 7 / 8
    return X


ALL_SOLVERS = [*EXACT_SOLVERS, "randomized", "block_krylov", "gradient"]


def _model(solver, **params):
    if solver == "gradient":
        params.setdefault("max_iter", 30)
        return MiniBatchLinearAutoencoder(random_state=0, **params)
    if solver == "block_krylov":
        params.update(solver="randomized", randomized_method="block_krylov")
    else:
        params.update(solver=solver)
    return LinearAutoencoder(random_state=0, **params)


@pytest.mark.parametrize("solver", ALL_SOLVERS)
@pytest.mark.parametrize("center", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "dtype, exponents",
    [
        (np.float64, (-1000, -600, 300, 440)),
        (np.float32, (-100, 60)),
    ],
)
def test_extreme_data_are_fitted_exactly_as_their_rescaled_copy(
    solver, center, sparse, dtype, exponents
):
    # Before, X * 2**-1000 gave zero energies (ratios 0, ARPACK "starting
    # vector is zero") and X * 2**440 NaN ratios or solver errors.
    X = _eighths((40, 7), seed=11).astype(dtype)
    convert = sp.csr_array if sparse else np.asarray
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = _model(solver, n_components=3, center=center).fit(convert(X))
        for exponent in exponents:
            scaled = convert(np.ldexp(X, exponent))
            model = _model(solver, n_components=3, center=center).fit(scaled)
            # The solvers saw the same numbers: the same components, bit for
            # bit, and a spectrum scaled by exactly 2**exponent.
            np.testing.assert_array_equal(model.components_, reference.components_)
            np.testing.assert_array_equal(
                model.singular_values_,
                np.ldexp(reference.singular_values_, exponent),
            )
            np.testing.assert_array_equal(
                model.explained_variance_ratio_, reference.explained_variance_ratio_
            )
            assert model.reconstruction_error_ == np.ldexp(
                reference.reconstruction_error_, exponent
            )
            assert model.singular_values_.dtype == dtype
            assert np.all(np.isfinite(model.explained_variance_))
            if center:
                np.testing.assert_array_equal(
                    model.mean_, np.ldexp(reference.mean_, exponent)
                )
            codes = model.transform(scaled)
            np.testing.assert_allclose(
                np.ldexp(codes.astype(np.float64), -exponent),
                reference.transform(convert(X)),
                rtol=1e-12 if dtype == np.float64 else 1e-5,
                atol=1e-12 if dtype == np.float64 else 1e-5,
            )
            assert np.all(np.isfinite(model.score_samples(scaled)))
            assert np.all(np.isfinite(model.inverse_transform(codes)))


@pytest.mark.parametrize("solver", ALL_SOLVERS)
@pytest.mark.parametrize(
    "X, dtype, message",
    [
        (1e300, np.float64, "divide X by a constant"),
        (1e20, np.float32, "pass X as float64"),
    ],
)
def test_data_whose_squares_overflow_are_refused_clearly(solver, X, dtype, message):
    # Before: explained_variance_ratio_ [nan nan] ("full"), "array must not
    # contain infs or NaNs" ("randomized"), ARPACK error -9999, ...
    data = (_eighths((30, 6), seed=1) * X).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match=f"too large.*{message}"):
            _model(solver, n_components=2).fit(data)
        # Divided by a constant, as the message advises, the same data fit.
        model = _model(solver, n_components=2).fit(data / X)
    assert np.all(np.isfinite(model.singular_values_))


@pytest.mark.parametrize("solver", ALL_SOLVERS)
@pytest.mark.parametrize(
    "X, center",
    [
        (np.zeros((30, 8)), False),
        (np.zeros((30, 8)), True),
        (np.full((30, 8), 0.1), True),  # 30 * 0.1 / 30 is not 0.1
        (sp.csr_array((30, 8)), False),
        (sp.csr_array(np.tile(np.arange(8.0), (30, 1))), True),
    ],
)
def test_zero_and_centred_constant_matrices_agree_across_solvers(solver, X, center):
    # Before: "ARPACK error -9: Starting vector is zero", zero components
    # (covariance_eigh), random ones (gradient), rounding-noise spectra.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = _model(solver, n_components=3, center=center).fit(X)
    np.testing.assert_array_equal(model.components_, np.eye(3, 8))
    np.testing.assert_array_equal(model.singular_values_, np.zeros(3))
    np.testing.assert_array_equal(model.explained_variance_, np.zeros(3))
    np.testing.assert_array_equal(model.explained_variance_ratio_, np.zeros(3))
    assert model.reconstruction_error_ == 0.0
    assert model.n_iter_ == 0
    dense = _dense(X)
    np.testing.assert_array_equal(model.transform(X), np.zeros((30, 3)))
    np.testing.assert_array_equal(model.inverse_transform(np.zeros((30, 3))), dense)
    np.testing.assert_array_equal(model.score_samples(X), np.zeros(30))
    if solver != "gradient":  # the rules keep one component
        assert _model(solver, n_components=0.5, center=center).fit(X).n_components_ == 1
        rule = _model(solver, n_components=None, min_singular_value=0.0, center=center)
        assert rule.fit(X).n_components_ == 1


def test_constant_columns_are_centred_exactly():
    X = np.random.default_rng(0).standard_normal((30, 4))
    X[:, 2] = 0.1
    assert np.mean(X[:, 2]) != 0.1  # the rounding this guards against
    for solver in EXACT_SOLVERS:
        model = LinearAutoencoder(3, solver=solver, center=True, random_state=0)
        model.fit(X)
        assert model.mean_[2] == 0.1
        np.testing.assert_allclose(model.components_[:, 2], 0.0, atol=1e-15)


@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("n_components", [3, 7, 8])
def test_rank_deficient_data_with_every_solver(rank, n_components):
    # PROPACK raised "k=3 singular triplets did not converge within kmax=9".
    rng = np.random.default_rng(rank)
    X = rng.standard_normal((30, rank)) @ rng.standard_normal((rank, 8))
    exact = LinearAutoencoder(n_components, solver="full").fit(X)
    for solver in [*EXACT_SOLVERS, "randomized"]:
        if solver == "arpack" and n_components == 8:
            continue  # ARPACK needs k < min(shape)
        model = LinearAutoencoder(n_components, solver=solver, random_state=0).fit(X)
        np.testing.assert_allclose(
            model.singular_values_, exact.singular_values_, atol=1e-10
        )
        np.testing.assert_allclose(
            model.components_ @ model.components_.T, np.eye(n_components), atol=1e-8
        )
        assert model.reconstruction_error_ < 1e-10


def test_transform_and_score_of_extreme_input_to_an_ordinary_model():
    X = _eighths((40, 6), seed=3)
    model = LinearAutoencoder(2, random_state=0).fit(X)
    for exponent in (-1060, -1000, 300, 500):
        # Around 2**-1060 the inputs and codes are subnormal and keep about 14
        # bits; elsewhere the results are the unscaled ones, scaled.
        tolerance = 1e-3 if exponent < -1022 else 1e-12
        scaled = np.ldexp(X, exponent)
        codes = model.transform(scaled)
        np.testing.assert_allclose(
            np.ldexp(codes, -exponent),
            model.transform(X),
            rtol=tolerance,
            atol=tolerance,
        )
        np.testing.assert_allclose(
            np.ldexp(model.inverse_transform(codes), -exponent),
            model.inverse_transform(model.transform(X)),
            rtol=tolerance,
            atol=tolerance,
        )
        scores = model.score_samples(scaled)
        if exponent == 300:
            np.testing.assert_allclose(
                np.ldexp(scores, -2 * exponent), model.score_samples(X), rtol=1e-10
            )
        elif exponent < 0:  # squares of 2**-1000 underflow to (-)0: rounding
            assert np.all(scores == 0)
    with pytest.raises(ValueError, match="squared reconstruction errors of X exceed"):
        model.score_samples(np.ldexp(X, 600))
    with pytest.raises(ValueError, match="codes of X exceed the float32 range"):
        LinearAutoencoder(2).fit(X.astype(np.float32)).transform(
            np.full((2, 6), 3e38, dtype=np.float32)
        )


def test_solver_limits_give_clear_errors():
    X = np.random.default_rng(0).standard_normal((300, 200))
    with pytest.raises(ValueError, match="max_iter=2 restarts; increase max_iter"):
        LinearAutoencoder(5, solver="arpack", max_iter=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="max_iter=3 is PROPACK's Krylov basis"):
        LinearAutoencoder(5, solver="propack", max_iter=3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="Krylov basis of max_iter=6 vectors"):
        LinearAutoencoder(5, solver="propack", max_iter=6, random_state=0).fit(X)


def test_verbose_summary_follows_the_common_format(capsys):
    X = np.random.default_rng(0).standard_normal((60, 8))
    LinearAutoencoder(2, solver="arpack", verbose=1, random_state=0).fit(X)
    (summary,) = capsys.readouterr().out.splitlines()
    assert summary.startswith("[LinearAutoencoder] converged after ")
    assert "solver arpack" in summary
    assert float(summary.split("loss ")[1].split(",")[0]) == pytest.approx(
        LinearAutoencoder(2, solver="full").fit(X).reconstruction_error_, rel=1e-5
    )


def test_the_gradient_solver_is_its_own_estimator():
    X = np.random.default_rng(0).standard_normal((20, 5))
    # Removed before any release, so without a deprecation cycle; the error
    # names the estimator that replaces it.
    with pytest.raises(ValueError, match=r"'gradient'.*MiniBatchLinearAutoencoder"):
        LinearAutoencoder(2, solver="gradient").fit(X)
    assert not hasattr(LinearAutoencoder(), "partial_fit")
    for name in ("alpha", "learning_rate", "batch_size"):
        assert name not in LinearAutoencoder().get_params()
        assert name in MiniBatchLinearAutoencoder().get_params()


def test_tiny_input_to_a_centred_model_is_scaled_with_the_mean():
    # The rescaling was chosen from X alone: 1e-300 rows minus an ordinary
    # mean, scaled up by 2**997, overflowed score_samples.
    X = _eighths((30, 5), seed=4)
    model = LinearAutoencoder(2, center=True).fit(X)
    tiny = X * 1e-300
    expected = model.score_samples(np.zeros_like(X))  # tiny rows are 0 to rounding
    np.testing.assert_allclose(model.score_samples(tiny), expected, rtol=1e-12)
    np.testing.assert_allclose(
        model.transform(tiny), model.transform(np.zeros_like(X)), rtol=1e-12
    )


def test_a_refused_refit_leaves_the_fitted_model_as_it_was():
    X = _eighths((30, 5), seed=6)
    model = LinearAutoencoder(2, solver="arpack", random_state=0).fit(X)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match="too large"):
        model.fit(X * 1e300)
    with pytest.raises(ValueError, match="must be < min"):
        model.fit(X[:, :2])  # another width, refused after validation set it
    assert pickle.dumps(model) == before
    np.testing.assert_array_equal(
        model.transform(X),
        LinearAutoencoder(2, solver="arpack", random_state=0).fit(X).transform(X),
    )
