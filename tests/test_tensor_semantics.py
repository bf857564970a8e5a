"""PyTorch's tensor semantics: ``Size``, ``axis=``/``keepdims=`` aliases, ``bmm``,
reductions over empty dims, and errors caught the PyTorch way (minigrad.errors).
Against torch when it is importable, else against NumPy and the rules written out."""
import pickle

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import errors
from minigrad.tensor import Size
from minigrad.tensor_ops.linalg import bmm


# ------------------------------------------------------------------------ Size ----

def test_size_is_a_tuple_with_numel_and_its_own_repr():
    t = minigrad.zeros(2, 3, 4)
    for s in (t.shape, t.size()):
        assert type(s) is Size and isinstance(s, tuple)
        assert s == (2, 3, 4) and hash(s) == hash((2, 3, 4))
        assert s.numel() == 24 == t.numel()
    assert repr(t.shape) == "minigrad.Size([2, 3, 4])" == str(t.shape)
    assert type(t.size(1)) is int and t.size(1) == 3 and t.size(axis=-1) == 4
    assert type(t.shape[1:]) is Size and t.shape[1:] == (3, 4)
    assert type(t.shape + (5,)) is Size and t.shape + (5,) == (2, 3, 4, 5)
    assert Size([]).numel() == 1 and repr(minigrad.tensor(1.0).shape) == "minigrad.Size([])"
    assert pickle.loads(pickle.dumps(t.shape)) == t.shape


def test_size_repr_matches_torch_but_for_the_name():
    torch = pytest.importorskip("torch")
    for shape in [(), (0,), (2, 3)]:
        assert repr(minigrad.zeros(shape).shape) == repr(torch.zeros(shape).shape).replace(
            "torch.", "minigrad.")


def test_legacy_constructor_reads_a_size_as_sizes():
    t = minigrad.Tensor(Size([2, 3]))
    assert t.shape == (2, 3) and t.dtype is minigrad.float32
    assert minigrad.Tensor(minigrad.zeros(4, 1).shape).shape == (4, 1)
    assert minigrad.Tensor((2, 3)).tolist() == [2.0, 3.0]  # a plain tuple is data


def _numba_signatures(module):
    from numba.core.registry import CPUDispatcher
    return {name: len(f.signatures) for name, f in vars(module).items()
            if isinstance(f, CPUDispatcher)}


def test_a_size_shaped_call_compiles_no_new_specialisation():
    # Shapes enter the ops as plain tuples: a Size (a tuple subclass, which Numba
    # cannot type) never reaches a kernel, a cache key or a geometry.
    import importlib
    conv_numba = importlib.import_module("minigrad.ops.conv2d.numba")
    conv_decl = importlib.import_module("minigrad.ops.conv2d")
    minigrad.manual_seed(0)
    x = minigrad.randn(2, 1, 6, 6)
    w = minigrad.randn(3, 1, 3, 3)
    with minigrad.use(conv2d="numba"):
        first = F.conv2d(x, w, padding=1)
        before = _numba_signatures(conv_numba)
        # The same data through Size-shaped calls: zeros(Size), reshape(Size), view(Size).
        x2 = (minigrad.zeros(x.shape) + x).reshape(x.shape).view(x.size())
        second = F.conv2d(x2, w, padding=1)
    assert before and _numba_signatures(conv_numba) == before
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    g_size = conv_decl.declare(x.shape, w.shape, None)
    g_tuple = conv_decl.declare(tuple(x.shape), tuple(w.shape), None)
    assert g_size == g_tuple
    for value in g_size:
        assert type(value) is not Size


# ----------------------------------------------------------- axis= / keepdims= ----

