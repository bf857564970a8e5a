"""Tensor creation, dtype inference and promotion, conversions, and bad input.

Expected dtypes and error behaviour are PyTorch's (checked by hand against torch 2.x);
they are written out here, never computed by minigrad.
"""
import numpy as np
import pytest

import minigrad
from minigrad import bool as mbool
from minigrad import float32, float64, int64

# ---------------------------------------------------------------- creation ----


@pytest.mark.parametrize("data, dtype, shape", [
    (3.5, float32, ()),
    (3, int64, ()),
    (True, mbool, ()),
    ([1.0, 2.0], float32, (2,)),
    ([1, 2], int64, (2,)),
    ([1, 2.5], float32, (2,)),  # an int/float mix is float
    ([True, 2], int64, (2,)),
    ([[1, 2, 3], [4, 5, 6]], int64, (2, 3)),
    ([[True], [False]], mbool, (2, 1)),
    ([], float32, (0,)),
])
def test_tensor_infers_dtype_and_shape_from_python_data(data, dtype, shape):
    t = minigrad.tensor(data)
    assert t.dtype is dtype
    assert t.shape == shape
    assert t.ndim == len(shape)
    assert t.tolist() == (np.array(data).tolist() if shape else data)


@pytest.mark.parametrize("array, dtype", [
    (np.array([1.5, 2.5], dtype=np.float64), float64),  # NumPy arrays keep float64
    (np.array([1.5], dtype=np.float32), float32),
    (np.array([1.5], dtype=np.float16), minigrad.dtype.float16),  # as torch.tensor
    (np.array([1, 2], dtype=np.int32), minigrad.dtype.int32),
    (np.array([1, 2], dtype=np.uint8), minigrad.dtype.uint8),
    (np.array([1, 2], dtype=np.uint16), int64),  # widths minigrad lacks become int64
    (np.array([True]), mbool),
    (np.float64(2.5), float64),  # NumPy scalars keep their dtype too
    (np.float32(2.5), float32),
    (np.int64(7), int64),
])
def test_tensor_from_numpy_data_keeps_its_dtype(array, dtype):
    t = minigrad.tensor(array)
    assert t.dtype is dtype
    assert t.shape == np.shape(array)
    np.testing.assert_array_equal(t.numpy(), array)


def test_scalar_tensors_are_zero_dimensional():
    for value in (2.0, 2, False, np.float64(2.0), np.array(2.0)):
        t = minigrad.tensor(value)
        assert t.shape == () and t.ndim == 0 and t.numel() == 1
        assert t.item() == value


@pytest.mark.parametrize("dtype, expected", [
    (minigrad.float64, float64), ("float64", float64), (np.float64, float64),
    (float, float32), (int, int64), (bool, mbool), (minigrad.double, float64),
    (minigrad.long, int64), (minigrad.float, float32),
])
def test_dtype_argument_spellings(dtype, expected):
    t = minigrad.tensor([1, 0], dtype=dtype)
    assert t.dtype is expected
    assert t.numpy().dtype == expected.np


def test_tensor_with_dtype_converts_like_torch():
    assert minigrad.tensor([1.7, -1.7], dtype=int64).tolist() == [1, -1]  # truncation
    assert minigrad.tensor([0, 2], dtype=mbool).tolist() == [False, True]


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0])
    t = minigrad.tensor(a)
    a[0] = 100.0
    assert t.tolist() == [1.0, 2.0]
    u = minigrad.tensor(t)
    assert u._array is not t._array and u.tolist() == t.tolist()


def test_tensor_of_a_transposed_array_is_contiguous():
    a = np.arange(6.0).reshape(2, 3).T
    t = minigrad.tensor(a)
    assert t.numpy().flags.c_contiguous
    np.testing.assert_array_equal(t.numpy(), a)


def test_from_numpy_shares_memory():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = minigrad.from_numpy(a)
    a[0] = 5.0
    assert t.tolist() == [5.0, 2.0]
    assert t.dtype is float32


def test_from_numpy_bad_input():
    with pytest.raises(TypeError, match="from_numpy: unsupported dtype int32"):
        minigrad.from_numpy(np.array([1], dtype=np.int32))
    with pytest.raises(TypeError, match="from_numpy: expected a numpy.ndarray, got list"):
        minigrad.from_numpy([1.0])


