"""minigrad.models: LeNet5, SeedCNN, MLP and the registry by name."""
import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.models import MLP, LeNet5, SeedCNN, get_model, list_models, register_model
from minigrad.models import registry


def _count(model):
    return sum(p.numel() for p in model.parameters())


def _conv(cout, cin, k):
    return cout * cin * k * k + cout


def _linear(fin, fout):
    return fin * fout + fout


def test_parameter_counts_by_hand():
    assert _count(LeNet5()) == _conv(6, 1, 5) + _conv(16, 6, 5) + _linear(400, 120) \
        + _linear(120, 84) + _linear(84, 10) == 61_706
    assert _count(SeedCNN()) == _conv(16, 1, 3) + _linear(16 * 13 * 13, 10) == 27_210
    assert _count(MLP()) == _linear(784, 256) + _linear(256, 128) + _linear(128, 10) == 235_146
    assert _count(MLP(hidden=())) == _linear(784, 10)
    assert _count(LeNet5(num_classes=3)) == 61_706 - _linear(84, 10) + _linear(84, 3)


@pytest.mark.parametrize("model", [LeNet5(), SeedCNN(), SeedCNN(relu=True), MLP(),
                                   MLP(hidden=(32,), num_classes=4)])
def test_output_shapes(model):
    out = model(minigrad.randn(3, 1, 28, 28))
    assert out.shape == (3, model.num_classes) and out.dtype is minigrad.float32


def test_state_dict_keys():
    assert list(LeNet5().state_dict()) == [
        "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
        "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"]
    shapes = {k: v.shape for k, v in SeedCNN().state_dict().items()}
    assert shapes == {"conv.weight": (16, 1, 3, 3), "conv.bias": (16,),
                      "fc.weight": (10, 2704), "fc.bias": (10,)}
    assert list(MLP(hidden=(8,)).state_dict()) == ["layers.0.weight", "layers.0.bias",
                                                  "layers.2.weight", "layers.2.bias"]


def test_lenet5_forward_is_the_documented_network():
    m = LeNet5()
    p = {k: v for k, v in m.state_dict().items()}
    x = minigrad.randn(2, 1, 28, 28)
    h = F.max_pool2d(F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=2).relu(), 2)
    h = F.max_pool2d(F.conv2d(h, p["conv2.weight"], p["conv2.bias"]).relu(), 2)
    h = F.linear(h.flatten(1), p["fc1.weight"], p["fc1.bias"]).relu()
    h = F.linear(h, p["fc2.weight"], p["fc2.bias"]).relu()
    ref = F.linear(h, p["fc3.weight"], p["fc3.bias"])
    np.testing.assert_allclose(m(x)._array, ref._array, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("relu", [False, True])
def test_seedcnn_forward_with_and_without_relu(relu):
    m = SeedCNN(relu=relu)
    x = minigrad.randn(2, 1, 28, 28)
    h = F.conv2d(x, m.conv.weight.detach(), m.conv.bias.detach())
    if relu:
        h = h.relu()
    ref = F.linear(F.max_pool2d(h, 2).flatten(1), m.fc.weight.detach(), m.fc.bias.detach())
    np.testing.assert_allclose(m(x)._array, ref._array, rtol=1e-6, atol=1e-7)
    with pytest.raises(TypeError, match="relu: expected a bool"):
        SeedCNN(relu=1)


def test_mlp_arguments():
    with pytest.raises(ValueError, match="hidden: expected positive ints"):
        MLP(hidden=(0,))
    with pytest.raises(TypeError, match="hidden: expected a sequence"):
        MLP(hidden=5)
    assert MLP(in_features=12, hidden=(5,), num_classes=2)(minigrad.randn(4, 3, 4)).shape == (4, 2)


def test_models_are_reproducible_under_manual_seed():
    minigrad.manual_seed(11)
    a = LeNet5()
    minigrad.manual_seed(11)
    b = LeNet5()
    for va, vb in zip(a.state_dict().values(), b.state_dict().values()):
        np.testing.assert_array_equal(va._array, vb._array)


# ---- registry -------------------------------------------------------------------------------

def test_registry_lookup():
    assert {"lenet5", "seedcnn", "mlp"} <= set(list_models())
    assert list_models() == sorted(list_models())
    assert type(get_model("lenet5")) is LeNet5
    assert type(get_model("SeedCNN")) is SeedCNN  # names are case-insensitive
    m = get_model("mlp", hidden=(16,), num_classes=3)
    assert isinstance(m, MLP) and m.hidden == (16,) and m.num_classes == 3


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown model 'resnet'; known models: .*lenet5.*mlp"):
        get_model("resnet")
    with pytest.raises(TypeError, match="name: expected a non-empty string"):
        get_model(None)


@pytest.fixture
def clean_registry():
    saved = dict(registry._MODELS)
    yield
    registry._MODELS.clear()
    registry._MODELS.update(saved)


def test_register_model(clean_registry):
    @register_model("Tiny")
    class Tiny(nn.Module):
        def __init__(self, width=2):
            super().__init__()
            self.fc = nn.Linear(width, 1)

        def forward(self, x):
            return self.fc(x)

    assert "tiny" in list_models()
    assert get_model("tiny", width=3).fc.in_features == 3
    with pytest.raises(ValueError, match="'tiny' is already registered"):
        register_model("tiny")(LeNet5)
    register_model("tiny")(Tiny)  # registering the same class again is harmless


# ---- training -------------------------------------------------------------------------------

# Learning rates that are stable for each model on unnormalised random images (SeedCNN's
# 2704 unactivated features need a small one).
@pytest.mark.parametrize("name, lr", [("lenet5", 0.2), ("seedcnn", 0.01), ("mlp", 0.1)])
def test_a_few_sgd_steps_reduce_the_loss(name, lr):
    minigrad.manual_seed(0)
    model = get_model(name)
    x = minigrad.randn(8, 1, 28, 28)
    y = minigrad.tensor([0, 1, 2, 3, 4, 5, 6, 7])
    criterion = nn.CrossEntropyLoss()
    losses = []
    for _ in range(8):
        model.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        losses.append(loss.item())
        for p in model.parameters():  # plain SGD, by hand
            p._array -= lr * p.grad._array
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    assert losses[-1] < 0.9 * losses[0], losses
