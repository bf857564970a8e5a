"""The dtypes beyond float32/float64/int64/bool (float16, int32, int16, int8, uint8):
storage, casts, PyTorch's promotion, the cast methods, ``type()``, ``element_size()``
and float16 autograd. Against torch when it is importable; without it, against NumPy's
conversions and the promotion rules written out."""
import itertools

import numpy as np
import pytest

import minigrad
from minigrad import dtype as dt

NEW = (dt.float16, dt.int32, dt.int16, dt.int8, dt.uint8)
METHODS = {"half": dt.float16, "int": dt.int32, "short": dt.int16, "char": dt.int8,
           "byte": dt.uint8, "float": dt.float32, "double": dt.float64, "long": dt.int64,
           "bool": dt.bool_}
SIZES = {dt.bool_: 1, dt.uint8: 1, dt.int8: 1, dt.int16: 2, dt.int32: 4, dt.int64: 8,
         dt.float16: 2, dt.float32: 4, dt.float64: 8}


def _torch_dtype(torch, d):
    return getattr(torch, d.name)


@pytest.mark.parametrize("d", NEW, ids=lambda d: d.name)
def test_storage_and_creation_keep_the_dtype(d):
    t = minigrad.zeros(2, 3, dtype=d)
    assert t.dtype is d and t.numpy().dtype == d.np
    assert minigrad.tensor(np.ones(2, dtype=d.np)).dtype is d
    assert minigrad.tensor([1, 2], dtype=d).tolist() == [1, 2]
    assert t.element_size() == d.np.itemsize == SIZES[d]
    assert t.is_floating_point() is (d.np.kind == "f")
    assert f"dtype={d!r}" in repr(t)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_cast_methods(method):
    values = np.array([-1.7, 0.0, 2.5, 130.0])
    t = getattr(minigrad.tensor(values), method)()
    target = METHODS[method]
    assert t.dtype is target
    # NumPy's conversion of the (float64) tensor: C casts, truncation, wrap-around.
    np.testing.assert_array_equal(t.numpy(), values.astype(target.np))


def test_type_names_and_casts():
    t = minigrad.ones(2)
    assert t.type() == "minigrad.FloatTensor"
    assert t.int().type() == "minigrad.IntTensor" and t.half().type() == "minigrad.HalfTensor"
    assert t.byte().type() == "minigrad.ByteTensor" and t.bool().type() == "minigrad.BoolTensor"
    assert t.type(minigrad.float64).dtype is minigrad.float64
    assert t.type("torch.DoubleTensor").dtype is minigrad.float64  # torch's names work too
    assert t.type("minigrad.ShortTensor").dtype is dt.int16
    with pytest.raises(ValueError, match="invalid type"):
        t.type("torch.ComplexTensor")


def test_type_names_match_torch():
    torch = pytest.importorskip("torch")
    for d in dt.ALL:
        ref = torch.ones(1, dtype=_torch_dtype(torch, d)).type()
        assert minigrad.ones(1, dtype=d).type() == ref.replace("torch.", "minigrad.")
        assert torch.ones(1, dtype=_torch_dtype(torch, d)).element_size() == \
            minigrad.ones(1, dtype=d).element_size()


def test_promotion_between_tensors_matches_torch():
    torch = pytest.importorskip("torch")
    for a, b in itertools.product(dt.ALL, repeat=2):
        ref = torch.promote_types(_torch_dtype(torch, a), _torch_dtype(torch, b))
        assert dt.promote(a, b).name == str(ref).removeprefix("torch."), (a, b)
        # And through an op on tensors of those dtypes.
        x, y = minigrad.ones(2, dtype=a), minigrad.ones(2, dtype=b)
        if not (a is dt.bool_ and b is dt.bool_):
            assert (x + y).dtype.name == str(ref).removeprefix("torch."), (a, b)


def test_promotion_written_out():
    assert dt.promote(dt.uint8, dt.int8) is dt.int16  # neither holds the other's range
    assert dt.promote(dt.int32, dt.int64) is dt.int64
    assert dt.promote(dt.int64, dt.float16) is dt.float16  # any float beats any integer
    assert dt.promote(dt.float16, dt.float32) is dt.float32
    assert dt.promote(dt.bool_, dt.uint8) is dt.uint8


@pytest.mark.parametrize("d", dt.ALL, ids=lambda d: d.name)
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_promotion_with_scalars_and_zero_dim_tensors_matches_torch(d, scalar):
    torch = pytest.importorskip("torch")
    ref_t = torch.ones(2, dtype=_torch_dtype(torch, d))
    t = minigrad.ones(2, dtype=d)
    if d is dt.bool_ and scalar is True:
        return  # bool + bool is an "or" in torch, a sum in NumPy: not compared here
    assert (t * scalar).dtype.name == str((ref_t * scalar).dtype).removeprefix("torch.")
    for zd in (dt.float64, dt.int64, dt.int8, dt.float16):
        ref = ref_t * torch.ones((), dtype=_torch_dtype(torch, zd))
        got = t * minigrad.ones((), dtype=zd)
        assert got.dtype.name == str(ref.dtype).removeprefix("torch."), (d, zd)