ALIAS_CALLS = [
    ("sum", lambda m, x: x.sum(axis=1), lambda m, x: x.sum(dim=1)),
    ("sum keepdims", lambda m, x: m.sum(x, 1, keepdims=True), lambda m, x: m.sum(x, 1, keepdim=True)),
    ("mean", lambda m, x: x.mean(axis=-1, keepdims=True), lambda m, x: x.mean(-1, True)),
    ("max", lambda m, x: x.max(axis=0).values, lambda m, x: x.max(0).values),
    ("min", lambda m, x: m.min(x, axis=1).indices, lambda m, x: m.min(x, 1).indices),
    ("argmax", lambda m, x: x.argmax(axis=1, keepdims=True), lambda m, x: x.argmax(1, True)),
    ("argmin", lambda m, x: m.argmin(x, axis=0), lambda m, x: m.argmin(x, 0)),
    ("softmax", lambda m, x: x.softmax(axis=1), lambda m, x: x.softmax(1)),
    ("log_softmax", lambda m, x: x.log_softmax(axis=0), lambda m, x: x.log_softmax(0)),
    ("cat", lambda m, x: m.cat([x, x], axis=1), lambda m, x: m.cat([x, x], 1)),
    ("stack", lambda m, x: m.stack([x, x], axis=-1), lambda m, x: m.stack([x, x], -1)),
    ("squeeze", lambda m, x: x[:, :1].squeeze(axis=1), lambda m, x: x[:, :1].squeeze(1)),
    ("unsqueeze", lambda m, x: x.unsqueeze(axis=0), lambda m, x: x.unsqueeze(0)),
]
X = np.array([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]], dtype=np.float32)


@pytest.mark.parametrize("name, with_axis, with_dim", ALIAS_CALLS, ids=[c[0] for c in ALIAS_CALLS])
def test_axis_and_keepdims_are_aliases(name, with_axis, with_dim):
    got = with_axis(minigrad, minigrad.tensor(X))
    want = with_dim(minigrad, minigrad.tensor(X))
    assert got.shape == want.shape and got.dtype is want.dtype
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name, with_axis, with_dim", ALIAS_CALLS, ids=[c[0] for c in ALIAS_CALLS])
def test_axis_calls_match_torch(name, with_axis, with_dim):
    torch = pytest.importorskip("torch")
    ref = with_axis(torch, torch.tensor(X))
    got = with_axis(minigrad, minigrad.tensor(X))
    assert tuple(got.shape) == tuple(ref.shape)
    np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-6)


def test_dim_and_axis_together_is_a_type_error():
    x = minigrad.tensor(X)
    for call in (lambda: x.sum(1, axis=1), lambda: x.max(dim=0, axis=0),
                 lambda: minigrad.cat([x], 1, axis=0), lambda: x.unsqueeze(0, axis=0),
                 lambda: x.mean(1, keepdim=True, keepdims=True)):
        with pytest.raises(TypeError, match="the same argument"):
            call()


# --------------------------------------------------------------------- bmm ----

def test_bmm_is_the_per_batch_matrix_product_and_differentiable():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 2, 4)), rng.standard_normal((3, 4, 5))
    x, y = minigrad.tensor(a, requires_grad=True), minigrad.tensor(b, requires_grad=True)
    out = bmm(x, y)
    np.testing.assert_allclose(out.detach().numpy(), np.einsum("bnk,bkm->bnm", a, b))
    g = rng.standard_normal(out.shape)
    x.bmm(y).backward(minigrad.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), g @ b.transpose(0, 2, 1))
    np.testing.assert_allclose(y.grad.numpy(), a.transpose(0, 2, 1) @ g)


def test_bmm_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 1))
    np.testing.assert_allclose(minigrad.tensor(a).bmm(minigrad.tensor(b)).numpy(),
                               torch.bmm(torch.tensor(a), torch.tensor(b)).numpy())


@pytest.mark.parametrize("a, b, kind, message", [
    ((3, 4), (2, 4, 5), RuntimeError, "batch1 must be a 3D tensor"),
    ((2, 3, 4), (4, 5), RuntimeError, "batch2 must be a 3D tensor"),
    ((2, 3, 4), (3, 4, 5), RuntimeError,
     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] but got: \[3, 4\]."),
    ((2, 3, 4), (2, 3, 5), RuntimeError,
     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] but got: \[2, 3\]."),
])
def test_bmm_errors_as_torch(a, b, kind, message):
    with pytest.raises(kind, match=message) as e:
        minigrad.ones(*a).bmm(minigrad.ones(*b))
    assert isinstance(e.value, ValueError)  # minigrad.errors.RuntimeValueError
    torch = pytest.importorskip("torch")
    with pytest.raises(kind, match=message):
        torch.ones(*a).bmm(torch.ones(*b))


