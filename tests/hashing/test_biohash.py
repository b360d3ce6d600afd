"""BioHashTransformer: the Krotov-Hopfield rule, its convergence and its codes."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import check_estimators_partial_fit_n_features

from sklearn_kexue import BioHashTransformer
from sklearn_kexue.hashing import winner_take_all
from sklearn_kexue.hashing._biohash_kernels import rank_units, rank_units_numpy
from sklearn_kexue.testing import (
    as_format,
    assert_fixed_weight_codes,
    assert_input_unchanged,
    assert_pickle_roundtrip,
    assert_reproducible,
    matrices,
)
from tests._kernel_paths import KERNEL_PATHS, kernel_path


def _clusters(n_per_cluster=150, n_features=6, n_clusters=3, seed=0):
    """Well separated clusters on the positive orthant, with their unit centroids."""
    rng = np.random.default_rng(seed)
    centres = np.abs(rng.standard_normal((n_clusters, n_features))) * 3
    centres[np.arange(n_clusters), np.arange(n_clusters)] += 10
    X = np.vstack(
        [c + 0.3 * rng.standard_normal((n_per_cluster, n_features)) for c in centres]
    )
    labels = np.repeat(np.arange(n_clusters), n_per_cluster)
    return X, labels


@settings(max_examples=25)
@given(
    X=matrices(n_samples=(3, 30), n_features=(1, 6), formats=("dense", "csr_array")),
    n_components=st.integers(3, 12),
    data=st.data(),
)
def test_codes_have_exactly_k_ones_per_row(X, n_components, data):
    hash_length = data.draw(st.integers(1, n_components - 1), label="k")
    hasher = BioHashTransformer(
        n_components, hash_length=hash_length, max_iter=3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = hasher.fit(X).transform(X)
    assert_fixed_weight_codes(codes, hash_length)
    assert codes.dtype == X.dtype


def _notebook_fit(X, n_components, p, delta, rank, learning_rate, max_iter, seed):
    """Krotov's notebook rule, written densely: full sort, dense g, whole-W update."""
    random_state = np.random.RandomState(seed)
    weights = random_state.standard_normal((n_components, X.shape[1]))
    for epoch in range(max_iter):
        step = learning_rate * (1 - epoch / max_iter)
        order = random_state.permutation(X.shape[0])
        for start in range(0, X.shape[0], 100):
            batch = X[np.sort(order[start : start + 100])].T  # (d, B)
            currents = (np.sign(weights) * np.abs(weights) ** (p - 1)) @ batch
            ranking = np.argsort(-currents, axis=0, kind="stable")
            g = np.zeros_like(currents)
            columns = np.arange(batch.shape[1])
            g[ranking[0], columns] = 1.0
            g[ranking[rank - 1], columns] = -delta
            drive = np.sum(g * currents, axis=1)
            change = g @ batch.T - drive[:, np.newaxis] * weights
            weights += step * change / max(np.abs(change).max(), 1e-30)
    return weights


@pytest.mark.parametrize("path", KERNEL_PATHS)
@pytest.mark.parametrize(
    "p, delta, rank", [(2.0, 0.0, 2), (2.0, 0.4, 2), (3.0, 0.3, 3), (1.5, 0.1, 2)]
)
def test_fit_follows_the_notebook_rule(p, delta, rank, path):
    X = load_digits().data[:350] / 16
    params = {
        "p": p,
        "delta": delta,
        "rank": rank,
        "learning_rate": 0.05,
        "max_iter": 4,
    }
    with warnings.catch_warnings(), kernel_path(path):
        warnings.simplefilter("ignore", ConvergenceWarning)
        hasher = BioHashTransformer(n_components=30, random_state=7, **params)
        hasher.fit(X)
    expected = _notebook_fit(X, 30, seed=7, **params)
    np.testing.assert_allclose(hasher.components_, expected, rtol=1e-9, atol=1e-12)


