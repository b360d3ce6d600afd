"""The linear autoencoder M ~ M C D, which is truncated SVD (Eckart-Young)."""

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted

from sklearn_kexue.decomposition._gradient import (
    AdamLinearAutoencoder,
    asymmetry,
    dense_scaled_batch,
    principal_factors,
)
from sklearn_kexue.decomposition._svd_solvers import (
    CenteredMatrix,
    block_krylov_svd,
    covariance_eigh_svd,
    full_svd,
    iterative_svd,
    randomized_svd,
    svd_flip_components,
)
from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._param_validation import (
    RANDOM_STATE,
    Interval,
    RealNotInt,
    StrOptions,
)
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale
from sklearn_kexue.utils._validation import validate_input_data
from sklearn_kexue.utils._verbose import print_iteration, print_summary

__all__ = ["LinearAutoencoder"]

# Default budget of the gradient solver's fit, in minibatch updates.
_DEFAULT_UPDATES = 20_000
# Attributes that only the gradient solver sets; fit drops them before refitting.
_GRADIENT_STATE = ("_network", "scale_", "loss_curve_", "shrinkage_")
# Relative ||C - D^T|| above which the trained network is not near a critical point.
_ASYMMETRY_TOLERANCE = 0.05


def _input_scale(X):
    """A power of two that brings extreme data into a safe range, else 1.

    The SVD is equivariant to scaling, so the solvers run on ``X * scale``
    and the spectrum is scaled back: exact, since multiplying by a power of
    two only changes exponents. Ordinary data get 1, and so the very same
    arithmetic as without rescaling.
    """
    return power_of_two_scale(max_abs(X), X.dtype)


def _rescaled(X, scale):
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


def _unscaled(values, scale, power=1):
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
    if not largest <= np.finfo(dtype).max:
        raise ValueError(
            f"{what} exceed the {np.dtype(dtype).name} range (largest "
            f"{largest:.3g}): {advice}"
        )
    return values.astype(dtype)


def _too_large_message(largest, dtype):
    """Why data whose squared singular values overflow are refused, and the fix."""
    dtype = np.dtype(dtype)
    advice = (
        "pass X as float64, or divide it by a constant"
        if dtype == np.float32
        else "divide X by a constant"
    )
    return (
        f"X is too large for LinearAutoencoder: the squares of its singular "
        f"values (up to {float(largest):.3g}) exceed the {dtype.name} range, so "
        "explained_variance_ and the squared errors of score_samples cannot be "
        f"represented. The fit is equivariant to scaling: {advice} (a power of "
        "two is exact); components_ stay the same and singular_values_ scale "
        "with X."
    )


def _overflow_advice(dtype):
    if np.dtype(dtype) == np.float32:
        return "pass the data as float64, or divide them by a constant."
    return "divide the data by a constant first."


def _column_mean(X):
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


def _reconstruction_residual(X, components, mean, total_energy):
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


class LinearAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, DocLinkMixin, BaseEstimator
):
    """Linear autoencoder X ~ X C D, fitted exactly as a truncated SVD or by gradients.

    A three-layer network without activation, with encoder C of shape
    (n_features, k) and decoder D of shape (k, n_features), reaches its
    global optimum at the rank-k truncated SVD of X (Eckart-Young, Baldi &
    Hornik 1989): C = V_k and D = V_k^T, where V_k holds the leading right
    singular vectors. This estimator computes that optimum with an exact or a
    randomized SVD solver, or trains the network itself by minibatch gradient
    descent with weight decay, which makes the trained decoder reveal the
    individual principal directions and singular values, not only their span.

    Reconstructions can be passed through a ReLU (``activation="relu"``):
    for non-negative data (counts, frequencies), negative reconstructed values
    are meaningless and clipping them is a truncation. The zero cells that the
    reconstruction fills in are "novel entries", see :func:`novel_entries`.

    Read more in the :ref:`User Guide <linear_autoencoder>`.

    Parameters
    ----------
    n_components : int, float or None, default=2
        Number of hidden units k.

        - int: exactly that many, ``1 <= n_components <= min(n_samples,
          n_features)`` (``< min(...)`` for ``solver="arpack"``).
        - float in (0, 1): the smallest k whose components capture at least
          this fraction of the energy ``||X||_F^2`` (of the centred X when
          ``center=True``), as in :class:`~sklearn.decomposition.PCA`.
        - None: all ``min(n_samples, n_features)`` components (one fewer with
          ``solver="arpack"``).

        Iterative solvers find a rule's k by doubling their number of
        components until the rule is decided.

    solver : str, default="auto"
        How the optimum is found: one of "auto", "full", "covariance_eigh",
        "arpack", "propack", "randomized", "gradient".

        - "full": LAPACK SVD (``gesdd``) of the dense matrix; exact.
        - "covariance_eigh": eigendecomposition of the n_features x n_features
          Gram matrix, accumulated without densifying sparse input, with the
          singular values recomputed as ``||X v_i||``; exact and fastest for
          tall, narrow data.
        - "arpack", "propack": :func:`scipy.sparse.linalg.svds` on an
          implicitly centred operator; exact, for large sparse input.
          PROPACK's vectors are polished by one subspace iteration and a
          Rayleigh-Ritz step (three more passes over X).
        - "randomized": Gaussian range finder with oversampling and power
          iterations (Halko et al. 2011), with Cholesky-QR on the tall block.
        - "gradient": a real autoencoder trained by minibatch Adam with L2
          weight decay ``alpha``; supports :meth:`partial_fit`.
        - "auto": "covariance_eigh" if ``n_features <= 1000`` and
          ``n_samples >= 10 * n_features``; else "full" if ``max(shape) <=
          500``, or if ``n_components=None``, or if k is a fraction or ``>=
          0.8 * min(shape)`` and X is dense; else "arpack" for sparse X
          (exact: sparse data often has a flat spectrum, where randomized
          SVD is inaccurate) and "randomized" for dense X. The choice is
          stored in ``solver_``.

    center : bool, default=False
        Subtract the feature means first, which gives PCA. The default, no
        centring, is the autoencoder without biases, like
        :class:`~sklearn.decomposition.TruncatedSVD`. Sparse input is never
        densified for centring: the mean enters each product as a rank-one
        correction.

    activation : {None, "relu"}, default=None
        Applied to reconstructions in :meth:`inverse_transform` (and so in
        :meth:`score_samples` and :func:`novel_entries`). "relu" clips
        negative reconstructed values to 0.

    min_singular_value : float or None, default=None
        If set, keep only the components whose singular value exceeds it (at
        least one); ``n_components`` is then an upper bound.

    iterated_power : int or "auto", default="auto"
        Power iterations of the "randomized" solver. "auto" is 7 when k <
        0.1 * min(shape), else 4, as in scikit-learn.

    n_oversamples : int, default=10
        Extra random vectors of the "randomized" solver.

    randomized_method : {"subspace", "block_krylov"}, default="subspace"
        How the "randomized" solver uses its power iterations. "subspace"
        keeps the last block (Halko et al. 2011, what scikit-learn does);
        "block_krylov" keeps every block and projects onto their span
        (Musco & Musco 2015), which captures much more energy for the same
        passes over X on flat spectra, for ``(iterated_power + 1) *
        (n_components + n_oversamples)`` columns of short-side memory.

    tol : float or None, default=None
        Convergence tolerance. "arpack", "propack": relative accuracy of the
        singular values (None means 0, machine precision). "gradient": if
        set, stop early when the decoder's relative change over an epoch
        falls below it; None runs all ``max_iter`` epochs.

    max_iter : int or None, default=None
        "arpack": maximum Arnoldi iterations (None: SciPy's default);
        "propack": Krylov basis size (None: ``20 * k + 20``, since PROPACK's
        default ``10 * k`` fails on flat spectra); "gradient": epochs of
        :meth:`fit` (None: enough epochs for 20000 minibatch updates).

    alpha : float, default=1e-2
        Weight decay of the "gradient" solver, relative to the data's energy:
        the penalty ``alpha/2 (||C||^2 + ||D||^2)`` is added to the mean
        squared error of data divided by ``scale_``, the root mean squared
        (centred) row norm. Directions whose share of the energy per sample
        is below ``alpha`` are switched off; larger values fix the
        directions faster and read the singular values off more precisely.
        Must be below 1: the scaled data have unit energy per sample, so
        ``alpha >= 1`` would switch every unit off.

    learning_rate : float, default=1e-2
        Initial Adam step size of the "gradient" solver. Update t (counted
        over :meth:`fit`, or over all :meth:`partial_fit` calls) uses
        ``learning_rate / (1 + t / 1000)``, a Robbins-Monro decay that
        averages out minibatch noise.

    batch_size : int, default=256
        Minibatch size of the "gradient" solver, and the largest block that
        :meth:`partial_fit` densifies at once.

    random_state : int, RandomState instance or None, default=None
        Seeds the randomized, ARPACK and PROPACK start vectors and the
        gradient solver's initial weights and shuffling.

    verbose : int, default=0
        Progress lines in the package's common format (``[LinearAutoencoder]
        iteration N, loss L, ...``). 1: a summary after :meth:`fit` (for the
        SVD solvers its loss is ``reconstruction_error_``) and one line per
        :meth:`partial_fit` call; >= 2: also one line per epoch of the
        "gradient" solver, with the loss recorded in ``loss_curve_``.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Decoder rows: the leading right singular vectors of (centred) X, by
        decreasing singular value. Signs follow scikit-learn: the entry of
        largest magnitude of each row is positive.

    singular_values_ : ndarray of shape (n_components,)
        The matching singular values. For the "gradient" solver, :meth:`fit`
        reports ``||X v_i||`` along the learned directions (one extra pass),
        and :meth:`partial_fit` the read-off from the decoder (see Notes);
        switched-off units get 0.

    explained_variance_ : ndarray of shape (n_components,)
        ``singular_values_**2 / (n_samples - 1)``: the variance along each
        component with ``center=True`` (as :class:`~sklearn.decomposition.PCA`),
        the uncentred second moment without.

    explained_variance_ratio_ : ndarray of shape (n_components,)
        Share of the energy ``||X||_F^2`` (of the centred X when
        ``center=True``) captured by each component. Unlike
        :class:`~sklearn.decomposition.TruncatedSVD`'s, these ratios use the
        same (un)centred energy as the fit, so they decrease and sum to at
        most 1. All 0 when that energy is 0 (X all zero, or constant with
        ``center=True``): no component captures anything (scikit-learn's
        ``PCA`` divides 0 by 0 there).

    reconstruction_error_ : float or None
        ``||X - X C D||_F`` on the training data, without activation. For the
        exact solvers this is the Eckart-Young optimum
        ``sqrt(sum_{i > k} sigma_i^2)``. None after :meth:`partial_fit`,
        which does not keep the stream.

    mean_ : ndarray of shape (n_features,) or None
        Feature means when ``center=True``, else None.

    n_components_ : int
        Number of components kept.

    solver_ : str
        The solver used (the resolution of "auto").

    n_iter_ : int
        Power iterations ("randomized"), products with X or X^T ("arpack",
        "propack"), epochs ("gradient", or :meth:`partial_fit` calls); 1 for
        the direct solvers ("full", "covariance_eigh"); 0 when X (centred
        with ``center=True``) is all zero, which needs no solver (see Notes).

    n_samples_seen_ : int
        Training rows seen (accumulates over :meth:`partial_fit` calls).

    scale_ : float
        "gradient" only: the fixed factor the data are divided by.

    loss_curve_ : list of float
        "gradient" only: mean training loss (of the scaled data) per epoch of
        :meth:`fit`, or per :meth:`partial_fit` call, as ``verbose`` prints
        it. The SVD solvers have no such curve: ARPACK and PROPACK iterate
        inside SciPy, which reports no per-iteration loss, and a power
        iteration of the randomized solvers has no loss of its own (computing
        one would cost a pass over X per iteration).

    shrinkage_ : ndarray of shape (n_components,)
        "gradient" only: singular values ``s_i`` of the trained decoder, from
        which ``sigma_i = scale_ * sqrt(n_samples_seen_ * alpha / (1 -
        s_i^2))``.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.decomposition.TruncatedSVD : Uncentred truncated SVD.
    sklearn.decomposition.PCA : Centred SVD of dense or sparse data.
    sklearn.decomposition.IncrementalPCA : Streaming PCA with dense batches.
    novel_entries : Zero cells that the reconstruction fills in.

    Notes
    -----
    For X of shape (n, p) with SVD :math:`X = U \\Sigma V^T`, every rank-k
    matrix :math:`\\hat X` has :math:`\\|X - \\hat X\\|_F \\ge
    (\\sum_{i>k} \\sigma_i^2)^{1/2}`, with equality at
    :math:`U_k \\Sigma_k V_k^T = X V_k V_k^T`, which is :math:`X C D` with
    :math:`C = V_k`, :math:`D = V_k^T`. Without regularisation the network's
    loss is invariant under :math:`(C, D) \\to (C G, G^{-1} D)` for any
    invertible G, so only the product CD is identified. The "gradient" solver
    adds :math:`\\frac{\\alpha}{2}(\\|C\\|_F^2 + \\|D\\|_F^2)`, whose minima are
    :math:`C = D^T`, :math:`D = O^T (I - \\alpha E_k^{-1})^{1/2} V_k^T` for an
    orthogonal O, with :math:`E_k` the leading eigenvalues of the per-sample
    second moment of the scaled data (Kunin et al. 2019). The right singular
    vectors of the trained D are therefore :math:`V_k`, and its singular values
    :math:`s_i` give :math:`\\sigma_i = \\text{scale} \\cdot
    (n \\alpha / (1 - s_i^2))^{1/2}`. ``components_`` are read off that way,
    so :meth:`transform` and :meth:`inverse_transform` use the unshrunk
    optimum, like the exact solvers. The read-off of :math:`\\sigma_i`
    magnifies an error in :math:`s_i^2` by about :math:`e_i / \\alpha`, large
    for dominant directions, so :meth:`fit` reports
    :math:`\\|X v_i\\|` instead (the read-off stays available through
    ``shrinkage_``), while :meth:`partial_fit`, which keeps no data, uses the
    read-off.

    **Extreme and degenerate data.** The SVD is equivariant to scaling, so
    data whose largest absolute value lies outside :math:`[2^{-200},
    2^{200}]` (:math:`[2^{-40}, 2^{40}]` for float32) are multiplied by a
    power of two before any solver sees them, and the spectrum, mean and
    errors are scaled back: exact, since only exponents change, and the very
    same arithmetic as before for ordinary data. Tiny and subnormal data are
    fitted as accurately as their representation allows. Data so large that
    the squared singular values overflow (entries beyond about 1e153 in
    float64, 1e18 in float32) are refused with a ValueError, since
    ``explained_variance_`` and :meth:`score_samples` could not represent
    them; divide X by a constant, which leaves ``components_`` unchanged.
    :meth:`transform`, :meth:`inverse_transform` and :meth:`score_samples`
    rescale extreme input the same way, and raise a ValueError only when
    their result itself is out of range. A zero matrix (or, with
    ``center=True``, a constant one) has only zero singular values and every
    direction is optimal: every solver then returns the first unit vectors
    as ``components_``, zero ``singular_values_`` and
    ``explained_variance_ratio_``, and ``n_iter_ = 0``. Rank-deficient data
    are valid input for every solver (PROPACK, whose Lanczos process stops
    at the rank, hands over to ARPACK or a dense SVD).

    References
    ----------
    .. [1] P. Baldi and K. Hornik, "Neural networks and principal component
       analysis: learning from examples without local minima", Neural
       Networks 2(1):53-58, 1989. :doi:`10.1016/0893-6080(89)90014-2`
    .. [2] D. Kunin, J. Bloom, A. Goeva and C. Seed, "Loss landscapes of
       regularized linear autoencoders", ICML 2019. :arxiv:`1901.08168`
    .. [3] N. Halko, P.-G. Martinsson and J. A. Tropp, "Finding structure with
       randomness: probabilistic algorithms for constructing approximate
       matrix decompositions", SIAM Review 53(2):217-288, 2011.
       :arxiv:`0909.4061`
    .. [5] C. Musco and C. Musco, "Randomized block Krylov methods for
       stronger and faster approximate singular value decomposition",
       NeurIPS 2015. :arxiv:`1504.05477`
    .. [4] Su Jianlin, "SVD分解(一)：自编码器与人工智能", kexue.fm, 2017.
       https://kexue.fm/archives/4208

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import LinearAutoencoder
    >>> X = np.array([[3.0, 1.0, 0.0], [2.0, 0.0, 1.0], [0.0, 2.0, 2.0],
    ...               [1.0, 1.0, 1.0]])
    >>> autoencoder = LinearAutoencoder(n_components=2).fit(X)
    >>> autoencoder.singular_values_.round(3)
    array([4.206, 2.712])
    >>> autoencoder.transform(X).shape
    (4, 2)
    >>> round(autoencoder.reconstruction_error_, 3)
    0.976
    """

    _parameter_constraints: dict = {
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
            None,
        ],
        "solver": [
            StrOptions(
                {
                    "auto",
                    "full",
                    "covariance_eigh",
                    "arpack",
                    "propack",
                    "randomized",
                    "gradient",
                }
            )
        ],
        "center": ["boolean"],
        "activation": [None, StrOptions({"relu"})],
        "min_singular_value": [Interval(Real, 0, None, closed="left"), None],
        "iterated_power": [
            Interval(Integral, 0, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "n_oversamples": [Interval(Integral, 0, None, closed="left")],
        "randomized_method": [StrOptions({"subspace", "block_krylov"})],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        # The scaled data have unit energy per sample: alpha >= 1 would switch
        # every unit off.
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        solver="auto",
        center=False,
        activation=None,
        min_singular_value=None,
        iterated_power="auto",
        n_oversamples=10,
        randomized_method="subspace",
        tol=None,
        max_iter=None,
        alpha=1e-2,
        learning_rate=1e-2,
        batch_size=256,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.solver = solver
        self.center = center
        self.activation = activation
        self.min_singular_value = min_singular_value
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.randomized_method = randomized_method
        self.tol = tol
        self.max_iter = max_iter
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the autoencoder: the truncated SVD of X, or gradient training.

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
            Fitted autoencoder.
        """
        saved = copy.deepcopy(self.__dict__)
        try:
            return self._fit(X)
        except BaseException:  # a refused fit leaves a fitted model as it was
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _fit(self, X):
        X = validate_input_data(self, X, reset=True, accept_sparse=("csr", "csc"))
        for name in _GRADIENT_STATE:  # left by an earlier gradient fit
            self.__dict__.pop(name, None)
        self.solver_ = self._resolve_solver(X)
        scale = _input_scale(X)
        if self.solver_ == "gradient":
            return self._fit_gradient(X, scale)
        return self._fit_svd(X, scale)

    def _streams(self):
        if self.solver not in ("auto", "gradient"):
            raise AttributeError(
                "partial_fit trains the gradient solver; it needs solver='gradient' "
                f"or 'auto', got solver={self.solver!r}."
            )
        return True

    @available_if(_streams)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train the "gradient" solver on one batch of a stream.

        Each call makes one pass of Adam steps over ``X`` in minibatches of
        ``batch_size`` rows, continuing the step-size schedule where the
        previous call left it (see ``learning_rate``). The first call
        fixes ``scale_`` from its batch; with ``center=True`` the mean is a
        running mean over all rows seen. Memory holds the model and one
        minibatch (sparse batches are densified ``batch_size`` rows at a time).
        A batch that is refused, or on which training diverges, leaves the
        model as it was.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            A batch of training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The updated autoencoder.
        """
        saved = copy.deepcopy(self.__dict__)
        try:
            return self._partial_fit(X)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _partial_fit(self, X):
        first_call = not hasattr(self, "_network")
        X = validate_input_data(self, X, reset=first_call, accept_sparse=("csr", "csc"))
        n_components = self._check_gradient_components(X, first_call)
        scale = _input_scale(X)
        if first_call:
            self.solver_ = "gradient"
            self.n_samples_seen_ = 0
            self.mean_ = np.zeros(X.shape[1]) if self.center else None
            self.loss_curve_ = []
            self.n_iter_ = 0
            self._network = AdamLinearAutoencoder(
                X.shape[1], n_components, check_random_state(self.random_state)
            )
        if self.center:
            batch_sum = np.asarray(
                _rescaled(X, scale).sum(axis=0, dtype=np.float64)
            ).ravel()
            batch_sum = _unscaled(batch_sum, scale)
            self.mean_ = (self.mean_ * self.n_samples_seen_ + batch_sum) / (
                self.n_samples_seen_ + X.shape[0]
            )
        if first_call:
            self.scale_ = self._energy_scale(X, scale)
        self.n_samples_seen_ += X.shape[0]
        loss = self._gradient_pass(
            X, np.arange(X.shape[0]), self._network, self.mean_, self.scale_
        )
        self._check_training(loss, "this batch")
        self.loss_curve_.append(loss)
        self.n_iter_ += 1
        if self.verbose:
            print_iteration(self, self.n_iter_, loss, samples_seen=self.n_samples_seen_)
        self._read_off_gradient_solution(X.dtype)
        self.reconstruction_error_ = None  # the stream is not kept
        return self

    def _resolve_solver(self, X):
        if self.solver != "auto":
            return self.solver
        n_samples, n_features = X.shape
        if n_features <= 1000 and n_samples >= 10 * n_features:
            return "covariance_eigh"
        if max(X.shape) <= 500:
            return "full"
        n_components = self.n_components
        if n_components is None:
            return "full"  # all components are dense anyway
        if sp.issparse(X):
            return "arpack"
        is_fraction = not isinstance(n_components, Integral)
        if is_fraction or n_components >= 0.8 * min(X.shape):
            return "full"
        return "randomized"

    def _component_limit(self, X):
        limit = min(X.shape)
        return limit - 1 if self.solver_ == "arpack" else limit

    def _check_integer_components(self, X):
        limit = self._component_limit(X)
        if self.n_components > limit:
            relation = (
                "< min(n_samples, n_features)"
                if self.solver_ == "arpack"
                else ("<= min(n_samples, n_features)")
            )
            raise ValueError(
                f"n_components={self.n_components} must be {relation}="
                f"{min(X.shape)} with solver={self.solver_!r} (n_samples="
                f"{X.shape[0]}, n_features={X.shape[1]})."
            )

    def _fit_svd(self, X, scale):
        if self.solver_ == "arpack" and min(X.shape) < 2:
            raise ValueError(
                "solver='arpack' needs min(n_samples, n_features) >= 2, got "
                f"n_samples={X.shape[0]}, n_features={X.shape[1]}; use solver='full'."
            )
        if isinstance(self.n_components, Integral):
            self._check_integer_components(X)
        # The solvers see X * scale (scale = 1 for ordinary data); the
        # spectrum, the mean and the error are scaled back at the end.
        X_work = _rescaled(X, scale)
        mean, constant = None, max_abs(X_work) == 0
        if self.center:
            mean, constant = _column_mean(X_work)
        operator = CenteredMatrix(X_work, mean)
        random_state = check_random_state(self.random_state)

        if constant:
            # A zero (centred: constant) matrix: every singular value is 0 and
            # every direction is optimal; all solvers give the first unit
            # vectors instead of asking an iterative solver to find nothing.
            n_keep = self._components_by_rule(
                np.zeros(self._rule_limit(X)), lambda: 0.0, scale
            )
            components = np.eye(n_keep, X.shape[1])
            singular_values, n_iter, total_energy = np.zeros(n_keep), 0, 0.0
        else:
            n_try = self._initial_components(X)
            while True:
                singular_values, components, n_iter = self._solve(
                    operator, n_try, random_state
                )
                n_keep = self._components_by_rule(
                    singular_values, operator.squared_norm, scale
                )
                if n_keep < n_try or n_try >= self._rule_limit(X):
                    break
                n_try = min(2 * n_try, self._rule_limit(X))
            components = svd_flip_components(components[:n_keep])
            singular_values = singular_values[:n_keep]
            # A direct solver counts as one iteration (scikit-learn expects
            # n_iter_ >= 1 after a fit that did work).
            if self.solver_ in ("full", "covariance_eigh"):
                n_iter = 1
            total_energy = operator.squared_norm()
        components = np.ascontiguousarray(components, dtype=X.dtype)
        spectrum = self._spectrum(
            singular_values, total_energy, scale, X.shape[0], X.dtype
        )
        residual = total_energy - float(np.sum(singular_values.astype(np.float64) ** 2))
        if constant:
            error = 0.0
        elif self.solver_ != "randomized" and residual > 1e-6 * total_energy:
            # Exact singular values: ||X - X V V^T||^2 = ||X||^2 - sum sigma_i^2, and
            # the difference keeps >= 10 digits; no extra pass over X is needed.
            error = float(np.sqrt(residual))
        else:
            error = _reconstruction_residual(X_work, components, mean, total_energy)[0]
        error = float(_unscaled(error, scale))
        if not math.isfinite(error):
            raise ValueError(
                "The reconstruction error of X exceeds the float64 range: "
                + _overflow_advice(np.float64)
            )
        self.components_ = components
        self._set_spectrum(*spectrum)
        self.mean_ = None if mean is None else _unscaled(mean, scale)
        self.n_iter_ = n_iter
        self.n_samples_seen_ = X.shape[0]
        self.reconstruction_error_ = error
        if self.verbose:
            print_summary(
                self,
                self.n_iter_,
                error,
                converged=True,
                solver=self.solver_,
                components=self.n_components_,
            )
        return self

    def _rule_limit(self, X):
        limit = self._component_limit(X)
        if isinstance(self.n_components, Integral):
            return min(self.n_components, limit)
        return limit

    def _initial_components(self, X):
        limit = self._rule_limit(X)
        if self.solver_ in ("full", "covariance_eigh"):
            return limit
        if isinstance(self.n_components, Integral) and self.min_singular_value is None:
            return limit
        return min(limit, 16)

    def _components_by_rule(self, singular_values, squared_norm, scale=1.0):
        """How many of the computed components the n_components rules keep.

        Returns len(singular_values) when the rule may need more components.
        ``squared_norm`` is called only when an energy rule needs the total.
        The singular values are those of ``X * scale``.
        """
        n_computed = len(singular_values)
        n_keep = n_computed
        if self.n_components is not None and not isinstance(
            self.n_components, Integral
        ):
            total_energy = squared_norm()
            if total_energy > 0:
                captured = np.cumsum(singular_values**2) / total_energy
                reached = np.flatnonzero(captured >= self.n_components)
                if len(reached):
                    n_keep = int(reached[0]) + 1
                else:
                    n_keep = n_computed
            else:
                n_keep = 1
        if self.min_singular_value is not None:
            kept = singular_values[:n_keep]
            if scale != 1:
                kept = _unscaled(kept, scale)
            above = int(np.sum(kept > self.min_singular_value))
            if above < n_keep:
                n_keep = max(above, 1)
        return n_keep

    def _solve(self, operator, n_components, random_state):
        solver = self.solver_
        if solver == "full":
            return full_svd(operator, n_components)
        if solver == "covariance_eigh":
            batch = max(1, min(operator.shape[0], 2**22 // max(operator.shape[1], 1)))
            return covariance_eigh_svd(operator, n_components, batch)
        if solver == "randomized":
            n_iter = self.iterated_power
            if n_iter == "auto":
                n_iter = 7 if n_components < 0.1 * min(operator.shape) else 4
            method = (
                block_krylov_svd
                if self.randomized_method == "block_krylov"
                else randomized_svd
            )
            singular_values, components, _ = method(
                operator, n_components, self.n_oversamples, n_iter, random_state
            )
            return singular_values, components, n_iter
        operator.n_products = 0
        return iterative_svd(
            operator,
            n_components,
            solver,
            0.0 if self.tol is None else self.tol,
            self.max_iter,
            random_state,
        )

    @staticmethod
    def _spectrum(singular_values, total_energy, scale, n_samples, dtype):
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
        variance = _unscaled(squares / max(n_samples - 1, 1), scale, power=2)
        if scale != 1:
            largest_square = _unscaled(squares.max(initial=0.0), scale, power=2)
            if not (
                largest_square <= np.finfo(np.float64).max
                and variance.max(initial=0.0) <= np.finfo(dtype).max
            ):
                largest = _unscaled(np.max(singular_values, initial=0.0), scale)
                raise ValueError(_too_large_message(largest, dtype))
            values = _unscaled(singular_values, scale).astype(dtype)
        else:
            values = np.asarray(singular_values, dtype=dtype)
        return values, variance.astype(dtype), ratio.astype(dtype)

    def _set_spectrum(self, singular_values, variance, ratio):
        self.singular_values_ = singular_values
        self.n_components_ = len(singular_values)
        self.explained_variance_ = variance
        self.explained_variance_ratio_ = ratio

    def _training_error(self, X, total_energy):
        """``||X - X C D||_F`` and ``||X v_i||^2`` per component, fitted model."""
        return _reconstruction_residual(X, self.components_, self.mean_, total_energy)

    # --------------------------------------------------------- gradient solver

    def _check_gradient_components(self, X, first_call):
        if not isinstance(self.n_components, Integral):
            raise ValueError(
                "The gradient solver needs an int n_components, got "
                f"n_components={self.n_components!r}."
            )
        if self.min_singular_value is not None:
            raise ValueError(
                "min_singular_value is not supported by the gradient solver; "
                "use an exact solver to pick n_components from the spectrum."
            )
        if first_call and self.n_components > X.shape[1]:
            raise ValueError(
                f"n_components={self.n_components} must be <= n_features="
                f"{X.shape[1]} for the gradient solver."
            )
        if not first_call and self.n_components != self._network.decoder.shape[0]:
            raise ValueError(
                f"n_components={self.n_components} differs from the "
                f"{self._network.decoder.shape[0]} units of the network trained "
                "so far; refit to change it."
            )
        return self.n_components

    def _energy_scale(self, X, scale=1.0):
        """Root mean squared row norm of the (centred) data; 1 for all-zero data.

        It is computed on ``X * scale`` and scaled back, so that the squares
        of extreme data neither overflow nor underflow.
        """
        mean = self.mean_
        if mean is not None and scale != 1:
            mean = mean * scale
        total_energy = CenteredMatrix(_rescaled(X, scale), mean).squared_norm()
        unit = np.sqrt(total_energy / max(X.shape[0], 1))
        return float(_unscaled(unit, scale)) if unit > 0 else 1.0

    def _fit_gradient(self, X, scale):
        n_samples, n_features = X.shape
        n_components = self._check_gradient_components(X, True)
        random_state = check_random_state(self.random_state)
        # Training sees (X - mean) / scale_, computed on X * scale: the same
        # numbers, since scaling by a power of two is exact.
        X_work = _rescaled(X, scale)
        mean, constant = None, max_abs(X_work) == 0
        if self.center:
            mean, constant = _column_mean(X_work)
        total_energy = CenteredMatrix(X_work, mean).squared_norm()
        unit = float(np.sqrt(total_energy / max(n_samples, 1)))
        unit = unit if unit > 0 else 1.0
        network = AdamLinearAutoencoder(n_features, n_components, random_state)
        n_batches = -(-n_samples // self.batch_size)
        max_epochs = self.max_iter
        if max_epochs is None:
            max_epochs = max(1, -(-_DEFAULT_UPDATES // n_batches))
        loss_curve = []
        converged = True
        if constant:
            # Nothing to learn from a zero (centred: constant) matrix: every
            # direction is optimal, and all solvers give the first unit vectors.
            components = np.eye(n_components, n_features, dtype=X.dtype)
            shrinkage = np.zeros(n_components)
            singular_values, error = np.zeros(n_components), 0.0
        else:
            for epoch in range(max_epochs):
                previous = network.decoder.copy()
                loss = self._gradient_pass(
                    X_work, random_state.permutation(n_samples), network, mean, unit
                )
                self._check_training(loss, f"epoch {epoch + 1}")
                loss_curve.append(loss)
                change = np.linalg.norm(network.decoder - previous) / max(
                    np.linalg.norm(network.decoder), np.finfo(np.float64).tiny
                )
                if self.verbose >= 2:
                    print_iteration(self, epoch + 1, loss, decoder_change=change)
                if self.tol is not None and change < self.tol:
                    break
            converged = self._warn_if_not_converged(network)
            directions, _, shrinkage, active = self._principal_factors(network)
            components = np.ascontiguousarray(
                svd_flip_components(directions), dtype=X.dtype
            )
            # With the data at hand, sigma_i = ||X v_i|| is exact to second order
            # in the error of v_i, while the decoder read-off amplifies errors in
            # s_i by about e_i / alpha; keep the former.
            error, captured = _reconstruction_residual(
                X_work, components, mean, total_energy
            )
            singular_values = np.where(active, np.sqrt(captured), 0.0)
            order = np.argsort(-singular_values, kind="stable")
            shrinkage = shrinkage[order]
            singular_values, components = singular_values[order], components[order]
        spectrum = self._spectrum(
            singular_values, total_energy, scale, n_samples, X.dtype
        )
        self._network = network
        self.scale_ = float(_unscaled(unit, scale))
        self.mean_ = None if mean is None else _unscaled(mean, scale)
        self.n_samples_seen_ = n_samples
        self.loss_curve_ = loss_curve
        self.n_iter_ = len(loss_curve)
        self.shrinkage_ = shrinkage
        self.components_ = components
        self._set_spectrum(*spectrum)
        self.reconstruction_error_ = float(_unscaled(error, scale))
        if self.verbose:
            print_summary(
                self,
                self.n_iter_,
                loss_curve[-1] if loss_curve else 0.0,
                converged=converged,
                updates=network.n_updates,
            )
        return self

    def _gradient_pass(self, X, order, network, mean, scale):
        """Adam steps over X's rows in ``order``, by minibatches; the mean loss."""
        loss = 0.0
        # A diverging network is reported by _check_training, not by NumPy.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, len(order), self.batch_size):
                rows = np.sort(order[start : start + self.batch_size])
                batch = dense_scaled_batch(X[rows], mean, scale)
                step_loss = network.step(batch, self.alpha, self.learning_rate)
                loss += step_loss * len(rows)
        return float(loss / max(len(order), 1))

    def _check_training(self, loss, where):
        """Refuse to go on from a diverged network (a non-finite loss)."""
        network = self._network if hasattr(self, "_network") else None
        weights_finite = network is None or (
            np.all(np.isfinite(network.encoder))
            and np.all(np.isfinite(network.decoder))
        )
        if math.isfinite(loss) and weights_finite:
            return
        raise ValueError(
            f"The gradient solver diverged on {where} (loss {loss}): lower "
            f"learning_rate={self.learning_rate}"
            + (
                ", or pass batches on the scale of the first one, which fixed "
                f"scale_={self.scale_:.3g}."
                if hasattr(self, "scale_")
                else "."
            )
        )

    def _warn_if_not_converged(self, network):
        """Warn unless the encoder is close to the decoder's transpose."""
        gap = asymmetry(network.encoder, network.decoder)
        if gap > _ASYMMETRY_TOLERANCE:
            warnings.warn(
                "The gradient solver has not converged: at every critical point the "
                "encoder is the transpose of the decoder, but their relative "
                f"difference is {gap:.3g} > {_ASYMMETRY_TOLERANCE}. Increase "
                "max_iter, or learning_rate.",
                ConvergenceWarning,
                stacklevel=4,
            )
            return False
        return True

    def _principal_factors(self, network):
        """Directions, second moments, shrinkage and active units of a network."""
        directions, second_moments, shrinkage = principal_factors(
            network.decoder, self.alpha
        )
        active = shrinkage > 1e-3
        if not active.all():
            warnings.warn(
                f"{np.sum(~active)} of {len(active)} units are switched off by the "
                f"weight decay alpha={self.alpha}: their directions carry less "
                "than alpha of the energy per sample. Lower alpha or "
                "n_components.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return directions, second_moments, shrinkage, active

    def _read_off_gradient_solution(self, dtype):
        """components_ and singular_values_ from the trained decoder (Kunin et al.)."""
        directions, second_moments, shrinkage, active = self._principal_factors(
            self._network
        )
        singular_values = self.scale_ * np.sqrt(self.n_samples_seen_ * second_moments)
        singular_values[~active] = 0.0
        # Streaming estimate: the stream's energy is taken as n * scale_^2 (the
        # first batch's), so each unit's share is its second moment e_i of the
        # scaled data.
        ratio = np.where(active, second_moments, 0.0)
        with np.errstate(over="ignore"):  # checked just below
            squares = singular_values**2
        variance = squares / max(self.n_samples_seen_ - 1, 1)
        if not (
            squares.max(initial=0.0) <= np.finfo(np.float64).max
            and variance.max(initial=0.0) <= np.finfo(dtype).max
        ):
            raise ValueError(
                _too_large_message(singular_values.max(initial=0.0), dtype)
            )
        self.shrinkage_ = shrinkage
        self.components_ = np.ascontiguousarray(
            svd_flip_components(directions), dtype=dtype
        )
        self._set_spectrum(
            singular_values.astype(dtype), variance.astype(dtype), ratio.astype(dtype)
        )
        return active

    # ------------------------------------------------------------- transforms

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
            return _rescaled(X.astype(np.float64), scale)
        return _rescaled(np.asarray(X, dtype=np.float64), scale)

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
        if scale == 1:
            return codes
        # Extreme input was encoded at a safe scale (in float64).
        return _representable(
            _unscaled(codes, scale),
            X.dtype,
            "The codes of X",
            _overflow_advice(X.dtype),
        )

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
                f"X has {X.shape[1]} columns, but this LinearAutoencoder has "
                f"n_components_={self.n_components_} hidden units."
            )
        scale = self._apply_scale(X)
        reconstruction = self._decode(self._work_copy(X, scale), scale)
        if scale == 1:
            return reconstruction
        return _representable(
            _unscaled(reconstruction, scale),
            X.dtype,
            "The reconstructions",
            _overflow_advice(X.dtype),
        )

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
        scores = _unscaled(scores, scale, power=2)
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