def test_bmm_dtype_mismatch_as_torch():
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double") as e:
        minigrad.ones(2, 3, 4).bmm(minigrad.ones(2, 4, 5, dtype=minigrad.float64))
    assert isinstance(e.value, TypeError)


# ------------------------------------------------------- empty reductions ----

def test_sum_and_mean_of_nothing():
    e = minigrad.zeros(0, 5)
    assert e.sum().item() == 0 and e.sum(0).tolist() == [0.0] * 5 and e.sum(1).shape == (0,)
    assert np.isnan(e.mean().item()) and np.isnan(e.mean(0).numpy()).all()
    assert e.mean(1).shape == (0,)
    x = minigrad.zeros(0, 5, requires_grad=True)
    x.mean(0).sum().backward()
    assert x.grad.shape == (0, 5)


def test_max_along_a_nonempty_dim_of_an_empty_tensor_is_empty():
    values, indices = minigrad.zeros(0, 5).max(dim=1)
    assert values.shape == (0,) and indices.shape == (0,) and indices.dtype is minigrad.int64
    assert minigrad.zeros(0, 5).argmin(dim=1).shape == (0,)


@pytest.mark.parametrize("call, kind, message", [
    (lambda e: e.max(), RuntimeError,
     r"max\(\): Expected reduction dim to be specified for input.numel\(\) == 0"),
    (lambda e: e.min(), RuntimeError, r"min\(\): Expected reduction dim to be specified"),
    (lambda e: e.max(dim=0), IndexError, r"max\(\): Expected reduction dim 0 to have non-zero size."),
    (lambda e: e.min(0, keepdim=True), IndexError, r"min\(\): Expected reduction dim 0 to have non-zero size."),
    (lambda e: e.argmax(), IndexError, r"argmax\(\): Expected reduction dim to be specified for input.numel\(\) == 0."),
    (lambda e: e.argmax(dim=0), IndexError, r"argmax\(\): Expected reduction dim 0 to have non-zero size."),
    (lambda e: e.max(dim=(0, 1)), IndexError, r"amax\(\): Expected reduction dim 0 to have non-zero size."),
])
def test_empty_reduction_errors_as_torch(call, kind, message):
    with pytest.raises(kind, match=message):
        call(minigrad.zeros(0, 5))
    torch = pytest.importorskip("torch")
    torch_call = call
    if message.startswith("amax"):
        def torch_call(e):
            return e.amax(dim=(0, 1))
    with pytest.raises(kind, match=message):
        torch_call(torch.zeros(0, 5))


def test_empty_sums_match_torch():
    torch = pytest.importorskip("torch")
    for dims in [None, 0, 1, (0, 1)]:
        for fn in ("sum", "mean"):
            args = () if dims is None else (dims,)
            ref = getattr(torch.zeros(0, 5), fn)(*args)
            got = getattr(minigrad.zeros(0, 5), fn)(*args)
            assert tuple(got.shape) == tuple(ref.shape)
            np.testing.assert_array_equal(got.numpy(), ref.numpy())


# ------------------------------------------------------------------ errors ----

def test_error_classes_are_both_kinds():
    assert issubclass(errors.IndexValueError, IndexError) and issubclass(errors.IndexValueError, ValueError)
    assert issubclass(errors.RuntimeValueError, RuntimeError) and issubclass(errors.RuntimeValueError, ValueError)
    assert issubclass(errors.RuntimeTypeError, RuntimeError) and issubclass(errors.RuntimeTypeError, TypeError)
    assert issubclass(errors.IndexTypeError, IndexError) and issubclass(errors.IndexTypeError, TypeError)


@pytest.mark.parametrize("call", [
    lambda m, x: x.sum(2), lambda m, x: x.unsqueeze(4),
    lambda m, x: x.transpose(0, 2), lambda m, x: x.squeeze(2), lambda m, x: m.cat([x, x], 2),
    lambda m, x: x.flatten(3), lambda m, x: x.size(2),
])
def test_dim_out_of_range_matches_torch(call):
    x = minigrad.ones(2, 3)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of") as e:
        call(minigrad, x)
    assert isinstance(e.value, ValueError)
    torch = pytest.importorskip("torch")
    try:
        call(torch, torch.ones(2, 3))
    except IndexError as ref:
        assert str(e.value) == str(ref)
    else:
        pytest.fail("torch raised nothing")
