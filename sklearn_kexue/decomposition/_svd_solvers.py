"""Truncated SVD solvers behind LinearAutoencoder, all on an implicitly centred matrix.

Every solver returns ``(singular_values, components, n_products)``: the
leading singular values in decreasing order, the matching right singular
vectors as rows, and how many block or vector products with the matrix (or its
transpose) it took. Centring is never done by densifying sparse input: the
mean is subtracted inside each product (a rank-one correction). Passes over
the rows of dense input go in batches sized by scikit-learn's
``working_memory`` (:func:`~sklearn_kexue.utils.gen_row_batches`).
"""

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, svds

from sklearn_kexue.utils._batching import gen_row_batches

__all__ = [
    "CenteredMatrix",
    "block_krylov_svd",
    "covariance_eigh_svd",
    "full_svd",
    "iterative_svd",
    "randomized_svd",
    "svd_flip_components",
]


class CenteredMatrix:
    """``X - 1 mean^T`` as an operator, with products counted.

    Dense and sparse ``X`` are handled alike; ``mean=None`` means no centring.
    ``n_products`` counts the products with the matrix or its transpose made
    so far; a solver reports the difference between its end and its start.
    """

    def __init__(self, X, mean=None):
        self.X = X
        self.mean = mean
        self.shape = X.shape
        self.dtype = X.dtype
        self.n_products = 0
        self._squared_norm = None

    def matmat(self, block):
        """``(X - 1 mean^T) @ block`` for a dense block of shape (n_features, l)."""
        self.n_products += 1
        product = np.asarray(self.X @ block)
        if self.mean is not None:
            product -= self.mean @ block
        return product

    def rmatmat(self, block):
        """``(X - 1 mean^T)^T @ block`` for a dense block of shape (n_samples, l)."""
        self.n_products += 1
        product = np.asarray(self.X.T @ block)
        if self.mean is not None:
            product -= np.outer(self.mean, block.sum(axis=0))
        return product

    def as_linear_operator(self):
        """A SciPy ``LinearOperator`` view for ARPACK and PROPACK."""

        def matvec(vector):
            return self.matmat(vector.reshape(-1, 1)).ravel()

        def rmatvec(vector):
            return self.rmatmat(vector.reshape(-1, 1)).ravel()

        return LinearOperator(
            self.shape,
            matvec=matvec,
            rmatvec=rmatvec,
            matmat=self.matmat,
            rmatmat=self.rmatmat,
            dtype=self.dtype,
        )

    def squared_norm(self):
        """``||X - 1 mean^T||_F^2`` without forming the centred matrix at once."""
        if self._squared_norm is None:
            self._squared_norm = self._compute_squared_norm()
        return self._squared_norm

    def store_squared_norm(self, value):
        """Keep ``||X - 1 mean^T||_F^2`` that a solver found on its way.

        The trace of the Gram matrix is that norm: storing it spares
        :meth:`squared_norm` a pass over X.
        """
        self._squared_norm = max(float(value), 0.0)

    def _compute_squared_norm(self):
        if not sp.issparse(self.X):
            total = 0.0
            # A float64 copy of each batch, and its centred copy.
            for rows in gen_row_batches(self.shape[0], 16 * self.shape[1]):
                batch = np.asarray(self.X[rows], dtype=np.float64)
                if self.mean is not None:
                    batch = batch - self.mean
                total += float(np.einsum("ij,ij->", batch, batch))
            return total
        data = self.X.data
        total = float(np.einsum("i,i->", data, data, dtype=np.float64))
        if self.mean is not None:
            # ||X - 1m^T||^2 = ||X||^2 - 2 m.(X^T 1) + n ||m||^2, with X^T 1 = n m.
            total -= self.shape[0] * float(self.mean @ self.mean)
        return max(total, 0.0)


def svd_flip_components(components, *others):
    """Flip signs so that the largest-magnitude entry of each component is positive.

    This is scikit-learn's convention for ``components_`` (``svd_flip`` with
    ``u_based_decision=False``). Any further arrays whose columns pair with the
    components (left singular vectors, encodings) are flipped with them.
    """
    largest = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(components.shape[0]), largest])
    signs[signs == 0] = 1
    flipped = [components * signs[:, np.newaxis]]
    flipped.extend(other * signs for other in others)
    return flipped if others else flipped[0]


