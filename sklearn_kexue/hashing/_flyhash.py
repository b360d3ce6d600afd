"""FlyHash: the fruit-fly olfactory circuit as a locality-sensitive hash."""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue.hashing._base import BaseWinnerTakeAllHasher, hash_lengths_below
from sklearn_kexue.hashing._fly_kernels import (
    BLOCK_ROWS,
    fly_winners_csr,
    fly_winners_dense,
    fly_winners_numpy,
    row_sums_csr,
    row_sums_dense,
    row_sums_numpy,
)
from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._data_constraints import Given, integers_between
from sklearn_kexue.utils._param_validation import (
    N_JOBS,
    RANDOM_STATE,
    Interval,
    RealNotInt,
    StrOptions,
)
from sklearn_kexue.utils._scaling import max_abs, power_of_two_scale
from sklearn_kexue.utils._validation import validate_input_data

__all__ = ["FlyHashTransformer"]

# Above this many features, random-key sampling of connections costs too much.
_RANDOM_KEY_MAX_FEATURES = 4096
_AUTO_EXPANSION = 20


def _sample_connections(n_units, n_features, fan_in, random_state):
    """For each unit, ``fan_in`` distinct input features drawn uniformly, sorted."""
    connections = np.empty((n_units, fan_in), dtype=np.int32)
    if n_features <= _RANDOM_KEY_MAX_FEATURES:
        # The fan_in smallest of n_features i.i.d. uniform keys form a uniform subset.
        for batch in gen_row_batches(n_units, 16 * n_features):
            keys = random_state.random_sample((batch.stop - batch.start, n_features))
            chosen = np.argpartition(keys, fan_in - 1, axis=1)[:, :fan_in]
            connections[batch] = np.sort(chosen, axis=1)
    else:
        for unit in range(n_units):
            chosen = sample_without_replacement(
                n_features, fan_in, random_state=random_state
            )
            connections[unit] = np.sort(chosen)
    return connections


