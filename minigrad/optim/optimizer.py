"""The Optimizer base class: parameter groups, zero_grad, state_dict/load_state_dict.

Subclasses (SGD, Adam, AdamW) implement ``step`` as one registry op per parameter group
(``sgd_step``, ``adam_step``: ops/optim), run by :func:`run_update` on the group's
device, in place and in the parameter's dtype; nothing here depends on the device.
Their per-parameter state (momentum buffers, moment estimates, step counts) is kept as
minigrad Tensors in ``optimizer.state[param]``, as PyTorch keeps torch Tensors there, so
a state dict holds Tensors and :func:`minigrad.save` writes it as it is.
"""
from __future__ import annotations

import copy
import math
import warnings
from collections import defaultdict
from numbers import Real
from typing import Any, Callable, Iterable, Union

import numpy as np

from .. import arrays, dispatch
from ..autograd import enable_grad
from ..autograd.function import common_device
from ..arrays import move, to_host
from ..nn._inplace import zero_grad_
from ..tensor import Tensor

# What the constructors accept for ``params``: Tensors, (name, Tensor) pairs as given by
# ``named_parameters()``, or dicts of options with a "params" entry (parameter groups).
ParamsT = Union[Iterable[Tensor], Iterable[tuple], Iterable[dict]]
StateDict = dict


def run_update(op: str, geometry: Any, tensors: list[Tensor], *arrays: tuple) -> Any:
    """The output of the update op ``op`` (ops/optim) for ``arrays`` (tuples, one array
    per parameter), with the implementation the registry selects on the device of
    ``tensors`` (a group's parameters and gradients), off the tape.

    All of a group must be on one device (RuntimeError otherwise, PyTorch's message
    for an op whose tensors are on several devices): one call updates the whole group.
    """
    return dispatch.run(op, common_device(tensors), geometry, *arrays)


def new_step_count() -> Tensor:
    """A parameter's step count before its first update: a 0-d float32 Tensor on the
    host, as PyTorch keeps it (non-capturable)."""
    return Tensor._wrap(np.array(0.0, dtype=np.float32))


def count_step(state: dict[str, Any]) -> float:
    """Add one to ``state["step"]`` (in place) and return the new count."""
    step_t = state["step"]._array
    step_t += 1
    return float(step_t)


def full_state(p: Tensor, value: float = 0.0) -> Tensor:
    """A state Tensor shaped as ``p``, in its dtype and on its device, filled with
    ``value`` (moment estimates and accumulators start at 0 or a given value)."""
    return Tensor._wrap(arrays.full(p._array.shape, value, p._array.dtype, p.device))


def effective_grad(grad: Tensor, p: Tensor, weight_decay: float, maximize: bool) -> Tensor:
    """The gradient an elementwise update uses: negated to maximize, plus the L2 term
    ``weight_decay * p`` (PyTorch's ``grad.add(p, alpha=weight_decay)``); a new Tensor,
    ``p.grad`` is left as it is. Call under ``no_grad``."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + p * weight_decay
    return grad


def check_number(name: str, value: Any) -> float:
    """``value`` as a float, or a TypeError naming the argument (a Tensor learning rate,
    which PyTorch allows, is refused: minigrad's hyperparameters are Python numbers)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a float, got {type(value).__name__}")
    return float(value)


def check_nonnegative(group: dict[str, Any], *names: str) -> None:
    """Each option ``group[name]`` a Python number >= 0, checked in the order given
    (PyTorch's): a TypeError naming it, else PyTorch's ValueError with the value as
    given ("Invalid learning rate: -1", "Invalid epsilon value: -1e-08",
    "Invalid momentum value: -0.5", ...)."""
    for name in names:
        if not 0.0 <= check_number(name, group[name]):  # NaN fails too
            label = {"lr": "learning rate", "eps": "epsilon value"}.get(name, f"{name} value")
            raise ValueError(f"Invalid {label}: {group[name]}")


def check_flags(group: dict[str, Any], flags: tuple[str, ...] = (),
                unsupported: tuple[str, ...] = ()) -> None:
    """The options in ``flags`` bools, those in ``unsupported`` False, and ``foreach``
    None or a bool."""
    for name in flags:
        check_flag(name, group[name])
    for name in unsupported:
        check_unsupported(name, group[name])
    check_foreach(group["foreach"])


def check_flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__}")
    return bool(value)