def full_svd(operator, n_components):
    """Dense LAPACK SVD (``gesdd``) of the centred matrix."""
    X = operator.X.toarray() if sp.issparse(operator.X) else operator.X
    if operator.mean is not None:
        X = X - operator.mean  # a centred copy; the caller's X stays untouched
    _, singular_values, components = la.svd(X, full_matrices=False, check_finite=False)
    return singular_values[:n_components], components[:n_components], 1


def _gram_matrix(operator):
    """``(X - 1m^T)^T (X - 1m^T)`` in float64, accumulated over row batches."""
    X = operator.X
    n_features = X.shape[1]
    gram = np.zeros((n_features, n_features))
    if sp.issparse(X):
        X64 = X.astype(np.float64, copy=False)
        gram += (X64.T @ X64).toarray()
    elif X.dtype == np.float64:
        gram = X.T @ X  # one symmetric rank-k update, no copy
    else:
        for rows in gen_row_batches(X.shape[0], 8 * n_features):
            batch = np.asarray(X[rows], dtype=np.float64)
            gram += batch.T @ batch
    if operator.mean is not None:
        gram -= X.shape[0] * np.outer(operator.mean, operator.mean)
    return gram


def covariance_eigh_svd(operator, n_components):
    """Eigendecomposition of the n_features x n_features Gram matrix.

    Fast for tall, narrow data (one pass, one symmetric rank-k update), and
    works on sparse input without densifying it. The Gram matrix squares the
    condition number: an eigenvalue has an absolute error of about
    ``eps * sigma_1^2``. When the smallest kept singular value is below
    ``1e-4 * sigma_1`` (relative error above 1e-8), the singular values are
    recomputed as ``||X v_i||`` in a second pass, which is accurate to second
    order in the error of ``v_i``. The Gram trace gives the total energy for
    free.
    """
    gram = _gram_matrix(operator)
    operator.store_squared_norm(np.trace(gram))
    # NumPy's eigh: right after NumPy's Gram product its BLAS threads are still
    # spinning, and SciPy's (a separate OpenBLAS) would compete with them.
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    eigenvalues = np.clip(eigenvalues[::-1][:n_components], 0, None)
    components = eigenvectors[:, ::-1][:, :n_components].T
    singular_values = np.sqrt(eigenvalues)
    if singular_values[-1] < 1e-4 * singular_values[0]:
        singular_values = np.sqrt(_project_in_batches(operator, components.T))
        # Re-sort: the Rayleigh quotients may swap near-equal neighbours.
        order = np.argsort(-singular_values, kind="stable")
        singular_values, components = singular_values[order], components[order]
    return singular_values, components, 1


def _project_in_batches(operator, vectors):
    """Column sums of squares of ``(X - 1m^T) @ vectors``, batch by batch."""
    X = operator.X
    squares = np.zeros(vectors.shape[1])
    vectors = vectors.astype(np.float64)
    # A dense float64 copy of each batch's rows and its projection.
    row_bytes = 8 * (X.shape[1] + vectors.shape[1])
    for rows in gen_row_batches(X.shape[0], row_bytes):
        batch = X[rows]
        projection = np.asarray(batch @ vectors, dtype=np.float64)
        if operator.mean is not None:
            projection -= operator.mean @ vectors
        squares += np.einsum("ij,ij->j", projection, projection)
    return squares


def _orthonormal_basis(block):
    return la.qr(block, mode="economic", check_finite=False)[0]


def _cholesky_factor(block):
    """Upper Cholesky factor R of ``block^T block``, or None when ill-conditioned.

    Cholesky-QR (``block = (block R^-1) R``) costs one Gram product instead of a
    Householder QR of the tall block, which is the dominant dense cost of
    randomized SVD on tall sparse matrices. It squares the condition number,
    so it is only used when that stays far from the float64 precision.
    """
    gram = block.T @ block
    diagonal = np.diag(gram)
    if diagonal.min() <= 1e-10 * diagonal.max():
        return None
    try:
        factor = la.cholesky(gram, lower=False, check_finite=False)
    except la.LinAlgError:
        return None
    ratio = np.abs(np.diag(factor))
    if ratio.min() <= 1e-6 * ratio.max():
        return None
    return factor


def _oriented(operator):
    """Products oriented so that the random blocks live on the short side.

    Returns ``(transposed, forward, backward, short_side)``: ``forward`` maps
    a short-side block to the long side, ``backward`` maps back.
    """
    n_samples, n_features = operator.shape
    if n_samples < n_features:
        return True, operator.rmatmat, operator.matmat, n_samples
    return False, operator.matmat, operator.rmatmat, n_features


