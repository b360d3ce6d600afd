"""BioHash: sparse binary hashing with units learned by the Krotov-Hopfield rule."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from sklearn_kexue.hashing._base import BaseWinnerTakeAllHasher, hash_lengths_below
from sklearn_kexue.hashing._biohash_kernels import (
    hebbian_step_dense,
    hebbian_step_numpy,
    rank_units,
    rank_units_numpy,
)
from sklearn_kexue.hashing._winner_take_all import select_winners
from sklearn_kexue.utils._data_constraints import Given, integers_between
from sklearn_kexue.utils._jit import use_compiled
from sklearn_kexue.utils._param_validation import (
    RANDOM_STATE,
    Interval,
    StrOptions,
)
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale
from sklearn_kexue.utils._threads import blas_threads_for
from sklearn_kexue.utils._validation import validate_input_data
from sklearn_kexue.utils._verbose import print_iteration, print_summary

__all__ = ["BioHashTransformer"]

# A unit counts as converged once its p-norm is within this of 1.
_NORM_TOLERANCE = 0.1
# fit warns when more than this share of the training codes' units is unconverged.
_MAX_UNCONVERGED_CODE_SHARE = 0.01


class BioHashTransformer(BaseWinnerTakeAllHasher):
    r"""BioHash: winner-take-all codes over units learned by a local Hebbian rule.

    Each of ``n_components`` units :math:`\mu` holds a weight vector
    :math:`W_\mu`. Training follows the rule that BioHash [1]_ takes from
    Krotov & Hopfield [2]_: for every sample the unit with the largest
    activation :math:`\langle W_\mu, x \rangle_\mu` moves towards the sample
    (Hebbian), the unit ranked ``rank`` moves away from it with strength
    ``delta`` (anti-Hebbian), and the term :math:`-\langle W_\mu, x
    \rangle_\mu W_\mu` drives each learning unit onto the unit p-sphere.
    Hashing is then winner-take-all: the ``hash_length`` units with the
    largest activations are 1. It is a data-dependent
    :class:`FlyHashTransformer`; with ``p=2`` and ``delta=0`` it is online
    spherical k-means.

    Read more in the :ref:`User Guide <biohash>`.

    Parameters
    ----------
    n_components : int, default=100
        Number of units m (the m of [1]_; Kenyon cells).

    hash_length : int or float, default=0.05
        Active units per code, k: an int, or a float in (0, 1), the activity
        a = k / m (k = round(a * m), at least 1). BioHash [1]_ uses a = 0.05
        on MNIST pixels. A k of m or more makes every unit a winner (codes of
        all ones): ``fit`` then warns and uses ``hash_length_ = m``.

    p : float, default=2.0
        Lebesgue norm of the units. Activations are :math:`\langle W_\mu, x
        \rangle_\mu = \sum_i \operatorname{sign}(W_{\mu i}) |W_{\mu i}|^{p-1}
        x_i`, and learning units converge to :math:`\sum_i |W_{\mu i}|^p = 1`.
        p = 2 is the ordinary dot product.

    delta : float, default=0.0
        Anti-Hebbian strength :math:`\Delta` applied to the unit ranked
        ``rank``; 0 (the default, as in FlyVec) turns the repulsion off.
        Krotov's notebook uses 0.4; on the digits data shipped with
        scikit-learn, mAP falls as :math:`\Delta` grows (see the
        :ref:`User Guide <biohash>`).

    rank : int, default=2
        Rank r of the anti-Hebbian unit (2: the runner-up). Krotov's notebook
        calls it "k", which is not the hash length. Read only when
        ``delta > 0``; a rank above ``n_components`` leaves no unit to repel,
        so ``fit`` then warns and trains without the anti-Hebbian term.

    learning_rate : float, default=0.1
        Initial step :math:`\epsilon_0`: each minibatch update is divided by
        its largest absolute entry, so the largest weight change per step
        equals the current learning rate. The units travel about
        :math:`\epsilon_0` times half the number of minibatch steps in all, so
        data sets with few minibatches per epoch need a larger
        :math:`\epsilon_0` than Krotov's 0.02, set for MNIST's 600: the
        default lets the units converge on scikit-learn's small data sets (see
        the :ref:`User Guide <biohash>`).

    learning_rate_schedule : {"linear", "constant"}, default="linear"
        "linear" decays the step to 0 over :math:`E` = ``max_iter`` epochs,
        :math:`\epsilon_e = \epsilon_0 (1 - e / E)`, as in Krotov's
        implementation. Each :meth:`partial_fit` call counts as one epoch of
        this schedule.

    max_iter : int, default=100
        Epochs of :meth:`fit`, and the length of the linear schedule.

    batch_size : int, default=100
        Samples per update.

    tol : float or None, default=None
        If set, stop :meth:`fit` early once the p-norm of every unit that won
        a sample in the epoch (every unit the rule moved towards the data) is
        within ``tol`` of 1.

    sparse_output : bool, default=True
        Return CSR codes with exactly ``hash_length_`` entries per row, else a
        dense {0, 1} array.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights (i.i.d. standard normal, as in Krotov's
        code: their large norm is what lets every unit win eventually) and
        the order of the samples in each epoch.

    verbose : int, default=0
        Per-epoch progress when >= 2, a summary when 1.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The learned units W.

    n_components_ : int
        The number of units m, the width of the codes (``n_components``).

    hash_length_ : int
        The number of active units per code.

    unit_norms_ : ndarray of shape (n_components,)
        p-norms of the units; 1 for converged units.

    win_counts_ : ndarray of shape (n_components,)
        Samples each unit won (was the top unit for) in the last epoch.

    code_counts_ : ndarray of shape (n_components,)
        Samples whose code (top ``hash_length_`` units, before the sample's
        update) included each unit, in the last epoch. Units at 0 do not
        enter the codes of data like the training data.

    convergence_curve_ : list of float
        After each epoch (or :meth:`partial_fit` call), the share of the
        epoch's code entries (``code_counts_``) held by units whose p-norm is
        more than 0.1 away from 1. It starts near 1, as every unit starts off
        the sphere, and falls towards 0 as the units that make the codes
        converge.

    n_iter_ : int
        Epochs run (or :meth:`partial_fit` calls).

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    FlyHashTransformer : Random, data-independent sparse expansion + top-k.
    SignRandomProjection : Dense random hyperplane bits.

    Notes
    -----
    For a minibatch :math:`X_B`, with currents :math:`I_{\mu A} = \langle
    W_\mu, x_A \rangle_\mu` and :math:`g_{\mu A} = 1` for each sample's top
    unit, :math:`-\Delta` for its ``rank``-th unit and 0 otherwise, the update
    is

    .. math::

        \Delta W_{\mu i} = \sum_A g_{\mu A} x_{A i}
            - \Bigl(\sum_A g_{\mu A} I_{\mu A}\Bigr) W_{\mu i},
        \qquad W \leftarrow W + \epsilon \,
            \Delta W / \max_{\mu i} |\Delta W_{\mu i}| .

    Codes use the *unnormalised* activations, like eq. 6 of [1]_, which is
    safe only once the units have converged to the unit sphere: a unit still
    far from it (its initial norm is about :math:`\sqrt{d}` for :math:`d`
    features) can win far more often than it should. :meth:`fit` therefore
    warns when more than 1 % of the code entries of the training samples in
    the last epoch came from units off the sphere (the last value of
    ``convergence_curve_``). Units that never win keep their random initial
    weights; they may still enter the odd code, which this share tolerates.

    References
    ----------
    .. [1] C. K. Ryali, J. J. Hopfield, L. Grinberg and D. Krotov,
       "Bio-inspired hashing for unsupervised similarity search", ICML 2020.
       :arxiv:`2001.04907`
    .. [2] D. Krotov and J. J. Hopfield, "Unsupervised learning by competing
       hidden units", PNAS 116(16):7723-7731, 2019.
       :doi:`10.1073/pnas.1820458116`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import BioHashTransformer
    >>> X = np.random.default_rng(0).random((300, 8))
    >>> hasher = BioHashTransformer(n_components=10, hash_length=2, max_iter=200,
    ...                             learning_rate=0.1, random_state=0).fit(X)
    >>> codes = hasher.transform(X[:2])
    >>> codes.shape, codes.toarray().sum(axis=1).tolist()
    ((2, 10), [2.0, 2.0])
    """

    _parameter_constraints: dict = {
        **BaseWinnerTakeAllHasher._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "p": [Interval(Real, 1, None, closed="left")],
        "delta": [Interval(Real, 0, None, closed="left")],
        "rank": [Interval(Integral, 2, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"linear", "constant"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither"), None],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }
    # Rules between the parameters, for joint property-test draws: fewer
    # winners than units, and a rank-th unit to repel when delta > 0. Steps
    # above 1 overshoot the units every update; that training is chaotic, so
    # the rounding differences between dense and sparse products grow into
    # other codes (check_format_invariance found it at learning_rate=3.2).
    _data_constraints: dict = {
        "learning_rate": Given(lambda: [Interval(Real, 0, 1, closed="right")]),
        "n_components": Given(lambda: [Interval(Integral, 2, None, closed="left")]),
        "hash_length": Given(lambda n_components: hash_lengths_below(n_components)),
        "rank": Given(
            lambda n_components, delta: (
                integers_between(2, n_components)
                if delta > 0
                else [Interval(Integral, 2, None, closed="left")]
            )
        ),
    }

    def __init__(
        self,
        n_components=100,
        *,
        hash_length=0.05,
        p=2.0,
        delta=0.0,
        rank=2,
        learning_rate=0.1,
        learning_rate_schedule="linear",
        max_iter=100,
        batch_size=100,
        tol=None,
        sparse_output=True,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hash_length = hash_length
        self.p = p
        self.delta = delta
        self.rank = rank
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.sparse_output = sparse_output
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the units with ``max_iter`` epochs of the Krotov-Hopfield rule.

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
        X = _rescaled(validate_input_data(self, X, reset=True, accept_sparse="csr"))
        random_state = check_random_state(self.random_state)
        self._random_state = random_state  # partial_fit continues its stream
        self._initialise(X, random_state)
        converged = False
        for epoch in range(self.max_iter):
            self._epoch(X, self._learning_rate_at(epoch), random_state)
            learning = self.win_counts_ > 0
            if self.tol is not None and np.all(
                np.abs(self.unit_norms_[learning] - 1) < self.tol
            ):
                converged = True
                break
        if self.verbose:
            print_summary(
                self,
                self.n_iter_,
                self.loss_curve_[-1],
                converged=converged,
                off_sphere_code_share=f"{self.convergence_curve_[-1]:.1%}",
            )
        self._warn_if_not_converged(X.shape[0])
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Run one epoch of the rule over the batch ``X``.

        The first call draws the initial weights. Call t (counting from 0)
        uses the learning rate of epoch t of ``learning_rate_schedule``: with
        the linear schedule the step reaches 0 after ``max_iter`` calls, so
        ``max_iter`` calls over the whole data equal :meth:`fit` up to the
        order of the samples.

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
            The updated transformer.
        """
        first_call = not hasattr(self, "components_")
        X = validate_input_data(self, X, reset=first_call, accept_sparse="csr")
        X = _rescaled(X)
        if first_call:
            self._random_state = check_random_state(self.random_state)
            self._initialise(X, self._random_state)
        self._epoch(X, self._learning_rate_at(self.n_iter_), self._random_state)
        return self

    def _initialise(self, X, random_state):
        self.n_components_ = self.n_components
        self.hash_length_ = self._resolve_hash_length(self.n_components)
        self._repulsion = self.delta
        if self.delta > 0 and self.rank > self.n_components:
            # As with hash_length: no rank-th unit to repel, so say so and go on.
            warnings.warn(
                f"rank={self.rank} exceeds n_components={self.n_components}: there "
                "is no rank-th unit to repel, so the anti-Hebbian term is off "
                "(as with delta=0).",
                UserWarning,
                stacklevel=3,
            )
            self._repulsion = 0.0
        # Float64 draws, so float32 and float64 fits start from the same units.
        weights = random_state.standard_normal((self.n_components, X.shape[1]))
        self.components_ = weights.astype(X.dtype)
        self.n_iter_ = 0
        self.convergence_curve_ = []
        self.loss_curve_ = []
        self.unit_norms_ = self._unit_norms()
        self.win_counts_ = np.zeros(self.n_components, dtype=np.int64)
        self.code_counts_ = np.zeros(self.n_components, dtype=np.int64)

    def _learning_rate_at(self, epoch):
        if self.learning_rate_schedule == "constant":
            return self.learning_rate
        return self.learning_rate * max(0.0, 1.0 - epoch / self.max_iter)

    def _epoch(self, X, learning_rate, random_state):
        """One shuffled pass of minibatch updates over X.

        An epoch with a zero learning rate (``partial_fit`` past the end of
        the linear schedule) changes nothing and keeps the diagnostics.
        """
        order = random_state.permutation(X.shape[0])
        self.n_iter_ += 1
        # The whole fit's ranking work decides, so all epochs take one path.
        compiled = not sp.issparse(X) and use_compiled(
            max(self.max_iter, self.n_iter_) * X.shape[0] * self.n_components
        )
        if learning_rate > 0:
            # Many small products: one BLAS thread for them (see utils._threads).
            with blas_threads_for(self.batch_size * X.shape[1] * self.n_components):
                self._learn(X, order, learning_rate, compiled)
        share = self._unconverged_code_share()
        self.convergence_curve_.append(share)
        self.loss_curve_.append(self._last_loss)
        if self.verbose >= 2:
            print_iteration(
                self,
                self.n_iter_,
                self._last_loss,
                learning_rate=learning_rate,
                off_sphere_code_share=f"{share:.1%}",
            )

    def _learn(self, X, order, learning_rate, compiled):
        """The minibatch updates of one epoch, and the epoch's diagnostics."""
        weights = self.components_
        activation = _activation_weights(weights, self.p)
        wins = np.zeros(self.n_components, dtype=np.int64)
        in_codes = np.zeros(self.n_components, dtype=np.int64)
        distances = []
        for start in range(0, X.shape[0], self.batch_size):
            rows = np.sort(order[start : start + self.batch_size])
            distances.append(
                _update(
                    weights,
                    activation,
                    X[rows],
                    self.p,
                    self._repulsion,
                    min(self.rank, self.n_components),
                    learning_rate,
                    self.hash_length_,
                    wins,
                    in_codes,
                    compiled=compiled,
                )
            )
        self.win_counts_ = wins
        self.code_counts_ = in_codes
        self.unit_norms_ = self._unit_norms()
        self._last_loss = float(np.concatenate(distances).mean())

    def _unit_norms(self):
        weights = np.abs(self.components_.astype(np.float64))
        return np.sum(weights**self.p, axis=1) ** (1 / self.p)

    def _off_sphere(self):
        return np.abs(self.unit_norms_ - 1) > _NORM_TOLERANCE

    def _unconverged_code_share(self):
        """Share of the last epoch's code entries held by units off the sphere."""
        total = self.code_counts_.sum()
        if total == 0:
            return 1.0
        return float(self.code_counts_[self._off_sphere()].sum() / total)

    def _warn_if_not_converged(self, n_samples):
        share = self.convergence_curve_[-1]
        if share <= _MAX_UNCONVERGED_CODE_SHARE:
            return
        off_in_codes = self._off_sphere() & (self.code_counts_ > 0)
        n_idle = int(np.sum(self.win_counts_ == 0))
        # Units that win no sample never move: more epochs will not help them.
        if np.any(off_in_codes & (self.win_counts_ == 0)):
            advice = (
                f"{n_idle} of the {self.n_components} units won no sample in the "
                f"last epoch, so they never learn: for {n_samples} samples, use "
                "fewer n_components (or increase max_iter or learning_rate)."
            )
        else:
            advice = "Increase max_iter or learning_rate."
        warnings.warn(
            f"{share:.1%} of the code entries of the training samples in the last "
            f"epoch came from {int(off_in_codes.sum())} of {self.n_components} "
            f"units whose p-norms are more than {_NORM_TOLERANCE} away from 1, "
            f"after {self.n_iter_} epochs. Codes use unnormalised activations, "
            f"where such units win too often. {advice}",
            ConvergenceWarning,
            stacklevel=3,
        )

    # ---------------------------------------------------------------- hashing

    def _transform_context(self, dtype, compiled):
        weights = self.components_.astype(dtype, copy=False)
        return np.ascontiguousarray(_activation_weights(weights, self.p).T)

    def _transform_row_bytes(self, X, compiled):
        return self.n_components_ * X.dtype.itemsize * (1 if compiled else 3)

    def _select_batch(self, X_batch, weights_t, out_indices, out_values, *, compiled):
        # Winners are invariant to positive scaling: rescale extreme rows.
        activations = np.asarray(_rescaled(X_batch) @ weights_t, dtype=X_batch.dtype)
        select_winners(
            activations, self.hash_length_, out_indices, out_values, compiled=compiled
        )


