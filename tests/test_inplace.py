"""In-place ops (tensor_ops/inplace.py): the values land in the tensor's own array (its
views and holders see them), the tape takes the op's history, and misuse raises as in
PyTorch."""
import numpy as np
import pytest

import minigrad
from minigrad import nn


def _leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


@pytest.mark.parametrize("name,args,expect", [
    ("add_", (2.0,), lambda a: a + 2), ("sub_", (0.5,), lambda a: a - 0.5),
    ("mul_", (3.0,), lambda a: a * 3), ("div_", (4.0,), lambda a: a / 4),
    ("pow_", (2,), lambda a: a ** 2), ("neg_", (), lambda a: -a), ("abs_", (), np.abs),
    ("exp_", (), np.exp), ("sqrt_", (), lambda a: np.sqrt(np.abs(a))),
    ("relu_", (), lambda a: np.maximum(a, 0)), ("tanh_", (), np.tanh),
    ("sigmoid_", (), lambda a: 1 / (1 + np.exp(-a))), ("clamp_", (-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5)),
    ("zero_", (), np.zeros_like), ("fill_", (7.0,), lambda a: np.full_like(a, 7.0)),
])
def test_values_land_in_the_same_array(name, args, expect):
    base = np.array([[-1.5, 0.25], [2.0, -0.75]])
    x = minigrad.tensor(np.abs(base) if name == "sqrt_" else base.copy())
    array, before = x._array, x._array.copy()
    out = getattr(x, name)(*args)
    assert out is x and x._array is array
    np.testing.assert_allclose(x._array, expect(before), rtol=1e-6)


def test_add_sub_alpha_addcmul_addcdiv_copy():
    x = minigrad.tensor([1.0, 2.0])
    x.add_(minigrad.tensor([1.0, 1.0]), alpha=3).sub_(1.0, alpha=2)
    np.testing.assert_allclose(x._array, [2.0, 3.0])
    x.addcmul_(minigrad.tensor([2.0, 2.0]), minigrad.tensor([1.0, 3.0]), value=0.5)
    np.testing.assert_allclose(x._array, [3.0, 6.0])
    x.addcdiv_(minigrad.tensor([3.0, 6.0]), minigrad.tensor([3.0, 2.0]), value=2)
    np.testing.assert_allclose(x._array, [5.0, 12.0])
    x.copy_(minigrad.tensor([7, 8]))  # cast from int64
    np.testing.assert_allclose(x._array, [7.0, 8.0])
    x.copy_(minigrad.tensor(1.5))      # broadcast
    np.testing.assert_allclose(x._array, [1.5, 1.5])


def test_python_in_place_operators_keep_the_object():
    x = minigrad.tensor([1.0, 2.0])
    y = x
    x += 1
    x -= 0.5
    x *= 4
    x /= 2
    x **= 2
    assert x is y
    np.testing.assert_allclose(y._array, [9.0, 25.0])


def test_views_see_writes_and_write_through():
    a = minigrad.zeros(2, 3)
    row = a[0]
    row.add_(1)
    np.testing.assert_array_equal(a._array, [[1, 1, 1], [0, 0, 0]])
    a.mul_(2)
    np.testing.assert_array_equal(row._array, [2, 2, 2])


def test_manual_sgd_step_updates_the_model():
    """The tutorial idiom ``with no_grad(): p -= lr * p.grad`` really trains (before,
    ``-=`` rebound the name and left the parameters untouched)."""
    minigrad.manual_seed(0)
    x = minigrad.tensor(np.linspace(-1, 1, 64, dtype=np.float32).reshape(64, 1))
    y = 3 * x + 1
    model = nn.Linear(1, 1)
    first = None
    for _ in range(200):
        loss = ((model(x) - y) ** 2).mean()
        first = loss.item() if first is None else first
        model.zero_grad()
        loss.backward()
        with minigrad.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
    assert loss.item() < 1e-3 * first
    np.testing.assert_allclose(model.weight._array.ravel(), [3.0], atol=0.02)


def test_leaf_requiring_grad_is_refused_outside_no_grad():
    w = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w += 1
    np.testing.assert_array_equal(w._array, [1.0, 2.0])  # nothing was written
    with minigrad.no_grad():
        w.mul_(2)
    np.testing.assert_array_equal(w._array, [2.0, 4.0])
    assert w.is_leaf and w.requires_grad


def test_bad_shapes_dtypes_and_read_only_arrays():
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the "
                                           r"broadcast shape \[2, 3\]"):
        minigrad.zeros(3).add_(minigrad.zeros(2, 3))
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        minigrad.tensor([1, 2]).div_(2)
    ints = minigrad.tensor([1, 2])
    ints.mul_(3)
    np.testing.assert_array_equal(ints._array, [3, 6])
    with pytest.raises(RuntimeError, match="read-only"):
        minigrad.zeros(1).expand(3).add_(1)
    with pytest.raises(TypeError, match="src"):
        minigrad.zeros(2).copy_([1.0, 2.0])
    with pytest.raises(RuntimeError, match="0-dimension"):
        minigrad.zeros(2).fill_(minigrad.zeros(2))


