"""The cuda device: tensors on the GPU, moving them, modules and optimizers there, and a
training step that never copies back to the host but for the loss it is asked for."""
from __future__ import annotations

import numpy as np
import pytest
from numba import config

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.device import transfers

from _guard import count_device_reads

SIMULATOR = bool(config.ENABLE_CUDASIM)


def test_availability():
    assert minigrad.cuda.is_available()
    assert minigrad.cuda.device_count() == 1
    assert isinstance(minigrad.cuda.get_device_name(), str)
    assert minigrad.cuda.is_simulator() == SIMULATOR
    minigrad.cuda.synchronize()


@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64, minigrad.int64, minigrad.bool])
def test_round_trip_keeps_values_and_dtype(dtype):
    values = np.arange(-3, 9).reshape(3, 4) % 5 == 0 if dtype is minigrad.bool else np.arange(-3, 9).reshape(3, 4)
    t = minigrad.tensor(values, dtype=dtype, device="cuda")
    assert t.device == "cuda" and t.device == "cuda:0" and t.is_cuda
    assert t.dtype is dtype and t.shape == (3, 4)
    back = t.cpu()
    assert back.device == "cpu"
    np.testing.assert_array_equal(back.numpy(), np.asarray(values).astype(dtype.np))
    assert "device='cuda:0'" in repr(t)


def test_creation_functions_on_cuda():
    minigrad.manual_seed(3)
    a = minigrad.randn(2, 3, device="cuda")
    minigrad.manual_seed(3)
    b = minigrad.randn(2, 3)
    # The numbers are drawn on the host, so the same seed gives the same values.
    np.testing.assert_array_equal(a.cpu().numpy(), b.numpy())
    z = minigrad.zeros_like(a)
    assert z.device == "cuda"
    np.testing.assert_array_equal(z.cpu().numpy(), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(minigrad.ones(4, device="cuda").cpu().numpy(), np.ones(4))
    np.testing.assert_array_equal(minigrad.full((2,), 7, device="cuda").cpu().numpy(), [7, 7])
    assert minigrad.tensor(a).device == "cuda"  # a copy stays where its source is


def test_numpy_on_a_cuda_tensor_is_refused_as_in_pytorch():
    t = minigrad.ones(2, device="cuda")
    with pytest.raises(TypeError, match="cpu"):
        t.numpy()
    assert t.sum().item() == 2.0


def test_mixing_devices_is_an_error():
    with pytest.raises(RuntimeError, match="same device"):
        minigrad.ones(2, device="cuda") + minigrad.ones(2)


def test_scalars_join_a_cuda_expression_without_copies():
    t = minigrad.tensor([1.0, 2.0], device="cuda")
    before = transfers.host_to_device
    out = 2 * t + 1
    assert transfers.host_to_device == before
    np.testing.assert_array_equal(out.cpu().numpy(), [3.0, 5.0])


def test_to_is_differentiable_across_devices():
    x = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = (x.to("cuda") * x.to("cuda")).sum()
    y.backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, -4.0, 6.0])


def test_cuda_array_interface():
    t = minigrad.arange(6, dtype=minigrad.float32, device="cuda")
    cpu = minigrad.arange(6, dtype=minigrad.float32)
    assert not hasattr(cpu, "__cuda_array_interface__")
    if SIMULATOR:
        with pytest.raises(AttributeError, match="simulator"):
            t.__cuda_array_interface__
        return
    from numba import cuda
    cai = t.__cuda_array_interface__
    assert cai["shape"] == (6,) and cai["typestr"] == "<f4"
    view = cuda.as_cuda_array(t)  # zero-copy: the same device pointer
    assert view.__cuda_array_interface__["data"][0] == cai["data"][0]


