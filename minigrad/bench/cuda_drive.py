"""Drive every CUDA kernel minigrad launches, through the public API.

The compile gate (:mod:`minigrad.bench.resources`) must compile what the code really
launches, not a hand-kept list of kernels that can drift from it. So this module calls
the public API on ``"cuda"`` the ways a user does, and the fake GPU
(:mod:`minigrad.testing.fake_gpu`) records each kernel specialisation those calls
launch (kernel, dtypes, tile configuration, closure variant):

- every registered CUDA implementation of every op (``minigrad.implementations(op,
  "cuda")``, so a new version is driven with no extra wiring), in float32 and float64,
  forward and backward, on inputs drawn from the op's Hypothesis cases
  (:func:`minigrad.testing.cases.builtin_cases`: strides, padding, dilation, groups,
  ceil_mode, reductions, weights, ignore_index, label smoothing, broadcasting, dims), on
  the bench's GPU workloads (LeNet-5 shapes at batch 256, the larger layers) and on edge
  calls listed below (every gemm tile configuration, a first layer whose input needs
  no gradient, empty batches);
- shape ops, casts, comparisons, indexing, fill and copy;
- the ops off the tape, each implementation in both dtypes: the optimizers' updates
  (``sgd_step``, ``adam_step``: every SGD option, Adam, AdamW, many parameters),
  ``dropout_mask``, ``update_running_stats``, ``copy_`` (BatchNorm2d in training,
  ``nn.init``, ``load_state_dict``) and ``to_copy`` (device copies both ways, and back
  through the tape);
- whole training steps: LeNet-5 and SeedCNN with SGD (momentum, nesterov, weight
  decay), Adam and AdamW; dropout and BatchNorm2d in training and eval mode.

Each call is labelled (``op:impl``, ``lenet5:adam``...); labels of what a default
configuration runs carry ``default``. Failures are collected, not raised: the gate
reports every kernel that does not compile.
"""
from __future__ import annotations

import contextlib
import traceback
from typing import Callable

import numpy as np

# Hypothesis examples drawn per op case, implementation and dtype: enough to reach the
# strategies' option combinations, few enough for CI (the fake GPU runs no kernel, so
# an example costs only its Python path and, once per new specialisation, a compile).
EXAMPLES = 12


class Driver:
    """Runs labelled calls, recording each failure with its label."""

    def __init__(self, gpu, log: Callable[[str], None] | None = None):
        self.gpu = gpu
        self.failures: list[tuple[str, str]] = []
        self.calls = 0
        self.log = log or (lambda msg: None)

    @contextlib.contextmanager
    def label(self, name: str):
        with self.gpu.tag(name):
            yield

    def call(self, name: str, fn: Callable[[], object]) -> None:
        self.calls += 1
        with self.label(name):
            try:
                fn()
            except Exception as e:  # the gate lists every failure, then fails
                self.failures.append((name, _short(e)))


def _short(e: BaseException) -> str:
    lines = traceback.format_exception_only(type(e), e)
    text = "".join(lines).strip()
    return text if len(text) < 2000 else text[:2000] + " ..."


# ---------------------------------------------------------------- helpers


def _cuda(t, dtype=None):
    """A cuda leaf copy of the CPU tensor ``t`` (floats cast to ``dtype``)."""
    import minigrad
    if not isinstance(t, minigrad.Tensor):
        return t
    a = t.detach().numpy()
    if dtype is not None and np.issubdtype(a.dtype, np.floating):
        a = a.astype(dtype.np)
    return minigrad.tensor(a, device="cuda", requires_grad=t.requires_grad)


def _backward(out) -> None:
    """Backward from every floating output that has a history."""
    import minigrad
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        if isinstance(o, minigrad.Tensor) and o.requires_grad and o.dtype.is_floating_point:
            o.backward(minigrad.ones_like(o))


def _run_case(call, args, kwargs, dtype) -> None:
    args = tuple(_cuda(a, dtype) for a in args)
    kwargs = {k: _cuda(v, dtype) for k, v in kwargs.items()}
    _backward(call(*args, **kwargs))


def _draw(strategy, n: int, seed: int = 0) -> list:
    """``n`` deterministic examples of a Hypothesis strategy, outside a test."""
    from hypothesis import HealthCheck, Phase, given, settings
    drawn: list = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(sample):
        drawn.append(sample)

    collect()
    return drawn


# ---------------------------------------------------------------- ops


