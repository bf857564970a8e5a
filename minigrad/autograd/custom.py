"""``minigrad.autograd.Function``: an op written as a Python class, as
``torch.autograd.Function``.

    class Exp(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):              # x: (N,) -> y: (N,), y = e^x
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_y):        # dL/dx = dL/dy * e^x
            (y,) = ctx.saved_tensors
            return grad_y * y

    y = Exp.apply(x)                      # y.grad_fn.name() == "ExpBackward"

``Function.apply(*args, **kwargs)`` runs ``forward`` with grad mode off (its tensor ops
are not recorded: each dispatches itself to the inputs' device; or it works on arrays,
``x.numpy()``) and, when grad mode is on and a tensor argument requires grad, records
ONE node on the tape, an instance of ``<Name>Backward`` (a subclass of
:class:`BackwardFunction`, made per Function class as PyTorch does). That node is an
ordinary :class:`~minigrad.autograd.node.Node`: the engine orders it, frees it after
backward unless ``retain_graph``, and ``next_functions``, hooks and ``autograd.grad``
see it as any other. Its backward calls ``backward(ctx, *grad_outputs)`` with grad
mode off, one gradient Tensor per output (zeros for an output that got none, unless
``ctx.set_materialize_grads(False)``: then None), and takes one gradient (Tensor or
None) per argument of forward: PyTorch's checks and messages for the count, the type,
the shape (a gradient that broadcasts to a bigger shape is summed back, as PyTorch
does) and the device.

ctx: ``save_for_backward(*tensors)`` and ``saved_tensors`` (version-checked when read:
a saved tensor modified in place since raises the engine's "modified by an inplace
operation" error; read after the node was freed, PyTorch's "backward through the graph
a second time" error), ``needs_input_grad``, ``mark_non_differentiable``, ``mark_dirty``,
``set_materialize_grads`` and any attribute of your own. The new-style split
(``forward(*args)`` without ctx plus ``setup_context(ctx, inputs, output)``) works too.

Differences from PyTorch: backward runs with grad mode off, so no double backward
(``create_graph=True`` is refused by the engine); the ctx is not the node itself (the
node forwards unknown attributes to it, so ``y.grad_fn.saved_tensors`` still works);
each differentiable output of a multi-output Function has its own small node (its
``grad_fn``), which names itself after the Function and hands its gradient to the
Function's node, so ``u.grad_fn is v.grad_fn`` is False where PyTorch says True (their
consumers' ``next_functions`` do name the Function's node and the output index, as
PyTorch's). No forward-mode ``jvp``, no ``vmap``.
"""
from __future__ import annotations

import functools
import inspect
import weakref

from .. import arrays
from .. import dtype as dt
from .. import tensor as _tensor  # by module: the tensor imports the tape
from ..ops._attrs import NONE
from . import version
from .function import common_device
from .grad_mode import is_grad_enabled, no_grad
from .node import _FREED_MSG, Node

_FREED = object()  # ctx._saved after the node was freed


class FunctionCtx:
    """The ``ctx`` of forward and backward: what forward leaves for backward. Not
    slotted: ``ctx.anything = value`` is yours (PyTorch's advice: non-tensors there,
    tensors through ``save_for_backward``)."""

    needs_input_grad: tuple = ()
    materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        """Keep ``tensors`` (or None) for backward, as ``ctx.saved_tensors``; their
        version counters are read when forward returns and checked when read."""
        self.to_save = tensors

    def mark_dirty(self, *tensors) -> None:
        """Declare the inputs forward modified in place (they must be returned): each
        takes this call's node as its history and one more version."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that get no gradient (indices, masks): they do not require grad and
        backward receives zeros (or None, see set_materialize_grads) for them."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """True (default): an output without a gradient gets zeros in backward; False:
        it gets None."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to save_for_backward, checked against in-place writes."""
        saved = getattr(self, "_saved", ())
        if saved is _FREED:
            raise RuntimeError(_FREED_MSG)
        Tensor = _tensor.Tensor
        out = []
        for record in saved:
            if record is None:
                out.append(None)
                continue
            held, entry = record
            if entry[0].value != entry[1]:
                raise version.modified(self._node(), entry)
            if not isinstance(held, Tensor):  # an output, kept as its array (no cycle)
                held = Tensor._wrap(held)
                held._ver = entry[0]
            out.append(held)
        return tuple(out)


