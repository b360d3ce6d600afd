import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import DBSCAN, SpectralClustering
from sklearn.datasets import make_blobs, make_swiss_roll
from sklearn.manifold import TSNE, Isomap
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import (
    KNeighborsClassifier,
    KNeighborsTransformer,
    NearestNeighbors,
)
from sklearn.pipeline import make_pipeline

from sklearn_kexue import BioHashTransformer, FlyHashTransformer, SignRandomProjection
from sklearn_kexue.neighbors import HashingNeighborsTransformer

HASHERS = [
    None,
    SignRandomProjection(n_components=64, random_state=0),
    SignRandomProjection(n_components=70, packed_output=True, random_state=0),
    FlyHashTransformer(n_components=400, hash_length=8, random_state=0),
    BioHashTransformer(n_components=40, hash_length=4, max_iter=2, random_state=0),
]


def _recall(found, exact):
    return np.mean([len(set(a) & set(b)) / len(b) for a, b in zip(found, exact)])


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=300, n_features=8, centers=4, random_state=0)
    return X, y


@pytest.mark.parametrize("hasher", HASHERS, ids=lambda h: type(h).__name__)
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_all_candidates_give_the_exact_neighbours(blobs, hasher, metric):
    X, _ = blobs
    search = HashingNeighborsTransformer(
        hasher, n_candidates=len(X), n_neighbors=6, metric=metric, random_state=0
    ).fit(X)
    exact = NearestNeighbors(n_neighbors=6, metric=metric).fit(X)
    for query in (X[:40], None):
        distances, indices = search.kneighbors(query)
        expected_distances, expected_indices = exact.kneighbors(query)
        np.testing.assert_array_equal(indices, expected_indices)
        np.testing.assert_allclose(distances, expected_distances, atol=1e-6)


def test_graph_equals_kneighbors_transformer(blobs):
    X, _ = blobs
    for mode in ("distance", "connectivity"):
        ours = HashingNeighborsTransformer(n_candidates=300, n_neighbors=5, mode=mode)
        theirs = KNeighborsTransformer(n_neighbors=5, mode=mode)
        graph, expected = ours.fit_transform(X), theirs.fit_transform(X)
        np.testing.assert_array_equal(graph.indices, expected.indices)
        np.testing.assert_array_equal(graph.indptr, expected.indptr)
        np.testing.assert_allclose(graph.data, expected.data, atol=1e-6)


def test_inner_product_ranks_by_the_largest_product():
    X = np.random.default_rng(0).normal(size=(200, 5))
    search = HashingNeighborsTransformer(n_candidates=200, metric="inner_product")
    distances, indices = search.fit(X).kneighbors(X[:10], n_neighbors=3)
    products = X[:10] @ X.T
    np.testing.assert_array_equal(indices, np.argsort(-products, axis=1)[:, :3])
    np.testing.assert_allclose(distances, -np.sort(products, axis=1)[:, ::-1][:, :3])


def test_recall_grows_with_candidates():
    X = np.random.default_rng(1).normal(size=(3000, 32))
    queries = X[:100]
    exact = NearestNeighbors(n_neighbors=10).fit(X).kneighbors(queries)[1]
    recalls = []
    for n_candidates in (10, 50, 200, 1000):
        search = HashingNeighborsTransformer(n_candidates=n_candidates, random_state=0)
        found = search.fit(X).kneighbors(queries, n_neighbors=10)[1]
        recalls.append(_recall(found, exact))
    assert recalls == sorted(recalls)
    assert recalls[0] < 0.7 < 0.95 < recalls[-1]


def test_sparse_and_dense_input_agree(blobs):
    X, _ = blobs
    X = np.where(np.abs(X) < 3, 0, X)  # some zeros
    dense = HashingNeighborsTransformer(n_candidates=30, random_state=0).fit(X)
    sparse = HashingNeighborsTransformer(n_candidates=30, random_state=0)
    sparse.fit(sp.csr_matrix(X))
    for a, b in zip(dense.kneighbors(X[:50]), sparse.kneighbors(sp.csr_matrix(X[:50]))):
        np.testing.assert_array_equal(a, b)


