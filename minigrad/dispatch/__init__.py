"""The registry: (op, device, implementation) -> forward/backward kernels."""
from .registry import (Kernel, call, implementations, lookup, observe, ops, register, run,
                       selected, set_default, use)

__all__ = ["Kernel", "call", "implementations", "observe", "lookup", "ops", "register", "run", "selected", "set_default", "use"]
