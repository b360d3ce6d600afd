"""What the linear autoencoders share, whichever way they are trained.

:class:`LinearAutoencoder` (exact and randomized SVD solvers) and
:class:`MiniBatchLinearAutoencoder` (minibatch Adam) both end with the same
model: orthonormal ``components_`` with a spectrum, and an optional mean. The
base class holds what depends only on that model (``transform``,
``inverse_transform``, ``score_samples``, ``score``, the spectrum
attributes), and the helpers both fits use to handle extreme data exactly.
"""

import copy
import math

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_array, check_is_fitted

from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._param_validation import RANDOM_STATE, StrOptions
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale
from sklearn_kexue.utils._validation import validate_input_data

__all__ = [
    "column_mean",
    "input_scale",
    "overflow_advice",
    "reconstruction_residual",
    "rescaled",
    "too_large_message",
    "unscaled",
]


def input_scale(X):
    """A power of two that brings extreme data into a safe range, else 1.

    The SVD is equivariant to scaling, so the solvers run on ``X * scale``
    and the spectrum is scaled back: exact, since multiplying by a power of
    two only changes exponents. Ordinary data get 1, and so the very same
    arithmetic as without rescaling.
    """
    return power_of_two_scale(max_abs(X), X.dtype)


def rescaled(X, scale):
    """``X * scale`` as a new array (sparse stays sparse), or X itself for 1.

    ``np.ldexp`` applies the power of two without forming it in X's dtype,
    where it may not be representable (float32 stops at 2**127).
    """
    if scale == 1:
        return X
    exponent = math.frexp(scale)[1] - 1
    if sp.issparse(X):
        X = X.copy()
        X.data = np.ldexp(X.data, exponent)
        return X
    return np.ldexp(np.asarray(X), exponent)


def unscaled(values, scale, power=1):
    """``values / scale**power`` in float64, without forming ``scale**power``."""
    values = np.asarray(values, dtype=np.float64)
    if scale == 1:
        return values
    with np.errstate(over="ignore"):  # callers check the range of the result
        for _ in range(power):
            values = values / scale
    return values


def _representable(values, dtype, what, advice):
    """``values`` cast to ``dtype``, or a ValueError if they exceed its range."""
    values = np.asarray(values, dtype=np.float64)
    largest = float(np.max(np.abs(values), initial=0.0))
    if not largest <= float(np.finfo(dtype).max):
        raise ValueError(
            f"{what} exceed the {np.dtype(dtype).name} range (largest "
            f"{largest:.3g}): {advice}"
        )
    return values.astype(dtype)


def _at_data_scale(values, scale, dtype, what):
    """Output computed on data times ``scale``, back at the data's scale.

    ``values`` themselves for ordinary data (``scale`` 1). Extreme data were
    processed at a safe scale, in float64: the output is divided by ``scale``
    and cast to ``dtype``, or a ValueError says that it exceeds its range.
    """
    if scale == 1:
        return values
    return _representable(unscaled(values, scale), dtype, what, overflow_advice(dtype))


def too_large_message(name, largest, dtype):
    """Why data whose squared singular values overflow are refused, and the fix."""
    dtype = np.dtype(dtype)
    advice = (
        "pass X as float64, or divide it by a constant"
        if dtype == np.float32
        else "divide X by a constant"
    )
    return (
        f"X is too large for {name}: the squares of its singular "
        f"values (up to {float(largest):.3g}) exceed the {dtype.name} range, so "
        "explained_variance_ and the squared errors of score_samples cannot be "
        f"represented. The fit is equivariant to scaling: {advice} (a power of "
        "two is exact); components_ stay the same and singular_values_ scale "
        "with X."
    )


def overflow_advice(dtype):
    if np.dtype(dtype) == np.float32:
        return "pass the data as float64, or divide them by a constant."
    return "divide the data by a constant first."


def column_mean(X):
    """Feature means in float64, exact on constant columns; and whether all are.

    The mean of n copies of c need not round to c; centring would then leave
    rounding noise in a column that is exactly constant, and the solvers would
    fit that noise. Constant columns get their value as the mean instead, so
    that a constant matrix centres to exactly zero.
    """
    mean = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
    if sp.issparse(X):
        low = np.asarray(_dense_reduction(X.min(axis=0))).ravel()
        high = np.asarray(_dense_reduction(X.max(axis=0))).ravel()
    else:
        low, high = X.min(axis=0), X.max(axis=0)
    constant = low == high
    if np.any(constant):
        mean[constant] = np.asarray(low, dtype=np.float64)[constant]
    return mean, bool(np.all(constant))


