"""Shared machinery of the bad-input fuzz suite: input cases and outcome checks.

Every public entry point must answer an input with a correct result or a clear
error. "Clear" means a ``ValueError`` or ``TypeError`` whose message names the
parameter or the problem, not a message leaked from deep inside NumPy, SciPy
or numba. "Correct" means, at the least, that nothing non-finite comes out of
finite input, and that the caller's arrays are unchanged.

Input cases transform a valid base matrix (drawn by hypothesis) into an
unusual or bad one. Each case states what must happen:

- ``VALID``: the input is legitimate, so the call must succeed;
- ``ERROR``: the input is invalid, so the call must raise a clear error;
- ``EITHER``: a finite but extreme input; success with finite results, or a
  clear error, are both acceptable (silence or a crash are not).
"""

import copy
import math
import os
import tempfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sparse
from sklearn.exceptions import NotFittedError

VALID, ERROR, EITHER = "valid", "error", "either"

# Messages that leak an implementation detail instead of naming the problem.
OBSCURE_MESSAGES = (
    "not supported between instances",
    "object has no attribute",
    "index out of bounds",
    "is out of bounds",
    "ARPACK error",
    "unsupported operand",
    "'NoneType'",
    "must not contain infs or NaNs",
    "zero-size array to reduction",
    "setting an array element with a sequence",
    "cannot reshape array",
    "operands could not be broadcast",
    "LinAlgError",
    "numba",
    "No implementation of function",
    "Cannot determine Numba type",
    "invalid value encountered",
    "division by zero",
    "values to unpack",
    "is not iterable",
    "unhashable type",
    "cannot be interpreted as an integer",
    "truth value of an array",
)


@dataclass(frozen=True)
class InputCase:
    """A named transformation of valid data, and what the call must do."""

    name: str
    make: object
    expect: str


def _memmap(X):
    handle, path = tempfile.mkstemp(suffix=".dat")
    os.close(handle)
    mapped = np.memmap(path, dtype=X.dtype, mode="w+", shape=X.shape)
    mapped[:] = X
    mapped.flush()
    readonly = np.memmap(path, dtype=X.dtype, mode="r", shape=X.shape)
    os.unlink(path)  # the mapping keeps the data alive on POSIX
    return readonly


def _read_only(X):
    X = X.copy()
    X.flags.writeable = False
    return X


def _strided(X):
    wide = np.zeros((X.shape[0] * 2, X.shape[1] * 3), dtype=X.dtype)
    wide[::2, ::3] = X
    return wide[::2, ::3]


def _unsorted_csr(X):
    csr = sp.csr_matrix(X)
    for row in range(csr.shape[0]):
        start, stop = csr.indptr[row], csr.indptr[row + 1]
        csr.indices[start:stop] = csr.indices[start:stop][::-1].copy()
        csr.data[start:stop] = csr.data[start:stop][::-1].copy()
    csr.has_sorted_indices = False
    return csr


def _duplicate_csr(X):
    # Every stored value split into two halves at the same position.
    coo = sp.coo_matrix(X)
    halves = np.concatenate([coo.data / 2, coo.data - coo.data / 2])
    rows, cols = np.tile(coo.row, 2), np.tile(coo.col, 2)
    return sp.csr_matrix((halves, (rows, cols)), shape=X.shape)


def _explicit_zeros(X):
    # Stored zeros: rebuilt per row so that indptr stays consistent.
    coo = sp.coo_matrix(X)
    zero_rows, zero_cols = np.nonzero(X == 0)
    rows = np.concatenate([coo.row, zero_rows[:3]])
    cols = np.concatenate([coo.col, zero_cols[:3]])
    data = np.concatenate([coo.data, np.zeros(min(3, len(zero_rows)), X.dtype)])
    order = np.lexsort((cols, rows))
    indptr = np.zeros(X.shape[0] + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=X.shape[0]), out=indptr[1:])
    return sp.csr_matrix(
        (data[order], cols[order].astype(np.int32), indptr), shape=X.shape
    )


def _malformed_column(X, index):
    csr = sp.csr_matrix(X)
    if csr.nnz == 0:
        csr = sp.csr_matrix(np.ones_like(X))
    csr.indices[0] = index(X.shape[1])
    return csr


def _malformed_indptr(X):
    csr = sp.csr_matrix(np.ones_like(X))
    csr.indptr[-1] = csr.nnz + 5
    return csr


