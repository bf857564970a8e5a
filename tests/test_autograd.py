"""The tape: what is recorded and when, how backward walks it, accumulates and frees.

Expected gradients are worked out by hand (closed forms), never by minigrad itself.
"""
import threading

import numpy as np
import pytest

import minigrad
from minigrad.autograd.function import apply


def leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


# ------------------------------------------------------------- basic rules ----


def test_gradient_of_a_small_expression():
    x, y = leaf([1.0, 2.0, 3.0]), leaf([4.0, 5.0, 6.0])
    ((x * y + x) / 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (np.array([4.0, 5.0, 6.0]) + 1) / 2)
    np.testing.assert_allclose(y.grad.numpy(), np.array([1.0, 2.0, 3.0]) / 2)
    assert x.grad.dtype is minigrad.float64 and not x.grad.requires_grad


def test_recording_needs_an_input_that_requires_grad():
    x, c = leaf([1.0]), minigrad.tensor([2.0], dtype=minigrad.float64)
    assert not (c * 2).requires_grad and (c * 2).grad_fn is None
    y = x * c
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.grad_fn.name() == "MulBackward"
    y.sum().backward()
    assert c.grad is None and x.grad.tolist() == [2.0]


def test_non_differentiable_ops_are_not_recorded():
    x = leaf([1.0, 3.0, 2.0])
    for out in (x > 1, x == x, x.argmax(), x.argmin(0), x.long(), x.max(0).indices):
        assert not out.requires_grad and out.grad_fn is None and out.is_leaf


def test_grad_dtype_follows_the_tensor():
    x = leaf([1.0, 2.0], dtype=minigrad.float32)
    (x * 3).backward(minigrad.tensor([1.0, 1.0], dtype=minigrad.float64))
    assert x.grad.dtype is minigrad.float32 and x.grad.tolist() == [3.0, 3.0]


def test_gradient_flows_through_casts_between_float_dtypes():
    x = leaf([1.0, 2.0], dtype=minigrad.float32)
    y = x.double() * minigrad.tensor([3.0, 4.0], dtype=minigrad.float64)
    assert y.dtype is minigrad.float64
    y.sum().backward()
    assert x.grad.dtype is minigrad.float32 and x.grad.tolist() == [3.0, 4.0]


def test_backward_on_a_leaf():
    x = leaf(2.0)
    x.backward()
    assert x.grad.tolist() == 1.0


# ------------------------------------------------------------ broadcasting ----


def test_broadcasting_gradients_sum_back_to_each_shape():
    x = leaf(np.arange(3.0).reshape(3, 1))
    y = leaf(np.arange(4.0))
    (x * y).sum().backward()
    # d/dx_i sum_j x_i y_j = sum_j y_j; d/dy_j = sum_i x_i
    np.testing.assert_allclose(x.grad.numpy(), np.full((3, 1), 6.0))
    np.testing.assert_allclose(y.grad.numpy(), np.full(4, 3.0))
    assert x.grad.shape == (3, 1) and y.grad.shape == (4,)


def test_broadcasting_a_zero_dim_tensor_and_python_scalars():
    s, v = leaf(2.0), leaf([1.0, 2.0, 3.0])
    (3.0 - s * v / 2 + 1).sum().backward()
    assert s.grad.shape == () and s.grad.item() == pytest.approx(-3.0)
    np.testing.assert_allclose(v.grad.numpy(), [-1.0, -1.0, -1.0])
    r = leaf([1.0, 2.0])
    (2.0 / r + 2.0 ** r).sum().backward()
    np.testing.assert_allclose(r.grad.numpy(), -2.0 / np.array([1.0, 4.0]) + np.log(2) * np.array([2.0, 4.0]))


def test_expand_gradient_sums_over_expanded_dims():
    x = leaf([[1.0], [2.0]])
    y = x.expand(3, 2, 4)
    assert y.shape == (3, 2, 4)
    (y * minigrad.arange(4, dtype=minigrad.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 1), 3 * 6.0))


