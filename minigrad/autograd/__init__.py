"""The tape: grad mode, nodes, the backward engine, gradient checks."""
from .function import apply
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck

__all__ = ["apply", "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled",
           "GradcheckError", "gradcheck"]
