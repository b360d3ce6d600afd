"""Sparse output containers that follow scikit-learn's ``sparse_interface``."""

import scipy.sparse as sp
import sklearn

__all__ = ["csr_output"]


def csr_output(arg, shape):
    """Build a CSR result as ``csr_matrix`` or ``csr_array``.

    scikit-learn >= 1.9 lets users choose with
    ``sklearn.set_config(sparse_interface=...)``; older versions return
    ``csr_matrix``, which is what this helper does when the option is absent.
    """
    interface = sklearn.get_config().get("sparse_interface", "spmatrix")
    container = sp.csr_array if interface == "sparray" else sp.csr_matrix
    return container(arg, shape=shape, copy=False)
