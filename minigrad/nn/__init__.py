"""minigrad.nn: layers (Module and its subclasses), Parameter, init and functional, with
PyTorch's names: a PyTorch model script runs after changing ``torch`` to ``minigrad``
in its imports."""
from . import functional, init  # noqa: F401
from .module import Module
from .modules import (BatchNorm2d, Conv2d, CrossEntropyLoss, Dropout, Flatten, Linear,
                      LogSoftmax, MaxPool2d, ModuleList, MSELoss, NLLLoss, ReLU, Sequential,
                      Softmax)
from .parameter import Parameter

__all__ = ["BatchNorm2d", "Conv2d", "CrossEntropyLoss", "Dropout", "Flatten", "Linear",
           "LogSoftmax", "MSELoss", "MaxPool2d", "Module", "ModuleList", "NLLLoss", "Parameter",
           "ReLU", "Sequential", "Softmax", "functional", "init"]
