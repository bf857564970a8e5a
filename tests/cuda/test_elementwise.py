"""CUDA elementwise kernels against ops/elementwise/numpy.py: forward values and
summed-back gradients, every registered cuda version, broadcastable shapes of 0..4 dims."""
import importlib
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes
from numba import cuda

import minigrad
from minigrad.ops.elementwise import BINARY, COMPARISON, UNARY, UNARY_ATTRS
from minigrad.ops._attrs import NONE, Attrs
from minigrad.ops.elementwise import numpy as ref

VERSIONS = minigrad.implementations("add", "cuda")
FLOATS = (np.float32, np.float64)


def _mod(name):
    return importlib.import_module(f"minigrad.ops.elementwise.cuda.{name}")


def _close(got, want, dtype):
    want = np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape,
                                                                 got.dtype, want.dtype)
    if np.dtype(dtype) == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True)
    elif np.dtype(dtype) == np.float64:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def _values(rng, op, shape, dtype, which=0):
    if op in ("maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "relu", "abs"):
        x = rng.integers(-2, 3, shape)  # small integers: ties and zeros happen
    elif op == "pow":
        x = rng.uniform(0.5, 2, shape) if which == 0 else rng.uniform(-1, 2, shape)
        if which == 0 and x.size:
            x.flat[0] = 0  # d/db at a == 0 is 0 by convention
    elif op in ("log", "sqrt") or (op == "div" and which == 1):
        x = rng.uniform(0.5, 2, shape)
    else:
        x = rng.uniform(-2, 2, shape)
    return np.asarray(x).astype(dtype)


def _check_op(name, op, inputs, gdtype, rng, needs, **attrs):
    """gdtype: the dtype whose tolerance the gradients get."""
    fwd, bwd = _mod(name).KERNELS[op]
    rfwd, rbwd = ref.KERNELS[op]
    geo = Attrs(**attrs)
    dev = tuple(cuda.to_device(x) for x in inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # inf/nan in pow at 0 (the same on both sides)
        out, saved = fwd(geo, *dev)
        want, want_saved = rfwd(geo, *inputs)
        _close(out.copy_to_host(), want, want.dtype)
        if bwd is None or not np.issubdtype(want.dtype, np.floating):
            return
        g = rng.standard_normal(np.shape(want)).astype(want.dtype)
        got = bwd(geo, cuda.to_device(g), saved, needs)
        exp = rbwd(geo, g, want_saved, needs)
    assert len(got) == len(inputs)
    for gg, ee, need, x in zip(got, exp, needs, inputs):
        if need:
            assert gg.shape == x.shape
            _close(gg.copy_to_host(), ee, gdtype)


needs_st = st.sampled_from([(True, True), (True, False), (False, True)])


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", BINARY)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
       dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**16), needs=needs_st)
def test_binary_float(name, op, shapes, dtype, seed, needs):
    rng = np.random.default_rng(seed)
    a, b = (_values(rng, op, s, dtype, i) for i, s in enumerate(shapes.input_shapes))
    _check_op(name, op, (a, b), dtype, rng, needs)


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", ("add", "mul", "pow", "maximum", "minimum", "sub") + COMPARISON)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
       dtype=st.sampled_from([np.int64, np.bool_]), seed=st.integers(0, 2**16))
def test_binary_int_bool(name, op, shapes, dtype, seed):
    if op == "sub" and dtype == np.bool_:
        return  # refused by the front end, as in PyTorch
    rng = np.random.default_rng(seed)
    a, b = (rng.integers(0, 3, s).astype(dtype) for s in shapes.input_shapes)
    _check_op(name, op, (a, b), dtype, rng, (False, False))


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", COMPARISON)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
       dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**16))
def test_compare_float(name, op, shapes, dtype, seed):
    rng = np.random.default_rng(seed)
    a, b = (_values(rng, op, s, dtype) for s in shapes.input_shapes)
    _check_op(name, op, (a, b), dtype, rng, (False, False))


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", UNARY)
@given(shape=array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3),
       dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**16))
def test_unary(name, op, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    _check_op(name, op, (_values(rng, op, shape, dtype),), dtype, rng, (True,))


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", ("neg", "abs", "relu"))
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=3),
       dtype=st.sampled_from([np.int64, np.bool_]), seed=st.integers(0, 2**16))
