"""MiniBatchLinearAutoencoder: the trained network is the truncated SVD.

Extreme and degenerate data, shared with LinearAutoencoder, are tested in
test_linear_autoencoder.py.
"""

import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import check_estimators_partial_fit_n_features

from sklearn_kexue import LinearAutoencoder, MiniBatchLinearAutoencoder
from sklearn_kexue.testing import assert_pickle_roundtrip


def _matrix_with_spectrum(singular_values, n_samples, n_features, seed):
    """A matrix with the given singular values and random singular vectors."""
    rng = np.random.default_rng(seed)
    rank = len(singular_values)
    left = np.linalg.qr(rng.standard_normal((n_samples, rank)))[0]
    right = np.linalg.qr(rng.standard_normal((n_features, rank)))[0]
    return (left * singular_values) @ right.T


def _gradient_problem():
    spectrum = np.array([12.0, 7.0, 4.0, 2.4] + [0.6] * 16)
    return _matrix_with_spectrum(spectrum, 3000, 20, seed=0) + 2.0


def test_trained_network_reaches_the_optimum_and_recovers_directions():
    X = _gradient_problem()
    exact = LinearAutoencoder(4, solver="full", center=True).fit(X)
    model = MiniBatchLinearAutoencoder(4, center=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X)
    assert model.reconstruction_error_ <= 1.01 * exact.reconstruction_error_
    cosines = np.abs(np.sum(model.components_ * exact.components_, axis=1))
    assert np.all(cosines > 0.999), cosines
    np.testing.assert_allclose(
        model.singular_values_, exact.singular_values_, rtol=1e-4
    )
    np.testing.assert_allclose(
        model.explained_variance_ratio_, exact.explained_variance_ratio_, rtol=3e-4
    )
    # Singular values read off the decoder alone, with Kunin et al.'s formula.
    read_off = model.scale_ * np.sqrt(
        model.n_samples_seen_ * model.alpha / (1 - model.shrinkage_**2)
    )
    np.testing.assert_allclose(read_off, exact.singular_values_, rtol=0.02)
    # At every critical point the encoder is the transpose of the decoder.
    assert 0 <= model.asymmetry_ < 0.05
    assert model.n_iter_ == len(model.loss_curve_)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    # The default budget: enough epochs of 12 minibatches for 20000 updates.
    assert model.n_steps_ == model.n_iter_ * 12 >= 20_000


