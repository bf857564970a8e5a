"""Lazy layers (minigrad/nn/modules/lazy.py): they infer their input size from the
first call, become the ordinary layer, draw the same weights as that layer built then,
and keep the Parameter objects an optimizer may already hold; against PyTorch's lazy
layers when it is importable."""
import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
from minigrad.nn.modules.lazy import (LazyBatchNorm2d, LazyConv2d, LazyLinear,
                                      UninitializedBuffer, UninitializedParameter)


def test_lazy_linear_becomes_linear_with_linears_weights():
    m = LazyLinear(3)
    assert isinstance(m.weight, UninitializedParameter)
    assert isinstance(m.bias, UninitializedParameter)
    assert repr(m) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    assert repr(m.weight) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        m.weight.shape
    x = minigrad.randn(5, 4)
    minigrad.manual_seed(1)
    y = m(x)
    minigrad.manual_seed(1)
    ref = nn.Linear(4, 3)
    assert type(m) is nn.Linear and type(m.weight) is nn.Parameter
    assert repr(m) == "Linear(in_features=4, out_features=3, bias=True)"
    assert m.weight.shape == (3, 4) and m.bias.shape == (3,)
    np.testing.assert_array_equal(m.weight.detach().numpy(), ref.weight.detach().numpy())
    np.testing.assert_array_equal(m.bias.detach().numpy(), ref.bias.detach().numpy())
    np.testing.assert_allclose(y.detach().numpy(), ref(x).detach().numpy())


def test_an_optimizer_made_before_the_dry_run_trains_the_real_weights():
    model = nn.Sequential(LazyLinear(6), nn.ReLU(), LazyLinear(2, bias=False))
    params = list(model.parameters())
    opt = minigrad.optim.SGD(model.parameters(), lr=0.5)
    x = minigrad.randn(4, 3)
    loss = model(x).sum()                                   # the dry run
    assert [p for p in model.parameters()] == params        # the same objects, filled in place
    assert [tuple(p.shape) for p in params] == [(6, 3), (6,), (2, 6)]
    before = [p.detach().numpy().copy() for p in params]
    loss.backward()
    grads = [p.grad.numpy().copy() for p in params]
    opt.step()
    for b, g, p in zip(before, grads, params):
        np.testing.assert_allclose(p.detach().numpy(), b - 0.5 * g, rtol=1e-6, atol=1e-7)
    adam = minigrad.optim.Adam(nn.Sequential(LazyLinear(2)).parameters())
    assert adam.state == {}


def test_dtype_conversion_before_the_dry_run_is_kept():
    m = LazyLinear(2).double()
    assert m.weight.dtype is minigrad.float64
    m(minigrad.randn(3, 5, dtype=minigrad.float64))
    assert m.weight.dtype is minigrad.float64 and m.weight.shape == (2, 5)
    assert LazyLinear(2, dtype=minigrad.float64).weight.dtype is minigrad.float64


def test_lazy_conv2d():
    m = LazyConv2d(4, 3, stride=2, padding=1, groups=2)
    assert repr(m) == ("LazyConv2d(0, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
                       "groups=2)")
    x = minigrad.randn(2, 6, 7, 7)
    minigrad.manual_seed(3)
    y = m(x)
    minigrad.manual_seed(3)
    ref = nn.Conv2d(6, 4, 3, stride=2, padding=1, groups=2)
    assert type(m) is nn.Conv2d and m.in_channels == 6 and m.weight.shape == (4, 3, 3, 3)
    np.testing.assert_array_equal(m.weight.detach().numpy(), ref.weight.detach().numpy())
    np.testing.assert_allclose(y.detach().numpy(), ref(x).detach().numpy(), rtol=1e-6)
    unbatched = LazyConv2d(2, 1)
    unbatched(minigrad.randn(5, 3, 3))
    assert unbatched.in_channels == 5
    with pytest.raises(ValueError, match="divisible by groups"):
        LazyConv2d(4, 1, groups=2)(minigrad.randn(1, 3, 2, 2))
    with pytest.raises(ValueError, match="Expected 3D"):
        LazyConv2d(4, 1)(minigrad.randn(3, 2))
    with pytest.raises(ValueError):
        LazyConv2d(3, 1, groups=2)  # Conv2d's own checks, when built


def test_lazy_batchnorm2d():
    m = LazyBatchNorm2d()
    assert isinstance(m.running_mean, UninitializedBuffer)
    x = minigrad.randn(4, 3, 2, 2)
    y = m(x)
    ref = nn.BatchNorm2d(3)
    assert type(m) is nn.BatchNorm2d and m.num_features == 3
    np.testing.assert_allclose(y.detach().numpy(), ref(x).detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.running_mean.numpy(), ref.running_mean.numpy(), rtol=1e-6)
    assert m.num_batches_tracked.item() == 1
    assert set(m.state_dict()) == set(ref.state_dict())
    with pytest.raises(ValueError, match="4D"):
        LazyBatchNorm2d()(minigrad.randn(3, 2))


def test_load_state_dict_into_the_lazy_layer_materializes_it():
    src = nn.Linear(4, 2)
    m = LazyLinear(2)
    m.load_state_dict(src.state_dict())
    np.testing.assert_array_equal(m.weight.detach().numpy(), src.weight.detach().numpy())
    m(minigrad.randn(1, 4))                          # no re-initialisation at the dry run
    assert type(m) is nn.Linear
    np.testing.assert_array_equal(m.weight.detach().numpy(), src.weight.detach().numpy())


def test_matches_torch_lazy_layers():
    torch = pytest.importorskip("torch")
    for ours, theirs, x in [(LazyLinear(3), torch.nn.LazyLinear(3), (2, 5)),
                            (LazyConv2d(4, 3, padding=1), torch.nn.LazyConv2d(4, 3, padding=1),
                             (1, 2, 5, 5)),
                            (LazyBatchNorm2d(), torch.nn.LazyBatchNorm2d(), (2, 3, 2, 2))]:
        assert repr(ours) == repr(theirs)
        ours(minigrad.zeros(*x))
        theirs(torch.zeros(*x))
        assert repr(ours) == repr(theirs) and type(ours).__name__ == type(theirs).__name__
        assert [tuple(p.shape) for p in ours.parameters()] == \
            [tuple(p.shape) for p in theirs.parameters()]
