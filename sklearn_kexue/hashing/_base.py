"""Base class for winner-take-all hashers: the top-k of n units is the code."""

import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted

from sklearn_kexue.hashing._winner_take_all import collect_winners
from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._data_constraints import integers_between
from sklearn_kexue.utils._jit import use_compiled
from sklearn_kexue.utils._param_validation import Interval, RealNotInt
from sklearn_kexue.utils._repr import DocLinkMixin
from sklearn_kexue.utils._validation import validate_input_data

__all__ = ["BaseWinnerTakeAllHasher"]


def hash_lengths_below(n_units):
    """Constraints on ``hash_length`` that leave fewer winners than ``n_units``.

    A fraction f gives ``max(1, round(f * n_units))`` winners; below
    ``(n_units - 0.6) / n_units`` that is at most ``n_units - 1`` (the margin
    keeps ``round``'s half-to-even clear of the bound).
    """
    if n_units < 2:
        return []
    return [
        *integers_between(1, n_units - 1),
        Interval(RealNotInt, 0, (n_units - 0.6) / n_units, closed="neither"),
    ]


class BaseWinnerTakeAllHasher(
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    DocLinkMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Base class for hashers whose code is the top ``hash_length_`` of m units.

    A subclass makes ``n_components_`` units in :meth:`fit` (random
    connections, learned weights, ...) and scores a batch of rows against
    them in :meth:`_select_batch`, which writes each row's ``hash_length_``
    winners (the units with the largest activations, ties to the lower unit
    index, as in :func:`~sklearn_kexue.hashing.winner_take_all`). This base
    owns the rest: the ``hash_length`` and ``sparse_output`` parameters and
    the resolution of ``hash_length`` (:meth:`_resolve_hash_length`), the
    batching and threads of :meth:`transform`, the assembly of CSR or dense
    codes with exactly ``hash_length_`` non-zeros per row, the output feature
    names and the tags.

    Fitted subclasses set ``n_components_`` (the number of units m, the
    codes' width) and ``hash_length_`` (k, with ``1 <= k <= m``).

    Warning: This class should not be used directly. Use derived classes
    instead.
    """

    _parameter_constraints: dict = {
        "hash_length": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
        ],
        "sparse_output": ["boolean"],
    }

    @abstractmethod
    def fit(self, X, y=None):
        """Make the units; set ``n_components_`` and ``hash_length_``."""

    @abstractmethod
    def _select_batch(self, X_batch, context, out_indices, out_values, *, compiled):
        """Write the winners of each row of ``X_batch``, sorted by unit index.

        ``context`` is what :meth:`_transform_context` returned for this
        call; ``compiled`` says whether to run compiled kernels or their NumPy
        twins (both must give the same winners and values). ``out_values``
        receives what non-binary codes keep for each winner.
        """

    @abstractmethod
    def _transform_row_bytes(self, X, compiled):
        """Temporary bytes one row of ``X`` needs in :meth:`_select_batch`."""

    def _transform_context(self, dtype, compiled):
        """What every batch of one :meth:`transform` call shares (e.g. weights)."""
        return None

    def _transform_threads(self):
        """Threads :meth:`transform` hashes batches with (subclasses with n_jobs)."""
        return 1

    def _binary_codes(self):
        """Whether winners are coded 1 (else they keep their value from the batch)."""
        return True

    def _resolve_hash_length(self, n_components):
        """The number of winners k: an int as given, a float as a fraction of units.

        A k that is not smaller than the number of units m makes every unit a
        winner: every code is all ones and carries no information. Like
        scikit-learn's ``SelectKBest`` with ``k > n_features``, which keeps
        every feature and warns, the hashers then keep all m units (``k = m``)
        and warn, rather than refuse the setting: a grid search over
        ``n_components`` can then cross ``hash_length`` without stopping.
        """
        hash_length = self.hash_length
        if isinstance(hash_length, Real) and not isinstance(hash_length, Integral):
            resolved = max(1, round(hash_length * n_components))
        else:
            resolved = int(hash_length)
        if resolved >= n_components:
            warnings.warn(
                f"hash_length={hash_length} is not smaller than "
                f"n_components={n_components}: every unit wins, so every code is "
                f"all ones and carries no information. Using hash_length_="
                f"{n_components}; choose a hash_length below n_components.",
                UserWarning,
                stacklevel=3,
            )
            resolved = n_components
        return resolved

    def transform(self, X):
        """Hash ``X`` into codes with exactly ``hash_length_`` winners per row.

        Parameters
        ----------
        X : {array-like, sparse matrix, pydata sparse array} of shape \
                (n_samples, n_features)
            Data to hash.

        Returns
        -------
        codes : {sparse matrix, ndarray} of shape (n_samples, `n_components_`)
            Exactly ``hash_length_`` non-zeros per row, in the input's float
            dtype: ones, or the winners' activations where ``binary=False``.
            Ties go to the lower unit index, as in
            :func:`~sklearn_kexue.hashing.winner_take_all`. CSR if
            ``sparse_output=True``, else a dense array.
        """
        check_is_fitted(self)
        X = validate_input_data(self, X, reset=False, accept_sparse="csr")
        n_samples, dtype = X.shape[0], X.dtype
        n_threads = self._transform_threads()
        compiled = use_compiled(n_samples * self.n_components_)
        context = self._transform_context(dtype, compiled)
        # Threads hash batches concurrently, so they share the memory budget.
        batches = gen_row_batches(
            n_samples,
            self._transform_row_bytes(X, compiled) * n_threads,
            max_batch_size=-(-n_samples // (4 * n_threads)) if n_threads > 1 else None,
        )

        def select_batch(batch, out_indices, out_values):
            self._select_batch(
                X[batch], context, out_indices, out_values, compiled=compiled
            )

        return collect_winners(
            select_batch,
            batches,
            (n_samples, self.n_components_),
            self.hash_length_,
            dtype,
            binary=self._binary_codes(),
            sparse_output=self.sparse_output,
            n_threads=n_threads,
        )

    @property
    def _n_features_out(self):
        """Number of transformed output features (one per unit)."""
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
