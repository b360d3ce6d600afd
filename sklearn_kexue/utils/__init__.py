"""Utilities shared by the estimators: input validation, batching, discovery,
embedding dimensions."""

from sklearn_kexue.utils._batching import gen_row_batches
from sklearn_kexue.utils._dimensions import minimum_entropy_dimension
from sklearn_kexue.utils._validation import (
    check_pydata_sparse,
    check_sparse_structure,
    validate_input_data,
)
from sklearn_kexue.utils.discovery import all_estimators

__all__ = [
    "all_estimators",
    "check_pydata_sparse",
    "check_sparse_structure",
    "gen_row_batches",
    "minimum_entropy_dimension",
    "validate_input_data",
]
