"""Whole models for the training-step benchmark: SeedCNN and LeNet-5, written once
against a functional namespace (minigrad.nn.functional or torch.nn.functional) and a
dict of parameters, plus the implementation sets they are run with.

SeedCNN is the proposal's network: conv 16@3x3 (valid) on 1x28x28, max-pool 2,
linear 2704 -> 10. LeNet-5: conv 6@5x5 pad 2, relu, max-pool 2, conv 16@5x5, relu,
max-pool 2, flatten, linear 400 -> 120, relu, linear 120 -> 84, relu, linear 84 -> 10.
Both end in cross-entropy. A step is forward + backward + plain SGD.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

LR = 0.01


def _uniform(rng, fan_in, *shape):
    """PyTorch's default initialisation bound, 1/sqrt(fan_in), for weights and biases."""
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(np.float32)


def _conv_params(rng, name, cout, cin, k):
    return {f"{name}.weight": _uniform(rng, cin * k * k, cout, cin, k, k),
            f"{name}.bias": _uniform(rng, cin * k * k, cout)}


def _linear_params(rng, name, fin, fout):
    return {f"{name}.weight": _uniform(rng, fin, fout, fin),
            f"{name}.bias": _uniform(rng, fin, fout)}


def seedcnn_params(rng) -> dict:
    return {**_conv_params(rng, "conv", 16, 1, 3), **_linear_params(rng, "fc", 16 * 13 * 13, 10)}


def seedcnn(F, p, x):
    h = F.max_pool2d(F.conv2d(x, p["conv.weight"], p["conv.bias"]), 2)
    return F.linear(h.flatten(1), p["fc.weight"], p["fc.bias"])


def lenet5_params(rng) -> dict:
    return {**_conv_params(rng, "conv1", 6, 1, 5), **_conv_params(rng, "conv2", 16, 6, 5),
            **_linear_params(rng, "fc1", 400, 120), **_linear_params(rng, "fc2", 120, 84),
            **_linear_params(rng, "fc3", 84, 10)}


def lenet5(F, p, x):
    h = F.max_pool2d(F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=2).relu(), 2)
    h = F.max_pool2d(F.conv2d(h, p["conv2.weight"], p["conv2.bias"]).relu(), 2)
    h = h.flatten(1)
    h = F.linear(h, p["fc1.weight"], p["fc1.bias"]).relu()
    h = F.linear(h, p["fc2.weight"], p["fc2.bias"]).relu()
    return F.linear(h, p["fc3.weight"], p["fc3.bias"])


@dataclass(frozen=True)
class Model:
    name: str
    params: Callable  # rng -> {name: ndarray}
    forward: Callable  # (F, params, x) -> logits
    # batch for the naive set, scaled to the full one
    reduced_batch: int
    input_shape: tuple = (1, 28, 28)
    classes: int = 10


MODELS = [Model("SeedCNN", seedcnn_params, seedcnn, reduced_batch=4),
          Model("LeNet-5", lenet5_params, lenet5, reduced_batch=2)]
# On cuda: LeNet-5, the target, at CUDA_MODEL_BATCH (in the runner).
CUDA_MODELS = [m for m in MODELS if m.name == "LeNet-5"]


def data(model: Model, batch: int, seed: int = 0):
    """(params, images, labels) as NumPy arrays, the same for every framework."""
    rng = np.random.default_rng(seed)
    params = model.params(rng)
    x = rng.standard_normal((batch, *model.input_shape)).astype(np.float32)
    y = rng.integers(0, model.classes, size=batch).astype(np.int64)
    return params, x, y


# ---- implementation sets ----------------------------------------------------------
DEFAULT_SET = "default"


def implementation_sets(device: str = "cpu") -> list[str]:
    """Every implementation name registered for some op on ``device`` (the baseline
    "naive" first when there is one, then in registration order of the ops that have a
    choice), and "default" (the registry's defaults)."""
    from minigrad import dispatch
    names: list[str] = []
    ops = dispatch.ops()
    # ops with a choice first: their order is the ladder (naive, numpy, numba, ...)
    for op in sorted(ops, key=lambda o: len(dispatch.implementations(o, device)) < 2):
        impls = dispatch.implementations(op, device)
        # On cuda the ops without a choice (elementwise, shape, ...) each have a name of
        # their own that would only repeat the default set; on the CPU that name is
        # "numpy", a set of the ladder anyway.
        if device != "cpu" and len(impls) < 2:
            continue
        for name in impls:
            if name not in names:
                names.append(name)
    from .timing import is_slow
    names.sort(key=lambda n: not is_slow(n, device))  # stable: the slow baseline first
    return names + [DEFAULT_SET]


def choices(impl_set: str, device: str = "cpu") -> dict:
    """The ``minigrad.use`` arguments of a set: every op that has an implementation of
    that name uses it; the others keep their default."""
    if impl_set == DEFAULT_SET:
        return {}
    from minigrad import dispatch
    return {op: impl_set for op in dispatch.ops() if impl_set in dispatch.implementations(op, device)}


def sgd(params, lr: float = LR) -> None:
    """Plain SGD (p -= lr * grad) on every parameter, then clear the gradients: the
    optimizers' own ``sgd_step`` op (one fused launch on cuda), without an optimizer."""
    from minigrad.optim.sgd import sgd as sgd_update
    sgd_update(params, [p.grad for p in params], [None] * len(params), lr=lr)
    for p in params:
        p.grad = None


def step_case(model: Model, impl_set: str, batch: int = 128, device: str = "cpu"):
    """A timing Case: one training step (forward + loss, backward, SGD) of ``model``
    with ``impl_set`` on ``device`` (parameters and data put there once, before the
    clock runs); the slow sets run on ``model.reduced_batch``."""
    import minigrad
    import minigrad.nn.functional as F

    from .timing import Case, clock, is_slow, synchronizer

    slow = is_slow(impl_set, device)
    measured = min(model.reduced_batch, batch) if slow else batch
    params, x, y = data(model, measured)
    p = {k: minigrad.tensor(v, requires_grad=True, device=device) for k, v in params.items()}
    x, y = minigrad.tensor(x, device=device), minigrad.tensor(y, device=device)
    use = choices(impl_set, device)
    plist = list(p.values())
    sync = synchronizer(device)

    def run_once():
        with minigrad.use(**use):
            sync()
            t0 = clock()
            loss = F.cross_entropy(model.forward(F, p, x), y)
            sync()
            t1 = clock()
            loss.backward()
            sync()
            t2 = clock()
            sgd(plist)
            sync()
            t3 = clock()
        return t1 - t0, t2 - t1, t3 - t2

    suffix = "" if device == "cpu" else f" ({device})"
    return Case(f"{model.name} | {impl_set}{suffix}", run_once, scale=batch / measured,
                warmup=not slow)
