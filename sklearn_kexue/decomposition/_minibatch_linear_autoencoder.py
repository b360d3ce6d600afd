"""The linear autoencoder trained as a network, by minibatch Adam with weight decay."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from sklearn_kexue.decomposition._base import (
    _BaseLinearAutoencoder,
    column_mean,
    input_scale,
    reconstruction_residual,
    rescaled,
    too_large_message,
    unscaled,
)
from sklearn_kexue.decomposition._gradient import (
    AdamLinearAutoencoder,
    asymmetry,
    dense_scaled_batch,
    principal_factors,
)
from sklearn_kexue.decomposition._svd_solvers import (
    CenteredMatrix,
    svd_flip_components,
)
from sklearn_kexue.utils._data_constraints import Given, integers_between
from sklearn_kexue.utils._param_validation import Interval
from sklearn_kexue.utils._scaling import max_abs
from sklearn_kexue.utils._validation import validate_input_data
from sklearn_kexue.utils._verbose import print_iteration, print_summary

__all__ = ["MiniBatchLinearAutoencoder"]

# Default budget of fit: 20000 minibatch updates, which the noise of small
# batches needs, but at most 2500 epochs: with few batches per epoch the steps
# follow the full gradient, which converges in far fewer updates.
_DEFAULT_UPDATES = 20_000
_DEFAULT_MAX_EPOCHS = 2_500
# Relative ||C - D^T|| above which the trained network is not near a critical point.
_ASYMMETRY_TOLERANCE = 0.05
# Decoder singular values below this mark a unit switched off by the weight decay.
_ACTIVE_SHRINKAGE = 1e-3


class MiniBatchLinearAutoencoder(_BaseLinearAutoencoder):
    r"""Linear autoencoder :math:`X \approx X C D` trained by minibatch Adam.

    The network of :class:`LinearAutoencoder`, an encoder :math:`C` of shape
    (n_features, k) and a decoder :math:`D` of shape (k, n_features), trained
    as a neural network is: Adam [1]_ steps on minibatches of the squared
    reconstruction error, with L2 weight decay on both layers. The decay
    makes the trained decoder reveal the individual principal directions and
    singular values, not only their span (Kunin et al. [2]_), so the fitted
    model is the truncated SVD that :class:`LinearAutoencoder` computes
    directly (Baldi & Hornik [3]_). Training needs one minibatch in memory at
    a time: :meth:`partial_fit` learns from a stream.

    Read more in the :ref:`User Guide <linear_autoencoder_gradient>`.

    Parameters
    ----------
    n_components : int, default=2
        Number of hidden units k, ``1 <= n_components <= n_features``.

    center : bool, default=False
        Subtract the feature means first, which gives PCA. The default, no
        centring, is the autoencoder without biases, like
        :class:`~sklearn.decomposition.TruncatedSVD`. With :meth:`partial_fit`
        the mean is a running mean over all rows seen.

    activation : {None, "relu"}, default=None
        Applied to reconstructions in :meth:`inverse_transform` (and so in
        :meth:`score_samples` and :func:`novel_entries`). "relu" clips
        negative reconstructed values to 0.

    alpha : float, default=1e-2
        Weight decay, relative to the data's energy: the penalty
        :math:`\frac{\alpha}{2}(\|C\|_F^2 + \|D\|_F^2)` is added to the mean
        squared error of data divided by ``scale_``, the root mean squared
        (centred) row norm. Directions whose share of the energy per sample
        is below ``alpha`` are switched off; larger values fix the
        directions faster and read the singular values off more precisely.
        Must be below 1: the scaled data have unit energy per sample, so
        ``alpha >= 1`` would switch every unit off. The default keeps every
        direction that carries 1 % of the energy.

    learning_rate : float, default=1e-2
        Initial Adam step size. Update t (counted over :meth:`fit`, or over
        all :meth:`partial_fit` calls) uses ``learning_rate / (1 + t /
        1000)``, a Robbins-Monro decay that averages out minibatch noise.

    batch_size : int, default=256
        Rows per minibatch, and the largest block that is densified at once
        (sparse input stays sparse otherwise).

    max_iter : int or None, default=None
        Epochs (passes over X) of :meth:`fit`. None: enough epochs for 20000
        minibatch updates, but at most 2500. Small batches give noisy
        gradients, which need many updates; with few batches per epoch the
        steps follow the full gradient and converge in far fewer. At this
        budget the other defaults converge on scikit-learn's small data sets,
        raw or standardised.

    tol : float or None, default=None
        If set, :meth:`fit` stops early when the decoder's relative change
        over an epoch falls below it; None runs all ``max_iter`` epochs.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights and the shuffling of the rows.

    verbose : int, default=0
        Progress lines in the package's common format
        (``[MiniBatchLinearAutoencoder] iteration N, loss L, ...``). 1: a
        summary after :meth:`fit` and one line per :meth:`partial_fit` call;
        2 or more: also one line per epoch, with the loss recorded in
        ``loss_curve_``.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The principal directions learned: the right singular vectors of the
        trained decoder, by decreasing singular value. Signs follow
        scikit-learn: the entry of largest magnitude of each row is positive.

    singular_values_ : ndarray of shape (n_components,)
        The matching singular values. :meth:`fit` reports :math:`\|X v_i\|`
        along the learned directions (one extra pass over X), and
        :meth:`partial_fit`, which keeps no data, the read-off from the
        decoder (see Notes); switched-off units get 0.

    explained_variance_ : ndarray of shape (n_components,)
        ``singular_values_**2 / (n_samples - 1)``: the variance along each
        component with ``center=True``, the uncentred second moment without.

    explained_variance_ratio_ : ndarray of shape (n_components,)
        Share of the energy :math:`\|X\|_F^2` (of the centred X when
        ``center=True``) captured by each component. After
        :meth:`partial_fit` the energy of the stream is estimated as
        ``n_samples_seen_ * scale_**2``.

    reconstruction_error_ : float or None
        :math:`\|X - X C D\|_F` on the training data with the learned
        components, without activation. None after :meth:`partial_fit`,
        which does not keep the stream.

    mean_ : ndarray of shape (n_features,) or None
        Feature means when ``center=True``, else None.

    n_components_ : int
        Number of hidden units.

    n_iter_ : int
        Epochs of :meth:`fit`, plus one per :meth:`partial_fit` call; 0 when
        X (centred with ``center=True``) is all zero, which needs no
        training.

    n_steps_ : int
        Adam updates (minibatches) made, over :meth:`fit` and all
        :meth:`partial_fit` calls since.

    n_samples_seen_ : int
        Training rows seen (accumulates over :meth:`partial_fit` calls).

    scale_ : float
        The fixed factor the (centred) data are divided by: their root mean
        squared row norm, from the training data (from the first batch for
        :meth:`partial_fit`).

    loss_curve_ : list of float
        Mean training loss (of the scaled data) per epoch of :meth:`fit`, or
        per :meth:`partial_fit` call, as ``verbose`` prints it.

    shrinkage_ : ndarray of shape (n_components,)
        Singular values :math:`s_i` of the trained decoder, from which
        :math:`\sigma_i = \mathrm{scale} \cdot (n \alpha / (1 - s_i^2))^{1/2}`.

    asymmetry_ : float
        :math:`\|C - D^\top\|_F / \|D\|_F` of the trained network: zero at
        every critical point of the loss. :meth:`fit` warns above 0.05.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    LinearAutoencoder : The same optimum computed by exact or randomized SVD.
    sklearn.decomposition.IncrementalPCA : Streaming PCA with dense batches.
    novel_entries : Zero cells that the reconstruction fills in.

    Notes
    -----
    The rows are centred when ``center=True`` and divided by ``scale_``, so
    that the scaled data :math:`\tilde x` have unit energy per row on
    average, and the loss on a minibatch :math:`B` is

    .. math::

        L(C, D) = \frac{1}{2 |B|} \sum_{x \in B} \|\tilde x C D - \tilde x\|^2
        + \frac{\alpha}{2} \left(\|C\|_F^2 + \|D\|_F^2\right).

    Without the penalty the loss is invariant under
    :math:`(C, D) \to (C G, G^{-1} D)` for any invertible G, so only the
    product CD would be identified. With it, the minima are
    :math:`C = D^\top`,
    :math:`D = O^\top (I - \alpha E_k^{-1})^{1/2} V_k^\top` for an
    orthogonal O, with :math:`E_k` the leading eigenvalues of the per-sample
    second moment of the scaled data [2]_. The right singular vectors of the
    trained D are therefore :math:`V_k`, and its singular values
    :math:`s_i` give :math:`\sigma_i = \mathrm{scale} \cdot
    (n \alpha / (1 - s_i^2))^{1/2}`. ``components_`` are read off that way,
    so :meth:`transform` and :meth:`inverse_transform` use the unshrunk
    optimum, like :class:`LinearAutoencoder`. The read-off of
    :math:`\sigma_i` magnifies an error in :math:`s_i^2` by about
    :math:`e_i / \alpha`, large for dominant directions, so :meth:`fit`
    reports :math:`\|X v_i\|` instead (the read-off stays available through
    ``shrinkage_``), while :meth:`partial_fit`, which keeps no data, uses
    the read-off.

    Extreme data are handled as by :class:`LinearAutoencoder`: training sees
    the data times a power of two, which is exact, and data whose squared
    singular values overflow are refused with a ValueError. A zero matrix
    (or, with ``center=True``, a constant one) is not trained on: the first
    unit vectors are returned as ``components_``, with zero singular values.

    References
    ----------
    .. [1] D. P. Kingma and J. Ba, "Adam: a method for stochastic
       optimization", ICLR 2015. :arxiv:`1412.6980`
    .. [2] D. Kunin, J. Bloom, A. Goeva and C. Seed, "Loss landscapes of
       regularized linear autoencoders", ICML 2019. :arxiv:`1901.08168`
    .. [3] P. Baldi and K. Hornik, "Neural networks and principal component
       analysis: learning from examples without local minima", Neural
       Networks 2(1):53-58, 1989. :doi:`10.1016/0893-6080(89)90014-2`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue.decomposition import (
    ...     LinearAutoencoder, MiniBatchLinearAutoencoder)
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 4)) * [5.0, 2.0, 0.5, 0.1]
    >>> network = MiniBatchLinearAutoencoder(n_components=2, random_state=0)
    >>> network = network.fit(X)
    >>> exact = LinearAutoencoder(n_components=2).fit(X)
    >>> np.round(network.singular_values_ / exact.singular_values_, 3)
    array([1., 1.])
    >>> cosines = np.sum(network.components_ * exact.components_, axis=1)
    >>> np.round(np.abs(cosines), 4)
    array([1., 1.])
    """

    _parameter_constraints: dict = {
        **_BaseLinearAutoencoder._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        # The scaled data have unit energy per sample: alpha >= 1 would switch
        # every unit off.
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left"), None],
    }
    # For joint property-test draws: no more units than input features, and
    # Adam steps in the stable range: at learning_rate=1.4 the training is
    # chaotic, so the rounding differences between dense and sparse products
    # grow into other components (check_format_invariance found it).
    _data_constraints: dict = {
        "n_components": Given(lambda n_features: integers_between(1, n_features)),
        "learning_rate": Given(lambda: [Interval(Real, 0, 0.1, closed="right")]),
    }

    def __init__(
        self,
        n_components=2,
        *,
        center=False,
        activation=None,
        alpha=1e-2,
        learning_rate=1e-2,
        batch_size=256,
        max_iter=None,
        tol=None,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.center = center
        self.activation = activation
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the network on X from a fresh start.

        Runs ``max_iter`` epochs of Adam steps over shuffled minibatches of
        ``batch_size`` rows (fewer with ``tol``), then reads the principal
        directions off the trained decoder.

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

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train the network on one batch of a stream.

        Each call makes one pass of Adam steps over ``X`` in minibatches of
        ``batch_size`` rows, continuing the step-size schedule where the
        previous call (or :meth:`fit`) left it (see ``learning_rate``). The
        first call fixes ``scale_`` from its batch; with ``center=True`` the
        mean is a running mean over all rows seen. Memory holds the model and
        one minibatch (sparse batches are densified ``batch_size`` rows at a
        time). A batch that is refused, or on which training diverges,
        leaves the model as it was.

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
        return self._keeping_state_on_error(self._partial_fit, X)

    def _check_components(self, X, network=None):
        if network is None and self.n_components > X.shape[1]:
            raise ValueError(
                f"n_components={self.n_components} must be <= n_features="
                f"{X.shape[1]} for {type(self).__name__}."
            )
        if network is not None and self.n_components != network.decoder.shape[0]:
            raise ValueError(
                f"n_components={self.n_components} differs from the "
                f"{network.decoder.shape[0]} units of the network trained "
                "so far; refit to change it."
            )

    def _fit(self, X):
        X = validate_input_data(self, X, reset=True, accept_sparse=("csr", "csc"))
        self._check_components(X)
        scale = input_scale(X)
        n_samples, n_features = X.shape
        random_state = check_random_state(self.random_state)
        # Training sees (X - mean) / scale_, computed on X * scale: the same
        # numbers, since scaling by a power of two is exact.
        X_work = rescaled(X, scale)
        mean, constant = None, max_abs(X_work) == 0
        if self.center:
            mean, constant = column_mean(X_work)
        total_energy = CenteredMatrix(X_work, mean).squared_norm()
        unit = float(np.sqrt(total_energy / max(n_samples, 1)))
        unit = unit if unit > 0 else 1.0
        network = AdamLinearAutoencoder(n_features, self.n_components, random_state)
        n_batches = -(-n_samples // self.batch_size)
        max_epochs = self.max_iter
        if max_epochs is None:
            max_epochs = min(
                _DEFAULT_MAX_EPOCHS, max(1, -(-_DEFAULT_UPDATES // n_batches))
            )
        loss_curve = []
        converged = True
        if constant:
            # Nothing to learn from a zero (centred: constant) matrix: every
            # direction is optimal, and all solvers give the first unit vectors.
            components = np.eye(self.n_components, n_features, dtype=X.dtype)
            shrinkage = np.zeros(self.n_components)
            singular_values, error = np.zeros(self.n_components), 0.0
        else:
            for epoch in range(max_epochs):
                previous = network.decoder.copy()
                loss = self._training_pass(
                    X_work, random_state.permutation(n_samples), network, mean, unit
                )
                # A finite loss means finite weights before this epoch's steps.
                self._check_training(loss, f"epoch {epoch + 1}")
                loss_curve.append(loss)
                change = np.linalg.norm(network.decoder - previous) / max(
                    np.linalg.norm(network.decoder), np.finfo(np.float64).tiny
                )
                if self.verbose >= 2:
                    print_iteration(self, epoch + 1, loss, decoder_change=change)
                if self.tol is not None and change < self.tol:
                    break
            self._check_training(loss, f"epoch {epoch + 1}", network)
            converged = self._warn_if_not_converged(network)
            directions, _, shrinkage, active = self._principal_factors(
                network, stacklevel=6
            )
            components = np.ascontiguousarray(
                svd_flip_components(directions), dtype=X.dtype
            )
            # With the data at hand, sigma_i = ||X v_i|| is exact to second order
            # in the error of v_i, while the decoder read-off amplifies errors in
            # s_i by about e_i / alpha; keep the former.
            error, captured = reconstruction_residual(
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
        self.scale_ = float(unscaled(unit, scale))
        self.mean_ = None if mean is None else unscaled(mean, scale)
        self.n_samples_seen_ = n_samples
        self.loss_curve_ = loss_curve
        self.n_iter_ = len(loss_curve)
        self.n_steps_ = network.n_updates
        self.shrinkage_ = shrinkage
        self.asymmetry_ = asymmetry(network.encoder, network.decoder)
        self.components_ = components
        self._set_spectrum(*spectrum)
        self.reconstruction_error_ = float(unscaled(error, scale))
        if self.verbose:
            print_summary(
                self,
                self.n_iter_,
                loss_curve[-1] if loss_curve else 0.0,
                converged=converged,
                updates=network.n_updates,
            )
        return self

    def _partial_fit(self, X):
        first_call = not hasattr(self, "_network")
        X = validate_input_data(self, X, reset=first_call, accept_sparse=("csr", "csc"))
        self._check_components(X, None if first_call else self._network)
        scale = input_scale(X)
        if first_call:
            self.n_samples_seen_ = 0
            self.mean_ = np.zeros(X.shape[1]) if self.center else None
            self.loss_curve_ = []
            self.n_iter_ = 0
            self._network = AdamLinearAutoencoder(
                X.shape[1], self.n_components, check_random_state(self.random_state)
            )
        if self.center:
            batch_sum = np.asarray(
                rescaled(X, scale).sum(axis=0, dtype=np.float64)
            ).ravel()
            batch_sum = unscaled(batch_sum, scale)
            self.mean_ = (self.mean_ * self.n_samples_seen_ + batch_sum) / (
                self.n_samples_seen_ + X.shape[0]
            )
        if first_call:
            self.scale_ = self._energy_scale(X, scale)
        self.n_samples_seen_ += X.shape[0]
        loss = self._training_pass(
            X, np.arange(X.shape[0]), self._network, self.mean_, self.scale_
        )
        self._check_training(loss, "this batch", self._network, streaming=True)
        self.loss_curve_.append(loss)
        self.n_iter_ += 1
        self.n_steps_ = self._network.n_updates
        if self.verbose:
            print_iteration(self, self.n_iter_, loss, samples_seen=self.n_samples_seen_)
        self._read_off_solution(X.dtype)
        self.reconstruction_error_ = None  # the stream is not kept
        return self

    def _energy_scale(self, X, scale=1.0):
        """Root mean squared row norm of the (centred) data; 1 for all-zero data.

        It is computed on ``X * scale`` and scaled back, so that the squares
        of extreme data neither overflow nor underflow.
        """
        mean = self.mean_
        if mean is not None and scale != 1:
            mean = mean * scale
        total_energy = CenteredMatrix(rescaled(X, scale), mean).squared_norm()
        unit = np.sqrt(total_energy / max(X.shape[0], 1))
        return float(unscaled(unit, scale)) if unit > 0 else 1.0

    def _training_pass(self, X, order, network, mean, scale):
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

    def _check_training(self, loss, where, network=None, streaming=False):
        """Refuse to go on from a diverged network (a non-finite loss or weight)."""
        weights_finite = network is None or (
            np.all(np.isfinite(network.encoder))
            and np.all(np.isfinite(network.decoder))
        )
        if math.isfinite(loss) and weights_finite:
            return
        raise ValueError(
            f"{type(self).__name__} diverged on {where} (loss {loss}): lower "
            f"learning_rate={self.learning_rate}"
            + (
                ", or pass batches on the scale of the first one, which fixed "
                f"scale_={self.scale_:.3g}."
                if streaming
                else "."
            )
        )

    def _warn_if_not_converged(self, network):
        """Warn unless the encoder is close to the decoder's transpose."""
        gap = asymmetry(network.encoder, network.decoder)
        if gap > _ASYMMETRY_TOLERANCE:
            warnings.warn(
                f"{type(self).__name__} has not converged: at every critical "
                "point the encoder is the transpose of the decoder, but their "
                f"relative difference is {gap:.3g} > {_ASYMMETRY_TOLERANCE}. "
                "Increase max_iter, or learning_rate.",
                ConvergenceWarning,
                stacklevel=6,
            )
            return False
        return True

    def _principal_factors(self, network, stacklevel):
        """Directions, second moments, shrinkage and active units of a network."""
        directions, second_moments, shrinkage = principal_factors(
            network.decoder, self.alpha
        )
        active = shrinkage > _ACTIVE_SHRINKAGE
        if not active.all():
            warnings.warn(
                f"{np.sum(~active)} of {len(active)} units are switched off by the "
                f"weight decay alpha={self.alpha}: their directions carry less "
                "than alpha of the energy per sample. Lower alpha or "
                "n_components.",
                ConvergenceWarning,
                stacklevel=stacklevel,
            )
        return directions, second_moments, shrinkage, active

    def _read_off_solution(self, dtype):
        """components_ and the spectrum from the trained decoder (Kunin et al.)."""
        directions, second_moments, shrinkage, active = self._principal_factors(
            self._network, stacklevel=7
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
                too_large_message(
                    type(self).__name__, singular_values.max(initial=0.0), dtype
                )
            )
        self.shrinkage_ = shrinkage
        self.asymmetry_ = asymmetry(self._network.encoder, self._network.decoder)
        self.components_ = np.ascontiguousarray(
            svd_flip_components(directions), dtype=dtype
        )
        self._set_spectrum(
            singular_values.astype(dtype), variance.astype(dtype), ratio.astype(dtype)
        )
        return active
