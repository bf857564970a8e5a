"""minigrad.models: LeNet5, SeedCNN, MLP, SmallCNN and the registry by name."""
import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.models import (MLP, LeNet5, SeedCNN, SmallCNN, get_model, get_recipe, list_models,
                             register_model)
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
                                   MLP(hidden=(32,), num_classes=4), SmallCNN(),
                                   SmallCNN(num_classes=3, channels=(2, 3, 4), hidden=5)])
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

def _losses(model, x, y, steps, update):
    """The loss at each of ``steps`` training steps on one batch; ``update()`` applies
    the gradients."""
    criterion = nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        model.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        losses.append(loss.item())
        update()
    return losses


# Learning rates that are stable for each model on unnormalised random images (SeedCNN's
# 2704 unactivated features need a small one).
@pytest.mark.parametrize("name, lr", [("lenet5", 0.2), ("seedcnn", 0.01), ("mlp", 0.1)])
def test_a_few_sgd_steps_reduce_the_loss(name, lr):
    minigrad.manual_seed(0)
    model = get_model(name)
    x = minigrad.randn(8, 1, 28, 28)
    y = minigrad.tensor([0, 1, 2, 3, 4, 5, 6, 7])

    def sgd():  # plain SGD, by hand
        for p in model.parameters():
            p._array -= lr * p.grad._array
    losses = _losses(model, x, y, 8, sgd)
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    assert losses[-1] < 0.9 * losses[0], losses


# ---- SmallCNN -----------------------------------------------------------------------------

def _bn(c):
    return 2 * c  # weight and bias; the running statistics are buffers


def test_smallcnn_parameter_count_by_hand():
    def count(c1, c2, c3, hidden, k):
        convs = 9 * (1 * c1 + c1 * c2 + c2 * c3)  # 3x3 kernels, no bias (BatchNorm's)
        return convs + _bn(c1) + _bn(c2) + _bn(c3) + _linear(c3 * 9, hidden) + _linear(hidden, k)
    assert _count(SmallCNN()) == count(16, 32, 64, 128, 10) == 98_554
    assert _count(SmallCNN(num_classes=4, channels=(3, 5, 7), hidden=6)) == count(3, 5, 7, 6, 4)


def test_smallcnn_state_dict_layout():
    shapes = {k: v.shape for k, v in SmallCNN(channels=(2, 3, 4), hidden=5).state_dict().items()}
    assert shapes["features.0.weight"] == (2, 1, 3, 3)
    assert shapes["features.4.weight"] == (3, 2, 3, 3)
    assert shapes["features.8.weight"] == (4, 3, 3, 3)
    for i, c in ((1, 2), (5, 3), (9, 4)):
        for name in ("weight", "bias", "running_mean", "running_var"):
            assert shapes[f"features.{i}.{name}"] == (c,)
        assert shapes[f"features.{i}.num_batches_tracked"] == ()
    assert shapes["classifier.2.weight"] == (5, 36) and shapes["classifier.5.weight"] == (10, 5)
    assert not any(k.endswith(("0.bias", "4.bias", "8.bias")) and k.startswith("features")
                   for k in shapes)  # the convolutions have no bias


def _smallcnn_by_hand(m, x, training):
    """The documented network, op by op, from the model's own state."""
    p = m.state_dict()
    h = x
    for conv, bn in ((0, 1), (4, 5), (8, 9)):
        h = F.conv2d(h, p[f"features.{conv}.weight"], padding=1)
        mean, var = p[f"features.{bn}.running_mean"], p[f"features.{bn}.running_var"]
        if training:  # the batch's statistics (biased variance), as BatchNorm2d's training
            mean = h.mean(dim=(0, 2, 3))
            var = ((h - mean.reshape(1, -1, 1, 1)) ** 2).mean(dim=(0, 2, 3))
        h = (h - mean.reshape(1, -1, 1, 1)) / (var.reshape(1, -1, 1, 1) + 1e-5) ** 0.5
        h = h * p[f"features.{bn}.weight"].reshape(1, -1, 1, 1) \
            + p[f"features.{bn}.bias"].reshape(1, -1, 1, 1)
        h = F.max_pool2d(h.relu(), 2)
    h = F.linear(h.flatten(1), p["classifier.2.weight"], p["classifier.2.bias"]).relu()
    return F.linear(h, p["classifier.5.weight"], p["classifier.5.bias"])


