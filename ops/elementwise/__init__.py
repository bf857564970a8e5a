"""Elementwise ops with NumPy broadcasting.

Kernel contract (docs/tape.md): ``forward(g, *arrays) -> (out, saved)`` and
``backward(g, grad, saved, needs) -> grads``, each gradient already summed back to its
input's shape. The geometry ``g`` is an :class:`~minigrad.ops._attrs.Attrs`: ``NONE``
for most ops, clamp's ``min``/``max``, cast's ``dtype``; there is no shape to
precompute (the output is the inputs' broadcast). Dtype promotion and argument checks
happen in the front end (minigrad.tensor_ops.elementwise), so the arrays arrive in the
result dtype. Each kernel saves only what its gradient reads: add/sub the two shapes,
mul both inputs, div the divisor and the output, exp/sqrt/relu/sigmoid/tanh their
output, abs/log/clamp their input, neg nothing, where the condition, cast the input dtype.
"""
BINARY = ("add", "sub", "mul", "div", "pow", "maximum", "minimum")
UNARY = ("neg", "abs", "exp", "log", "sqrt", "relu", "sigmoid", "tanh")
COMPARISON = ("eq", "ne", "lt", "le", "gt", "ge")
OTHER = ("clamp", "where", "cast")
OPS = BINARY + UNARY + COMPARISON + OTHER

IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("strided",)}
DEFAULT = {"cpu": "numpy", "cuda": "strided"}