def test_integer_sums_are_int64_and_mean_needs_a_float():
    for d in (dt.int32, dt.int16, dt.int8, dt.uint8, dt.bool_):
        t = minigrad.ones(3, dtype=d)
        assert t.sum().dtype is dt.int64 and t.sum().item() == 3
        with pytest.raises(RuntimeError, match="mean"):
            t.mean()
    assert minigrad.ones(3, dtype=dt.float16).sum().dtype is dt.float16
    assert minigrad.ones(3, dtype=dt.float16).mean().item() == 1.0


def test_float16_requires_grad_and_backward():
    x = minigrad.tensor([0.5, -1.0, 2.0], dtype=dt.float16, requires_grad=True)
    y = (x * x + x.exp()).sum()
    y.backward()
    assert x.grad.dtype is dt.float16
    xs = np.array([0.5, -1.0, 2.0], dtype=np.float16)
    np.testing.assert_allclose(x.grad.numpy().astype(np.float64),
                               (2 * xs + np.exp(xs)).astype(np.float64), rtol=2e-3)
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype"):
        minigrad.ones(2, dtype=dt.int32, requires_grad=True)


def test_float16_matches_torch():
    torch = pytest.importorskip("torch")
    values = np.array([0.1, -2.25, 3.5, 7.0], dtype=np.float16)
    x = minigrad.tensor(values, requires_grad=True)
    rx = torch.tensor(values, requires_grad=True)
    (x.sigmoid() * 3 - x / 2).sum().backward()
    (rx.sigmoid() * 3 - rx / 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy().astype(np.float32),
                               rx.grad.numpy().astype(np.float32), rtol=2e-3, atol=1e-3)


def test_casts_between_float_dtypes_are_differentiable():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x.half() * 3).float().sum().backward()
    assert x.grad.dtype is dt.float32 and x.grad.tolist() == [3.0, 3.0]


def test_casts_match_torch():
    torch = pytest.importorskip("torch")
    values = np.array([-3.0, -1.5, 0.0, 1.0, 2.9, 100.0])
    for src, dst in itertools.product(dt.ALL, repeat=2):
        if src.np.kind == "u" or dst.np.kind == "u":
            v = np.abs(values)  # negative floats to uint8 are undefined in C
        else:
            v = values
        ref = torch.tensor(v).to(_torch_dtype(torch, src)).to(_torch_dtype(torch, dst))
        got = minigrad.tensor(v).to(src).to(dst)
        assert got.dtype.name == str(ref.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(got.numpy(), ref.numpy(), err_msg=f"{src} -> {dst}")


def test_float16_matmul_and_bmm_compute_in_float32_and_round_back():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3, 4)).astype(np.float16)
    b = rng.standard_normal((2, 4, 5)).astype(np.float16)
    x = minigrad.tensor(a, requires_grad=True)
    out = x @ minigrad.tensor(b)
    assert out.dtype is dt.float16
    np.testing.assert_allclose(out.detach().numpy().astype(np.float32),
                               (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16)
                               .astype(np.float32), rtol=1e-6)
    assert x.bmm(minigrad.tensor(b)).dtype is dt.float16
    out.sum().backward()
    assert x.grad.dtype is dt.float16
    np.testing.assert_allclose(x.grad.numpy().astype(np.float32),
                               np.broadcast_to(b.astype(np.float32).sum(-1)[:, None, :], a.shape),
                               rtol=2e-3)


def test_the_cnn_ops_refuse_float16_before_any_kernel():
    """Their Numba kernels have no half precision: a clear TypeError naming the
    argument, not an error from inside Numba."""
    import minigrad.nn.functional as F
    x = minigrad.randn(1, 1, 4, 4).half()
    calls = [lambda: F.conv2d(x, minigrad.randn(1, 1, 3, 3)), lambda: F.max_pool2d(x, 2),
             lambda: F.avg_pool2d(x, 2), lambda: F.softmax(x, 1),
             lambda: F.cross_entropy(x.reshape(1, 16), minigrad.tensor([1])),
             lambda: F.linear(x.reshape(1, 16), minigrad.randn(2, 16).half())]
    for call in calls:
        with pytest.raises(TypeError, match="input: float16 tensors are stored but not computed"):
            call()
    # matmul computes them (in float32, rounded back), as the elementwise ops do.
    assert (x.reshape(4, 4) @ x.reshape(4, 4)).dtype is minigrad.float16