def test_smallcnn_forward_is_the_documented_network():
    minigrad.manual_seed(3)
    m = SmallCNN(channels=(4, 6, 8), hidden=12, dropout=0.0)
    # Trained-looking BatchNorm state, so that the eval-mode check uses it.
    for i in (1, 5, 9):
        bn = m.features[i]
        rng = np.random.default_rng(i)
        bn.running_mean._array[...] = rng.standard_normal(bn.num_features)
        bn.running_var._array[...] = rng.uniform(0.5, 2, bn.num_features)
        bn.weight._array[...] = rng.uniform(0.5, 1.5, bn.num_features)
        bn.bias._array[...] = rng.uniform(-0.5, 0.5, bn.num_features)
    x = minigrad.randn(5, 1, 28, 28)
    with minigrad.no_grad():
        expected_eval = _smallcnn_by_hand(m, x, training=False)
        expected_train = _smallcnn_by_hand(m, x, training=True)
        got_eval = m.eval()(x)
        got_train = m.train()(x)
    np.testing.assert_allclose(got_eval._array, expected_eval._array, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_train._array, expected_train._array, rtol=1e-4, atol=1e-4)


def test_smallcnn_dropout_acts_in_training_only():
    minigrad.manual_seed(0)
    m = SmallCNN(channels=(2, 3, 4), hidden=64, dropout=0.5)
    x = minigrad.randn(4, 1, 28, 28)
    with minigrad.no_grad():
        m.eval()
        np.testing.assert_array_equal(m(x)._array, m(x)._array)
        m.train()
        a, b = m(x)._array, m(x)._array
    assert not np.allclose(a, b)  # fresh masks per call
    assert [type(c).__name__ for c in m.classifier] == [
        "Flatten", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert m.classifier[1].p == m.classifier[4].p == 0.5


def test_smallcnn_arguments():
    with pytest.raises(TypeError, match="channels: expected a sequence of 3 ints"):
        SmallCNN(channels=(8, 16))
    with pytest.raises(ValueError, match="positive ints"):
        SmallCNN(channels=(8, 0, 16))
    with pytest.raises(ValueError, match="positive ints"):
        SmallCNN(hidden=True)


def test_recipes():
    from minigrad.train.recipe import RECIPE_KEYS, check_recipe
    recipe = get_recipe("SmallCNN")
    assert set(recipe) <= set(RECIPE_KEYS)
    check_recipe("smallcnn", recipe)
    assert recipe["epochs"] == 10 and recipe["augment"] == "flip"
    recipe["lr"] = 123.0  # a copy: the class's stays
    assert SmallCNN.recipe["lr"] != 123.0
    assert get_recipe("lenet5") == {}  # LeNet-5 trains with minigrad train's defaults
    with pytest.raises(ValueError, match="unknown model 'resnet'"):
        get_recipe("resnet")


def test_smallcnn_learns_a_batch_with_its_recipe_optimizer():
    from minigrad.train.recipe import build_optimizer, resolve
    minigrad.manual_seed(0)
    model = SmallCNN(channels=(4, 8, 8), hidden=16, dropout=0.0)
    config = resolve({"model": "smallcnn"}, get_recipe("smallcnn"))
    assert config["optimizer"] == "sgd" and config["nesterov"] is True
    optimizer = build_optimizer(config, model.parameters())
    x = minigrad.randn(16, 1, 28, 28)
    y = minigrad.tensor(np.arange(16) % 10)
    losses = _losses(model, x, y, 12, optimizer.step)
    assert losses[-1] < 0.5 * losses[0], losses
