"""Hypothesis strategies and invariant checks for property tests of estimators.

Strategies draw valid parameter sets (derived from each class's
``_parameter_constraints``) and input matrices in dense and sparse
containers; the ``assert_*`` functions state invariants that hold for the
hashers of this package and that users can check on their own data and
estimators.
"""

from sklearn_kexue.testing._invariants import (
    assert_even_hamming_distances,
    assert_fixed_weight_codes,
    assert_input_unchanged,
    assert_pickle_roundtrip,
    assert_reproducible,
    assert_row_independent,
    assert_row_shift_scale_invariance,
    assert_same_output_across_formats,
)
from sklearn_kexue.testing._joint import FitCase, estimators_with_data
from sklearn_kexue.testing._properties import (
    check_properties,
    parametrize_with_properties,
    property_checks,
)
from sklearn_kexue.testing._strategies import (
    FORMATS,
    as_format,
    estimator_params,
    estimators,
    matrices,
)

__all__ = [
    "FORMATS",
    "FitCase",
    "as_format",
    "assert_even_hamming_distances",
    "assert_fixed_weight_codes",
    "assert_input_unchanged",
    "assert_pickle_roundtrip",
    "assert_reproducible",
    "assert_row_independent",
    "assert_row_shift_scale_invariance",
    "assert_same_output_across_formats",
    "check_properties",
    "estimator_params",
    "estimators",
    "estimators_with_data",
    "matrices",
    "parametrize_with_properties",
    "property_checks",
]