# ------------------------------------------------------------------- reuse ----


def test_gradients_of_reused_tensors_add_up():
    x = leaf([3.0])
    (x * x + x + x).sum().backward()
    assert x.grad.tolist() == [2 * 3.0 + 2]


def test_diamond_graph():
    x = leaf([1.0, 2.0])
    a, b = x * 2, x * 3
    (a * b).sum().backward()  # 6 x^2 -> 12 x
    np.testing.assert_allclose(x.grad.numpy(), [12.0, 24.0])


def test_repeated_integer_indices_accumulate():
    x = leaf([10.0, 20.0, 30.0])
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    x.grad = None
    x[minigrad.tensor([1, 1])].sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 0.0]


def test_max_and_maximum_tie_rules_match_pytorch():
    x = leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x.max().backward()  # ties share evenly
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [0, 0, 0]])
    x.grad = None
    values, indices = x.max(1)
    assert indices.tolist() == [1, 0]  # the first of the ties
    values.sum().backward()  # all to the chosen index
    np.testing.assert_allclose(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])
    x.grad = None
    x.max((1,)).sum().backward()  # a tuple of dims is amax: ties share
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    x.grad = None
    minigrad.maximum(x, minigrad.tensor(2.0, dtype=minigrad.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 1, 1], [0.5, 0.5, 0]])


def test_gradient_conventions_at_kinks():
    x = leaf([-1.0, 0.0, 2.0, 3.0])
    (x.abs() + x.relu() + x.clamp(0.0, 2.0)).sum().backward()
    # abs'(0) = 0, relu'(0) = 0, clamp' = 1 on the closed interval [min, max]
    np.testing.assert_allclose(x.grad.numpy(), [-1 + 0 + 0, 0 + 0 + 1, 1 + 1 + 1, 1 + 1 + 0])
    z = leaf([0.0, 1.0])
    (minigrad.tensor([0.0, 2.0], dtype=minigrad.float64) ** z).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0.0, 2.0 * np.log(2.0)])  # 0 at base 0


# ---------------------------------------------------------------- grad mode ----


def test_no_grad_context_manager():
    x = leaf([1.0])
    assert minigrad.is_grad_enabled()
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * 2
        with minigrad.enable_grad():
            z = x * 2
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    # Factory functions still honour requires_grad=True, as in PyTorch.
    with minigrad.no_grad():
        assert minigrad.zeros(2, requires_grad=True).requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with minigrad.no_grad():
            1 / 0
    assert minigrad.is_grad_enabled()


@pytest.mark.parametrize("parens", [True, False])
def test_no_grad_and_enable_grad_as_decorators(parens):
    x = leaf([1.0])

    def double(t):
        """Doubles."""
        return t * 2

    off = minigrad.no_grad()(double) if parens else minigrad.no_grad(double)
    on = minigrad.enable_grad()(double) if parens else minigrad.enable_grad(double)
    assert not off(x).requires_grad
    assert off.__name__ == "double" and off.__doc__ == "Doubles."
    assert minigrad.is_grad_enabled()
    with minigrad.no_grad():
        assert on(x).requires_grad
        assert not minigrad.is_grad_enabled()


def test_set_grad_enabled():
    x = leaf([1.0])
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    minigrad.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        minigrad.set_grad_enabled(True)
    assert minigrad.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = []
    with minigrad.no_grad():
        t = threading.Thread(target=lambda: seen.append(minigrad.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# ------------------------------------------------- retain_graph and freeing ----


def test_second_backward_through_freed_buffers_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*retain_graph=True"):
        y.backward()
    assert x.grad.tolist() == [2.0, 4.0]  # the failed call added nothing


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).exp().sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)
    np.testing.assert_allclose(first, 2 * np.array([1.0, 2.0]) * np.exp([1.0, 4.0]))
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_leaves_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 + 2, 3 + 4])
    x.grad = None
    (x * 5).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_a_10000_op_chain():
    x = leaf([0.5])
    y = x
    for i in range(10_000):
        y = y * 1.0001 if i % 2 else y + 0.001
    y.sum().backward()  # iterative: no RecursionError
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 5000], rtol=1e-10)


