"""Elementwise ops with NumPy broadcasting.

Kernel conventions (docs/adding-an-op.md): ``forward(*arrays, **attrs)``; ``backward``
returns gradients already summed back to each input's shape. Dtype promotion and
argument checks happen in the front end (minigrad.tensor_ops.elementwise), so the
arrays arrive in the result dtype.
"""
BINARY = ("add", "sub", "mul", "div", "pow", "maximum", "minimum")
UNARY = ("neg", "abs", "exp", "log", "sqrt", "relu", "sigmoid", "tanh")
COMPARISON = ("eq", "ne", "lt", "le", "gt", "ge")
OTHER = ("clamp", "where", "cast")
OPS = BINARY + UNARY + COMPARISON + OTHER

IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("strided",)}
DEFAULT = {"cpu": "numpy", "cuda": "strided"}
