"""The registry: listing, selecting (use, set_default), registering user ops, errors."""
import numpy as np
import pytest

import minigrad
from minigrad import dispatch, float64
from minigrad.autograd.function import apply


# restore_registry (tests/conftest.py) undoes what each test registers.
pytestmark = pytest.mark.usefixtures("restore_registry")


def scaling(factor):
    """A kernel pair for y = factor * x, following docs/add-your-own-op.md."""
    def forward(g, x):
        return factor * x, None

    def backward(g, grad, saved, needs):
        return (factor * grad,)
    return forward, backward


def register_scale():
    minigrad.register("reg_scale", "cpu", "double", *scaling(2.0))
    minigrad.register("reg_scale", "cpu", "triple", *scaling(3.0))


def scale(x):
    return apply("reg_scale", x)


# -------------------------------------------------------------- listing ----


def test_every_op_lists_its_implementations():
    ops = dispatch.ops()
    for op in ("add", "sum", "reshape", "index", "cast"):
        assert op in ops
        assert minigrad.implementations(op, "cpu") == ["numpy"]
    for op in ops:
        impls = minigrad.implementations(op)  # device defaults to cpu
        assert impls and all(isinstance(n, str) for n in impls)
        assert dispatch.selected(op, "cpu") in impls
    # The CUDA kernels are listed wherever numba-cuda imports, GPU or not (the device
    # itself is what needs a GPU).
    assert minigrad.implementations("add", "cuda") == ["strided"]
    assert minigrad.implementations("conv2d", "cuda") == ["direct", "tiled", "gemm"]


def test_unknown_op_error_lists_the_registered_ops():
    with pytest.raises(ValueError, match="unknown op 'nope'; registered ops: ") as info:
        minigrad.implementations("nope")
    for op in dispatch.ops():
        assert op in str(info.value)
    with pytest.raises(ValueError, match="unknown op 'nope'"):
        with minigrad.use(nope="numpy"):
            pass
    with pytest.raises(ValueError, match="unknown op 'nope'"):
        minigrad.set_default("nope", "cpu", "numpy")


def test_unknown_implementation_error_lists_the_registered_ones():
    register_scale()
    with pytest.raises(ValueError, match="reg_scale: unknown implementation 'quadruple'; "
                                         "registered: double, triple"):
        with minigrad.use(reg_scale="quadruple"):
            pass
    with pytest.raises(ValueError, match="registered: double, triple"):
        minigrad.set_default("reg_scale", "cpu", "quadruple")
    with pytest.raises(ValueError, match="exp: unknown implementation 'naive'; registered: numpy"):
        with minigrad.use(exp="naive"):
            pass


# ------------------------------------------------------------ selecting ----


def test_first_registered_implementation_is_the_default():
    register_scale()
    assert minigrad.implementations("reg_scale", "cpu") == ["double", "triple"]
    x = minigrad.tensor([1.0, 2.0])
    assert scale(x).tolist() == [2.0, 4.0]
    assert dispatch.selected("reg_scale", "cpu") == "double"


def test_use_selects_nests_and_restores():
    register_scale()
    x = minigrad.tensor([1.0])
    with minigrad.use(reg_scale="triple"):
        assert scale(x).tolist() == [3.0]
        with minigrad.use(reg_scale="double"):
            assert scale(x).tolist() == [2.0]
            with minigrad.use(exp="numpy"):  # another op: the outer choice stays
                assert scale(x).tolist() == [2.0]
        assert scale(x).tolist() == [3.0]
    assert scale(x).tolist() == [2.0]
    with pytest.raises(KeyError):
        with minigrad.use(reg_scale="triple"):
            raise KeyError("boom")
    assert scale(x).tolist() == [2.0]  # restored after an exception


def test_use_as_a_decorator():
    register_scale()

    @minigrad.use(reg_scale="triple")
    def run(x):
        return scale(x)

    assert run(minigrad.tensor([1.0])).tolist() == [3.0]
    assert scale(minigrad.tensor([1.0])).tolist() == [2.0]


def test_the_tape_records_the_implementation_used():
    register_scale()
    x = minigrad.tensor([1.0], requires_grad=True)
    with minigrad.use(reg_scale="triple"):
        y = scale(x)
    assert (y.grad_fn.op, y.grad_fn.impl) == ("reg_scale", "triple")
    assert y.grad_fn.name() == "RegScaleBackward"
    y.sum().backward()  # outside the block: backward still uses the recorded kernel
    assert x.grad.tolist() == [3.0]


