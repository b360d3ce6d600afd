"""Tests for the shared input helper."""

import numpy as np
import pytest
import scipy.sparse as sp
import sparse
from sklearn.base import BaseEstimator

from sklearn_kexue.utils import check_pydata_sparse, validate_input_data
from sklearn_kexue.utils._validation import validate_sample_weight


@pytest.mark.parametrize(
    "make",
    [
        sparse.COO.from_numpy,
        lambda X: sparse.GCXS.from_numpy(X, compressed_axes=(0,)),
        lambda X: sparse.GCXS.from_numpy(X, compressed_axes=(1,)),
        lambda X: sparse.DOK.from_numpy(X),
    ],
    ids=["COO", "GCXS-rows", "GCXS-columns", "DOK"],
)
def test_pydata_sparse_becomes_scipy_csr(make):
    X = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -3.0]], dtype=np.float32)
    converted = check_pydata_sparse(make(X))
    assert isinstance(converted, sp.csr_array)
    assert converted.dtype == np.float32
    np.testing.assert_array_equal(converted.toarray(), X)


def test_pydata_sparse_errors_name_the_problem():
    with pytest.raises(ValueError, match="fill_value=0"):
        check_pydata_sparse(sparse.COO.from_numpy(np.eye(2)) + 1)
    with pytest.raises(ValueError, match="2-D"):
        check_pydata_sparse(sparse.COO.from_numpy(np.ones((2, 2, 2))))


def test_other_inputs_pass_through_unchanged():
    X = np.ones((2, 2))
    assert check_pydata_sparse(X) is X
    X_sparse = sp.csr_matrix(X)
    assert check_pydata_sparse(X_sparse) is X_sparse


@pytest.mark.parametrize(
    "X, expected_dtype",
    [
        (np.ones((3, 2), dtype=np.float32), np.float32),
        (np.ones((3, 2), dtype=np.int64), np.float64),
        ([[1, 2], [3, 4]], np.float64),
        (sparse.COO.from_numpy(np.eye(3, dtype=np.float32)), np.float32),
    ],
)
def test_validation_keeps_float32_and_sets_n_features_in(X, expected_dtype):
    estimator = BaseEstimator()
    X_valid = validate_input_data(estimator, X)
    assert X_valid.dtype == expected_dtype
    assert estimator.n_features_in_ == X_valid.shape[1]
    with pytest.raises(ValueError, match="features"):
        validate_input_data(estimator, np.ones((2, 7)), reset=False)


def test_shared_dense_input_comes_back_read_only():
    X = np.arange(6.0).reshape(3, 2)
    X_valid = validate_input_data(BaseEstimator(), X)
    assert np.shares_memory(X, X_valid)
    assert not X_valid.flags.writeable
    assert X.flags.writeable  # the caller's array is untouched
    with pytest.raises(ValueError, match="read-only"):
        X_valid += 1
    # A converted copy is the estimator's own and stays writable.
    assert validate_input_data(BaseEstimator(), X.astype(int)).flags.writeable


def test_shared_sparse_buffers_come_back_read_only():
    X = sp.csr_matrix(np.eye(3))
    X_valid = validate_input_data(BaseEstimator(), X)
    assert not X_valid.data.flags.writeable
    assert X.data.flags.writeable
    X_valid_coo = validate_input_data(BaseEstimator(), sp.coo_matrix(np.eye(3)))
    assert X_valid_coo.data.flags.writeable  # converted, not shared


def test_targets_are_validated_with_the_data():
    _, y_valid = validate_input_data(BaseEstimator(), np.ones((3, 2)), [0, 1, 1])
    np.testing.assert_array_equal(y_valid, [0, 1, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        validate_input_data(BaseEstimator(), np.ones((3, 2)), [0, 1])


def test_sample_weight_checks_constants_like_arrays():
    np.testing.assert_array_equal(validate_sample_weight(None, 3), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(validate_sample_weight(2, 3), [2.0, 2.0, 2.0])
    weights = np.array([1.0, 0.0, 3.0])
    validated = validate_sample_weight(weights, 3)
    validated[0] = 5.0
    assert weights[0] == 1.0  # a copy, never the caller's array
    for bad, message in [
        (-1.0, "non-negative"),
        (0.0, "all zero"),
        (np.nan, "NaN"),
        ([1.0, -1.0, 1.0], "non-negative"),
        ([0.0, 0.0, 0.0], "all zero"),
        ([1.0, 1.0], r"expected \(3,\)"),
    ]:
        with pytest.raises(ValueError, match=message):
            validate_sample_weight(bad, 3)
