r"""Minibatch Adam training of a linear autoencoder with weight decay.

The loss per minibatch :math:`B` (rows already centred and divided by a fixed
scale) is

.. math::

    \frac{1}{2 |B|} \sum_{x \in B} \|x C D - x\|^2
    + \frac{\alpha}{2} \left(\|C\|_F^2 + \|D\|_F^2\right).

Separate L2 penalties on encoder :math:`C` and decoder :math:`D` shrink the
symmetry group of the plain loss from :math:`GL(k)` to :math:`O(k)`; at the
optimum :math:`C = D^\top` and
:math:`D = O^\top (I - \alpha E^{-1})^{1/2} V_k^\top`, with :math:`E` the
leading eigenvalues of the per-sample second moment (Kunin et al., ICML 2019).
So the right singular vectors of :math:`D` are the principal directions, and
its singular values :math:`s_i` give :math:`e_i = \alpha / (1 - s_i^2)`.
"""

import numpy as np
import scipy.sparse as sp

from sklearn_kexue.utils._adam import Adam

__all__ = [
    "AdamLinearAutoencoder",
    "asymmetry",
    "dense_scaled_batch",
    "principal_factors",
]

# Robbins-Monro decay of the Adam step: learning_rate / (1 + t / DECAY_UPDATES).
DECAY_UPDATES = 1000


class AdamLinearAutoencoder:
    """Weights and Adam state of a k-unit linear autoencoder, updated in place."""

    def __init__(self, n_features, n_components, random_state):
        # A random orthonormal start: generic, so gradient flow escapes all saddles.
        start = np.linalg.qr(random_state.standard_normal((n_features, n_components)))[
            0
        ]
        self.encoder = start
        self.decoder = start.T.copy()
        self._optimizer = Adam([start.shape, start.T.shape], DECAY_UPDATES)

    @property
    def n_updates(self):
        return self._optimizer.n_updates

    def step(self, batch, alpha, learning_rate):
        """One Adam step on a dense, centred and scaled batch; returns its loss.

        The step size at update t is ``learning_rate / (1 + t / DECAY_UPDATES)``,
        whether the updates come from one ``fit`` or many ``partial_fit`` calls.
        """
        n_rows = batch.shape[0]
        codes = batch @ self.encoder
        residual = codes @ self.decoder - batch
        decoder_gradient = codes.T @ residual / n_rows + alpha * self.decoder
        encoder_gradient = (
            batch.T @ (residual @ self.decoder.T) / n_rows + alpha * self.encoder
        )
        loss = 0.5 * (
            np.einsum("ij,ij->", residual, residual) / n_rows
            + alpha * (np.sum(self.encoder**2) + np.sum(self.decoder**2))
        )
        self._optimizer.step(
            [self.encoder, self.decoder],
            [encoder_gradient, decoder_gradient],
            learning_rate,
        )
        return loss


def dense_scaled_batch(X_batch, mean, scale):
    """A float64 dense copy of a (possibly sparse) batch, centred and scaled."""
    batch = X_batch.toarray() if sp.issparse(X_batch) else np.array(X_batch)
    batch = batch.astype(np.float64, copy=False)
    if mean is not None:
        batch -= mean
    batch /= scale
    return batch


def principal_factors(decoder, alpha):
    r"""Principal directions and per-sample second moments read off the decoder.

    Returns the right singular vectors of ``decoder`` (rows, by decreasing
    singular value), the per-sample second moments
    :math:`e_i = \alpha / (1 - s_i^2)` of the scaled data along them, and the
    decoder's singular values :math:`s_i`.
    """
    _, shrinkage, directions = np.linalg.svd(decoder, full_matrices=False)
    # The scaled data have at most unit energy per sample, so e_i <= 1 (s_i^2 <=
    # 1 - alpha); larger s_i are transients of an unconverged network.
    gap = np.clip(1.0 - shrinkage**2, alpha, None)
    return directions, alpha / gap, shrinkage


def asymmetry(encoder, decoder):
    r""":math:`\|C - D^\top\|_F / \|D\|_F`: zero at every critical point of the loss."""
    norm = max(np.linalg.norm(decoder), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(encoder - decoder.T) / norm)