def test_requires_grad_and_device_arguments():
    t = minigrad.tensor([1.0], requires_grad=True, device="cpu")
    assert t.requires_grad and t.is_leaf and t.grad is None
    assert t.device == "cpu" and str(t.device) == "cpu"
    assert minigrad.tensor([1.0], device=minigrad.device("cpu")).device == "cpu"
    with pytest.raises(RuntimeError, match="cuda"):
        minigrad.tensor([1.0], device="cuda")
    with pytest.raises(ValueError, match="device: expected 'cpu'"):
        minigrad.tensor([1.0], device="tpu")
    with pytest.raises(TypeError, match="device"):
        minigrad.zeros(2, device=3)


@pytest.mark.parametrize("fn, fill", [(minigrad.zeros, 0.0), (minigrad.ones, 1.0)])
def test_zeros_ones(fn, fill):
    for t in (fn(2, 3), fn((2, 3)), fn([2, 3])):
        assert t.shape == (2, 3) and t.dtype is float32
        assert (t.numpy() == fill).all()
    assert fn().shape == ()
    assert fn(0, 4).shape == (0, 4)
    assert fn(2, dtype=int64).dtype is int64
    t = fn(2, requires_grad=True, dtype=float64)
    assert t.requires_grad and t.dtype is float64


def test_empty_full():
    assert minigrad.empty(2, 3).shape == (2, 3)
    assert minigrad.empty(2, dtype=float64).dtype is float64
    # full infers the dtype from fill_value, as torch.full
    assert minigrad.full((2,), 1.5).dtype is float32
    assert minigrad.full((2,), 3).dtype is int64
    assert minigrad.full((2,), True).dtype is mbool
    assert minigrad.full((2, 2), 3, dtype=float64).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    with pytest.raises(TypeError, match="fill_value: expected a real number, got str"):
        minigrad.full((2,), "x")


def test_arange():
    t = minigrad.arange(5)
    assert t.dtype is int64 and t.tolist() == [0, 1, 2, 3, 4]
    assert minigrad.arange(2, 8, 3).tolist() == [2, 5]
    assert minigrad.arange(3, 0, -1).tolist() == [3, 2, 1]
    f = minigrad.arange(0, 1, 0.25)
    assert f.dtype is float32 and f.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert minigrad.arange(3.0).dtype is float32
    assert minigrad.arange(3, dtype=float64).dtype is float64
    with pytest.raises(ValueError, match="step: must be non-zero"):
        minigrad.arange(0, 3, 0)


def test_rand_randn_and_manual_seed():
    minigrad.manual_seed(123)
    a, b = minigrad.rand(4, 5), minigrad.randn(3)
    minigrad.manual_seed(123)
    assert minigrad.rand(4, 5).tolist() == a.tolist()
    assert minigrad.randn(3).tolist() == b.tolist()
    assert a.dtype is float32 and a.shape == (4, 5)
    assert ((a.numpy() >= 0) & (a.numpy() < 1)).all()
    assert minigrad.randn(2, 2, dtype=float64).dtype is float64
    assert minigrad.rand(2, requires_grad=True).requires_grad
    minigrad.manual_seed(1)
    big = minigrad.randn(20000).numpy()
    assert abs(big.mean()) < 0.05 and abs(big.std() - 1) < 0.05
    with pytest.raises(TypeError, match="seed: expected an int, got float"):
        minigrad.manual_seed(1.5)


@pytest.mark.parametrize("fn", [minigrad.rand, minigrad.randn])
def test_random_refuses_integer_dtypes(fn):
    # PyTorch refuses too (rather than silently returning zeros).
    with pytest.raises(TypeError, match="dtype must be floating point"):
        fn(3, dtype=int64)


def test_like_forms_keep_shape_and_dtype():
    x = minigrad.tensor([[1, 2, 3]])
    for fn in (minigrad.zeros_like, minigrad.ones_like, minigrad.empty_like):
        t = fn(x)
        assert t.shape == (1, 3) and t.dtype is int64
    assert minigrad.zeros_like(x).tolist() == [[0, 0, 0]]
    assert minigrad.ones_like(x, dtype=float64).dtype is float64
    assert minigrad.full_like(x, 7).tolist() == [[7, 7, 7]]
    f = minigrad.zeros(2, 2, dtype=float64)
    assert minigrad.rand_like(f).dtype is float64 and minigrad.randn_like(f).shape == (2, 2)
    assert minigrad.ones_like(f, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="dtype must be floating point"):
        minigrad.rand_like(x)


