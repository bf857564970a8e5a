"""Containers: Sequential (a chain of layers), ModuleList and ModuleDict (a list and a
dict of layers), ParameterList and ParameterDict (a list and a dict of parameters)."""
from __future__ import annotations

import operator
from collections import OrderedDict, abc
from typing import Any, Iterable, Iterator

from ...tensor import Tensor
from ..module import Module, _addindent
from ..parameter import Parameter

__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential"]


def _index(idx, n: int) -> int:
    """A list index in [-n, n) -> [0, n); IndexError as PyTorch otherwise."""
    try:
        i = operator.index(idx)
    except TypeError:
        raise TypeError(f"index: expected an int or a slice, got {type(idx).__name__}") from None
    if not -n <= i < n:
        raise IndexError(f"index {idx} is out of range")
    return i % n


class Sequential(Module):
    """Layers called one after the other, as ``torch.nn.Sequential``::

        net = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(2704, 10))
        net(x)            # x: (B, 1, 28, 28) -> (B, 10)

    Children are named "0", "1", ... (state_dict keys ``0.weight``, ``4.bias``), or by
    the keys of an OrderedDict given as the only argument. Supports ``len``,
    iteration, ``net[i]`` (negative too), ``net[a:b]`` (a new Sequential with the same
    layers and names), assignment and ``del`` by index, ``append``, ``extend`` and
    ``insert``. After ``del`` or ``insert`` the children are renumbered, as PyTorch.
    """

    def __init__(self, *args: Module | "OrderedDict[str, Module]"):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self:
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: int | slice) -> "Module":
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return type(self)(OrderedDict(items[idx]))
        return items[_index(idx, len(items))][1]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_index(idx, len(self))]
        self.add_module(key, module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        for key in (keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys))]]):
            del self._modules[key]
        # Renumber, as PyTorch: "0", "1", ... stay consecutive.
        modules = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module

    def append(self, module: Module) -> "Sequential":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "Sequential":
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> "Sequential":
        """Put ``module`` before position ``index`` (in [-len, len])."""
        if not isinstance(module, Module):
            raise TypeError(f"module should be of type Module, got {type(module).__name__}")
        modules = list(self._modules.values())
        n = len(modules)
        if not -n <= operator.index(index) <= n:
            raise IndexError(f"Index out of range: {index}")
        modules.insert(index if index >= 0 else index + n, module)
        self._modules.clear()
        for i, m in enumerate(modules):
            self._modules[str(i)] = m
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered, as ``torch.nn.ModuleList``
    (a plain Python list would hide them from ``parameters()`` and ``state_dict()``).

    Children are named "0", "1", ...; supports ``len``, iteration, indexing and
    slicing (a new ModuleList), assignment and ``del`` (renumbering), ``append``,
    ``extend``, ``insert`` and ``+=``. It has no ``forward``: call its elements.
    Its repr groups equal consecutive entries (``(0-2): 3 x ReLU()``), as PyTorch.
    """

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: int | slice) -> "Module":
        values = list(self._modules.values())
        if isinstance(idx, slice):
            return type(self)(values[idx])
        return values[_index(idx, len(values))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(_index(idx, len(self))), module)

    def __delitem__(self, idx: int | slice) -> None:
        values = list(self._modules.values())
        if isinstance(idx, slice):
            del values[idx]
        else:
            del values[_index(idx, len(values))]
        self._modules.clear()
        for i, module in enumerate(values):
            self._modules[str(i)] = module

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        if not isinstance(modules, abc.Iterable):
            raise TypeError("ModuleList.extend should be called with an iterable, but got "
                            f"{type(modules).__name__}")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"module should be of type Module, got {type(module).__name__}")
        values = list(self._modules.values())
        values.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(values):
            self._modules[str(i)] = m

    def __repr__(self) -> str:
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        blocks: list[list] = []  # [start, end, repr] of runs of equal reprs
        for i, r in enumerate(reprs):
            if blocks and blocks[-1][2] == r:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = []
        for start, end, r in blocks:
            head = f"({start})" if start == end else f"({start}-{end}): {end - start + 1} x"
            lines.append(_addindent(f"{head}: {r}" if start == end else f"{head} {r}", 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


def _pairs(values, owner: str) -> Iterable[tuple]:
    """The (key, value) pairs of a mapping (in its order) or of an iterable of pairs,
    as the dict containers' ``update`` takes them; TypeError otherwise (PyTorch's)."""
    if isinstance(values, (abc.Mapping, ModuleDict, ParameterDict)):
        return list(values.items())
    if not isinstance(values, abc.Iterable):
        raise TypeError(f"{owner}.update should be called with an iterable of key/value pairs, "
                        f"but got {type(values).__name__}")
    pairs = []
    for j, pair in enumerate(values):
        if not isinstance(pair, abc.Iterable):
            raise TypeError(f"{owner} update sequence element #{j} should be Iterable; is "
                            f"{type(pair).__name__}")
        pair = tuple(pair)
        if len(pair) != 2:
            raise ValueError(f"{owner} update sequence element #{j} has length {len(pair)}; "
                             "2 is required")
        pairs.append(pair)
    return pairs


class ModuleDict(Module):
    """A dict of modules whose parameters are registered, as ``torch.nn.ModuleDict``::

        heads = nn.ModuleDict({"cls": nn.Linear(64, 10), "box": nn.Linear(64, 4)})
        heads["cls"](features)

    Keys are the children's names (state_dict keys ``cls.weight``), in insertion
    order. Supports ``len``, iteration over the keys, ``in``, ``d[key]`` (KeyError
    when absent), assignment and ``del``, ``keys``, ``values``, ``items``, ``pop``,
    ``clear`` and ``update`` (a mapping, or an iterable of (key, module) pairs). It has
    no ``forward``: call its elements.
    """

    def __init__(self, modules: "abc.Mapping[str, Module] | Iterable | None" = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove ``key`` and return its module (KeyError when absent)."""
        module = self[key]
        del self[key]
        return module

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules) -> None:
        """Add or replace the modules of a mapping or of an iterable of (key, module)
        pairs, in their order."""
        for key, module in _pairs(modules, "ModuleDict"):
            self[key] = module