def _units_by_feature(connections, n_features):
    """Invert the connections: the units fed by each input feature (CSC layout)."""
    fan_in = connections.shape[1]
    flat = connections.ravel()
    order = np.argsort(flat, kind="stable")
    unit_ids = (order // fan_in).astype(np.int32)
    unit_indptr = np.zeros(n_features + 1, dtype=np.int64)
    np.cumsum(np.bincount(flat, minlength=n_features), out=unit_indptr[1:])
    return unit_indptr, unit_ids


class FlyHashTransformer(BaseWinnerTakeAllHasher):
    r"""Fly olfactory hashing: sparse binary expansion followed by winner-take-all.

    Each of the ``n_components`` output units (the fly's Kenyon cells) sums a
    fixed, randomly chosen set of ``fan_in`` input features; the
    ``hash_length`` units with the largest sums are the row's code
    (Dasgupta, Stevens & Navlakha [1]_). Codes have exactly ``hash_length``
    ones per row. Similar inputs share many winners, so the overlap of two codes (or
    their Hamming distance) approximates similarity.

    Read more in the :ref:`User Guide <flyhash>`.

    Parameters
    ----------
    n_components : int, float or "auto", default="auto"
        Number of output units m (the expansion dimension).

        - int: exactly that many units;
        - float: an expansion factor relative to the input, ``m =
          round(n_components * n_features)`` (the paper's Fig. 3 uses 10.0);
        - "auto": ``20 * hash_length``, the paper's operation-matched setting,
          which costs the same additions as a dense projection to
          ``hash_length`` dimensions.

    hash_length : int or float, default=32
        Number of winners k kept per row (the code's number of ones). A float
        in (0, 1) is an activity ratio: ``k = round(hash_length * m)``, e.g.
        0.05 for the fly's 5 %. It should be smaller than the number of units
        m: a k of m or more makes every unit a winner (codes of all ones), so
        ``fit`` then warns and uses ``hash_length_ = m``, as scikit-learn's
        ``SelectKBest`` keeps every feature when ``k > n_features``.

    fan_in : int or float, default=0.1
        Number of input features s that each unit sums. An int is the count; a
        float in (0, 1] is a fraction of the features, ``s = max(1,
        int(fan_in * n_features))`` (10 % as in the fly and the paper).

    binary : bool, default=True
        If True, the winners are coded 1. If False, they keep their summed
        activation (the paper's "value tags").

    center : bool, default=False
        Subtract each row's mean from its features before projecting (the
        fly's normalisation to a common mean). With a fixed fan-in every unit's
        sum shifts by the same amount ``fan_in * mean``, so this never changes
        which units win; it changes only the values of value tags
        (``binary=False``).

    sparse_output : bool, default=True
        If True, :meth:`transform` returns CSR codes with exactly
        ``hash_length`` stored entries per row; otherwise a dense array.

    n_jobs : int, default=None
        Number of threads that :meth:`transform` hashes rows with. The
        compiled kernel releases the GIL, so threads run in parallel; the
        codes do not depend on ``n_jobs``. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all processors.

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of connections. Pass an int for reproducible codes.

    Attributes
    ----------
    connections_ : ndarray of shape (`n_components_`, `fan_in_`), dtype=int32
        For each unit, the sorted indices of the input features it sums.

    n_components_ : int
        Resolved number of output units m.

    hash_length_ : int
        Resolved number of winners k.

    fan_in_ : int
        Resolved number of inputs per unit s.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    SignRandomProjection : SimHash, the dense random-hyperplane baseline.
    winner_take_all : The top-k step, for activations computed elsewhere.
    sklearn.random_projection.SparseRandomProjection : Dense-output sparse
        random projection without winner-take-all.

    Notes
    -----
    Let :math:`M \in \{0, 1\}^{m \times d}` have exactly :math:`s` ones per
    row, placed uniformly at random without replacement. For an input
    :math:`x`, the unit activations are :math:`y = M x` (an addition of
    :math:`s` inputs per unit, :math:`m s` additions in all; a dense Gaussian
    projection to :math:`k` dimensions costs :math:`2dk`, so :math:`m = 20k`
    at :math:`s = 0.1 d` matches it). Winner-take-all keeps the :math:`k`
    largest entries of :math:`y`.

    **Invariances.** Adding a constant :math:`c` to every feature of a row
    shifts every activation by :math:`cs`, and multiplying the row by
    :math:`\alpha > 0` scales them, so binary codes are unchanged by per-row
    shifts and positive scaling (exactly, whenever the sums are computed
    exactly). A per-feature shift does change the winners.

    **Ties** between equal activations go to the unit with the lower index,
    as in :func:`winner_take_all`. Dense, CSR and pydata-sparse inputs give
    bit-identical codes: every unit adds its inputs in ascending feature
    order in all paths.

    **Cost.** :meth:`transform` is compiled, fuses the projection with the
    selection and streams the rows in batches sized by
    ``sklearn.get_config()["working_memory"]``; with the default CSR output
    it needs no memory beyond a batch and the output. Dense input costs
    :math:`O(m s)` per row, CSR input :math:`O(\mathrm{nnz} \cdot m s / d)`.

    The evaluation of [1]_ also quantises activations (``floor(y / 10)``)
    before the top-k; this estimator does not, since quantisation only
    creates ties.

    References
    ----------
    .. [1] S. Dasgupta, C. F. Stevens and S. Navlakha, "A neural algorithm for
       a fundamental computing problem", Science 358(6364):793-796, 2017.
       :doi:`10.1126/science.aam9868`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_kexue import FlyHashTransformer
    >>> X = np.random.default_rng(0).random((5, 50))
    >>> hasher = FlyHashTransformer(hash_length=4, random_state=0).fit(X)
    >>> codes = hasher.transform(X)
    >>> codes.shape
    (5, 80)
    >>> codes.toarray().sum(axis=1)
    array([4., 4., 4., 4., 4.])
    """

    _parameter_constraints: dict = {
        **BaseWinnerTakeAllHasher._parameter_constraints,
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "fan_in": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "binary": ["boolean"],
        "center": ["boolean"],
        "n_jobs": N_JOBS,
        "random_state": RANDOM_STATE,
    }
    # Rules between the parameters and the data, for joint property-test draws:
    # at most n_features inputs per unit, at least two units, fewer winners.
    _data_constraints: dict = {
        "fan_in": Given(
            lambda n_features: [
                *integers_between(1, n_features),
                Interval(RealNotInt, 0, 1, closed="right"),
            ]
        ),
        "n_components": Given(
            lambda n_features: [
                Interval(Integral, 2, None, closed="left"),
                Interval(RealNotInt, 2.5 / n_features, None, closed="left"),
                StrOptions({"auto"}),
            ]
        ),
        "hash_length": Given(
            lambda n_components, n_features: (
                [Interval(Integral, 1, None, closed="left")]
                if n_components == "auto"
                else hash_lengths_below(
                    n_components
                    if isinstance(n_components, Integral)
                    else round(n_components * n_features)
                )
            )
        ),
    }

    def __init__(
        self,
        n_components="auto",
        *,
        hash_length=32,
        fan_in=0.1,
        binary=True,
        center=False,
        sparse_output=True,
        n_jobs=None,
        random_state=None,
    ):
        self.n_components = n_components
        self.hash_length = hash_length
        self.fan_in = fan_in
        self.binary = binary
        self.center = center
        self.sparse_output = sparse_output
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _resolve_dimensions(self, n_features):
        if isinstance(self.fan_in, Integral):
            if self.fan_in > n_features:
                raise ValueError(
                    f"fan_in={self.fan_in} must not exceed n_features={n_features}."
                )
            fan_in = int(self.fan_in)
        else:
            fan_in = max(1, int(self.fan_in * n_features))

        if isinstance(self.n_components, str):
            if not isinstance(self.hash_length, Integral):
                raise ValueError(
                    "n_components='auto' (20 * hash_length) needs an integer "
                    f"hash_length, got hash_length={self.hash_length}; pass "
                    "n_components explicitly to use an activity ratio."
                )
            n_components = _AUTO_EXPANSION * int(self.hash_length)
        elif isinstance(self.n_components, Integral):
            n_components = int(self.n_components)
        else:
            n_components = round(self.n_components * n_features)
            if n_components < 1:
                raise ValueError(
                    f"n_components={self.n_components} gives no unit for "
                    f"n_features={n_features}; at least 1 is needed."
                )

        hash_length = self._resolve_hash_length(n_components)
        return n_components, hash_length, fan_in

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Draw the random connections for the number of features of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Training data; only its number of features is used.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        X = validate_input_data(self, X, reset=True, accept_sparse="csr")
        n_features = X.shape[1]
        self.n_components_, self.hash_length_, self.fan_in_ = self._resolve_dimensions(
            n_features
        )
        random_state = check_random_state(self.random_state)
        self.connections_ = _sample_connections(
            self.n_components_, n_features, self.fan_in_, random_state
        )
        self._unit_indptr, self._unit_ids = _units_by_feature(
            self.connections_, n_features
        )
        return self

    def _transform_threads(self):
        return effective_n_jobs(self.n_jobs)

    def _binary_codes(self):
        return self.binary

    def _transform_context(self, dtype, compiled):
        # The compiled kernels read the connections; the NumPy twin a matrix.
        return None if compiled else self._projection(dtype)

    def _transform_row_bytes(self, X, compiled):
        dtype = X.dtype
        row_bytes = self.hash_length_ * (dtype.itemsize + 4)
        if not sp.issparse(X):
            row_bytes += X.shape[1] * dtype.itemsize  # contiguous copy of a batch
        if not compiled:
            row_bytes += self.n_components_ * (dtype.itemsize + 8)  # sort keys
        return row_bytes

    def _projection(self, dtype):
        """:attr:`components_` in ``dtype``, the NumPy path's projection."""
        n_units, fan_in = self.connections_.shape
        indptr = np.arange(0, n_units * fan_in + 1, fan_in)
        return sp.csr_array(
            (np.ones(n_units * fan_in, dtype=dtype), self.connections_.ravel(), indptr),
            shape=(n_units, self.n_features_in_),
        )

    def _select_batch(self, X_batch, projection, out_indices, out_values, *, compiled):
        """Hash the rows of ``X_batch`` into ``out_indices``/``out_values``.

        ``projection`` is None for the compiled kernels, else the NumPy path's
        projection matrix.
        """
        dtype = X_batch.dtype
        n_features = X_batch.shape[1]
        X_batch = _canonical_batch(X_batch)
        # Codes are invariant to positive scaling: an exact power-of-two rescale
        # keeps extreme inputs from overflowing the sums (a no-op otherwise).
        scale = power_of_two_scale(max_abs(X_batch), dtype)
        if scale != 1:
            X_batch = X_batch * scale
        if compiled:
            self._select_winners(X_batch, out_indices, out_values)
        else:
            fly_winners_numpy(
                X_batch, projection, self.hash_length_, out_indices, out_values
            )
        if self.center and not self.binary:
            row_means = _row_sums(X_batch, compiled=compiled) / n_features
            out_values -= self.fan_in_ * row_means[:, np.newaxis]
        if scale != 1:
            out_values /= scale

    def _select_winners(self, X_batch, out_indices, out_values):
        if sp.issparse(X_batch):
            fly_winners_csr(
                X_batch.indptr,
                X_batch.indices,
                X_batch.data,
                self._unit_indptr,
                self._unit_ids,
                self.n_components_,
                self.hash_length_,
                out_indices,
                out_values,
            )
        else:
            fly_winners_dense(
                X_batch,
                self.connections_,
                self.hash_length_,
                BLOCK_ROWS,
                out_indices,
                out_values,
            )

    @property
    def components_(self):
        """Binary projection matrix of shape (`n_components_`, `n_features_in_`), CSR.

        Derived from :attr:`connections_`: row ``j`` has ones at
        ``connections_[j]``.
        """
        check_is_fitted(self)
        n_units, fan_in = self.connections_.shape
        indptr = np.arange(0, n_units * fan_in + 1, fan_in)
        data = np.ones(n_units * fan_in)
        return sp.csr_matrix(
            (data, self.connections_.ravel(), indptr),
            shape=(n_units, self.n_features_in_),
        )


def _canonical_batch(X_batch):
    """A batch the kernels can read: C-contiguous, or CSR sorted without duplicates."""
    if not sp.issparse(X_batch):
        return np.ascontiguousarray(X_batch)
    if not X_batch.has_canonical_format:
        # Duplicates and order change floating-point sums; fix them on a copy.
        X_batch = X_batch.copy()
        X_batch.sum_duplicates()
    return X_batch


def _row_sums(X_batch, *, compiled):
    """Row sums added in ascending feature order, identical for dense and CSR."""
    if not compiled:
        return row_sums_numpy(X_batch)
    if sp.issparse(X_batch):
        return row_sums_csr(X_batch.indptr, X_batch.data)
    return row_sums_dense(X_batch)