@pytest.mark.parametrize("bad, exc, match", [
    ("abc", TypeError, "data: expected a number"),
    (None, TypeError, "data: expected a number"),
    ([[1, 2], [3]], ValueError, "data"),
    ([1, "a"], TypeError, "data: unsupported element type"),
    (np.array(["a"]), TypeError, "data: unsupported element type"),
    (np.array([1j]), TypeError, "data: unsupported element type"),
])
def test_tensor_bad_data(bad, exc, match):
    with pytest.raises(exc, match=match):
        minigrad.tensor(bad)


@pytest.mark.parametrize("size", [(-1,), (2.5,), (True, 2), ("3",)])
def test_bad_sizes(size):
    with pytest.raises(ValueError, match="size: expected non-negative ints"):
        minigrad.zeros(*size)


def test_bad_dtype_argument():
    with pytest.raises(TypeError, match=r"dtype: expected a minigrad dtype \(bool, uint8, int8, int16, int32, int64, float16, float32, float64\)"):
        minigrad.tensor([1.0], dtype="complex64")
    with pytest.raises(TypeError, match="dtype"):
        minigrad.zeros(2, dtype=np.complex64)


def test_only_floating_point_tensors_can_require_grad():
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        minigrad.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="int64"):
        minigrad.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="bool"):
        minigrad.ones(2, dtype=mbool, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.arange(3, requires_grad=True)


# --------------------------------------------------------------- conversion ----


def test_metadata():
    t = minigrad.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and t.size() == (2, 3, 4)
    assert t.size(0) == 2 and t.size(-1) == 4 and t.size(1) == 3
    assert t.ndim == 3 and t.dim() == 3 and t.numel() == 24 and len(t) == 2
    assert t.dtype is float32 and t.dtype.is_floating_point and t.dtype.np == np.float32
    assert not int64.is_floating_point
    with pytest.raises(IndexError, match=r"range of \[-3, 2\], but got 3"):
        t.size(3)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(minigrad.tensor(1.0))


def test_numpy_item_tolist():
    t = minigrad.tensor([[1.5, 2.0]])
    assert isinstance(t.numpy(), np.ndarray) and t.numpy().dtype == np.float32
    assert t.tolist() == [[1.5, 2.0]]
    assert minigrad.tensor([[2.5]]).item() == 2.5
    assert isinstance(minigrad.tensor(3).item(), int)
    assert isinstance(minigrad.tensor(True).item(), bool)
    assert float(minigrad.tensor(2.5)) == 2.5 and int(minigrad.tensor(7)) == 7
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        t.item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with 2 elements is ambiguous"):
        bool(minigrad.tensor([1, 2]))
    assert np.asarray(minigrad.tensor([1, 2])).tolist() == [1, 2]


def test_numpy_of_a_tensor_that_requires_grad_raises():
    x = minigrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Use tensor.detach\\(\\).numpy\\(\\) instead"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]


def test_detach_and_requires_grad_():
    x = minigrad.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.numpy(), x._array)  # same data, as PyTorch
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad


@pytest.mark.parametrize("method, dtype", [
    ("float", float32), ("double", float64), ("long", int64), ("bool", mbool)])
def test_dtype_conversion_methods(method, dtype):
    t = getattr(minigrad.tensor([0.0, 1.5, -2.5]), method)()
    assert t.dtype is dtype
    np.testing.assert_array_equal(t.numpy(), np.array([0.0, 1.5, -2.5]).astype(dtype.np))


def test_to():
    t = minigrad.tensor([1.5])
    assert t.to(float64).dtype is float64
    assert t.to("cpu") is t
    assert t.to("cpu", float64).dtype is float64
    assert t.to(dtype=int64).tolist() == [1]
    with pytest.raises(RuntimeError, match="cuda"):
        t.to("cuda")
    with pytest.raises(TypeError, match="unexpected arguments"):
        t.to(foo=1)


def test_iteration_and_indexing_basics():
    t = minigrad.tensor([[1, 2], [3, 4]])
    assert [row.tolist() for row in t] == [[1, 2], [3, 4]]
    assert t[1, 0].item() == 3 and t[:, 1].tolist() == [2, 4]
    assert t[minigrad.tensor([1, 0])].tolist() == [[3, 4], [1, 2]]
    assert t[t > 2].tolist() == [3, 4]
    with pytest.raises(IndexError, match="index"):
        t[5]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        t[minigrad.tensor([0.0])]
    with pytest.raises(TypeError, match="tensors used as indices must be long"):  # minigrad's type before
        t[minigrad.tensor([0.0])]
    t[0] = 7  # item assignment: tests/test_indexing.py
    assert t.tolist() == [[7, 7], [3, 4]]


