"""minigrad.models: ready-made networks, installed as ``minigrad.models``.

``LeNet5``, ``SeedCNN`` (the proposal's network), ``MLP`` and ``SmallCNN`` (BatchNorm,
dropout and its own training recipe, ~92% on Fashion-MNIST), also by name through the
registry: ``get_model("lenet5")``, ``list_models()``, ``get_recipe(name)`` (how
``minigrad train`` trains it), and ``@register_model(name)`` for your own.
"""
from .lenet import LeNet5
from .mlp import MLP
from .registry import get_model, get_recipe, list_models, register_model
from .seed_cnn import SeedCNN
from .small_cnn import SmallCNN

__all__ = ["LeNet5", "MLP", "SeedCNN", "SmallCNN", "get_model", "get_recipe", "list_models",
           "register_model"]