class BackwardFunction(Node):
    """The tape's node of one ``Function.apply`` call. ``ctx`` is the call's
    FunctionCtx; ``positions`` the argument index of each tensor input (one edge each);
    ``outputs`` (shape, dtype, device) per output, None for a non-tensor one, for the
    zeros of an output without a gradient; ``n_args`` how many gradients backward must
    return. Unknown attributes are read from ctx (PyTorch's grad_fn is its ctx)."""

    __slots__ = ("ctx", "positions", "outputs", "n_args")
    _forward_cls = None

    def name(self) -> str:
        return type(self).__name__

    def __getattr__(self, name):
        if name.startswith("__") or name in ("ctx", "positions", "outputs", "n_args"):
            raise AttributeError(name)
        return getattr(self.ctx, name)

    def run(self, grad):
        """``grad``: one array (a single output) or a list (a multi-output Function:
        None where an output got nothing); returns one array or None per edge."""
        if self.backward is None:
            raise RuntimeError(_FREED_MSG)
        Tensor = _tensor.Tensor
        ctx = self.ctx
        grads = [grad] if type(grad) is not list else grad
        grad_outputs = []
        for g, meta in zip(grads, self.outputs):
            if g is None and meta is not None and ctx.materialize_grads:
                g = arrays.full(meta[0], 0, meta[1], meta[2])
            grad_outputs.append(None if g is None else Tensor._wrap(g))
        result = self._forward_cls.backward(ctx, *grad_outputs)
        kept = _Arrays([*grad_outputs, *(r[0] for r in ctx._saved or () if r is not None)])
        result = result if type(result) is tuple else (result,)
        name = self.name()
        if len(result) < self.n_args or any(r is not None for r in result[self.n_args:]):
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {self.n_args}, got {len(result)})")
        out = []
        for p, edge in zip(self.positions, self.edges):
            g = result[p]
            if g is None or edge is None:
                out.append(None)
                continue
            if not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got "
                                   f"{type(g).__module__}.{type(g).__name__})")
            shape = tuple(edge.shape if isinstance(edge, Node) else edge._array.shape)
            if tuple(g.shape) != shape:
                g = _sum_to(g, shape, name, p)
            device = edge.device if isinstance(edge, Node) else edge.device.type
            if g.device.type != device:
                raise RuntimeError(f"Function {name} returned an invalid gradient at index "
                                   f"{p} - expected device {device} but got {g.device.type}")
            array = g._array
            if array in kept or any(array is o for o in out):
                # The engine keeps a kernel's new array as a leaf's .grad; one that is
                # also a gradient handed in, a saved tensor or another input's gradient
                # must not become it.
                array = arrays.copy(array)
            out.append(array)
        return out

    def free(self) -> None:
        self.saved = None
        if self.ctx._saved:  # as PyTorch: a second backward fails only if it saved tensors
            self.ctx._saved = _FREED
            self.backward = None


class OutputNode(Node):
    """The node of output ``index`` of a multi-output Function (its ``grad_fn``): the
    engine hands its complete gradient to the Function's node (``pre.slot``), which
    runs once with all of them. Named after the Function."""

    __slots__ = ("function", "index")

    def name(self) -> str:
        return self.function.name()

    @property
    def next_functions(self) -> tuple:
        return self.function.next_functions

    def function_and_index(self) -> tuple:
        return (self.function, self.index)

    def __getattr__(self, name):
        if name.startswith("__") or name in ("function", "index"):
            raise AttributeError(name)
        return getattr(self.function, name)


class _Arrays:
    """Identity membership (``in``) over the arrays of some Tensors or arrays."""

    def __init__(self, items):
        Tensor = _tensor.Tensor
        self.ids = {id(t._array if isinstance(t, Tensor) else t) for t in items if t is not None}

    def __contains__(self, array) -> bool:
        return id(array) in self.ids


def _sum_to(g, shape: tuple, name: str, index: int):
    """A gradient of a broadcast shape summed back to the input's ``shape`` (PyTorch
    accepts it); any other shape is PyTorch's error."""
    gshape = tuple(g.shape)
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s not in (1, n) for s, n in zip(shape, gshape[lead:])):
        raise RuntimeError(f"Function {name} returned an invalid gradient at index {index} - "
                           f"got {list(gshape)} but expected shape compatible with {list(shape)}")
    dims = tuple(range(lead)) + tuple(lead + i for i, (s, n) in
                                      enumerate(zip(shape, gshape[lead:])) if s == 1 and n != 1)
    return g.sum(dims, keepdim=True).reshape(shape) if dims else g.reshape(shape)


def _has_setup_context(cls) -> bool:
    return cls.setup_context is not Function.setup_context