def test_unary_int_bool(name, op, shape, dtype, seed):
    if op != "relu" and dtype == np.bool_:
        return  # neg/abs of bool are refused by the front end
    rng = np.random.default_rng(seed)
    _check_op(name, op, (rng.integers(-2, 3, shape).astype(dtype),), dtype, rng, (False,))


@pytest.mark.parametrize("name", VERSIONS)
@given(shape=array_shapes(min_dims=0, max_dims=4, max_side=3),
       dtype=st.sampled_from(FLOATS + (np.int64,)), seed=st.integers(0, 2**16),
       bounds=st.sampled_from([(-1, None), (None, 1), (-1, 1), (1, -1)]))
def test_clamp(name, shape, dtype, seed, bounds):
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, shape).astype(dtype)  # values on the bounds: inclusive grads
    lo, hi = bounds
    _check_op(name, "clamp", (x,), dtype, rng, (True,), min=lo, max=hi)


@pytest.mark.parametrize("name", VERSIONS)
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=4, max_side=3),
       dtype=st.sampled_from(FLOATS + (np.int64, np.bool_)), seed=st.integers(0, 2**16),
       needs=st.sampled_from([(False, True, True), (False, True, False), (False, False, True)]))
def test_where(name, shapes, dtype, seed, needs):
    rng = np.random.default_rng(seed)
    sc, sx, sy = shapes.input_shapes
    inputs = (rng.random(sc) > 0.5, rng.integers(-3, 3, sx).astype(dtype),
              rng.integers(-3, 3, sy).astype(dtype))
    _check_op(name, "where", inputs, dtype, rng, needs)


@pytest.mark.parametrize("name", VERSIONS)
@given(shape=array_shapes(min_dims=0, max_dims=4, max_side=3),
       src=st.sampled_from(FLOATS + (np.int64, np.bool_)),
       dst=st.sampled_from(FLOATS + (np.int64, np.bool_)), seed=st.integers(0, 2**16))
def test_cast(name, shape, src, dst, seed):
    rng = np.random.default_rng(seed)
    x = (rng.uniform(-3, 3, shape) * (rng.random(shape) > 0.3)).astype(src)
    _check_op(name, "cast", (x,), src, rng, (np.issubdtype(src, np.floating),), dtype=dst)


# --- edge cases -----------------------------------------------------------------------

@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("shapes", [
    ((600,), ()),            # several blocks of 256 threads; a 0-d operand
    ((2, 300), (2, 1)),      # summed back over 300 (threads stride), several blocks
    ((1, 1), (1,)),          # all size 1
    ((0, 3), (1, 3)),        # empty
    ((3, 1, 2), (2, 1)),     # both stretched
])
def test_edge_shapes(name, shapes):
    rng = np.random.default_rng(0)
    for op, dtype in (("mul", np.float32), ("maximum", np.float64)):
        a, b = (_values(rng, op, s, dtype) for s in shapes)
        _check_op(name, op, (a, b), dtype, rng, (True, True))


@pytest.mark.parametrize("name", VERSIONS)
def test_registered_for_every_op(name):
    from minigrad.ops.elementwise import OPS

    assert set(_mod(name).KERNELS) == set(OPS)
    for op in OPS:
        assert name in minigrad.implementations(op, "cuda")


NON_FINITE = [-np.inf, -3.0, -1.0, -0.0, 0.0, 0.5, 2.0, np.inf, np.nan]


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", UNARY)
@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_non_finite_match_numpy(name, op, dtype):
    # relu(-inf) is 0 and relu(nan) nan, as np.maximum(x, 0); the constants of every
    # kernel are typed as its dtype, which must not change such values.
    values = NON_FINITE
    if op in ("log", "sqrt"):  # the simulator's math.log/sqrt raise outside the domain
        values = [v for v in NON_FINITE if v > 0 or np.isnan(v)]
    rng = np.random.default_rng(1)
    _check_op(name, op, (np.array(values, dtype),), dtype, rng, (True,))


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_where_grad_of_the_branch_not_taken_is_zero(name, dtype):
    # Even where the gradient is inf or nan (np.where(cond, grad, 0), as PyTorch).
    fwd, bwd = _mod(name).KERNELS["where"]
    rfwd, rbwd = ref.KERNELS["where"]
    cond = np.array([False, False, True, True])
    x = np.arange(4, dtype=dtype)
    y = -x
    g = np.array([np.inf, np.nan, np.inf, 1.0], dtype)
    dev = tuple(cuda.to_device(a) for a in (cond, x, y))
    _, gx, gy = bwd(NONE, cuda.to_device(g), fwd(NONE, *dev)[1], (False, True, True))
    _, ex, ey = rbwd(NONE, g, rfwd(NONE, cond, x, y)[1], (False, True, True))
    np.testing.assert_array_equal(gx.copy_to_host(), ex)
    np.testing.assert_array_equal(gy.copy_to_host(), ey)
    np.testing.assert_array_equal(gx.copy_to_host(), [0, 0, np.inf, 1])


