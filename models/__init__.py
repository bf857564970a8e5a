"""minigrad.models: ready-made networks, installed as ``minigrad.models``.

``LeNet5``, ``SeedCNN`` (the proposal's network) and ``MLP``, also by name through the
registry: ``get_model("lenet5")``, ``list_models()``, and ``@register_model(name)`` for
your own.
"""
from .lenet import LeNet5
from .mlp import MLP
from .registry import get_model, list_models, register_model
from .seed_cnn import SeedCNN

__all__ = ["LeNet5", "MLP", "SeedCNN", "get_model", "list_models", "register_model"]
