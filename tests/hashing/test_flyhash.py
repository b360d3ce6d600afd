"""Tests for FlyHashTransformer: codes, invariances, parameters and API contract."""

import pickle
import re

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from sklearn import config_context
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_kexue import FlyHashTransformer
from sklearn_kexue.testing import (
    as_format,
    assert_even_hamming_distances,
    assert_fixed_weight_codes,
    assert_input_unchanged,
    assert_pickle_roundtrip,
    assert_reproducible,
    assert_row_independent,
    assert_row_shift_scale_invariance,
    assert_same_output_across_formats,
    estimators,
    matrices,
)
from sklearn_kexue.utils import check_pydata_sparse
from tests._kernel_paths import KERNEL_PATHS, kernel_path


def reference_activations(X, connections):
    """Unit sums in ascending feature order, like the kernels (cumsum is serial)."""
    return np.cumsum(X[:, connections], axis=2)[..., -1]


def reference_codes(X, hasher):
    """Top-k of the reference activations; ties go to the lower unit index."""
    activations = reference_activations(X, hasher.connections_)
    unit_index = np.broadcast_to(np.arange(activations.shape[1]), activations.shape)
    winners = np.lexsort((unit_index, -activations), axis=1)[:, : hasher.hash_length_]
    values = np.take_along_axis(activations, winners, axis=1)
    if hasher.center and not hasher.binary:
        values = values - hasher.fan_in_ * X.mean(axis=1, keepdims=True)
    codes = np.zeros_like(activations)
    np.put_along_axis(codes, winners, 1 if hasher.binary else values, axis=1)
    return codes


def to_dense(X):
    X = check_pydata_sparse(X)
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def small_hashers(**overrides):
    """FlyHash instances with small valid dimensions for up to 10 input features."""
    params = {
        "n_components": st.integers(4, 40),
        "hash_length": st.integers(1, 3),
        "fan_in": st.one_of(st.integers(1, 3), st.floats(0.05, 1.0)),
        "random_state": st.integers(0, 1000),
    }
    params.update(overrides)
    return estimators(FlyHashTransformer, **params)


@pytest.mark.parametrize("path", KERNEL_PATHS)
@given(hasher=small_hashers(), X=matrices(n_features=(3, 10)))
def test_codes_match_reference_top_k(path, hasher, X):
    with kernel_path(path):
        actual = to_dense(hasher.fit(X).transform(X))
    X_dense = to_dense(X)
    expected = reference_codes(X_dense, hasher)
    if hasher.center and not hasher.binary:
        # Row means of sparse and dense input may differ in the last bit.
        scale = 1 + hasher.fan_in_ * np.abs(X_dense).max()
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5 * scale)
    else:
        np.testing.assert_array_equal(actual, expected)


@given(hasher=small_hashers(binary=True), X=matrices(n_features=(3, 10)))
def test_exactly_k_ones_and_even_hamming_distances(hasher, X):
    codes = hasher.fit_transform(X)
    assert_fixed_weight_codes(codes, hasher.hash_length_)
    assert_even_hamming_distances(codes)


@given(
    hasher=small_hashers(binary=True),
    X=matrices(n_features=(3, 10), formats=["dense"], integer_valued=True),
    data=st.data(),
)
def test_codes_invariant_to_row_shift_and_positive_scaling(hasher, X, data):
    # Integer data, integer shifts and power-of-two scales keep every sum exact.
    n_samples = X.shape[0]
    shifts = np.array(
        data.draw(
            st.lists(st.integers(-50, 50), min_size=n_samples, max_size=n_samples)
        ),
        dtype=float,
    )
    scales = 2.0 ** np.array(
        data.draw(st.lists(st.integers(-3, 3), min_size=n_samples, max_size=n_samples))
    )
    hasher.fit(X)
    assert_row_shift_scale_invariance(hasher, X, shifts, scales)


@pytest.mark.parametrize("path", KERNEL_PATHS)
@given(hasher=small_hashers(), X=matrices(n_features=(3, 10), formats=["dense"]))
def test_dense_sparse_and_pydata_inputs_give_identical_codes(path, hasher, X):
    with kernel_path(path):
        assert_same_output_across_formats(hasher, X)


