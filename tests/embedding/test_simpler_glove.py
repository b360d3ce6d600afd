"""Tests of SimplerGlove: the PMI objective, its invariants, and the word API."""

import copy
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import pearsonr
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_param_validation

from sklearn_kexue import SimplerGlove
from sklearn_kexue.embedding import SimplerGloveVectorizer
from sklearn_kexue.embedding._simpler_glove import UnknownWordError
from sklearn_kexue.testing import (
    assert_input_unchanged,
    assert_pickle_roundtrip,
    assert_reproducible,
    matrices,
)


def _count_matrix(seed, n_samples=300, n_words=8, rate=0.6):
    """Contexts as Poisson word counts with a planted topic structure."""
    rng = np.random.default_rng(seed)
    topics = rng.integers(0, 2, size=n_samples)
    rates = np.where(
        (np.arange(n_words) % 2)[np.newaxis, :] == topics[:, np.newaxis],
        2 * rate,
        rate / 2,
    )
    return rng.poisson(rates).astype(np.float64)


def _reference_loss(embeddings, X, x_max=100.0, alpha=0.75, truncate=True):
    """The objective from its definition, with a dense Gram and a double loop."""
    X = np.asarray(X, dtype=np.float64)
    gram = X.T @ X
    counts = X.sum(axis=0)
    n_words = X.shape[1]
    total_pairs = sum(
        gram[i, j] for i in range(n_words) for j in range(n_words) if i != j
    )
    terms = []
    for i in range(n_words):
        for j in range(i + 1, n_words):
            if gram[i, j] <= 0:
                continue
            pmi = np.log(
                (gram[i, j] / total_pairs)
                / ((counts[i] / counts.sum()) * (counts[j] / counts.sum()))
            )
            ratio = gram[i, j] / x_max
            weight = (min(ratio, 1.0) if truncate else ratio) ** alpha
            diff = embeddings[i] @ embeddings[j] - pmi
            terms.append(0.5 * weight * diff**2)
    return np.mean(terms)


def _square(X):
    """The V x V co-occurrence matrix of context rows: word counts on its diagonal."""
    X = np.asarray(X, dtype=float)
    pairs = X.T @ X
    np.fill_diagonal(pairs, X.sum(axis=0))
    return sp.csr_matrix(pairs)


def test_loss_curve_and_score_follow_the_definition():
    X = _count_matrix(0)
    glove = SimplerGlove(
        n_components=3, negative=0, max_iter=30, tol=0, random_state=0
    ).fit(X)
    assert len(glove.loss_curve_) == glove.n_iter_ == 30
    # Self-pairs (the diagonal of XᵀX) are not part of the reference loss.
    expected = _reference_loss(glove.embeddings_, X)
    assert glove.loss_curve_[-1] == pytest.approx(expected, rel=1e-10)
    assert glove.score(X) == pytest.approx(-expected, rel=1e-10)
    assert glove.n_pairs_ == 8 * 7 // 2
    assert glove.loss_curve_[-1] < 0.5 * glove.loss_curve_[0]
    np.testing.assert_array_equal(glove.word_counts_, X.sum(axis=0))


def test_untruncated_weights_follow_the_definition():
    X = _count_matrix(1, rate=20)
    glove = SimplerGlove(
        n_components=2,
        negative=0,
        max_iter=3,
        tol=0,
        truncate_weights=False,
        random_state=0,
    ).fit(X)
    expected = _reference_loss(glove.embeddings_, X, truncate=False)
    assert glove.loss_curve_[-1] == pytest.approx(expected, rel=1e-10)
    truncated = _reference_loss(glove.embeddings_, X, truncate=True)
    assert expected > truncated  # counts above x_max weigh more than 1


@settings(max_examples=5)
@given(seed=st.integers(0, 2**16))
def test_inner_products_approach_pmi_as_n_components_grows(seed):
    X = _count_matrix(seed, n_words=6)
    losses = [
        SimplerGlove(
            n_components=d,
            negative=0,
            learning_rate=0.5,
            max_iter=300,
            tol=0,
            random_state=seed,
        )
        .fit(X)
        .loss_curve_[-1]
        for d in (1, 2, 6)
    ]
    assert losses[0] > losses[1] > losses[2]
    # d = V can represent any symmetric PMI matrix (its diagonal is free).
    assert losses[2] < 1e-3 * losses[0]


@settings(max_examples=10)
@given(
    X=matrices(
        n_samples=(2, 15),
        n_features=(2, 7),
        min_value=0,
        max_value=5,
        integer_valued=True,
        formats=["dense"],
        dtypes=[np.float64],
    ),
    permutation_seed=st.integers(0, 2**16),
)
def test_loss_is_invariant_to_permuting_the_vocabulary(X, permutation_seed):
    glove = SimplerGlove(n_components=2, max_iter=2, tol=0, random_state=0)
    try:
        glove.fit(X)
    except ValueError as error:  # no two words co-occur in this draw
        assert "co-occur" in str(error)
        return
    permutation = np.random.default_rng(permutation_seed).permutation(X.shape[1])
    permuted = copy.deepcopy(glove)
    permuted.embeddings_ = glove.embeddings_[permutation]
    assert permuted.score(X[:, permutation]) == pytest.approx(
        glove.score(X), rel=1e-12, abs=1e-15
    )


