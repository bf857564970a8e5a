"""LeNet-5, in the layout of PyTorch's classic tutorial (conv1, conv2, fc1, fc2, fc3)."""
from __future__ import annotations

import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.tensor import Tensor

from .registry import register_model


@register_model("lenet5")
class LeNet5(nn.Module):
    """LeNet-5 for 1x28x28 images (MNIST), with ReLU and max-pooling as is usual today.

    Layers, with the shapes for a (B, 1, 28, 28) input::

        conv1  Conv2d(1, 6, 5, padding=2)  -> ReLU -> max-pool 2   (B, 6, 14, 14)
        conv2  Conv2d(6, 16, 5)            -> ReLU -> max-pool 2   (B, 16, 5, 5)
        flatten                                                    (B, 400)
        fc1    Linear(400, 120)            -> ReLU
        fc2    Linear(120, 84)             -> ReLU
        fc3    Linear(84, num_classes)                             (B, num_classes) logits

    state_dict keys (PyTorch's, for this layout): ``conv1.weight``, ``conv1.bias``,
    ``conv2.*``, ``fc1.*``, ``fc2.*``, ``fc3.*``: a PyTorch model written with the same
    attribute names loads its weights here and back. 61,706 parameters with 10 classes.
    ReLU, pooling and flattening are stateless, applied in ``forward``.
    """

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.num_classes = num_classes
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
