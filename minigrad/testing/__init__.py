"""Testing tools for ops: Hypothesis strategies and :func:`check_op`.

minigrad's own tests use them, so an op you register gets the same checks as the
built-in ones: every implementation compared with a reference, values and gradients,
on Hypothesis-drawn inputs, and each one checked against finite differences in float64.
Needs Hypothesis (``pip install minigrad[dev]``); the Hypothesis settings profile that
is loaded applies (examples, derandomize, deadline).

Checking a built-in op::

    from minigrad.testing import check_op

    def test_conv2d():
        check_op("conv2d")                 # every CPU implementation against "numpy"

Checking your own op, registered with two implementations::

    import minigrad
    from hypothesis import strategies as st
    from minigrad.testing import check_op, shapes, tensors

    def cube_forward(g, x):
        return x ** 3, x                      # (output, what backward needs)

    def cube_backward(g, grad_out, x, needs_input_grad):
        return (grad_out * 3 * x ** 2,)

    def test_cube():
        minigrad.register("cube", "cpu", "numpy", cube_forward, cube_backward)
        minigrad.register("cube", "cpu", "loop", cube_forward, cube_backward)
        inputs = st.tuples(st.tuples(tensors(shapes(max_dims=2), requires_grad=True)),
                           st.just({}))
        check_op("cube", inputs=inputs)

Strategies: :func:`shapes`, :func:`tensors`, :func:`conv2d_args`,
:func:`pool2d_args`, :func:`matmul_shapes`, :func:`softmax_args`,
:func:`cross_entropy_args`.
"""
from .check import check_op
from .strategies import (Conv2dArgs, CrossEntropyArgs, Pool2dArgs, SoftmaxArgs, conv2d_args,
                         cross_entropy_args, matmul_shapes, pool2d_args, shapes, softmax_args,
                         tensors)

__all__ = [
    "Conv2dArgs", "CrossEntropyArgs", "Pool2dArgs", "SoftmaxArgs", "check_op", "conv2d_args",
    "cross_entropy_args", "matmul_shapes", "pool2d_args", "shapes", "softmax_args", "tensors",
]
