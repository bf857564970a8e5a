"""The Tensor: an array on a device, a dtype, and its place on the tape."""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from . import dtype as dt
from . import arrays as _arrays
from .autograd import engine
from .autograd import version
from .autograd.node import Node
from .arrays import move, to_host
from .device import CPU, CUDA, Device, device as as_device, is_device_array
from .tensor_ops import elementwise as ew
from .tensor_ops import inplace as ip
from .tensor_ops import linalg
from .tensor_ops import softmax as sm
from .tensor_ops import reduce as red
from .tensor_ops import shape as shp
from .tensor_ops._checks import dim_alias


def _comparable(other) -> bool:
    return isinstance(other, (Tensor, Number, np.generic, np.ndarray))


class Size(tuple):
    """A tensor's shape, as ``torch.Size``: a tuple of ints (equal to, and hashing as,
    the plain tuple) with ``numel()``; slicing it or adding a tuple gives a Size.

    Printed ``minigrad.Size([2, 3])`` (PyTorch: ``torch.Size([2, 3])``), as minigrad's
    dtypes print ``minigrad.float32``. ``t.shape`` and ``t.size()`` return one; inside
    minigrad shapes enter ops as plain tuples (the declarations' ``ops._args.shape``,
    the front ends' ``tuple(...)``), because Numba cannot type a tuple subclass.
    """

    __slots__ = ()

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        n = 1
        for s in self:
            n *= s
        return int(n)

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"

    __str__ = __repr__

    def __reduce__(self):
        return (Size, (tuple(self),))


def _legacy_array(args) -> np.ndarray:
    """The array of PyTorch's legacy constructor ``torch.Tensor(*args)``, in the default
    float dtype (float32 unless ``set_default_dtype`` changed it)."""
    float_np = dt.default_float().np
    if not args:
        return np.empty(0, dtype=float_np)
    if len(args) == 1 and isinstance(args[0], Size):  # Tensor(x.shape): sizes, as PyTorch
        args = tuple(args[0])
        if not args:
            return np.zeros((), dtype=float_np)
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        if any(a < 0 for a in args):
            raise RuntimeError(f"Trying to create tensor with negative dimension: {args}")
        return np.zeros(tuple(int(a) for a in args), dtype=float_np)
    if len(args) > 1:
        raise TypeError("Tensor(): expected sizes (ints) or one sequence of data, got "
                        + ", ".join(type(a).__name__ for a in args))
    (data,) = args
    if isinstance(data, Tensor):
        if data.dtype is not dt.default_float():
            raise TypeError(f"Tensor(): expected a {dt.default_float()} tensor (the legacy "
                            f"constructor's dtype), got {data.dtype}; use minigrad.tensor(...)")
        return data._array
    if isinstance(data, Number) or np.isscalar(data):
        raise TypeError(f"Tensor(): data must be a sequence (got {type(data).__name__})")
    return np.array(to_host(data) if is_device_array(data) else data, dtype=float_np)