def _with_entry(X, value):
    X = X.astype(np.float64, copy=True)
    X.flat[X.size // 2] = value
    return X


def _scaled(X, factor):
    X = X.astype(np.float64, copy=True)
    largest = np.max(np.abs(X)) if X.size else 0.0
    if largest == 0:
        X[:] = 1.0
        largest = 1.0
    return X * (factor / largest)


def _mixed_magnitudes(X):
    X = _scaled(X, 1e300)
    X[:, 0] = X[:, 0] * 1e-600 if X.shape[1] > 1 else X[:, 0]
    return X


INPUT_CASES = [
    # Legitimate containers, dtypes and memory layouts.
    InputCase("float64", lambda X: X.astype(np.float64), VALID),
    InputCase("float32", lambda X: X.astype(np.float32), VALID),
    InputCase("int64", lambda X: np.round(X).astype(np.int64), VALID),
    InputCase("list_of_lists", lambda X: X.tolist(), VALID),
    InputCase("read_only", _read_only, VALID),
    InputCase("memmap", _memmap, VALID),
    InputCase("fortran_order", np.asfortranarray, VALID),
    InputCase("strided_view", _strided, VALID),
    InputCase("pandas", lambda X: pd.DataFrame(X), VALID),
    InputCase(
        "pandas_str_columns",
        lambda X: pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]),
        VALID,
    ),
    InputCase("csr_matrix", sp.csr_matrix, VALID),
    InputCase("csr_array", sp.csr_array, VALID),
    InputCase("csc_matrix", sp.csc_matrix, VALID),
    InputCase("csc_array", sp.csc_array, VALID),
    InputCase("coo_matrix", sp.coo_matrix, VALID),
    InputCase("coo_array", sp.coo_array, VALID),
    InputCase("bsr_matrix", sp.bsr_matrix, VALID),
    InputCase("lil_matrix", sp.lil_matrix, VALID),
    InputCase("dok_matrix", sp.dok_matrix, VALID),
    InputCase("dia_matrix", sp.dia_matrix, VALID),
    InputCase("csr_float32", lambda X: sp.csr_matrix(X.astype(np.float32)), VALID),
    InputCase(
        "csr_int64_indices",
        lambda X: _with_int64_indices(sp.csr_matrix(X)),
        VALID,
    ),
    InputCase("csr_unsorted_indices", _unsorted_csr, VALID),
    InputCase("csr_duplicates", _duplicate_csr, VALID),
    InputCase("csr_explicit_zeros", _explicit_zeros, VALID),
    InputCase("pydata_coo", lambda X: sparse.COO.from_numpy(X), VALID),
    InputCase(
        "pydata_gcxs",
        lambda X: sparse.GCXS(sparse.COO.from_numpy(X), compressed_axes=(0,)),
        VALID,
    ),
    # Invalid values and shapes.
    InputCase("nan", lambda X: _with_entry(X, np.nan), ERROR),
    InputCase("inf", lambda X: _with_entry(X, np.inf), ERROR),
    InputCase("minus_inf", lambda X: _with_entry(X, -np.inf), ERROR),
    InputCase("csr_nan", lambda X: sp.csr_matrix(_with_entry(X, np.nan)), ERROR),
    InputCase("complex", lambda X: X.astype(np.complex128) + 1j, ERROR),
    # scikit-learn converts numeric strings in object arrays, as NumPy does.
    InputCase("numeric_strings", lambda X: X.astype(str).astype(object), EITHER),
    InputCase("words", lambda X: np.full(X.shape, "word", dtype=object), ERROR),
    InputCase("one_dimensional", lambda X: X[0], ERROR),
    InputCase("three_dimensional", lambda X: X[np.newaxis], ERROR),
    InputCase("no_rows", lambda X: X[:0], ERROR),
    InputCase("no_columns", lambda X: X[:, :0], ERROR),
    InputCase("none", lambda X: None, ERROR),
    InputCase("scalar", lambda X: 3.0, ERROR),
    InputCase("csr_column_too_large", lambda X: _malformed_column(X, int), ERROR),
    InputCase(
        "csr_column_negative", lambda X: _malformed_column(X, lambda n: -1), ERROR
    ),
    InputCase("csr_bad_indptr", _malformed_indptr, ERROR),
    # Finite but extreme: a correct (finite) answer or a clear error.
    InputCase("huge", lambda X: _scaled(X, 1e300), EITHER),
    InputCase("huge_negative", lambda X: -np.abs(_scaled(X, 1e300)), EITHER),
    InputCase("tiny", lambda X: _scaled(X, 1e-300), EITHER),
    InputCase("subnormal", lambda X: _scaled(X, 1e-310), EITHER),
    InputCase("mixed_magnitudes", _mixed_magnitudes, EITHER),
    InputCase("float32_huge", lambda X: _scaled(X, 1e38).astype(np.float32), EITHER),
    InputCase("csr_huge", lambda X: sp.csr_matrix(_scaled(X, 1e300)), EITHER),
    InputCase("all_zeros", np.zeros_like, EITHER),
    InputCase("constant", lambda X: np.full_like(X, 3.0), EITHER),
    InputCase("one_row", lambda X: X[:1], EITHER),
    InputCase("one_column", lambda X: X[:, :1], EITHER),
    InputCase("duplicate_rows", lambda X: np.repeat(X[:1], X.shape[0], axis=0), EITHER),
    InputCase("negative_zeros", lambda X: np.where(X == 0, -0.0, X), EITHER),
]

