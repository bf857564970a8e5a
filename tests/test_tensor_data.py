"""``t.data`` (a Tensor over the same storage, without history) and PyTorch's legacy
constructor ``minigrad.Tensor(...)``, compared with PyTorch where it is installed."""
import numpy as np
import pytest

import minigrad
from minigrad import Tensor


def test_data_is_a_tensor_sharing_storage_without_history():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert isinstance(d, Tensor) and not d.requires_grad and d.is_leaf
    d.mul_(3)  # allowed: .data is outside autograd, writes are seen by w
    np.testing.assert_array_equal(w.detach().numpy(), [3.0, 6.0])
    assert w._version == 0  # and not counted in w's version, as PyTorch's .data
    values, indices = minigrad.max((w * 2).data.reshape(1, 2), 1)  # tutorials' idiom
    assert indices.tolist() == [1] and values.tolist() == [12.0]


def test_data_setter_swaps_storage_and_keeps_the_tensor():
    p = minigrad.nn.Parameter(minigrad.zeros(2))
    p.data = minigrad.ones(3, dtype=minigrad.float64)
    assert p.shape == (3,) and p.dtype is minigrad.float64 and p.requires_grad
    with pytest.raises(TypeError, match="data: expected a Tensor"):
        p.data = np.ones(3)


def test_detach_shares_the_version_counter():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    y.detach().add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("args, shape, values", [
    ((), (0,), []),
    ((2, 3), (2, 3), None),
    (([1, 2, 3],), (3,), [1.0, 2.0, 3.0]),
    ((np.arange(4, dtype=np.int64).reshape(2, 2),), (2, 2), [[0.0, 1.0], [2.0, 3.0]]),
    (((2, 3),), (2,), [2.0, 3.0]),  # a tuple is data, as in PyTorch
])
def test_legacy_constructor(args, shape, values):
    t = Tensor(*args)
    assert t.dtype is minigrad.float32 and t.shape == shape and not t.requires_grad
    if values is not None:
        assert t.tolist() == values
    torch = pytest.importorskip("torch")
    ref = torch.Tensor(*args)
    assert tuple(ref.shape) == shape and ref.dtype == torch.float32


def test_legacy_constructor_refusals():
    with pytest.raises(TypeError, match="data must be a sequence"):
        Tensor(2.5)
    with pytest.raises(RuntimeError, match="negative dimension"):
        Tensor(2, -1)
    with pytest.raises(TypeError, match="expected a minigrad.float32 tensor"):
        Tensor(minigrad.tensor([1, 2]))
    base = minigrad.zeros(2)
    alias = Tensor(base)
    alias.fill_(1)
    assert base.tolist() == [1.0, 1.0]


def test_format_of_a_0d_tensor_is_its_numbers():
    x = minigrad.tensor([1.5, 2.0])
    assert "{:+.2f}".format(x[0]) == "+1.50" and f"{x.sum():.1f}" == "3.5"
    assert "{}".format(x) == str(x)
    with pytest.raises(TypeError):
        "{:.2f}".format(x)  # as PyTorch: only 0-d tensors take a format spec
