"""Eight-lane float vectors for numba kernels, as explicit LLVM vector values.

numba cannot tell LLVM that two arrays do not overlap, so a loop that adds
into an output array reloads and re-stores its running sums at every step.
Sums held in these vector values are SSA registers instead: they stay in
SIMD registers for a whole loop and are stored once. The addition is a plain
IEEE ``fadd`` without fast-math flags, so results are bit-identical to the
scalar loop that adds the same values in the same order.

``vector_load``/``vector_store`` skip numba's bounds checks and negative-index
wraparound: callers must pass indices with ``index + 8 <= len(array)``.
"""

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, models, register_model

from sklearn_kexue.utils._jit import jit

# Elements of one vector: a 256-bit register of float32 (two of float64).
VECTOR_LANES = 8


class _Vector8(types.Type):
    """Eight floats of ``dtype`` (float32 or float64) in one LLVM vector."""

    def __init__(self, dtype):
        self.dtype = dtype
        super().__init__(name=f"Vector8({dtype})")


@register_model(_Vector8)
class _Vector8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        scalar = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, ir.VectorType(scalar, VECTOR_LANES))


def _is_float_vector(array):
    return (
        isinstance(array, types.Array)
        and array.ndim == 1
        and array.layout == "C"
        and array.dtype in (types.float32, types.float64)
    )


def _element_pointer(context, builder, array_type, array, index, index_type):
    """Pointer to ``array[index]``, cast to a pointer to an eight-lane vector."""
    data = context.make_array(array_type)(context, builder, array).data
    offset = context.cast(builder, index, index_type, types.intp)
    vector = context.get_value_type(_Vector8(array_type.dtype))
    return builder.bitcast(builder.gep(data, [offset]), vector.as_pointer())


@intrinsic
def vector_zeros(typingctx, like):
    """Eight +0.0 of the dtype of the 1-d float array ``like``."""
    if not _is_float_vector(like):
        return None
    vector_type = _Vector8(like.dtype)

    def codegen(context, builder, signature, args):
        return ir.Constant(context.get_value_type(vector_type), [0.0] * VECTOR_LANES)

    return vector_type(like), codegen


@intrinsic
def vector_load(typingctx, array, index):
    """``array[index:index + 8]`` of a contiguous 1-d float array."""
    if not _is_float_vector(array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        pointer = _element_pointer(
            context, builder, signature.args[0], args[0], args[1], signature.args[1]
        )
        # Element alignment only: callers need not align the vector.
        return builder.load(pointer, align=array.dtype.bitwidth // 8)

    return _Vector8(array.dtype)(array, index), codegen


@intrinsic
def vector_add(typingctx, left, right):
    """Lane-wise IEEE addition (no reassociation, no fast-math)."""
    if not isinstance(left, _Vector8) or left != right:
        return None

    def codegen(context, builder, signature, args):
        return builder.fadd(args[0], args[1])

    return left(left, right), codegen


@intrinsic
def vector_store(typingctx, array, index, vector):
    """``array[index:index + 8] = vector`` for a contiguous 1-d float array."""
    if (
        not _is_float_vector(array)
        or not isinstance(index, types.Integer)
        or vector != _Vector8(array.dtype)
    ):
        return None

    def codegen(context, builder, signature, args):
        pointer = _element_pointer(
            context, builder, signature.args[0], args[0], args[1], signature.args[1]
        )
        builder.store(args[2], pointer, align=array.dtype.bitwidth // 8)
        return context.get_dummy_value()

    return types.void(array, index, vector), codegen


# Cache-line size: a vector pair of float32 read from an aligned offset is one line.
CACHE_LINE_BYTES = 64


@jit(nogil=True)
def aligned_zeros(n_items, dtype):
    """A zeroed 1-d array whose data starts on a cache-line boundary."""
    raw = np.zeros(n_items + CACHE_LINE_BYTES, dtype=dtype)
    shift = ((-raw.ctypes.data) % CACHE_LINE_BYTES) // raw.itemsize
    return raw[shift : shift + n_items]