def drive_ops(d: Driver, examples: int = EXAMPLES) -> None:
    """Every CUDA implementation of every op with a Hypothesis case, both dtypes."""
    import minigrad
    from minigrad import dispatch
    from minigrad.testing.cases import builtin_cases

    for op, case in builtin_cases().items():
        impls = dispatch.implementations(op, "cuda")
        if not impls:
            continue
        samples = _draw(case.inputs, examples)
        default = dispatch.selected(op, "cuda")
        d.log(f"  {op}: {', '.join(impls)} x {len(samples)} examples")
        for impl in impls:
            tag = f"{op}:{impl}" + (" default" if impl == default else "")
            for dtype in (minigrad.float32, minigrad.float64):
                for args, kwargs in samples:
                    def run(args=args, kwargs=kwargs, impl=impl, dtype=dtype):
                        with minigrad.use(**{op: impl}):
                            _run_case(case.call, args, kwargs, dtype)
                    d.call(tag, run)


def drive_workloads(d: Driver) -> None:
    """The GPU bench's workloads (LeNet-5 shapes at batch 256, larger layers), every
    implementation, forward and backward, as ``minigrad bench --device cuda`` runs them."""
    from minigrad import dispatch
    from .workloads import op_case, select

    for w in select(device="cuda"):
        default = dispatch.selected(w.op, "cuda")
        for impl in dispatch.implementations(w.op, "cuda"):
            tag = f"{w.op}:{impl}" + (" default" if impl == default else "")
            d.call(tag, lambda w=w, impl=impl: op_case(w, impl, "cuda").run_once())