# ------------------------------------------------------ non-scalar backward ----


def test_backward_of_a_non_scalar_needs_a_gradient():
    x = leaf([1.0, 2.0])
    y = x * x
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    y.backward(minigrad.tensor([1.0, 10.0], dtype=minigrad.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 40.0])


def test_backward_gradient_shape_must_match():
    x = leaf([1.0, 2.0])
    # The tensor's shape is printed as a tuple or, since shapes became minigrad.Size,
    # as Size([2]).
    with pytest.raises(RuntimeError, match=r"gradient: expected shape (\(2,\)|\S*Size\(\[2\]\))"):
        (x * 2).backward(minigrad.ones(3, dtype=minigrad.float64))


def test_one_element_tensors_need_no_gradient():
    x = leaf([[3.0]])
    (x * x).backward()
    assert x.grad.tolist() == [[6.0]]


def test_backward_of_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        minigrad.tensor([1.0]).sum().backward()
    x = leaf([1.0])
    with minigrad.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


# -------------------------------------------------------- retain_grad/detach ----


def test_retain_grad_keeps_non_leaf_gradients():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = x * 3
    y.retain_grad()
    w = (y * y).sum() + z.sum()
    w.backward(retain_graph=True)
    np.testing.assert_allclose(y.grad.numpy(), 2 * np.array([2.0, 4.0]))
    assert z.grad is None  # not retained
    w.backward()
    np.testing.assert_allclose(y.grad.numpy(), 4 * np.array([2.0, 4.0]))  # accumulates
    x.retain_grad()  # a no-op on leaves
    with pytest.raises(RuntimeError, match="can't retain_grad on a Tensor that has requires_grad=False"):
        minigrad.ones(2).retain_grad()


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    (x * d).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])  # d counted as a constant


def test_requires_grad_flags_of_non_leaves():
    x = leaf([1.0])
    y = x * 2
    assert y.requires_grad_() is y
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)


def test_a_leaf_that_starts_requiring_grad_later():
    x = minigrad.tensor([2.0], dtype=minigrad.float64)
    y = x * 3  # recorded before: no graph
    x.requires_grad_()
    z = x * 3
    assert not y.requires_grad and z.requires_grad
    z.sum().backward()
    assert x.grad.tolist() == [3.0]


def test_empty_tensors():
    x = leaf(np.zeros((0, 3)))
    assert x.sum().item() == 0.0
    (x.sum(0) * 2).sum().backward()
    assert x.grad.shape == (0, 3)
    y = leaf(np.ones((2, 3)))
    minigrad.cat([x, y]).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.ones((2, 3)))


def test_a_leaf_keeps_a_gradient_only_when_nothing_else_holds_it(restore_registry):
    # The engine skips the copy of a kernel's fresh gradient array; one given to two
    # inputs, the incoming gradient passed through, or a view, must still be copied.
    def forward(g, a, b):
        return a + b, None

    def backward(g, grad, saved, needs):
        both = np.array(grad, copy=True)        # new, but handed to both inputs
        return both, both

    minigrad.register("ag_twice", "cpu", "numpy", forward, backward)
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    apply("ag_twice", a, b).sum().backward()
    assert not np.shares_memory(a.grad._array, b.grad._array)
    a.grad._array[0] = 7.0                         # writing one gradient leaves the other
    assert b.grad.tolist() == [1.0, 1.0]

    seed = minigrad.tensor([5.0, 6.0])
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x + 0.0).backward(seed)                     # add passes the seed through
    assert not np.shares_memory(x.grad._array, seed._array)
    y = minigrad.tensor([[1.0, 2.0]], requires_grad=True)
    y.reshape(2).backward(seed)                  # a view of the seed
    assert not np.shares_memory(y.grad._array, seed._array)