CASES_BY_NAME = {case.name: case for case in INPUT_CASES}


def _with_int64_indices(csr):
    csr.indices = csr.indices.astype(np.int64)
    csr.indptr = csr.indptr.astype(np.int64)
    return csr


# ------------------------------------------------------------------ outcomes


def snapshot(value):
    """A deep copy to compare the input with after the call."""
    return copy.deepcopy(value)


def _arrays_of(value):
    if isinstance(value, np.ndarray):
        return [value]
    if sp.issparse(value) and value.format in ("dok", "lil"):
        return [value.toarray()]
    if sp.issparse(value):
        buffers = [value.data]
        for name in ("indices", "indptr", "row", "col", "offsets"):
            if isinstance(getattr(value, name, None), np.ndarray):
                buffers.append(getattr(value, name))
        return buffers
    if isinstance(value, (sparse.COO, sparse.GCXS)):
        return [np.asarray(value.data)] + (
            [value.coords] if hasattr(value, "coords") else []
        )
    if isinstance(value, pd.DataFrame):
        return [value.to_numpy()]
    if isinstance(value, (list, tuple)):
        return [np.asarray(value, dtype=object)]
    return []


def assert_unchanged(original, copy_before, context):
    """The call left its input exactly as it was."""
    before, after = _arrays_of(copy_before), _arrays_of(original)
    assert len(before) == len(after), f"{context}: the input changed structure"
    for old, new in zip(before, after):
        same = old.shape == new.shape and (
            np.array_equal(old, new, equal_nan=old.dtype.kind in "fc")
            if old.dtype != object
            else all(a == b or (a != a and b != b) for a, b in zip(old.flat, new.flat))
        )
        assert same, f"{context}: the call modified its input"


def assert_clear_error(error, context):
    """A ValueError/TypeError with a message that names the problem."""
    assert isinstance(error, (ValueError, TypeError)), (
        f"{context}: raised {type(error).__name__}: {error}"
    )
    message = str(error)
    assert message.strip(), f"{context}: {type(error).__name__} without a message"
    leaked = [pattern for pattern in OBSCURE_MESSAGES if pattern in message]
    assert not leaked, f"{context}: unclear error message {message!r}"


def _is_non_finite(value):
    if isinstance(value, (float, np.floating)):
        return not math.isfinite(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return not np.all(np.isfinite(value))
    if sp.issparse(value) and value.dtype.kind in "fc":
        return not np.all(np.isfinite(value.data))
    if (
        isinstance(value, (list, tuple))
        and value
        and isinstance(value[0], (float, np.floating))
    ):
        return not all(math.isfinite(item) for item in value)
    return False


def assert_finite(value, context):
    """Nothing non-finite: the result itself, or every fitted attribute."""
    if hasattr(value, "get_params"):  # a fitted estimator
        for name, attribute in vars(value).items():
            if name.endswith("_") and not name.startswith("_"):
                assert not _is_non_finite(attribute), (
                    f"{context}: fitted attribute {name} is not finite"
                )
        return
    if isinstance(value, tuple):
        for item in value:
            assert_finite(item, context)
        return
    assert not _is_non_finite(value), f"{context}: the result is not finite"


def check_outcome(call, expect, context, *, inputs=()):
    """Run ``call()`` and check the outcome against ``expect``.

    Returns the call's result (None after an error). ``inputs`` are checked to
    be unchanged whatever happened.
    """
    copies = [snapshot(value) for value in inputs]
    try:
        result = call()
    except NotFittedError:
        raise
    except Exception as error:
        assert expect != VALID, (
            f"{context}: a valid input was refused: {type(error).__name__}: {error}"
        )
        assert_clear_error(error, context)
        result = None
    else:
        assert expect != ERROR, f"{context}: an invalid input was accepted silently"
        assert_finite(result, context)
    for value, before in zip(inputs, copies):
        assert_unchanged(value, before, context)
    return result
