import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import sparse
from sklearn.neighbors import NearestNeighbors

from sklearn_kexue import FlyHashTransformer, SignRandomProjection
from sklearn_kexue.neighbors import HammingNeighbors
from sklearn_kexue.neighbors._hamming import inverted_index_pays

ALGORITHMS = ["packed", "inverted_index"]


def _brute_force(queries, codes, n_neighbors):
    """The n smallest (distance, row) pairs, lexicographically."""
    distances = (queries[:, None, :] != codes[None, :, :]).sum(axis=2)
    rows = np.broadcast_to(np.arange(codes.shape[0]), distances.shape)
    order = np.lexsort((rows, distances), axis=1)[:, :n_neighbors]
    return np.take_along_axis(distances, order, axis=1), order


def _random_codes(rng, n, n_bits, density=0.3):
    return (rng.random((n, n_bits)) < density).astype(np.float64)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("n_bits", [5, 64, 65, 200])
def test_kneighbors_equals_brute_force_with_ties(algorithm, n_bits):
    rng = np.random.default_rng(n_bits)
    codes = _random_codes(rng, 700, n_bits)
    codes[100:110] = codes[5]  # exact duplicates: ties at distance 0
    queries = _random_codes(rng, 40, n_bits)
    queries[:3] = codes[5]
    index = HammingNeighbors(n_neighbors=15, algorithm=algorithm).fit(codes)
    distances, indices = index.kneighbors(queries)
    expected_distances, expected_indices = _brute_force(queries, codes, 15)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_array_equal(distances, expected_distances)
    assert distances.dtype == np.float64 and indices.dtype == np.int64
    if n_bits >= 64:  # (short random codes have other exact copies of row 5)
        # The duplicates of row 5 come first, in increasing index order.
        np.testing.assert_array_equal(indices[0, :11], [5, *range(100, 110)])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_agrees_with_scikit_learn_hamming(algorithm):
    rng = np.random.default_rng(0)
    codes, queries = _random_codes(rng, 300, 48), _random_codes(rng, 20, 48)
    ours = HammingNeighbors(n_neighbors=7, algorithm=algorithm).fit(codes)
    theirs = NearestNeighbors(n_neighbors=7, metric="hamming").fit(codes)
    np.testing.assert_allclose(
        ours.kneighbors(queries)[0], theirs.kneighbors(queries)[0] * 48
    )
    # X=None: each row is left out of its own neighbours, as scikit-learn does.
    np.testing.assert_allclose(ours.kneighbors()[0], theirs.kneighbors()[0] * 48)
    radius_ours = ours.radius_neighbors(queries, radius=12, sort_results=True)
    radius_theirs = theirs.radius_neighbors(
        queries, radius=12.5 / 48, sort_results=True
    )
    for mine, reference in zip(radius_ours[0], radius_theirs[0]):
        np.testing.assert_allclose(mine, reference * 48)


@pytest.mark.parametrize(
    "container",
    [np.asarray, sp.csr_matrix, sp.csc_array, sp.coo_matrix, sparse.COO.from_numpy],
)
def test_input_containers_give_the_same_neighbours(container):
    rng = np.random.default_rng(1)
    codes, queries = _random_codes(rng, 200, 70), _random_codes(rng, 10, 70)
    expected = HammingNeighbors(n_neighbors=4).fit(codes).kneighbors(queries)
    for algorithm in ALGORITHMS:
        index = HammingNeighbors(n_neighbors=4, algorithm=algorithm)
        result = index.fit(container(codes)).kneighbors(container(queries))
        np.testing.assert_array_equal(result[1], expected[1])
        np.testing.assert_array_equal(result[0], expected[0])


def test_packed_input_matches_unpacked_bits():
    X = np.random.default_rng(2).normal(size=(300, 10))
    srp = SignRandomProjection(n_components=100, random_state=0).fit(X)
    bits = srp.transform(X)
    packed = srp.set_params(packed_output=True).transform(X)
    expected = HammingNeighbors(n_neighbors=5).fit(bits).kneighbors(bits[:20])
    result = HammingNeighbors(n_neighbors=5, packed_input=True).fit(packed)
    np.testing.assert_array_equal(result.kneighbors(packed[:20])[1], expected[1])
    assert result.n_bits_ == 104


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_partial_fit_equals_fit(algorithm):
    rng = np.random.default_rng(3)
    codes, queries = _random_codes(rng, 2000, 90), _random_codes(rng, 30, 90)
    whole = HammingNeighbors(n_neighbors=9, algorithm=algorithm).fit(codes)
    streamed = HammingNeighbors(n_neighbors=9, algorithm=algorithm)
    for start in range(0, 2000, 333):
        streamed.partial_fit(codes[start : start + 333])
    assert streamed.n_samples_fit_ == 2000
    for a, b in zip(whole.kneighbors(queries), streamed.kneighbors(queries)):
        np.testing.assert_array_equal(a, b)


def test_inverted_index_spans_posting_blocks():
    # More rows than one posting block (2**14): block offsets must add up.
    rng = np.random.default_rng(4)
    n, n_units, k = 40_000, 400, 8
    units = np.argsort(rng.random((n, n_units)), axis=1)[:, :k]
    codes = sp.csr_matrix(
        (np.ones(n * k), units.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n_units)
    )
    queries = codes[[0, 20_000, 39_999]]
    packed = HammingNeighbors(n_neighbors=20, algorithm="packed").fit(codes)
    inverted = HammingNeighbors(n_neighbors=20, algorithm="inverted_index")
    inverted.partial_fit(codes[:17_000]).partial_fit(codes[17_000:])
    for a, b in zip(packed.kneighbors(queries), inverted.kneighbors(queries)):
        np.testing.assert_array_equal(a, b)
    assert inverted.kneighbors(queries)[1][:, 0].tolist() == [0, 20_000, 39_999]


