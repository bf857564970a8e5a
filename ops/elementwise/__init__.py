"""Elementwise ops with NumPy broadcasting.

Kernel contract (docs/tape.md): ``forward(g, *arrays) -> (out, saved)`` and
``backward(g, grad, saved, needs) -> grads``, each gradient already summed back to its
input's shape. The geometry ``g`` is an :class:`~minigrad.ops._attrs.Attrs`: ``NONE``
for most ops, clamp's ``min``/``max``, cast's ``dtype``, the activations' parameters
(leaky_relu's ``negative_slope``, elu's ``alpha``, gelu's ``approximate``, softplus's
``beta`` and ``threshold``); there is no shape to precompute (the output is the inputs'
broadcast). Dtype promotion and argument checks happen in the front end
(minigrad.tensor_ops.elementwise), so the arrays arrive in the result dtype. Each kernel
saves only what its gradient reads: add/sub the two shapes, mul both inputs, div the
divisor and the output, exp/sqrt/relu/sigmoid/tanh/tan their output, abs/log/clamp,
sin/cos/sinh/cosh, silu and the UNARY_ATTRS ops their input, neg nothing, where the
condition, cast the input dtype.
"""
BINARY = ("add", "sub", "mul", "div", "pow", "maximum", "minimum")
UNARY = ("neg", "abs", "exp", "log", "sqrt", "relu", "sigmoid", "tanh",
         "sin", "cos", "tan", "sinh", "cosh", "silu")
# Unary ops whose parameters come in the geometry (PyTorch's names and defaults).
UNARY_ATTRS = ("leaky_relu", "elu", "gelu", "softplus")
COMPARISON = ("eq", "ne", "lt", "le", "gt", "ge")
OTHER = ("clamp", "where", "cast")
OPS = BINARY + UNARY + UNARY_ATTRS + COMPARISON + OTHER

IMPLEMENTATIONS = {"cpu": ("numpy",), "cuda": ("strided",)}

# Per input, whose gradients read its saved array: mul's a only for b's gradient (and b
# for a's), pow's exponent only for the base's. A saved input whose readers need no
# gradient is not version-checked (PyTorch does not save it at all).
SAVED_READ_BY = {"mul": ((1,), (0,)), "pow": ((0, 1), (0,))}
DEFAULT = {"cpu": "numpy", "cuda": "strided"}