def _as_parameter(value: Any) -> Any:
    # A plain Tensor becomes a Parameter over the same storage, as PyTorch's containers
    # do; other objects are kept as they are (stored as plain attributes).
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _parameter_line(key, value) -> str:
    """One line of the parameter containers' repr, PyTorch's format."""
    if not isinstance(value, Tensor):
        return f"  ({key}): Object of type: {type(value).__name__}"
    size = "x".join(str(s) for s in value.shape)
    device = f" ({value.device})" if value.device.type != "cpu" else ""
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    return f"  ({key}): {kind} containing: [{value.dtype} of size {size}{device}]"


class ParameterList(Module):
    """A list of parameters that a module registers, as ``torch.nn.ParameterList``
    (a plain Python list would hide them from ``parameters()`` and ``state_dict()``)::

        self.scales = nn.ParameterList([nn.Parameter(minigrad.ones(d)) for d in dims])

    Entries are named "0", "1", ... (state_dict keys ``scales.0``). A plain Tensor
    given to it becomes a Parameter (sharing its storage), as PyTorch. Supports
    ``len``, iteration, ``p[i]`` (negative too; IndexError out of range), ``p[a:b]``
    (a new ParameterList of the same parameters), assignment by index, ``append``,
    ``extend`` and ``+=``.
    """

    def __init__(self, values: Iterable | None = None):
        super().__init__()
        object.__setattr__(self, "_size", 0)
        if values is not None:
            self += values

    def _key(self, idx) -> str:
        return str(_index(idx, self._size))

    def __getitem__(self, idx: int | slice):
        if isinstance(idx, slice):
            return type(self)([self[i] for i in range(self._size)[idx]])
        return getattr(self, self._key(idx))

    def __setitem__(self, idx: int, value: Any) -> None:
        setattr(self, self._key(idx), _as_parameter(value))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator:
        return (self[i] for i in range(self._size))

    def __iadd__(self, values: Iterable) -> "ParameterList":
        return self.extend(values)

    def __dir__(self):
        return [k for k in super().__dir__() if not k.isdigit()]

    def append(self, value: Any) -> "ParameterList":
        object.__setattr__(self, "_size", self._size + 1)
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable) -> "ParameterList":
        # A Tensor is iterable too, but is one value, not a list of them.
        if not isinstance(values, abc.Iterable) or isinstance(values, Tensor):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            f"{type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_parameter_line(i, p) for i, p in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dict of parameters that a module registers, as ``torch.nn.ParameterDict``::

        self.gains = nn.ParameterDict({"left": nn.Parameter(minigrad.ones(3))})

    Keys (strings) are the parameters' names (state_dict keys ``gains.left``), in
    insertion order; a plain Tensor becomes a Parameter, as PyTorch. Supports ``len``,
    iteration over the keys, ``in``, ``d[key]``, assignment and ``del``, ``keys``,
    ``values``, ``items``, ``get``, ``pop``, ``popitem``, ``setdefault``, ``clear``,
    ``copy``, ``fromkeys`` and ``update``.

    Differences from PyTorch: a missing key raises KeyError (PyTorch: AttributeError,
    from its attribute lookup); the repr names the dtype as ParameterList's does
    (``minigrad.float32``; PyTorch prints the legacy ``torch.FloatTensor`` here).
    """

    def __init__(self, parameters: "abc.Mapping | Iterable | None" = None):
        super().__init__()
        object.__setattr__(self, "_keys", {})
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str):
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"parameter name should be a string, got {type(key).__name__}")
        setattr(self, key, _as_parameter(value))
        self._keys[key] = None

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self):
        return self._keys.keys()

    def items(self):
        return [(k, self[k]) for k in self._keys]

    def values(self):
        return [self[k] for k in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple:
        """Remove and return the last inserted (key, parameter) (KeyError when empty)."""
        if not self._keys:
            raise KeyError("popitem(): dictionary is empty")
        key = list(self._keys)[-1]
        return key, self.pop(key)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same parameters (not copies of them)."""
        return ParameterDict(OrderedDict(self.items()))

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> "ParameterDict":
        return ParameterDict((k, default) for k in keys)

    def update(self, parameters) -> None:
        """Add or replace the entries of a mapping or of an iterable of (key, value)
        pairs, in their order."""
        for key, value in _pairs(parameters, "ParametersDict"):
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(_parameter_line(k, p) for k, p in self.items())

    def __call__(self, input=None):
        raise RuntimeError("ParameterDict should not be called.")