def test_auto_picks_the_inverted_index_for_sparse_winner_take_all_codes():
    X = np.random.default_rng(5).normal(size=(500, 40))
    fly = FlyHashTransformer(n_components=2000, hash_length=16, random_state=0)
    codes = fly.fit_transform(X)
    assert HammingNeighbors().fit(codes).fit_method_ == "inverted_index"
    dense = SignRandomProjection(n_components=256, random_state=0).fit_transform(X)
    assert HammingNeighbors().fit(dense).fit_method_ == "packed"
    # The cost model: k = 32 of m units, N rows.
    n = 10**6
    assert inverted_index_pays(n, 2000, np.full(2000, n * 32 // 2000))
    assert not inverted_index_pays(n, 256, np.full(256, n // 2))


def test_graphs_sorted_with_explicit_zeros():
    rng = np.random.default_rng(6)
    codes = _random_codes(rng, 100, 16)
    index = HammingNeighbors(n_neighbors=3).fit(codes)
    graph = index.kneighbors_graph(codes, mode="distance")
    assert graph.shape == (100, 100) and graph.nnz == 300
    np.testing.assert_array_equal(graph.data[::3], 0)  # each row finds itself
    rows = np.split(graph.data, graph.indptr[1:-1])
    assert all(np.all(np.diff(row) >= 0) for row in rows)
    connectivity = index.kneighbors_graph()
    np.testing.assert_array_equal(connectivity.diagonal(), 0)
    radius = index.radius_neighbors_graph(codes[:5], radius=2, mode="distance")
    assert radius.shape == (5, 100) and np.all(radius.data <= 2)


def test_threads_and_batches_do_not_change_the_answer():
    import sklearn

    rng = np.random.default_rng(7)
    codes, queries = _random_codes(rng, 3000, 130), _random_codes(rng, 500, 130)
    expected = HammingNeighbors(n_neighbors=5).fit(codes).kneighbors(queries)
    with sklearn.config_context(working_memory=0.01):
        threaded = HammingNeighbors(n_neighbors=5, n_jobs=2).fit(codes)
        result = threaded.kneighbors(queries)
        radius = threaded.radius_neighbors(queries, radius=40)
    for a, b in zip(expected, result):
        np.testing.assert_array_equal(a, b)
    reference = threaded.set_params(n_jobs=1).radius_neighbors(queries, radius=40)
    for a, b in zip(radius[1], reference[1]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_pickle_round_trip(algorithm):
    rng = np.random.default_rng(8)
    codes = _random_codes(rng, 500, 40)
    index = HammingNeighbors(algorithm=algorithm).partial_fit(codes[:300])
    index.partial_fit(codes[300:])
    loaded = pickle.loads(pickle.dumps(index))
    for a, b in zip(index.kneighbors(codes[:10]), loaded.kneighbors(codes[:10])):
        np.testing.assert_array_equal(a, b)
    loaded.partial_fit(codes[:7])  # still appendable after loading
    assert loaded.n_samples_fit_ == 507


def test_binarize_threshold():
    X = np.array([[0.2, 0.8, 0.5], [0.9, 0.1, 0.6]])
    index = HammingNeighbors(n_neighbors=1, binarize=0.55).fit(X)
    # Bits [0, 1, 0] and [1, 0, 1]: the query [0, 1, 1] is 1 from row 0.
    distances, indices = index.kneighbors([[0.0, 0.9, 0.7]])
    assert indices.tolist() == [[0]] and distances.tolist() == [[1.0]]


def test_clear_errors():
    codes = np.array([[0, 1, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="binary codes"):
        HammingNeighbors(binarize=None).fit([[0, 2, 1]])
    with pytest.raises(ValueError, match="negative"):
        HammingNeighbors(binarize=-1.0).fit(sp.csr_matrix(codes))
    with pytest.raises(TypeError, match="uint8"):
        HammingNeighbors(packed_input=True).fit(codes)
    index = HammingNeighbors(n_neighbors=1).fit(codes)
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        index.kneighbors(codes, n_neighbors=3)
    with pytest.raises(ValueError, match="n_neighbors < n_samples_fit"):
        index.kneighbors(n_neighbors=2)
    with pytest.raises(ValueError, match="3 features"):
        index.kneighbors([[0, 1]])
    with pytest.raises(ValueError, match="radius"):
        index.radius_neighbors(codes, radius=-1)
    with pytest.raises(ValueError, match="mode"):
        index.kneighbors_graph(codes, mode="weights")
    with pytest.raises(TypeError, match="n_neighbors"):
        index.kneighbors(codes, n_neighbors=1.5)


def test_input_is_not_modified():
    rng = np.random.default_rng(9)
    codes = _random_codes(rng, 50, 20)
    copy = codes.copy()
    HammingNeighbors(binarize=0.5).fit(codes).kneighbors(codes)
    np.testing.assert_array_equal(codes, copy)


def test_duplicate_sparse_entries_add_up_before_thresholding():
    # 0.3 + 0.4 stored twice at one position is 0.7 > 0.5: a one, as dense.
    duplicated = sp.csr_matrix(
        (np.array([0.3, 0.4, 1.0]), np.array([0, 0, 2]), np.array([0, 2, 3])),
        shape=(2, 3),
    )
    dense = duplicated.toarray()
    index = HammingNeighbors(n_neighbors=2, binarize=0.5)
    expected = index.fit(dense).kneighbors(dense)
    result = index.fit(duplicated).kneighbors(duplicated)
    for a, b in zip(expected, result):
        np.testing.assert_array_equal(a, b)
