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


def infer_shape(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 in a target shape, checking the element count."""
    shape = tuple(shape)
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, int):
            raise TypeError(f"shape: expected ints, got {shape!r}")
    if shape.count(-1) > 1:
        raise ValueError(f"shape: only one dimension can be -1, got {shape}")
    if any(s < -1 for s in shape):
        raise ValueError(f"shape: invalid size in {shape}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise ValueError(f"shape {shape} is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise ValueError(f"shape {shape} is invalid for input of size {numel}")
    return shape


def normalize_dim(dim, ndim: int, name: str = "dim") -> int:
    """One dim in [-ndim, ndim) -> [0, ndim)."""
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{name}: expected an int, got {type(dim).__name__}")
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise ValueError(f"{name}: {dim} is out of range for a {ndim}-D tensor "
                         f"(expected to be in [{-span}, {span - 1}])")
    return dim % span
