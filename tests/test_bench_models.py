"""The whole-model training steps and the implementation sets."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import bench
from minigrad.bench import models


def test_implementation_sets_come_from_the_registry():
    sets = bench.implementation_sets()
    assert sets[0] == "naive" and sets[-1] == "default"
    assert set(minigrad.implementations("conv2d", "cpu")) <= set(sets)
    for s in sets[:-1]:
        use = models.choices(s)
        assert use and all(s in minigrad.implementations(op, "cpu") for op in use)
        if s in minigrad.implementations("conv2d", "cpu"):
            assert use["conv2d"] == s
    assert models.choices("default") == {}


@pytest.mark.parametrize("model", bench.MODELS, ids=lambda m: m.name)
def test_forward_shapes(model):
    params, x, y = models.data(model, 2)
    p = {k: minigrad.tensor(v) for k, v in params.items()}
    assert model.forward(F, p, minigrad.tensor(x)).shape == (2, 10)
    n = sum(v.size for v in params.values())
    assert n == {"SeedCNN": 16 * 9 + 16 + 2704 * 10 + 10,
                 "LeNet-5": 61706}[model.name]


def test_sgd_updates_and_clears_grads():
    p = minigrad.tensor(np.ones(3, np.float32), requires_grad=True)
    (p * minigrad.tensor(np.array([1, 2, 3], np.float32))).sum().backward()
    models.sgd([p], lr=0.5)
    assert np.allclose(p._array, [0.5, 0.0, -0.5]) and p.grad is None


def test_step_runner_on_a_tiny_batch():
    seed = bench.MODELS[0]
    rows = bench.run_models([seed], repeats=1, batch=2, log=lambda msg: None)
    assert [r["impl"] for r in rows] == bench.implementation_sets()
    for r in rows:
        assert r["images_per_s"] > 0 and r["step_ms"] > 0 and r["sgd_ms"] > 0
        assert r["measured_batch"] == 2 and r["scale"] == 1  # reduced batch 4 > batch 2
        assert r["speedup_vs_naive"] > 0
        assert "torch_ratio" not in r
    table = bench.model_table(rows)
    assert table.count("\n") == len(rows) + 1


def test_step_case_reduces_the_naive_batch_and_learns():
    lenet = bench.MODELS[1]
    case = bench.step_case(lenet, "default", batch=4)
    assert case.scale == 1 and case.warmup
    slow = bench.step_case(lenet, "naive", batch=4)
    assert slow.scale == 4 / lenet.reduced_batch and not slow.warmup
    # the step does train: the loss on a fixed batch goes down with the default set
    params, x, y = models.data(lenet, 8)
    p = {k: minigrad.tensor(v, requires_grad=True) for k, v in params.items()}
    x, y = minigrad.tensor(x), minigrad.tensor(y)
    losses = []
    for _ in range(5):
        loss = F.cross_entropy(lenet.forward(F, p, x), y)
        losses.append(loss.item())
        loss.backward()
        models.sgd(list(p.values()), lr=0.1)
    assert losses[-1] < losses[0]


def test_models_match_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF
    for model in bench.MODELS:
        params, x, _ = models.data(model, 2)
        ours = model.forward(F, {k: minigrad.tensor(v) for k, v in params.items()},
                             minigrad.tensor(x))
        theirs = model.forward(TF, {k: torch.from_numpy(v) for k, v in params.items()},
                               torch.from_numpy(x))
        np.testing.assert_allclose(ours._array, theirs.numpy(), rtol=1e-4, atol=1e-5)
