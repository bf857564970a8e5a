"""minigrad.gradcheck: torch.autograd.gradcheck's semantics (full Jacobian, central
differences in float64, |analytic - numerical| <= atol + rtol * |numerical|).

Wrong gradients come from ops registered here with a deliberately wrong backward."""
import numpy as np
import pytest

import minigrad
from minigrad import GradcheckError, float64
from minigrad.autograd.function import apply




def leaf(values):
    return minigrad.tensor(values, dtype=float64, requires_grad=True)


def square_forward(g, x):
    return x * x, x


def square_backward_wrong(g, grad, x, needs):
    return (grad * x,)  # the factor 2 is missing


def test_passes_on_correct_ops():
    x, y = leaf([[0.5, -1.0, 2.0]]), leaf([[1.5], [0.7]])

    def fn(a, b, scale):
        return ((a * b).exp() / (1 + b * b) + a.sigmoid() * scale).sum(1)

    assert minigrad.gradcheck(fn, (x, y, 3.0)) is True
    assert minigrad.gradcheck(lambda a: (a.tanh(), a * a), [x]) is True  # several outputs
    assert minigrad.gradcheck(lambda a: a.relu() * 2, x) is True  # a lone tensor


def test_inputs_without_requires_grad_are_constants():
    x = leaf([1.0, 2.0])
    c = minigrad.tensor([3.0, 4.0], dtype=float64)
    assert minigrad.gradcheck(lambda a, b: a * b, (x, c))
    assert c.grad is None


def test_fails_naming_the_worst_entry(restore_registry):
    minigrad.register("gc_square", "cpu", "wrong", square_forward, square_backward_wrong)
    x = leaf([0.5, -1.0, 3.0, 2.0])
    # Diagonal Jacobian: analytic x_i, numerical 2 x_i; the largest excess is at x = 3.
    with pytest.raises(GradcheckError) as info:
        minigrad.gradcheck(lambda t: apply("gc_square", t), (x,))
    msg = str(info.value)
    assert "output 0 with respect to input 0" in msg
    assert "4 of 16 entries differ" in msg
    assert "worst at (output element 2, input element 2)" in msg
    assert "analytic 3.0" in msg
    numerical = float(msg.split("numerical ")[1].split(" ")[0])
    assert numerical == pytest.approx(6.0, rel=1e-8)
    assert isinstance(info.value, RuntimeError)


def test_returns_false_without_raising(restore_registry):
    minigrad.register("gc_square", "cpu", "wrong", square_forward, square_backward_wrong)
    x = leaf([1.0, 2.0])
    assert minigrad.gradcheck(lambda t: apply("gc_square", t), (x,), raise_exception=False) is False


def test_names_the_input_and_output(restore_registry):
    minigrad.register("gc_square", "cpu", "wrong", square_forward, square_backward_wrong)
    x, y = leaf([1.0, 2.0]), leaf([[3.0], [4.0]])
    with pytest.raises(GradcheckError, match="output 1 with respect to input 1"):
        minigrad.gradcheck(lambda a, b: (a * b, apply("gc_square", b) + a), (x, y))


def test_a_wrong_implementation_selected_with_use(restore_registry):
    minigrad.register("exp", "cpu", "wrong",
                      lambda g, x: (np.exp(x), x), lambda g, grad, x, needs: (grad * x,))
    x = leaf([0.3, -0.2])
    assert minigrad.gradcheck(lambda t: t.exp(), (x,))
    with minigrad.use(exp="wrong"):
        with pytest.raises(GradcheckError, match="Jacobian mismatch"):
            minigrad.gradcheck(lambda t: t.exp(), (x,))


def test_atol_rtol_and_eps_are_used(restore_registry):
    # A backward off by a relative 1e-4: inside the default rtol=1e-3, outside 1e-6.
    minigrad.register("gc_scale", "cpu", "slightly_off", lambda g, x: (2 * x, None),
                      lambda g, grad, saved, needs: (2 * grad * (1 + 1e-4),))
    x = leaf([1.0, -2.0])
    fn = lambda t: apply("gc_scale", t)  # noqa: E731
    assert minigrad.gradcheck(fn, (x,))
    assert not minigrad.gradcheck(fn, (x,), atol=1e-8, rtol=1e-6, raise_exception=False)
    assert minigrad.gradcheck(fn, (x,), atol=1e-3, rtol=0)
    # x**3 at x = 1: the central difference is off by eps**2 (0.01 for eps = 0.1).
    cube = lambda t: t * t * t  # noqa: E731
    assert minigrad.gradcheck(cube, (leaf([1.0]),))
    assert not minigrad.gradcheck(cube, (leaf([1.0]),), eps=0.1, raise_exception=False)


def test_refuses_single_precision():
    x32 = minigrad.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="gradcheck: input 0 has dtype minigrad.float32; "
                                        "finite differences need float64 inputs"):
        minigrad.gradcheck(lambda t: t * 2, (x32,))
    with pytest.raises(TypeError, match="input 1 has dtype minigrad.float32"):
        minigrad.gradcheck(lambda a, b: a * b, (leaf([1.0]), x32))


def test_needs_a_differentiable_input():
    with pytest.raises(ValueError, match="no input has requires_grad=True"):
        minigrad.gradcheck(lambda t: t * 2, (minigrad.tensor([1.0], dtype=float64),))


def test_leaves_the_inputs_as_they_were():
    x = leaf([0.25, 0.5])
    before = x.detach().numpy().copy()
    x.grad = minigrad.tensor([7.0, 7.0], dtype=float64)
    assert minigrad.gradcheck(lambda t: (t * t).sum(), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad.tolist() == [7.0, 7.0]


def test_leaves_fn_closes_over_keep_their_grad():
    w = leaf([2.0, 3.0])  # a "parameter" inside fn, not an input
    w.grad = minigrad.tensor([1.0, 1.0], dtype=float64)
    x = leaf([0.5, 0.25])
    assert minigrad.gradcheck(lambda t: (t * w).exp(), (x,))
    assert minigrad.gradcheck(lambda t: (t.sum(), w), (x,))  # w itself as an output
    assert w.grad.tolist() == [1.0, 1.0]


def test_outputs_that_do_not_depend_on_an_input():
    x, y = leaf([1.0, 2.0]), leaf([3.0])
    assert minigrad.gradcheck(lambda a, b: a * 2, (x, y))
    assert minigrad.gradcheck(lambda a: (minigrad.ones(2, dtype=float64), a.sum()), (x,))
    # detach() hides a dependence from autograd but not from finite differences.
    assert not minigrad.gradcheck(lambda a: a.detach() * 2, (x,), raise_exception=False)
