"""The demo: a small CNN run forward and backward with every registered implementation
of every CNN op, checked against the default ones, and a picture of its graph."""
from __future__ import annotations

import os
import time

import numpy as np

import minigrad
from minigrad import nn

CNN_OPS = ("conv2d", "max_pool2d", "linear", "cross_entropy")


def small_cnn_loss(x, target, params):
    """conv 3x3 (4 ch) -> relu -> max-pool 2 -> flatten -> linear -> cross-entropy."""
    F = nn.functional
    h = F.conv2d(x, params["conv.weight"], params["conv.bias"], padding=1)
    h = F.max_pool2d(h.relu(), 2)
    logits = F.linear(h.flatten(1), params["fc.weight"], params["fc.bias"])
    return F.cross_entropy(logits, target)


def make_inputs(seed: int = 0, batch: int = 4):
    rng = np.random.default_rng(seed)
    x = minigrad.tensor(rng.standard_normal((batch, 1, 8, 8)), dtype=minigrad.float64)
    target = minigrad.tensor(rng.integers(0, 10, size=batch))
    params = {
        "conv.weight": rng.standard_normal((4, 1, 3, 3)) * 0.5,
        "conv.bias": rng.standard_normal(4) * 0.1,
        "fc.weight": rng.standard_normal((10, 64)) * 0.1,
        "fc.bias": np.zeros(10),
    }
    params = {k: minigrad.tensor(v, dtype=minigrad.float64, requires_grad=True) for k, v in params.items()}
    return x, target, params


def _run(x, target, params):
    for p in params.values():
        p.grad = None
    loss = small_cnn_loss(x, target, params)
    loss.backward(retain_graph=True)
    return loss, {k: p.grad.numpy().copy() for k, p in params.items()}


def main(out_dir: str = "out", atol: float = 1e-9) -> int:
    """Run the demo; returns a process exit code (0: every implementation agreed)."""
    os.makedirs(out_dir, exist_ok=True)
    x, target, params = make_inputs()
    ref_loss, ref_grads = _run(x, target, params)
    print(f"small CNN on a batch of {x.shape[0]} 1x8x8 images, float64; "
          f"reference (defaults) loss = {ref_loss.item():.10f}")
    print(f"{'op':<14} {'implementation':<16} {'loss':>16} {'max |grad diff|':>16} {'ms':>8}  ok")
    failures = 0
    for op in CNN_OPS:
        for impl in minigrad.implementations(op, "cpu"):
            with minigrad.use(**{op: impl}):
                t0 = time.perf_counter()
                loss, grads = _run(x, target, params)
                ms = (time.perf_counter() - t0) * 1e3
            diff = max(float(np.max(np.abs(grads[k] - ref_grads[k]))) for k in grads)
            ok = abs(loss.item() - ref_loss.item()) <= atol and diff <= atol
            failures += not ok
            print(f"{op:<14} {impl:<16} {loss.item():>16.10f} {diff:>16.2e} {ms:>8.1f}  "
                  f"{'yes' if ok else 'NO'}")

    graph = minigrad.viz.draw(ref_loss, params=params)
    dot_path = os.path.join(out_dir, "small_cnn_graph.dot")
    with open(dot_path, "w") as f:
        f.write(graph.source)
    try:
        for fmt in ("svg", "png"):
            path = graph.render(os.path.join(out_dir, "small_cnn_graph"), format=fmt, cleanup=True)
            print(f"graph picture: {path}")
    except RuntimeError as e:
        print(f"graph picture not rendered: {e}")
    print(f"graph DOT source: {dot_path}")
    if failures:
        print(f"{failures} implementation(s) disagreed with the defaults")
        return 1
    print("all implementations agree")
    return 0