def test_repr_smoke():
    assert repr(minigrad.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(minigrad.tensor(2.5)).startswith("tensor(2.5")
    assert "dtype=minigrad.float64" in repr(minigrad.tensor([1.5], dtype=float64))
    x = minigrad.tensor([1.0], requires_grad=True)
    assert "requires_grad=True" in repr(x)
    assert "grad_fn=<MulBackward>" in repr(x * 2)
    assert repr(float64) == "minigrad.float64"
    assert "cpu" in repr(x.device)


# ---------------------------------------------------------------- promotion ----

DTYPES = [mbool, int64, float32, float64]
# PyTorch's result dtype of `a + b` for two tensors with dims (row: a, column: b).
TENSOR_TENSOR = {
    mbool: [mbool, int64, float32, float64],
    int64: [int64, int64, float32, float64],
    float32: [float32, float32, float32, float64],
    float64: [float64, float64, float64, float64],
}
# A 0-d tensor beside a tensor with dims counts like a Python scalar: it changes the
# category (bool < int < float), never the width (row: tensor with dims; column: 0-d).
TENSOR_ZERODIM = {
    mbool: [mbool, int64, float32, float64],
    int64: [int64, int64, float32, float64],
    float32: [float32, float32, float32, float32],
    float64: [float64, float64, float64, float64],
}


@pytest.mark.parametrize("a", DTYPES, ids=str)
@pytest.mark.parametrize("b", DTYPES, ids=str)
def test_tensor_tensor_promotion(a, b):
    x, y = minigrad.ones(2, dtype=a), minigrad.ones(2, dtype=b)
    expected = TENSOR_TENSOR[a][DTYPES.index(b)]
    for r in (x + y, y + x, x * y, minigrad.maximum(x, y), minigrad.where(x > 0, x, y)):
        assert r.dtype is expected
    assert (x / y).dtype is (expected if expected.is_floating_point else float32)
    assert (x < y).dtype is mbool
    # Both 0-d: the same rules as tensors with dims.
    assert (minigrad.ones((), dtype=a) + minigrad.ones((), dtype=b)).dtype is expected


@pytest.mark.parametrize("a", DTYPES, ids=str)
@pytest.mark.parametrize("b", DTYPES, ids=str)
def test_zero_dim_tensor_promotes_like_a_scalar(a, b):
    x, z = minigrad.ones(2, dtype=a), minigrad.ones((), dtype=b)
    expected = TENSOR_ZERODIM[a][DTYPES.index(b)]
    assert (x + z).dtype is expected and (z * x).dtype is expected
    assert (x + z).shape == (2,)


@pytest.mark.parametrize("t_dtype, scalar, expected", [
    (float32, 2.5, float32), (float64, 2.5, float64),  # a float scalar never widens
    (int64, 2.5, float32), (mbool, 2.5, float32),  # ... but makes ints float32
    (float32, 2, float32), (int64, 2, int64), (mbool, 2, int64),
    (float32, True, float32), (int64, True, int64), (mbool, True, mbool),
])
def test_python_scalar_promotion_on_both_sides(t_dtype, scalar, expected):
    t = minigrad.ones(3, dtype=t_dtype)
    results = [t + scalar, scalar + t, t * scalar, scalar * t, minigrad.maximum(t, scalar)]
    if t_dtype is not mbool or scalar is not True:
        results += [t - scalar, scalar - t]
    for r in results:
        assert r.dtype is expected and r.shape == (3,)


def test_python_scalar_values_on_both_sides():
    t = minigrad.tensor([1.0, 2.0, 4.0])
    assert (t - 1).tolist() == [0.0, 1.0, 3.0]
    assert (1 - t).tolist() == [0.0, -1.0, -3.0]
    assert (8 / t).tolist() == [8.0, 4.0, 2.0]
    assert (t / 8).tolist() == [0.125, 0.25, 0.5]
    assert (2 ** t).tolist() == [2.0, 4.0, 16.0]
    assert (t ** 2).tolist() == [1.0, 4.0, 16.0]
    assert (-t).tolist() == [-1.0, -2.0, -4.0]
    assert (3 > t).tolist() == [True, True, False]
    i = minigrad.tensor([3, 4])
    assert (i - 1.5).tolist() == [1.5, 2.5] and (1.5 - i).tolist() == [-1.5, -2.5]


def test_true_division_of_integers_is_float32():
    r = minigrad.tensor([1, 5]) / minigrad.tensor([2, 2])
    assert r.dtype is float32 and r.tolist() == [0.5, 2.5]
    assert (minigrad.tensor([3]) / 2).tolist() == [1.5]
    assert (2 / minigrad.tensor([4])).dtype is float32


def test_integer_power_and_unary_dtypes():
    i = minigrad.tensor([1, 2, 3])
    assert (i ** 2).dtype is int64 and (i ** 2).tolist() == [1, 4, 9]
    assert (i ** 0.5).dtype is float32
    assert (2 ** i).dtype is int64 and (2.0 ** i).dtype is float32
    for op in ("exp", "log", "sqrt", "sigmoid", "tanh"):
        assert getattr(i, op)().dtype is float32
    for op in ("abs", "relu", "neg"):
        assert getattr(i, op)().dtype is int64
    assert i.clamp(2).dtype is int64 and i.clamp(1.5).dtype is float32
    assert i.clamp(1.5).tolist() == [1.5, 2.0, 3.0]


def test_reduction_dtypes():
    assert minigrad.tensor([1, 2]).sum().dtype is int64
    assert minigrad.tensor([True, True, False]).sum().tolist() == 2
    assert minigrad.tensor([True]).sum().dtype is int64
    assert minigrad.tensor([1.0], dtype=float64).sum().dtype is float64
    assert minigrad.tensor([1, 2]).max().dtype is int64
    assert minigrad.tensor([1.0, 2.0]).argmax().dtype is int64
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype. Input dtype must be "
                       "either a floating point or complex dtype. Got: minigrad.int64"):
        minigrad.tensor([1, 2]).mean()
    with pytest.raises(TypeError):  # minigrad's type before (minigrad.errors)
        minigrad.tensor([1, 2]).mean()


