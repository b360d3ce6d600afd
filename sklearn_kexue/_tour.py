"""The tour behind ``python -m sklearn_kexue``: every estimator, fitted for real.

Each exported estimator has a step that fits it inside a ``Pipeline`` and a
small ``GridSearchCV`` on data that ships with scikit-learn, and reports what
it found (an index without a score, ``HammingNeighbors``, is fitted in a
``Pipeline`` and queried). A new estimator must add its step to
``TOUR_STEPS``.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler, StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_kexue._version import __version__
from sklearn_kexue.decomposition import (
    LinearAutoencoder,
    MiniBatchLinearAutoencoder,
    novel_entries,
)
from sklearn_kexue.embedding import (
    CooccurrenceVectorizer,
    SimplerGlove,
    SimplerGloveVectorizer,
)
from sklearn_kexue.hashing import (
    BioHashTransformer,
    FlyHashTransformer,
    SignRandomProjection,
)
from sklearn_kexue.linear_model import GammaCrossEntropyClassifier
from sklearn_kexue.metrics import mean_average_precision_labels
from sklearn_kexue.neighbors import HammingNeighbors, HashingNeighborsTransformer
from sklearn_kexue.utils.discovery import all_estimators

__all__ = ["main"]


def _digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def _hasher_step(hasher, grid, describe):
    """Hash digits, classify the codes, tune the hasher and score retrieval."""
    X_train, X_test, y_train, y_test = _digits()
    step = type(hasher).__name__.lower()
    pipeline = make_pipeline(hasher, LogisticRegression(max_iter=3000))
    search = GridSearchCV(
        pipeline, {f"{step}__{name}": values for name, values in grid.items()}, cv=3
    )
    search.fit(X_train, y_train)
    best = {
        name.split("__", 1)[1]: value for name, value in search.best_params_.items()
    }
    fitted_hasher = search.best_estimator_[0]
    retrieval = mean_average_precision_labels(
        fitted_hasher.transform(X_test), y_test, random_state=0
    )
    grid_text = ", ".join(f"{name} in {values}" for name, values in grid.items())
    return [
        f"  grid      {grid_text} "
        f"(3-fold CV, {len(search.cv_results_['params'])} candidates)",
        f"  best      {best}, CV accuracy {search.best_score_:.3f}",
        f"  test      accuracy {search.score(X_test, y_test):.3f} of the "
        f"{describe(fitted_hasher)} -> LogisticRegression pipeline",
        f"  retrieval same-label mAP@All of the test codes {retrieval:.3f} "
        "(random tie order, seed 0)",
    ]


def _flyhash_step():
    return _hasher_step(
        FlyHashTransformer(random_state=0),
        {"hash_length": [4, 16, 32]},
        lambda hasher: f"{hasher.hash_length_}-of-{hasher.n_components_} FlyHash codes",
    )


def _biohash_step():
    # BioHash warns when units off the unit sphere still make many code entries;
    # the tour reports how often that happened instead of printing each warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        lines = _hasher_step(
            BioHashTransformer(n_components=80, random_state=0),
            {"hash_length": [4, 16]},
            lambda hasher: (
                f"{hasher.hash_length_}-of-{hasher.n_components} BioHash codes"
            ),
        )
    n_warned = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    lines.append(
        f"  converge  {n_warned} of 7 fits warned that over 1% of the code entries "
        "came from units off the unit sphere"
    )
    return lines


def _sign_random_projection_step():
    return _hasher_step(
        SignRandomProjection(random_state=0),
        {"n_components": [32, 128], "center": [False, True]},
        lambda hasher: f"{hasher.components_.shape[0]}-bit SimHash codes",
    )


def _hamming_neighbors_step():
    """Index FlyHash codes, classify by a vote of the nearest codes, check exactness."""
    X_train, X_test, y_train, y_test = _digits()
    # An index has no score, so no grid search: a hasher, then the index.
    pipeline = make_pipeline(
        FlyHashTransformer(n_components=2000, hash_length=16, random_state=0),
        HammingNeighbors(n_neighbors=5),
    ).fit(X_train)
    hasher, index = pipeline[0], pipeline[-1]
    test_codes = hasher.transform(X_test)
    distances, indices = index.kneighbors(test_codes)
    votes = np.array(
        [np.bincount(row, minlength=10).argmax() for row in y_train[indices]]
    )
    # Both stores and scikit-learn's brute force give the same distances.
    train_codes = hasher.transform(X_train)
    packed = HammingNeighbors(n_neighbors=5, algorithm="packed").fit(train_codes)
    packed_distances, packed_indices = packed.kneighbors(test_codes)
    brute = NearestNeighbors(n_neighbors=5, metric="hamming", algorithm="brute")
    brute_distances, _ = brute.fit(train_codes.toarray() > 0).kneighbors(
        test_codes.toarray() > 0
    )
    same_as_packed = np.array_equal(distances, packed_distances) and np.array_equal(
        indices, packed_indices
    )
    same_as_brute = np.allclose(distances, brute_distances * index.n_bits_)
    simhash_index = HammingNeighbors().fit(
        SignRandomProjection(n_components=256, random_state=0).fit_transform(X_train)
    )
    return [
        f"  index     16-of-2000 FlyHash codes of {index.n_samples_fit_} images: "
        f"algorithm='auto' chose {index.fit_method_} ({index.index_bytes_:,} bytes; "
        f"packed words: {packed.index_bytes_:,}); 256-bit SimHash codes: "
        f"{simhash_index.fit_method_}",
        f"  test      accuracy {np.mean(votes == y_test):.3f} of a vote of the 5 "
        "nearest codes (FlyHashTransformer -> HammingNeighbors pipeline)",
        f"  exact     same neighbours as the packed scan: {same_as_packed}; same "
        f"distances as NearestNeighbors(metric='hamming') x bits: {same_as_brute}",
    ]


def _hashing_neighbors_step():
    """Hashed neighbours feed a precomputed-metric classifier; tune the candidates."""
    X_train, X_test, y_train, y_test = _digits()
    pipeline = make_pipeline(
        HashingNeighborsTransformer(
            SignRandomProjection(random_state=0), n_neighbors=5
        ),
        KNeighborsClassifier(n_neighbors=5, metric="precomputed"),
    )
    grid = {
        "hashingneighborstransformer__n_candidates": [5, 50],
        "hashingneighborstransformer__hasher__n_components": [64, 256],
    }
    search = GridSearchCV(pipeline, grid, cv=3).fit(X_train, y_train)
    best = search.best_estimator_[0]
    exact = KNeighborsClassifier(n_neighbors=5).fit(X_train, y_train)
    agreement = np.mean(search.predict(X_test) == exact.predict(X_test))
    found = best.kneighbors(X_test, return_distance=False)
    true = exact.kneighbors(X_test, return_distance=False)
    recall = np.mean([len(np.intersect1d(a, b)) for a, b in zip(found, true)]) / 5
    return [
        "  grid      n_candidates in [5, 50], hasher__n_components in [64, 256] "
        "(3-fold CV, 4 candidates)",
        f"  best      n_candidates={best.n_candidates}, "
        f"{best.hasher_.n_components}-bit SimHash, "
        f"CV accuracy {search.best_score_:.3f}",
        f"  test      accuracy {search.score(X_test, y_test):.3f} of the "
        "HashingNeighborsTransformer -> KNeighborsClassifier(metric='precomputed') "
        "pipeline",
        f"  exact     KNeighborsClassifier on the pixels: accuracy "
        f"{exact.score(X_test, y_test):.3f}; same prediction for {agreement:.1%} of "
        f"the test images; the hashed 5 neighbours hold {recall:.1%} of the exact 5",
    ]


def _linear_autoencoder_step():
    """Compress digits, classify the codes, tune k, and fill in zero pixels."""
    X_train, X_test, y_train, y_test = _digits()
    pipeline = make_pipeline(
        LinearAutoencoder(center=True, random_state=0),
        LogisticRegression(max_iter=3000),
    )
    grid = {"linearautoencoder__n_components": [8, 16, 32]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X_train, y_train)
    autoencoder = search.best_estimator_[0]
    k = autoencoder.n_components_
    relative_error = autoencoder.reconstruction_error_ / np.linalg.norm(
        X_train - X_train.mean(axis=0)
    )
    relu = LinearAutoencoder(k, activation="relu").fit(X_train)
    filled = novel_entries(relu, X_test, n_entries=1)
    return [
        "  grid      n_components in [8, 16, 32] (3-fold CV, 3 candidates)",
        f"  best      n_components={k} ({autoencoder.solver_} solver), "
        f"CV accuracy {search.best_score_:.3f}",
        f"  test      accuracy {search.score(X_test, y_test):.3f} of the "
        f"{k}-unit LinearAutoencoder -> LogisticRegression pipeline",
        f"  energy    {autoencoder.explained_variance_ratio_.sum():.3f} of the "
        f"centred training energy captured; relative error {relative_error:.3f}",
        f"  relu      brightest pixel filled into a blank one: row {filled.row[0]}, "
        f"pixel {filled.column[0]}, value {filled.value[0]:.2f} of 16",
    ]


def _minibatch_linear_autoencoder_step():
    """Train the autoencoder as a network, classify the codes, compare with the SVD."""
    X_train, X_test, y_train, y_test = _digits()
    pipeline = make_pipeline(
        MiniBatchLinearAutoencoder(center=True, max_iter=100, random_state=0),
        LogisticRegression(max_iter=3000),
    )
    grid = {"minibatchlinearautoencoder__n_components": [8, 16]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X_train, y_train)
    network = search.best_estimator_[0]
    k = network.n_components_
    exact = LinearAutoencoder(k, center=True).fit(X_train)
    cosines = np.abs(np.sum(network.components_ * exact.components_, axis=1))
    deviation = np.max(np.abs(network.singular_values_ / exact.singular_values_ - 1))
    return [
        "  grid      n_components in [8, 16] (3-fold CV, 2 candidates)",
        f"  best      n_components={k}, {network.n_iter_} epochs of Adam "
        f"({network.n_steps_} minibatches), CV accuracy {search.best_score_:.3f}",
        f"  test      accuracy {search.score(X_test, y_test):.3f} of the "
        f"{k}-unit MiniBatchLinearAutoencoder -> LogisticRegression pipeline",
        f"  the SVD   trained directions against LinearAutoencoder's: |cos| >= "
        f"{cosines.min():.3f}; singular values within {deviation:.2%}; error "
        f"{network.reconstruction_error_ / exact.reconstruction_error_:.4f} x "
        "the optimum",
    ]


def _gamma_cross_entropy_step():
    """Classify digits whose training labels are 20 % wrong, against plain CE."""
    X_train, X_test, y_train, y_test = _digits()
    rng = np.random.default_rng(0)
    noisy = y_train.copy()
    flipped = rng.choice(len(noisy), round(0.2 * len(noisy)), replace=False)
    noisy[flipped] = (noisy[flipped] + rng.integers(1, 10, len(flipped))) % 10
    pipeline = make_pipeline(StandardScaler(), GammaCrossEntropyClassifier())
    grid = {"gammacrossentropyclassifier__gamma": [0.0, 0.5, 1.0]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X_train, noisy)
    gamma = search.best_params_["gammacrossentropyclassifier__gamma"]
    plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000))
    plain_accuracy = plain.fit(X_train, noisy).score(X_test, y_test)
    return [
        "  noise     20% of the training labels replaced by another digit",
        "  grid      gamma in [0.0, 0.5, 1.0] (3-fold CV on the noisy labels)",
        f"  best      gamma={gamma}, CV accuracy {search.best_score_:.3f} "
        "(against noisy labels)",
        f"  test      accuracy {search.score(X_test, y_test):.3f} on clean test "
        "labels (StandardScaler -> GammaCrossEntropyClassifier)",
        f"  baseline  LogisticRegression on the same labels: {plain_accuracy:.3f}",
    ]


def _pixel_documents(X, threshold=8):
    """Each image as a text: its inked pixels' names ("p12"), in reading order."""
    return [[f"p{pixel}" for pixel in np.flatnonzero(row >= threshold)] for row in X]


