"""The float64 gradient check, through the public API, for every CUDA implementation of
every op: finite differences of the cuda forward against the cuda backward (the kernel
tests beside this file compare each version with the CPU's numpy kernels)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.dispatch import registry


def _t(*shape, seed=0, distinct=False, positive=False):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if distinct:  # max-pool: ties make the gradient ambiguous
        values = rng.permutation(n).reshape(shape) / n
    else:
        values = rng.standard_normal(shape)
    if positive:
        values = np.abs(values) + 0.5
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True, device="cuda")


def _labels(*values):
    return minigrad.tensor(list(values), device="cuda")


# op -> [(description, fn, inputs)]. Tiny inputs: the full Jacobian costs two forward
# passes per input element, and the simulator runs a Python thread per GPU thread. The
# attributes' coverage is in the kernel tests (test_<op>.py), against the CPU.
CASES = {
    "conv2d": [
        ("stride 2, padding 1, bias", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
         lambda: (_t(1, 1, 2, 3), _t(2, 1, 2, 2, seed=1), _t(2, seed=2))),
    ],
    "max_pool2d": [
        ("overlapping windows, padding, ceil_mode",
         lambda x: F.max_pool2d(x, 2, stride=1, padding=1, ceil_mode=True),
         lambda: (_t(1, 1, 2, 3, distinct=True),)),
    ],
    "softmax": [("dim 0", lambda x: F.softmax(x, 0), lambda: (_t(2, 2),))],
    "log_softmax": [("dim -1", lambda x: F.log_softmax(x, -1), lambda: (_t(2, 2),))],
    "cross_entropy": [
        ("weight, ignore_index, smoothing",
         lambda x: F.cross_entropy(x, _labels(2, 1, 0), weight=minigrad.tensor(
             [1.0, 2.0], dtype=minigrad.float64, device="cuda"), ignore_index=2,
             label_smoothing=0.1), lambda: (_t(3, 2),)),
    ],
    "matmul": [
        ("batched, broadcast", lambda a, b: a @ b, lambda: (_t(2, 1, 3), _t(3, 2, seed=1))),
    ],
    "linear": [
        ("leading dims, bias", lambda x, w, b: F.linear(x, w, b),
         lambda: (_t(2, 1, 2), _t(2, 2, seed=1), _t(2, seed=2))),
    ],
}


def _cases():
    for op, cases in CASES.items():
        for name in registry.implementations(op, "cuda"):
            for desc, fn, make in cases:
                yield pytest.param(op, name, fn, make, id=f"{op}-{name}-{desc}")


@pytest.mark.parametrize("op,impl,fn,make", list(_cases()))
def test_gradcheck_cuda(op, impl, fn, make):
    inputs = make()
    with minigrad.use(**{op: impl}):
        assert minigrad.gradcheck(fn, inputs)


def test_every_cnn_op_has_three_cuda_versions():
    for op in CASES:
        assert len(registry.implementations(op, "cuda")) == 3, op


# The ops with a single CUDA implementation: elementwise, reductions, shapes.
SMALL = [
    ("add broadcast", lambda a, b: a + b, lambda: (_t(2, 3), _t(3, seed=1))),
    ("sub, mul, div", lambda a, b: (a - b) * a / b, lambda: (_t(2, 3), _t(2, 1, positive=True, seed=1))),
    ("pow", lambda a, b: a ** b, lambda: (_t(3, positive=True), _t(3, seed=1))),
    ("unary", lambda a: (a.exp() + a.abs().sqrt() + a.tanh() + a.sigmoid() - a.neg()).log(),
     lambda: (_t(2, 3, positive=True),)),
    ("relu, clamp", lambda a: F.relu(a) + a.clamp(-0.5, 0.5), lambda: (_t(4, 3),)),
    ("maximum, minimum", lambda a, b: a.maximum(b) + a.minimum(b) * 2,
     lambda: (_t(3, 2), _t(3, 2, seed=1))),
    ("where", lambda a, b: minigrad.where(a > b, a, b * 3), lambda: (_t(3, 2), _t(3, 2, seed=1))),
    ("sum, mean", lambda a: a.sum(1) + a.mean(0, keepdim=True).sum(), lambda: (_t(2, 3),)),
    ("max, min", lambda a: a.max(1)[0] + a.min(), lambda: (_t(3, 4, distinct=True),)),
    ("reshape, permute, flatten", lambda a: a.permute(2, 0, 1).reshape(4, 6).flatten() * 2,
     lambda: (_t(2, 3, 4),)),
    ("expand, index", lambda a: a.unsqueeze(0).expand(2, 3, 4)[1, :, 1:3] * 3, lambda: (_t(3, 4),)),
    ("advanced index", lambda a: a[_labels(2, 0, 2)], lambda: (_t(3, 2),)),
    ("cat", lambda a, b: minigrad.cat([a, b], 1), lambda: (_t(2, 3), _t(2, 1, seed=1))),
]


@pytest.mark.parametrize("fn,make", [pytest.param(f, m, id=d) for d, f, m in SMALL])
def test_gradcheck_cuda_elementwise_reduce_shape(fn, make):
    assert minigrad.gradcheck(fn, make())