def check_unsupported(name: str, value: Any) -> None:
    """PyTorch options minigrad accepts for signature compatibility but only in their
    default (False) form."""
    if check_flag(name, value):
        raise ValueError(f"{name}=True is not supported by minigrad's optimizers "
                         f"(only {name}=False)")


def check_foreach(value: Any) -> None:
    """``foreach`` picks PyTorch's multi-tensor kernels: a speed hint, ignored here."""
    if value is not None:
        check_flag("foreach", value)


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``).

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs (as
            ``model.named_parameters()`` gives), or of dicts, each a parameter group
            with a ``"params"`` entry and any options that override ``defaults``.
        defaults: the default value of every option (lr, momentum, ...).

    Attributes:
        param_groups: list of dicts; ``group["params"]`` is the list of Tensors, the
            other entries are the group's options (change ``group["lr"]`` to change the
            learning rate, as a scheduler does).
        state: ``{param: {name: value}}``, per-parameter state created by ``step``.
    """

    # The state entries each optimizer keeps per parameter (all or none of them), and
    # those it keeps only with some options (RMSprop's momentum_buffer and grad_avg):
    # lets load_state_dict refuse the state of a different optimizer with a clear error.
    _state_keys: frozenset = frozenset()
    _optional_state_keys: frozenset = frozenset()

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got minigrad.Tensor")
        if isinstance(params, dict):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got a single dict (wrap it in a list)")
        try:
            param_groups = list(params)
        except TypeError:
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type(params).__name__}") from None
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ---- parameter groups ---------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options; missing options take the
        optimizer's defaults. A parameter may belong to one group only."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("param_group: expected a dict with a 'params' entry, got keys "
                             f"{sorted(map(str, param_group))}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)

        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):  # (name, tensor) from named_parameters()
                if len(p) != 2 or not isinstance(p[0], str):
                    raise TypeError("optimizer params given as tuples must be (name, Tensor) "
                                    f"pairs, got {p!r}")
                names.append(p[0])
                p = p[1]
            tensors.append(p)
        if names and len(names) != len(tensors):
            raise ValueError("all optimizer params should be with/without names. "
                             "Some param names are missing")
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__module__}.{type(p).__qualname__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")

        group = dict(param_group)
        group["params"] = tensors
        if names:
            group["param_names"] = names
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_group(group)

        if len({id(p) for p in tensors}) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for g in self.param_groups:
            if ("param_names" in g) != ("param_names" in group):
                which = "with names" if "param_names" in group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        # Write back so the caller's dict sees the filled-in defaults, as in PyTorch.
        param_group.clear()
        param_group.update(group)
        self.param_groups.append(param_group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate one group's options (subclasses: PyTorch's constructor checks)."""

    # ---- gradients ----------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors.

        ``set_to_none=True`` (the default) sets ``.grad`` to None: the next backward()
        allocates fresh gradients and a parameter that gets none is skipped by ``step``.
        ``set_to_none=False`` fills the existing gradients with zeros in place.
        """
        for group in self.param_groups:
            for p in group["params"]:
                zero_grad_(p, set_to_none)

    # ---- the update -----------------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` (optional) re-evaluates the model
        and returns the loss, which step returns."""
        raise NotImplementedError

    def _closure_loss(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    @staticmethod
    def _with_grad(params: list[Tensor]) -> list[Tensor]:
        """The parameters that have a gradient (the others are skipped), each checked
        to have its parameter's shape."""
        out = []
        for p in params:
            g = p.grad
            if g is None:
                continue
            if g.shape != p.shape:
                raise RuntimeError(f"a parameter of shape {tuple(p.shape)} has a gradient of "
                                   f"shape {tuple(g.shape)}; the update needs them equal")
            out.append(p)
        return out

    # ---- state dicts ------------------------------------------------------------------
    def state_dict(self) -> StateDict:
        """The optimizer's state in PyTorch's format::

            {"state": {index: {name: Tensor, ...}, ...},
             "param_groups": [{"lr": ..., ..., "params": [index, ...]}, ...]}

        Parameters are numbered in order across the groups; only parameters that have
        state appear under "state". The state Tensors are the live ones (not copies), as
        in PyTorch: save or copy the dict before stepping again if you need a snapshot.
        """
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load a state dict made by :meth:`state_dict` (possibly through
        :func:`minigrad.save`/:func:`minigrad.load`).

        Saved parameters are matched to this optimizer's by position, group by group,
        as in PyTorch; the numbers of groups and of parameters per group must agree.
        State arrays are copied and cast to their parameter's dtype; each must have its
        parameter's shape. Group options (lr, betas, ...) replace the current ones.

        Raises:
            ValueError: a malformed dict, a different number of groups or of parameters
                in a group, state for an unknown parameter index, state entries another
                optimizer would keep, or a state array of the wrong shape.
        """
        if (not isinstance(state_dict, dict) or "state" not in state_dict
                or "param_groups" not in state_dict):
            got = (f"keys {sorted(map(str, state_dict))}" if isinstance(state_dict, dict)
                   else type(state_dict).__name__)
            raise ValueError("state_dict: expected a dict with 'state' and 'param_groups' "
                             f"entries (from Optimizer.state_dict()), got {got}")
        saved_groups = state_dict["param_groups"]
        saved_state = state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not all(
                isinstance(g, dict) and isinstance(g.get("params"), (list, tuple))
                for g in saved_groups):
            raise ValueError("state_dict['param_groups']: expected a list of dicts, each "
                             "with a 'params' list")
        if not isinstance(saved_state, dict):
            raise ValueError("state_dict['state']: expected a dict {parameter index: state}, "
                             f"got {type(saved_state).__name__}")
        saved_groups = copy.deepcopy(list(saved_groups))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}; this optimizer has {len(self.param_groups)})")
        for i, (g, s) in enumerate(zip(self.param_groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 f"match the size of optimizer's group (group {i}: "
                                 f"{len(s['params'])} parameters saved, {len(g['params'])} here)")

        id_map = {}
        for g, s in zip(self.param_groups, saved_groups):
            for p, i in zip(g["params"], s["params"]):
                id_map[i] = p
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for k, entry in saved_state.items():
            if k not in id_map:
                raise ValueError(f"state_dict['state'] has state for parameter {k!r}, which no "
                                 "parameter group lists")
            if not isinstance(entry, dict):
                raise ValueError(f"state_dict['state'][{k!r}]: expected a dict, "
                                 f"got {type(entry).__name__}")
            if entry and not (self._state_keys <= set(entry)
                              <= self._state_keys | self._optional_state_keys):
                optional = (f" and maybe {sorted(self._optional_state_keys)}"
                            if self._optional_state_keys else "")
                raise ValueError(f"state_dict['state'][{k!r}] has entries {sorted(entry)}; "
                                 f"{type(self).__name__} keeps {sorted(self._state_keys)}"
                                 f"{optional} (is this the state of another optimizer?)")
            p = id_map[k]
            state[p] = {name: self._load_value(p, value, f"state_dict['state'][{k!r}][{name!r}]",
                                               step=(name == "step"))
                        for name, value in entry.items()}

        for g, s in zip(self.param_groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            for name, default in self.defaults.items():
                s.setdefault(name, default)
            self._check_group(s)
        self.param_groups = saved_groups
        self.state = state

    @staticmethod
    def _load_value(p: Tensor, value: Any, where: str, step: bool) -> Any:
        """A fresh Tensor for an array-like state value: the step count stays float32
        (as PyTorch keeps it), others take the parameter's dtype and must match its
        shape."""
        if isinstance(value, (Tensor, np.ndarray, np.generic)) or (step and isinstance(value, Real)):
            array = to_host(value._array) if isinstance(value, Tensor) else np.asarray(value)
            if array.dtype.kind not in "biuf":
                raise ValueError(f"{where}: expected a numeric array, got dtype {array.dtype}")
            if step:
                if array.shape not in ((), (1,)) or not math.isfinite(float(array.reshape(()))):
                    raise ValueError(f"{where}: expected a step count, got {array!r}")
                return Tensor._wrap(np.array(float(array.reshape(())), dtype=np.float32))
            if array.shape != p._array.shape:
                raise ValueError(f"{where}: expected shape {p._array.shape} (its parameter's), "
                                 f"got {array.shape}")
            dtype = p._array.dtype if p._array.dtype.kind == "f" else array.dtype
            # State lives where its parameter lives (momentum buffers, Adam's moments).
            return Tensor._wrap(move(np.array(array, dtype=dtype, copy=True), p.device))
        return copy.deepcopy(value)

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"
