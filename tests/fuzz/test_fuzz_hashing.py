"""Bad and unusual arguments for the hashing family beyond the estimator fuzz.

``winner_take_all`` over every input case and argument value; partial_fit
sequences of BioHash; and the scale invariance that keeps extreme but finite
inputs from giving silently wrong codes (a rescale by any power of two, up to
the edges of the float range, must give the codes of the unscaled data).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import ConvergenceWarning

from sklearn_kexue import BioHashTransformer, FlyHashTransformer, SignRandomProjection
from sklearn_kexue.hashing import winner_take_all
from tests.fuzz._bad_inputs import ERROR, INPUT_CASES, VALID, check_outcome

_SETTINGS = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _reference_winners(activations, hash_length):
    order = np.argsort(-activations, axis=1, kind="stable")[:, :hash_length]
    return np.sort(order, axis=1)


activation_tables = hnp.arrays(
    np.float64,
    st.tuples(st.integers(2, 12), st.integers(3, 20)),
    elements=st.integers(-3, 3).map(float),  # few values: many ties
)


_SPARSE_CONTAINERS = ("csr", "csc", "coo", "bsr", "lil", "dok", "dia", "pydata")


@pytest.mark.parametrize("case", INPUT_CASES, ids=lambda case: case.name)
def test_winner_take_all_on_every_input_case(case):
    # Sparse activations are refused with a clear error: implicit zeros compete.
    sparse_case = case.name.startswith(_SPARSE_CONTAINERS)
    expect = ERROR if sparse_case else case.expect

    @_SETTINGS
    @given(activations=activation_tables, hash_length=st.integers(1, 3))
    def check(activations, hash_length):
        table = case.make(activations)
        codes = check_outcome(
            lambda: winner_take_all(table, hash_length),
            expect,
            f"winner_take_all({case.name})",
            inputs=(table,),
        )
        if codes is None or expect != VALID:
            return
        # Every valid container gives the winners of the same values.
        values = np.asarray(table, dtype=float)
        if values.ndim == 2 and values.shape[1] >= hash_length:
            np.testing.assert_array_equal(
                codes.indices.reshape(-1, hash_length),
                _reference_winners(values, hash_length),
            )

    check()


ARGUMENT_VALUES = [True, False, None, -1, 0, 1, 2, 2.5, np.nan, "2", [2], np.int64(2)]


@settings(max_examples=80, deadline=None)
@given(
    activations=activation_tables,
    hash_length=st.sampled_from([*ARGUMENT_VALUES, 10**6]),
    binary=st.sampled_from(ARGUMENT_VALUES),
    sparse_output=st.sampled_from(ARGUMENT_VALUES),
)
def test_winner_take_all_arguments(activations, hash_length, binary, sparse_output):
    valid = (
        isinstance(hash_length, (int, np.integer))
        and not isinstance(hash_length, bool)
        and 1 <= hash_length <= activations.shape[1]
        and isinstance(binary, bool)
        and isinstance(sparse_output, bool)
    )
    codes = check_outcome(
        lambda: winner_take_all(
            activations, hash_length, binary=binary, sparse_output=sparse_output
        ),
        VALID if valid else ERROR,
        f"winner_take_all(k={hash_length!r}, binary={binary!r}, "
        f"sparse_output={sparse_output!r})",
        inputs=(activations,),
    )
    if codes is not None:
        dense = codes.toarray() if sp.issparse(codes) else codes
        assert np.all(np.count_nonzero(dense, axis=1) <= hash_length)
        winners = _reference_winners(activations, hash_length)
        expected = np.zeros_like(activations)
        np.put_along_axis(
            expected,
            winners,
            1.0 if binary else np.take_along_axis(activations, winners, axis=1),
            axis=1,
        )
        np.testing.assert_array_equal(dense, expected)


@st.composite
def scaled_data(draw):
    """Integer data and a power-of-two scale out to the edges of float64."""
    X = draw(
        hnp.arrays(
            np.float64,
            st.tuples(st.integers(3, 12), st.integers(2, 8)),
            elements=st.integers(-20, 20).map(float),
        )
    )
    X[:, 0] += 21  # no all-zero rows
    exponent = draw(st.sampled_from([-1020, -900, -300, 300, 900, 1018]))
    return X, 2.0**exponent


@pytest.mark.parametrize(
    "make",
    [
        lambda: FlyHashTransformer(n_components=30, hash_length=3, random_state=0),
        lambda: SignRandomProjection(n_components=16, random_state=0),
        lambda: BioHashTransformer(
            n_components=8, hash_length=2, max_iter=3, random_state=0
        ),
    ],
    ids=["FlyHash", "SimHash", "BioHash"],
)
@settings(max_examples=15, deadline=None)
@given(data=scaled_data())
def test_extreme_scales_give_the_codes_of_the_unscaled_data(make, data):
    X, scale = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        expected = make().fit(X).transform(X)
        scaled = make().fit(X * scale).transform(X * scale)
    expected = expected.toarray() if sp.issparse(expected) else expected
    scaled = scaled.toarray() if sp.issparse(scaled) else scaled
    np.testing.assert_array_equal(scaled, expected)


@settings(max_examples=30, deadline=None)
@given(
    widths=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    rows=st.lists(st.integers(1, 6), min_size=4, max_size=4),
)
def test_biohash_partial_fit_sequences(widths, rows):
    # Every call after the first must have the first call's width.
    hasher = BioHashTransformer(n_components=6, hash_length=2, random_state=0)
    rng = np.random.default_rng(0)
    first_width = widths[0]
    for width, n_rows in zip(widths, rows):
        X = rng.random((n_rows, width))
        expect = VALID if width == first_width else ERROR
        check_outcome(
            lambda X=X: hasher.partial_fit(X),
            expect,
            f"partial_fit width {width} after {first_width}",
            inputs=(X,),
        )
    codes = hasher.transform(rng.random((3, first_width)))
    np.testing.assert_array_equal(np.diff(codes.indptr), 2)
    assert len(hasher.loss_curve_) == hasher.n_iter_