def _edge_calls():
    """Calls the strategies and workloads may not reach: (label, op, fn(dtype))."""
    import minigrad
    import minigrad.nn.functional as F

    def t(*shape, dtype, grad=True, low=-1.0):
        a = np.random.default_rng(0).uniform(low, 1.0, shape).astype(dtype.np)
        return minigrad.tensor(a, device="cuda", requires_grad=grad)

    def conv(B, C, H, Co, k, dtype, x_grad=True, bias=True, **kw):
        g = kw.get("groups", 1)
        x = t(B, C, H, H, dtype=dtype, grad=x_grad)
        w = t(Co, C // g, k, k, dtype=dtype)
        b = t(Co, dtype=dtype) if bias else None
        _backward(F.conv2d(x, w, b, **kw))

    calls = []
    # Every gemm tile configuration (picked by output channels per group), a first
    # layer (no grad_x), no bias, strides, dilation, groups, 1x1, empty batch.
    # gemm picks forward's and grad_w's tile by output channels, grad_x's by input ones.
    for co in (1, 6, 16, 32, 64, 128):
        calls.append(("conv2d", lambda dtype, co=co: conv(4, 3, 9, co, 3, dtype, padding=1)))
    for ci in (16, 32, 128):
        calls.append(("conv2d", lambda dtype, ci=ci: conv(2, ci, 6, 4, 3, dtype, padding=1)))
    calls += [
        ("conv2d", lambda dtype: conv(8, 1, 28, 6, 5, dtype, x_grad=False, padding=2)),
        ("conv2d", lambda dtype: conv(8, 6, 14, 16, 5, dtype)),
        ("conv2d", lambda dtype: conv(2, 4, 9, 8, 3, dtype, bias=False, stride=2, dilation=2)),
        ("conv2d", lambda dtype: conv(2, 8, 7, 8, 3, dtype, groups=4, padding="same")),
        ("conv2d", lambda dtype: conv(2, 4, 6, 4, 1, dtype, stride=(2, 1))),
        ("conv2d", lambda dtype: conv(0, 3, 8, 4, 3, dtype)),
        ("max_pool2d", lambda dtype: _backward(F.max_pool2d(t(8, 6, 28, 28, dtype=dtype), 2))),
        ("max_pool2d", lambda dtype: _backward(F.max_pool2d(
            t(2, 3, 9, 9, dtype=dtype), 3, stride=2, padding=1, ceil_mode=True,
            return_indices=True))),
        ("max_pool2d", lambda dtype: _backward(F.max_pool2d(
            t(2, 3, 9, 9, dtype=dtype), (2, 3), dilation=2))),
        ("softmax", lambda dtype: _backward(F.softmax(t(256, 10, dtype=dtype), 1))),
        ("softmax", lambda dtype: _backward(F.softmax(t(64, 1000, dtype=dtype), -1))),
        ("log_softmax", lambda dtype: _backward(F.log_softmax(t(256, 10, dtype=dtype), 1))),
        ("log_softmax", lambda dtype: _backward(F.log_softmax(t(4, 5, 6, dtype=dtype), 1))),
        ("matmul", lambda dtype: _backward(t(256, 400, dtype=dtype) @ t(400, 120, dtype=dtype))),
        ("matmul", lambda dtype: _backward(t(3, 5, 7, dtype=dtype) @ t(7, 2, dtype=dtype))),
        ("matmul", lambda dtype: _backward(t(7, dtype=dtype) @ t(7, 3, dtype=dtype))),
    ]
    target = lambda n, c: minigrad.randint(0, c, (n,)).to("cuda")  # noqa: E731
    for kw in ({}, {"reduction": "sum"}, {"reduction": "none"}, {"label_smoothing": 0.1},
               {"ignore_index": 3}, {"weight": True}, {"weight": True, "label_smoothing": 0.2}):
        def ce(dtype, kw=kw):
            kw = dict(kw)
            if kw.pop("weight", False):
                kw["weight"] = t(10, dtype=dtype, grad=False, low=0.5)
            _backward(F.cross_entropy(t(256, 10, dtype=dtype), target(256, 10), **kw))
        calls.append(("cross_entropy", ce))
    calls.append(("cross_entropy", lambda dtype: _backward(
        F.cross_entropy(t(512, 1000, dtype=dtype), target(512, 1000)))))
    calls.append(("cross_entropy", lambda dtype: _backward(
        F.nll_loss(F.log_softmax(t(16, 10, dtype=dtype), 1), target(16, 10)))))
    # Past the grid caps (65535 blocks along a dimension), where kernels loop over the
    # excess in a variant of their own: many groups, many rows, many outputs.
    calls += [
        ("conv2d", lambda dtype: conv(1, 70000, 3, 70000, 1, dtype, groups=70000)),
        ("softmax", lambda dtype: _backward(F.softmax(t(70000, 3, dtype=dtype), 1))),
        ("log_softmax", lambda dtype: _backward(F.log_softmax(t(70000, 3, dtype=dtype), 1))),
        ("cross_entropy", lambda dtype: _backward(
            F.cross_entropy(t(70000, 3, dtype=dtype), target(70000, 3)))),
        ("matmul", lambda dtype: _backward(t(70000, 2, dtype=dtype) @ t(2, 2, dtype=dtype))),
    ]
    return calls


def drive_edges(d: Driver) -> None:
    """:func:`_edge_calls` with every implementation of their op, both dtypes."""
    _drive_every_impl(d, _edge_calls())


def _drive_every_impl(d: Driver, calls) -> None:
    """Each (op, fn(dtype)) of ``calls`` with every CUDA implementation of the op."""
    import minigrad
    from minigrad import dispatch

    for op, fn in calls:
        default = dispatch.selected(op, "cuda")
        for impl in dispatch.implementations(op, "cuda"):
            tag = f"{op}:{impl}" + (" default" if impl == default else "")
            for dtype in (minigrad.float32, minigrad.float64):
                def run(fn=fn, impl=impl, dtype=dtype):
                    with minigrad.use(**{op: impl}):
                        fn(dtype)
                d.call(tag, run)


def _shape_calls():
    """The shape ops (reshape, permute, expand, cat, index) the cases do not draw:
    (op, fn(x, dtype)) on a (2, 3, 4) cuda tensor that requires grad."""
    import minigrad

    def index(x, dtype):
        i = minigrad.tensor([1, 0, 1], device="cuda")
        for o in (x[1], x[:, 1:, ::2], x[..., -1], x[i], x[:, i], x[x > 3], x[None, 0]):
            _backward(o.sum())

    return [
        ("reshape", lambda x, dtype: _backward(x.reshape(6, 4).sum() + x.flatten(1).sum())),
        ("permute", lambda x, dtype: _backward(x.permute(2, 0, 1).sum()
                                               + x.transpose(0, 1).sum())),
        ("expand", lambda x, dtype: _backward(x.expand(3, 2, 3, 4).sum())),
        ("cat", lambda x, dtype: _backward(minigrad.cat([x, x * 2], dim=1).sum())),
        ("index", index),
    ]


def drive_tensor_ops(d: Driver) -> None:
    """Shape ops and indexing (every implementation), then casts, comparisons,
    reductions past the grid cap, fill and copy, with gradients."""
    import minigrad
    from minigrad import dispatch

    def tensor(dtype):
        return minigrad.tensor(np.arange(24, dtype=dtype.np).reshape(2, 3, 4), device="cuda",
                               requires_grad=True)

    for op, fn in _shape_calls():
        default = dispatch.selected(op, "cuda")
        for impl in dispatch.implementations(op, "cuda"):
            tag = f"{op}:{impl}" + (" default" if impl == default else "")
            for dtype in (minigrad.float32, minigrad.float64):
                def run(fn=fn, op=op, impl=impl, dtype=dtype):
                    with minigrad.use(**{op: impl}):
                        fn(tensor(dtype), dtype)
                d.call(tag, run)

    def calls(dtype):
        x = tensor(dtype)
        mask = x > 3
        outs = [
            x.sum(), x.mean((0, 2), keepdim=True), x.max(), x.max(1)[0], x.min(-1)[0],
            x.clamp(1.0, 5.0), minigrad.where(mask, x, -x), x.relu(), x.exp(), x.log(),
            x.sqrt(), x.tanh(), x.sigmoid(), x.abs(), -x, x ** 2, 2 ** x, x / 3, 3 / (x + 1),
            minigrad.maximum(x, x * 0.5), minigrad.minimum(x, 1.0),
            x.to(minigrad.float64) if dtype is minigrad.float32 else x.to(minigrad.float32),
        ]
        for o in outs:
            _backward(o.sum() if o.requires_grad else o)
        big = minigrad.tensor(np.ones((70000, 3), dtype.np), device="cuda",
                              requires_grad=True)  # more outputs than the grid cap
        for o in (big.sum(1), big.mean(1), big.max(1)[0], big.max(1, keepdim=True)[0]):
            _backward(o.sum())
        x.argmax(1), x.argmin(), (x == 2), (x != x), (x <= 1), (x >= 1), (x < 0)
        x.to(minigrad.int64), mask.to(minigrad.float32), minigrad.zeros(5, device="cuda")
        minigrad.ones_like(x), minigrad.full((3,), 2.5, device="cuda"), x.detach(), x.cpu()
        n = minigrad.tensor([3, 1, 2], device="cuda")
        n + 1, n * n, n.sum(), (n > 1).sum(), n.max()

    for dtype in (minigrad.float32, minigrad.float64):
        d.call("tensor ops default", lambda dtype=dtype: calls(dtype))


# ---------------------------------------------------------------- training steps


def _step(model_name: str, optimizer: str, batch: int, steps: int = 2) -> Callable[[], None]:
    def run():
        import minigrad
        import minigrad.nn.functional as F
        from minigrad import models, optim

        minigrad.manual_seed(0)
        model = models.get_model(model_name).to("cuda")
        params = model.parameters()
        opt = {
            "sgd": lambda: optim.SGD(params, lr=0.01),
            "sgd-momentum": lambda: optim.SGD(params, lr=0.01, momentum=0.9),
            "sgd-nesterov": lambda: optim.SGD(params, lr=0.01, momentum=0.9, nesterov=True,
                                              weight_decay=1e-4),
            "adam": lambda: optim.Adam(params, lr=1e-3),
            "adam-decay": lambda: optim.Adam(params, lr=1e-3, weight_decay=1e-4),
            "adamw": lambda: optim.AdamW(params, lr=1e-3),
        }[optimizer]()
        x = minigrad.randn(batch, 1, 28, 28).to("cuda")
        y = minigrad.randint(0, 10, (batch,)).to("cuda")
        for _ in range(steps):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        loss.item()
        model.eval()
        with minigrad.no_grad():
            model(x).argmax(1)
    return run


def drive_training(d: Driver) -> None:
    """LeNet-5 with every optimizer (the README's job: Adam, batch 256 on the GPU
    bench), SeedCNN, and the layers a CNN adds: dropout and BatchNorm2d."""
    import minigrad
    import minigrad.nn as nn
    import minigrad.nn.functional as F

    for opt in ("sgd", "sgd-momentum", "sgd-nesterov", "adam", "adam-decay", "adamw"):
        d.call(f"lenet5:{opt} default", _step("lenet5", opt, 256))
    d.call("seedcnn:sgd-momentum default", _step("seedcnn", "sgd-momentum", 64))

    def layers():
        minigrad.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                            nn.Dropout(0.3), nn.Flatten(), nn.Linear(8 * 8 * 8, 10)).to("cuda")
        x = minigrad.randn(4, 3, 8, 8).to("cuda")
        loss = F.cross_entropy(net(x), minigrad.randint(0, 10, (4,)).to("cuda"))
        loss.backward()
        net.eval()
        with minigrad.no_grad():
            net(x)
        F.dropout(minigrad.randn(16, device="cuda"), 0.5, training=True)
    d.call("layers default", layers)


