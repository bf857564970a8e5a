"""Finite-difference gradient checks, with torch.autograd.gradcheck's semantics."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .. import tensor as _tensor  # by module: the tensor imports the tape
from ..arrays import move, to_host


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when analytic and numerical Jacobians differ."""


def _outputs(fn, inputs):
    Tensor = _tensor.Tensor

    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.is_floating_point]


def _graph_leaves(outs) -> list:
    """The leaf tensors (requiring grad) that backward from ``outs`` would reach."""
    from .node import Node

    leaves = {id(o): o for o in outs if o._node is None and o.requires_grad}
    seen: set = set()
    stack = [o._node for o in outs if o._node is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for edge in node.edges:
            if isinstance(edge, Node):
                stack.append(edge)
            elif edge is not None:
                leaves[id(edge)] = edge
    return list(leaves.values())


def gradcheck(fn: Callable, inputs: "Sequence | object", eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Compare the analytic Jacobian of ``fn`` with central finite differences.

    For every differentiable input x (a float64 Tensor with requires_grad=True) and every
    floating-point output y of ``fn(*inputs)``, the full Jacobian dy/dx is computed twice:
    numerically, column by column, as (f(x + eps e_j) - f(x - eps e_j)) / (2 eps), and
    analytically, row by row, by backpropagating each one-hot gradient of y. They must
    agree within ``|analytic - numerical| <= atol + rtol * |numerical|`` everywhere.

    Returns True when they agree. Otherwise raises GradcheckError naming the input, the
    output and the worst entry (or returns False when ``raise_exception=False``).
    Like PyTorch, it warns nothing but refuses non-float64 differentiable inputs,
    since single precision is too coarse for finite differences.

    ``fn`` may be any callable of tensors, a user's ``autograd.Function`` too:
    ``gradcheck(MyFunction.apply, (x, 2.0))`` checks its backward.
    """
    Tensor = _tensor.Tensor
    from .grad_mode import enable_grad, no_grad

    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input has requires_grad=True")
    for i in diff:
        if inputs[i].dtype.np != np.float64:
            raise TypeError(f"gradcheck: input {i} has dtype {inputs[i].dtype}; "
                            "finite differences need float64 inputs")

    with no_grad():
        base = _outputs(fn, inputs)
    if not base:
        raise ValueError("gradcheck: fn returned no floating-point Tensor")
    out_sizes = [o._array.size for o in base]

    # Numerical Jacobians: numeric[i][k] has shape (out_k.size, input_i.size).
    numeric = {i: [np.zeros((n, inputs[i]._array.size)) for n in out_sizes] for i in diff}
    for i in diff:
        t = inputs[i]
        original = t._array
        # Perturb in place on the CPU (also non-contiguous data); on cuda perturb a host
        # copy and upload it for each evaluation.
        on_host = isinstance(original, np.ndarray)
        values = original if on_host else to_host(original).copy()
        flat = values.flat

        def evaluate():
            if not on_host:
                t._array = move(values, t.device)
            with no_grad():
                return [to_host(o._array).reshape(-1).copy() for o in _outputs(fn, inputs)]
        try:
            for j in range(values.size):
                orig = flat[j]
                flat[j] = orig + eps
                plus = evaluate()
                flat[j] = orig - eps
                minus = evaluate()
                flat[j] = orig
                for k in range(len(out_sizes)):
                    numeric[i][k][:, j] = (plus[k] - minus[k]) / (2 * eps)
        finally:
            t._array = original

    # Analytic Jacobians: one forward, then one backward per output element.
    analytic = {i: [np.zeros((n, inputs[i]._array.size)) for n in out_sizes] for i in diff}
    with enable_grad():
        outs = _outputs(fn, inputs)
    # backward() accumulates into every leaf of the graph, also those fn closes over
    # (a model's parameters): their .grad is put back afterwards, as torch's gradcheck
    # (which uses autograd.grad) leaves them alone.
    touched = _graph_leaves(outs) + [inputs[i] for i in diff]
    saved_grads = [(t, t.grad) for t in touched]
    try:
        for k, (y, n) in enumerate(zip(outs, out_sizes)):
            if not y.requires_grad:
                continue  # y does not depend on any input: its Jacobian rows stay 0
            for r in range(n):
                for i in diff:
                    inputs[i].grad = None
                seed = np.zeros(y._array.size, dtype=y._array.dtype)
                seed[r] = 1.0
                y.backward(Tensor._wrap(move(seed.reshape(y.shape), y.device)), retain_graph=True)
                for i in diff:
                    g = inputs[i].grad
                    if g is not None:
                        analytic[i][k][r, :] = to_host(g._array).reshape(-1)
    finally:
        for t, g in saved_grads:
            t.grad = g

    for i in diff:
        for k in range(len(out_sizes)):
            a, nm = analytic[i][k], numeric[i][k]
            bad = np.abs(a - nm) > atol + rtol * np.abs(nm)
            if bad.any():
                excess = np.abs(a - nm) - (atol + rtol * np.abs(nm))
                r, c = np.unravel_index(np.argmax(excess), a.shape)
                msg = (f"Jacobian mismatch for output {k} with respect to input {i}: "
                       f"{int(bad.sum())} of {a.size} entries differ; worst at "
                       f"(output element {r}, input element {c}): analytic {float(a[r, c])!r}, "
                       f"numerical {float(nm[r, c])!r} (atol={atol}, rtol={rtol})")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True
