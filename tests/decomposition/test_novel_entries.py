"""novel_entries: the zero cells a low-rank reconstruction fills in, in batches."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn

from sklearn_kexue import LinearAutoencoder
from sklearn_kexue.decomposition import novel_entries
from sklearn_kexue.testing import as_format


def _counts(seed=0, shape=(40, 30)):
    rng = np.random.default_rng(seed)
    X = rng.poisson(2.0, size=shape).astype(float)
    X[rng.random(shape) < 0.6] = 0
    return X


def _brute_force(model, X, n_entries):
    reconstruction = model.inverse_transform(model.transform(X))
    reconstruction[X != 0] = -np.inf
    flat = reconstruction.ravel()
    order = np.lexsort((np.arange(flat.size), -flat))[:n_entries]
    rows, columns = np.divmod(order, X.shape[1])
    return rows, columns, flat[order]


@pytest.mark.parametrize("format", ["dense", "csr_array", "csr_matrix", "pydata_coo"])
def test_matches_brute_force_over_the_whole_reconstruction(format):
    X = _counts()
    model = LinearAutoencoder(5, activation="relu").fit(X)
    rows, columns, values = _brute_force(model, X, 25)
    found = novel_entries(model, as_format(X, format), n_entries=25)
    np.testing.assert_array_equal(found.row, rows)
    np.testing.assert_array_equal(found.column, columns)
    np.testing.assert_allclose(found.value, values, rtol=1e-12)
    assert np.all(X[found.row, found.column] == 0)
    assert np.all(np.diff(found.value) <= 0)


def test_batches_give_the_same_entries():
    X = _counts(seed=1, shape=(300, 50))
    model = LinearAutoencoder(4, activation="relu").fit(X)
    whole = novel_entries(model, X, n_entries=40)
    with sklearn.config_context(working_memory=0.01):  # a few rows per batch
        batched = novel_entries(model, sp.csr_array(X), n_entries=40)
    np.testing.assert_array_equal(batched.row, whole.row)
    np.testing.assert_array_equal(batched.column, whole.column)
    np.testing.assert_allclose(batched.value, whole.value)


def test_labels_from_a_pair_or_a_dataframe():
    X = _counts(seed=2, shape=(12, 8))
    rows = [f"r{i}" for i in range(12)]
    columns = [f"c{j}" for j in range(8)]
    model = LinearAutoencoder(2, activation="relu").fit(X)
    found = novel_entries(model, X, n_entries=5, labels=(rows, columns))
    np.testing.assert_array_equal(found.row_label, np.array(rows)[found.row])
    np.testing.assert_array_equal(found.column_label, np.array(columns)[found.column])
    frame = pd.DataFrame(X, index=rows, columns=columns)
    frame_model = LinearAutoencoder(2, activation="relu").fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feature-name warning from the model
        from_frame = novel_entries(frame_model, frame, n_entries=5)
    np.testing.assert_array_equal(from_frame.row_label, found.row_label)
    np.testing.assert_array_equal(from_frame.column_label, found.column_label)
    only_columns = novel_entries(model, X, n_entries=5, labels=(None, columns))
    assert "row_label" not in only_columns and "column_label" in only_columns


def test_min_value_and_fewer_candidates_than_asked():
    X = np.array([[4.0, 2.0, 0.0], [2.0, 1.0, 1.0], [0.0, 0.0, 3.0]])
    model = LinearAutoencoder(1, activation="relu").fit(X)
    every = novel_entries(model, X, n_entries=10)
    assert len(every.value) == 3  # only three zero cells, all filled in
    above = novel_entries(model, X, n_entries=10, min_value=every.value[1])
    np.testing.assert_array_equal(above.value, every.value[:1])


@pytest.mark.parametrize(
    "kwargs, X, message",
    [
        ({}, -np.eye(3), "non-negative"),
        ({}, np.where(np.eye(3) == 1, np.nan, 0.0), "Input X contains NaN"),
        ({}, np.eye(3)[:, :2], "X has 2 features, but LinearAutoencoder"),
        ({}, np.eye(3)[:0], "0 sample"),
        ({"n_entries": 0}, np.eye(3), "'n_entries' parameter of novel_entries"),
        ({"n_entries": True}, np.eye(3), "'n_entries' parameter of novel_entries"),
        ({"n_entries": 2.0}, np.eye(3), "'n_entries' parameter of novel_entries"),
        # NaN was accepted and gave no entries: nothing compares above it.
        ({"min_value": np.nan}, np.eye(3), "'min_value' parameter of novel_entries"),
        ({"min_value": "0"}, np.eye(3), "'min_value' parameter of novel_entries"),
        ({"labels": (["a"], None)}, np.eye(3), "row_labels has 1 entries"),
        ({"labels": (None, "abc")}, np.eye(3), "column_labels must be a 1-D"),
        ({"labels": (None, [["a", "b", "c"]])}, np.eye(3), "must be a 1-D"),
        ({"labels": (None,)}, np.eye(3), "labels must be a pair"),
        ({"labels": "ab"}, np.eye(3), "'labels' parameter of novel_entries"),
    ],
)
def test_bad_input_raises(kwargs, X, message):
    model = LinearAutoencoder(1).fit(np.eye(3))
    X_before = X.copy()
    with pytest.raises(ValueError, match=message):
        novel_entries(model, X, **kwargs)
    np.testing.assert_array_equal(X, X_before)


def test_estimator_must_be_a_fitted_transformer():
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    X = _counts(shape=(10, 4))
    with pytest.raises(NotFittedError):
        novel_entries(LinearAutoencoder(1), X)
    # A classifier has no inverse_transform: it was an AttributeError inside.
    classifier = LogisticRegression().fit(X, np.arange(10) % 2)
    with pytest.raises(TypeError, match="implementing 'transform' and 'inverse"):
        novel_entries(classifier, X)

    class Squash(LinearAutoencoder):
        def inverse_transform(self, X):
            return super().inverse_transform(X)[:, :2]

    with pytest.raises(ValueError, match="does not reconstruct X"):
        novel_entries(Squash(1).fit(X), X)


def test_extreme_arguments_give_correct_results():
    X = _counts(seed=4, shape=(20, 6))
    model = LinearAutoencoder(2, activation="relu").fit(X)
    every = novel_entries(model, X, n_entries=2**62)  # more than exist: all
    n_filled = np.sum((X == 0) & (model.inverse_transform(model.transform(X)) > 0))
    assert len(every.value) == n_filled
    assert len(novel_entries(model, X, n_entries=5, min_value=np.inf).value) == 0
    lowest = novel_entries(model, X, n_entries=2**62, min_value=-np.inf)
    assert len(lowest.value) == np.sum(X == 0)
    # Huge counts: the model rescales, and the entries are those of X, scaled.
    huge = novel_entries(
        LinearAutoencoder(2, activation="relu").fit(X * 2.0**400),
        X * 2.0**400,
        n_entries=5,
    )
    base = novel_entries(model, X, n_entries=5)
    np.testing.assert_array_equal(huge.row, base.row)
    np.testing.assert_array_equal(huge.column, base.column)
    np.testing.assert_allclose(huge.value, base.value * 2.0**400, rtol=1e-12)


def test_a_transformer_with_sparse_reconstructions():
    # StandardScaler keeps sparse input sparse: np.asarray of its
    # reconstruction said "setting an array element with a sequence".
    from sklearn.preprocessing import StandardScaler

    X = _counts(seed=5, shape=(12, 6))
    scaler = StandardScaler(with_mean=False).fit(X)
    found = novel_entries(scaler, sp.csr_array(X), n_entries=3, min_value=-1.0)
    # A scaler reconstructs X exactly: its zero cells stay 0 (> -1).
    assert len(found.value) == 3 and np.all(found.value == 0)
    np.testing.assert_array_equal(X[found.row, found.column], 0)
