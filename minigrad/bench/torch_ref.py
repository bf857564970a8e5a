"""The PyTorch reference: the same workloads and models in torch (float32, CPU).

PyTorch is optional (``pip install torch`` next to the ``bench`` extra) and imported
only here, only when the benchmark runs: minigrad itself never needs it.
"""
from __future__ import annotations

from .timing import Case, clock


def load(threads: int):
    """The torch module with ``threads`` intra-op threads, or None when not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


def _tensors(torch, inputs: dict) -> dict:
    return {k: torch.from_numpy(a.copy()).requires_grad_(rg) for k, (a, rg) in inputs.items()}


def op_case(torch, w) -> Case:
    """The workload ``w`` in torch at its full batch, forward then backward."""
    import torch.nn.functional as F

    from .workloads import grad_for

    tensors = _tensors(torch, w.inputs(w.batch))
    leaves = [t for t in tensors.values() if t.requires_grad]
    grads: dict = {}

    def run_once():
        for t in leaves:
            t.grad = None
        t0 = clock()
        out = w.call(F, tensors)
        t1 = clock()
        shape = tuple(out.shape)
        if shape not in grads:
            g = grad_for(shape)
            grads[shape] = None if g is None else torch.from_numpy(g)
        t2 = clock()
        out.backward(grads[shape])
        t3 = clock()
        return t1 - t0, t3 - t2

    return Case(f"{w.name} | torch", run_once)


def step_case(torch, model, batch: int = 128) -> Case:
    """One training step of ``model`` in torch: forward + loss, backward, plain SGD."""
    import torch.nn.functional as F

    from .models import LR, data

    params, x, y = data(model, batch)
    p = {k: torch.from_numpy(v).requires_grad_(True) for k, v in params.items()}
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    plist = list(p.values())

    def run_once():
        t0 = clock()
        loss = F.cross_entropy(model.forward(F, p, x), y)
        t1 = clock()
        loss.backward()
        t2 = clock()
        with torch.no_grad():
            for q in plist:
                q -= LR * q.grad
                q.grad = None
        t3 = clock()
        return t1 - t0, t2 - t1, t3 - t2

    return Case(f"{model.name} | torch", run_once)