def randomized_svd(operator, n_components, n_oversamples, n_iter, random_state):
    """Randomized truncated SVD (Halko, Martinsson & Tropp 2011, Algorithm 4.4).

    A Gaussian test matrix is pushed through ``n_iter`` rounds of
    ``X^T X`` (subspace iteration), giving a basis Q of the leading right
    singular subspace; then ``Y = X Q`` spans the left one, and the SVD of
    ``B = orth(Y)^T X`` gives the factors. It uses the same 2q + 2 passes over
    X as scikit-learn, but normalises only the short (n_features x l) blocks
    (LU between iterations, QR after the last) and the tall block Y by
    Cholesky-QR, so the dense work on the long side is two small Gram
    products instead of a Householder QR and an LU per iteration. Wide input
    is handled through its transpose so that the long side is always the one
    spared.
    """
    products_before = operator.n_products
    transposed, forward, backward, short_side = _oriented(operator)
    n_columns = min(n_components + n_oversamples, min(operator.shape))
    dtype = operator.dtype
    # Draw in float64 so that float32 and float64 runs start from the same vectors.
    basis = random_state.standard_normal((short_side, n_columns)).astype(dtype)
    for iteration in range(n_iter):
        block = backward(forward(basis))
        if iteration < n_iter - 1:
            # Between products a well-conditioned basis suffices: LU takes about a
            # quarter of the flops of a Householder QR with its Q formed, and the
            # last iteration orthonormalises properly.
            basis = la.lu(block, permute_l=True, check_finite=False)[0]
        else:
            basis = _orthonormal_basis(block)
        basis = basis.astype(dtype, copy=False)
    long_block = forward(basis)  # spans the leading subspace of the long side
    factor = _cholesky_factor(long_block.astype(np.float64))
    if factor is None:
        long_basis = _orthonormal_basis(long_block)
        projected = backward(long_basis).astype(np.float64)
    else:
        # B^T = X^T Y R^-1, computed without forming the tall orthonormal block.
        projected = la.solve_triangular(
            factor, backward(long_block).astype(np.float64).T, trans="T", lower=False
        ).T
    left, singular_values, right_t = la.svd(
        projected, full_matrices=False, check_finite=False
    )
    # B^T = L S M^T: L holds the short side's singular vectors, and the long
    # side's are orth(Y) M = Y R^-1 M.
    if transposed:
        if factor is None:
            components = (long_basis @ right_t.T).T
        else:
            mixing = la.solve_triangular(factor, right_t.T, check_finite=False)
            components = (long_block.astype(np.float64) @ mixing).T
    else:
        components = left.T
    return (
        singular_values[:n_components],
        components[:n_components],
        operator.n_products - products_before,
    )


def block_krylov_svd(operator, n_components, n_oversamples, n_iter, random_state):
    """Randomized block Krylov SVD (Musco & Musco 2015).

    Keeps every block of the power iterations instead of only the last: with
    ``b_0`` a Gaussian block and ``b_{i+1} ~ X^T X b_i`` (LU-normalised), the
    Rayleigh-Ritz projection onto span[b_0, ..., b_q] captures far more
    energy for the same 2q + 2 passes when the spectrum is flat. All dense
    work stays on the short side: ``X^T X K`` is known from the iterations
    (``K = QR`` gives ``X^T X Q = (X^T X K) R^-1``), so the projected matrix
    costs no extra pass unless K is numerically rank deficient. One final pass
    computes ``sigma_i = ||X v_i||``.
    """
    products_before = operator.n_products
    transposed, forward, backward, short_side = _oriented(operator)
    n_columns = min(n_components + n_oversamples, min(operator.shape))
    dtype = operator.dtype
    block = _orthonormal_basis(random_state.standard_normal((short_side, n_columns)))
    blocks, images = [], []
    for iteration in range(n_iter + 1):
        blocks.append(block)
        images.append(backward(forward(block.astype(dtype))).astype(np.float64))
        if iteration == n_iter:
            break
        # Block Gram-Schmidt, twice for orthogonality to working precision.
        basis = np.hstack(blocks)
        residual = images[-1] - basis @ (basis.T @ images[-1])
        residual -= basis @ (basis.T @ residual)
        block, triangle = la.qr(residual, mode="economic", check_finite=False)
        # Directions already in the span come back as rounding noise: drop them.
        scale = np.linalg.norm(images[-1], axis=0).max()
        block = block[:, np.abs(np.diag(triangle)) > 1e-10 * scale]
        if block.shape[1] == 0:
            break
    basis = np.hstack(blocks)  # orthonormal
    projected = basis.T @ np.hstack(images)  # = B^T X^T X B, with no extra pass
    del blocks, images
    _, eigenvectors = np.linalg.eigh((projected + projected.T) / 2)
    n_found = min(n_components, eigenvectors.shape[1])
    short_vectors = basis @ eigenvectors[:, ::-1][:, :n_found]
    del basis
    long_vectors = forward(short_vectors.astype(dtype)).astype(np.float64)
    singular_values = np.linalg.norm(long_vectors, axis=0)
    order = np.argsort(-singular_values, kind="stable")
    singular_values = singular_values[order]
    if transposed:
        scale = np.where(singular_values > 0, singular_values, 1.0)
        components = (long_vectors[:, order] / scale).T
    else:
        components = short_vectors[:, order].T
    return singular_values, components, operator.n_products - products_before


