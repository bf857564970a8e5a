"""Module: the base class of every layer and model, as ``torch.nn.Module``."""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import Any, Callable, Iterator

import numpy as np

from .. import dtype as dt
from .. import arrays
from ..arrays import move, to_host
from ..device import Device, device as parse_device
from ..tensor import Tensor
from ._inplace import copy_, zero_grad_
from .parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the ones it did not use."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s: str, spaces: int) -> str:
    """Indent every line but the first (nested modules in a repr)."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _quoted(keys) -> str:
    return ", ".join(f'"{k}"' for k in keys)


class Module:
    """Base class of layers and models, as ``torch.nn.Module``.

    Subclasses call ``super().__init__()`` first, then assign their layers and
    weights as attributes, and define ``forward``::

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 16, 3)        # a child module
                self.fc = nn.Linear(2704, 10)

            def forward(self, x):                      # x: (B, 1, 28, 28)
                return self.fc(F.max_pool2d(self.conv(x), 2).flatten(1))

    Assigning a :class:`Parameter` registers a parameter, a Module registers a child,
    and :meth:`register_buffer` registers a tensor that is state but not learnt
    (BatchNorm's running statistics). Those three make up ``state_dict()``, with
    PyTorch's dotted key names (``conv.weight``, ``bn.running_mean``).

    ``model(x)`` calls ``forward``. ``training`` (True after construction) is switched
    for the whole tree by :meth:`train` and :meth:`eval`; Dropout and BatchNorm read it.

    Differences from PyTorch: no hooks, no ``assign=`` in ``load_state_dict``, no
    ``_metadata`` in state dicts; ``load_state_dict`` accepts NumPy arrays besides
    tensors and checks everything before copying anything (PyTorch may have copied
    part of the checkpoint when it raises); ``to`` knows "cpu" and "cuda" and only
    minigrad's float dtypes.
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())

    # ---- calling ----------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ---- registration ---------------------------------------------------------------
    def _check_new_name(self, name: Any, kind: str, store: dict) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in store:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` (or None, a declared but absent parameter) under ``name``."""
        self._check_new_name(name, "parameter", self.__dict__.get("_parameters", {}))
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter "
                            f"'{name}' (minigrad.nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a state tensor that is not a parameter (e.g. a running mean).

        Persistent buffers appear in ``state_dict()``; a None buffer is declared but
        absent (it is skipped by state_dict, as in PyTorch).
        """
        self._check_new_name(name, "buffer", self.__dict__.get("_buffers", {}))
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(minigrad Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module under ``name`` (same as assigning the attribute)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name(name, "module", self.__dict__.get("_modules", {}))
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params, buffers, modules = d.get("_parameters"), d.get("_buffers"), d.get("_modules")

        def remove_from(*stores):
            for store in stores:
                if store is not None and name in store:
                    del store[name]

        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(d, buffers, modules)
            self._non_persistent_buffers_set.discard(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(minigrad.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            remove_from(d, params, buffers)
            self._non_persistent_buffers_set.discard(name)
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module "
                                f"'{name}' (minigrad.nn.Module or None expected)")
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(minigrad Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: parameters, buffers and children live
        # in their dicts, not in __dict__. Read __dict__ directly so a half-built
        # object (during copy.deepcopy) cannot recurse.
        d = self.__dict__
        for store_name in ("_parameters", "_buffers", "_modules"):
            store = d.get(store_name)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store_name in ("_parameters", "_buffers", "_modules"):
            store = self.__dict__.get(store_name)
            if store is not None and name in store:
                del store[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = list(super().__dir__())
        for store_name in ("_parameters", "_buffers", "_modules"):
            keys += list(self.__dict__.get(store_name, {}))
        return sorted(set(keys))

    # ---- traversal --------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """(name, module) for this module ("") and every descendant, depth first, in
        registration order; a module reachable twice is given once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, store_name: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Tensor]]:
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for mod_prefix, module in mods:
            for name, value in getattr(module, store_name).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs: this module's own parameters in registration
        order, then each child's, depth first; a shared parameter is given once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters in :meth:`named_parameters`'s order (what optimizers take)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> "Module":
        """The descendant at dotted path ``target`` ("" is this module)."""
        module = self
        if target == "":
            return module
        for part in target.split("."):
            child = module._modules.get(part)
            if not isinstance(child, Module):
                raise AttributeError(f"{type(module).__name__} has no submodule `{part}` "
                                     f"(looking up {target!r})")
            module = child
        return module

    # ---- modes and gradients --------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (``mode=True``) or evaluation mode on this module and all
        its descendants; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode (Dropout passes through, BatchNorm uses running stats)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the parameters' gradients: to None (default, as PyTorch 2), or with
        ``set_to_none=False`` fill existing gradients with zeros."""
        for p in self.parameters():
            zero_grad_(p, set_to_none)

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every descendant (children first) and then on self; returns
        self. Typical use: custom initialisation, ``model.apply(init_weights)``."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ---- devices and dtypes -----------------------------------------------------------
    def to(self, *args, **kwargs) -> "Module":
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(tensor)``:
        move/convert parameters and buffers in place (the Parameter objects stay the
        same, so an optimizer built before keeps working); returns self.

        Only floating point parameters and buffers change dtype (BatchNorm's int64
        ``num_batches_tracked`` stays int64); the dtype must be floating point
        (TypeError otherwise, as PyTorch). Devices: "cpu", and "cuda" where
        ``minigrad.cuda.is_available()`` (a RuntimeError saying so otherwise).
        """
        target_device = kwargs.pop("device", None)
        target_dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to(): unexpected keyword arguments {sorted(kwargs)}")
        if len(args) > 2:
            raise TypeError(f"to(): expected at most 2 positional arguments, got {len(args)}")
        for a in args:
            if isinstance(a, Tensor):
                target_device, target_dtype = a.device, a.dtype
            elif isinstance(a, (str, Device)):
                target_device = a
            else:
                target_dtype = a
        if target_device is not None:
            self._move(parse_device(target_device))
        if target_dtype is not None:
            target_dtype = dt.as_dtype(target_dtype)
            if not target_dtype.is_floating_point:
                raise TypeError("nn.Module.to only accepts floating point dtypes, but got "
                                f"desired dtype={target_dtype}")
            self._convert_floats(target_dtype)
        return self

    def _move(self, target: Device) -> None:
        for module in self.modules():
            for t in list(module._parameters.values()) + list(module._buffers.values()):
                if t is None:
                    continue
                # In place under the same tensor object, as for dtypes below.
                t._array = move(t._array, target)
                if t.grad is not None:
                    t.grad = Tensor._wrap(move(t.grad._array, target))

    def _convert_floats(self, target: dt.DType) -> None:
        for module in self.modules():
            for t in list(module._parameters.values()) + list(module._buffers.values()):
                if t is None or not t.dtype.is_floating_point or t.dtype is target:
                    continue
                # Change the array under the same tensor object: parameters keep their
                # identity, as PyTorch's ``param.data = fn(param.data)``.
                t._array = arrays.cast(t._array, target.np)
                if t.grad is not None:
                    t.grad = Tensor._wrap(arrays.cast(t.grad._array, target.np))

    def cpu(self) -> "Module":
        return self.to("cpu")

    def cuda(self, device: Any = None) -> "Module":
        return self.to("cuda" if device is None else
                       (f"cuda:{device}" if isinstance(device, int) else device))

    def float(self) -> "Module":
        return self.to(dt.float32)

    def double(self) -> "Module":
        return self.to(dt.float64)

    # ---- state ------------------------------------------------------------------------
    def _local_state(self) -> "OrderedDict[str, Tensor]":
        """This module's own entries of the state dict: parameters, then persistent
        buffers, skipping None (PyTorch's order)."""
        state = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                state[name] = p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                state[name] = b
        return state

    def _state_items(self, prefix: str) -> Iterator[tuple[str, Tensor, "Module"]]:
        # Children are not de-duplicated: a module registered under two names appears
        # under both, as in PyTorch's state_dict.
        for name, t in self._local_state().items():
            yield prefix + name, t, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child._state_items(prefix + name + ".")

    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """The module's state: an ordered dict from dotted names (PyTorch's keys, e.g.
        ``conv1.weight``, ``bn.running_var``) to tensors.

        The tensors share memory with the module (as PyTorch's detached tensors do):
        copy them (``{k: v.numpy().copy() ...}``) to keep a snapshot. With
        ``keep_vars=True`` the Parameter objects themselves are returned.
        """
        out = OrderedDict() if destination is None else destination
        for key, t, _ in self._state_items(prefix):
            out[key] = t if keep_vars else Tensor._wrap(t._array)
        return out

    # Local state keys a checkpoint may lack without being reported missing (the
    # module keeps its current value); BatchNorm's num_batches_tracked, as PyTorch
    # does for state dicts without version metadata.
    _optional_state_keys: frozenset = frozenset()

    def load_state_dict(self, state_dict: Mapping, strict: bool = True) -> _IncompatibleKeys:
        """Copy ``state_dict``'s values into the parameters and buffers, in place.

        Values may be minigrad Tensors or NumPy arrays (e.g. an ``np.load``-ed
        ``.npz``); each is converted to the existing tensor's dtype. Every key is
        checked first and nothing is copied unless all is well:

        - a value of the wrong shape, or that is not a tensor/array: RuntimeError
          naming the key (also with ``strict=False``, as PyTorch);
        - with ``strict=True`` (default), keys of the module missing from
          ``state_dict`` and keys of ``state_dict`` the module does not have:
          RuntimeError listing them, in PyTorch's words.

        Returns ``(missing_keys, unexpected_keys)`` (both empty when strict).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        if not isinstance(strict, bool):
            raise TypeError(f"strict: expected a bool, got {type(strict).__name__}")
        errors: list[str] = []
        missing: list[str] = []
        plan: list[tuple[Tensor, np.ndarray]] = []
        expected = set()
        for key, target, owner in self._state_items(""):
            expected.add(key)
            if key not in state_dict:
                if key.rsplit(".", 1)[-1] not in owner._optional_state_keys:
                    missing.append(key)
                continue
            value = state_dict[key]
            if isinstance(value, Tensor):
                array = to_host(value._array)
            elif isinstance(value, (np.ndarray, np.generic)):
                array = np.asarray(value)
            else:
                errors.append(f'While copying the parameter named "{key}", expected a minigrad '
                              f"Tensor or a NumPy array from checkpoint but received {type(value)}")
                continue
            if array.dtype.kind not in "biuf":
                errors.append(f'While copying the parameter named "{key}", expected a numeric '
                              f"array but got dtype {array.dtype}")
            elif array.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{tuple(array.shape)} from checkpoint, the shape in current "
                              f"model is {tuple(target.shape)}.")
            else:
                plan.append((target, array))
        unexpected = [k for k in state_dict if k not in expected]
        if strict:
            if unexpected:
                errors.insert(0, f"Unexpected key(s) in state_dict: {_quoted(unexpected)}. ")
            if missing:
                errors.insert(0, f"Missing key(s) in state_dict: {_quoted(missing)}. ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        for target, array in plan:
            # In place on every device: the same array, new values in its dtype.
            copy_(target, np.asarray(array, dtype=target._array.dtype))
        return _IncompatibleKeys(missing, unexpected)

    # ---- repr ---------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr line; override it."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2)
                       for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
