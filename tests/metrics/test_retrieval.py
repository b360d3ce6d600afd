"""Tests for the similarity-search mAP protocols."""

import heapq

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_kexue.metrics import (
    mean_average_precision_labels,
    mean_average_precision_neighbors,
)


def science_protocol_reference(X, codes, queries, n_neighbors):
    """The Science 2017 evaluation loop, one query and one pair at a time."""
    scores = []
    for i in queries:
        input_space, code_space = [], []
        for j in range(len(X)):
            if i == j or np.linalg.norm(X[i] - X[j]) <= 0:
                continue  # the query itself and its exact duplicates
            input_space.append((np.linalg.norm(X[i] - X[j]), j))
            code_space.append((np.linalg.norm(codes[i] - codes[j]), j))
        truth = {j for _, j in heapq.nsmallest(n_neighbors, input_space)}
        predicted = [j for _, j in heapq.nsmallest(n_neighbors, code_space)]
        hits, precisions = 0, []
        for rank, j in enumerate(predicted, start=1):
            if j in truth:
                hits += 1
                precisions.append(hits / rank)
        scores.append(np.mean(precisions) if precisions else 0.0)
    return np.mean(scores)


@st.composite
def data_and_codes(draw):
    n_samples = draw(st.integers(4, 25))
    integers = st.integers(0, 3).map(float)
    X = draw(
        hnp.arrays(np.float64, (n_samples, draw(st.integers(1, 4))), elements=integers)
    )
    codes = draw(
        hnp.arrays(np.float64, (n_samples, draw(st.integers(1, 6))), elements=integers)
    )
    return X, codes


@given(case=data_and_codes(), data=st.data())
def test_neighbors_protocol_matches_the_reference_loop(case, data):
    X, codes = case
    n_samples = len(X)
    duplicates = (np.linalg.norm(X[:, None] - X[None], axis=2) == 0).sum(axis=1)
    n_candidates = n_samples - duplicates.max()
    if n_candidates < 1:
        return  # every row duplicates every other: no candidate exists
    n_neighbors = data.draw(st.integers(1, n_candidates))
    queries = np.arange(n_samples)
    expected = science_protocol_reference(X, codes, queries, n_neighbors)
    actual = mean_average_precision_neighbors(
        X, codes, n_queries=queries, n_neighbors=n_neighbors
    )
    assert actual == pytest.approx(expected, abs=1e-12)
    assert actual == pytest.approx(
        mean_average_precision_neighbors(
            sp.csr_matrix(X),
            sp.csr_matrix(codes),
            n_queries=queries,
            n_neighbors=n_neighbors,
        ),
        abs=1e-12,
    )


def test_average_precision_is_divided_by_the_number_of_hits():
    # Query 0; candidates 1..5 ordered by input distance; R = 2 -> truth {1, 2}.
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    # Code distances rank 3 first, then 1, then 4, 5, 2: one hit (row 1) at rank 2.
    codes = np.array([[0.0], [2.0], [9.0], [1.0], [3.0], [4.0]])
    score = mean_average_precision_neighbors(X, codes, n_queries=[0], n_neighbors=2)
    assert score == pytest.approx(1 / 2)  # AP@R would give (1/2) / 2


def test_duplicates_of_the_query_are_not_candidates():
    X = np.array([[0.0], [0.0], [1.0], [5.0], [6.0]])
    codes = np.array([[0.0], [0.0], [7.0], [0.0], [9.0]])
    # Without the rule, row 1 (a duplicate) would be the true and predicted neighbour.
    # Candidates of query 0: rows 2, 3, 4; truth {2}; prediction by code: row 3.
    score = mean_average_precision_neighbors(X, codes, n_queries=[0], n_neighbors=1)
    assert score == 0.0
    with pytest.raises(
        ValueError, match="n_neighbors=4 exceeds the number of candidates"
    ):
        mean_average_precision_neighbors(X, codes, n_queries=[0], n_neighbors=4)


def test_index_ties_follow_the_paper_and_random_ties_are_seeded():
    X = np.arange(12.0).reshape(-1, 1)
    codes = np.zeros((12, 3))  # every code distance is tied
    # Ties by index: query 0 predicts rows 1..10, exactly its 10 true neighbours.
    assert (
        mean_average_precision_neighbors(X, codes, n_queries=[0], n_neighbors=10) == 1.0
    )
    random_scores = [
        mean_average_precision_neighbors(
            X,
            codes,
            n_queries=[0],
            n_neighbors=10,
            tie_breaking="random",
            random_state=seed,
        )
        for seed in range(20)
    ]
    assert min(random_scores) < 1.0
    assert random_scores[3] == mean_average_precision_neighbors(
        X, codes, n_queries=[0], n_neighbors=10, tie_breaking="random", random_state=3
    )