def test_self_pairs_never_enter_the_loss():
    X = _count_matrix(2)
    # Same pair counts and word counts; the square layout holds word counts
    # where XᵀX has its self-pair counts.
    square = _square(X)
    from_contexts = SimplerGlove(n_components=3, max_iter=5, random_state=0, tol=0)
    from_pairs = SimplerGlove(
        n_components=3, max_iter=5, random_state=0, tol=0, input_type="cooccurrence"
    )
    np.testing.assert_array_equal(
        from_contexts.fit(X).embeddings_, from_pairs.fit(square).embeddings_
    )


@settings(max_examples=20)
@given(
    X=matrices(
        n_samples=(1, 10),
        n_features=6,
        min_value=0,
        max_value=9,
        integer_valued=True,
        formats=["dense", "csr_matrix"],
        dtypes=[np.float64],
    ),
    Y=matrices(
        n_samples=(1, 10),
        n_features=6,
        min_value=0,
        max_value=9,
        integer_valued=True,
        formats=["dense"],
        dtypes=[np.float64],
    ),
    a=st.floats(0, 5),
    b=st.floats(0, 5),
)
def test_transform_is_linear_in_the_counts(X, Y, a, b):
    glove = SimplerGlove(n_components=3, max_iter=2, tol=0, random_state=0)
    glove.fit(_count_matrix(3, n_words=6))
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    rows = min(X.shape[0], Y.shape[0])
    X, Y = X[:rows], Y[:rows]
    combined = glove.transform(a * X + b * Y)
    expected = a * glove.transform(X) + b * glove.transform(Y)
    np.testing.assert_allclose(combined, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(glove.transform(X), X @ glove.embeddings_, atol=1e-12)


def test_mean_pooling_divides_by_the_row_total():
    X = _count_matrix(4)
    mean = SimplerGlove(n_components=3, max_iter=3, tol=0, random_state=0)
    mean.set_params(pooling="mean").fit(X)
    sums = X @ mean.embeddings_
    totals = X.sum(axis=1)
    nonempty = totals > 0
    expected = np.zeros_like(sums)
    expected[nonempty] = sums[nonempty] / totals[nonempty, np.newaxis]
    np.testing.assert_allclose(mean.transform(X), expected, rtol=1e-12)
    assert not nonempty.all()  # an empty context maps to zero, not NaN


def test_cooccurrence_layout_transforms_rows_of_word_counts():
    X = _count_matrix(5)
    contexts = SimplerGlove(n_components=3, max_iter=3, tol=0, random_state=0).fit(X)
    pairs = SimplerGlove(
        n_components=3, max_iter=3, tol=0, random_state=0, input_type="cooccurrence"
    ).fit(_square(X))
    assert pairs.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(pairs.transform(X[:7]), contexts.transform(X[:7]))


def test_reproducible_sparse_dense_and_float32():
    X = _count_matrix(6)
    assert_reproducible(SimplerGlove(n_components=3, max_iter=3, random_state=0), X)
    a = SimplerGlove(n_components=3, max_iter=3, tol=0, random_state=0).fit(X)
    b = SimplerGlove(n_components=3, max_iter=3, tol=0, random_state=1).fit(X)
    assert not np.allclose(a.embeddings_, b.embeddings_)
    for container in (sp.csr_matrix, sp.csc_array, lambda M: M.astype(np.float32)):
        c = SimplerGlove(n_components=3, max_iter=3, tol=0, random_state=0)
        np.testing.assert_allclose(
            c.fit(container(X)).embeddings_, a.embeddings_, rtol=1e-12
        )


def test_input_unchanged_and_pickle():
    X = _count_matrix(7)
    glove = SimplerGlove(n_components=3, max_iter=3, tol=0, random_state=0)
    assert_input_unchanged(glove, X)
    assert_input_unchanged(glove, sp.csr_matrix(X))
    assert_pickle_roundtrip(glove, X)
    fitted = glove.fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.most_similar(0) == fitted.most_similar(0)


def test_auto_dimension_and_words_without_partners():
    X = _count_matrix(8, n_words=30)
    X[:, 29] = 0.0  # a word that never occurs
    glove = SimplerGlove(max_iter=2, tol=0, random_state=0).fit(X)
    assert glove.n_components_ == int(np.ceil(8.33 * np.log(30))) == 29
    np.testing.assert_array_equal(glove.embeddings_[29], 0.0)
    assert np.all(np.linalg.norm(glove.embeddings_[:29], axis=1) > 0)


def _mean_weight(X, x_max=100.0, alpha=0.75):
    """Mean GloVe weight over the co-occurring pairs, from its definition."""
    gram = np.asarray(X, dtype=np.float64).T @ np.asarray(X, dtype=np.float64)
    pair_counts = gram[np.triu_indices_from(gram, k=1)]
    pair_counts = pair_counts[pair_counts > 0]
    return np.mean(np.minimum(pair_counts / x_max, 1.0) ** alpha)


def _stop_epoch(loss_curve, mean_weight, tol):
    """The epoch at which the documented stopping rule stops, or None."""
    gains = -np.diff(loss_curve) / mean_weight
    for k in range(1, len(gains)):
        if gains[k] < tol and gains[k] <= gains[k - 1]:
            return k + 2
    return None


def test_stopping_rule_follows_its_definition():
    X = _count_matrix(9)
    full = SimplerGlove(n_components=2, max_iter=300, tol=0, random_state=0).fit(X)
    assert full.n_iter_ == 300
    mean_weight = _mean_weight(X)
    for tol in (1e-3, 1e-4, 1e-5):
        expected = _stop_epoch(full.loss_curve_, mean_weight, tol)
        glove = SimplerGlove(n_components=2, max_iter=300, tol=tol, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            glove.fit(X)
        # The same epochs as the full run, cut where the rule says.
        assert glove.n_iter_ == expected
        assert glove.loss_curve_ == full.loss_curve_[:expected]
    assert _stop_epoch(full.loss_curve_, mean_weight, 1e-3) == 15
    assert _stop_epoch(full.loss_curve_, mean_weight, 1e-5) == 69


def test_slow_first_epochs_are_not_convergence():
    # Small counts: every weight is small, the first epochs gain ever more but
    # little; the rule waits for the gains to shrink.
    X = np.random.default_rng(0).poisson(0.3, size=(40, 10)).astype(float)
    glove = SimplerGlove(negative=0, max_iter=400, tol=1e-4, random_state=0).fit(X)
    gains = -np.diff(glove.loss_curve_)
    assert gains[1] < 1e-4 * _mean_weight(X)  # a plain threshold would stop here
    assert glove.n_iter_ == 334
    assert glove.loss_curve_[-1] < 0.2 * glove.loss_curve_[0]


def test_convergence_warning_advice_and_verbose(capsys):
    X = _count_matrix(9)
    with pytest.warns(
        ConvergenceWarning, match=r"max_iter=2 epochs.*increase max_iter"
    ):
        SimplerGlove(n_components=2, max_iter=2, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        SimplerGlove(n_components=2, max_iter=2, tol=0, random_state=0).fit(X)
    # No pair count reaches x_max: the advice adds x_max, with the numbers.
    small = np.random.default_rng(0).poisson(0.3, size=(40, 10)).astype(float)
    largest = (small.T @ small)[np.triu_indices(10, k=1)].max()
    with pytest.warns(ConvergenceWarning) as record:
        SimplerGlove(max_iter=5, random_state=0).fit(small)
    message = str(record[0].message)
    assert "lower x_max" in message and f"the largest is {largest:.3g}" in message
    # A learning rate that makes the loss rise gets that advice instead.
    with pytest.warns(ConvergenceWarning, match="lower learning_rate=100.0"):
        SimplerGlove(learning_rate=100.0, max_iter=5, random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"diverged in epoch 1.*learning_rate"):
        SimplerGlove(learning_rate=1e300, max_iter=5, random_state=0).fit(X)

    glove = SimplerGlove(n_components=2, max_iter=3, tol=0, verbose=2).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    for epoch, (line, loss) in enumerate(zip(lines, glove.loss_curve_), start=1):
        assert line.startswith(f"[SimplerGlove] iteration {epoch}, loss {loss:.6g}, ")
    assert lines[-1].startswith(
        f"[SimplerGlove] stopped after 3 iterations, loss {glove.loss_curve_[-1]:.6g}"
        ", words 8, pairs 28, time "
    )
    SimplerGlove(n_components=2, max_iter=300, verbose=1).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("[SimplerGlove] converged after")


def test_defaults_converge_on_digits_and_a_small_text_corpus():
    from sklearn.datasets import load_digits

    from sklearn_kexue.embedding import CooccurrenceVectorizer

    X, _ = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        glove = SimplerGlove(random_state=0).fit(X)
        documents, _ = _topic_documents(120, seed=0)
        vectorizer = CooccurrenceVectorizer(window=2).fit(documents)
        counts = vectorizer.cooccurrence_matrix(documents)
        text = SimplerGlove(input_type="cooccurrence", random_state=0).fit(counts)
    assert glove.n_iter_ == 39
    assert glove.loss_curve_[-1] == pytest.approx(0.0325058, rel=1e-4)
    assert text.n_iter_ == 39
    assert text.loss_curve_[-1] == pytest.approx(0.0201873, rel=1e-4)


def _saturated_counts(seed):
    """Counts whose pair counts all reach x_max=100: every weight is 1."""
    X = _count_matrix(seed, n_samples=400, rate=3.0)
    assert (X.T @ X)[np.triu_indices(8, k=1)].min() >= 100
    return X


@pytest.mark.parametrize("factor", [2.0**900, 1e300])
def test_huge_counts_fit_as_counts_whose_pairs_all_pass_x_max(factor):
    X = _saturated_counts(14)
    params = {"n_components": 3, "max_iter": 20, "tol": 0, "random_state": 0}
    reference = SimplerGlove(**params).fit(X)
    # Every weight is 1, as for X, and the PMI is invariant to the scale: the
    # fit is X's up to rounding.
    scaled = SimplerGlove(**params).fit(X * factor)
    np.testing.assert_allclose(scaled.embeddings_, reference.embeddings_, rtol=1e-7)
    np.testing.assert_allclose(scaled.loss_curve_, reference.loss_curve_, rtol=1e-7)
    np.testing.assert_allclose(scaled.word_counts_, X.sum(axis=0) * factor, rtol=1e-12)
    # Mean pooling is invariant to the scale; sums scale with the counts.
    mean = SimplerGlove(pooling="mean", **params).fit(X)
    np.testing.assert_allclose(
        mean.transform(X * factor), mean.transform(X), rtol=1e-12
    )
    np.testing.assert_allclose(
        reference.transform(X * factor) / factor, reference.transform(X), rtol=1e-9
    )


@pytest.mark.parametrize("factor", [2.0**-900, 3e-250])
def test_tiny_counts_need_an_x_max_at_their_scale(factor):
    X = _square(_saturated_counts(17))
    params = {"n_components": 3, "max_iter": 20, "tol": 0, "random_state": 0}
    params["input_type"] = "cooccurrence"
    reference = SimplerGlove(**params).fit(X)
    # Pair counts ~1e-250 weigh (x / x_max)^0.75 ~ 1e-190 or 0: no step moves.
    with pytest.raises(ValueError, match=r"below float64's epsilon.*lower x_max"):
        SimplerGlove(**params).fit(X * factor)
    # With x_max at their scale every weight is 1 again, as for X.
    scaled = SimplerGlove(x_max=100 * factor, **params).fit(X * factor)
    np.testing.assert_allclose(scaled.embeddings_, reference.embeddings_, rtol=1e-7)
    np.testing.assert_allclose(
        scaled.word_counts_, reference.word_counts_ * factor, rtol=1e-12
    )


def test_extreme_counts_that_cannot_be_used_give_clear_errors():
    X = _count_matrix(15)
    with pytest.raises(ValueError, match="below float64's epsilon"):
        SimplerGlove(max_iter=2).fit(X * 1e-300)
    with pytest.raises(ValueError, match="No two distinct words co-occur"):
        SimplerGlove(max_iter=2).fit(np.eye(4) * 1e-300)
    # Untruncated weights (x / x_max)^0.75 of counts 1e300 would be 1e400.
    with pytest.raises(ValueError, match=r"beyond 2\*\*100.*truncate_weights"):
        SimplerGlove(truncate_weights=False, max_iter=2).fit(X * 1e300)
    # Sums of counts 1.5e308 overflow; their mean does not.
    glove = SimplerGlove(n_components=2, max_iter=2, tol=0, random_state=0).fit(X)
    glove.embeddings_ = np.ones_like(glove.embeddings_)
    huge = (X > 0) * 1.5e308
    with pytest.raises(ValueError, match=r"exceed the float64 range.*mean"):
        glove.transform(huge)
    glove.set_params(pooling="mean")
    np.testing.assert_array_equal(glove.transform(huge[X.sum(axis=1) > 0]), 1.0)


def test_invalid_numbers_are_refused_by_the_constraints():
    X = _count_matrix(16)
    for name, value in [
        ("x_max", np.inf),
        ("x_max", np.nan),
        ("alpha", np.inf),
        ("learning_rate", np.inf),
        ("tol", np.nan),
        ("tol", np.inf),
        ("max_iter", True),
        ("n_components", True),
        ("vocabulary", "abcdefgh"),
    ]:
        with pytest.raises(InvalidParameterError, match=name):
            SimplerGlove(**{name: value}).fit(X)
    with pytest.raises(ValueError, match="got a set"):
        SimplerGlove(vocabulary=set("abcdefgh")).fit(X)


def test_bad_input_errors():
    X = _count_matrix(10)
    with pytest.raises(ValueError, match="Negative values"):
        SimplerGlove().fit(-X)
    with pytest.raises(ValueError, match="n_features=1"):
        SimplerGlove().fit(X[:, :1])
    with pytest.raises(ValueError, match="No two distinct words co-occur"):
        SimplerGlove().fit(np.eye(4))
    cooccurrence = SimplerGlove(input_type="cooccurrence")
    with pytest.raises(ValueError, match=r"square V x V .* shape \(300, 8\)"):
        cooccurrence.fit(X)
    asymmetric = np.diag([1.0, 1.0, 1.0])
    asymmetric[0, 1] = 2.0  # pair (0, 1) without (1, 0)
    for layout in (np.asarray, sp.csr_matrix, sp.coo_array):
        with pytest.raises(ValueError, match="symmetric"):
            cooccurrence.fit(layout(asymmetric))
    asymmetric[1, 0] = 1.0  # both stored, different counts
    with pytest.raises(ValueError, match="differ by up to 1"):
        cooccurrence.fit(sp.csr_matrix(asymmetric))
    missing_count = np.ones((3, 3))
    missing_count[0, 0] = 0.0  # word 0 pairs but has count 0
    with pytest.raises(ValueError, match="diagonal"):
        cooccurrence.fit(missing_count)
    with pytest.raises(ValueError, match="indices 0 to 7"):
        SimplerGlove(vocabulary=["a", "b"]).fit(X)
    with pytest.raises(ValueError, match="repeated"):
        SimplerGlove(vocabulary=["a"] * 8).fit(X)
    glove = SimplerGlove(n_components=2, max_iter=2, tol=0).fit(X)
    with pytest.raises(ValueError, match="4 features"):
        glove.transform(X[:, :4])
    with pytest.raises(ValueError, match="no vocabulary_"):
        glove.most_similar("a")
    with pytest.raises(IndexError, match="out of range"):
        glove.similarity(0, 8)
    with pytest.raises(ValueError, match="measure"):
        glove.similarity(0, 1, measure="euclid")
    with pytest.raises(ValueError, match="shape \\(2,\\)"):
        glove.most_similar(np.ones(3))
    with pytest.raises(ValueError, match="topn"):
        glove.most_similar(0, topn=0)


def test_param_validation():
    check_param_validation("SimplerGlove", SimplerGlove())


def _planted_model(vectors, words):
    """A fitted model whose vectors are given (the word API only reads them)."""
    glove = SimplerGlove(vocabulary=words, n_components=2, max_iter=1, tol=0)
    X = _count_matrix(11, n_words=len(words))
    glove.fit(X)
    glove.embeddings_ = np.asarray(vectors, dtype=np.float64)
    glove.word_counts_ = np.arange(len(words), 0, -1, dtype=np.float64)
    return glove


def test_word_api_on_planted_vectors():
    words = ["king", "queen", "man", "woman", "apple", "pear"]
    vectors = [[3, 1, 0], [3, -1, 0], [1, 1, 0], [1, -1, 0], [0, 0, 2], [0, 0.2, 1]]
    glove = _planted_model(vectors, words)
    assert glove.vocabulary_ == {word: i for i, word in enumerate(words)}
    assert glove.analogy("man", "king", "woman")[0][0] == "queen"
    answers = glove.analogy("man", "king", "woman", topn=3)
    assert {word for word, _ in answers}.isdisjoint({"man", "king", "woman"})
    neighbours = glove.most_similar("apple", topn=5)
    assert neighbours[0][0] == "pear"
    assert "apple" not in [word for word, _ in neighbours]
    scores = [score for _, score in neighbours]
    assert scores == sorted(scores, reverse=True)
    # A vector query excludes nothing; "dot" ranks by the raw inner product.
    assert glove.most_similar(np.array([0, 0, 1.0]), topn=1)[0][0] == "apple"
    assert glove.most_similar("man", topn=1, measure="dot")[0] == ("king", 4.0)
    assert glove.most_similar("man", topn=1)[0][0] == "king"
    assert glove.similarity("king", "queen") == pytest.approx(8 / 10)
    assert glove.similarity("king", "queen", measure="dot") == pytest.approx(8.0)
    assert len(glove.most_similar("king", topn=100)) == 5


def test_word_queries_name_unknown_words():
    words = ["king", "queen", "man", "woman", "apple", "pear"]
    vectors = [[3, 1, 0], [3, -1, 0], [1, 1, 0], [1, -1, 0], [0, 0, 2], [0, 0.2, 1]]
    glove = _planted_model(vectors, words)
    calls = [
        lambda: glove.most_similar("plum"),
        lambda: glove.similarity("king", "plum"),
        lambda: glove.analogy("man", "plum", "woman"),
    ]
    for call in calls:
        # A KeyError (gensim's idiom) and a ValueError, naming the word.
        with pytest.raises(KeyError) as caught:
            call()
        assert isinstance(caught.value, ValueError)
        assert isinstance(caught.value, UnknownWordError)
        assert caught.value.word == "plum"
        assert str(caught.value) == "Word 'plum' is not in the vocabulary."
    for call in (lambda: glove.similarity(0, 6), lambda: glove.most_similar(-1)):
        with pytest.raises(IndexError, match=r"out of range \[0, 6\)") as caught:
            call()
        assert isinstance(caught.value, ValueError)
    plain = SimplerGlove(n_components=2, max_iter=2, tol=0).fit(_count_matrix(11))
    with pytest.raises(ValueError, match="no vocabulary_"):
        plain.similarity("king", 1)


def test_word_queries_refuse_bad_vectors_and_arguments():
    words = ["king", "queen", "man", "woman", "apple", "pear"]
    vectors = [[3, 1, 0], [3, -1, 0], [1, 1, 0], [1, -1, 0], [0, 0, 2], [0, 0.2, 1]]
    glove = _planted_model(vectors, words)
    for bad in (np.full(3, np.nan), np.array([1.0, np.inf, 0.0])):
        with pytest.raises(ValueError, match="finite"):
            glove.most_similar(bad)
    for bad in (["a", "b", "c"], np.array([True, False, True])):
        with pytest.raises(TypeError, match="real numbers"):
            glove.most_similar(bad)
    for bad in (np.ones((1, 3)), np.ones(4), []):
        with pytest.raises(ValueError, match=r"shape \(3,\)"):
            glove.most_similar(bad)
    # Cosines do not see a vector's scale, however extreme; inner products do.
    query = np.array([0.0, 0.1, 1.0])
    expected = glove.most_similar(query, topn=6)
    for factor in (1e300, 1e-300, 1e-310):
        neighbours = glove.most_similar(query * factor, topn=6)
        assert [word for word, _ in neighbours] == [word for word, _ in expected]
        np.testing.assert_allclose(
            [score for _, score in neighbours],
            [score for _, score in expected],
            rtol=1e-9 if factor > 1e-300 else 1e-6,
        )
    with pytest.raises(ValueError, match=r"float64 range.*cosine"):
        glove.most_similar(query * 1e308, measure="dot")
    # Each argument is checked by its constraint, with the method's name.
    invalid = [
        (glove.most_similar, ("king",), {"topn": True}),
        (glove.most_similar, ("king",), {"topn": 0}),
        (glove.most_similar, ("king",), {"topn": 2.0}),
        (glove.most_similar, ("king",), {"measure": "euclid"}),
        (glove.most_similar, ("king",), {"n_reference": 1}),
        (glove.most_similar, ("king",), {"n_reference": True}),
        (glove.most_similar, (True,), {}),
        (glove.most_similar, (None,), {}),
        (glove.most_similar, (1.5,), {}),
        (glove.similarity, ("king", b"queen"), {}),
        (glove.similarity, ("king", np.True_), {}),
        (glove.similarity, ("king", "queen"), {"measure": None}),
        (glove.analogy, ("man", "king", "woman"), {"topn": True}),
        (glove.analogy, ("man", "king", 2.0), {}),
    ]
    for method, args, kwargs in invalid:
        with pytest.raises(
            InvalidParameterError, match=f"SimplerGlove.{method.__name__}"
        ):
            method(*args, **kwargs)
    # numpy integers are words (row indices) too.
    assert glove.similarity(np.int64(0), np.int32(1)) == glove.similarity(0, 1)
    assert glove.most_similar(np.int64(4), topn=1)[0][0] == "pear"


@pytest.mark.parametrize(
    "make",
    [list, tuple, np.array, pd.Index, lambda w: dict(zip(w, range(len(w))))],
    ids=["list", "tuple", "ndarray", "Index", "dict"],
)
def test_vocabulary_forms(make):
    words = ["a", "b", "c", "d"]
    glove = SimplerGlove(n_components=2, max_iter=2, tol=0, vocabulary=make(words))
    glove.fit(_count_matrix(13, n_words=4))
    assert glove.vocabulary_ == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert all(type(word) is str for word in glove.vocabulary_)
    assert {word for word, _ in glove.most_similar("a", topn=3)} == {"b", "c", "d"}


def test_vocabulary_errors():
    X = _count_matrix(13, n_words=4)
    cases = [
        ({"a": 0.0, "b": 1, "c": 2, "d": 3}, TypeError, "int column indices"),
        ({"a": True, "b": 1, "c": 2, "d": 3}, TypeError, "int column indices"),
        ([1, 2, 3, 4], TypeError, "words must be str"),
        (["a", "b", "a", "d"], ValueError, "repeated words \\('a'\\)"),
        ([["a", "b"], ["c", "d"]], ValueError, "shape \\(2, 2\\)"),
        ({"a": 0, "b": 1, "c": 2, "d": 4}, ValueError, "indices 0 to 3.*0 to 4"),
        (["a", "b"], ValueError, "indices 0 to 3"),
    ]
    for vocabulary, error, message in cases:
        with pytest.raises(error, match=message):
            SimplerGlove(max_iter=2, vocabulary=vocabulary).fit(X)


def test_profile_similarity_is_the_correlation_of_pmi_profiles():
    rng = np.random.default_rng(12)
    words = [f"w{i}" for i in range(12)]
    glove = _planted_model(rng.normal(size=(12, 4)), words)
    reference = glove.embeddings_[:7]  # word_counts_ decreases: the 7 most frequent
    for a, b in [(0, 1), (3, 9), (10, 11)]:
        expected = pearsonr(
            reference @ glove.embeddings_[a], reference @ glove.embeddings_[b]
        )
        assert glove.similarity(
            words[a], words[b], measure="profile", n_reference=7
        ) == pytest.approx(expected.statistic, rel=1e-10)
    ranked = glove.most_similar("w0", topn=11, measure="profile", n_reference=7)
    profiles = reference @ glove.embeddings_.T
    correlation = np.corrcoef(profiles.T)[0]
    expected_order = [words[i] for i in np.argsort(-correlation) if i != 0]
    assert [word for word, _ in ranked] == expected_order


def test_vocabulary_from_dataframe_columns_and_dict():
    X = _count_matrix(13, n_words=4)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    glove = SimplerGlove(n_components=2, max_iter=2, tol=0, random_state=0).fit(frame)
    assert glove.vocabulary_ == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert glove.get_feature_names_out().tolist() == ["simplerglove0", "simplerglove1"]
    mapping = {"d": 3, "c": 2, "b": 1, "a": 0}
    from_dict = SimplerGlove(n_components=2, max_iter=2, tol=0, vocabulary=mapping)
    assert from_dict.fit(X).vocabulary_ == mapping
    assert {word for word, _ in from_dict.most_similar("a", topn=3)} == {"b", "c", "d"}
    plain = SimplerGlove(n_components=2, max_iter=2, tol=0).fit(X)
    assert not hasattr(plain, "vocabulary_")
    # Refitting without words drops the words of the earlier fit.
    assert not hasattr(glove.fit(X), "vocabulary_")
    assert {word for word, _ in plain.most_similar(0, topn=3)} == {1, 2, 3}


def _topic_documents(n_documents, seed):
    """Short documents from two topics that share their function words."""
    rng = np.random.default_rng(seed)
    topics = [
        ["cat", "dog", "fur", "paw", "tail", "bark", "purr", "pet"],
        ["car", "road", "wheel", "engine", "fuel", "drive", "brake", "lane"],
    ]
    shared = ["the", "a", "of", "and", "is", "on"]
    documents, labels = [], []
    for _ in range(n_documents):
        label = int(rng.integers(2))
        words = rng.choice(topics[label] + shared, size=int(rng.integers(8, 20)))
        documents.append(" ".join(words))
        labels.append(label)
    return documents, np.array(labels)


def test_text_pipeline_grid_search_over_window_dimension_and_alpha():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    from sklearn_kexue.embedding import CooccurrenceVectorizer, SimplerGloveVectorizer

    documents, labels = _topic_documents(120, seed=0)
    pipeline = make_pipeline(
        SimplerGloveVectorizer(
            CooccurrenceVectorizer(window=2),
            SimplerGlove(n_components=2, max_iter=10, tol=0, random_state=0),
        ),
        LogisticRegression(),
    )
    grid = {
        "simplerglovevectorizer__vectorizer__window": [2, 5],
        "simplerglovevectorizer__glove__n_components": [2, 4],
        "simplerglovevectorizer__glove__alpha": [0.5, 0.75],
    }
    search = GridSearchCV(pipeline, grid, cv=3).fit(documents, labels)
    assert len(search.cv_results_["params"]) == 8
    assert search.best_score_ > 0.9
    test_documents, test_labels = _topic_documents(60, seed=1)
    assert search.score(test_documents, test_labels) > 0.9
    # The window reaches the model: other windows, other pair counts and vectors.
    embeddings = [
        SimplerGloveVectorizer(
            CooccurrenceVectorizer(window=window),
            SimplerGlove(n_components=2, max_iter=3, tol=0, random_state=0),
        )
        .fit(documents)
        .glove_.embeddings_
        for window in (2, 5)
    ]
    assert not np.allclose(*embeddings)


def test_text_vectorizer_is_the_vectorizer_then_the_model_on_its_counts():
    from sklearn_kexue.embedding import CooccurrenceVectorizer, SimplerGloveVectorizer

    documents, _ = _topic_documents(60, seed=3)
    glove = SimplerGlove(n_components=3, max_iter=5, tol=0, random_state=0)
    model = SimplerGloveVectorizer(CooccurrenceVectorizer(window=3), glove)
    # A generator is read twice (vocabulary, counts): it is listed first.
    model.fit(document for document in documents)
    vectorizer = CooccurrenceVectorizer(window=3).fit(documents)
    direct = SimplerGlove(
        n_components=3, max_iter=5, tol=0, random_state=0, input_type="cooccurrence"
    ).fit(vectorizer.cooccurrence_matrix(documents))
    np.testing.assert_array_equal(model.glove_.embeddings_, direct.embeddings_)
    assert model.glove_.vocabulary_ == vectorizer.vocabulary_
    assert glove.get_params()["input_type"] == "contexts"  # the template is cloned
    new = ["cat dog unknownword", "", "the fish swims"]
    np.testing.assert_array_equal(
        model.transform(new), direct.transform(vectorizer.count_words(new))
    )
    assert not model.transform([""]).any()  # no known word: the zero vector
    # What is not an iterable of documents gets the vectorizer's clear error
    # (it was "'NoneType' object is not iterable", from the one-shot check).
    for bad in (None, 3, 2.5):
        with pytest.raises(TypeError, match="raw_documents must be an iterable"):
            SimplerGloveVectorizer().fit(bad)


def test_word_vectors_from_a_streamed_corpus_in_any_sparse_layout():
    from sklearn_kexue.embedding import CooccurrenceVectorizer

    documents, _ = _topic_documents(80, seed=2)
    vectorizer = CooccurrenceVectorizer(window=3).fit(documents)
    total = vectorizer.cooccurrence_matrix(documents)
    params = {"n_components": 3, "input_type": "cooccurrence", "max_iter": 5, "tol": 0}
    glove = SimplerGlove(vocabulary=vectorizer.vocabulary_, random_state=0, **params)
    # The same counts in any layout give the same vectors, bit for bit.
    reference = glove.fit(total).embeddings_.copy()
    for layout in (sp.coo_matrix, sp.csc_array, lambda m: m.toarray()):
        np.testing.assert_array_equal(glove.fit(layout(total)).embeddings_, reference)
    np.testing.assert_array_equal(glove.word_counts_, vectorizer.word_counts_)
    # The five nearest words to "cat" are all of its topic.
    animals = {"dog", "fur", "paw", "tail", "bark", "purr", "pet"}
    glove.set_params(max_iter=50).fit(total)
    assert {word for word, _ in glove.most_similar("cat", topn=5)} <= animals


def test_negative_sampling_off_is_su_objective_and_its_loss_is_exact():
    X = _count_matrix(8)
    su = SimplerGlove(n_components=3, negative=0, max_iter=30, tol=0, random_state=0)
    su.fit(X)
    # Without drawn pairs the loss is the co-occurring pairs' loss alone.
    assert su.loss_curve_[-1] == pytest.approx(
        _reference_loss(su.embeddings_, X), rel=1e-10
    )
    glove = SimplerGlove(n_components=3, max_iter=30, tol=0, random_state=0).fit(X)
    # The loss adds the expectation of ½ w <v_a, v_n>² over the draws: for each
    # pair side a, n_negative draws n ~ q, the anchor itself skipped.
    vectors = glove.embeddings_
    counts = X.sum(axis=0)
    q = counts**0.75 / (counts**0.75).sum()
    gram = X.T @ X
    upper = np.argwhere(np.triu(gram, k=1) > 0)
    expected_negative = 0.0
    for pair in upper:
        for a in pair:
            inner = vectors @ vectors[a]
            expected_negative += 2 * 0.5 * 0.1 * (q @ inner**2 - q[a] * inner[a] ** 2)
    expected = _reference_loss(vectors, X) + expected_negative / len(upper)
    assert glove.loss_curve_[-1] == pytest.approx(expected, rel=1e-10)
    assert glove.score(X) == pytest.approx(-expected, rel=1e-10)


def test_drawn_pairs_spread_the_vectors_apart():
    # Short documents of Zipf-distributed words: most pairs never meet, and
    # those that do mostly have a positive PMI. Su's loss alone then gives
    # every vector one large common direction; the drawn pairs remove most
    # of it (mean cosine of all word pairs).
    from sklearn_kexue.embedding import CooccurrenceVectorizer

    rng = np.random.default_rng(4)
    frequencies = 1.0 / np.arange(1, 501)
    documents = [
        [
            f"w{word}"
            for word in rng.choice(500, size=8, p=frequencies / frequencies.sum())
        ]
        for _ in range(1000)
    ]
    counts = CooccurrenceVectorizer(window=2).fit(documents)
    counts = counts.cooccurrence_matrix(documents)

    def mean_cosine(negative):
        glove = SimplerGlove(
            n_components=10,
            input_type="cooccurrence",
            negative=negative,
            x_max=10,
            max_iter=50,
            tol=0,
            random_state=0,
        ).fit(counts)
        unit = glove.embeddings_ / np.linalg.norm(glove.embeddings_, axis=1)[:, None]
        cosines = unit @ unit.T
        return cosines[np.triu_indices_from(cosines, k=1)].mean()

    su, drawn = mean_cosine(0), mean_cosine(2)
    assert su > 0.7
    assert drawn < su / 3


def test_threads_are_seeded_hogwild_and_one_thread_is_reproducible():
    from sklearn_kexue.embedding import CooccurrenceVectorizer

    documents, _ = _topic_documents(300, seed=5)
    vectorizer = CooccurrenceVectorizer(window=3).fit(documents)
    counts = vectorizer.cooccurrence_matrix(documents)
    params = {"n_components": 6, "input_type": "cooccurrence", "max_iter": 40}
    params.update(tol=0, random_state=0, vocabulary=vectorizer.vocabulary_)
    one = SimplerGlove(n_jobs=1, **params).fit(counts)
    again = SimplerGlove(n_jobs=1, **params).fit(counts)
    np.testing.assert_array_equal(one.embeddings_, again.embeddings_)
    two = SimplerGlove(n_jobs=2, **params).fit(counts)
    # Two threads optimise the same objective to about the same loss, and
    # find the same topics.
    assert two.loss_curve_[-1] == pytest.approx(one.loss_curve_[-1], rel=0.1)
    animals = {"dog", "fur", "paw", "tail", "bark", "purr", "pet"}
    assert {word for word, _ in two.most_similar("cat", topn=4)} <= animals


def test_square_input_is_read_without_a_dense_or_flattened_copy():
    import tracemalloc

    rng = np.random.default_rng(0)
    n_words, n_pairs = 200_000, 100_000
    rows = rng.integers(0, n_words, size=n_pairs)
    cols = rng.integers(0, n_words, size=n_pairs)
    keep = rows != cols
    pairs = sp.coo_matrix(
        (np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n_words,) * 2
    )
    counts = (pairs + pairs.T).tocsr()
    counts.setdiag(np.asarray(counts.sum(axis=1)).ravel() + 1)
    stored_bytes = counts.data.nbytes + counts.indices.nbytes + counts.indptr.nbytes
    glove = SimplerGlove(
        n_components=2, input_type="cooccurrence", max_iter=1, tol=0, random_state=0
    )
    tracemalloc.start()
    glove.fit(counts)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # A V² layout would need 320 GB; the fit needs a few copies of the
    # stored entries and O(V d) for the vectors.
    assert peak < 12 * stored_bytes
    assert glove.n_pairs_ == (counts.nnz - n_words) // 2


def test_vectorizer_random_state_seeds_the_word_vectors():
    documents = ["the cat sat on the mat", "the dog sat on the log"] * 5
    seeded = [
        SimplerGloveVectorizer(random_state=3).fit_transform(documents)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(seeded[0], seeded[1])
    # It replaces the random_state of a glove that was given.
    glove = SimplerGlove(max_iter=5, random_state=0)
    replaced = SimplerGloveVectorizer(glove=glove, random_state=3).fit(documents)
    assert replaced.glove_.random_state == 3 and glove.random_state == 0


def test_threads_make_the_fit_non_deterministic_in_the_tags():
    assert not SimplerGlove().__sklearn_tags__().non_deterministic
    assert SimplerGlove(n_jobs=2).__sklearn_tags__().non_deterministic
    assert (
        SimplerGloveVectorizer(glove=SimplerGlove(n_jobs=2))
        .__sklearn_tags__()
        .non_deterministic
    )
