"""Lazy layers, as torch.nn's: LazyLinear, LazyConv2d and LazyBatchNorm2d infer their
input size (in_features, in_channels, num_features) from the first input they see, and
then become the ordinary layer (Linear, Conv2d, BatchNorm2d: the module's class
changes, PyTorch's ``cls_to_become``).

Until that first call their parameters (and BatchNorm's running statistics) are
:class:`UninitializedParameter` / :class:`UninitializedBuffer`: empty placeholders
that know their dtype and device but not their shape. The first call
*materializes* them in place: the same Parameter objects get arrays of the right
shape and become plain Parameters, and the layer's usual initialisation fills them
(from the global generator at that moment, so a network with lazy layers draws its
weights in another order than the same network without). Hence, as in PyTorch:

- move and convert the model (``model.to("cuda")``, ``model.double()``) before the
  first call; the placeholders follow, and the weights are created there;
- then run a "dry run", one batch of the right size, to initialise every lazy layer;
- PyTorch's docs build the optimizer after the dry run. An optimizer built before it
  also works here (as in PyTorch): it holds the same Parameter objects, which the dry
  run fills in place, and its state is created at its first step.

Differences from PyTorch: no hooks, so ``load_state_dict`` materializes placeholders
only when called on the lazy layer itself (PyTorch's pre-hook also does it when a
parent module loads); a lazy layer's ``state_dict()`` holds empty tensors for the
placeholders (PyTorch: the UninitializedParameter objects).
"""
from __future__ import annotations

from typing import Any

from ... import arrays
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter
from ._factory import param_dtype
from .batchnorm import BatchNorm2d
from .conv import Conv2d
from .linear import Linear

# As torch.nn: the layers and the placeholders (LazyModuleMixin stays in this module,
# as PyTorch keeps it in torch.nn.modules.lazy).
__all__ = ["LazyLinear", "LazyConv2d", "LazyBatchNorm2d", "UninitializedParameter",
           "UninitializedBuffer"]

_SHAPE_MESSAGE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually "
    "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
    "initialized one. Call `forward` to initialize the parameters before accessing their "
    "attributes.")


class _Uninitialized:
    """What the placeholders share: an empty array of the right dtype and device, no
    shape, and :meth:`materialize`."""

    __slots__ = ()
    cls_to_become: type = Tensor

    @property
    def shape(self):
        raise RuntimeError(_SHAPE_MESSAGE)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give this placeholder an array of ``shape`` (on its device, in its dtype,
        unless given) and turn it into a ``cls_to_become`` (Parameter or Tensor), in
        place: everything that holds this object sees the real tensor."""
        device = self.device if device is None else device
        dtype = param_dtype(None, dtype) if dtype is not None else self.dtype
        # Zeros rather than PyTorch's uninitialised memory; the layer then initialises.
        self._array = arrays.full(tuple(int(s) for s in shape), 0, dtype.np, device)
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter whose shape is not known yet, as ``torch.nn.UninitializedParameter``:
    a lazy layer's weight before its first call. It has a dtype and a device (and
    follows ``module.to``), but no shape (RuntimeError, PyTorch's); ``materialize(shape)``
    makes it a plain Parameter."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        np_dtype = param_dtype(device, dtype).np
        self._init(arrays.full((0,), 0, np_dtype, _device(device)), requires_grad=requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape is not known yet, as ``torch.nn.UninitializedBuffer``
    (LazyBatchNorm2d's running statistics); ``materialize(shape)`` makes it a Tensor."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device=None, dtype=None):
        np_dtype = param_dtype(device, dtype).np
        self._init(arrays.full((0,), 0, np_dtype, _device(device)), requires_grad=requires_grad)


def _device(device):
    from ...device import CPU, device as parse_device
    return CPU if device is None else parse_device(device)


def is_lazy(value: Any) -> bool:
    """True for an UninitializedParameter or UninitializedBuffer."""
    return isinstance(value, _Uninitialized)


class LazyModuleMixin:
    """The mixin of the lazy layers, as ``torch.nn.modules.lazy.LazyModuleMixin``: the
    first call runs ``initialize_parameters(*args)`` (without recording gradients),
    checks that nothing is left uninitialized, turns the module into
    ``cls_to_become`` and then runs its forward. Put it first among the bases:
    ``class LazyLinear(LazyModuleMixin, Linear)``."""

    cls_to_become: type | None = None

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer of this module is still a placeholder."""
        state = list(self._parameters.values()) + list(self._buffers.values())
        return any(is_lazy(t) for t in state)

    def initialize_parameters(self, *args, **kwargs) -> None:
        """Infer the sizes from the inputs and materialize the placeholders (those a
        ``load_state_dict`` has not materialized already); subclasses define it."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {type(self).__name__}")

    def __call__(self, *args, **kwargs):
        # Only ever runs while the module is still lazy: the class change below ends it
        # (PyTorch removes its pre-hook).
        with no_grad():
            self.initialize_parameters(*args, **kwargs)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become
        return Module.__call__(self, *args, **kwargs)

    def load_state_dict(self, state_dict, strict: bool = True):
        """Materialize each placeholder that ``state_dict`` has a value for with that
        value's shape, then load as any module (PyTorch's ``_lazy_load_hook``)."""
        with no_grad():
            for store in (self._parameters, self._buffers):
                for name, t in store.items():
                    value = state_dict.get(name) if hasattr(state_dict, "get") else None
                    if is_lazy(t) and value is not None and not is_lazy(value) \
                            and hasattr(value, "shape"):
                        t.materialize(tuple(value.shape))
        return Module.load_state_dict(self, state_dict, strict)


def _first_tensor(args, name: str) -> Tensor:
    if not args or not isinstance(args[0], Tensor):
        got = type(args[0]).__name__ if args else "nothing"
        raise TypeError(f"{name}: expected a Tensor input, got {got}")
    return args[0]


class LazyLinear(LazyModuleMixin, Linear):
    """A :class:`~minigrad.nn.Linear` whose ``in_features`` is inferred from the first
    input's last dim, as ``torch.nn.LazyLinear``; it then becomes a Linear. Until then
    ``weight`` and ``bias`` are :class:`UninitializedParameter` (see this module's
    docstring for the dry run).

    Shapes: input (*, in_features) -> output (*, out_features); weight (out_features,
    in_features), initialised as Linear's (U(-1/sqrt(in_features), 1/sqrt(in_features))).

    Args:
        out_features: a non-negative int. bias: add a learnt bias (default True).
        device, dtype: where and in which float dtype the parameters will be made.
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None):
        # Linear's checks on an empty layer, then placeholders for its weights.
        super().__init__(0, out_features, bias, None, dtype)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        """in_features = input.shape[-1]; materialize and initialise the weights."""
        input = _first_tensor((input,), "LazyLinear")
        if input.ndim == 0:
            raise ValueError("LazyLinear: expected an input of at least 1 dim (*, in_features), "
                             "got a 0-d tensor")
        self.in_features = int(input.shape[-1])
        if self.has_uninitialized_params():
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()