def test_default_neighbour_count_and_query_sampling():
    rng = np.random.default_rng(0)
    X = rng.random((600, 5))
    codes = X + rng.normal(scale=0.05, size=X.shape)
    # R defaults to max(10, int(0.02 * 600)) = 12.
    default = mean_average_precision_neighbors(X, codes, random_state=0)
    explicit = mean_average_precision_neighbors(
        X, codes, n_neighbors=12, random_state=0
    )
    assert default == explicit
    assert 0.3 < default < 1.0
    with pytest.raises(ValueError, match="n_queries=601 exceeds"):
        mean_average_precision_neighbors(X, codes, n_queries=601)
    with pytest.raises(ValueError, match="same number of rows"):
        mean_average_precision_neighbors(X, codes[:10])


def reference_label_ap(distances, relevant, n_retrieved):
    order = np.lexsort((np.arange(len(distances)), distances))[:n_retrieved]
    hits = np.cumsum(relevant[order])
    precision = hits / np.arange(1, len(order) + 1)
    return (precision * relevant[order]).sum() / hits[-1] if hits[-1] else 0.0


@given(
    codes=hnp.arrays(np.float64, (12, 3), elements=st.integers(0, 1).map(float)),
    labels=hnp.arrays(np.int64, 12, elements=st.integers(0, 2)),
    n_retrieved=st.one_of(st.just("all"), st.integers(1, 15)),
)
def test_label_protocol_matches_a_direct_computation(codes, labels, n_retrieved):
    expected = []
    for query in range(12):
        database = np.delete(np.arange(12), query)
        distances = ((codes[database] - codes[query]) ** 2).sum(axis=1)
        relevant = labels[database] == labels[query]
        kept = 11 if n_retrieved == "all" else min(n_retrieved, 11)
        expected.append(reference_label_ap(distances, relevant, kept))
    actual = mean_average_precision_labels(
        codes, labels, n_retrieved=n_retrieved, tie_breaking="index"
    )
    assert actual == pytest.approx(np.mean(expected), abs=1e-12)


def test_n_retrieved_beyond_the_database_is_map_at_all():
    codes = np.random.default_rng(0).integers(0, 2, size=(30, 4)).astype(float)
    labels = np.arange(30) % 3
    at_all = mean_average_precision_labels(codes, labels, tie_breaking="index")
    capped = mean_average_precision_labels(
        codes, labels, n_retrieved=1000, tie_breaking="index"
    )
    assert capped == at_all
    assert mean_average_precision_labels(
        codes, labels, n_retrieved=5, tie_breaking="index"
    ) != pytest.approx(at_all)


def test_separate_queries_and_database():
    database = np.array([[1, 0], [1, 0], [0, 1]])
    queries = np.array([[1, 0], [0, 1]])
    score = mean_average_precision_labels(
        database, [0, 0, 1], query_codes=queries, query_labels=[0, 1]
    )
    assert score == 1.0
    with pytest.raises(ValueError, match="query_codes needs query_labels"):
        mean_average_precision_labels(database, [0, 0, 1], query_codes=queries)
    with pytest.raises(ValueError, match="query_labels is given without query_codes"):
        mean_average_precision_labels(database, [0, 0, 1], query_labels=[0, 1])
    with pytest.raises(ValueError, match="labels must be 1-D"):
        mean_average_precision_labels(database, [0, 1])


@pytest.mark.parametrize("code_value", [1.0, 0.3])
def test_random_ties_remove_the_bias_of_a_label_sorted_database(code_value):
    # Codes that ignore the labels: two groups of rows (even and odd index), all
    # tied within a group. Ordered by index, a label-sorted database puts each
    # query's own class first. code_value=0.3 gives non-integer distances,
    # which take the general (lexsort) path of the random tie rule.
    labels = np.repeat(np.arange(4), 30)
    codes = np.zeros((120, 2))
    codes[::2, 0] = code_value
    by_index = mean_average_precision_labels(codes, labels, tie_breaking="index")
    by_chance = [
        mean_average_precision_labels(codes, labels, random_state=seed)
        for seed in range(5)
    ]
    # Random ranking scores about the relevant fraction, 29/119.
    assert np.mean(by_chance) == pytest.approx(29 / 119, abs=0.03)
    assert len(set(by_chance)) > 1
    assert by_index > np.mean(by_chance) + 0.05