class Function:
    """Base class of a user's differentiable op (see the module docstring): define
    static ``forward(ctx, *args, **kwargs)`` and ``backward(ctx, *grad_outputs)``, call
    ``YourFunction.apply(*args)``."""

    _backward_cls = BackwardFunction

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # One node class per Function, as PyTorch's FunctionMeta: its name is the node's.
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardFunction,),
                                 {"__slots__": (), "_forward_cls": cls})
        cls._signature = None

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs: tuple, output) -> None:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    @classmethod
    def vjp(cls, ctx, *grad_outputs):
        """PyTorch's alias of backward."""
        return cls.backward(ctx, *grad_outputs)

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward and, when some tensor argument requires grad (grad mode on),
        record one node; returns what forward returned."""
        if cls is Function:
            raise RuntimeError("apply() of the base autograd.Function: subclass it")
        new_style = _has_setup_context(cls)
        if kwargs or new_style:
            # Keyword arguments become positional ones (each gets a gradient slot), as
            # PyTorch binds them; setup_context sees the defaults too.
            if cls._signature is None:
                cls._signature = inspect.signature(cls.forward)
            head = () if new_style else (None,)
            bound = cls._signature.bind(*head, *args, **kwargs)
            if new_style:
                bound.apply_defaults()
            args, kwargs = bound.args[len(head):], bound.kwargs
        Tensor = _tensor.Tensor
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        record = is_grad_enabled() and any(args[i]._requires_grad for i in positions)
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(record and isinstance(a, Tensor) and a._requires_grad
                                     for a in args)
        with no_grad():
            if new_style:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if not record:
            return output
        return _record(cls, ctx, args, positions, output)


def _record(cls, ctx, args, positions, output):
    """Attach the node of this call to forward's ``output``; returns the outputs."""
    Tensor = _tensor.Tensor
    outs = list(output) if type(output) is tuple else [output]
    inputs = [args[i] for i in positions]
    dirty = getattr(ctx, "dirty_tensors", ())
    for t in dirty:
        if not any(t is o for o in outs):
            raise RuntimeError("Some elements marked as dirty during the forward method were "
                               "not returned as output. The inputs that are modified inplace "
                               "must all be outputs of the Function.")
        if t._requires_grad and t._node is None:
            raise RuntimeError("a leaf Variable that requires grad has been used in an "
                               "in-place operation.")
    non_diff = getattr(ctx, "non_differentiable", ())
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            continue
        if any(o is d for d in dirty):
            version.bump(o)  # PyTorch counts the write of a dirty input
        elif any(o is t for t in args) or o._node is not None or o._requires_grad:
            # An input (or a tensor with a history) returned as it is: a new alias of its
            # storage takes the history, as PyTorch's view of it.
            alias = Tensor._wrap(o._array)
            version.share(alias, o)
            outs[k] = alias

    device = common_device(inputs)
    node = cls._backward_cls.__new__(cls._backward_cls)
    needs = tuple(t._requires_grad for t in inputs)
    edges = tuple((t._node or t) if need else None for t, need in zip(inputs, needs))
    meta = tuple((tuple(o.shape), o._array.dtype, o.device) if isinstance(o, Tensor) else None
                 for o in outs)
    first = next((o for o in outs if isinstance(o, Tensor)), None)
    shape, dtype = (tuple(first.shape), first.dtype) if first is not None else ((), dt.float32)
    Node.__init__(node, cls.__name__, "python", device, NONE, edges, cls.backward, None,
                  needs, shape, dtype)
    node.ctx, node.positions, node.outputs, node.n_args = ctx, positions, meta, len(args)
    ctx._node = weakref.ref(node)

    differentiable = [k for k, o in enumerate(outs) if isinstance(o, Tensor)
                      and o.dtype.is_floating_point and not any(o is d for d in non_diff)]
    if len(outs) == 1 and differentiable:
        outs[0]._node = node
        outs[0]._requires_grad = True
    else:
        for k in differentiable:
            o = outs[k]
            proxy = OutputNode.__new__(OutputNode)
            Node.__init__(proxy, cls.__name__, "python", device, NONE, (node,), None, None,
                          (True,), tuple(o.shape), o.dtype)
            proxy.function, proxy.index = node, k
            proxy.pre = _slot_pre(node, k, len(outs))
            o._node = proxy
            o._requires_grad = True

    # The saved tensors' versions now that forward has returned (PyTorch's moment); an
    # output is kept as its array: the output holds the node, which must not hold it.
    saved = []
    for t in getattr(ctx, "to_save", ()):
        if t is None:
            saved.append(None)
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"save_for_backward can only save variables, but argument "
                            f"{len(saved)} is of type {type(t).__name__}")
        v = version.of(t)
        entry = (v, v.value, tuple(t.shape), t.dtype)
        is_output = any(t is o for o in outs) and t._node is not None
        saved.append((t._array if is_output else t, entry))
    ctx._saved = tuple(saved)
    ctx.__dict__.pop("to_save", None)
    return tuple(outs) if type(output) is tuple else outs[0]


def _slot_pre(node, index: int, n: int):
    from .hooks import Pre
    pre = Pre()
    pre.slot = (node, index, n)
    return pre


def once_differentiable(fn):
    """PyTorch's decorator for a backward that cannot be differentiated again. minigrad
    never records backward (grad mode is off there), so it only makes sure of that."""
    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        with no_grad():
            return fn(ctx, *args, **kwargs)
    return wrapper