class LazyConv2d(LazyModuleMixin, Conv2d):
    """A :class:`~minigrad.nn.Conv2d` whose ``in_channels`` is inferred from the first
    input, as ``torch.nn.LazyConv2d``: C of a (B, C, H, W) or unbatched (C, H, W) input;
    it then becomes a Conv2d. Until then ``weight`` and ``bias`` are
    :class:`UninitializedParameter` (see this module's docstring for the dry run).

    Args: as Conv2d's without ``in_channels``: out_channels, kernel_size, stride=1,
    padding=0, dilation=1, groups=1, bias=True, padding_mode="zeros", device, dtype.
    Weight (out_channels, in_channels // groups, kH, kW), initialised as Conv2d's.

    Raises (at the first call) ValueError for an input that is not 3-D or 4-D, or whose
    channels are not divisible by ``groups``.
    """

    cls_to_become = Conv2d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None):
        # Conv2d's checks with a stand-in in_channels (groups: the smallest it accepts);
        # its weights are replaced by placeholders and it draws no random numbers.
        object.__setattr__(self, "_lazy_building", True)
        super().__init__(groups if isinstance(groups, int) and groups > 0 else 1, out_channels,
                         kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         None, dtype)
        object.__delattr__(self, "_lazy_building")
        self.in_channels = 0
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if (not self.__dict__.get("_lazy_building") and not self.has_uninitialized_params()
                and self.in_channels != 0):
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        """in_channels from the input; materialize and initialise the weights."""
        input = _first_tensor((input,), "LazyConv2d")
        if input.ndim not in (3, 4):
            raise ValueError("Expected 3D (unbatched) or 4D (batched) input to LazyConv2d, but "
                             f"got input of size: {list(input.shape)}")
        c = int(input.shape[0] if input.ndim == 3 else input.shape[1])
        if c % self.groups:
            raise ValueError(f"in_channels must be divisible by groups: in_channels={c}, "
                             f"groups={self.groups}")
        self.in_channels = c
        if self.has_uninitialized_params():
            self.weight.materialize((self.out_channels, c // self.groups) + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


class LazyBatchNorm2d(LazyModuleMixin, BatchNorm2d):
    """A :class:`~minigrad.nn.BatchNorm2d` whose ``num_features`` is inferred from the
    first (B, C, H, W) input's C, as ``torch.nn.LazyBatchNorm2d``; it then becomes a
    BatchNorm2d. Until then ``weight``, ``bias`` are :class:`UninitializedParameter` and
    ``running_mean``, ``running_var`` :class:`UninitializedBuffer` (num_batches_tracked is
    an ordinary 0 from the start).

    Args: as BatchNorm2d's without num_features: eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True, device, dtype.
    """

    cls_to_become = BatchNorm2d

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None):
        super().__init__(1, eps, momentum, affine, track_running_stats, device, dtype)
        self.num_features = 0
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        """num_features = input.shape[1]; materialize and reset the state."""
        input = _first_tensor((input,), "LazyBatchNorm2d")
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")
        self.num_features = int(input.shape[1])
        if self.has_uninitialized_params():
            for t in (self.weight, self.bias, self.running_mean, self.running_var):
                if t is not None:
                    t.materialize((self.num_features,))
            self.reset_parameters()
