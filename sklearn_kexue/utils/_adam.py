"""Adam (Kingma & Ba 2015) with a Robbins-Monro decay of the step size.

Shared by the stochastic solvers (MiniBatchLinearAutoencoder and
GammaCrossEntropyClassifier.partial_fit). The state is plain arrays, so
estimators holding an optimiser pickle, and it continues across calls: a
stream of ``partial_fit`` calls takes the same steps as one long run.
"""

import numpy as np

__all__ = ["Adam"]

_BETA1, _BETA2, _EPSILON = 0.9, 0.999, 1e-8


class Adam:
    """First and second moment estimates of a list of weight arrays.

    Parameters
    ----------
    shapes : list of tuple
        Shapes of the weight arrays, in the order ``step`` receives them.
    decay_updates : float
        The step size at update t is ``learning_rate / (1 + t / decay_updates)``
        (Robbins-Monro: the steps sum to infinity, their squares do not).
    """

    def __init__(self, shapes, decay_updates):
        self.decay_updates = decay_updates
        self.n_updates = 0
        self._moments = [(np.zeros(shape), np.zeros(shape)) for shape in shapes]

    def step(self, weights, gradients, learning_rate):
        """Update every array of ``weights`` in place from its gradient."""
        self.n_updates += 1
        learning_rate = learning_rate / (1 + self.n_updates / self.decay_updates)
        correction1 = 1 - _BETA1**self.n_updates
        correction2 = 1 - _BETA2**self.n_updates
        for weight, gradient, (first, second) in zip(
            weights, gradients, self._moments, strict=True
        ):
            first *= _BETA1
            first += (1 - _BETA1) * gradient
            second *= _BETA2
            second += (1 - _BETA2) * gradient**2
            weight -= (
                learning_rate
                * (first / correction1)
                / (np.sqrt(second / correction2) + _EPSILON)
            )