def _activation_weights(weights, p):
    """``sign(W) |W|^(p-1)``: activations ``<W_mu, x>_mu`` are ``X @ this.T``."""
    if p == 2:
        return weights
    return np.sign(weights) * np.abs(weights) ** (p - 1)


def _rescaled(X):
    """``X`` times the power of two that keeps extreme values from overflowing.

    The rule is equivariant to a positive rescale of the data (the currents,
    the Hebbian term and the drive all scale with it, and each update is
    divided by its largest entry), and so are the codes: the factor changes
    nothing but the overflow. It is 1, and ``X`` is returned, for ordinary data.
    """
    scale = power_of_two_scale(max_abs(X), X.dtype)
    return X if scale == 1 else X * scale


def _update(
    weights,
    activation,
    X_batch,
    p,
    delta,
    rank,
    learning_rate,
    hash_length,
    win_counts,
    code_counts,
    *,
    compiled,
):
    """One Krotov-Hopfield minibatch step on ``weights`` (modified in place).

    ``activation`` is ``_activation_weights(weights, p)``, kept in step with
    ``weights`` (the same array when ``p == 2``). Only the units that win or
    rank ``rank``-th for some sample change, so only their rows are computed,
    which is exact: every other row of the update is zero. ``compiled`` picks
    the compiled kernels (dense batches only) or their NumPy twins, which give
    the same result bit for bit.

    Adds one to ``win_counts`` for each sample's winner and to
    ``code_counts`` for each unit of each sample's code (its top
    ``hash_length`` activations before the step), for the diagnostics, and
    returns each sample's p-cosine distance to its winner before the step,
    ``1 - <W_mu, x>_mu / (||W_mu||_p^(p-1) ||x||_p)`` (0 for an all-zero x).
    """
    n_samples = X_batch.shape[0]
    # currents[A, mu] = <W_mu, x_A>_mu
    currents = np.ascontiguousarray(X_batch @ activation.T)
    winner = np.empty(n_samples, dtype=np.int64)
    anti = np.empty(n_samples, dtype=np.int64)
    if compiled:
        rank_units(currents, rank, hash_length, winner, anti, code_counts)
    else:
        rank_units_numpy(currents, rank, hash_length, winner, anti, code_counts)
    win_counts += np.bincount(winner, minlength=len(win_counts))
    distances = _winner_distances(weights, X_batch, currents, winner, p)
    if compiled:
        touched = hebbian_step_dense(
            weights, X_batch, currents, winner, anti, delta, learning_rate
        )
    else:
        touched = hebbian_step_numpy(
            weights, X_batch, currents, winner, anti, delta, learning_rate
        )
    if activation is not weights:
        activation[touched] = _activation_weights(weights[touched], p)
    return distances


def _winner_distances(weights, X_batch, currents, winner, p):
    """Each sample's p-cosine distance to its winning unit (Hölder: in [0, 2])."""
    rows = np.arange(X_batch.shape[0])
    data = X_batch.data if sp.issparse(X_batch) else X_batch
    norms_x = np.asarray(
        (abs(X_batch).power(p) if sp.issparse(X_batch) else np.abs(data) ** p).sum(
            axis=1
        ),
        dtype=np.float64,
    ).ravel() ** (1 / p)
    unit_norms = np.sum(np.abs(weights[winner].astype(np.float64)) ** p, axis=1) ** (
        (p - 1) / p
    )
    scale = norms_x * unit_norms
    similarity = np.divide(
        currents[rows, winner].astype(np.float64),
        scale,
        out=np.ones_like(scale),
        where=scale > 0,
    )
    return 1 - similarity
