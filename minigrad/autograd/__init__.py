"""The tape: grad mode, nodes, the backward engine, gradient checks, and PyTorch's
``torch.autograd`` API (Function, grad, backward)."""
from .api import backward, grad
from .function import Function, FunctionCtx, apply, once_differentiable
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck

__all__ = ["apply", "backward", "enable_grad", "is_grad_enabled", "no_grad",
           "set_grad_enabled", "Function", "FunctionCtx", "GradcheckError", "grad",
           "gradcheck", "once_differentiable"]