class _Tiny(nn.Module):
    """LeNet-5's ops at simulator size: conv, relu, max-pool, flatten, linear, dropout."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.fc = nn.Linear(2 * 3 * 3, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        x = F.dropout(x.flatten(1), 0.25, training=self.training)
        return self.fc(x)


def _model():
    if SIMULATOR:
        return _Tiny(), (4, 1, 6, 6), 3
    from minigrad.models import LeNet5
    return LeNet5(), (256, 1, 28, 28), 10


def test_model_to_cuda_keeps_parameter_objects_and_moves_state():
    model, _, _ = _model()
    params = list(model.parameters())
    assert model.to("cuda") is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(p.device == "cuda" for p in params)
    state = model.state_dict()
    assert all(v.device == "cuda" for v in state.values())
    model.load_state_dict({k: v.cpu() for k, v in state.items()})  # copied back in place
    assert all(p.device == "cuda" for p in model.parameters())
    model.cpu()
    assert all(p.device == "cpu" for p in model.parameters())


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_a_training_step_copies_nothing_back_but_the_loss(opt):
    minigrad.manual_seed(0)
    model, shape, classes = _model()
    model.to("cuda")
    optimizer = (minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
                 if opt == "sgd" else minigrad.optim.Adam(model.parameters(), lr=1e-3))
    images = minigrad.randn(*shape).to("cuda")
    labels = minigrad.randint(0, classes, (shape[0],)).to("cuda")
    losses = []
    for step in range(2):  # the second step also has optimizer state to update
        with count_device_reads() as reads:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
        assert reads.reads == [], f"step {step}: host reads {reads.reads}"
        with count_device_reads() as reads:
            losses.append(loss.item())
        # Reading the loss, when asked, is the one copy, and then the 40-byte error word
        # that cross_entropy's class-index check may have written (minigrad.device).
        assert reads.reads == ["copy_to_host", "copy_to_host"], reads.reads
    assert all(np.isfinite(losses))
    for p in model.parameters():
        assert p.device == "cuda" and p.grad.device == "cuda"
        for value in optimizer.state[p].values():
            if isinstance(value, minigrad.Tensor) and value.ndim:
                assert value.device == "cuda"


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_a_training_step_on_cuda_matches_the_cpu(opt):
    minigrad.manual_seed(1)
    cpu_model, shape, classes = _model()
    cpu_model.eval()  # no dropout: the masks differ between devices
    gpu_model = type(cpu_model)()
    gpu_model.load_state_dict(cpu_model.state_dict())
    gpu_model.to("cuda").eval()
    make = {"sgd": lambda ps: minigrad.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
            "adam": lambda ps: minigrad.optim.Adam(ps, lr=1e-2, weight_decay=1e-3)}[opt]
    optimizers = make(cpu_model.parameters()), make(gpu_model.parameters())
    images = minigrad.randn(*shape)
    labels = minigrad.randint(0, classes, (shape[0],))
    for _ in range(2):
        for model, optimizer, device in zip((cpu_model, gpu_model), optimizers, ("cpu", "cuda")):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images.to(device)), labels.to(device))
            loss.backward()
            optimizer.step()
    for (name, a), (_, b) in zip(cpu_model.state_dict().items(), gpu_model.state_dict().items()):
        np.testing.assert_allclose(b.cpu().numpy(), a.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_save_and_load_cuda_tensors(tmp_path):
    t = minigrad.tensor([[1.5, -2.0]], device="cuda")
    path = tmp_path / "t.npz"
    minigrad.save({"t": t}, path)
    back = minigrad.load(path)["t"]
    assert back.device == "cpu"
    np.testing.assert_array_equal(back.numpy(), [[1.5, -2.0]])
    assert minigrad.load(path, map_location="cuda")["t"].device == "cuda"


def test_dropout_on_cuda_keeps_or_scales():
    x = minigrad.ones(64, 8, device="cuda")
    y = F.dropout(x, 0.5).cpu().numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.3 < (y == 0).mean() < 0.7


def test_train_one_epoch_and_evaluate_move_batches_to_the_model():
    from minigrad.data import DataLoader, TensorDataset
    from minigrad.train import evaluate, train_one_epoch

    minigrad.manual_seed(2)
    model, shape, classes = _model()
    n = 2 * shape[0]
    data = TensorDataset(minigrad.randn(n, *shape[1:]), minigrad.randint(0, classes, (n,)))
    loader = DataLoader(data, batch_size=shape[0])  # CPU batches, moved by the loop
    model.to("cuda")
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.01)
    stats = train_one_epoch(model, loader, optimizer)
    assert stats.steps == 2 and stats.seen == n and np.isfinite(stats.loss)
    result = evaluate(model, loader, num_classes=classes)
    assert result.seen == n and 0 <= result.correct <= n
    assert result.confusion.sum() == n


def test_backward_with_a_host_gradient_for_a_cuda_tensor():
    x = minigrad.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    (x * 3).backward(np.ones(2, np.float32))
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [3.0, 3.0])


def test_the_training_graph_picture_of_a_cuda_model(tmp_path):
    from minigrad.train.graph import draw_model_graph

    model, shape, classes = _model()
    model.to("cuda")
    before = {k: v.cpu().numpy().copy() for k, v in model.state_dict().items()}
    files, _ = draw_model_graph(model, minigrad.nn.CrossEntropyLoss(), minigrad.randn(*shape),
                                minigrad.randint(0, classes, (shape[0],)), tmp_path)
    assert "conv2d" in (tmp_path / "model_graph.dot").read_text().lower()
    # The model's state is put back, in place on the GPU.
    for key, value in model.state_dict().items():
        assert value.device == "cuda"
        np.testing.assert_array_equal(value.cpu().numpy(), before[key])


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_nll_loss_on_cuda_matches_the_cpu(reduction):
    x = minigrad.randn(3, 4, dtype=minigrad.float64)
    t = minigrad.tensor([0, 3, 1])
    w = minigrad.tensor([1.0, 2.0, 0.5, 1.5], dtype=minigrad.float64)
    want = F.nll_loss(x, t, w, reduction=reduction, ignore_index=1)
    got = F.nll_loss(x.to("cuda"), t.to("cuda"), w.to("cuda"), reduction=reduction, ignore_index=1)
    assert got.device == "cuda"
    np.testing.assert_allclose(got.cpu().numpy(), want.numpy())
    xc = x.to("cuda").requires_grad_()
    assert minigrad.gradcheck(lambda z: F.nll_loss(z, t.to("cuda"), reduction=reduction), (xc,))
    with pytest.raises(RuntimeError, match="same device"):
        F.nll_loss(x.to("cuda"), t)


def test_batchnorm_on_cuda_matches_the_cpu():
    minigrad.manual_seed(4)
    cpu = minigrad.nn.BatchNorm2d(2)
    gpu = minigrad.nn.BatchNorm2d(2).to("cuda")
    x = minigrad.randn(3, 2, 2, 2)
    for _ in range(2):  # the running statistics move twice
        want = cpu(x)
        got = gpu(x.to("cuda"))
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    for key, value in cpu.state_dict().items():
        moved = gpu.state_dict()[key]
        assert moved.device == "cuda", key
        np.testing.assert_allclose(moved.cpu().numpy(), value.numpy(), rtol=1e-5, err_msg=key)
    gpu.eval()
    cpu.eval()
    with minigrad.no_grad():
        np.testing.assert_allclose(gpu(x.to("cuda")).cpu().numpy(), cpu(x).numpy(), rtol=1e-5, atol=1e-6)


def test_transfers_and_fills_of_arrays_are_ops_the_profiler_sees():
    """Array copies between the devices (made tensors, reads) and fills run through the
    registry like every kernel, not beside it."""
    with minigrad.profiler.profile() as prof:
        x = minigrad.randn(3, device="cuda")       # made on the host, copied over
        p = minigrad.tensor([1.0, 2.0], device="cuda", requires_grad=True)
        p.grad = minigrad.ones(2, device="cuda")
        minigrad.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
        x.sum().item()                               # the one copy back
    seen = [(e.name, e.device) for e in prof.events()]
    assert seen.count(("to_copy", "cpu")) == 3 and seen.count(("to_copy", "cuda")) == 1, seen
    assert ("full", "cuda") in seen, seen
    assert p.grad.cpu().tolist() == [0.0, 0.0]
