"""The registry: (op, device, implementation) -> forward/backward kernels."""
from .registry import (Kernel, implementations, lookup, ops, register, selected, set_default,
                       use)

__all__ = ["Kernel", "implementations", "lookup", "ops", "register", "selected", "set_default", "use"]
