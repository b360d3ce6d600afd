"""Compiled loops of SimplerGlove: one Adagrad epoch over word pairs, and the loss."""

import numpy as np

from sklearn_kexue.utils._jit import jit

# Added under the square root of the Adagrad accumulator, as the author's code does.
_ADAGRAD_EPS = 1e-8


@jit
def _dot(vectors, i, j):
    """<v_i, v_j>, added in coordinate order."""
    dot = 0.0
    for c in range(vectors.shape[1]):
        dot += vectors[i, c] * vectors[j, c]
    return dot


@jit
def adagrad_epoch(vectors, accumulators, rows, cols, targets, weights, order, eta):
    """One pass of textbook Adagrad over the pairs, in the given order; in place.

    For pair k = (i, j) with diff = <v_i, v_j> - targets[k], the gradients of
    ½ weights[k] diff² are weights[k] diff v_j for v_i and weights[k] diff v_i
    for v_j (both from the vectors before the step). Each coordinate's
    accumulator adds the squared gradient before its step
    eta g / sqrt(accumulator + eps), so no step exceeds eta in size.

    Returns the number of pairs skipped because diff was not finite (a
    diverged fit).
    """
    n_components = vectors.shape[1]
    gradient_i = np.empty(n_components)
    gradient_j = np.empty(n_components)
    skipped = 0
    for position in range(order.shape[0]):
        k = order[position]
        i = rows[k]
        j = cols[k]
        diff = _dot(vectors, i, j) - targets[k]
        if not np.isfinite(diff):
            skipped += 1
            continue
        scale = weights[k] * diff
        for c in range(n_components):
            gradient_i[c] = scale * vectors[j, c]
            gradient_j[c] = scale * vectors[i, c]
        for c in range(n_components):
            accumulators[i, c] += gradient_i[c] * gradient_i[c]
            vectors[i, c] -= (
                eta * gradient_i[c] / np.sqrt(accumulators[i, c] + _ADAGRAD_EPS)
            )
            accumulators[j, c] += gradient_j[c] * gradient_j[c]
            vectors[j, c] -= (
                eta * gradient_j[c] / np.sqrt(accumulators[j, c] + _ADAGRAD_EPS)
            )
    return skipped


@jit
def weighted_pair_loss(vectors, rows, cols, targets, weights):
    """Σ_k ½ weights[k] (<v_rows[k], v_cols[k]> - targets[k])²."""
    total = 0.0
    for k in range(rows.shape[0]):
        diff = _dot(vectors, rows[k], cols[k]) - targets[k]
        total += 0.5 * weights[k] * diff * diff
    return total
