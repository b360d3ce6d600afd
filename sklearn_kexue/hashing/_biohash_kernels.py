"""Compiled kernels of the BioHash learning rule, and their NumPy twins.

:func:`rank_units` finds each sample's top unit, its ``rank``-th unit and
its code; :func:`hebbian_step_dense` applies one Krotov-Hopfield minibatch
update to the units that a dense batch touches. Each has a NumPy twin that
gives the same result bit for bit (the twins also serve sparse batches).
"""

import numpy as np
import scipy.sparse as sp

from sklearn_kexue.hashing._winner_take_all_kernels import row_workspace, select_row
from sklearn_kexue.utils._jit import jit

# Krotov's reference implementation floors the update's largest entry at this.
PRECISION = 1e-30


@jit
def rank_units(currents, rank, hash_length, winners, ranked, code_counts):
    """Per row of ``currents``: its top unit, its ``rank``-th unit and its code.

    Writes each row's largest unit to ``winners`` and its ``rank``-th largest
    to ``ranked``, and adds one to ``code_counts`` for each of its top
    ``hash_length`` units. Ties go to the lower unit index, as in the
    winner-take-all codes.
    """
    n_units = currents.shape[1]
    workspace = row_workspace(n_units, hash_length, currents.dtype)
    code_units = np.empty(hash_length, dtype=np.int32)
    code_values = np.empty(hash_length, dtype=currents.dtype)
    top_values = np.empty(rank, dtype=currents.dtype)
    top_units = np.empty(rank, dtype=np.int64)
    for row in range(currents.shape[0]):
        values = currents[row]
        select_row(values, hash_length, workspace, code_units, code_values)
        for unit in code_units:
            code_counts[unit] += 1
        # Insert into the sorted top ``rank``; strict ">" keeps earlier units on ties.
        n_top = 0
        for unit in range(n_units):
            value = values[unit]
            if n_top == rank and not value > top_values[rank - 1]:
                continue
            position = min(n_top, rank - 1)
            while position > 0 and value > top_values[position - 1]:
                top_values[position] = top_values[position - 1]
                top_units[position] = top_units[position - 1]
                position -= 1
            top_values[position] = value
            top_units[position] = unit
            n_top = min(n_top + 1, rank)
        winners[row] = top_units[0]
        ranked[row] = top_units[rank - 1]


def rank_units_numpy(currents, rank, hash_length, winners, ranked, code_counts):
    """NumPy twin of :func:`rank_units`: the same units, the same tie rule."""
    # A stable sort of the negated currents puts equal ones in index order.
    order = np.argsort(-currents, axis=1, kind="stable")
    winners[:] = order[:, 0]
    ranked[:] = order[:, rank - 1]
    code_counts += np.bincount(
        order[:, :hash_length].ravel(), minlength=code_counts.shape[0]
    )


def hebbian_step_numpy(weights, X_batch, currents, winner, anti, delta, learning_rate):
    """One minibatch update (``_biohash._update``) through sparse products.

    Returns the changed units.

    It serves sparse batches, and dense ones below the compile threshold: the
    products add each unit's terms in sample order, as :func:`hebbian_step_dense`
    does, so both give the same weights bit for bit.
    """
    n_samples = X_batch.shape[0]
    dtype = weights.dtype
    rows = np.arange(n_samples)
    if delta > 0:
        units = np.concatenate([winner, anti])
        samples = np.concatenate([rows, rows])
        strengths = np.repeat(np.array([1.0, -delta]), n_samples)
    else:  # the rank-th units would get zero rows
        units, samples = winner, rows
        strengths = np.ones(n_samples)
    touched, position = np.unique(units, return_inverse=True)
    shape = (len(touched), n_samples)
    # g has one +1 (winner) and one -delta (rank-th unit) per sample.
    g = sp.csr_array((strengths.astype(dtype), (position, samples)), shape=shape)
    g.sort_indices()
    hebbian = g @ X_batch
    hebbian = hebbian.toarray() if sp.issparse(hebbian) else hebbian
    drive_terms = sp.csr_array(
        (strengths * currents[samples, units], (position, samples)), shape=shape
    )
    drive_terms.sort_indices()
    drive = (drive_terms @ np.ones(n_samples)).astype(dtype)
    change = hebbian - drive[:, np.newaxis] * weights[touched]
    largest = max(float(np.max(np.abs(change))), PRECISION)
    weights[touched] += dtype.type(learning_rate / largest) * change
    return touched


@jit
def hebbian_step_dense(weights, X_batch, currents, winner, anti, delta, learning_rate):
    """One minibatch update (``_biohash._update``) of a dense batch.

    Returns the changed units.

    Compiled, so the changed rows are accumulated sample by sample without
    building the sparse g.
    """
    n_units, n_features = weights.shape
    n_samples = X_batch.shape[0]
    slot_of = np.full(n_units, -1, dtype=np.int64)
    touched = np.empty(2 * n_samples, dtype=np.int64)
    n_touched = 0
    for sample in range(n_samples):
        for unit in (winner[sample], anti[sample]):
            if slot_of[unit] < 0:
                slot_of[unit] = n_touched
                touched[n_touched] = unit
                n_touched += 1
            if delta == 0:  # the rank-th unit gets no update
                break
    change = np.zeros((n_touched, n_features), dtype=weights.dtype)
    drive = np.zeros(n_touched, dtype=np.float64)
    for sample in range(n_samples):
        slot = slot_of[winner[sample]]
        drive[slot] += currents[sample, winner[sample]]
        for feature in range(n_features):
            change[slot, feature] += X_batch[sample, feature]
        if delta > 0:
            slot = slot_of[anti[sample]]
            drive[slot] -= delta * currents[sample, anti[sample]]
            strength = weights.dtype.type(-delta)
            for feature in range(n_features):
                change[slot, feature] += strength * X_batch[sample, feature]
    largest = 0.0
    for slot in range(n_touched):
        unit = touched[slot]
        unit_drive = weights.dtype.type(drive[slot])
        for feature in range(n_features):
            value = change[slot, feature] - unit_drive * weights[unit, feature]
            change[slot, feature] = value
            largest = max(largest, abs(value))
    step = weights.dtype.type(learning_rate / max(largest, PRECISION))
    for slot in range(n_touched):
        unit = touched[slot]
        for feature in range(n_features):
            weights[unit, feature] += step * change[slot, feature]
    return touched[:n_touched]
