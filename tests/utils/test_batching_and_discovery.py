"""Tests for row batching and estimator discovery."""

import importlib

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
    # Each is exported by the package or by the subpackage that defines it.
    for name, cls in all_estimators():
        subpackage = importlib.import_module(cls.__module__.rpartition(".")[0])
        assert name in sklearn_kexue.__all__ or name in subpackage.__all__, name
    # Estimators exported by a subpackage only are found too.
    assert {"CooccurrenceVectorizer", "SimplerGloveVectorizer"} <= set(names)
    transformers = [name for name, _ in all_estimators(type_filter="transformer")]
    assert "FlyHashTransformer" in transformers
    assert all_estimators(type_filter=["classifier"]) == [
        (name, cls)
        for name, cls in all_estimators()
        if getattr(cls, "__sklearn_tags__", None)
        and cls().__sklearn_tags__().estimator_type == "classifier"
    ]
    with pytest.raises(ValueError, match="'type_filter' parameter of all_estimators"):
        all_estimators(type_filter="clusterer")


def test_all_estimators_type_filter_collections_and_misuse():
    classifiers = all_estimators(type_filter="classifier")
    assert [name for name, _ in classifiers] == ["GammaCrossEntropyClassifier"]
    assert all_estimators(type_filter=("classifier",)) == classifiers
    assert all_estimators(type_filter={"classifier", "regressor"}) == classifiers
    assert all_estimators(type_filter=[]) == []
    # An int raised "'int' object is not iterable", a nested list "unhashable type".
    for bad in (5, True, "Transformer"):
        with pytest.raises((TypeError, ValueError), match="'type_filter' parameter"):
            all_estimators(type_filter=bad)
    for bad in ([[]], ["classifier", None], ["classifier", 3]):
        with pytest.raises(ValueError, match="type_filter must be among"):
            all_estimators(type_filter=bad)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((-1, 8), {}, "'n_samples' parameter"),  # yielded nothing
        ((True, 8), {}, "'n_samples' parameter"),  # yielded slice(0, True)
        ((2.5, 8), {}, "'n_samples' parameter"),
        ((None, 8), {}, "'n_samples' parameter"),
        ((3, -5), {}, "'row_bytes' parameter"),  # read as 1 byte
        ((3, float("nan")), {}, "'row_bytes' parameter"),  # one batch
        ((3, float("inf")), {}, "'row_bytes' parameter"),
        ((3, None), {}, "'row_bytes' parameter"),
        ((3, 8), {"working_memory": 0}, "'working_memory' parameter"),
        ((3, 8), {"working_memory": -1}, "'working_memory' parameter"),
        ((3, 8), {"working_memory": float("nan")}, "'working_memory' parameter"),
        ((3, 8), {"working_memory": True}, "'working_memory' parameter"),
        ((3, 8), {"max_batch_size": 0}, "'max_batch_size' parameter"),  # read as 1
        ((3, 8), {"max_batch_size": 1.5}, "'max_batch_size' parameter"),
        ((3, 8), {"max_batch_size": float("nan")}, "'max_batch_size' parameter"),
    ],
)
def test_row_batches_refuse_bad_arguments_when_called(args, kwargs, match):
    # Refused at the call, not at the first next() (or never, before).
    with pytest.raises((TypeError, ValueError), match=match):
        gen_row_batches(*args, **kwargs)


def test_row_batches_edge_values():
    assert list(gen_row_batches(0, 8)) == []
    # A row that needs no memory: one batch.
    assert list(gen_row_batches(5, 0, working_memory=1)) == [slice(0, 5)]
    # No limit, or a limit beyond float64 once in bytes: one batch
    # (working_memory=inf raised "cannot convert float NaN to integer").
    assert list(gen_row_batches(5, 2**30, working_memory=float("inf"))) == [slice(0, 5)]
    assert list(gen_row_batches(5, 8, working_memory=1e303)) == [slice(0, 5)]
    assert list(gen_row_batches(5, 0, max_batch_size=2)) == [
        slice(0, 2),
        slice(2, 4),
        slice(4, 5),
    ]
    # Fractional bytes per row, NumPy integers: integer slice bounds.
    batches = list(gen_row_batches(np.int64(5), 0.75 * 2**20, working_memory=2.0))
    assert batches == [slice(0, 2), slice(2, 4), slice(4, 5)]  # 2 / 0.75 = 2.67
    assert all(type(b.start) is int and type(b.stop) is int for b in batches)


@pytest.mark.parametrize("setting", [float("nan"), 0, -8, "1024"])
def test_row_batches_check_the_global_working_memory(setting):
    # scikit-learn does not check the setting: NaN gave "cannot convert float
    # NaN to integer", 0 and -8 one row per batch.
    with config_context(working_memory=setting):
        with pytest.raises(ValueError, match=r"get_config\(\)\['working_memory'\]"):
            gen_row_batches(10, 8)


def test_public_api():
    assert isinstance(sklearn_kexue.__version__, str)
    for name in sklearn_kexue.__all__:
        assert hasattr(sklearn_kexue, name)
