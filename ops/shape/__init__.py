"""Shape ops: reshape, permute, expand, cat and indexing. They move or copy data and
never change values, so their backward is the inverse movement. Argument checks and
normalisation live in the front end (minigrad.tensor_ops.shape), which calls the
helpers here.

Kernel contract (docs/tape.md): the geometry is an :class:`~minigrad.ops._attrs.Attrs`
of the normalised attributes: reshape's and expand's target ``shape``, permute's
``dims``, cat's ``dim``, index's ``key``. Each kernel saves only shapes: the input's
(reshape, expand, index; cat each input's), nothing for permute; the CUDA advanced
index also its device offsets, so backward never rebuilds or copies them again.
"""
OPS = ("reshape", "permute", "expand", "cat", "index")
IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("strided",)}
DEFAULT = {"cpu": "numpy", "cuda": "strided"}

from ...errors import RuntimeValueError, dim_out_of_range  # noqa: E402


def infer_shape(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 in a target shape, checking the element count (PyTorch's
    RuntimeError and messages; also a ValueError, minigrad.errors)."""
    shape = tuple(shape)
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, int):
            raise TypeError(f"shape: expected ints, got {shape!r}")
    if shape.count(-1) > 1:
        raise RuntimeValueError("only one dimension can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeValueError(f"invalid shape dimension {s} at index {i} of shape "
                                    f"{list(shape)}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeValueError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeValueError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def normalize_dim(dim, ndim: int, name: str = "dim") -> int:
    """One dim in [-ndim, ndim) -> [0, ndim). Out of range: PyTorch's IndexError
    ("Dimension out of range (expected to be in range of [-2, 1], but got 2)"), which
    is also a ValueError (minigrad.errors)."""
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{name}: expected an int, got {type(dim).__name__}")
    span = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1, as in PyTorch
    if not -span <= dim < span:
        raise dim_out_of_range(dim, ndim)
    return dim % span
