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
from sklearn_kexue.testing import (
    as_format,
    assert_fixed_weight_codes,
    assert_input_unchanged,
    assert_pickle_roundtrip,
    assert_reproducible,
    matrices,
)


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
    with pytest.warns(ConvergenceWarning, match="units enter codes but"):
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
        # After max_iter calls the linear schedule has reached 0: nothing moves.
        frozen = streamed.components_.copy()
        streamed.partial_fit(X)
    np.testing.assert_array_equal(streamed.components_, frozen)
    assert streamed.n_iter_ == 11 and len(streamed.convergence_curve_) == 11
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
    "params, message",
    [
        ({"n_components": 10, "hash_length": 10}, "must be smaller than"),
        ({"n_components": 3, "rank": 4}, "rank=4 must not exceed"),
    ],
)
def test_bad_settings_raise(params, message):
    with pytest.raises(ValueError, match=message):
        BioHashTransformer(**params).fit(np.ones((5, 3)))
