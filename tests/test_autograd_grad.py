"""minigrad.autograd.grad / backward and grad_fn.next_functions, against the chain rule
and, where torch is importable, against torch."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import autograd


def leaf(values, lib=minigrad):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def graph(lib):
    a, b = leaf([1.0, 2.0], lib), leaf([3.0, 4.0], lib)
    m = a * b
    return a, b, m, (m * m).sum()


def test_grad_returns_gradients_and_leaves_dot_grad_alone():
    a, b, m, out = graph(minigrad)
    ga, gm = autograd.grad(out, (a, m), retain_graph=True)
    an, bn = a.detach().numpy(), b.detach().numpy()
    np.testing.assert_allclose(ga.numpy(), 2 * an * bn * bn)   # d/da (ab)^2
    np.testing.assert_allclose(gm.numpy(), 2 * an * bn)
    assert a.grad is None and b.grad is None and m.grad is None
    (gb,) = autograd.grad(out, b)
    np.testing.assert_allclose(gb.numpy(), 2 * an * an * bn)
    assert b.grad is None


def test_grad_matches_torch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        a, b, m, out = graph(lib)
        g = lib.autograd.grad([m, out], [a, b], [lib.ones(2, dtype=lib.float64), None])
        results.append([t.detach().numpy() for t in g])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_unused_inputs():
    a, _, _, out = graph(minigrad)
    unused = leaf([0.0, 0.0, 0.0])
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to "
                                           "not have been used in the graph"):
        autograd.grad(out, (a, unused), retain_graph=True)
    ga, none = autograd.grad(out, (a, unused), retain_graph=True, allow_unused=True)
    assert none is None and ga.shape == (2,)
    _, zeros = autograd.grad(out, (a, unused), materialize_grads=True)
    assert zeros.tolist() == [0.0, 0.0, 0.0] and zeros.dtype == minigrad.float64


def test_grad_errors():
    a, _, m, out = graph(minigrad)
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require grad"):
        autograd.grad(out, minigrad.ones(2), retain_graph=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        autograd.grad(m, a, retain_graph=True)
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        autograd.grad(minigrad.ones(1), a)
    with pytest.raises(NotImplementedError, match="create_graph=True is not supported"):
        autograd.grad(out, a, create_graph=True)


def test_grad_runs_only_what_leads_to_the_inputs():
    ran = []

    class Spy(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            ran.append(True)
            return g

    p, q = leaf([1.0]), leaf([2.0])
    r = (p * 3 + Spy.apply(q)).sum()
    (gp,) = autograd.grad(r, p, retain_graph=True)
    assert gp.tolist() == [3.0] and ran == []
    autograd.grad(r, q)
    assert ran == [True]


def test_grad_with_respect_to_a_leaf_output_and_hooks():
    a = leaf([1.0, 2.0])
    (g,) = autograd.grad(a, a, minigrad.tensor([5.0, 6.0], dtype=minigrad.float64))
    assert g.tolist() == [5.0, 6.0]
    a.register_hook(lambda grad: grad * 0)   # runs in grad() too, as in PyTorch
    (g,) = autograd.grad((a * 2).sum(), a)
    assert g.tolist() == [0.0, 0.0] and a.grad is None


def test_backward_function():
    a, b, m, out = graph(minigrad)
    autograd.backward([out], retain_graph=True)
    an, bn = a.detach().numpy(), b.detach().numpy()
    np.testing.assert_allclose(a.grad.numpy(), 2 * an * bn * bn)
    a.grad = b.grad = None
    autograd.backward(out, inputs=[a], retain_graph=True)          # only a's .grad
    np.testing.assert_allclose(a.grad.numpy(), 2 * an * bn * bn)
    assert b.grad is None
    a.grad = None
    autograd.backward(m, grad_tensors=[minigrad.ones(2, dtype=minigrad.float64)])
    np.testing.assert_allclose(a.grad.numpy(), bn)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        autograd.backward(a * b)


def test_next_functions():
    x = leaf([1.0, 2.0])
    k = minigrad.ones(2, dtype=minigrad.float64)
    y = x * k
    (acc, i), (none, j) = y.grad_fn.next_functions
    assert acc.name() == "torch::autograd::AccumulateGrad" and type(acc).__name__ == "AccumulateGrad"
    assert acc.variable is x and acc.next_functions == () and i == 0
    assert (none, j) == (None, 0)
    z = (y * y).sum()
    ((mul, i),) = z.grad_fn.next_functions
    assert mul is (y * y).grad_fn or mul.name() == "MulBackward"
    assert [f is y.grad_fn for f, _ in mul.next_functions] == [True, True]


def test_next_functions_like_torch():
    torch = pytest.importorskip("torch")

    def names(lib):
        x = leaf([1.0, 2.0], lib)
        h = x * lib.ones(2, dtype=lib.float64)
        y = h.exp() * h
        # torch numbers its node names (MulBackward0): compare without the digit.
        return [[(None if f is None else f.name().rstrip("0123456789"), i)
                 for f, i in node.next_functions]
                for node in (y.grad_fn, h.grad_fn)]

    assert names(minigrad) == names(torch)
