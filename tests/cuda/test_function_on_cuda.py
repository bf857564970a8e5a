"""autograd.Function, autograd.grad and tensor hooks on cuda tensors: the Functions of
tests/test_autograd_function.py, whose tensor ops dispatch themselves to the device;
the gradients stay there."""
import os
import sys

import numpy as np

import minigrad

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from test_autograd_function import functions  # noqa: E402  (tests/, beside this folder)

FN = functions(minigrad)
X = [0.5, -1.0, 2.0]


def test_functions_backward_on_cuda():
    x = minigrad.tensor(X, requires_grad=True, device="cuda")
    u, v = FN.SinCos.apply(x)  # (2x, x^2): backward g1 * 2 + g2 * 2x
    (FN.Cube.apply(x, 2.0).sum() + u.sum() + v.sum()).backward()
    assert x.grad.device == "cuda"
    want = 6 * np.array(X) ** 2 + 2 + 2 * np.array(X)
    np.testing.assert_allclose(x.grad.cpu().numpy(), want, rtol=1e-6)


def test_autograd_grad_and_hooks_on_cuda():
    x = minigrad.tensor(X, requires_grad=True, device="cuda")
    (g,) = minigrad.autograd.grad(FN.Cube.apply(x, 1.0).sum(), x)
    assert g.device == "cuda" and x.grad is None
    np.testing.assert_allclose(g.cpu().numpy(), 3 * np.array(X) ** 2, rtol=1e-6)
    h = x * 1
    h.register_hook(lambda grad: grad * 2)
    (h * 3).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [6.0, 6.0, 6.0])