def _dense_reduction(reduced):
    return reduced.toarray() if sp.issparse(reduced) else reduced


def reconstruction_residual(X, components, mean, total_energy):
    """``||X - X C D||_F`` and ``||(X - 1 mean^T) v_i||^2`` per component, one pass.

    The error is computed directly for dense X, via the energy identity for
    sparse X.
    """
    components = components.astype(np.float64)
    row_bytes = 8 * (X.shape[1] + components.shape[0])
    captured = np.zeros(components.shape[0])
    residual = 0.0
    for rows in gen_row_batches(X.shape[0], row_bytes):
        batch = X[rows]
        codes = np.asarray(batch @ components.T, dtype=np.float64)
        if mean is not None:
            codes -= mean @ components.T
        captured += np.einsum("ij,ij->j", codes, codes)
        if sp.issparse(X):
            continue
        difference = np.asarray(batch, dtype=np.float64) - codes @ components
        if mean is not None:
            difference -= mean
        residual += float(np.einsum("ij,ij->", difference, difference))
    if sp.issparse(X):
        # Orthonormal components: ||X - XVV^T||^2 = ||X||^2 - ||XV||^2.
        residual = max(total_energy - captured.sum(), 0.0)
    return float(np.sqrt(residual)), captured


class _BaseLinearAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, DocLinkMixin, BaseEstimator
):
    """Base class for the linear autoencoders; not for direct use.

    A fitted subclass sets ``components_`` (orthonormal rows), ``mean_``
    (None without centring), the spectrum (through :meth:`_set_spectrum`),
    ``reconstruction_error_``, ``n_iter_`` and ``n_samples_seen_``; the
    methods here apply that model.
    """

    _parameter_constraints: dict = {
        "center": ["boolean"],
        "activation": [None, StrOptions({"relu"})],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def _keeping_state_on_error(self, fit_method, X):
        """``fit_method(X)``, or, if it raises, the model as it was before."""
        saved = copy.deepcopy(self.__dict__)
        try:
            return fit_method(X)
        except BaseException:  # a refused fit leaves a fitted model as it was
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    # ----------------------------------------------------------------- spectrum

    def _spectrum(self, singular_values, total_energy, scale, n_samples, dtype):
        """singular_values_, explained_variance_ and explained_variance_ratio_.

        ``singular_values`` and ``total_energy`` are those of ``X * scale``.
        The ratios do not depend on the scale. Data so large that the squared
        singular values (the variances, and the squared errors that
        :meth:`score_samples` reports) exceed the floating-point range are
        refused: those numbers cannot be represented.
        """
        squares = np.asarray(singular_values, dtype=np.float64) ** 2
        if total_energy > 0:
            ratio = squares / total_energy
        else:
            ratio = np.zeros_like(squares)  # nothing to explain: no share
        variance = unscaled(squares / max(n_samples - 1, 1), scale, power=2)
        if scale != 1:
            largest_square = unscaled(squares.max(initial=0.0), scale, power=2)
            if not (
                largest_square <= np.finfo(np.float64).max
                and variance.max(initial=0.0) <= np.finfo(dtype).max
            ):
                largest = unscaled(np.max(singular_values, initial=0.0), scale)
                raise ValueError(too_large_message(type(self).__name__, largest, dtype))
            values = unscaled(singular_values, scale).astype(dtype)
        else:
            values = np.asarray(singular_values, dtype=dtype)
        return values, variance.astype(dtype), ratio.astype(dtype)

    def _set_spectrum(self, singular_values, variance, ratio):
        self.singular_values_ = singular_values
        self.n_components_ = len(singular_values)
        self.explained_variance_ = variance
        self.explained_variance_ratio_ = ratio

    # --------------------------------------------------------------- transforms

    def _encode(self, X, scale):
        """Codes of ``X``, data already multiplied by ``scale``."""
        components = self.components_.astype(X.dtype, copy=False)
        codes = np.asarray(X @ components.T)
        if self.mean_ is not None:
            mean = self.mean_ if scale == 1 else self.mean_ * scale
            codes -= (mean @ self.components_.T.astype(np.float64)).astype(X.dtype)
        return codes

    def _decode(self, codes, scale):
        """Reconstructions (activation applied) of codes multiplied by ``scale``."""
        reconstruction = codes @ self.components_.astype(codes.dtype, copy=False)
        if self.mean_ is not None:
            mean = self.mean_ if scale == 1 else self.mean_ * scale
            reconstruction += mean.astype(codes.dtype)
        if self.activation == "relu":
            np.maximum(reconstruction, 0, out=reconstruction)
        return reconstruction

    def _apply_scale(self, X):
        """The power of two for applying the model to X (codes or data).

        It is chosen from the largest of X's entries and the mean's, the
        numbers that meet in the products: tiny data minus an ordinary mean
        must not be scaled up into overflow.
        """
        largest = max_abs(X)
        if self.mean_ is not None:
            largest = max(largest, float(np.max(np.abs(self.mean_), initial=0.0)))
        return power_of_two_scale(largest, X.dtype)

    @staticmethod
    def _work_copy(X, scale):
        """``X * scale`` in float64 for extreme input (scale != 1), else X."""
        if scale == 1:
            return X
        if sp.issparse(X):
            return rescaled(X.astype(np.float64), scale)
        return rescaled(np.asarray(X, dtype=np.float64), scale)

    def transform(self, X):
        """Encode X: ``(X - mean_) @ encoder_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Data to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            Hidden-layer activations, in the dtype of X (float32 or float64).
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False, accept_sparse=("csr", "csc"))
        scale = self._apply_scale(X)
        codes = self._encode(self._work_copy(X, scale), scale)
        return _at_data_scale(codes, scale, X.dtype, "The codes of X")

    def inverse_transform(self, X):
        """Decode: ``X @ decoder_ + mean_``, then the activation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Hidden-layer activations, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Reconstructions (clipped at 0 with ``activation="relu"``).
        """
        check_is_fitted(self)
        X = check_array(X, dtype=(np.float64, np.float32), input_name="X")
        if X.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {X.shape[1]} columns, but this {type(self).__name__} has "
                f"n_components_={self.n_components_} hidden units."
            )
        scale = self._apply_scale(X)
        reconstruction = self._decode(self._work_copy(X, scale), scale)
        return _at_data_scale(reconstruction, scale, X.dtype, "The reconstructions")

    def score_samples(self, X):
        """Negative squared reconstruction error of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Data to reconstruct.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-||x - inverse_transform(transform(x))||^2`` per row (higher is
            better), with the activation applied.

        Raises
        ------
        ValueError
            If a squared error exceeds the float64 range (data beyond about
            1e154).
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False, accept_sparse=("csr", "csc"))
        scale = self._apply_scale(X)
        X_work = self._work_copy(X, scale)
        scores = np.empty(X.shape[0])
        row_bytes = 3 * 8 * X.shape[1]
        for rows in gen_row_batches(X.shape[0], row_bytes):
            batch = X_work[rows]
            reconstruction = self._decode(self._encode(batch, scale), scale)
            dense = batch.toarray() if sp.issparse(batch) else batch
            difference = np.asarray(dense, dtype=np.float64) - reconstruction
            scores[rows] = -np.einsum("ij,ij->i", difference, difference)
        scores = unscaled(scores, scale, power=2)
        if not np.all(np.isfinite(scores)):
            raise ValueError(
                "The squared reconstruction errors of X exceed the float64 range "
                f"(largest |x| = {max_abs(X):.3g}): divide the data by a constant "
                "to score them."
            )
        return scores

    def score(self, X, y=None):
        """Mean negative squared reconstruction error, for model selection.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Data to reconstruct.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
            Mean of :meth:`score_samples` (higher is better).
        """
        scores = self.score_samples(X)
        # The mean of finite scores can still overflow: average scaled copies.
        largest = float(np.max(np.abs(scores))) if scores.size else 0.0
        scale = power_of_two_scale(largest)
        return float(np.mean(scores * scale) / scale)

    @property
    def encoder_(self):
        """Encoder C, shape (n_features, n_components): a view of ``components_.T``."""
        return self.components_.T

    @property
    def decoder_(self):
        """Decoder D of shape (n_components, n_features): ``components_`` itself."""
        return self.components_

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
