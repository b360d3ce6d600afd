"""Tests for SignRandomProjection (SimHash)."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_digits

from sklearn_kexue import SignRandomProjection
from sklearn_kexue.testing import (
    as_format,
    assert_input_unchanged,
    assert_pickle_roundtrip,
    assert_reproducible,
    assert_row_independent,
    estimators,
    matrices,
)
from sklearn_kexue.utils import check_pydata_sparse


def to_dense(X):
    X = check_pydata_sparse(X)
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def small_projections(**overrides):
    params = {"n_components": st.integers(1, 40), "random_state": st.integers(0, 1000)}
    params.update(overrides)
    return estimators(SignRandomProjection, **params)


@given(srp=small_projections(packed_output=False), X=matrices())
def test_codes_are_signs_of_centred_projections(srp, X):
    codes = srp.fit(X).transform(X)
    X_dense = to_dense(X).astype(np.float64)
    mean = X_dense.mean(axis=0) if srp.center else 0.0
    projection = (X_dense - mean) @ srp.components_.T
    # Bits may differ only where the projection is within rounding error of 0.
    scale = 1e-4 * (1 + np.abs(X_dense).max()) * np.abs(srp.components_).sum(axis=1)
    decided = np.abs(projection) > scale
    np.testing.assert_array_equal(codes[decided], (projection > 0)[decided])
    assert set(np.unique(codes)) <= {0, 1}
    assert codes.dtype == to_dense(X).dtype


@given(srp=small_projections(), X=matrices(formats=["dense"]))
def test_packed_output_is_packbits_of_dense_output(srp, X):
    srp.fit(X)
    dense = srp.set_params(packed_output=False).transform(X)
    packed = srp.set_params(packed_output=True).transform(X)
    assert packed.dtype == np.uint8
    assert packed.shape == (X.shape[0], -(-srp.n_components // 8))
    np.testing.assert_array_equal(packed, np.packbits(dense.astype(bool), axis=1))
    assert len(srp.get_feature_names_out()) == packed.shape[1]


@given(srp=small_projections(), X=matrices())
def test_deterministic_and_row_independent(srp, X):
    assert_reproducible(srp, X)
    assert_row_independent(srp.fit(X), X)


def test_sparse_and_dense_inputs_agree_away_from_zero_projections():
    rng = np.random.default_rng(0)
    X = rng.random((200, 30)) * (rng.random((200, 30)) < 0.3)
    srp = SignRandomProjection(n_components=64, random_state=0).fit(X)
    dense_codes = srp.transform(X)
    for format in (
        "csr_matrix",
        "csc_matrix",
        "csr_array",
        "pydata_coo",
        "pydata_gcxs",
    ):
        np.testing.assert_array_equal(srp.transform(as_format(X, format)), dense_codes)
        refit = SignRandomProjection(n_components=64, random_state=0).fit(
            as_format(X, format)
        )
        np.testing.assert_allclose(refit.mean_, srp.mean_, rtol=1e-12)


def test_hamming_distance_estimates_the_angle():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 50))
    srp = SignRandomProjection(n_components=20000, center=False, random_state=0)
    codes = srp.fit_transform(X)
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    angles = np.arccos(np.clip(unit @ unit.T, -1, 1))
    hamming = (codes[:, None, :] != codes[None, :, :]).mean(axis=2)
    # Each bit disagrees with probability theta / pi; sd <= 0.5 / sqrt(20000) = 0.0035.
    np.testing.assert_allclose(hamming, angles / np.pi, atol=0.02)


def test_centering_spreads_the_bits_of_non_negative_data():
    X, _ = load_digits(return_X_y=True)
    bit_means = {
        center: SignRandomProjection(n_components=256, center=center, random_state=0)
        .fit_transform(X)
        .mean(axis=0)
        for center in (False, True)
    }
    # Without centring, all rows sit in the positive orthant: many bits hardly vary.
    assert np.mean(np.abs(bit_means[False] - 0.5) > 0.45) > 0.2
    assert np.mean(np.abs(bit_means[True] - 0.5) > 0.45) < 0.02


def test_zero_projection_gives_bit_zero():
    srp = SignRandomProjection(n_components=8, center=False, random_state=0)
    np.testing.assert_array_equal(srp.fit_transform(np.zeros((2, 5))), 0)


def test_mean_is_learned_only_with_centering():
    X = np.arange(12.0).reshape(4, 3)
    assert SignRandomProjection(center=False).fit(X).mean_ is None
    np.testing.assert_allclose(SignRandomProjection().fit(X).mean_, [4.5, 5.5, 6.5])


@pytest.mark.parametrize("format", ["dense", "csr_matrix", "pydata_gcxs"])
def test_input_unchanged_and_pickle_round_trip(format):
    X = as_format(np.random.default_rng(0).random((10, 6)), format)
    assert_input_unchanged(SignRandomProjection(random_state=0), X)
    assert_pickle_roundtrip(SignRandomProjection(packed_output=True, random_state=0), X)


def test_feature_count_mismatch_is_reported():
    srp = SignRandomProjection(random_state=0).fit(np.ones((3, 4)))
    with pytest.raises(
        ValueError, match="X has 5 features, but SignRandomProjection is expecting 4"
    ):
        srp.transform(np.ones((3, 5)))
