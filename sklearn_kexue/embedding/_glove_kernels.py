"""Compiled loops of SimplerGlove: Adagrad over word pairs, and the loss."""

import numpy as np

from sklearn_kexue.utils._jit import jit

# Added under the square root of the Adagrad accumulator, as the author's code does.
_ADAGRAD_EPS = 1e-8
# SplitMix64's constants (Steele, Lea & Flood 2014): a tiny, seedable generator
# whose stream each thread owns, so that a chunk's negatives depend only on the
# seed and the chunk, not on the thread that runs it.
_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
# 53 random bits -> a float in [0, 1).
_TO_UNIT = 1.0 / 9007199254740992.0


@jit
def _dot(vectors, i, j):
    """<v_i, v_j>, added in coordinate order."""
    dot = 0.0
    for c in range(vectors.shape[1]):
        dot += vectors[i, c] * vectors[j, c]
    return dot


@jit
def _pair_step(vectors, accumulators, i, j, scale, gradient_i, gradient_j, eta):
    """Adagrad step on v_i and v_j for the loss whose gradient is scale * v_j (v_i).

    Both gradients come from the vectors before the step. Each coordinate's
    accumulator adds the squared gradient before its step
    eta g / sqrt(accumulator + eps), so no step exceeds eta in size.
    """
    n_components = vectors.shape[1]
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


@jit
def _next_state(state):
    return state + _GOLDEN_GAMMA


@jit
def _uniform(state):
    """SplitMix64's output for ``state``, as a float in [0, 1)."""
    z = state
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) * _TO_UNIT


@jit
def _draw(cumulative, u):
    """The first index whose cumulative probability exceeds u (binary search)."""
    low = 0
    high = cumulative.shape[0] - 1
    while low < high:
        middle = (low + high) >> 1
        if cumulative[middle] > u:
            high = middle
        else:
            low = middle + 1
    return low


@jit(nogil=True)
def adagrad_epoch(
    vectors,
    accumulators,
    rows,
    cols,
    targets,
    weights,
    order,
    eta,
    negative_cumulative,
    n_negative,
    negative_weight,
    seed,
):
    """One pass of textbook Adagrad over the pairs, in the given order; in place.

    For pair k = (i, j) with diff = <v_i, v_j> - targets[k], the gradients of
    ½ weights[k] diff² are weights[k] diff v_j for v_i and weights[k] diff v_i
    for v_j. Then, for each of i and j, ``n_negative`` words n are drawn from
    ``negative_cumulative`` (a cumulative distribution over the words) and
    ½ negative_weight <v_i, v_n>² is stepped on, pushing the pair towards
    orthogonality; a draw of the word itself is skipped. The draws come from a
    SplitMix64 stream started at ``seed``, so a call is reproducible and
    threads running calls on disjoint chunks of ``order`` draw independently.

    It releases the GIL: threads may run it on disjoint chunks of the same
    pairs at once, updating the shared vectors without locks (Hogwild).

    Returns the number of pairs skipped because diff was not finite (a
    diverged fit).
    """
    n_components = vectors.shape[1]
    gradient_i = np.empty(n_components)
    gradient_j = np.empty(n_components)
    state = np.uint64(seed)
    skipped = 0
    for position in range(order.shape[0]):
        k = order[position]
        i = rows[k]
        j = cols[k]
        diff = _dot(vectors, i, j) - targets[k]
        if not np.isfinite(diff):
            skipped += 1
            continue
        _pair_step(
            vectors, accumulators, i, j, weights[k] * diff, gradient_i, gradient_j, eta
        )
        for side in range(2):
            word = i if side == 0 else j
            for _ in range(n_negative):
                state = _next_state(state)
                other = _draw(negative_cumulative, _uniform(state))
                if other == word:
                    continue
                scale = negative_weight * _dot(vectors, word, other)
                _pair_step(
                    vectors,
                    accumulators,
                    word,
                    other,
                    scale,
                    gradient_i,
                    gradient_j,
                    eta,
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