def test_set_default():
    register_scale()
    x = minigrad.tensor([1.0])
    minigrad.set_default("reg_scale", "cpu", "triple")
    assert scale(x).tolist() == [3.0]
    with minigrad.use(reg_scale="double"):  # use() still wins
        assert scale(x).tolist() == [2.0]
    assert scale(x).tolist() == [3.0]
    with pytest.raises(ValueError, match="not available on cuda"):
        minigrad.set_default("reg_scale", "cuda", "triple")


def test_switching_builtin_cnn_implementations():
    impls = minigrad.implementations("conv2d", "cpu")
    assert "numpy" in impls
    for name in impls:
        with minigrad.use(conv2d=name):
            assert dispatch.selected("conv2d", "cpu") == name
    default = dispatch.selected("conv2d", "cpu")
    minigrad.set_default("conv2d", "cpu", impls[0])
    assert dispatch.selected("conv2d", "cpu") == impls[0]
    minigrad.set_default("conv2d", "cpu", default)


# ---------------------------------------------------------- registering ----


def test_register_default_flag():
    register_scale()
    minigrad.register("reg_scale", "cpu", "half", *scaling(0.5), default=True)
    assert scale(minigrad.tensor([4.0])).tolist() == [2.0]
    assert minigrad.implementations("reg_scale") == ["double", "triple", "half"]


@pytest.mark.parametrize("args, match", [
    (("", "cpu", "x"), "op: expected a non-empty string"),
    (("op", None, "x"), "device: expected a non-empty string"),
    (("op", "cpu", 3), "name: expected a non-empty string"),
])
def test_register_bad_names(args, match):
    with pytest.raises(TypeError, match=match):
        minigrad.register(*args, *scaling(1.0))


def test_register_bad_kernels():
    with pytest.raises(TypeError, match="forward and backward must be callables"):
        minigrad.register("reg_bad", "cpu", "x", "not callable", None)
    with pytest.raises(TypeError, match="forward and backward must be callables"):
        minigrad.register("reg_bad", "cpu", "x", lambda x: x, 42)
    assert "reg_bad" not in dispatch.ops()


def cube_forward(g, x):
    return x ** 3 + g.offset, x


def cube_backward(g, grad, x, needs):
    return (3 * x ** 2 * grad,)


def weighted_sum_forward(g, a, b):
    return a + g.alpha * b, (a.shape, b.shape)


def weighted_sum_backward(g, grad, shapes, needs):
    from minigrad.ops._arrays import sum_to
    a_shape, b_shape = shapes
    return (sum_to(grad, a_shape) if needs[0] else None,
            sum_to(g.alpha * grad, b_shape) if needs[1] else None)


def test_a_user_op_end_to_end():
    minigrad.register("reg_cube", "cpu", "mine", cube_forward, cube_backward)
    minigrad.register("reg_wsum", "cpu", "mine", weighted_sum_forward, weighted_sum_backward)
    assert "reg_cube" in dispatch.ops() and minigrad.implementations("reg_cube") == ["mine"]

    def fn(x, y):
        return apply("reg_wsum", apply("reg_cube", x, attrs={"offset": 1.0}), y, attrs={"alpha": -2.0})

    x = minigrad.tensor([[0.5, -1.0, 2.0]], dtype=float64, requires_grad=True)
    y = minigrad.tensor([[1.0], [3.0]], dtype=float64, requires_grad=True)
    out = fn(x, y)
    np.testing.assert_allclose(out.detach().numpy(), np.array([[0.5, -1.0, 2.0]]) ** 3 + 1
                               - 2 * np.array([[1.0], [3.0]]))
    assert minigrad.gradcheck(fn, (x, y))
    # Mixed with built-in ops, through backward.
    # L = sum_ij (x_j^3 + 1 - 2 y_i) x_j: dL/dx_j = sum_i (4 x_j^3 + 1 - 2 y_i), dL/dy_i = -2 sum_j x_j
    (fn(x, y) * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (4 * x.detach().numpy() ** 3 + 1) - 2 * (1.0 + 3.0))
    np.testing.assert_allclose(y.grad.numpy(), -2 * np.full((2, 1), 1.5))


def test_a_user_op_without_backward_is_not_differentiable():
    minigrad.register("reg_sign", "cpu", "numpy", lambda g, x: (np.sign(x), None), None)
    x = minigrad.tensor([-2.0, 3.0], requires_grad=True)
    y = apply("reg_sign", x)
    assert y.tolist() == [-1.0, 1.0] and not y.requires_grad


def test_a_kernel_returning_a_wrong_gradient_shape_is_caught():
    minigrad.register("reg_badshape", "cpu", "numpy", lambda g, x: (2 * x, None),
                      lambda g, grad, saved, needs: (grad.sum(),))
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"RegBadshapeBackward \(numpy\) returned a gradient of "
                                           r"shape \(\) for input 0, expected \(2,\)"):
        apply("reg_badshape", x).sum().backward()
