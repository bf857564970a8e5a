"""SeedCNN: the network of the student proposal minigrad grew from."""
from __future__ import annotations

import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.tensor import Tensor

from .registry import register_model


@register_model("seedcnn")
class SeedCNN(nn.Module):
    """The proposal's CNN for 1x28x28 images: one convolution, one max-pool, one
    linear layer::

        conv  Conv2d(1, 16, 3) (valid)   (B, 16, 26, 26)
        [ReLU, only with relu=True]
        max-pool 2                       (B, 16, 13, 13)
        flatten                          (B, 2704)
        fc    Linear(2704, num_classes)  (B, num_classes) logits

    The proposal lists no activation, and by default none is added: the max-pool is
    the network's only nonlinearity, exactly the layers the proposal (and
    ``minigrad bench``'s SeedCNN) time. ``relu=True`` puts a ReLU after the
    convolution (it adds no parameters: the state_dict is the same).

    state_dict keys: ``conv.weight`` (16, 1, 3, 3), ``conv.bias``, ``fc.weight``
    (num_classes, 2704), ``fc.bias``; 27,210 parameters with 10 classes.
    """

    def __init__(self, num_classes: int = 10, *, relu: bool = False):
        super().__init__()
        if not isinstance(relu, bool):
            raise TypeError(f"relu: expected a bool, got {type(relu).__name__}")
        self.num_classes = num_classes
        self.relu = relu
        self.conv = nn.Conv2d(1, 16, 3)
        self.fc = nn.Linear(16 * 13 * 13, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        if self.relu:
            x = F.relu(x)
        x = F.max_pool2d(x, 2)
        return self.fc(x.flatten(1))

    def extra_repr(self) -> str:
        return "relu=True" if self.relu else ""
