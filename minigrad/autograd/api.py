"""``minigrad.autograd.grad`` and ``minigrad.autograd.backward``, as torch.autograd's.

Both run the one engine (engine.run_backward) from ``outputs`` seeded with
``grad_outputs``: ``backward`` accumulates into the leaves' ``.grad`` (or only into
``inputs``'), ``grad`` returns the gradients with respect to ``inputs`` and touches no
``.grad`` (a ``retain_grad()`` tensor on the way still gets its own, as in PyTorch), and
runs only the nodes that lead to an input.

Difference from PyTorch: backward kernels run on arrays with grad mode off, so nothing
of backward is recorded: ``create_graph=True`` (higher-order gradients) raises
NotImplementedError; ``is_grads_batched`` is not supported.
"""
from __future__ import annotations

from typing import Sequence

from .. import arrays
from .. import tensor as _tensor  # by module: the tensor imports the tape
from . import engine


def _as_tuple(x) -> tuple:
    Tensor = _tensor.Tensor
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _seeds(outputs: tuple, grad_outputs, what: str) -> list:
    """The arrays that start backward, one per output: ``grad_outputs[i]`` (a Tensor,
    cast to the output's dtype) or, where None, 1 for a one-element output."""
    Tensor = _tensor.Tensor
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"{what}: got {len(grads)} tensors and {len(outputs)} gradients")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{what}: expected Tensors, got {type(out).__name__} at index {i}")
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
        if g is None:
            if out._array.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            seeds.append(arrays.full(out.shape, 1, out._array.dtype, out.device))
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"{what}: gradients must be Tensors or None, got "
                            f"{type(g).__name__} at index {i}")
        if tuple(g.shape) != tuple(out.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{list(g.shape)} and output[{i}] has a shape of "
                               f"{list(out.shape)}.")
        if g.device != out.device:
            raise RuntimeError(f"grad_output[{i}] is on {g.device}, output[{i}] on {out.device}")
        seeds.append(arrays.cast(g._array, out._array.dtype))
    return seeds


def _no_create_graph(create_graph: bool) -> None:
    if create_graph:
        raise NotImplementedError(
            "create_graph=True is not supported: minigrad's engine runs the backward "
            "kernels on arrays with grad mode off and records nothing of them, so "
            "higher-order gradients are not available")


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` (a Tensor or a sequence) with respect to ``inputs``
    (a Tensor or a sequence), as a tuple, one per input in its shape; no ``.grad`` changes.

    grad_outputs: d(loss)/d(output) per output (None: 1, for one-element outputs only).
    retain_graph: keep the saved buffers for another backward (default: create_graph).
    allow_unused: an input no output depends on gives None instead of PyTorch's
    RuntimeError (default: materialize_grads); materialize_grads: zeros instead of None.
    """
    Tensor = _tensor.Tensor
    _no_create_graph(create_graph)
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported")
    if not only_inputs:
        raise RuntimeError("only_inputs argument is deprecated and is ignored now "
                           "(defaults to True). To accumulate gradient for other parts of "
                           "the graph, please use torch.autograd.backward.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True")
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs must be Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = _seeds(outputs, grad_outputs, "grad")
    found = engine.run_backward(list(outputs), seeds, retain_graph=bool(retain_graph),
                                inputs=list(inputs))
    result = []
    for i, (t, g) in enumerate(zip(inputs, found)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is "
                                   "the desired behavior.")
            result.append(arrays.full(t.shape, 0, t._array.dtype, t.device)
                          if materialize_grads else None)
        else:
            result.append(g)
    return tuple(None if g is None else Tensor._wrap(g) for g in result)


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables=None,
             inputs: "Sequence | None" = None) -> None:
    """Accumulate the gradients of ``tensors`` (a Tensor or a sequence) into the leaves'
    ``.grad``, as ``sum(t.backward(g) for t, g in zip(tensors, grad_tensors))`` in one
    pass. inputs: accumulate into these tensors' ``.grad`` only (leaves or not)."""
    _no_create_graph(create_graph)
    if grad_variables is not None:  # PyTorch's deprecated name
        grad_tensors = grad_variables
    tensors = _as_tuple(tensors)
    seeds = _seeds(tensors, grad_tensors, "backward")
    if inputs is None:
        engine.run_backward(list(tensors), seeds, retain_graph=bool(retain_graph))
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    found = engine.run_backward(list(tensors), seeds, retain_graph=bool(retain_graph),
                                inputs=list(inputs))
    for t, g in zip(inputs, found):
        if g is not None:
            engine._accumulate(t, g)