def _cooccurrence_vectorizer_step():
    """Pixels as words in reading order: windowed co-occurrence, then a classifier."""
    X_train, X_test, y_train, y_test = _digits()
    pipeline = make_pipeline(
        FunctionTransformer(_pixel_documents),
        CooccurrenceVectorizer(),
        MaxAbsScaler(),
        LinearAutoencoder(n_components=32, random_state=0),
        StandardScaler(),
        LogisticRegression(max_iter=3000),
    )
    grid = {"cooccurrencevectorizer__window": [1, 4]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X_train, y_train)
    vectorizer = search.best_estimator_[1]
    n_words = len(vectorizer.vocabulary_)
    return [
        "  words     an image is a text of its inked pixels (>= 8 of 16) in "
        "reading order",
        "  grid      window in [1, 4] (3-fold CV, 2 candidates)",
        f"  best      window={vectorizer.window}, CV accuracy {search.best_score_:.3f}",
        f"  test      accuracy {search.score(X_test, y_test):.3f} of the "
        f"{n_words} x {n_words} co-occurrence counts -> LinearAutoencoder(32) "
        "-> LogisticRegression pipeline",
    ]


def _simpler_glove_step():
    """Pixels as words: vectors from pixel co-occurrence, images as their sums."""
    X_train, X_test, y_train, y_test = _digits()
    pipeline = make_pipeline(
        SimplerGlove(pooling="mean", random_state=0),
        StandardScaler(),
        LogisticRegression(max_iter=3000),
    )
    grid = {"simplerglove__n_components": [8, 16, 32]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X_train, y_train)
    glove = search.best_estimator_[0]
    # Related pixels should be near each other on the 8 x 8 grid.
    used = np.flatnonzero(np.linalg.norm(glove.embeddings_, axis=1) > 0)
    nearest = [glove.most_similar(int(pixel), topn=1)[0][0] for pixel in used]
    rows, cols = np.divmod(used, 8)
    near_rows, near_cols = np.divmod(np.array(nearest), 8)
    distance = np.hypot(rows - near_rows, cols - near_cols).mean()
    all_pairs = np.hypot(*(np.subtract.outer(a, a) for a in (rows, cols)))
    random_distance = all_pairs.sum() / (len(used) * (len(used) - 1))
    return [
        "  words     the 64 pixels; an image is a context, its intensities counts",
        "  grid      n_components in [8, 16, 32] (3-fold CV, 3 candidates)",
        f"  best      n_components={glove.n_components_}, {glove.n_iter_} epochs, "
        f"CV accuracy {search.best_score_:.3f}",
        f"  test      accuracy {search.score(X_test, y_test):.3f} of the "
        "SimplerGlove (mean of pixel vectors) -> LogisticRegression pipeline",
        f"  related   a pixel's most related pixel lies {distance:.2f} pixels away "
        f"(two random inked pixels: {random_distance:.2f})",
    ]


