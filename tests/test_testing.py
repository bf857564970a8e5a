"""minigrad.testing: check_op passes a correct user op, and catches a wrong backward and
an implementation whose forward disagrees; the strategies draw what they promise."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import (check_op, conv2d_args, cross_entropy_args, pool2d_args, shapes,
                              softmax_args, tensors)

# A user's op: y = x**3 * alpha. Each kernel below follows docs/add-your-own-op.md.


def cube_forward(g, x):
    return x ** 3 * g.alpha, x


def cube_backward(g, grad_out, x, needs_input_grad):
    return (grad_out * 3 * g.alpha * x ** 2,)


def cube_forward_loop(g, x):
    """A second implementation, elementwise, to be compared with the first."""
    out = np.empty_like(x)
    for i, v in np.ndenumerate(x):
        out[i] = v * v * v * g.alpha
    return out, x


def cube_backward_wrong(g, grad_out, x, needs_input_grad):
    return (grad_out * 2 * g.alpha * x,)  # d(x^3)/dx taken as 2x: the classic slip


def cube_forward_off(g, x):
    # Right on most inputs, wrong where x > 1: found only where Hypothesis looks.
    a = g.alpha
    return np.where(x > 1.0, x ** 3 * a * 1.01, x ** 3 * a).astype(x.dtype), x


CUBE_INPUTS = st.tuples(
    st.tuples(tensors(shapes(max_dims=2, max_side=3), requires_grad=True)),
    st.fixed_dictionaries({"alpha": st.sampled_from([0.5, -1.5, 2.0])}),
)


def test_correct_user_op_passes(restore_registry):
    minigrad.register("cube", "cpu", "numpy", cube_forward, cube_backward)
    minigrad.register("cube", "cpu", "loop", cube_forward_loop, cube_backward)
    runs = []

    def call(x, alpha):
        runs.append(minigrad.dispatch.selected("cube", "cpu"))
        return minigrad.autograd.function.apply("cube", x, attrs={"alpha": alpha})

    check_op("cube", inputs=CUBE_INPUTS, call=call, max_examples=5)
    # Both implementations really ran, and the reference defaulted to "numpy".
    assert {"numpy", "loop"} <= set(runs)


def test_wrong_backward_fails_gradcheck(restore_registry):
    minigrad.register("cube", "cpu", "numpy", cube_forward, cube_backward_wrong)
    with pytest.raises(AssertionError, match=r"'cube'.*'numpy'.*fails gradcheck.*input 0"):
        check_op("cube", inputs=CUBE_INPUTS, max_examples=10)


def test_wrong_backward_of_a_second_implementation_fails(restore_registry):
    minigrad.register("cube", "cpu", "numpy", cube_forward, cube_backward)
    minigrad.register("cube", "cpu", "fast", cube_forward, cube_backward_wrong)
    with pytest.raises(AssertionError, match=r"'fast'.*disagrees with the reference 'numpy'.*"
                                             r"gradient of input 0"):
        check_op("cube", inputs=CUBE_INPUTS, max_examples=10)


def test_disagreeing_forward_fails(restore_registry):
    minigrad.register("cube", "cpu", "numpy", cube_forward, cube_backward)
    minigrad.register("cube", "cpu", "fast", cube_forward_off, cube_backward)
    with pytest.raises(AssertionError, match=r"'fast'.*disagrees.*in output 0.*"
                                             r"worst at index.*got.*expected") as info:
        check_op("cube", inputs=CUBE_INPUTS, gradcheck=False, max_examples=25)
    assert "sample: args=(Tensor(shape=" in str(info.value)


def test_explicit_examples_run_first(restore_registry):
    minigrad.register("cube", "cpu", "numpy", cube_forward, cube_backward)
    minigrad.register("cube", "cpu", "fast", cube_forward_off, cube_backward)
    # Drawing only values <= 1 never shows the bug; the example does.
    safe = st.tuples(st.tuples(tensors((2,), elements=st.floats(-1, 1), requires_grad=True)),
                     st.just({"alpha": 1.0}))
    check_op("cube", inputs=safe, gradcheck=False, max_examples=5)
    bad = ((minigrad.tensor([2.0, 0.5], dtype=minigrad.float64, requires_grad=True),),
           {"alpha": 1.0})
    with pytest.raises(AssertionError, match="'fast'.*output 0.*index \\(0,\\)"):
        check_op("cube", inputs=safe, examples=[bad], gradcheck=False, max_examples=5)


def test_reference_and_implementations_can_be_chosen(restore_registry):
    minigrad.register("cube", "cpu", "numpy", cube_forward, cube_backward)
    minigrad.register("cube", "cpu", "fast", cube_forward_off, cube_backward)
    # Checking "numpy" alone (its gradcheck, no comparison) passes...
    check_op("cube", inputs=CUBE_INPUTS, implementations=["numpy"], max_examples=3)
    # ...and with "fast" as the reference, "numpy" is the one said to disagree.
    with pytest.raises(AssertionError, match="'numpy'.*disagrees with the reference 'fast'"):
        check_op("cube", inputs=CUBE_INPUTS, reference="fast", gradcheck=False)


def test_bad_calls_are_clear(restore_registry):
    with pytest.raises(ValueError, match="unknown op 'nope'"):
        check_op("nope")
    minigrad.register("cube", "cpu", "numpy", cube_forward, cube_backward)
    with pytest.raises(ValueError, match="no built-in input strategy for op 'cube'"):
        check_op("cube")
    with pytest.raises(ValueError, match="no implementation \\['numba'\\] on cpu"):
        check_op("cube", inputs=CUBE_INPUTS, implementations=["numba"])
    with pytest.raises(TypeError, match=r"must draw \(args, kwargs\)"):
        check_op("cube", inputs=st.just(1), max_examples=1)


# The same op as a user's autograd.Function (no registry), made of the kernels above
# working on arrays: check_op accepts the class or its apply; reference= is the same
# maths in built-in ops.


def cube_function(forward, backward):
    class CubeFunction(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x, alpha):
            ctx.g = SimpleNamespace(alpha=alpha)
            out, saved = forward(ctx.g, x.numpy())
            ctx.save_for_backward(minigrad.from_numpy(saved))
            return minigrad.from_numpy(out)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            (gx,) = backward(ctx.g, grad.numpy(), x.numpy(), ctx.needs_input_grad)
            return minigrad.from_numpy(gx), None
    return CubeFunction


CubeFunction = cube_function(cube_forward, cube_backward)
CubeFunctionWrong = cube_function(cube_forward, cube_backward_wrong)
CubeFunctionOff = cube_function(cube_forward_off, cube_backward)


FN_INPUTS = st.tuples(
    st.tuples(tensors(shapes(max_dims=2, max_side=3), requires_grad=True),
              st.sampled_from([0.5, -1.5, 2.0])),
    st.just({}),
)


def cube_reference(x, alpha):
    return x ** 3 * alpha


def test_check_op_accepts_an_autograd_function():
    calls = []

    def counted(g, x):
        calls.append(x.dtype)
        return cube_forward(g, x)
    Counted = cube_function(counted, cube_backward)

    check_op(Counted, inputs=FN_INPUTS, reference=cube_reference, max_examples=5)
    check_op(CubeFunction.apply, inputs=FN_INPUTS, max_examples=3)
    # It really ran, in both dtypes, and in float64 for gradcheck.
    assert {np.dtype(np.float32), np.dtype(np.float64)} <= set(calls)


def test_check_op_catches_a_wrong_function_backward():
    # An explicit example fails at once (a drawn one would be shrunk first: slow).
    sample = ((minigrad.tensor([0.5, -2.0], dtype=minigrad.float64, requires_grad=True), 1.5),
              {})
    with pytest.raises(AssertionError, match=r"'CubeFunction'.*fails gradcheck.*input 0"):
        check_op(CubeFunctionWrong, inputs=FN_INPUTS, examples=[sample], max_examples=1)
    # Against the reference the wrong gradient shows in the comparison too.
    with pytest.raises(AssertionError, match=r"'CubeFunction'.*disagrees with the "
                                             r"reference 'reference'.*gradient of input 0"):
        check_op(CubeFunctionWrong, inputs=FN_INPUTS, reference=cube_reference,
                 examples=[sample], gradcheck=False, max_examples=1)


def test_check_op_catches_a_function_forward_off_the_reference():
    with pytest.raises(AssertionError, match=r"'CubeFunction'.*disagrees.*in output 0"):
        check_op(CubeFunctionOff, inputs=FN_INPUTS, reference=cube_reference,
                 gradcheck=False, max_examples=25)
    with pytest.raises(ValueError, match="pass inputs="):
        check_op(CubeFunction)


@pytest.mark.parametrize("op", ["relu", "sum", "max", "clamp", "where", "lt", "argmax"])
def test_builtin_elementwise_and_reduce(op):
    check_op(op, max_examples=10)


# ---------------------------------------------------------------- the strategies


@given(data=st.data())
def test_tensors(data):
    shape = data.draw(shapes(min_dims=0, max_dims=3))
    t = data.draw(tensors(shape, dtype=minigrad.float32, requires_grad=True))
    assert t.shape == shape and t.dtype == minigrad.float32 and t.requires_grad
    assert np.all(np.abs(t.detach().numpy()) <= 2.0)
    d = data.draw(tensors((3, 4), distinct=True)).numpy()
    gaps = np.diff(np.sort(d.ravel()))
    assert np.all(gaps >= 0.1 - 1e-12)
    i = data.draw(tensors((5,), dtype="int64", elements=st.integers(0, 3)))
    assert i.dtype == minigrad.int64 and not i.requires_grad and set(i.numpy()) <= {0, 1, 2, 3}


@given(data=st.data())
def test_tensors_refuses_grad_on_integers(data):
    with pytest.raises(ValueError, match="requires_grad needs a floating dtype"):
        data.draw(tensors((2,), dtype=minigrad.int64, requires_grad=True))


@given(args=conv2d_args())
def test_conv2d_args_are_valid(args):
    x = minigrad.zeros(*args.input_shape)
    w = minigrad.zeros(*args.weight_shape)
    b = None if args.bias_shape is None else minigrad.zeros(*args.bias_shape)
    out = minigrad.nn.functional.conv2d(x, w, b, **args.kwargs)
    assert out.shape[:2] == (args.input_shape[0], args.weight_shape[0])


@given(args=pool2d_args())
def test_pool2d_args_are_valid(args):
    kh, kw = args.attrs["kernel_size"]
    assert args.attrs["padding"][0] <= kh // 2 and args.attrs["padding"][1] <= kw // 2
    out = minigrad.nn.functional.max_pool2d(minigrad.zeros(*args.input_shape), **args.kwargs)
    assert out.shape[:2] == args.input_shape[:2] and min(out.shape[2:]) >= 1


@given(args=softmax_args())
def test_softmax_args_are_valid(args):
    assert -max(len(args.shape), 1) <= args.dim < max(len(args.shape), 1)
    assert args.norm_dim == args.dim % max(len(args.shape), 1)


@given(args=cross_entropy_args(all_ignored=False))
def test_cross_entropy_args_are_valid(args):
    n, c = args.input_shape
    t = args.target
    assert t.shape == (n,) and t.dtype == np.int64
    assert np.all((t == args.kwargs["ignore_index"]) | ((t >= 0) & (t < c)))
    assert args.weight is None or (args.weight.shape == (c,) and np.all(args.weight > 0))
    loss = minigrad.nn.functional.cross_entropy(
        minigrad.zeros(n, c, dtype=minigrad.float64), minigrad.tensor(t),
        None if args.weight is None else minigrad.tensor(args.weight), **args.kwargs)
    if args.kwargs["reduction"] == "mean":  # all_ignored=False: something counted
        assert np.isfinite(loss.item())
