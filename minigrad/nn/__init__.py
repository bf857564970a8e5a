"""minigrad.nn: layers (Module and its subclasses), Parameter, init and functional, with
PyTorch's names: a PyTorch model script runs after changing ``torch`` to ``minigrad``
in its imports. The layers are those of :mod:`minigrad.nn.modules`, all of them."""
from . import functional, init, utils  # noqa: F401
from . import modules as _modules
from .module import Module
from .modules import *  # noqa: F401,F403
from .parameter import Parameter

__all__ = sorted(_modules.__all__ + ["Module", "Parameter", "functional", "init", "utils"])
