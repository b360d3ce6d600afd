"""Tests for the shared winner-take-all routine and its tie rule."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_kexue.hashing import winner_take_all
from sklearn_kexue.testing import assert_fixed_weight_codes
from tests._kernel_paths import KERNEL_PATHS, kernel_path


def reference_winners(activations, hash_length):
    """Sort by activation descending, then by unit index ascending."""
    unit_index = np.broadcast_to(np.arange(activations.shape[1]), activations.shape)
    return np.lexsort((unit_index, -activations), axis=1)[:, :hash_length]


@st.composite
def activations_and_k(draw):
    n_units = draw(st.integers(1, 30))
    # Few distinct values: most rows have ties at the selection boundary.
    activations = draw(
        hnp.arrays(
            draw(st.sampled_from([np.float32, np.float64])),
            (draw(st.integers(1, 15)), n_units),
            elements=st.integers(-3, 3).map(float),
        )
    )
    return activations, draw(st.integers(1, n_units))


@pytest.mark.parametrize("path", KERNEL_PATHS)
@given(case=activations_and_k(), binary=st.booleans())
def test_winners_follow_the_tie_rule(path, case, binary):
    activations, hash_length = case
    expected_winners = reference_winners(activations, hash_length)
    with kernel_path(path):
        codes = winner_take_all(activations, hash_length, binary=binary)
        dense = winner_take_all(
            activations, hash_length, binary=binary, sparse_output=False
        )
    assert_fixed_weight_codes(codes, hash_length, binary=binary)
    np.testing.assert_array_equal(
        codes.indices.reshape(-1, hash_length), np.sort(expected_winners, axis=1)
    )
    expected = np.zeros_like(activations)
    np.put_along_axis(
        expected,
        expected_winners,
        1 if binary else np.take_along_axis(activations, expected_winners, axis=1),
        axis=1,
    )
    np.testing.assert_array_equal(codes.toarray(), expected)
    np.testing.assert_array_equal(dense, expected)
    assert dense.dtype == codes.dtype == activations.dtype


@given(
    activations=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(65, 300)),
        elements=st.integers(0, 2).map(float),
    ),
    data=st.data(),
)
def test_heavy_ties_over_many_units_follow_the_tie_rule(activations, data):
    # Three distinct values over up to 300 units: more than 64 candidates, so
    # the exact selection runs by quickselect rather than by counting ranks.
    hash_length = data.draw(st.integers(1, activations.shape[1]))
    with kernel_path("compiled"):
        codes = winner_take_all(activations, hash_length)
    expected = np.sort(reference_winners(activations, hash_length), axis=1)
    np.testing.assert_array_equal(codes.indices.reshape(-1, hash_length), expected)


@given(case=activations_and_k())
def test_a_row_gets_the_same_winners_wherever_it_is(case):
    activations, hash_length = case
    codes = winner_take_all(activations, hash_length).toarray()
    reversed_codes = winner_take_all(activations[::-1], hash_length).toarray()
    np.testing.assert_array_equal(reversed_codes, codes[::-1])


def test_numpy_twin_and_kernel_agree_on_negative_zeros_and_ties():
    # -0.0 == 0.0: equal activations, so the lower unit wins on both paths.
    activations = np.array([[-0.0, 0.0, 1.0, -0.0], [0.0, -0.0, -0.0, 0.0]])
    outputs = {}
    for path in KERNEL_PATHS:
        with kernel_path(path):
            outputs[path] = winner_take_all(activations, 2, binary=False)
    np.testing.assert_array_equal(outputs["numpy"].indices, [0, 2, 0, 1])
    np.testing.assert_array_equal(outputs["compiled"].indices, [0, 2, 0, 1])
    np.testing.assert_array_equal(
        np.signbit(outputs["numpy"].data), np.signbit(outputs["compiled"].data)
    )


def test_sparse_output_has_sorted_indices_and_int32_index_arrays():
    activations = np.random.default_rng(0).random((50, 100))
    codes = winner_take_all(activations, 7)
    assert isinstance(codes, sp.csr_matrix)
    assert codes.has_sorted_indices
    assert codes.indices.dtype == np.int32
    np.testing.assert_array_equal(np.diff(codes.indptr), 7)


def test_invalid_input_raises_clear_errors():
    with pytest.raises(
        ValueError, match="hash_length=5 must not exceed the number of units"
    ):
        winner_take_all(np.ones((2, 4)), 5)
    with pytest.raises(ValueError, match="hash_length"):
        winner_take_all(np.ones((2, 4)), 0)
    with pytest.raises(ValueError, match="NaN"):
        winner_take_all(np.array([[np.nan, 1.0]]), 1)
    with pytest.raises(ValueError, match="Expected 2D"):
        winner_take_all(np.ones(4), 1)
