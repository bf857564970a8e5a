"""The PyTorch reference: the same workloads and models in torch (float32), on the CPU
or, for the cuda bench, on the GPU (cuDNN, cuBLAS) with ``torch.cuda.synchronize()``
before every clock read.

PyTorch is optional (``pip install torch`` next to the ``bench`` extra) and imported
only here, only when the benchmark runs: minigrad itself never needs it.
"""
from __future__ import annotations

from .timing import Case, clock


def has_cuda(torch) -> bool:
    """True when ``torch`` was built with CUDA and sees a GPU."""
    try:
        return bool(torch is not None and torch.cuda.is_available())
    except Exception:  # a broken CUDA install: no GPU reference, not a crash
        return False


def _synchronizer(torch, device: str):
    if device == "cpu":
        return lambda: None
    return torch.cuda.synchronize


def load(threads: int):
    """The torch module with ``threads`` intra-op threads, or None when not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


def _tensors(torch, inputs: dict, device: str = "cpu") -> dict:
    return {k: torch.from_numpy(a.copy()).to(device).requires_grad_(rg)
            for k, (a, rg) in inputs.items()}


def op_case(torch, w, device: str = "cpu") -> Case:
    """The workload ``w`` in torch at its full batch on ``device``, forward then backward."""
    import torch.nn.functional as F

    from .workloads import grad_for

    tensors = _tensors(torch, w.inputs(w.batch), device)
    leaves = [t for t in tensors.values() if t.requires_grad]
    grads: dict = {}
    sync = _synchronizer(torch, device)

    def run_once():
        for t in leaves:
            t.grad = None
        sync()
        t0 = clock()
        out = w.call(F, tensors)
        sync()
        t1 = clock()
        shape = tuple(out.shape)
        if shape not in grads:
            g = grad_for(shape)
            grads[shape] = None if g is None else torch.from_numpy(g).to(device)
        sync()
        t2 = clock()
        out.backward(grads[shape])
        sync()
        t3 = clock()
        return t1 - t0, t3 - t2

    return Case(f"{w.name} | torch" + ("" if device == "cpu" else f" ({device})"), run_once)


def step_case(torch, model, batch: int = 128, device: str = "cpu") -> Case:
    """One training step of ``model`` in torch on ``device``: forward + loss, backward,
    plain SGD."""
    import torch.nn.functional as F

    from .models import LR, data

    params, x, y = data(model, batch)
    p = {k: torch.from_numpy(v).to(device).requires_grad_(True) for k, v in params.items()}
    x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    plist = list(p.values())
    sync = _synchronizer(torch, device)

    def run_once():
        sync()
        t0 = clock()
        loss = F.cross_entropy(model.forward(F, p, x), y)
        sync()
        t1 = clock()
        loss.backward()
        sync()
        t2 = clock()
        with torch.no_grad():
            for q in plist:
                q -= LR * q.grad
                q.grad = None
        sync()
        t3 = clock()
        return t1 - t0, t2 - t1, t3 - t2

    return Case(f"{model.name} | torch" + ("" if device == "cpu" else f" ({device})"), run_once)