@settings(max_examples=40)
@given(
    n_units=st.integers(2, 40),
    data=st.data(),
)
@pytest.mark.parametrize("rank_kernel", [rank_units, rank_units_numpy])
def test_rank_units_breaks_ties_towards_lower_units(rank_kernel, n_units, data):
    # Small integers make ties common.
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    currents = rng.integers(-3, 4, size=(data.draw(st.integers(1, 20)), n_units))
    currents = currents.astype(data.draw(st.sampled_from([np.float32, np.float64])))
    rank = data.draw(st.integers(2, n_units), label="rank")
    hash_length = data.draw(st.integers(1, n_units), label="k")
    winners = np.empty(len(currents), dtype=np.int64)
    ranked = np.empty(len(currents), dtype=np.int64)
    code_counts = np.zeros(n_units, dtype=np.int64)
    rank_kernel(currents, rank, hash_length, winners, ranked, code_counts)
    # A stable sort of -currents orders equal currents by unit index.
    order = np.argsort(-currents, axis=1, kind="stable")
    np.testing.assert_array_equal(winners, order[:, 0])
    np.testing.assert_array_equal(ranked, order[:, rank - 1])
    codes = winner_take_all(currents, hash_length).toarray()
    np.testing.assert_array_equal(code_counts, codes.sum(axis=0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"p": 3.0, "delta": 0.4, "rank": 3},
        {"p": 1.5, "delta": 0.2, "batch_size": 7},
    ],
)
def test_numpy_twin_trains_the_compiled_model_bit_for_bit(params, dtype):
    # Integer pixels make many ties in the currents and the ranks.
    X = load_digits().data[:300].astype(dtype)
    models = {}
    for path in KERNEL_PATHS:
        with warnings.catch_warnings(), kernel_path(path):
            warnings.simplefilter("ignore", ConvergenceWarning)
            models[path] = BioHashTransformer(
                n_components=40, max_iter=6, random_state=0, **params
            ).fit(X)
    twin, compiled = models["numpy"], models["compiled"]
    np.testing.assert_array_equal(twin.components_, compiled.components_)
    np.testing.assert_array_equal(twin.code_counts_, compiled.code_counts_)
    assert twin.loss_curve_ == compiled.loss_curve_
    with kernel_path("numpy"):
        codes = twin.transform(X)
    with kernel_path("compiled"):
        assert (codes != twin.transform(X)).nnz == 0


@pytest.mark.parametrize("path", KERNEL_PATHS)
@pytest.mark.parametrize(
    "scale, dtype",
    [(2.0**-900, np.float64), (2.0**900, np.float64), (2.0**80, np.float32)],
)
def test_extreme_scales_train_the_model_of_the_unscaled_data(path, scale, dtype):
    # The rule is equivariant to a positive rescale of the data, so fit rescales
    # extreme data by a power of two (exactly) instead of overflowing.
    X = load_digits().data[:200].astype(dtype)
    params = {"n_components": 20, "max_iter": 5, "random_state": 0}
    with warnings.catch_warnings(), kernel_path(path):
        warnings.simplefilter("ignore", ConvergenceWarning)
        expected = BioHashTransformer(**params).fit(X)
        extreme = BioHashTransformer(**params).fit(X * dtype(scale))
        codes = extreme.transform(X * dtype(scale))
        expected_codes = expected.transform(X)
    np.testing.assert_array_equal(extreme.components_, expected.components_)
    assert (codes != expected_codes).nnz == 0


def test_loss_curve_is_the_mean_distance_of_samples_to_their_winners():
    # On well separated clusters the winners end close to the samples (p-cosine).
    X, _ = _clusters()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        hasher = BioHashTransformer(
            n_components=6,
            hash_length=1,
            max_iter=60,
            learning_rate=0.1,
            random_state=0,
        ).fit(X)
    curve = np.array(hasher.loss_curve_)
    assert len(curve) == hasher.n_iter_ == 60
    assert np.all((curve >= 0) & (curve <= 2))
    assert curve[-1] < 0.01 < curve[0]
    # The last epoch's loss, recomputed from the final units, is about the same.
    units = hasher.components_ / np.linalg.norm(hasher.components_, axis=1)[:, None]
    cosine = (X @ units.T) / np.linalg.norm(X, axis=1)[:, None]
    winners = np.argmax(X @ hasher.components_.T, axis=1)
    final = 1 - cosine[np.arange(len(X)), winners].mean()
    assert final == pytest.approx(curve[-1], abs=2e-3)