def test_precomputed_pipelines_match_exact_neighbours(blobs):
    X, y = blobs
    exact_graph = KNeighborsTransformer(n_neighbors=10, mode="distance")
    ours = HashingNeighborsTransformer(n_candidates=len(X), n_neighbors=10)
    # Isomap, on one connected manifold
    roll, _ = make_swiss_roll(n_samples=300, random_state=0)
    embedded = make_pipeline(ours, Isomap(n_neighbors=10, metric="precomputed"))
    reference = make_pipeline(exact_graph, Isomap(n_neighbors=10, metric="precomputed"))
    np.testing.assert_allclose(
        np.abs(embedded.fit_transform(roll)),
        np.abs(reference.fit_transform(roll)),
        atol=1e-6,
    )
    # DBSCAN
    labels = make_pipeline(ours, DBSCAN(eps=1.5, metric="precomputed")).fit_predict(X)
    expected = make_pipeline(exact_graph, DBSCAN(eps=1.5, metric="precomputed"))
    np.testing.assert_array_equal(labels, expected.fit_predict(X))
    # KNeighborsClassifier
    classifier = make_pipeline(
        ours, KNeighborsClassifier(n_neighbors=10, metric="precomputed")
    ).fit(X[:200], y[:200])
    reference_classifier = KNeighborsClassifier(n_neighbors=10).fit(X[:200], y[:200])
    np.testing.assert_array_equal(
        classifier.predict(X[200:]), reference_classifier.predict(X[200:])
    )
    # SpectralClustering on the connectivity graph
    connectivity = HashingNeighborsTransformer(
        n_candidates=len(X), n_neighbors=10, mode="connectivity"
    ).fit_transform(X)
    spectral = SpectralClustering(
        n_clusters=4, affinity="precomputed_nearest_neighbors", random_state=0
    )
    reference_spectral = SpectralClustering(
        n_clusters=4, affinity="nearest_neighbors", n_neighbors=10, random_state=0
    )
    np.testing.assert_array_equal(
        spectral.fit_predict(connectivity), reference_spectral.fit_predict(X)
    )
    # TSNE (perplexity 5 needs 16 neighbours)
    tsne_ours = make_pipeline(
        HashingNeighborsTransformer(n_candidates=len(X), n_neighbors=16),
        TSNE(metric="precomputed", perplexity=5, init="random", random_state=0),
    ).fit_transform(X)
    tsne_exact = make_pipeline(
        KNeighborsTransformer(n_neighbors=16),
        TSNE(metric="precomputed", perplexity=5, init="random", random_state=0),
    ).fit_transform(X)
    np.testing.assert_allclose(tsne_ours, tsne_exact, rtol=1e-4, atol=1e-4)


def test_grid_search_over_candidates_and_hasher(blobs):
    X, y = blobs
    pipeline = make_pipeline(
        HashingNeighborsTransformer(
            SignRandomProjection(random_state=0), n_neighbors=5, mode="distance"
        ),
        KNeighborsClassifier(n_neighbors=5, metric="precomputed"),
    )
    grid = GridSearchCV(
        pipeline,
        {
            "hashingneighborstransformer__n_candidates": [5, 200],
            "hashingneighborstransformer__hasher__n_components": [8, 64],
        },
        cv=3,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.9


def test_partial_fit_equals_fit_with_a_fitted_hasher():
    X = np.random.default_rng(2).normal(size=(1000, 12))
    hasher = SignRandomProjection(n_components=128, random_state=0).fit(X)
    whole = HashingNeighborsTransformer(hasher, n_candidates=40).fit(X)
    streamed = HashingNeighborsTransformer(hasher, n_candidates=40)
    for start in range(0, 1000, 90):
        streamed.partial_fit(X[start : start + 90])
    assert streamed.n_samples_fit_ == 1000
    for a, b in zip(whole.kneighbors(X[:50], 7), streamed.kneighbors(X[:50], 7)):
        np.testing.assert_array_equal(a, b)
    loaded = pickle.loads(pickle.dumps(streamed))
    np.testing.assert_array_equal(
        loaded.kneighbors(X[:50], 7)[1], streamed.kneighbors(X[:50], 7)[1]
    )


def test_a_fitted_hasher_is_used_as_it_is():
    X = np.random.default_rng(3).normal(size=(100, 6))
    hasher = SignRandomProjection(n_components=16, random_state=0).fit(X[:10])
    search = HashingNeighborsTransformer(hasher).fit(X)
    np.testing.assert_array_equal(search.hasher_.mean_, hasher.mean_)
    assert search.hasher_ is not hasher


def test_clear_errors(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="n_samples = 3"):
        HashingNeighborsTransformer(n_neighbors=5).fit(X[:3])
    search = HashingNeighborsTransformer(n_neighbors=5).fit(X)
    with pytest.raises(ValueError, match="None"):
        search.transform(None)
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        search.kneighbors(X[:2], n_neighbors=301)
    with pytest.raises(ValueError, match="8 features"):
        search.kneighbors(X[:2, :3])


def test_duplicate_sparse_entries_are_summed_in_the_re_ranking():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 5))
    dense_search = HashingNeighborsTransformer(n_candidates=60, random_state=0)
    expected = dense_search.fit(X).kneighbors(X[:10])
    # The same values, each stored as two halves at the same position.
    n_samples, n_features = X.shape
    halves = sp.csr_matrix(
        (
            np.repeat(X.ravel() / 2, 2),
            np.tile(np.repeat(np.arange(n_features), 2), n_samples),
            np.arange(0, 2 * X.size + 1, 2 * n_features),
        ),
        shape=X.shape,
    )
    assert not halves.has_canonical_format
    sparse_search = HashingNeighborsTransformer(n_candidates=60, random_state=0)
    result = sparse_search.fit(halves).kneighbors(X[:10])
    np.testing.assert_array_equal(result[1], expected[1])
    np.testing.assert_allclose(result[0], expected[0], rtol=1e-12)