def test_cat_and_stack_promote_mixed_dtypes():
    r = minigrad.cat([minigrad.ones(2), minigrad.ones(1, dtype=float64)])
    assert r.dtype is float64 and r.shape == (3,)
    s = minigrad.stack([minigrad.tensor([1, 2]), minigrad.tensor([True, False])])
    assert s.dtype is int64 and s.tolist() == [[1, 2], [1, 0]]


def test_equality_with_non_numbers_is_false():
    t = minigrad.tensor([1.0])
    assert (t == None) is False and (t != None) is True  # noqa: E711
    assert t != "a"
    assert (t == 1.0).tolist() == [True]


# ------------------------------------------------------- bad operands ----


def test_bool_negation_and_subtraction_are_refused():
    b = minigrad.tensor([True, False])
    with pytest.raises(RuntimeError, match="neg: not supported on a bool tensor"):
        -b
    with pytest.raises(RuntimeError, match="abs: not supported on a bool tensor"):
        b.abs()
    with pytest.raises(RuntimeError, match="sub: subtraction, the `-` operator, with two bool"):
        b - b
    with pytest.raises(RuntimeError, match="sub"):
        b - True
    assert (b - 1).tolist() == [0, -1]  # bool - int is int64


def test_bad_operands():
    t = minigrad.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="add: other must be a Tensor or a real Python number, got str"):
        t + "a"
    with pytest.raises(TypeError, match="add: input must be a Tensor or a real Python number, got str"):
        "a" + t
    with pytest.raises(TypeError, match="mul: other must be .* got complex"):
        t * 1j
    with pytest.raises(TypeError, match="add: other must be .* got list"):
        t + [1.0, 2.0]
    with pytest.raises(TypeError, match="lt: other must be .* got str"):
        t < "a"
    with pytest.raises(TypeError, match="where: other must be .* got str"):
        minigrad.where(t > 1, t, "a")
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        minigrad.ones(2, 3) + minigrad.ones(4)
    with pytest.raises(ValueError, match="mul: shapes"):
        minigrad.ones(2) * minigrad.ones(3)
    with pytest.raises(TypeError, match="exp: expected a Tensor, got float"):
        minigrad.exp(1.0)
    with pytest.raises(TypeError, match="add: expected at least one Tensor operand"):
        minigrad.add(1.0, 2.0)