@pytest.mark.parametrize(
    "n_samples, batch_size, epochs",
    [(3000, 256, 1667), (1000, 256, 2500), (100, 256, 2500), (100, 1, 200)],
)
def test_default_budget_is_20000_updates_or_2500_epochs(n_samples, batch_size, epochs):
    X = _matrix_with_spectrum([5.0, 2.0, 1.0], n_samples, 6, seed=1)
    model = MiniBatchLinearAutoencoder(batch_size=batch_size, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    assert model.n_iter_ == len(model.loss_curve_) == epochs
    assert model.n_steps_ == epochs * -(-n_samples // batch_size)


def test_without_enough_training_it_warns():
    X = _gradient_problem()
    with pytest.warns(ConvergenceWarning, match="transpose of the decoder"):
        model = MiniBatchLinearAutoencoder(4, max_iter=1, random_state=0).fit(X)
    assert model.asymmetry_ > 0.05
    assert model.n_iter_ == 1 and model.n_steps_ == 12


def test_tol_stops_training_early():
    X = _gradient_problem()
    model = MiniBatchLinearAutoencoder(
        4, center=True, tol=1e-2, max_iter=500, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    assert model.n_iter_ < 500
    assert model.n_steps_ == 12 * model.n_iter_


def test_weight_decay_switches_off_weak_directions_with_a_warning():
    X = _gradient_problem()
    with pytest.warns(ConvergenceWarning, match="switched off"):
        model = MiniBatchLinearAutoencoder(
            6, center=True, alpha=0.05, random_state=0
        ).fit(X)
    assert np.sum(model.singular_values_ == 0) >= 1


def test_partial_fit_streams_to_the_same_subspace():
    X = _gradient_problem()
    exact = LinearAutoencoder(4, solver="full", center=True).fit(X)
    model = MiniBatchLinearAutoencoder(4, center=True, random_state=0)
    rng = np.random.default_rng(0)
    for _ in range(40):
        for rows in np.array_split(rng.permutation(len(X)), 6):
            model.partial_fit(X[rows])
    assert model.n_samples_seen_ == 40 * len(X)
    assert model.n_iter_ == 240 and model.n_steps_ == 240 * 2
    assert model.reconstruction_error_ is None
    reconstruction = model.inverse_transform(model.transform(X))
    error = np.linalg.norm(X - reconstruction)
    assert error <= 1.01 * exact.reconstruction_error_
    np.testing.assert_allclose(model.mean_, X.mean(axis=0), rtol=1e-12)
    cosines = np.abs(np.sum(model.components_ * exact.components_, axis=1))
    assert np.all(cosines > 0.999), cosines


def test_partial_fit_continues_fit():
    X = _gradient_problem()[:600]
    model = MiniBatchLinearAutoencoder(3, max_iter=2, batch_size=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
        curve = list(model.loss_curve_)
        model.partial_fit(X)
    assert model.loss_curve_[:2] == curve and len(model.loss_curve_) == 3
    assert model.n_iter_ == 3 and model.n_steps_ == 9
    assert model.n_samples_seen_ == 2 * len(X)


def test_partial_fit_memory_holds_the_model_and_one_batch():
    # Not a timing test: traced allocations must not grow with the stream.
    n_features, batch_rows = 50, 2000

    def peak_for(n_batches):
        model = MiniBatchLinearAutoencoder(5, batch_size=500, random_state=0)
        rng = np.random.default_rng(0)
        tracemalloc.start()
        for _ in range(n_batches):
            model.partial_fit(rng.standard_normal((batch_rows, n_features)))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    short, long = peak_for(5), peak_for(40)
    batch_bytes = batch_rows * n_features * 8
    assert long < 4 * batch_bytes
    assert long < 1.25 * short


def test_refitting_starts_a_fresh_network():
    X = _matrix_with_spectrum([6.0, 3.0, 1.0], 80, 9, seed=10)
    model = MiniBatchLinearAutoencoder(2, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
        model.partial_fit(X)
        model.fit(X)
        fresh = MiniBatchLinearAutoencoder(2, max_iter=3, random_state=0).fit(X)
    assert model.loss_curve_ == fresh.loss_curve_
    assert model.n_steps_ == fresh.n_steps_ and model.n_samples_seen_ == len(X)
    np.testing.assert_array_equal(model.components_, fresh.components_)


def test_partial_fit_n_features_check_and_unit_count():
    check_estimators_partial_fit_n_features(
        "MiniBatchLinearAutoencoder", MiniBatchLinearAutoencoder()
    )
    model = MiniBatchLinearAutoencoder(2).partial_fit(np.eye(5))
    with pytest.raises(ValueError, match="n_components=3 differs"):
        model.set_params(n_components=3).partial_fit(np.eye(5))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_components": 7}, "n_components=7 must be <= n_features=6"),
        ({"n_components": 0.5}, "'n_components' parameter"),
        ({"n_components": None}, "'n_components' parameter"),
        ({"alpha": 1.0}, "'alpha' parameter"),
        ({"learning_rate": 0.0}, "'learning_rate' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"max_iter": 0}, "'max_iter' parameter"),
    ],
)
def test_bad_settings_raise_clear_errors(params, message):
    X = np.random.default_rng(0).random((10, 6))
    with pytest.raises(ValueError, match=message):
        MiniBatchLinearAutoencoder(**params).fit(X)


def test_sparse_input_gives_the_dense_fit():
    X = np.abs(_matrix_with_spectrum([6.0, 3.0, 1.0, 0.2], 300, 12, seed=8))
    X[X < 0.05] = 0
    params = {"n_components": 2, "max_iter": 5, "batch_size": 64, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = MiniBatchLinearAutoencoder(**params).fit(X)
        sparse = MiniBatchLinearAutoencoder(**params).fit(sp.csr_array(X))
    np.testing.assert_allclose(sparse.components_, dense.components_, rtol=1e-8)
    assert sparse.loss_curve_ == pytest.approx(dense.loss_curve_, rel=1e-8)


def test_pickle_roundtrip_and_the_stream_goes_on():
    X = _matrix_with_spectrum([6.0, 3.0, 1.0], 60, 9, seed=9)
    model = MiniBatchLinearAutoencoder(2, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert_pickle_roundtrip(model, X)
        model.fit(X)
        restored = pickle.loads(pickle.dumps(model))
        model.partial_fit(X)
        restored.partial_fit(X)
    np.testing.assert_array_equal(model.components_, restored.components_)
    assert model.loss_curve_ == restored.loss_curve_


def test_a_diverging_partial_fit_batch_leaves_the_model_unchanged():
    X = _gradient_problem()[:600]
    model = MiniBatchLinearAutoencoder(3, random_state=0)
    model.partial_fit(X)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match=r"diverged on this batch.*scale_="):
        model.partial_fit(X * 1e250)
    assert pickle.dumps(model) == before
    with pytest.raises(ValueError, match="X has 5 features"):
        model.partial_fit(X[:, :5])
    assert pickle.dumps(model) == before
    model.partial_fit(X)  # the stream goes on from where it was
    assert model.n_iter_ == 2 and model.n_samples_seen_ == 2 * len(X)


def test_a_diverging_fit_raises_and_leaves_the_model_as_it_was():
    X = _gradient_problem()[:600]
    model = MiniBatchLinearAutoencoder(3, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match=r"diverged on epoch .*learning_rate=1e\+200"):
        model.set_params(learning_rate=1e200).fit(X)
    model.set_params(learning_rate=1e-2)
    assert pickle.dumps(model) == before


def test_verbose_lines_follow_the_common_format_and_loss_curve(capsys):
    X = _gradient_problem()[:512]
    model = MiniBatchLinearAutoencoder(
        3, max_iter=4, batch_size=128, verbose=2, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    name = "[MiniBatchLinearAutoencoder]"
    for epoch, (line, loss) in enumerate(zip(lines, model.loss_curve_), start=1):
        assert line.startswith(f"{name} iteration {epoch}, loss ")
        assert float(line.split("loss ")[1].split(",")[0]) == pytest.approx(
            loss, rel=1e-5
        )
    assert lines[-1].startswith(f"{name} ")
    assert "after 4 iterations" in lines[-1] and "updates 16" in lines[-1]
    model.set_params(verbose=1).partial_fit(X)
    # partial_fit continues the curve of fit: its 4 epochs, then this call.
    assert capsys.readouterr().out.startswith(f"{name} iteration 5, loss")
    assert len(model.loss_curve_) == model.n_iter_ == 5