def _simpler_glove_vectorizer_step():
    """Pixels as words in reading order: windowed vectors, images as their means."""
    X_train, X_test, y_train, y_test = _digits()
    pipeline = make_pipeline(
        FunctionTransformer(_pixel_documents),
        SimplerGloveVectorizer(
            CooccurrenceVectorizer(window=2),
            SimplerGlove(n_components=16, pooling="mean", random_state=0),
        ),
        StandardScaler(),
        LogisticRegression(max_iter=3000),
    )
    grid = {"simplerglovevectorizer__vectorizer__window": [2, 8]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X_train, y_train)
    model = search.best_estimator_[1]
    return [
        "  words     an image is a text of its inked pixels (>= 8 of 16) in "
        "reading order",
        "  grid      vectorizer__window in [2, 8] (3-fold CV, 2 candidates)",
        f"  best      window={model.vectorizer_.window}, {model.glove_.n_iter_} "
        f"epochs, CV accuracy {search.best_score_:.3f}",
        f"  test      accuracy {search.score(X_test, y_test):.3f} of the "
        "SimplerGloveVectorizer (windowed pixel vectors, mean per image) -> "
        "LogisticRegression pipeline",
    ]


TOUR_STEPS = {
    "BioHashTransformer": _biohash_step,
    "CooccurrenceVectorizer": _cooccurrence_vectorizer_step,
    "FlyHashTransformer": _flyhash_step,
    "GammaCrossEntropyClassifier": _gamma_cross_entropy_step,
    "HammingNeighbors": _hamming_neighbors_step,
    "HashingNeighborsTransformer": _hashing_neighbors_step,
    "LinearAutoencoder": _linear_autoencoder_step,
    "MiniBatchLinearAutoencoder": _minibatch_linear_autoencoder_step,
    "SignRandomProjection": _sign_random_projection_step,
    "SimplerGlove": _simpler_glove_step,
    "SimplerGloveVectorizer": _simpler_glove_vectorizer_step,
}