# --- the unary ops with parameters (UNARY_ATTRS) ----------------------------------------

ATTRS = {
    "leaky_relu": [{"negative_slope": 0.01}, {"negative_slope": -0.5}, {"negative_slope": 2.0}],
    "elu": [{"alpha": 1.0}, {"alpha": 0.3}, {"alpha": -1.5}],
    "gelu": [{"approximate": "none"}, {"approximate": "tanh"}],
    "softplus": [{"beta": 1.0, "threshold": 20.0}, {"beta": 2.0, "threshold": 1.0},
                 {"beta": 0.5, "threshold": 1000.0}],
}


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op, attrs", [(op, a) for op in UNARY_ATTRS for a in ATTRS[op]])
@given(shape=array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3),
       dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**16))
def test_unary_attrs(name, op, attrs, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, shape) * rng.uniform(0.5, 2, shape)  # zeros (the kinks) too
    _check_op(name, op, (np.asarray(x).astype(dtype),), dtype, rng, (True,), **attrs)


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op, attrs", [(op, a) for op in UNARY_ATTRS for a in ATTRS[op]])
@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_attrs_non_finite_and_large_match_numpy(name, op, attrs, dtype):
    # Large |x|: no overflow on the way (softplus with a threshold of 1000, gelu's x^3).
    values = NON_FINITE + [-1e30, -100.0, 100.0, 1e30]
    rng = np.random.default_rng(1)
    _check_op(name, op, (np.array(values, dtype),), dtype, rng, (True,), **attrs)


def test_pow_of_negative_bases_backward_as_the_cpu():
    """x ** 2 on negative x: the exponent's gradient (NaN there, no real log) is computed
    but not asked for; the base's is -4. With a tensor exponent both match the CPU."""
    for exponent in (2.0, minigrad.tensor([2.0, 2.0], requires_grad=True)):
        grads = []
        for device in ("cpu", "cuda"):
            x = minigrad.tensor([-2.0, 3.0], device=device, requires_grad=True)
            e = exponent if isinstance(exponent, float) else exponent.detach().to(device).requires_grad_()
            (x ** e).sum().backward()
            grads.append((x.grad.cpu().numpy(), None if isinstance(e, float) else e.grad.cpu().numpy()))
        np.testing.assert_array_equal(grads[1][0], grads[0][0])
        np.testing.assert_array_equal(grads[0][0], [-4.0, 6.0])
        if grads[0][1] is not None:
            np.testing.assert_array_equal(grads[1][1], grads[0][1])  # NaN where x < 0


@pytest.mark.parametrize("fn", [lambda x: x.sqrt(), lambda x: x.sigmoid(), lambda x: x ** 2,
                                lambda x: x.clamp(0, 1), lambda x: minigrad.maximum(x, x * 0),
                                lambda x: minigrad.where(x > 1, x, x * 2), lambda x: x.sin()])
def test_float16_on_cuda_computes_in_float32_as_the_cpu(fn):
    """Half precision on cuda: float32 maths, rounded back to float16, equal to the CPU's
    float32 result rounded the same way; gradients flow through the casts."""
    base = np.array([0.25, 1.5, 2.0], dtype=np.float16)
    x = minigrad.tensor(base, device="cuda", requires_grad=True)
    out = fn(x)
    want = fn(minigrad.tensor(base.astype(np.float32))).numpy()
    assert out.dtype is minigrad.float16
    np.testing.assert_array_equal(out.cpu().detach().numpy(), want.astype(out.dtype.np))
    if out.requires_grad:
        out.sum().backward()
        assert x.grad.dtype is minigrad.float16 and x.grad.shape == (3,)
