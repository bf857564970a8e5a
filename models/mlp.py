"""MLP: a multi-layer perceptron on flattened images."""
from __future__ import annotations

from collections.abc import Sequence

import minigrad.nn as nn
from minigrad.tensor import Tensor

from .registry import register_model


@register_model("mlp")
class MLP(nn.Module):
    """Fully connected network: flatten, then Linear + ReLU per hidden width, then a
    last Linear to the classes::

        (B, *) -> flatten -> (B, in_features)
               -> Linear(in_features, h1) -> ReLU -> ... -> Linear(h_k, num_classes)

    With the defaults (784, (256, 128), 10): 235,146 parameters. ``hidden=()`` gives
    a single Linear (multinomial logistic regression).

    state_dict keys: ``layers.0.weight``, ``layers.0.bias``, ``layers.2.*``, ... (the
    Linear layers' indices in the ``layers`` Sequential; ReLUs sit between them).
    """

    def __init__(self, in_features: int = 784, hidden: Sequence[int] = (256, 128),
                 num_classes: int = 10):
        super().__init__()
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
            raise TypeError(f"hidden: expected a sequence of ints, got {type(hidden).__name__}")
        for h in hidden:
            if isinstance(h, bool) or not isinstance(h, int) or h < 1:
                raise ValueError(f"hidden: expected positive ints, got {tuple(hidden)!r}")
        self.in_features = in_features
        self.hidden = tuple(hidden)
        self.num_classes = num_classes
        self.flatten = nn.Flatten()
        layers: list[nn.Module] = []
        width = in_features
        for h in self.hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, num_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(self.flatten(x))
