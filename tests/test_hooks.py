"""Tensor hooks (register_hook, RemovableHandle) and retain_grad's place among them,
against the chain rule and, where torch is importable, against torch's order."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad


def leaf(values, lib=minigrad):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def hooked_run(lib):
    """A non-leaf with two hooks (the first scales, the second records) and
    retain_grad asked first, a leaf with a hook used twice; what everything saw."""
    seen = []
    x = leaf([1.0, 2.0], lib)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.register_hook(lambda g: seen.append(("y", g.detach().numpy().copy())))
    x.register_hook(lambda g: seen.append(("x", g.detach().numpy().copy())) or g + 1)
    ((y * 3).sum() + (x * x).sum()).backward()
    return seen, y.grad.detach().numpy().copy(), x.grad.detach().numpy().copy()


def test_hooks_chain_in_order_and_retain_grad_sees_the_result():
    seen, y_grad, x_grad = hooked_run(minigrad)
    # dL/dy = 3, scaled by the first hook; the second sees the scaled one.
    assert [name for name, _ in seen] == ["y", "x"]
    np.testing.assert_array_equal(seen[0][1], [30.0, 30.0])
    np.testing.assert_array_equal(y_grad, [30.0, 30.0])        # retain_grad runs last
    # The leaf hook sees the leaf's WHOLE gradient once (30 * 2 + 2x), before .grad.
    np.testing.assert_array_equal(seen[1][1], [62.0, 64.0])
    np.testing.assert_array_equal(x_grad, [63.0, 65.0])


def test_same_order_as_torch():
    torch = pytest.importorskip("torch")
    got, want = hooked_run(minigrad), hooked_run(torch)
    assert [n for n, _ in got[0]] == [n for n, _ in want[0]]
    for (_, a), (_, b) in zip(got[0], want[0]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[2], want[2])


def test_remove_and_context_manager():
    x = leaf([1.0])
    handle = x.register_hook(lambda g: g * 100)
    handle.remove()
    handle.remove()  # twice is harmless
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0]
    y = x * 1
    with y.register_hook(lambda g: g * 0):
        pass
    x.grad = None
    (y * 4).sum().backward()
    assert x.grad.tolist() == [4.0]


def test_hook_on_the_tensor_backward_is_called_on():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 3)
    x.backward(minigrad.ones(2, dtype=minigrad.float64))
    assert x.grad.tolist() == [3.0, 3.0]


def test_hook_errors():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't "
                                           "require gradient"):
        minigrad.ones(2).register_hook(lambda g: g)
    x = leaf([1.0, 2.0])

    def shrink(g):
        return g.sum()
    x.register_hook(shrink)
    with pytest.raises(RuntimeError, match="hook 'shrink' has changed the size of value"):
        (x * 2).sum().backward()


def test_retains_grad_flag():
    x = leaf([1.0])
    y = x * 2
    assert not y.retains_grad and not x.retains_grad
    y.retain_grad()
    assert y.retains_grad
    with pytest.raises(RuntimeError, match="can't retain_grad on a Tensor that has "
                                           "requires_grad=False"):
        minigrad.ones(1).retain_grad()


def test_hooks_see_an_op_of_autograd_function_outputs():
    class Two(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    x = leaf([1.0])
    u, v = Two.apply(x)
    v.register_hook(lambda g: g * 0)    # cuts v's share
    v.retain_grad()
    (u + v).sum().backward()
    assert x.grad.tolist() == [2.0] and v.grad.tolist() == [0.0]
