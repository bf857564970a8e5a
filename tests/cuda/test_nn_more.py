"""The losses and layers composed from existing ops (brief MORE) on cuda: the same
values and gradients as on the CPU, with no op of their own (so no device branch). The
simulator runs every GPU thread as a Python thread, so shapes stay tiny."""
from __future__ import annotations

import numpy as np

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F


def _both(a, requires_grad=True):
    a = np.asarray(a)
    return (minigrad.tensor(a, requires_grad=requires_grad),
            minigrad.tensor(a, requires_grad=requires_grad, device="cuda"))


def _same(cpu, gpu, rtol=1e-5):
    assert gpu.device.type == "cuda"
    np.testing.assert_allclose(gpu.detach().cpu().numpy(), cpu.detach().numpy(), rtol=rtol,
                               atol=1e-6)


def test_losses_on_cuda_match_the_cpu():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(np.float32) * 3
    y = rng.uniform(0, 1, (3, 4)).astype(np.float32)
    p = rng.uniform(0.05, 0.95, (3, 4)).astype(np.float32)
    pw = rng.uniform(0.5, 2.0, 4).astype(np.float32)
    cases = [
        (x, lambda a, d: F.smooth_l1_loss(a, minigrad.tensor(y, device=d), beta=0.5)),
        (x, lambda a, d: F.huber_loss(a, minigrad.tensor(y, device=d), delta=0.7)),
        (x, lambda a, d: F.binary_cross_entropy_with_logits(
            a, minigrad.tensor(y, device=d), pos_weight=minigrad.tensor(pw, device=d))),
        (p, lambda a, d: F.binary_cross_entropy(a, minigrad.tensor(y, device=d))),
        (x, lambda a, d: (F.layer_norm(a, (4,)) * F.hardswish(a) + F.logsigmoid(a)
                          + F.normalize(a)).sum()),
    ]
    for data, fn in cases:
        a_cpu, a_gpu = _both(data)
        out_cpu, out_gpu = fn(a_cpu, "cpu"), fn(a_gpu, "cuda")
        _same(out_cpu, out_gpu)
        out_cpu.backward()
        out_gpu.backward()
        _same(a_cpu.grad, a_gpu.grad)


def test_layers_and_one_hot_on_cuda():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 2, 3)).astype(np.float32)
    for make in (lambda: nn.BatchNorm1d(2), lambda: nn.PReLU(2), lambda: nn.LayerNorm(3)):
        cpu, gpu = make(), make().to("cuda")
        a_cpu, a_gpu = _both(x)
        out_cpu, out_gpu = cpu(a_cpu), gpu(a_gpu)
        _same(out_cpu, out_gpu)
        out_cpu.sum().backward()
        out_gpu.sum().backward()
        _same(a_cpu.grad, a_gpu.grad)
        for p_cpu, p_gpu in zip(cpu.parameters(), gpu.parameters()):
            _same(p_cpu.grad, p_gpu.grad)
    idx = minigrad.tensor(np.array([2, 0, 1]), device="cuda")
    hot = F.one_hot(idx, 4)
    assert hot.device.type == "cuda"
    np.testing.assert_array_equal(hot.cpu().numpy(), np.eye(4, dtype=np.int64)[[2, 0, 1]])
