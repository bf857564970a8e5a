"""F.pad (ops/pad) and the padding layers: values and gradients against a direct NumPy
reading of the definition and against PyTorch when it is importable, PyTorch's errors,
and the layers' arguments. (tests/ops/test_every_op.py checks the kernels against each
other and finite differences; tests/cuda/test_pad.py the CUDA kernel.)"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.nn.functional.pad import pad
from minigrad.nn.modules import padding as P
from minigrad.ops.pad.cases import pad_args


def _reference(x, amounts, mode, value):
    """out[o] = x[src(o)] element by element, src written out per mode (the definition,
    independent of the kernels' tables)."""
    k = len(amounts) // 2
    per_dim = {x.ndim - 1 - j: (amounts[2 * j], amounts[2 * j + 1]) for j in range(k)}
    out_shape = tuple(n + sum(per_dim.get(d, (0, 0))) for d, n in enumerate(x.shape))
    out = np.empty(out_shape, dtype=x.dtype)
    for o in np.ndindex(out_shape):
        idx = []
        for d, od in enumerate(o):
            b, a = per_dim.get(d, (0, 0))
            n, i = x.shape[d], od - b
            if mode == "constant":
                i = i if 0 <= i < n else None
            elif mode == "reflect":
                i = -i if i < 0 else i
                i = 2 * (n - 1) - i if i >= n else i
            elif mode == "replicate":
                i = min(max(i, 0), n - 1)
            else:  # circular: wrap within what the negative amounts leave
                lo, hi = max(-b, 0), n - max(-a, 0)
                i = lo + (od - max(b, 0)) % (hi - lo)
            idx.append(i)
        out[o] = (0 if value is None else value) if None in idx else x[tuple(idx)]
    return out


@given(case=pad_args(), seed=st.integers(0, 2**16))
def test_pad_matches_the_definition_and_its_gradient_is_the_transpose(case, seed):
    shape, kwargs = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    xt = minigrad.tensor(x, dtype=minigrad.float64, requires_grad=True)
    out = pad(xt, **kwargs)
    expected = _reference(x, tuple(kwargs["pad"]), kwargs["mode"], kwargs.get("value"))
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    # pad is linear: <pad(x), G> = <x, pad^T(G)>, with pad^T(G)[i] summing G over the
    # outputs that read i. Check it through the one-hot inputs e_i: pad^T(G)[i] = <pad(e_i), G>.
    g = rng.standard_normal(out.shape)
    out.backward(minigrad.tensor(g, dtype=minigrad.float64))
    transposed = np.zeros(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1
        spread = _reference(e.reshape(shape), tuple(kwargs["pad"]), kwargs["mode"], 0.0)
        transposed[i] = (spread * g).sum()
    np.testing.assert_allclose(xt.grad.numpy().ravel(), transposed, rtol=1e-12, atol=1e-12)


@given(case=pad_args(), seed=st.integers(0, 2**16))
def test_pad_matches_torch(case, seed):
    torch = pytest.importorskip("torch")
    shape, kwargs = case
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    xt = minigrad.tensor(x, requires_grad=True)
    out = pad(xt, **kwargs)
    xr = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.pad(xr, **kwargs)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    g = np.random.default_rng(seed + 1).standard_normal(tuple(ref.shape)).astype(np.float32)
    out.backward(minigrad.tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), xr.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_examples_by_hand():
    x = minigrad.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    rows = {m: pad(x, (2, 1), mode=m).numpy()[0, 0].tolist()
            for m in ("constant", "reflect", "replicate", "circular")}
    assert rows == {"constant": [0, 0, 1, 2, 3, 4, 0], "reflect": [3, 2, 1, 2, 3, 4, 3],
                    "replicate": [1, 1, 1, 2, 3, 4, 4], "circular": [3, 4, 1, 2, 3, 4, 1]}
    assert pad(x, (-1, -2)).numpy().tolist() == [[[2.0]]]
    assert pad(x, (1, 0), value=7.5).numpy().tolist() == [[[7.5, 1, 2, 3, 4]]]


def test_other_dtypes_and_empty_inputs():
    ints = pad(minigrad.arange(4), (1, 1), value=2.7)
    assert ints.dtype is minigrad.int64 and ints.numpy().tolist() == [2, 0, 1, 2, 3, 2]
    empty = pad(minigrad.zeros(2, 0), (1, 1), value=3.0)
    assert empty.shape == (2, 2) and (empty.numpy() == 3).all()
    assert pad(minigrad.zeros(2, 3), (-2, -1)).shape == (2, 0)
    scalar = pad(minigrad.tensor(1.5), ())
    assert scalar.shape == () and scalar.item() == 1.5


@pytest.mark.parametrize("args,kwargs,error,match", [
    (((1,),), {}, RuntimeError, "divisible by 2"),
    (((1,) * 10,), {}, RuntimeError, "less than or equal to two times"),
    (((-5, 0),), {}, RuntimeError, "negative output size"),
    (((1, 1),), {"mode": "reflect"}, NotImplementedError, "Padding size 2 is not supported for 4D"),
    (((4, 0, 0, 0),), {"mode": "reflect"}, RuntimeError, "should be less than"),
    (((5, 4, 3, 3),), {"mode": "circular"}, RuntimeError, "wrapping around more than once"),
    (((1, 1),), {"mode": "foo"}, NotImplementedError, "Unrecognised padding mode foo"),
    (((1, 1, 1, 1),), {"mode": "reflect", "value": 2.0}, RuntimeError, "doesn't take in value"),
    (((1.5, 1),), {}, TypeError, "must be tuple of ints"),
    ((3,), {}, TypeError, "tuple of ints"),
])
def test_errors_are_pytorchs(args, kwargs, error, match):
    x = minigrad.zeros(1, 2, 3, 4)
    with pytest.raises(error, match=match):
        pad(x, *args, **kwargs)
    try:
        import torch
    except ImportError:
        return
    with pytest.raises(error):
        torch.nn.functional.pad(torch.zeros(1, 2, 3, 4), *args, **kwargs)


def test_value_errors_are_also_value_errors():
    # minigrad's other declarations raise ValueError for a wrong value: both catch it.
    with pytest.raises(ValueError):
        pad(minigrad.zeros(2, 3), (1,))


@pytest.mark.parametrize("layer,mode,dims", [
    (P.ZeroPad2d, "constant", 2), (P.ReflectionPad2d, "reflect", 2),
    (P.ReplicationPad2d, "replicate", 2), (P.CircularPad2d, "circular", 2),
    (P.ReflectionPad1d, "reflect", 1), (P.ReplicationPad3d, "replicate", 3),
    (P.ZeroPad1d, "constant", 1),
])
def test_layers_are_f_pad(layer, mode, dims):
    x = minigrad.randn(*(2, 3, 4, 5, 4)[: dims + 2])
    amounts = tuple(range(1, 2 * dims + 1))
    amounts = tuple(min(a, 3) for a in amounts)
    for padding in (1, amounts):
        m = layer(padding)
        expected = padding if isinstance(padding, tuple) else (padding,) * (2 * dims)
        assert m.padding == expected and repr(m) == f"{layer.__name__}({expected})"
        np.testing.assert_array_equal(m(x).numpy(), pad(x, expected, mode=mode).numpy())
    assert list(m.parameters()) == [] and m.state_dict() == {}


def test_constant_pad_layer():
    m = P.ConstantPad2d((1, 0, 2, 0), 3.5)
    assert repr(m) == "ConstantPad2d(padding=(1, 0, 2, 0), value=3.5)"
    out = m(minigrad.zeros(1, 1, 2, 2))
    assert out.shape == (1, 1, 4, 3) and out.numpy()[0, 0, 0, 0] == 3.5
    with pytest.raises(ValueError, match="tuple of 4 ints"):
        P.ReflectionPad2d((1, 2))
    with pytest.raises(TypeError):
        P.ConstantPad2d(1, "a")


def test_layers_in_a_model_train():
    minigrad.manual_seed(0)
    model = nn.Sequential(P.ReflectionPad2d(1), nn.Conv2d(1, 2, 3), P.ZeroPad2d((0, 1, 0, 1)))
    x = minigrad.randn(2, 1, 5, 5)
    out = model(x)
    assert out.shape == (2, 2, 6, 6)
    out.sum().backward()
    assert model[1].weight.grad is not None


def test_layer_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for name, args in [("ZeroPad2d", (1,)), ("ConstantPad2d", ((1, 2, 3, 4), 3.5)),
                       ("ReflectionPad2d", (2,)), ("ReplicationPad2d", ((1, 0, 1, 0),)),
                       ("CircularPad1d", (1,)), ("ConstantPad3d", (1, 2.0))]:
        assert repr(getattr(P, name)(*args)) == repr(getattr(torch.nn, name)(*args))
