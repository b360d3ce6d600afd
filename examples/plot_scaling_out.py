"""
=================================================
Hashing a dask array on one and on two workers
=================================================

:func:`~sklearn_kexue.dask.transform_blocks` applies a fitted
:class:`~sklearn_kexue.FlyHashTransformer` to every row block of a dask
array. The rows here are generated block by block on the workers, so the
whole array never exists in one place; each block is hashed where it was
made and only a small summary (the number of ones of each block's codes)
travels back. We time the same computation on a ``LocalCluster`` of one
worker process and of two, and plot the throughput. See :ref:`scaling_out`.
"""

# %%
# The data and the model
# ----------------------
# Two million SIFT-like rows (128 float32 features) in 16 blocks; the hasher
# expands them to 1280 units and keeps 16 winners per row. Fitting needs no
# data beyond a sample: it draws the random projection.
import time

import dask
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster

from sklearn_kexue import FlyHashTransformer
from sklearn_kexue.dask import transform_blocks

N_ROWS, N_FEATURES, N_BLOCKS = 2_000_000, 128, 16
X = (
    da.random.default_rng(0)
    .random((N_ROWS, N_FEATURES), chunks=(N_ROWS // N_BLOCKS, N_FEATURES))
    .astype(np.float32)
)
hasher = FlyHashTransformer(n_components=1280, hash_length=16, random_state=0)
hasher.fit(X[:10_000].compute())
codes = transform_blocks(hasher, X)
print(codes)


def ones_per_block(block):
    """The number of ones of a block of codes (a sparse.COO array)."""
    return np.array([block.nnz])


ones = codes.map_blocks(
    ones_per_block,
    drop_axis=1,
    chunks=((1,) * N_BLOCKS,),
    meta=np.empty(0, dtype=np.int64),
)

# %%
# One and two workers
# -------------------
# Each worker is a process with one thread. The first computation on a
# cluster loads the compiled kernels in the workers; the second is timed.
# Workers are forked: spawned ones would re-run this script, which has no
# ``if __name__ == "__main__":`` guard.
dask.config.set({"distributed.worker.multiprocessing-method": "fork"})
throughput = {}
for n_workers in (1, 2):
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            memory_limit="2GiB",
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        ones.compute()
        start = time.perf_counter()
        total = int(ones.sum().compute())
        seconds = time.perf_counter() - start
    assert total == N_ROWS * hasher.hash_length_  # exactly k ones a row
    throughput[n_workers] = N_ROWS / seconds
    print(f"{n_workers} worker(s): {seconds:.2f} s, {N_ROWS / seconds:,.0f} rows/s")

speedup = throughput[2] / throughput[1]
print(f"two workers are {speedup:.2f}x as fast as one")

# %%
# Throughput against the number of workers
# ----------------------------------------
# The dashed line is perfect scaling from one worker. On a machine with two
# cores the second worker shares them with the scheduler and this script.
workers = np.array(sorted(throughput))
rates = np.array([throughput[n] for n in workers])
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(workers, rates / 1e6, "o-", label="measured")
ax.plot(workers, workers * rates[0] / 1e6, "k--", label="linear from 1 worker")
ax.set_xticks(workers)
ax.set_xlabel("worker processes")
ax.set_ylabel("million rows hashed per second")
ax.set_ylim(0, None)
ax.set_title(f"FlyHash on a LocalCluster ({speedup:.2f}x with 2 workers)")
ax.legend()
fig.tight_layout()
plt.show()
