"""``one_hot``: class indices to one-hot rows."""
from __future__ import annotations

from ...creation import arange
from ...errors import RuntimeValueError
from ...tensor import Tensor
from .._checks import is_int
from ._common import expect_tensor

__all__ = ["one_hot"]


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Each class index of ``tensor`` as a row with a 1 at that index and 0 elsewhere,
    as ``torch.nn.functional.one_hot``.

    Shapes: tensor (*) int64 indices in [0, num_classes); output (*, num_classes),
    int64. ``num_classes=-1`` (the default) takes the largest index plus 1.

    Maths: ``out[..., c] = [tensor[...] == c]``, computed as a comparison of
    ``tensor.unsqueeze(-1)`` with ``arange(num_classes)`` (broadcast), so it runs on
    the tensor's device. Not differentiable (integer output), as in PyTorch.

    Raises RuntimeError (also a ValueError) for a non-int64 tensor, a negative index,
    an index >= num_classes, or an empty tensor with num_classes=-1, with PyTorch's
    messages; TypeError for a num_classes that is not an int.

    The index checks read the smallest and largest index back to the host (on cuda a
    synchronisation, as PyTorch's own check).
    """
    tensor = expect_tensor(tensor, "one_hot(): argument 'tensor'")
    if not is_int(num_classes):
        raise TypeError(f"one_hot(): argument 'num_classes' must be int, not "
                        f"{type(num_classes).__name__}")
    num_classes = int(num_classes)
    if tensor.dtype.name != "int64":
        raise RuntimeValueError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeValueError("Can not infer total number of classes from empty tensor.")
    else:
        if int(tensor.min().item()) < 0:
            raise RuntimeValueError("Class values must be non-negative.")
        largest = int(tensor.max().item())
        if num_classes == -1:
            num_classes = largest + 1
        elif largest >= num_classes:
            raise RuntimeValueError("Class values must be smaller than num_classes.")
    if num_classes < 0:
        raise RuntimeValueError("num_classes should be positive")  # PyTorch's message
    classes = arange(num_classes, device=tensor.device)
    return (tensor.detach().unsqueeze(-1) == classes).long()