@given(hasher=small_hashers(), X=matrices(n_features=(3, 10)))
def test_deterministic_under_random_state(hasher, X):
    assert_reproducible(hasher, X)


@given(hasher=small_hashers(), X=matrices(n_features=(3, 10), n_samples=(2, 20)))
def test_rows_are_hashed_independently(hasher, X):
    # Covers scikit-learn's subset and sample-order invariance checks, which
    # force n_components=1 and therefore cannot run on FlyHash.
    hasher.fit(X)
    assert_row_independent(hasher, X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("format", ["dense", "csr_matrix"])
@pytest.mark.parametrize(
    "params",
    [
        {"hash_length": 5},
        {"hash_length": 5, "binary": False, "center": True},
        {"n_components": 300, "hash_length": 90, "binary": False},
    ],
)
def test_numpy_twin_gives_the_compiled_codes_bit_for_bit(params, format, dtype):
    # Small calls run in NumPy and large ones compiled: the same codes either way,
    # ties (few distinct values) and value tags (with centring) included.
    rng = np.random.default_rng(0)
    X = rng.integers(-2, 3, size=(70, 30)).astype(dtype)
    X[:, :10] = rng.standard_normal((70, 10))
    X[X == 0] = -0.0
    hasher = FlyHashTransformer(random_state=0, **params).fit(X)
    with kernel_path("numpy"):
        twin = hasher.transform(as_format(X, format))
    with kernel_path("compiled"):
        compiled = hasher.transform(as_format(X, format))
    np.testing.assert_array_equal(twin.indices, compiled.indices)
    np.testing.assert_array_equal(twin.data, compiled.data)
    np.testing.assert_array_equal(np.signbit(twin.data), np.signbit(compiled.data))


@pytest.mark.parametrize("path", KERNEL_PATHS)
@pytest.mark.parametrize(
    "scale, dtype",
    [(2.0**-900, np.float64), (2.0**900, np.float64), (2.0**60, np.float32)],
)
def test_extreme_scales_give_the_codes_of_the_unscaled_data(path, scale, dtype):
    # Sums of values near 1e300 overflow; codes are scale-invariant, so the
    # transform rescales such batches by a power of two (exactly) and agrees.
    X = np.random.default_rng(0).integers(1, 50, size=(40, 30)).astype(dtype)
    hasher = FlyHashTransformer(
        hash_length=4, fan_in=25, binary=False, random_state=0
    ).fit(X)
    with kernel_path(path):
        expected = hasher.transform(X)
        extreme = hasher.transform(X * dtype(scale))
    np.testing.assert_array_equal(extreme.indices, expected.indices)
    np.testing.assert_array_equal(extreme.data, expected.data * dtype(scale))
    assert np.all(np.isfinite(extreme.data))


def test_value_tags_keep_activations_and_centering_subtracts_fan_in_times_mean():
    X = np.random.default_rng(0).normal(size=(30, 12))
    hasher = FlyHashTransformer(
        n_components=50,
        hash_length=5,
        binary=False,
        sparse_output=False,
        random_state=1,
    ).fit(X)
    raw = hasher.transform(X)
    np.testing.assert_array_equal(raw, reference_codes(X, hasher))
    centered = hasher.set_params(center=True).transform(X)
    winners = raw != 0
    shift = hasher.fan_in_ * X.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(centered[winners], (raw - shift)[winners], rtol=1e-12)
    # Centring never moves the winners of a fixed fan-in projection.
    binary = hasher.set_params(binary=True, center=False).transform(X)
    np.testing.assert_array_equal(binary != 0, winners)


def test_centering_does_not_change_binary_codes():
    X = np.random.default_rng(3).random((40, 30))
    plain = FlyHashTransformer(hash_length=4, random_state=0).fit(X)
    centered = FlyHashTransformer(hash_length=4, center=True, random_state=0).fit(X)
    assert (plain.transform(X) != centered.transform(X)).nnz == 0


@pytest.mark.parametrize("path", KERNEL_PATHS)
def test_ties_go_to_the_lower_unit_index(path):
    # All-equal inputs make every unit's sum equal: the first k units must win.
    hasher = FlyHashTransformer(n_components=10, hash_length=3, random_state=0)
    with kernel_path(path):
        codes = hasher.fit_transform(np.ones((2, 8)))
    np.testing.assert_array_equal(codes.indices, [0, 1, 2, 0, 1, 2])


@pytest.mark.parametrize("path", KERNEL_PATHS)
@pytest.mark.parametrize("format", ["dense", "csr_matrix"])
def test_constant_rows_keep_the_first_units(format, path):
    # Every unit ties: all 640 units are candidates, which takes the kernels'
    # fallback selection (lane by lane, by quickselect).
    X = np.vstack([np.zeros(64), np.full(64, 3.0), np.arange(64.0)])
    hasher = FlyHashTransformer(hash_length=32, random_state=0).fit(X)
    with kernel_path(path):
        codes = hasher.transform(as_format(X, format)).toarray()
    np.testing.assert_array_equal(np.flatnonzero(codes[0]), np.arange(32))
    np.testing.assert_array_equal(np.flatnonzero(codes[1]), np.arange(32))
    np.testing.assert_array_equal(codes, reference_codes(X, hasher))


@pytest.mark.parametrize("path", KERNEL_PATHS)
@pytest.mark.parametrize("format", ["dense", "csr_matrix"])
def test_long_codes_match_reference(format, path):
    # hash_length > 64 gives more than 128 groups of units: the lower bound is
    # then found lane by lane by quickselect. Few distinct values add ties.
    rng = np.random.default_rng(0)
    X = rng.integers(0, 4, size=(150, 30)).astype(float)
    hasher = FlyHashTransformer(n_components=300, hash_length=90, random_state=0)
    with kernel_path(path):
        codes = hasher.fit(X).transform(as_format(X, format)).toarray()
    np.testing.assert_array_equal(codes, reference_codes(X, hasher))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparse_output", [True, False])
def test_output_dtype_container_and_shape(dtype, sparse_output):
    X = np.random.default_rng(0).random((7, 20)).astype(dtype)
    codes = FlyHashTransformer(
        hash_length=4, sparse_output=sparse_output, random_state=0
    ).fit_transform(X)
    assert codes.dtype == dtype
    assert codes.shape == (7, 80)
    assert sp.issparse(codes) == sparse_output
    if sparse_output:
        assert codes.has_sorted_indices
        np.testing.assert_array_equal(np.diff(codes.indptr), 4)


def test_sparse_output_follows_sklearn_sparse_interface():
    X = np.random.default_rng(0).random((3, 20))
    hasher = FlyHashTransformer(hash_length=2, random_state=0).fit(X)
    assert isinstance(hasher.transform(X), sp.csr_matrix)
    with config_context(sparse_interface="sparray"):
        assert isinstance(hasher.transform(X), sp.csr_array)


def test_dimension_defaults_follow_the_paper():
    X = np.zeros((2, 128))
    hasher = FlyHashTransformer(hash_length=16).fit(X)
    assert (hasher.n_components_, hasher.hash_length_, hasher.fan_in_) == (320, 16, 12)
    hasher = FlyHashTransformer(n_components=10.0, hash_length=0.05, fan_in=7).fit(X)
    assert (hasher.n_components_, hasher.hash_length_, hasher.fan_in_) == (1280, 64, 7)


@pytest.mark.parametrize(
    "params, n_features, message",
    [
        ({"fan_in": 20}, 10, "fan_in=20 must not exceed n_features=10"),
        (
            {"hash_length": 0.1},
            10,
            "n_components='auto' (20 * hash_length) needs an integer",
        ),
        (
            {"n_components": 0.04, "hash_length": 1},
            10,
            "n_components=0.04 gives no unit for n_features=10",
        ),
    ],
)
def test_impossible_settings_raise_clear_errors(params, n_features, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        FlyHashTransformer(**params).fit(np.zeros((3, n_features)))


@pytest.mark.parametrize(
    "params, n_features, n_units",
    [
        ({"n_components": 40, "hash_length": 50}, 10, 40),
        ({"n_components": 40, "hash_length": 40}, 10, 40),
        ({"n_components": 1}, 10, 1),
        ({"n_components": 0.1, "hash_length": 2}, 10, 1),
    ],
)
def test_hash_length_of_all_units_warns_and_keeps_every_unit(
    params, n_features, n_units
):
    # As SelectKBest with k > n_features: keep everything, and say so.
    X = np.random.default_rng(0).random((4, n_features))
    with pytest.warns(UserWarning, match="every unit wins"):
        hasher = FlyHashTransformer(random_state=0, **params).fit(X)
    assert (hasher.n_components_, hasher.hash_length_) == (n_units, n_units)
    np.testing.assert_array_equal(hasher.transform(X).toarray(), np.ones((4, n_units)))


def test_connections_are_distinct_sorted_and_uniform():
    n_features, fan_in = 50, 5
    hasher = FlyHashTransformer(
        n_components=4000, hash_length=10, fan_in=fan_in, random_state=0
    )
    hasher.fit(np.zeros((1, n_features)))
    connections = hasher.connections_
    assert connections.shape == (4000, fan_in)
    assert np.all(np.diff(connections, axis=1) > 0)
    counts = np.bincount(connections.ravel(), minlength=n_features)
    expected = 4000 * fan_in / n_features
    # Each feature's usage is binomial(4000, 0.1): sd = sqrt(4000 * 0.1 * 0.9) = 19.
    assert np.abs(counts - expected).max() < 5 * 19
    components = hasher.components_
    assert components.shape == (4000, n_features)
    np.testing.assert_array_equal(components.sum(axis=1), fan_in)


def test_wide_inputs_sample_connections_without_random_keys():
    # Above 4096 features connections are drawn per unit; they must stay valid
    # and reproducible, and sparse input must hash without densifying.
    n_features = 5000
    X = sp.random(20, n_features, density=0.01, format="csr", random_state=0)
    hasher = FlyHashTransformer(
        n_components=200, hash_length=5, fan_in=0.01, random_state=0
    )
    codes = hasher.fit_transform(X)
    assert hasher.connections_.shape == (200, 50)
    assert np.all(np.diff(hasher.connections_, axis=1) > 0)
    again = FlyHashTransformer(
        n_components=200, hash_length=5, fan_in=0.01, random_state=0
    )
    np.testing.assert_array_equal(again.fit(X).connections_, hasher.connections_)
    assert_fixed_weight_codes(codes, 5)
    np.testing.assert_array_equal(
        codes.toarray(), hasher.transform(X.toarray()).toarray()
    )


@pytest.mark.parametrize("sparse_output", [True, False])
@pytest.mark.parametrize("format", ["dense", "csr_matrix"])
def test_threads_do_not_change_the_codes(sparse_output, format):
    X = as_format(np.random.default_rng(0).random((500, 40)), format)
    hasher = FlyHashTransformer(
        hash_length=6,
        binary=False,
        center=True,
        sparse_output=sparse_output,
        random_state=0,
    ).fit(X)
    expected = to_dense(hasher.transform(X))
    for n_jobs in (2, -1):
        np.testing.assert_array_equal(
            to_dense(hasher.set_params(n_jobs=n_jobs).transform(X)), expected
        )
    with config_context(working_memory=0.001):
        np.testing.assert_array_equal(to_dense(hasher.transform(X)), expected)


def test_batched_transform_equals_single_batch():
    X = np.random.default_rng(0).random((300, 40)).astype(np.float32)
    for sparse_output in (True, False):
        hasher = FlyHashTransformer(
            hash_length=8, sparse_output=sparse_output, random_state=0
        ).fit(X)
        whole = hasher.transform(X)
        with config_context(working_memory=0.001):  # about 6 rows per batch
            batched = hasher.transform(X)
        whole = whole.toarray() if sparse_output else whole
        batched = batched.toarray() if sparse_output else batched
        np.testing.assert_array_equal(whole, batched)


def test_non_canonical_csr_input_is_hashed_correctly_and_left_unchanged():
    # Unsorted indices and duplicate entries (which sum) on the caller's matrix.
    data = np.array([1.0, 2.0, 0.5, 3.0, 0.25])
    indices = np.array([3, 1, 3, 0, 2])
    indptr = np.array([0, 3, 5])
    X = sp.csr_matrix((data, indices, indptr), shape=(2, 4))
    X.has_sorted_indices = False
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    hasher = FlyHashTransformer(
        n_components=6, hash_length=2, fan_in=2, binary=False, random_state=0
    )
    codes = hasher.fit_transform(X)
    np.testing.assert_array_equal(
        codes.toarray(), hasher.transform(X.toarray()).toarray()
    )
    for original, now in zip(before, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(original, now)


@pytest.mark.parametrize("format", ["dense", "csr_matrix", "pydata_coo"])
def test_input_is_never_modified(format):
    X = as_format(np.random.default_rng(0).random((10, 20)), format)
    assert_input_unchanged(
        FlyHashTransformer(hash_length=3, binary=False, center=True, random_state=0), X
    )


@pytest.mark.parametrize("params", [{}, {"sparse_output": False, "binary": False}])
def test_pickle_round_trip_is_exact(params):
    X = np.random.default_rng(0).random((10, 20))
    assert_pickle_roundtrip(
        FlyHashTransformer(hash_length=3, random_state=0, **params), X
    )
    fitted = FlyHashTransformer(hash_length=3, random_state=0).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.connections_, fitted.connections_)


def test_one_sample_one_feature_and_one_dimensional_input():
    # What scikit-learn's fit2d_1sample/fit2d_1feature/fit1d checks would cover.
    codes = FlyHashTransformer(hash_length=2, random_state=0).fit_transform(
        np.ones((1, 5))
    )
    assert codes.shape == (1, 40)
    hasher = FlyHashTransformer(hash_length=2, random_state=0).fit(
        np.arange(6.0).reshape(6, 1)
    )
    assert hasher.fan_in_ == 1
    assert_fixed_weight_codes(hasher.transform(np.arange(6.0).reshape(6, 1)), 2)
    with pytest.raises(ValueError, match="Expected 2D"):
        FlyHashTransformer().fit(np.arange(5.0))
    with pytest.raises(ValueError, match="Expected 2D"):
        hasher.transform(np.arange(5.0))


def test_fit_does_not_change_parameters():
    hasher = FlyHashTransformer(
        hash_length=0.1, n_components=30, fan_in=0.5, random_state=0
    )
    before = hasher.get_params()
    hasher.fit(np.random.default_rng(0).random((5, 10)))
    assert hasher.get_params() == before


def test_feature_names_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(
        np.random.default_rng(0).random((4, 10)), columns=[f"f{i}" for i in range(10)]
    )
    hasher = FlyHashTransformer(hash_length=2, sparse_output=False, random_state=0)
    hasher.set_output(transform="pandas")
    codes = hasher.fit_transform(X)
    assert list(codes.columns[:2]) == ["flyhashtransformer0", "flyhashtransformer1"]
    assert codes.shape == (4, 40)


def test_pipeline_and_grid_search_on_digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    pipeline = make_pipeline(
        FlyHashTransformer(random_state=0), LogisticRegression(max_iter=2000)
    )
    search = GridSearchCV(
        pipeline, {"flyhashtransformer__hash_length": [4, 32]}, cv=3
    ).fit(X_train, y_train)
    # Longer codes keep more information about the digit.
    assert search.best_params_ == {"flyhashtransformer__hash_length": 32}
    assert search.score(X_test, y_test) > 0.9


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_units, fan_in", [(1, 1), (7, 3), (40, 13), (33, 20)])
def test_vector_projection_adds_in_ascending_feature_order(dtype, n_units, fan_in):
    from sklearn_kexue.hashing._fly_kernels import LANE_GROUP, _project_block

    # Register-held vector sums must give the serial sum's bits in every lane.
    rng = np.random.default_rng(n_units)
    n_features, block_rows = 23, 48
    X = rng.standard_normal((block_rows, n_features)).astype(dtype) * 1e3
    X[::5] *= 1e-6  # mixed magnitudes: any reordering changes the rounding
    connections = np.sort(
        np.stack(
            [rng.choice(n_features, fan_in, replace=False) for _ in range(n_units)]
        )
    ).astype(np.int32)
    groups = np.zeros((block_rows // LANE_GROUP, n_features * LANE_GROUP), dtype=dtype)
    for lane in range(block_rows):
        group, slot = divmod(lane, LANE_GROUP)
        groups[group, slot::LANE_GROUP] = X[lane]
    activations = np.full(n_units * block_rows, np.nan, dtype=dtype)
    _project_block(groups, connections, activations)
    expected = reference_activations(X, connections)  # (block_rows, n_units)
    np.testing.assert_array_equal(activations.reshape(n_units, block_rows), expected.T)