def test_where_and_clamp_bad_arguments():
    x = minigrad.ones(2)
    with pytest.raises(TypeError, match="where: condition must be a bool Tensor"):
        minigrad.where(x, x, x)
    with pytest.raises(ValueError, match="where: shapes"):
        minigrad.where(minigrad.ones(3, dtype=mbool), x, x)
    with pytest.raises(ValueError, match="clamp: at least one of min and max must be given"):
        x.clamp()
    with pytest.raises(TypeError, match="clamp: min must be a number, a Tensor or None, got str"):
        x.clamp("0")
    with pytest.raises(TypeError, match="clamp: min and max must both be Tensors or both numbers"):
        x.clamp(min=0.0, max=x)


def test_reduction_bad_dims():
    # PyTorch's types and messages; minigrad.errors makes each also the ValueError
    # minigrad raised before.
    x = minigrad.ones(2, 3)
    with pytest.raises(IndexError, match=r"^Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)$") as e:
        x.sum(2)
    assert isinstance(e.value, ValueError)
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got -3"):
        x.mean(-3)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims") as e:
        x.sum((0, -2))
    assert isinstance(e.value, ValueError)
    with pytest.raises(TypeError, match="dim: expected an int or a tuple of ints"):
        x.sum(1.5)
    with pytest.raises(TypeError, match="argmax: dim must be an int or None"):
        x.argmax((0, 1))
    with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified for input.numel\(\) == 0"):
        minigrad.zeros(0).max()


def test_shape_bad_arguments():
    x = minigrad.ones(2, 3)
    # Shapes that do not fit: PyTorch's RuntimeError, also a ValueError (minigrad.errors).
    cases = [
        (lambda: x.reshape(4, 2), RuntimeError, r"shape '\[4, 2\]' is invalid for input of size 6"),
        (lambda: x.view(-1, -1), RuntimeError, "only one dimension can be inferred"),
        (lambda: x.permute(0, 0), RuntimeError, "permute\\(\\): duplicate dims are not allowed"),
        (lambda: x.permute(0), RuntimeError, "input.dim\\(\\) = 2 is not equal to len\\(dims\\) = 1"),
        (lambda: x.transpose(2, 0), IndexError, r"range of \[-2, 1\], but got 2"),
        (lambda: minigrad.ones(2, 3, 4).flatten(2, 1), RuntimeError, "start_dim cannot come after end_dim"),
        (lambda: x.expand(2, 4), RuntimeError,
         r"The expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1"),
        (lambda: x.expand(3), RuntimeError, "the number of sizes provided \\(1\\) must be greater or equal"),
        (lambda: minigrad.ones(1, 3).expand(-2, 3), RuntimeError, r"The expanded size of the tensor \(-2\)"),
        (lambda: x.unsqueeze(3), IndexError, r"range of \[-3, 2\], but got 3"),
        (lambda: minigrad.cat([x, minigrad.ones(2, 4)]), RuntimeError,
         "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1"),
        (lambda: minigrad.cat([x, minigrad.ones(2)]), RuntimeError, "same number of dimensions: got 2 and 1"),
        (lambda: minigrad.cat([minigrad.tensor(1.0)]), RuntimeError,
         r"zero-dimensional tensor \(at position 0\) cannot be concatenated"),
        (lambda: minigrad.stack([x, minigrad.ones(3, 2)]), RuntimeError,
         r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1"),
    ]
    for fn, kind, message in cases:
        with pytest.raises(kind, match=message) as e:
            fn()
        assert isinstance(e.value, ValueError), message
    with pytest.raises(TypeError, match="shape: expected ints"):
        x.reshape(2.0, 3)
    with pytest.raises(TypeError, match="cat: expected a non-empty list or tuple of Tensors"):
        minigrad.cat([])
    with pytest.raises(TypeError, match="cat: element 1 is a float, expected a Tensor"):
        minigrad.cat([x, 1.0])


def test_randint_range_shape_and_seed():
    minigrad.manual_seed(3)
    a = minigrad.randint(2, 5, (1000,))
    minigrad.manual_seed(3)
    b = minigrad.randint(2, 5, (1000,))
    assert a.dtype is minigrad.int64 and a.shape == (1000,)
    assert set(np.unique(a.numpy())) == {2, 3, 4}
    assert (a.numpy() == b.numpy()).all()
    assert minigrad.randint(3, (2, 2)).numpy().max() < 3
    with pytest.raises(ValueError, match="high"):
        minigrad.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="size"):
        minigrad.randint(5)