def main():
    """Fit every exported estimator in a Pipeline (and a GridSearchCV), and report.

    Returns
    -------
    report : list of str
        The lines printed.
    """
    missing = [name for name, _ in all_estimators() if name not in TOUR_STEPS]
    if missing:
        raise RuntimeError(
            f"The tour has no step for {missing}; add one to TOUR_STEPS."
        )
    report = [
        f"sklearn-kexue {__version__}: a tour of every estimator",
        "data: scikit-learn's load_digits (1797 images of 8x8 pixels, 10 classes), "
        "stratified 75/25 train/test split",
    ]
    print(*report, sep="\n", flush=True)
    # SciPy >= 1.15's L-BFGS-B (LogisticRegression's solver) runs 10x slower on
    # these small problems with multithreaded OpenBLAS (scipy/scipy#23191).
    with threadpool_limits(limits=1, user_api="blas"):
        for name, _ in all_estimators():
            report.extend(_run_step(name))
    return report


def _run_step(name):
    """Run one estimator's step and print its lines as soon as they exist."""
    start = time.perf_counter()
    lines = [f"\n{name}", *TOUR_STEPS[name]()]
    lines.append(f"  time      {time.perf_counter() - start:.1f} s")
    print(*lines, sep="\n", flush=True)
    return lines
