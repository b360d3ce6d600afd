"""The linear autoencoder M ~ M C D, computed as a truncated SVD (Eckart-Young)."""

import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_kexue.decomposition._base import (
    _BaseLinearAutoencoder,
    column_mean,
    input_scale,
    overflow_advice,
    reconstruction_residual,
    rescaled,
    unscaled,
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
from sklearn_kexue.utils._data_constraints import Given, integers_between
from sklearn_kexue.utils._param_validation import (
    Interval,
    RealNotInt,
    StrOptions,
)
from sklearn_kexue.utils._scaling import max_abs
from sklearn_kexue.utils._validation import validate_input_data
from sklearn_kexue.utils._verbose import print_summary

__all__ = ["LinearAutoencoder"]


class LinearAutoencoder(_BaseLinearAutoencoder):
    r"""Linear autoencoder :math:`X \approx X C D`, fitted exactly as a truncated SVD.

    A three-layer network without activation, with encoder :math:`C` of
    shape (n_features, k) and decoder :math:`D` of shape (k, n_features),
    reaches its global optimum at the rank-k truncated SVD of :math:`X`
    (Eckart-Young; Baldi & Hornik [1]_, Su [2]_): :math:`C = V_k` and
    :math:`D = V_k^\top`, where :math:`V_k` holds the leading right singular
    vectors. This estimator computes that optimum with an exact or a
    randomized SVD solver. :class:`MiniBatchLinearAutoencoder` trains the
    network itself, by minibatch gradient descent, and reaches the same
    optimum.

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
          this fraction of the energy :math:`\|X\|_F^2` (of the centred X when
          ``center=True``), as in :class:`~sklearn.decomposition.PCA`.
        - None: all ``min(n_samples, n_features)`` components (one fewer with
          ``solver="arpack"``).

        Iterative solvers find a rule's k by doubling their number of
        components until the rule is decided.

    solver : str, default="auto"
        How the optimum is found: one of "auto", "full", "covariance_eigh",
        "arpack", "propack", "randomized".

        - "full": LAPACK SVD (``gesdd``) of the dense matrix; exact.
        - "covariance_eigh": eigendecomposition of the n_features x n_features
          Gram matrix, accumulated without densifying sparse input, with the
          singular values recomputed as :math:`\|X v_i\|`; exact, and one
          pass over tall, narrow data.
        - "arpack", "propack": :func:`scipy.sparse.linalg.svds` on an
          implicitly centred operator; exact, for large sparse input.
          PROPACK's vectors are polished by one subspace iteration and a
          Rayleigh-Ritz step (three more passes over X).
        - "randomized": Gaussian range finder with oversampling and power
          iterations (Halko et al. [3]_), with Cholesky-QR on the tall block.
        - "auto": "covariance_eigh" if ``n_features <= 1000`` and
          ``n_samples >= 10 * n_features``; else "full" if ``max(shape) <=
          500``, or if ``n_components=None``, or if k is a fraction or ``>=
          0.8 * min(shape)`` and X is dense; else "arpack" for sparse X
          (exact: sparse data often has a flat spectrum, where randomized
          SVD is inaccurate) and "randomized" for dense X. The choice is
          stored in ``solver_``.

        The gradient solver is :class:`MiniBatchLinearAutoencoder`.

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
        keeps the last block (Halko et al. [3]_, what scikit-learn does);
        "block_krylov" keeps every block and projects onto their span
        (Musco & Musco [4]_), which captures much more energy for the same
        passes over X on flat spectra, for ``(iterated_power + 1) *
        (n_components + n_oversamples)`` columns of short-side memory.

    tol : float or None, default=None
        Relative accuracy of the singular values for "arpack" and "propack"
        (None means 0: machine precision). The other solvers ignore it.

    max_iter : int or None, default=None
        "arpack": maximum Arnoldi iterations (None: SciPy's default);
        "propack": Krylov basis size (None: ``20 * k + 20``, since PROPACK's
        default ``10 * k`` fails on flat spectra). The other solvers ignore
        it.

    random_state : int, RandomState instance or None, default=None
        Seeds the randomized, ARPACK and PROPACK start vectors.

    verbose : int, default=0
        1 or more: a summary after :meth:`fit` in the package's common
        format, ``[LinearAutoencoder] converged after N iterations, loss L,
        ...``, whose loss is ``reconstruction_error_``.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Decoder rows: the leading right singular vectors of (centred) X, by
        decreasing singular value. Signs follow scikit-learn: the entry of
        largest magnitude of each row is positive.

    singular_values_ : ndarray of shape (n_components,)
        The matching singular values.

    explained_variance_ : ndarray of shape (n_components,)
        ``singular_values_**2 / (n_samples - 1)``: the variance along each
        component with ``center=True`` (as :class:`~sklearn.decomposition.PCA`),
        the uncentred second moment without.

    explained_variance_ratio_ : ndarray of shape (n_components,)
        Share of the energy :math:`\|X\|_F^2` (of the centred X when
        ``center=True``) captured by each component. Unlike
        :class:`~sklearn.decomposition.TruncatedSVD`'s, these ratios use the
        same (un)centred energy as the fit, so they decrease and sum to at
        most 1. All 0 when that energy is 0 (X all zero, or constant with
        ``center=True``): no component captures anything (scikit-learn's
        ``PCA`` divides 0 by 0 there).

    reconstruction_error_ : float
        :math:`\|X - X C D\|_F` on the training data, without activation:
        the Eckart-Young optimum :math:`(\sum_{i > k} \sigma_i^2)^{1/2}`
        (up to the accuracy of the "randomized" solver).

    mean_ : ndarray of shape (n_features,) or None
        Feature means when ``center=True``, else None.

    n_components_ : int
        Number of components kept.

    solver_ : str
        The solver used (the resolution of "auto").

    n_iter_ : int
        Power iterations ("randomized"), products with X or :math:`X^\top`
        ("arpack", "propack"); 1 for the direct solvers ("full",
        "covariance_eigh"); 0 when X (centred with ``center=True``) is all
        zero, which needs no solver (see Notes).

    n_samples_seen_ : int
        Number of training rows.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    MiniBatchLinearAutoencoder : The same network trained by minibatch Adam,
        with ``partial_fit`` for streams.
    sklearn.decomposition.TruncatedSVD : Uncentred truncated SVD.
    sklearn.decomposition.PCA : Centred SVD of dense or sparse data.
    sklearn.decomposition.IncrementalPCA : Streaming PCA with dense batches.
    novel_entries : Zero cells that the reconstruction fills in.

    Notes
    -----
    For X of shape (n, p) with SVD :math:`X = U \Sigma V^\top`, every rank-k
    matrix :math:`\hat X` has :math:`\|X - \hat X\|_F \ge
    (\sum_{i>k} \sigma_i^2)^{1/2}`, with equality at
    :math:`U_k \Sigma_k V_k^\top = X V_k V_k^\top`, which is :math:`X C D`
    with :math:`C = V_k`, :math:`D = V_k^\top`. Without regularisation the
    network's loss is invariant under :math:`(C, D) \to (C G, G^{-1} D)` for
    any invertible G, so only the product CD is identified; this estimator
    returns the orthonormal representative, :math:`D = V_k^\top`.

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
    .. [2] Su Jianlin, "SVD分解(一)：自编码器与人工智能", kexue.fm, 2017.
       https://kexue.fm/archives/4208
    .. [3] N. Halko, P.-G. Martinsson and J. A. Tropp, "Finding structure with
       randomness: probabilistic algorithms for constructing approximate
       matrix decompositions", SIAM Review 53(2):217-288, 2011.
       :arxiv:`0909.4061`
    .. [4] C. Musco and C. Musco, "Randomized block Krylov methods for
       stronger and faster approximate singular value decomposition",
       NeurIPS 2015. :arxiv:`1504.05477`

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
        **_BaseLinearAutoencoder._parameter_constraints,
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
            None,
        ],
        "solver": [
            StrOptions(
                {"auto", "full", "covariance_eigh", "arpack", "propack", "randomized"}
            )
        ],
        "min_singular_value": [Interval(Real, 0, None, closed="left"), None],
        "iterated_power": [
            Interval(Integral, 0, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "n_oversamples": [Interval(Integral, 0, None, closed="left")],
        "randomized_method": [StrOptions({"subspace", "block_krylov"})],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
    }
    # Rules between the parameters and the data, for joint property-test draws:
    # ARPACK needs two rows and columns and finds fewer components than that.
    _data_constraints: dict = {
        "solver": Given(
            lambda n_samples, n_features: [
                StrOptions(
                    {"auto", "full", "covariance_eigh", "propack", "randomized"}
                    | ({"arpack"} if min(n_samples, n_features) >= 2 else set())
                )
            ]
        ),
        "n_components": Given(
            lambda n_samples, n_features, solver, format: [
                # "auto" may choose ARPACK for sparse X.
                *integers_between(
                    1,
                    min(n_samples, n_features)
                    - (solver == "arpack" or (solver == "auto" and format != "dense")),
                ),
                Interval(RealNotInt, 0, 1, closed="neither"),
                None,
            ]
        ),
        # PROPACK's Krylov basis must hold every component it computes.
        "max_iter": Given(
            lambda solver, n_samples, n_features: [
                *integers_between(
                    min(n_samples, n_features) if solver == "propack" else 1, None
                ),
                None,
            ]
        ),
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
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params(self):
        if isinstance(self.solver, str) and self.solver == "gradient":
            # The gradient solver became its own estimator before any release.
            raise InvalidParameterError(
                "The 'solver' parameter of LinearAutoencoder must be a str among "
                "{'arpack', 'auto', 'covariance_eigh', 'full', 'propack', "
                "'randomized'}. Got 'gradient' instead: the gradient-trained "
                "autoencoder is MiniBatchLinearAutoencoder (with alpha, "
                "learning_rate, batch_size and partial_fit)."
            )
        super()._validate_params()

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the autoencoder: the truncated SVD of X.

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
        return self._keeping_state_on_error(self._fit, X)

    def _fit(self, X):
        X = validate_input_data(self, X, reset=True, accept_sparse=("csr", "csc"))
        self.solver_ = self._resolve_solver(X)
        return self._fit_svd(X, input_scale(X))

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
        X_work = rescaled(X, scale)
        mean, constant = None, max_abs(X_work) == 0
        if self.center:
            mean, constant = column_mean(X_work)
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
            error = reconstruction_residual(X_work, components, mean, total_energy)[0]
        error = float(unscaled(error, scale))
        if not math.isfinite(error):
            raise ValueError(
                "The reconstruction error of X exceeds the float64 range: "
                + overflow_advice(np.float64)
            )
        self.components_ = components
        self._set_spectrum(*spectrum)
        self.mean_ = None if mean is None else unscaled(mean, scale)
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
                kept = unscaled(kept, scale)
            above = int(np.sum(kept > self.min_singular_value))
            if above < n_keep:
                n_keep = max(above, 1)
        return n_keep

    def _solve(self, operator, n_components, random_state):
        solver = self.solver_
        if solver == "full":
            return full_svd(operator, n_components)
        if solver == "covariance_eigh":
            return covariance_eigh_svd(operator, n_components)
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
        return iterative_svd(
            operator,
            n_components,
            solver,
            0.0 if self.tol is None else self.tol,
            self.max_iter,
            random_state,
        )