def _update_calls():
    """The ops off the tape: (op, fn(dtype)), each through the layer that runs it."""
    import minigrad
    import minigrad.nn as nn
    import minigrad.nn.functional as F
    from minigrad import optim

    def steps(make, dtype):
        # More parameters than one launch takes (16), an empty one and a 0-d one.
        shapes = [(5,), (0,), (3, 100), ()] + [(i + 1,) for i in range(14)]
        ps = [minigrad.tensor(np.ones(s), dtype=dtype, device="cuda", requires_grad=True)
              for s in shapes]
        opt = make(ps)
        for _ in range(2):  # the first step (new buffers, step 1) and a later one
            for p in ps:
                p.grad = minigrad.ones_like(p)
            opt.step()

    def sgd(dtype):
        for kw in ({}, {"momentum": 0.9}, {"momentum": 0.9, "dampening": 0.5},
                   {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}):
            steps(lambda ps, kw=kw: optim.SGD(ps, lr=0.01, **kw), dtype)

    def adam(dtype):
        for make in (lambda ps: optim.Adam(ps, lr=1e-3), lambda ps: optim.AdamW(ps),
                     lambda ps: optim.Adam(ps, betas=(0.3, 0.9), weight_decay=1e-2)):
            steps(make, dtype)

    def dropout(dtype):
        for p in (0.3, 1.0):
            F.dropout(minigrad.randn(3, 100, dtype=dtype).to("cuda"), p)

    def batch_norm(dtype):
        bn = nn.BatchNorm2d(3, dtype=dtype).to("cuda")
        bn(minigrad.randn(4, 3, 5, 5, dtype=dtype).to("cuda"))
        nn.init.uniform_(bn.weight)
        bn.load_state_dict(bn.state_dict())

    def to_copy(dtype):
        # Both ways, and back through the tape: host -> device -> host. A copy compiles
        # nothing (the driver's); the product between them is what the gate sees of it.
        x = minigrad.randn(3, 4, dtype=dtype, requires_grad=True).to("cuda")
        (x * x).cpu().sum().backward()

    def class_indices(dtype):
        # The check both losses queue before their kernels (an ignored target too).
        x = minigrad.randn(4, 3, dtype=dtype).to("cuda")
        t = minigrad.tensor([0, 2, -100, 1]).to("cuda")
        F.cross_entropy(x, t)
        F.nll_loss(F.log_softmax(x, dim=1), t)

    def fill(dtype):
        # Zeroed gradients under the same tensors (an empty one too): the fill op.
        ps = [minigrad.tensor(np.ones(s), dtype=dtype, device="cuda", requires_grad=True)
              for s in ((3, 5), (0,))]
        for p in ps:
            p.grad = minigrad.ones_like(p)
        optim.SGD(ps, lr=0.1).zero_grad(set_to_none=False)

    return [("sgd_step", sgd), ("adam_step", adam), ("dropout_mask", dropout),
            ("update_running_stats", batch_norm), ("copy_", batch_norm),
            ("to_copy", to_copy), ("check_class_indices", class_indices), ("full", fill)]


