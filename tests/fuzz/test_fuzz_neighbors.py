"""Wrong types and edge values for the arguments of the neighbours' query methods
and of the Dask sharded search: a result where the value is valid, else a
ValueError or TypeError that names the argument."""

import numpy as np
import pytest

from sklearn_kexue.neighbors import HammingNeighbors, HashingNeighborsTransformer
from tests.fuzz.test_fuzz_estimators import PARAMETER_VALUES


def _is_count(value):
    return value is None or (
        isinstance(value, (int, np.integer))
        and not isinstance(value, (bool, np.bool_))
        and 1 <= value <= 20
    )


def _is_radius(value):
    return value is None or (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, (bool, np.bool_))
        and np.isfinite(value)
        and value >= 0
    )


def _is_flag(value):
    return isinstance(value, (bool, np.bool_))


# (method, argument, which values are valid)
QUERY_ARGUMENTS = [
    ("kneighbors", "n_neighbors", _is_count),
    ("kneighbors", "return_distance", _is_flag),
    ("kneighbors_graph", "n_neighbors", _is_count),
    ("kneighbors_graph", "mode", lambda v: v in ("connectivity", "distance")),
    ("radius_neighbors", "radius", _is_radius),
    ("radius_neighbors", "return_distance", _is_flag),
    ("radius_neighbors", "sort_results", _is_flag),
    ("radius_neighbors_graph", "radius", _is_radius),
    ("radius_neighbors_graph", "mode", lambda v: v in ("connectivity", "distance")),
]


def _fitted():
    X = np.random.default_rng(0).normal(size=(20, 6))
    yield HammingNeighbors().fit(X), X
    yield HashingNeighborsTransformer(n_candidates=10, random_state=0).fit(X), X


@pytest.mark.parametrize("value", PARAMETER_VALUES, ids=repr)
@pytest.mark.parametrize(
    "method, argument, valid", QUERY_ARGUMENTS, ids=lambda a: getattr(a, "__name__", a)
)
def test_query_arguments(method, argument, valid, value):
    for index, X in _fitted():
        if not hasattr(index, method):
            continue
        call = f"{type(index).__name__}.{method}({argument}={value!r})"
        try:
            result = getattr(index, method)(X[:3], **{argument: value})
        except (ValueError, TypeError) as error:
            assert not valid(value), f"{call} refused a valid value: {error}"
            assert argument in str(error), f"{call}: the error does not name it"
            continue
        assert valid(value), f"{call} accepted an invalid value"
        assert result is not None


@pytest.mark.parametrize("value", PARAMETER_VALUES, ids=repr)
def test_sharded_search_arguments(value):
    da = pytest.importorskip("dask.array")
    from sklearn_kexue.dask import fit_shards

    X = np.random.default_rng(1).random((40, 8)) > 0.5
    with pytest.raises((ValueError, TypeError), match="estimator"):
        fit_shards(value, da.from_array(X, chunks=(15, 8)))
    with pytest.raises((ValueError, TypeError), match="X"):
        fit_shards(HammingNeighbors(), value)
    sharded = fit_shards(HammingNeighbors(), da.from_array(X, chunks=(15, 8)))
    call = f"ShardedNeighbors.kneighbors(n_neighbors={value!r})"
    try:
        _, indices = sharded.kneighbors(X[:4], n_neighbors=value)
    except (ValueError, TypeError) as error:
        assert not _is_count(value), f"{call} refused a valid value: {error}"
        assert "n_neighbors" in str(error), f"{call}: the error does not name it"
        return
    assert _is_count(value), f"{call} accepted an invalid value"
    expected = HammingNeighbors().fit(X).kneighbors(X[:4], n_neighbors=value)
    np.testing.assert_array_equal(indices, expected[1])
