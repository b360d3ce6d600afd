"""SimHash: sign random projection, the classic locality-sensitive hash for angles."""

from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._data_constraints import InputData
from sklearn_kexue.utils._param_validation import RANDOM_STATE, Interval
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale
from sklearn_kexue.utils._validation import validate_input_data

__all__ = ["SignRandomProjection"]


class SignRandomProjection(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, DocLinkMixin, BaseEstimator
):
    r"""Sign random projection (SimHash): one bit per random Gaussian hyperplane.

    Bit j of a row's code is 1 when the row lies on the positive side of the
    j-th random hyperplane through the origin (Charikar [1]_). Two rows at
    angle :math:`\theta` disagree on each bit with probability
    :math:`\theta / \pi`, so the Hamming distance between codes estimates
    the angle. It is the standard baseline for
    :class:`FlyHashTransformer`.

    Read more in the :ref:`User Guide <sign_random_projection>`.

    Parameters
    ----------
    n_components : int, default=32
        Number of hyperplanes, i.e. bits per code.

    center : bool, default=True
        Subtract the feature means learned in :meth:`fit` before projecting,
        so that the hyperplanes pass through the data's centre. Without it,
        non-negative data (counts, pixels, SIFT) all lie in one orthant and
        most bits are the same for every row, which makes poor codes. Sparse
        input stays sparse: the mean is subtracted after the projection.

    packed_output : bool, default=False
        If True, :meth:`transform` packs the bits of each row into bytes with
        :func:`numpy.packbits` (big-endian bit order, zero-padded to a
        multiple of 8), giving a ``uint8`` array with ``ceil(n_components /
        8)`` columns. If False, it returns a dense {0, 1} array of the input's
        float dtype.

    random_state : int, RandomState instance or None, default=None
        Seeds the hyperplanes. Pass an int for reproducible codes.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, `n_features_in_`)
        Normal vectors of the hyperplanes, i.i.d. standard Gaussian entries.

    mean_ : ndarray of shape (`n_features_in_`,) or None
        Per-feature mean of the training data when ``center=True``, else
        None.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    FlyHashTransformer : Sparse binary expansion with winner-take-all.
    sklearn.random_projection.GaussianRandomProjection : The same projection
        without the sign.

    Notes
    -----
    With :math:`W \in \mathbb{R}^{m \times d}`, :math:`W_{ji} \sim
    \mathcal{N}(0, 1)`, and :math:`\mu` the training mean (or 0), the code
    is :math:`h(x) = [W (x - \mu) > 0]`. For a pair of rows,
    :math:`P[h_j(x) \ne h_j(x')] = \theta(x - \mu, x' - \mu) / \pi`. A
    projection exactly 0 gives bit 0.

    References
    ----------
    .. [1] M. S. Charikar, "Similarity estimation techniques from rounding
       algorithms", STOC 2002. :doi:`10.1145/509907.509965`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import SignRandomProjection
    >>> X = np.random.default_rng(0).random((4, 10))
    >>> srp = SignRandomProjection(n_components=16, random_state=0).fit(X)
    >>> srp.transform(X).shape
    (4, 16)
    >>> srp.set_params(packed_output=True).transform(X).shape
    (4, 2)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "center": ["boolean"],
        "packed_output": ["boolean"],
        "random_state": RANDOM_STATE,
    }
    # For joint property-test draws: any finite X; no rule ties the parameters.
    _data_constraints: dict = {"X": InputData()}

    def __init__(
        self, n_components=32, *, center=True, packed_output=False, random_state=None
    ):
        self.n_components = n_components
        self.center = center
        self.packed_output = packed_output
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Draw the hyperplanes and, with ``center=True``, learn the feature means.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        X = validate_input_data(self, X, reset=True, accept_sparse=("csr", "csc"))
        random_state = check_random_state(self.random_state)
        self.components_ = random_state.standard_normal((self.n_components, X.shape[1]))
        if self.center:
            # Means of extreme values overflow; a power-of-two rescale is exact.
            scale = power_of_two_scale(max_abs(X))
            X_scaled = X if scale == 1 else X * scale
            # sum / n for dense and sparse alike (SciPy's mean multiplies by
            # 1 / n): rows equal to the mean get the same codes either way.
            sums = np.asarray(X_scaled.sum(axis=0, dtype=np.float64)).ravel()
            self.mean_ = sums / X.shape[0] / scale
        else:
            self.mean_ = None
        return self

    def transform(self, X):
        """Hash ``X`` into one bit per hyperplane.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Data to hash.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components) or \
                (n_samples, ceil(n_components / 8))
            {0, 1} codes in the input's float dtype, or packed ``uint8`` bytes
            if ``packed_output=True``.
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False, accept_sparse=("csr", "csc"))
        dtype = X.dtype
        hyperplanes = self.components_.T.astype(dtype, copy=False)
        mean = self.mean_ if self.mean_ is not None else np.zeros(X.shape[1])
        n_samples = X.shape[0]
        codes = np.empty(
            (n_samples, self._n_features_out), dtype=self._output_dtype(dtype)
        )
        row_bytes = self.n_components * (dtype.itemsize + 1)
        for batch in gen_row_batches(n_samples, row_bytes):
            X_batch = X[batch]
            # The bits are sign((x - mean) W), unchanged by a positive rescale,
            # which keeps extreme inputs from overflowing.
            scale = power_of_two_scale(max(max_abs(X_batch), max_abs(mean)), dtype)
            if scale != 1:
                X_batch = X_batch * scale
            projection = X_batch @ hyperplanes  # dense, for dense and CSR/CSC X
            if self.mean_ is not None:
                projection -= ((mean * scale) @ self.components_.T).astype(dtype)
            bits = projection > 0
            codes[batch] = np.packbits(bits, axis=1) if self.packed_output else bits
        return codes

    def _output_dtype(self, input_dtype):
        return np.uint8 if self.packed_output else input_dtype

    @property
    def _n_features_out(self):
        n_bits = self.components_.shape[0]
        return -(-n_bits // 8) if self.packed_output else n_bits

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = (
            [] if self.packed_output else ["float64", "float32"]
        )
        return tags
