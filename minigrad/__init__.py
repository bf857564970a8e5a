"""minigrad: a small tensor and autograd engine whose CNN ops come in a ladder of
implementations (sequential, vectorized NumPy, ...), all behind one PyTorch-like API."""
import os as _os

# Numba's parallel kernels run on OpenMP worker threads, which by default spin for a
# while after each kernel waiting for more work. Between kernels the main thread and
# BLAS's own threads need those cores, so on a small machine the spinning more than
# doubled a LeNet-5 training step (measured: 44 -> 21 ms median on 2 cores). Sleeping
# at once is the better trade for a framework that alternates kernels quickly. Set
# before any kernel starts OpenMP; a value the user set is kept.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from ._mount import mount as _mount

_mount(_os.path.dirname(__file__), "ops")
_mount(_os.path.dirname(__file__), "models")

from . import dtype as _dtype  # noqa: E402
from .autograd import (GradcheckError, enable_grad, gradcheck, is_grad_enabled,  # noqa: E402
                       no_grad, set_grad_enabled)
from .creation import (arange, empty, empty_like, from_numpy, full, full_like, ones,  # noqa: E402
                       randint,
                       ones_like, rand, rand_like, randn, randn_like, tensor, zeros, zeros_like)
from .device import Device as device  # noqa: E402
from .dispatch import implementations, register, set_default, use  # noqa: E402
from .random import manual_seed  # noqa: E402
from .tensor import Tensor  # noqa: E402
from .tensor_ops.elementwise import clamp, where  # noqa: E402
from .tensor_ops.reduce import argmax, argmin, max, mean, min, sum  # noqa: E402
from .tensor_ops.shape import (cat, flatten, permute, reshape, squeeze, stack,  # noqa: E402
                               transpose, unsqueeze)

float32 = _dtype.float32
float64 = _dtype.float64
int64 = _dtype.int64
bool = _dtype.bool_
float = float32
double = float64
long = int64
DType = _dtype.DType

__version__ = "0.1.0"


def _elementwise(op, doc):
    from .tensor_ops import elementwise as _ew

    def fn(input, *args):
        return _ew.unary(op, input) if not args else _ew.binary(op, input, *args)
    fn.__name__ = op
    fn.__doc__ = doc
    return fn


exp = _elementwise("exp", "e**x, elementwise.")
log = _elementwise("log", "Natural logarithm, elementwise.")
sqrt = _elementwise("sqrt", "Square root, elementwise.")
abs = _elementwise("abs", "Absolute value, elementwise (gradient 0 at 0).")
relu = _elementwise("relu", "max(x, 0), elementwise (gradient 0 at 0).")
sigmoid = _elementwise("sigmoid", "1 / (1 + e**-x), elementwise.")
tanh = _elementwise("tanh", "Hyperbolic tangent, elementwise.")
neg = _elementwise("neg", "-x, elementwise.")
maximum = _elementwise("maximum", "Elementwise maximum with broadcasting; ties share the gradient.")
minimum = _elementwise("minimum", "Elementwise minimum with broadcasting; ties share the gradient.")
add = _elementwise("add", "a + b with broadcasting.")
sub = _elementwise("sub", "a - b with broadcasting.")
mul = _elementwise("mul", "a * b with broadcasting.")
div = _elementwise("div", "a / b with broadcasting (true division).")
pow = _elementwise("pow", "a ** b with broadcasting.")


from .tensor_ops.linalg import matmul  # noqa: E402,F401
from .tensor_ops.softmax import log_softmax, softmax  # noqa: E402,F401


def is_tensor(obj) -> "bool":
    return isinstance(obj, Tensor)


from . import data, nn, viz  # noqa: E402,F401  (after Tensor: they build on it)
from . import optim  # noqa: E402,F401
from . import cuda  # noqa: E402,F401
from . import profiler  # noqa: E402,F401
from .serialization import load, save  # noqa: E402,F401
from .warmup import warmup  # noqa: E402,F401
