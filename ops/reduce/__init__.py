"""Reductions over dims. The front end (minigrad.tensor_ops.reduce) normalises ``dim``
to a sorted tuple of non-negative axes (all axes for None) before the kernels run.

max/min with ``indices=True`` (a single int dim, as torch.max(x, dim)) return
(values, indices) and send the gradient to the selected element; otherwise (no dim or
a tuple, as torch.amax) ties share the gradient evenly.

Kernel contract (docs/tape.md): the geometry is an :class:`~minigrad.ops._attrs.Attrs`
of the normalised attributes: ``dim`` and ``keepdim``, and ``indices`` for max/min
(argmax/argmin: ``dim`` None or one int). Each kernel saves what its backward reads:
sum and mean the input's shape, max/min with indices the shape and the indices, without
them the input and the values (to find the ties).
"""
OPS = ("sum", "mean", "max", "min", "argmax", "argmin")
IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("tree",)}
DEFAULT = {"cpu": "numpy", "cuda": "tree"}

from ...errors import RuntimeValueError, dim_out_of_range  # noqa: E402


def normalize_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, int or a sequence of ints, negatives allowed) -> sorted tuple of axes.
    Out of range: PyTorch's IndexError (also a ValueError); a dim named twice: its
    RuntimeError (also a ValueError), minigrad.errors."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) and not isinstance(dim, bool) else dim
    try:
        dims = tuple(dims)
    except TypeError:
        raise TypeError(f"dim: expected an int or a tuple of ints, got {type(dim).__name__}") from None
    if not dims:  # PyTorch reduces over all dims for dim=() (NumPy over none)
        return tuple(range(ndim))
    span = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1, as in PyTorch
    out = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, int):
            raise TypeError(f"dim: expected an int or a tuple of ints, got {dim!r}")
        if not -span <= d < span:
            raise dim_out_of_range(d, ndim)
        out.append(d % span)
    if len(set(out)) != len(out):
        twice = next(d for i, d in enumerate(out) if d in out[:i])
        raise RuntimeValueError(f"dim {twice} appears multiple times in the list of dims")
    return tuple(sorted(out)) if ndim else ()
