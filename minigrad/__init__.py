"""minigrad: a small tensor and autograd engine whose CNN ops come in a ladder of
implementations (sequential, vectorized NumPy, ...), all behind one PyTorch-like API."""
import math as _math
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
from .creation import (arange, empty, empty_like, eye, from_numpy, full, full_like,  # noqa: E402
                       get_default_dtype, linspace, logspace, meshgrid, normal, ones, ones_like,
                       rand, rand_like, randint, randn, randn_like, set_default_dtype, tensor,
                       zeros, zeros_like)
from .device import Device as device  # noqa: E402
from .device import get_default_device, set_default_device  # noqa: E402
from .dispatch import implementations, register, set_default, use  # noqa: E402
from .random import Generator, initial_seed, manual_seed, seed  # noqa: E402
from .tensor import Size, Tensor  # noqa: E402
from . import errors  # noqa: E402,F401
from .tensor_ops.elementwise import clamp, cos, cosh, sin, sinh, tan, where  # noqa: E402
from .tensor_ops.reduce import amax, amin, argmax, argmin, max, mean, min, sum  # noqa: E402
from .tensor_ops.shape import (cat, flatten, permute, reshape, squeeze, stack,  # noqa: E402
                               transpose, unsqueeze)

# The dtypes under torch's names; like torch's, these shadow the builtins float, int and
# bool inside this module only.
float16 = _dtype.float16
float32 = _dtype.float32
float64 = _dtype.float64
uint8 = _dtype.uint8
int8 = _dtype.int8
int16 = _dtype.int16
int32 = _dtype.int32
int64 = _dtype.int64
bool = _dtype.bool_
half = float16
float = float32
double = float64
short = int16
int = int32
long = int64
DType = _dtype.DType

__version__ = "0.1.0"

# PyTorch's constants (torch.pi, torch.e, torch.inf, torch.nan: Python floats).
pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan


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


from .tensor_ops.linalg import bmm, matmul  # noqa: E402,F401
from .tensor_ops.softmax import log_softmax, softmax  # noqa: E402,F401


def is_tensor(obj) -> "bool":
    """True when ``obj`` is a minigrad Tensor (a Parameter too), as torch.is_tensor."""
    return isinstance(obj, Tensor)


def _tensor_arg(fn: str, input) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input


def numel(input) -> int:
    """The number of elements of ``input`` (a Tensor), as torch.numel."""
    return _tensor_arg("numel", input).numel()


def is_floating_point(input) -> "bool":
    """True when ``input``'s dtype is a float dtype, as torch.is_floating_point."""
    return _tensor_arg("is_floating_point", input).dtype.is_floating_point


def _method(name: str, doc: str):
    """``torch.<name>(input, *args, **kwargs)``: the Tensor method of that name."""
    def fn(input, *args, **kwargs):
        return getattr(_tensor_arg(name, input), name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


clip = _method("clip", "clamp's alias, as torch.clip.")
eq = _method("eq", "input == other, elementwise (a bool tensor).")
ne = _method("ne", "input != other, elementwise.")
lt = _method("lt", "input < other, elementwise.")
le = _method("le", "input <= other, elementwise.")
gt = _method("gt", "input > other, elementwise.")
ge = _method("ge", "input >= other, elementwise.")
mm = _method("mm", "The product of two matrices, as torch.mm (no broadcasting).")
t = _method("t", "The transpose of a matrix (0-d and 1-d returned as they are), as torch.t.")
all = _method("all", "True where every element is nonzero, as torch.all.")
any = _method("any", "True where some element is nonzero, as torch.any.")
concat = concatenate = cat  # torch's aliases


from . import data, nn, viz  # noqa: E402,F401  (after Tensor: they build on it)
from . import optim  # noqa: E402,F401
from . import cuda  # noqa: E402,F401
from . import accelerator, backends, utils  # noqa: E402,F401  (torch.accelerator ...)
from . import profiler  # noqa: E402,F401
from .serialization import load, save  # noqa: E402,F401
from .warmup import warmup  # noqa: E402,F401