# ----------------------------------------------------------- bad and extreme input


def _malformed(shape):
    """CSR whose second stored column index lies past the shape."""
    indptr = np.r_[0, 1, np.full(shape[0] - 1, 2)]
    return sp.csr_matrix((np.ones(2), np.array([0, 99]), indptr), shape=shape)


@pytest.mark.parametrize("exponent", [-1060, -1000, 300, 1000])
def test_extreme_codes_and_data_rank_as_their_rescaled_copies(exponent):
    # Squared distances of 2**1000 overflowed and of 2**-1000 underflowed to
    # ties: the scores changed with the scale.
    rng = np.random.default_rng(0)
    X = rng.integers(-3, 4, (40, 4)).astype(float)
    codes = (rng.random((40, 8)) > 0.5).astype(float)
    labels = np.arange(40) % 3
    for tie_breaking in ("index", "random"):
        expected = mean_average_precision_neighbors(
            X, codes, n_queries=None, tie_breaking=tie_breaking, random_state=0
        )
        assert (
            mean_average_precision_neighbors(
                np.ldexp(X, exponent),
                np.ldexp(codes, exponent),
                n_queries=None,
                tie_breaking=tie_breaking,
                random_state=0,
            )
            == expected
        )
        expected = mean_average_precision_labels(
            codes, labels, tie_breaking=tie_breaking, random_state=0
        )
        scaled = mean_average_precision_labels(
            np.ldexp(codes, exponent),
            labels,
            tie_breaking=tie_breaking,
            random_state=0,
        )
        assert scaled == expected
        separate = mean_average_precision_labels(
            np.ldexp(codes[10:], exponent),
            labels[10:],
            query_codes=np.ldexp(codes[:10], exponent),
            query_labels=labels[:10],
            tie_breaking=tie_breaking,
            random_state=0,
        )
        assert separate == mean_average_precision_labels(
            codes[10:],
            labels[10:],
            query_codes=codes[:10],
            query_labels=labels[:10],
            tie_breaking=tie_breaking,
            random_state=0,
        )


@pytest.mark.parametrize(
    "call, message",
    [
        # Malformed sparse codes reached SciPy's products (or crashed).
        (
            lambda X, C, y: mean_average_precision_neighbors(
                X, _malformed(C.shape), n_queries=None
            ),
            "Malformed sparse input",
        ),
        (
            lambda X, C, y: mean_average_precision_neighbors(
                _malformed(X.shape), C, n_queries=None
            ),
            "Malformed sparse input",
        ),
        (
            lambda X, C, y: mean_average_precision_labels(_malformed(C.shape), y),
            "Malformed sparse input",
        ),
        (
            lambda X, C, y: mean_average_precision_labels(
                C, y, query_codes=_malformed(C.shape), query_labels=y
            ),
            "Malformed sparse input",
        ),
        # NaN labels were never relevant, silently.
        (
            lambda X, C, y: mean_average_precision_labels(
                C, np.where(y == 0, np.nan, y)
            ),
            "labels contains NaN",
        ),
        (
            lambda X, C, y: mean_average_precision_labels(
                C, y, query_codes=C, query_labels=np.where(y == 0, np.nan, y)
            ),
            "query_labels contains NaN",
        ),
        # Labels of another kind than the queries' scored 0, silently.
        (
            lambda X, C, y: mean_average_precision_labels(
                C, y, query_codes=C, query_labels=y.astype(str)
            ),
            "both be numbers or both be strings",
        ),
        (
            lambda X, C, y: mean_average_precision_labels(
                C, np.array([0, "a"] * 10, dtype=object)
            ),
            "labels mixes labels of different types",
        ),
        (
            lambda X, C, y: mean_average_precision_neighbors(
                np.where(X > 1, np.nan, X), C, n_queries=None
            ),
            "Input X contains NaN",
        ),
        (
            lambda X, C, y: mean_average_precision_labels(C, y, n_retrieved=True),
            "'n_retrieved' parameter",
        ),
    ],
)
def test_bad_input_is_refused_clearly(call, message):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 3))
    codes = (rng.random((20, 8)) > 0.5).astype(float)
    labels = np.arange(20) % 3
    with pytest.raises(ValueError, match=message):
        call(X, codes, labels)
