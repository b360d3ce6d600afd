"""The linear autoencoder M ~ M C D, which is truncated SVD (Eckart-Young)."""

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
from sklearn_kexue.utils._validation import validate_input_data

__all__ = ["LinearAutoencoder"]

# Default budget of the gradient solver's fit, in minibatch updates.
_DEFAULT_UPDATES = 20_000
# Attributes that only the gradient solver sets; fit drops them before refitting.
_GRADIENT_STATE = ("_network", "scale_", "loss_curve_", "shrinkage_")
# Relative ||C - D^T|| above which the trained network is not near a critical point.
_ASYMMETRY_TOLERANCE = 0.05


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

    solver : {"auto", "full", "covariance_eigh", "arpack", "propack", \
            "randomized", "gradient"}, default="auto"
        How the optimum is found.

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
        Per-epoch progress of the "gradient" solver when >= 2; a summary
        when 1.

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
        most 1.

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
        the direct solvers ("full", "covariance_eigh").

    n_samples_seen_ : int
        Training rows seen (accumulates over :meth:`partial_fit` calls).

    scale_ : float
        "gradient" only: the fixed factor the data are divided by.

    loss_curve_ : list of float
        "gradient" only: mean training loss (of the scaled data) per epoch of
        :meth:`fit`, or per :meth:`partial_fit` call.

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
        "alpha": [Interval(Real, 0, None, closed="neither")],
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
        X = validate_input_data(self, X, reset=True, accept_sparse=("csr", "csc"))
        for name in _GRADIENT_STATE:  # left by an earlier gradient fit
            self.__dict__.pop(name, None)
        self.solver_ = self._resolve_solver(X)
        if self.solver_ == "gradient":
            return self._fit_gradient(X)
        return self._fit_svd(X)

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
        first_call = not hasattr(self, "_network")
        X = validate_input_data(self, X, reset=first_call, accept_sparse=("csr", "csc"))
        n_components = self._check_gradient_components(X, first_call)
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
            batch_sum = np.asarray(X.sum(axis=0, dtype=np.float64)).ravel()
            self.mean_ = (self.mean_ * self.n_samples_seen_ + batch_sum) / (
                self.n_samples_seen_ + X.shape[0]
            )
        if first_call:
            self.scale_ = self._energy_scale(X)
        self.n_samples_seen_ += X.shape[0]
        self.loss_curve_.append(self._gradient_pass(X, np.arange(X.shape[0])))
        self.n_iter_ += 1
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

    def _fit_svd(self, X):
        if self.solver_ == "arpack" and min(X.shape) < 2:
            raise ValueError(
                "solver='arpack' needs min(n_samples, n_features) >= 2, got "
                f"n_samples={X.shape[0]}, n_features={X.shape[1]}; use solver='full'."
            )
        mean = None
        if self.center:
            mean = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
        operator = CenteredMatrix(X, mean)
        random_state = check_random_state(self.random_state)
        if isinstance(self.n_components, Integral):
            self._check_integer_components(X)

        n_try = self._initial_components(X)
        while True:
            singular_values, components, n_iter = self._solve(
                operator, n_try, random_state
            )
            n_keep = self._components_by_rule(singular_values, operator.squared_norm)
            if n_keep < n_try or n_try >= self._rule_limit(X):
                break
            n_try = min(2 * n_try, self._rule_limit(X))

        components = svd_flip_components(components[:n_keep])
        singular_values = singular_values[:n_keep]
        self.mean_ = mean
        # A direct solver counts as one iteration, as scikit-learn expects n_iter_ >= 1.
        self.n_iter_ = 1 if self.solver_ in ("full", "covariance_eigh") else n_iter
        self.n_samples_seen_ = X.shape[0]
        total_energy = operator.squared_norm()
        self._store_spectrum(singular_values, components, total_energy, X.dtype)
        residual = total_energy - float(np.sum(singular_values.astype(np.float64) ** 2))
        if self.solver_ != "randomized" and residual > 1e-6 * total_energy:
            # Exact singular values: ||X - X V V^T||^2 = ||X||^2 - sum sigma_i^2, and
            # the difference keeps >= 10 digits; no extra pass over X is needed.
            self.reconstruction_error_ = float(np.sqrt(residual))
        else:
            self.reconstruction_error_ = self._training_error(X, total_energy)[0]
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

    def _components_by_rule(self, singular_values, squared_norm):
        """How many of the computed components the n_components rules keep.

        Returns len(singular_values) when the rule may need more components.
        ``squared_norm`` is called only when an energy rule needs the total.
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
            above = int(np.sum(singular_values[:n_keep] > self.min_singular_value))
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

    def _store_spectrum(self, singular_values, components, total_energy, dtype):
        self.components_ = np.ascontiguousarray(components, dtype=dtype)
        self.singular_values_ = np.asarray(singular_values, dtype=dtype)
        self.n_components_ = len(singular_values)
        squares = np.asarray(singular_values, dtype=np.float64) ** 2
        self.explained_variance_ = (squares / max(self.n_samples_seen_ - 1, 1)).astype(
            dtype
        )
        ratio = squares / total_energy if total_energy > 0 else np.zeros_like(squares)
        self.explained_variance_ratio_ = ratio.astype(dtype)

    def _training_error(self, X, total_energy):
        """``||X - X C D||_F`` and ``||X v_i||^2`` per component, in one pass.

        The error is computed directly for dense X, via the energy identity
        for sparse X.
        """
        components = self.components_.astype(np.float64)
        row_bytes = 8 * (X.shape[1] + components.shape[0])
        captured = np.zeros(components.shape[0])
        residual = 0.0
        for rows in gen_row_batches(X.shape[0], row_bytes):
            batch = X[rows]
            codes = np.asarray(batch @ components.T, dtype=np.float64)
            if self.mean_ is not None:
                codes -= self.mean_ @ components.T
            captured += np.einsum("ij,ij->j", codes, codes)
            if sp.issparse(X):
                continue
            difference = np.asarray(batch, dtype=np.float64) - codes @ components
            if self.mean_ is not None:
                difference -= self.mean_
            residual += float(np.einsum("ij,ij->", difference, difference))
        if sp.issparse(X):
            # Orthonormal components: ||X - XVV^T||^2 = ||X||^2 - ||XV||^2.
            residual = max(total_energy - captured.sum(), 0.0)
        return float(np.sqrt(residual)), captured

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

    def _energy_scale(self, X, total_energy=None):
        """Root mean squared row norm of the (centred) data; 1 for all-zero data."""
        if total_energy is None:
            total_energy = CenteredMatrix(X, self.mean_).squared_norm()
        scale = np.sqrt(total_energy / max(X.shape[0], 1))
        return float(scale) if scale > 0 else 1.0

    def _fit_gradient(self, X):
        n_samples, n_features = X.shape
        n_components = self._check_gradient_components(X, True)
        random_state = check_random_state(self.random_state)
        self.mean_ = None
        if self.center:
            self.mean_ = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
        total_energy = CenteredMatrix(X, self.mean_).squared_norm()
        self.scale_ = self._energy_scale(X, total_energy)
        self.n_samples_seen_ = n_samples
        network = AdamLinearAutoencoder(n_features, n_components, random_state)
        self._network = network
        n_batches = -(-n_samples // self.batch_size)
        max_epochs = self.max_iter
        if max_epochs is None:
            max_epochs = max(1, -(-_DEFAULT_UPDATES // n_batches))
        self.loss_curve_ = []
        for epoch in range(max_epochs):
            previous = network.decoder.copy()
            self.loss_curve_.append(
                self._gradient_pass(X, random_state.permutation(n_samples))
            )
            change = np.linalg.norm(network.decoder - previous) / max(
                np.linalg.norm(network.decoder), np.finfo(np.float64).tiny
            )
            if self.verbose >= 2:
                print(
                    f"[LinearAutoencoder] epoch {epoch + 1}: loss "
                    f"{self.loss_curve_[-1]:.6g}, decoder change {change:.3g}"
                )
            if self.tol is not None and change < self.tol:
                break
        self.n_iter_ = epoch + 1
        if self.verbose:
            print(
                f"[LinearAutoencoder] gradient solver: {self.n_iter_} epochs, "
                f"{network.n_updates} updates, final loss {self.loss_curve_[-1]:.6g}"
            )
        self._warn_if_not_converged()
        active = self._read_off_gradient_solution(X.dtype)
        # With the data at hand, sigma_i = ||X v_i|| is exact to second order in
        # the error of v_i, while the decoder read-off amplifies errors in s_i by
        # about e_i / alpha; keep the former.
        self.reconstruction_error_, captured = self._training_error(X, total_energy)
        singular_values = np.where(active, np.sqrt(captured), 0.0)
        order = np.argsort(-singular_values, kind="stable")
        self.shrinkage_ = self.shrinkage_[order]
        self._store_spectrum(
            singular_values[order], self.components_[order], total_energy, X.dtype
        )
        return self

    def _gradient_pass(self, X, order):
        """Adam steps over X's rows in ``order``, by minibatches; the mean loss."""
        loss = 0.0
        for start in range(0, len(order), self.batch_size):
            rows = np.sort(order[start : start + self.batch_size])
            batch = dense_scaled_batch(X[rows], self.mean_, self.scale_)
            loss += self._network.step(batch, self.alpha, self.learning_rate) * len(
                rows
            )
        return float(loss / max(len(order), 1))

    def _warn_if_not_converged(self):
        gap = asymmetry(self._network.encoder, self._network.decoder)
        if gap > _ASYMMETRY_TOLERANCE:
            warnings.warn(
                "The gradient solver has not converged: at every critical point the "
                "encoder is the transpose of the decoder, but their relative "
                f"difference is {gap:.3g} > {_ASYMMETRY_TOLERANCE}. Increase "
                "max_iter, or learning_rate.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _read_off_gradient_solution(self, dtype):
        """components_ and singular_values_ from the trained decoder (Kunin et al.)."""
        directions, second_moments, shrinkage = principal_factors(
            self._network.decoder, self.alpha
        )
        active = shrinkage > 1e-3
        if not active.all():
            warnings.warn(
                f"{np.sum(~active)} of {len(active)} units are switched off by the "
                f"weight decay alpha={self.alpha}: their directions carry less "
                "than alpha of the energy per sample. Lower alpha or "
                "n_components.",
                ConvergenceWarning,
                stacklevel=3,
            )
        singular_values = self.scale_ * np.sqrt(self.n_samples_seen_ * second_moments)
        singular_values[~active] = 0.0
        self.shrinkage_ = shrinkage
        # Streaming estimate: the stream's energy is taken as n * scale_^2 (the first
        # batch's); fit replaces it with the exact energy of its data.
        self._store_spectrum(
            singular_values,
            svd_flip_components(directions),
            self.n_samples_seen_ * self.scale_**2,
            dtype,
        )
        return active

    # ------------------------------------------------------------- transforms

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
        components = self.components_.astype(X.dtype, copy=False)
        codes = np.asarray(X @ components.T)
        if self.mean_ is not None:
            codes -= (self.mean_ @ self.components_.T.astype(np.float64)).astype(
                X.dtype
            )
        return codes

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
        X = check_array(X, dtype=(np.float64, np.float32))
        if X.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {X.shape[1]} columns, but this LinearAutoencoder has "
                f"n_components_={self.n_components_} hidden units."
            )
        reconstruction = X @ self.components_.astype(X.dtype, copy=False)
        if self.mean_ is not None:
            reconstruction += self.mean_.astype(X.dtype)
        if self.activation == "relu":
            np.maximum(reconstruction, 0, out=reconstruction)
        return reconstruction

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
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False, accept_sparse=("csr", "csc"))
        scores = np.empty(X.shape[0])
        row_bytes = 3 * 8 * X.shape[1]
        for rows in gen_row_batches(X.shape[0], row_bytes):
            batch = X[rows]
            reconstruction = self.inverse_transform(self.transform(batch))
            dense = batch.toarray() if sp.issparse(batch) else batch
            difference = np.asarray(dense, dtype=np.float64) - reconstruction
            scores[rows] = -np.einsum("ij,ij->i", difference, difference)
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
        return float(np.mean(self.score_samples(X)))

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