def test_verbose_lines_follow_the_shared_format(capsys):
    X, _ = _clusters(n_per_cluster=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        BioHashTransformer(n_components=6, max_iter=3, verbose=2, random_state=0).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("[BioHashTransformer] iteration 1, loss ")
    assert lines[-1].startswith(
        "[BioHashTransformer] stopped after 3 iterations, loss "
    )


def test_tol_stops_once_the_learning_units_are_on_the_sphere():
    X = load_digits().data / 16
    params = {
        "n_components": 20,
        "hash_length": 2,
        "learning_rate": 0.1,
        "max_iter": 300,
    }
    hasher = BioHashTransformer(tol=0.05, random_state=0, **params).fit(X)
    assert hasher.n_iter_ < 300 and len(hasher.convergence_curve_) == hasher.n_iter_
    learning = hasher.win_counts_ > 0
    assert np.all(np.abs(hasher.unit_norms_[learning] - 1) < 0.05)
    # Without tol the same settings run every epoch.
    assert BioHashTransformer(random_state=0, **params).fit(X).n_iter_ == 300
    assert hasher.convergence_curve_[-1] <= 0.01


def test_convergence_curve_is_the_unconverged_share_of_code_entries():
    X = load_digits().data / 16
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        hasher = BioHashTransformer(
            n_components=60,
            hash_length=3,
            learning_rate=0.1,
            max_iter=40,
            random_state=0,
        ).fit(X)
    curve = np.asarray(hasher.convergence_curve_)
    assert curve[0] == 1.0  # every unit starts with a norm near sqrt(64)
    off_sphere = np.abs(hasher.unit_norms_ - 1) > 0.1
    expected = hasher.code_counts_[off_sphere].sum() / hasher.code_counts_.sum()
    assert curve[-1] == pytest.approx(expected)
    assert hasher.code_counts_.sum() == 3 * len(X)
    assert hasher.win_counts_.sum() == len(X)


def test_p2_delta0_is_online_spherical_kmeans():
    X, labels = _clusters()
    hasher = BioHashTransformer(
        n_components=3, hash_length=1, p=2, delta=0, max_iter=200, random_state=0
    ).fit(X)
    # Units converge to the unit sphere ...
    np.testing.assert_allclose(hasher.unit_norms_, 1.0, atol=1e-2)
    # ... and to the normalised centroids of the clusters (one unit each).
    centroids = np.vstack([X[labels == c].mean(axis=0) for c in range(3)])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    cosines = hasher.components_ @ centroids.T / hasher.unit_norms_[:, None]
    assert np.all(cosines.max(axis=0) > 0.995), cosines
    assert sorted(np.argmax(cosines, axis=0)) == [0, 1, 2]
    # The one-hot codes are then the cluster assignments.
    assignments = hasher.transform(X).toarray().argmax(axis=1)
    for c in range(3):
        assert len(np.unique(assignments[labels == c])) == 1


@pytest.mark.parametrize("p", [2.0, 3.0])
def test_learned_units_end_on_the_unit_p_sphere(p):
    X = load_digits().data
    hasher = BioHashTransformer(
        n_components=20,
        hash_length=2,
        p=p,
        max_iter=300,
        learning_rate=0.05,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        hasher.fit(X)
    norms = np.sum(np.abs(hasher.components_) ** p, axis=1) ** (1 / p)
    np.testing.assert_allclose(hasher.unit_norms_, norms)
    live = hasher.code_counts_ > 0
    assert live.sum() >= 10
    np.testing.assert_allclose(norms[live], 1.0, atol=0.1)
    # Units outside every code of the last epoch stay out of the final codes.
    codes = hasher.transform(X).toarray()
    assert codes[:, ~live].sum() <= 0.01 * codes.sum()
    assert hasher.convergence_curve_[-1] == 0.0


def test_unconverged_units_warn():
    X = load_digits().data[:200]
    with pytest.warns(ConvergenceWarning, match="code entries of the training samples"):
        BioHashTransformer(n_components=50, max_iter=2, random_state=0).fit(X)


def test_determinism_under_random_state():
    X = load_digits().data[:300]
    hasher = BioHashTransformer(n_components=16, hash_length=2, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert_reproducible(hasher, X)
        first = BioHashTransformer(n_components=16, random_state=3).fit(X)
        second = BioHashTransformer(n_components=16, random_state=4).fit(X)
    assert not np.array_equal(first.components_, second.components_)


def test_partial_fit_epochs_follow_the_schedule():
    X = load_digits().data[:300]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        streamed = BioHashTransformer(n_components=16, max_iter=10, random_state=0)
        for _ in range(10):
            streamed.partial_fit(X)
        # After max_iter calls the linear schedule has reached 0: nothing moves,
        # and the diagnostics stay those of the last epoch that learned.
        frozen = streamed.components_.copy()
        counts = streamed.code_counts_.copy()
        streamed.partial_fit(X)
    np.testing.assert_array_equal(streamed.components_, frozen)
    np.testing.assert_array_equal(streamed.code_counts_, counts)
    assert streamed.n_iter_ == 11 and len(streamed.convergence_curve_) == 11
    assert streamed.convergence_curve_[-1] == streamed.convergence_curve_[-2]
    check_estimators_partial_fit_n_features(
        "BioHashTransformer", BioHashTransformer(n_components=5, hash_length=1)
    )


@pytest.mark.parametrize("format", ["csr_array", "csr_matrix", "pydata_coo"])
def test_sparse_input_gives_the_same_model(format):
    X = load_digits().data[:200]
    dense = BioHashTransformer(n_components=12, max_iter=5, random_state=0)
    sparse = BioHashTransformer(n_components=12, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense.fit(X)
        sparse.fit(as_format(X, format))
    np.testing.assert_allclose(sparse.components_, dense.components_, rtol=1e-10)
    np.testing.assert_array_equal(
        sparse.transform(as_format(X, format)).toarray(), dense.transform(X).toarray()
    )


def test_dense_output_float32_input_unchanged_and_pickle():
    X = load_digits().data[:150].astype(np.float32)
    hasher = BioHashTransformer(
        n_components=10, hash_length=3, max_iter=5, sparse_output=False, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = hasher.fit(X).transform(X)
        assert_input_unchanged(hasher, X)
        assert_pickle_roundtrip(hasher, X)
    assert isinstance(codes, np.ndarray) and codes.dtype == np.float32
    assert hasher.components_.dtype == np.float32
    assert_fixed_weight_codes(codes, 3)
    assert sp.issparse(hasher.set_params(sparse_output=True).transform(X))


@pytest.mark.parametrize(
    "params", [{"n_components": 10, "hash_length": 10}, {"n_components": 1}]
)
def test_hash_length_of_all_units_warns_and_keeps_every_unit(params):
    X = np.random.default_rng(0).random((6, 3))
    with pytest.warns(UserWarning, match="every unit wins"):
        hasher = BioHashTransformer(max_iter=2, random_state=0, **params).fit(X)
    n_units = params["n_components"]
    assert hasher.hash_length_ == n_units
    np.testing.assert_array_equal(hasher.transform(X).toarray(), np.ones((6, n_units)))


def test_rank_beyond_the_units_warns_and_turns_repulsion_off():
    X = np.random.default_rng(0).random((6, 3))
    params = {"n_components": 3, "hash_length": 1, "max_iter": 3, "random_state": 0}
    with pytest.warns(UserWarning, match="no rank-th unit to repel"):
        repelled = BioHashTransformer(rank=4, delta=0.4, **params).fit(X)
    plain = BioHashTransformer(delta=0.0, **params).fit(X)
    np.testing.assert_array_equal(repelled.components_, plain.components_)


def test_rank_is_not_read_without_repulsion():
    # delta=0 never moves the rank-th unit, so rank may exceed n_components.
    X = np.random.default_rng(0).random((6, 3))
    plain = BioHashTransformer(
        n_components=3, hash_length=1, max_iter=3, random_state=0
    )
    high_rank = plain.set_params(rank=5)
    np.testing.assert_array_equal(
        high_rank.fit(X).components_, plain.set_params(rank=2).fit(X).components_
    )
