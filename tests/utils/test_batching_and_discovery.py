"""Tests for row batching and estimator discovery."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import config_context

import sklearn_kexue
from sklearn_kexue.utils import all_estimators, gen_row_batches


@given(
    n_samples=st.integers(0, 5000),
    row_bytes=st.integers(1, 2**22),
    working_memory=st.floats(0.001, 64),
    max_batch_size=st.one_of(st.none(), st.integers(1, 100)),
)
def test_batches_cover_all_rows_within_budget(
    n_samples, row_bytes, working_memory, max_batch_size
):
    batches = list(
        gen_row_batches(
            n_samples,
            row_bytes,
            working_memory=working_memory,
            max_batch_size=max_batch_size,
        )
    )
    covered = np.concatenate([np.arange(b.start, b.stop) for b in batches] or [[]])
    np.testing.assert_array_equal(covered, np.arange(n_samples))
    for batch in batches:
        size = batch.stop - batch.start
        assert size >= 1
        # One row is always allowed, even if it alone exceeds the budget.
        assert size == 1 or size * row_bytes <= working_memory * 2**20
        if max_batch_size is not None:
            assert size <= max_batch_size


def test_batches_follow_the_global_working_memory():
    with config_context(working_memory=1):
        assert len(list(gen_row_batches(10, 2**19))) == 5


def test_all_exported_estimators_are_discovered():
    names = [name for name, _ in all_estimators()]
    assert names == sorted(names)
    assert {"FlyHashTransformer", "SignRandomProjection"} <= set(names)
    assert all(
        name in sklearn_kexue.__all__
        for name in names
        if name != "CooccurrenceVectorizer"
    )
    # Estimators exported by a subpackage only are found too.
    assert "CooccurrenceVectorizer" in names
    transformers = [name for name, _ in all_estimators(type_filter="transformer")]
    assert "FlyHashTransformer" in transformers
    assert all_estimators(type_filter=["classifier"]) == [
        (name, cls)
        for name, cls in all_estimators()
        if getattr(cls, "__sklearn_tags__", None)
        and cls().__sklearn_tags__().estimator_type == "classifier"
    ]
    with pytest.raises(ValueError, match="type_filter must be among"):
        all_estimators(type_filter="clusterer")


def test_public_api():
    assert isinstance(sklearn_kexue.__version__, str)
    for name in sklearn_kexue.__all__:
        assert hasattr(sklearn_kexue, name)