def iterative_svd(operator, n_components, solver, tol, max_iter, random_state):
    """ARPACK (implicitly restarted Lanczos) or PROPACK (Lanczos bidiagonalisation).

    The products counted include those of a fallback to ARPACK and of
    PROPACK's refinement.
    """
    products_before = operator.n_products
    linear_operator = operator.as_linear_operator()
    if solver == "arpack":
        seeding = {"v0": random_state.uniform(-1, 1, min(operator.shape))}
    else:
        # PROPACK's default Krylov basis (kmax = 10 k) fails on flat spectra, and
        # capping it at min(shape) loses accuracy on clustered ones.
        max_iter = max_iter or 20 * n_components + 20
        if max_iter < n_components:
            raise ValueError(
                f"max_iter={max_iter} is PROPACK's Krylov basis size and must be "
                f">= the {n_components} components computed."
            )
        seeding = {"rng": random_state.randint(np.iinfo(np.int32).max)}
    try:
        _, singular_values, components = svds(
            linear_operator,
            k=n_components,
            tol=tol,
            maxiter=max_iter,
            solver=solver,
            **seeding,
        )
    except ArpackNoConvergence as error:
        if solver != "arpack":
            raise
        raise ValueError(
            f"The Lanczos iteration did not find {n_components} singular "
            f"triplets within max_iter={max_iter} restarts; increase "
            "max_iter or tol."
        ) from error
    except np.linalg.LinAlgError as error:
        if solver != "propack":
            raise
        exhausted = max_iter > min(operator.shape)
        if not (exhausted or "invariant subspace" in str(error)):
            raise ValueError(
                f"PROPACK found fewer than {n_components} singular triplets "
                f"with a Krylov basis of max_iter={max_iter} vectors; "
                "increase max_iter, or use solver='arpack'."
            ) from error
        # An invariant Krylov subspace (or a basis spanning the whole short
        # side) that still lacks k triplets: X has rank < k, and its zero
        # singular values stop the Lanczos process. ARPACK handles that,
        # and all min(shape) components are a dense SVD's job anyway.
        if n_components < min(operator.shape):
            singular_values, components, _ = iterative_svd(
                operator, n_components, "arpack", tol, None, random_state
            )
        else:
            singular_values, components, _ = full_svd(operator, n_components)
        return singular_values, components, operator.n_products - products_before
    order = np.argsort(-singular_values, kind="stable")
    singular_values, components = singular_values[order], components[order]
    if solver == "propack":
        singular_values, components = _refine(operator, components)
    return singular_values, components, operator.n_products - products_before


def _refine(operator, components):
    """One subspace-iteration step and a Rayleigh-Ritz projection.

    PROPACK's singular vectors can be accurate to only about 1e-9 even at
    tol=0; one step of ``X^T X`` (three more passes) shrinks the error of the
    subspace by (sigma_{k+1} / sigma_k)^2, and Rayleigh-Ritz makes the vectors
    within it exact.
    """
    basis = components.T.astype(np.float64)
    basis = _orthonormal_basis(operator.rmatmat(operator.matmat(basis)))
    _, singular_values, rotation = la.svd(
        operator.matmat(basis).astype(np.float64),
        full_matrices=False,
        check_finite=False,
    )
    return singular_values, (basis @ rotation.T).T