def drive_updates(d: Driver) -> None:
    """:func:`_update_calls` with every implementation of their op, both dtypes."""
    _drive_every_impl(d, _update_calls())


def drive_all(gpu, log: Callable[[str], None] | None = None,
              examples: int = EXAMPLES) -> Driver:
    """Everything above, on the fake GPU ``gpu``; returns the Driver (its failures).

    Every launch that takes minigrad's cached launch path (``ops._cuda.Kernel``) is
    checked against the parameters numba-cuda itself would build (a mismatch is a
    failed call)."""
    from minigrad.ops import _cuda
    d = Driver(gpu, log)
    verify, _cuda.VERIFY_LAUNCHES = _cuda.VERIFY_LAUNCHES, True
    try:
        _drive_everything(d, examples)
    finally:
        _cuda.VERIFY_LAUNCHES = verify
    return d


def _drive_everything(d: Driver, examples: int) -> None:
    d.log("driving the ops' Hypothesis cases")
    drive_ops(d, examples)
    d.log("driving the bench's GPU workloads")
    drive_workloads(d)
    d.log("driving edge calls")
    drive_edges(d)
    d.log("driving tensor ops")
    drive_tensor_ops(d)
    d.log("driving the ops off the tape")
    drive_updates(d)
    d.log("driving training steps")
    drive_training(d)