def test_gradients_through_in_place_ops():
    # y = (2x)^2 written into y: dy/dx = 8x
    x = _leaf([1.0, 2.0, 3.0])
    y = x * 2
    y.mul_(y)
    assert y.grad_fn is not None and not y.is_leaf
    y.sum().backward()
    np.testing.assert_allclose(x.grad._array, [8.0, 16.0, 24.0])
    # exp saves its output; adding to it in place must not corrupt exp's gradient
    x = _leaf([0.5, -1.0])
    y = x.exp()
    y.add_(1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad._array, np.exp([0.5, -1.0]), rtol=1e-12)
    # fill_ cuts the values but keeps the tape: gradient 0, as PyTorch's FillBackward
    x = _leaf([1.0, 2.0])
    y = x * 3
    y.fill_(5.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.0])
    # copy_ is differentiable with respect to its source
    x = _leaf([1.0, 2.0])
    z = minigrad.zeros(2, dtype=minigrad.float64)
    z.copy_(x * 4)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad._array, [4.0, 4.0])


def test_gradcheck_of_in_place_chains():
    def f(a):
        y = a * 1.0
        y.mul_(a).add_(a, alpha=2).clamp_(-5, 5).addcmul_(a, a, value=0.5)
        return y
    a = _leaf(np.random.default_rng(0).uniform(-1, 1, (3, 2)))
    assert minigrad.gradcheck(f, (a,))


# ---- version counters (autograd/version.py) -------------------------------------------

MODIFIED = "modified by an inplace operation"


def test_an_optimizer_step_between_forward_and_backward_is_caught():
    """The issue's case: before, the step silently changed the weights that linear's
    backward reads; now backward refuses, as PyTorch does."""
    minigrad.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = minigrad.optim.SGD(model.parameters(), lr=0.1)
    loss = model(minigrad.randn(4, 3)).sum()
    for p in model.parameters():
        p.grad = minigrad.ones_like(p)
    before = model.weight._version
    opt.step()
    assert model.weight._version == before + 1
    with pytest.raises(RuntimeError, match=MODIFIED + r".*LinearBackward.*is at version"):
        loss.backward()


def test_only_what_a_kernel_saved_counts():
    a, b = _leaf([1.0, 2.0]), minigrad.tensor([3.0, 4.0], dtype=minigrad.float64)
    y = a + b          # add saves no input: changing b is fine, as in PyTorch
    b.add_(1)
    y.sum().backward()
    np.testing.assert_array_equal(a.grad._array, [1.0, 1.0])
    y = a * b          # mul saves both
    b.mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED + r": \[float64 \[2\]\], saved by MulBackward, "
                                                      r"is at version 2; expected version 1"):
        y.sum().backward()


def test_views_share_the_counter():
    a = _leaf([1.0, 2.0])
    b = minigrad.tensor([[3.0, 4.0], [5.0, 6.0]], dtype=minigrad.float64)
    y = a * b
    b[1].add_(1)       # through a view of b's storage
    assert b._version == 1 and b.reshape(4)._version == 1
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()
    c = b[[0, 1]]      # advanced indexing copies (NumPy and PyTorch): its own counter
    c.add_(1)
    assert c._version == 1 and b._version == 1


def test_load_state_dict_and_init_count_as_writes():
    layer = nn.Linear(2, 2)
    v = layer.weight._version
    layer.load_state_dict(layer.state_dict())
    nn.init.zeros_(layer.bias)
    assert layer.weight._version == v + 1 and layer.bias._version >= 1


# ---- small PyTorch names the scripts use (issue 12) -------------------------------------

def test_clone_view_as_t_mm_clip():
    x = _leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    c = x.clone()
    assert c._array is not x._array and c.grad_fn is not None
    np.testing.assert_array_equal(c._array, x._array)
    c.add_(1)  # the copy is its own storage
    np.testing.assert_array_equal(x._array[0], [1.0, 2.0, 3.0])
    assert x.view_as(minigrad.zeros(3, 2)).shape == (3, 2)
    assert x.t().shape == (3, 2) and minigrad.zeros(4).t().shape == (4,)
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions"):
        minigrad.zeros(2, 2, 2).t()
    y = x.mm(x.t())
    np.testing.assert_allclose(y._array, x._array @ x._array.T)
    with pytest.raises(RuntimeError, match="mat2 must be a matrix"):
        x.mm(minigrad.zeros(3, dtype=minigrad.float64))
    np.testing.assert_array_equal(x.clip(2, 5)._array, np.clip(x._array, 2, 5))
    (x.clone().sum() + x.mm(x.t()).sum()).backward()
    # d/dx of sum(x) + sum_ij sum_k x_ik x_jk: 1 + 2 * (column sums of x)
    np.testing.assert_allclose(x.grad._array, 1 + 2 * np.broadcast_to(x._array.sum(0), (2, 3)))
    assert minigrad.gradcheck(lambda a: a.clone().mm(a.t()).clip(-20, 20), (x.detach().requires_grad_(),))


def test_a_saved_input_only_an_unasked_gradient_reads_may_change():
    """mul keeps each operand for the other's gradient (ops/elementwise SAVED_READ_BY):
    ``d * 2`` never reads d in backward, so d may be written first, as in PyTorch; the
    same array passed as the other operand still counts (x * x.detach())."""
    x = minigrad.ones(3, requires_grad=True)
    d = x * 1
    e = d * 2
    d += 1
    e.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = w * w.detach()  # w.detach()'s values are read by w's gradient
    with minigrad.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