def _reduction(fn):
    """The Tensor method of a reduction front end (tensor_ops/reduce.py)."""
    def method(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        return fn(self, dim, keepdim, axis=axis, keepdims=keepdims)
    method.__name__ = method.__qualname__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


class Tensor:
    """A multi-dimensional array that records the ops applied to it for autograd.

    Create tensors with :func:`minigrad.tensor`, :func:`minigrad.zeros` and friends.
    ``_array`` is the storage: a NumPy array on the CPU, a C-contiguous Numba device array
    on ``"cuda"``. ``t.data`` is, as in PyTorch, a Tensor over the same storage without
    history, and ``t.numpy()`` is the array itself. The in-place ops (``add_``, ``+=``,
    ``zero_``, ...: tensor_ops/inplace.py) write into the storage and add one to its
    version counter.

    ``t.shape`` and ``t.size()`` are a :class:`Size`; the dtypes are minigrad/dtype.py's
    (``t.half()``, ``t.int()``, ``t.byte()``... cast, ``t.type()`` names them);
    ``t[key]`` and ``t[key] = v`` index with PyTorch's rules (tensor_ops/shape.py).

    ``minigrad.Tensor(...)`` is PyTorch's legacy constructor (float32 always):
    ``Tensor(data)`` copies a sequence or array, ``Tensor(2, 3)`` is an uninitialised
    (here: zero-filled) 2x3 tensor, as is ``Tensor(x.shape)`` (a Size is sizes, a plain
    tuple data), ``Tensor()`` is empty; ``Tensor(t)`` of a float32
    tensor shares its storage. Prefer :func:`minigrad.tensor`, as PyTorch's docs do.
    """

    # _array: the storage. _ver: the version counter (autograd/version.py), None until
    # first needed.
    __slots__ = ("_array", "_requires_grad", "grad", "_node", "_ver", "__weakref__")
    # NumPy must defer to our operators (ndarray + Tensor -> Tensor.__radd__).
    __array_priority__ = 1000

    def __init__(self, *args, device=None):
        self._init(_legacy_array(args), requires_grad=False)
        if device is not None:
            self._array = move(self._array, as_device(device))

    def _init(self, array, requires_grad: bool = False) -> None:
        """Fill the slots around ``array`` (no copy); the constructors' shared part."""
        self._array = array
        self._requires_grad = False
        self.grad: Tensor | None = None
        self._node: Node | None = None
        self._ver = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array) -> "Tensor":
        """A tensor around an array produced by a kernel (no copy, no checks)."""
        t = cls.__new__(cls)
        t._array = array if isinstance(array, np.ndarray) or is_device_array(array) else np.asarray(array)
        t._requires_grad = False
        t.grad = None
        t._node = None
        t._ver = None
        return t

    # ---- storage --------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """This tensor's storage as a new Tensor without history, as PyTorch's ``.data``:
        writes through it are seen here, but autograd neither records them nor counts
        them in this tensor's version (use ``detach()`` for a checked alias)."""
        return Tensor._wrap(self._array)

    @data.setter
    def data(self, value: "Tensor") -> None:
        # PyTorch's ``param.data = other``: swap the storage, keep the Tensor (and so a
        # module's or optimizer's reference to it). Shape, dtype and device may change.
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__}; wrap "
                            "an array with minigrad.tensor(...) first")
        self._array = value._array

    # ---- metadata -------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The sizes of the dims, a :class:`Size` (a tuple)."""
        return Size(self._array.shape)

    @property
    def ndim(self) -> int:
        return self._array.ndim

    def dim(self) -> int:
        return self._array.ndim

    def size(self, dim: int | None = None, *, axis=None):
        """The shape (a :class:`Size`), or the size of one dim (an int)."""
        dim = dim_alias("size", dim, axis)
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[shp.normalize_dim(dim, self.ndim)]

    def numel(self) -> int:
        return int(self._array.size)

    def element_size(self) -> int:
        """Bytes per element (4 for float32)."""
        return self._array.dtype.itemsize

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    @property
    def dtype(self) -> dt.DType:
        return dt.BY_NUMPY.get(self._array.dtype) or dt.from_numpy_dtype(self._array.dtype)

    @property
    def device(self) -> Device:
        return CPU if isinstance(self._array, np.ndarray) else CUDA

    @property
    def is_cuda(self) -> bool:
        return not isinstance(self._array, np.ndarray)

    @property
    def __cuda_array_interface__(self) -> dict:
        """The CUDA array interface of a cuda tensor's storage: CuPy, PyTorch and Numba
        read it without a copy (``cupy.asarray(t)``, ``torch.as_tensor(t, device="cuda")``).
        A CPU tensor has none (AttributeError), as in PyTorch."""
        if isinstance(self._array, np.ndarray):
            raise AttributeError("a CPU tensor has no __cuda_array_interface__; use .numpy() "
                                 "or the NumPy array interface")
        if self._requires_grad:
            raise RuntimeError("Can't export a Tensor that requires grad through "
                               "__cuda_array_interface__; use tensor.detach()")
        try:
            return self._array.__cuda_array_interface__
        except AttributeError:  # Numba's simulator arrays live in host memory
            raise AttributeError("__cuda_array_interface__ is not available under Numba's "
                                 "CUDA simulator (its arrays live in host memory)") from None

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's storage has had (PyTorch's
        ``t._version``)."""
        return 0 if self._ver is None else self._ver.value

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self) -> Node | None:
        return self._node

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set whether autograd records ops on this (leaf) tensor; returns self."""
        if not self.is_leaf:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables; "
                                   "use detach() to get a tensor that does not require grad")
            return self
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, "
                               f"got {self.dtype}")
        self._requires_grad = bool(requires_grad)
        return self

    # ---- hooks (autograd/hooks.py) -------------------------------- begin ----
    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward() (after its hooks ran)."""
        from .autograd import hooks
        hooks.retain_grad(self)

    @property
    def retains_grad(self) -> bool:
        """Whether this non-leaf tensor called ``retain_grad()`` (False for leaves)."""
        from .autograd import hooks
        return hooks.retains_grad(self)

    def register_hook(self, hook):
        """``hook(grad) -> Tensor or None`` on this tensor's gradient, as PyTorch's: it may
        return a replacement; on a leaf it runs before ``.grad`` is accumulated. Returns a
        handle whose ``remove()`` unregisters it."""
        from .autograd import hooks
        return hooks.register(self, hook)
    # ---- hooks ------------------------------------------------------ end ----

    # ---- conversion -----------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shared, not copied). CPU tensors only, as PyTorch:
        copy a cuda tensor with ``.cpu()`` first."""
        from .autograd.grad_mode import is_grad_enabled  # PyTorch refuses only with grad on
        if self._requires_grad and is_grad_enabled():
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if not isinstance(self._array, np.ndarray):
            raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() "
                            "to copy the tensor to host memory first.")
        return self._array

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a.astype(dtype) if dtype is not None else a

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted to Scalar")
        return to_host(self._array).reshape(()).item()  # on cuda: the one copy back, on request

    def tolist(self):
        return to_host(self._array).tolist()

    def detach(self) -> "Tensor":
        """The same storage, cut from the graph. As in PyTorch the result shares this
        tensor's version counter, so an in-place write through it is still caught by a
        backward that saved this tensor (``.data`` is the unchecked alias)."""
        out = Tensor._wrap(self._array)
        version.share(out, self)
        return out

    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)`` or ``to(device, dtype)``."""
        target_dtype, target_device = kwargs.pop("dtype", None), kwargs.pop("device", None)
        if kwargs:
            raise TypeError(f"to(): unexpected arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, (str, Device)):
                target_device = a
            else:
                target_dtype = a
        out = self
        if target_device is not None:
            from .autograd.transfer import to_device
            out = to_device(self, as_device(target_device))
        if target_dtype is not None:
            out = ew.cast(out, dt.as_dtype(target_dtype))
        return out

    def cpu(self) -> "Tensor":
        """This tensor on the CPU (itself when it is there); differentiable."""
        return self.to(CPU)

    def cuda(self, device=None) -> "Tensor":
        """This tensor on the GPU (itself when it is there); differentiable."""
        return self.to("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

    # The casts by dtype name, as PyTorch's (differentiable between float dtypes).
    def float(self) -> "Tensor": return ew.cast(self, dt.float32)
    def double(self) -> "Tensor": return ew.cast(self, dt.float64)
    def half(self) -> "Tensor": return ew.cast(self, dt.float16)
    def long(self) -> "Tensor": return ew.cast(self, dt.int64)
    def int(self) -> "Tensor": return ew.cast(self, dt.int32)
    def short(self) -> "Tensor": return ew.cast(self, dt.int16)
    def char(self) -> "Tensor": return ew.cast(self, dt.int8)
    def byte(self) -> "Tensor": return ew.cast(self, dt.uint8)
    def bool(self) -> "Tensor": return ew.cast(self, dt.bool_)

    def type(self, dtype=None):
        """``t.type()``: the legacy type name, ``"minigrad.FloatTensor"`` (on cuda
        ``"minigrad.cuda.FloatTensor"``; PyTorch: ``"torch.FloatTensor"``).
        ``t.type(dtype)``: ``t`` cast to ``dtype`` (a dtype, or a name such as
        ``"torch.DoubleTensor"``, ``"minigrad.IntTensor"``; the device stays)."""
        if dtype is None:
            return ("minigrad.cuda." if self.is_cuda else "minigrad.") + self.dtype.tensor_type
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            name = dtype.rsplit(".", 1)[-1]
            if name not in dt.BY_TENSOR_TYPE:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = dt.BY_TENSOR_TYPE[name]
        return ew.cast(self, dt.as_dtype(dtype))

    def __bool__(self) -> bool:
        if self._array.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._array.size} elements is ambiguous")
        return bool(to_host(self._array).reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    __hash__ = object.__hash__

    def __format__(self, spec: str) -> str:
        # PyTorch's: a 0-d tensor formats as its number ('{:.2f}'.format(loss)), any
        # other with the empty spec only (as str()).
        if self.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self) -> str:
        body = np.array2string(to_host(self._array), separator=", ", prefix="tensor(")
        extra = [] if isinstance(self._array, np.ndarray) else ["device='cuda:0'"]
        # As PyTorch: the dtype is shown unless it is a default one, and for every empty
        # tensor but a float32 one (tensor([], dtype=minigrad.int64)).
        if self.dtype not in (dt.float32, dt.int64, dt.bool_) or (
                self._array.size == 0 and self.dtype is not dt.float32):
            extra.append(f"dtype={self.dtype}")
        if self._node is not None:
            extra.append(f"grad_fn=<{self._node.name()}>")
        elif self._requires_grad:
            extra.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extra) + ")"

    # ---- autograd -------------------------------------------------------------
    def backward(self, gradient: "Tensor | None" = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``gradient`` is d(loss)/d(self); it may be omitted only for a one-element tensor.
        Saved buffers are freed afterwards unless ``retain_graph=True``. ``inputs``:
        accumulate into these tensors' ``.grad`` only (:func:`minigrad.autograd.backward`).
        ``create_graph=True`` (double backward) is not supported: NotImplementedError.
        """
        if create_graph or inputs is not None:
            from .autograd import api
            return api.backward(self, gradient, retain_graph, create_graph, inputs=inputs)
        if not self._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if gradient is None:
            if self._array.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = _arrays.full(self.shape, 1, self._array.dtype, self.device)
        elif isinstance(gradient, Tensor):
            g = gradient._array
            if g.shape != self._array.shape:
                raise RuntimeError(f"gradient: expected shape {self.shape} (the tensor's), got {g.shape}")
            if isinstance(g, np.ndarray) != isinstance(self._array, np.ndarray):
                raise RuntimeError(f"gradient: expected a tensor on {self.device} (the tensor's), "
                                   f"got one on {gradient.device}")
            if g.dtype != self._array.dtype:
                g = _arrays.cast(g, self._array.dtype)
        else:  # an array-like: made a tensor of this one's dtype and device
            g = np.asarray(gradient)
            if g.shape != self._array.shape:
                raise RuntimeError(f"gradient: expected shape {self.shape} (the tensor's), got {g.shape}")
            g = move(_arrays.cast(g, self._array.dtype), self.device)
        engine.run_backward([self], [g], retain_graph=bool(retain_graph))

    # ---- arithmetic -----------------------------------------------------------
    def __add__(self, other): return ew.binary("add", self, other)
    def __radd__(self, other): return ew.binary("add", other, self)
    def __sub__(self, other): return ew.binary("sub", self, other)
    def __rsub__(self, other): return ew.binary("sub", other, self)
    def __mul__(self, other): return ew.binary("mul", self, other)
    def __rmul__(self, other): return ew.binary("mul", other, self)
    def __truediv__(self, other): return ew.binary("div", self, other)
    def __rtruediv__(self, other): return ew.binary("div", other, self)
    def __pow__(self, other): return ew.binary("pow", self, other)
    def __rpow__(self, other): return ew.binary("pow", other, self)
    def __neg__(self): return ew.unary("neg", self)
    def __abs__(self): return ew.unary("abs", self)

    def __matmul__(self, other):
        return linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return linalg.matmul(other, self)

    # Anything that is not a number or an array (None, a string) is simply unequal, as
    # in PyTorch: NotImplemented lets Python fall back to identity.
    def __eq__(self, other):  # type: ignore[override]
        return ew.compare("eq", self, other) if _comparable(other) else NotImplemented

    def __ne__(self, other):  # type: ignore[override]
        return ew.compare("ne", self, other) if _comparable(other) else NotImplemented

    def __lt__(self, other): return ew.compare("lt", self, other)
    def __le__(self, other): return ew.compare("le", self, other)
    def __gt__(self, other): return ew.compare("gt", self, other)
    def __ge__(self, other): return ew.compare("ge", self, other)

    def add(self, other): return ew.binary("add", self, other)
    def sub(self, other): return ew.binary("sub", self, other)
    def mul(self, other): return ew.binary("mul", self, other)
    def div(self, other): return ew.binary("div", self, other)
    def pow(self, exponent): return ew.binary("pow", self, exponent)
    def neg(self): return ew.unary("neg", self)
    def abs(self): return ew.unary("abs", self)
    def exp(self): return ew.unary("exp", self)
    def log(self): return ew.unary("log", self)
    def sqrt(self): return ew.unary("sqrt", self)
    def relu(self): return ew.unary("relu", self)
    def sigmoid(self): return ew.unary("sigmoid", self)
    def tanh(self): return ew.unary("tanh", self)
    def sin(self): return ew.sin(self)
    def cos(self): return ew.cos(self)
    def tan(self): return ew.tan(self)
    def sinh(self): return ew.sinh(self)
    def cosh(self): return ew.cosh(self)
    def maximum(self, other): return ew.binary("maximum", self, other)
    def minimum(self, other): return ew.binary("minimum", self, other)
    def clamp(self, min=None, max=None): return ew.clamp(self, min, max)
    clip = clamp
    def clone(self): return ew.clone(self)

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (``torch.where(condition,
        self, other)``)."""
        return ew.where(condition, self, other)

    def amax(self, dim=(), keepdim: bool = False): return red.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim: bool = False): return red.amin(self, dim, keepdim)

    def all(self, dim=None, keepdim: bool = False) -> "Tensor":
        """True where every element (over ``dim``; None: all) is nonzero, as PyTorch's
        ``all`` (a bool tensor); counted with the registry's sum, on any device."""
        count = red.sum(self.bool(), dim, keepdim)
        n = self.numel() if dim is None else int(np.prod([self.shape[d] for d in
                                                          np.atleast_1d(dim)]))
        return count == n

    def any(self, dim=None, keepdim: bool = False) -> "Tensor":
        """True where some element (over ``dim``; None: all) is nonzero, as PyTorch's."""
        return red.sum(self.bool(), dim, keepdim) > 0

    def is_contiguous(self) -> bool:
        """Whether the storage is C-contiguous (always, on cuda: its views are copies)."""
        return not isinstance(self._array, np.ndarray) or self._array.flags.c_contiguous

    def contiguous(self) -> "Tensor":
        """This tensor if its storage is C-contiguous, else a C-contiguous copy
        (differentiable), as PyTorch's: the usual step before ``view`` of a transpose."""
        return self if self.is_contiguous() else ew.clone(self)
    def eq(self, other): return ew.compare("eq", self, other)
    def ne(self, other): return ew.compare("ne", self, other)
    def lt(self, other): return ew.compare("lt", self, other)
    def le(self, other): return ew.compare("le", self, other)
    def gt(self, other): return ew.compare("gt", self, other)
    def ge(self, other): return ew.compare("ge", self, other)

    def matmul(self, other):
        return linalg.matmul(self, other)

    def mm(self, mat2):
        """The product of two matrices, as ``torch.mm``: both operands 2-D (matmul
        without its broadcasting)."""
        for name, m in (("self", self), ("mat2", mat2)):
            if not isinstance(m, Tensor) or m.ndim != 2:
                raise RuntimeError(f"{name} must be a matrix")
        return linalg.matmul(self, mat2)

    def bmm(self, mat2):
        """The batched matrix product, as ``torch.bmm`` (tensor_ops/linalg.py)."""
        return linalg.bmm(self, mat2)

    # ---- in place (tensor_ops/inplace.py): written into this tensor's array ----------
    def add_(self, other, *, alpha=1): return ip.binary_("add", self, other, alpha)
    def sub_(self, other, *, alpha=1): return ip.binary_("sub", self, other, alpha)
    def mul_(self, other): return ip.binary_("mul", self, other)
    def div_(self, other): return ip.binary_("div", self, other)
    def pow_(self, exponent): return ip.binary_("pow", self, exponent)
    def neg_(self): return ip.unary_("neg", self)
    def abs_(self): return ip.unary_("abs", self)
    def exp_(self): return ip.unary_("exp", self)
    def log_(self): return ip.unary_("log", self)
    def sqrt_(self): return ip.unary_("sqrt", self)
    def relu_(self): return ip.unary_("relu", self)
    def sigmoid_(self): return ip.unary_("sigmoid", self)
    def tanh_(self): return ip.unary_("tanh", self)
    def sin_(self): return ip.unary_("sin", self)
    def cos_(self): return ip.unary_("cos", self)
    def tan_(self): return ip.unary_("tan", self)
    def sinh_(self): return ip.unary_("sinh", self)
    def cosh_(self): return ip.unary_("cosh", self)
    def clamp_(self, min=None, max=None): return ip.clamp_(self, min, max)
    clip_ = clamp_
    def addcmul_(self, tensor1, tensor2, *, value=1): return ip.addcmul_(self, tensor1, tensor2, value)
    def addcdiv_(self, tensor1, tensor2, *, value=1): return ip.addcdiv_(self, tensor1, tensor2, value)
    def fill_(self, value): return ip.fill_(self, value)
    def zero_(self): return ip.fill_(self, 0)
    def copy_(self, src, non_blocking: bool = False): return ip.copy_(self, src)

    # Without these Python would fall back to ``t = t + o``: a new tensor under the old
    # name, and the original (a model's parameter) silently untouched.
    def __iadd__(self, other): return ip.binary_("add", self, other)
    def __isub__(self, other): return ip.binary_("sub", self, other)
    def __imul__(self, other): return ip.binary_("mul", self, other)
    def __itruediv__(self, other): return ip.binary_("div", self, other)
    def __ipow__(self, other): return ip.binary_("pow", self, other)

    def softmax(self, dim: int = None, *, axis=None):
        return sm.softmax(self, dim_alias("softmax", dim, axis))

    def log_softmax(self, dim: int = None, *, axis=None):
        return sm.log_softmax(self, dim_alias("log_softmax", dim, axis))

    # ---- reductions (axis/keepdims: NumPy's names, aliases as in PyTorch) -------------
    def sum(self, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
        return red.sum(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)
    sum.__doc__ = red.sum.__doc__
    mean = _reduction(red.mean)
    max = _reduction(red.max)
    min = _reduction(red.min)
    argmax = _reduction(red.argmax)
    argmin = _reduction(red.argmin)

    # ---- shape ------------------------------------------------------------------
    def reshape(self, *shape): return shp.reshape(self, *shape)
    def view(self, *shape): return shp.reshape(self, *shape)
    def flatten(self, start_dim: int = 0, end_dim: int = -1): return shp.flatten(self, start_dim, end_dim)
    def transpose(self, dim0: int, dim1: int): return shp.transpose(self, dim0, dim1)
    def permute(self, *dims): return shp.permute(self, *dims)
    def squeeze(self, dim=None, *, axis=None): return shp.squeeze(self, dim, axis=axis)
    def unsqueeze(self, dim: int = None, *, axis=None): return shp.unsqueeze(self, dim, axis=axis)
    def expand(self, *sizes): return shp.expand(self, *sizes)
    def expand_as(self, other): return shp.expand(self, other.shape)
    def view_as(self, other): return shp.reshape(self, other.shape)

    def t(self) -> "Tensor":
        """The transpose of a matrix; a 0-d or 1-d tensor is returned as it is (PyTorch's
        ``t``)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self.ndim}D")
        return self if self.ndim < 2 else shp.transpose(self, 0, 1)

    @property
    def T(self) -> "Tensor":
        """All dims reversed (for 2-D, the transpose)."""
        return shp.permute(self, tuple(reversed(range(self.ndim))))

    def __getitem__(self, key): return shp.getitem(self, key)

    def __setitem__(self, key, value):
        """``t[key] = value`` in place, as PyTorch (``grad_h[h < 0] = 0``,
        ``t[:, 0] = v``): tensor_ops/shape.py's ``setitem``."""
        shp.setitem(self, key, value)
