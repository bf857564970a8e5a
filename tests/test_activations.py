"""The elementwise activations and trigonometric ops (ops/elementwise: sin cos tan sinh
cosh silu leaky_relu elu gelu softplus), their front ends (minigrad.tensor_ops.elementwise,
minigrad.nn.functional) and layers (minigrad.nn: Sigmoid Tanh LeakyReLU ELU GELU Softplus
SiLU Identity).

Values and gradients against formulas written here element by element with Python's
``math`` (an independent reference: the kernels are vectorized NumPy), and against
PyTorch when it is importable; no overflow warning at large |x|; the argument errors
PyTorch raises; ``inplace=True`` writing into the input as PyTorch does; the layers'
reprs. Every implementation's cross-checks and finite differences run in
tests/ops/test_every_op.py from the op folder's cases."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.tensor_ops import elementwise as ew


def _sig(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _gelu_tanh(x):
    k = math.sqrt(2 / math.pi)
    return 0.5 * x * (1 + math.tanh(k * (x + 0.044715 * x ** 3)))


def _gelu_tanh_grad(x):
    k = math.sqrt(2 / math.pi)
    t = math.tanh(k * (x + 0.044715 * x ** 3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)


def _softplus(x, beta, threshold):
    return x if beta * x > threshold else math.log1p(math.exp(beta * x)) / beta


# name: (call, value formula, derivative formula), with the parameters used
FORMULAS = {
    "sin": (ew.sin, math.sin, math.cos),
    "cos": (ew.cos, math.cos, lambda x: -math.sin(x)),
    "tan": (ew.tan, math.tan, lambda x: 1 / math.cos(x) ** 2),
    "sinh": (ew.sinh, math.sinh, math.cosh),
    "cosh": (ew.cosh, math.cosh, math.sinh),
    "silu": (F.silu, lambda x: x * _sig(x), lambda x: _sig(x) * (1 + x * (1 - _sig(x)))),
    "leaky_relu": (lambda t: F.leaky_relu(t, 0.2), lambda x: x if x > 0 else 0.2 * x,
                   lambda x: 1.0 if x > 0 else 0.2),
    "elu": (lambda t: F.elu(t, 1.5), lambda x: x if x > 0 else 1.5 * math.expm1(x),
            lambda x: 1.0 if x > 0 else 1.5 * math.exp(x)),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))),
             lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))
             + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)),
    "gelu_tanh": (lambda t: F.gelu(t, approximate="tanh"), _gelu_tanh, _gelu_tanh_grad),
    "softplus": (lambda t: F.softplus(t, 2.0, 1.5), lambda x: _softplus(x, 2.0, 1.5),
                 lambda x: 1.0 if 2 * x > 1.5 else _sig(2 * x)),
    "sigmoid": (F.sigmoid, _sig, lambda x: _sig(x) * (1 - _sig(x))),
    "tanh": (F.tanh, math.tanh, lambda x: 1 - math.tanh(x) ** 2),
}
# Away from 0 (the kinks) and from softplus's kink at x = 0.75; inside tan's (-pi/2, pi/2).
X = np.array([-3.1, -1.3, -0.45, -0.05, 0.07, 0.3, 0.9, 1.2, 2.6])


@pytest.mark.parametrize("name", sorted(FORMULAS))
@pytest.mark.parametrize("dtype", [minigrad.float64, minigrad.float32])
def test_values_and_gradients_match_the_formulas(name, dtype):
    call, f, df = FORMULAS[name]
    x = minigrad.tensor(X, dtype=dtype, requires_grad=True)
    y = call(x)
    w = np.linspace(-1, 1, X.size)
    (y * minigrad.tensor(w, dtype=dtype)).sum().backward()
    tol = dict(rtol=1e-12, atol=1e-14) if dtype is minigrad.float64 else dict(rtol=2e-6, atol=1e-6)
    assert y.dtype is dtype and x.grad.dtype is dtype
    np.testing.assert_allclose(y.detach().numpy(), [f(v) for v in X.astype(dtype.np)], **tol)
    np.testing.assert_allclose(x.grad.numpy(), [wi * df(v) for wi, v in zip(w, X.astype(dtype.np))],
                               **tol)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_gradcheck(name):
    call = FORMULAS[name][0]
    x = minigrad.tensor(X.reshape(3, 3), dtype=minigrad.float64, requires_grad=True)
    assert minigrad.gradcheck(call, [x])


LARGE = np.array([-1e300, -1e30, -1e4, -800.0, -100.0, 100.0, 800.0, 1e4, 1e30, 1e300])
# The limits as |x| grows: the value, and the derivative.
LIMITS = {
    "silu": (lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "sigmoid": (lambda x: (x > 0) * 1.0, lambda x: 0 * x),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.2 * x), lambda x: np.where(x > 0, 1, 0.2)),
    "elu": (lambda x: np.where(x > 0, x, -1.5), lambda x: (x > 0) * 1.0),
    "gelu": (lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "gelu_tanh": (lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "softplus": (lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
}


@pytest.mark.parametrize("name", sorted(LIMITS))
@pytest.mark.parametrize("dtype", [minigrad.float64, minigrad.float32])
def test_large_inputs_give_the_limits_without_warnings(name, dtype):
    values = LARGE.astype(dtype.np) if dtype is minigrad.float64 else \
        LARGE[np.abs(LARGE) < 1e38].astype(np.float32)
    value, slope = LIMITS[name]
    x = minigrad.tensor(values, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or invalid-value RuntimeWarning fails
        y = FORMULAS[name][0](x)
        y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), value(values), rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(x.grad.numpy(), slope(values), rtol=1e-6, atol=1e-30)


def test_softplus_with_a_large_threshold_stays_finite():
    # beta x = 1000 is below the threshold: log1p(e^1000) would overflow; the value is x.
    x = minigrad.tensor([1000.0, -1000.0, 100.0], dtype=minigrad.float32, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = F.softplus(x, threshold=1e4)
        y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), [1000.0, 0.0, 100.0])
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.0, 1.0])


def test_hyperbolic_overflow_is_inf_without_a_warning():
    x = minigrad.tensor([-1000.0, 1000.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(ew.sinh(x).detach().numpy(), [-np.inf, np.inf])
        y = ew.cosh(x)
        y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [np.inf, np.inf])
    np.testing.assert_array_equal(x.grad.numpy(), [-np.inf, np.inf])


def test_kinks_take_pytorchs_gradient_at_zero():
    x = minigrad.tensor([0.0, 0.0], requires_grad=True)
    F.leaky_relu(x[:1], 0.3).sum().backward()
    F.elu(x[1:], 2.5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.3, 2.5])  # the negative side's, as torch


def test_integer_inputs():
    n = minigrad.tensor([0, 1, 2])
    for fn in (ew.sin, ew.cos, ew.tan, ew.sinh, ew.cosh, F.sigmoid, F.tanh):
        out = fn(n)
        assert out.dtype is minigrad.float32
        np.testing.assert_allclose(out.numpy(), [FORMULAS[fn.__name__][1](v) for v in range(3)],
                                   rtol=1e-6)
    for fn in (F.silu, F.leaky_relu, F.elu, F.gelu, F.softplus):
        with pytest.raises(NotImplementedError, match="int64"):
            fn(n)


def test_nodes_are_named_as_pytorchs():
    x = minigrad.tensor([0.5], requires_grad=True)
    assert F.leaky_relu(x).grad_fn.name() == "LeakyReluBackward"
    assert F.gelu(x).grad_fn.name() == "GeluBackward"
    assert ew.sin(x).grad_fn.name() == "SinBackward"


# ---- argument errors -----------------------------------------------------------------

def test_argument_errors_name_the_argument():
    x = minigrad.tensor([1.0])
    for call, name in [
        (lambda: F.leaky_relu([1.0]), "input"), (lambda: F.silu(np.ones(2)), "input"),
        (lambda: F.gelu(3), "input"), (lambda: F.sigmoid([1.0]), "input"),
        (lambda: F.tanh(None), "input"), (lambda: ew.sin([1.0]), "sin"),
        (lambda: F.leaky_relu(x, "0.1"), "negative_slope"),
        (lambda: F.leaky_relu(x, True), "negative_slope"),
        (lambda: F.elu(x, None), "alpha"), (lambda: F.softplus(x, beta="2"), "beta"),
        (lambda: F.softplus(x, threshold=[20]), "threshold"),
        (lambda: F.gelu(x, approximate=1), "approximate"),
        (lambda: F.elu(x, inplace=1), "inplace"), (lambda: F.silu(x, inplace="no"), "inplace"),
        (lambda: nn.LeakyReLU("a"), "negative_slope"), (lambda: nn.ELU(alpha=None), "alpha"),
        (lambda: nn.Softplus(threshold="x"), "threshold"), (lambda: nn.SiLU(1), "inplace"),
        (lambda: nn.GELU(None), "approximate"),
    ]:
        with pytest.raises(TypeError, match=name):
            call()
    for call in (lambda: F.gelu(x, approximate="erf"), lambda: nn.GELU("Tanh")):
        with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
            call()


def test_parameters_reach_the_kernels_as_python_floats():
    # A NumPy float64 parameter must not turn a float32 computation into float64.
    x = minigrad.tensor([-1.0, 2.0], dtype=minigrad.float32)
    for y in (F.leaky_relu(x, np.float64(0.5)), F.elu(x, np.float64(2)),
              F.softplus(x, np.float64(2), np.int64(3))):
        assert y.dtype is minigrad.float32 and y.numpy().dtype == np.float32
    np.testing.assert_allclose(F.leaky_relu(x, np.float64(0.5)).numpy(), [-0.5, 2.0])


# ---- in place --------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [lambda t, **k: F.leaky_relu(t, 0.1, **k),
                                lambda t, **k: F.elu(t, 0.7, **k),
                                lambda t, **k: F.silu(t, **k)])
def test_inplace_writes_into_the_input_and_keeps_the_gradient(fn):
    a = minigrad.tensor([-1.5, -0.2, 0.4, 2.0], dtype=minigrad.float64, requires_grad=True)
    expected = fn(a * 2)
    expected.sum().backward()
    want_grad = a.grad.numpy().copy()
    a.grad = None

    h = a * 2
    version = h._version
    out = fn(h, inplace=True)
    assert out is h and h._version == version + 1
    np.testing.assert_allclose(h.detach().numpy(), expected.detach().numpy())
    out.sum().backward()  # the op saved its input, which the write overwrote
    np.testing.assert_allclose(a.grad.numpy(), want_grad)


def test_inplace_refuses_a_leaf_that_requires_grad_before_computing():
    a = minigrad.tensor([-1.0, 1.0], requires_grad=True)
    for call in (lambda: F.leaky_relu(a, inplace=True), lambda: F.elu_(a),
                 lambda: F.leaky_relu_(a), lambda: nn.SiLU(inplace=True)(a)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            call()
    np.testing.assert_array_equal(a.detach().numpy(), [-1.0, 1.0])
    with minigrad.no_grad():
        F.elu_(a, 2.0)  # allowed without grad mode, as in PyTorch
    np.testing.assert_allclose(a.detach().numpy(), [2.0 * math.expm1(-1.0), 1.0])


# ---- layers ------------------------------------------------------------------------------

LAYERS = [
    (nn.Sigmoid(), "Sigmoid()", F.sigmoid),
    (nn.Tanh(), "Tanh()", F.tanh),
    (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)", F.leaky_relu),
    (nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)",
     lambda t: F.leaky_relu(t, 0.2)),
    (nn.ELU(), "ELU(alpha=1.0)", F.elu),
    (nn.ELU(alpha=2, inplace=True), "ELU(alpha=2, inplace=True)", lambda t: F.elu(t, 2)),
    (nn.GELU(), "GELU(approximate='none')", F.gelu),
    (nn.GELU("tanh"), "GELU(approximate='tanh')", lambda t: F.gelu(t, "tanh")),
    (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)", F.softplus),
    (nn.Softplus(2, 10), "Softplus(beta=2, threshold=10)", lambda t: F.softplus(t, 2, 10)),
    (nn.SiLU(), "SiLU()", F.silu),
    (nn.SiLU(inplace=True), "SiLU(inplace=True)", F.silu),
    (nn.Identity(54, unused="x"), "Identity()", lambda t: t),
]


@pytest.mark.parametrize("layer, text, fn", LAYERS, ids=[t for _, t, _ in LAYERS])
def test_layers_forward_and_repr(layer, text, fn):
    assert repr(layer) == text
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    out = layer(minigrad.tensor(x))
    np.testing.assert_array_equal(out.numpy(), fn(minigrad.tensor(x)).numpy())
    assert not list(layer.parameters())


def test_identity_returns_its_input():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert nn.Identity()(x) is x


def test_layers_in_a_model():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 8), nn.SiLU(),
                          nn.Linear(8, 3), nn.Softplus()).double()
    x = minigrad.randn(5, 4, dtype=minigrad.float64)
    params = list(model.parameters())
    assert minigrad.gradcheck(lambda inp: model(inp), [x.requires_grad_()])
    model(x).sum().backward()
    assert all(p.grad is not None for p in params)


# ---- against PyTorch -----------------------------------------------------------------------

TORCH_CALLS = {
    # name: (minigrad call, torch call) taking (x, **params)
    "sin": (lambda x: ew.sin(x), lambda torch, x: torch.sin(x)),
    "cos": (lambda x: ew.cos(x), lambda torch, x: torch.cos(x)),
    "tan": (lambda x: ew.tan(x), lambda torch, x: torch.tan(x)),
    "sinh": (lambda x: ew.sinh(x), lambda torch, x: torch.sinh(x)),
    "cosh": (lambda x: ew.cosh(x), lambda torch, x: torch.cosh(x)),
    "sigmoid": (F.sigmoid, lambda torch, x: torch.nn.functional.sigmoid(x)),
    "tanh": (F.tanh, lambda torch, x: torch.nn.functional.tanh(x)),
    "silu": (F.silu, lambda torch, x: torch.nn.functional.silu(x)),
    "leaky_relu": (F.leaky_relu, lambda torch, x: torch.nn.functional.leaky_relu(x)),
    "leaky_relu(-0.3)": (lambda x: F.leaky_relu(x, -0.3),
                         lambda torch, x: torch.nn.functional.leaky_relu(x, -0.3)),
    "elu": (F.elu, lambda torch, x: torch.nn.functional.elu(x)),
    "elu(0.4)": (lambda x: F.elu(x, 0.4), lambda torch, x: torch.nn.functional.elu(x, 0.4)),
    "gelu": (F.gelu, lambda torch, x: torch.nn.functional.gelu(x)),
    "gelu(tanh)": (lambda x: F.gelu(x, approximate="tanh"),
                   lambda torch, x: torch.nn.functional.gelu(x, approximate="tanh")),
    "softplus": (F.softplus, lambda torch, x: torch.nn.functional.softplus(x)),
    "softplus(3, 2)": (lambda x: F.softplus(x, 3, 2),
                       lambda torch, x: torch.nn.functional.softplus(x, 3, 2)),
}


@pytest.mark.parametrize("name", sorted(TORCH_CALLS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_against_pytorch_forward_and_backward(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(sorted(TORCH_CALLS).index(name))
    x = rng.uniform(-4, 4, (3, 5))
    x[0, :4] = [0.0, -30.0, 25.0, 0.7]  # a kink, far on both sides, softplus(3, 2)'s kink side
    if name == "tan":
        x = np.clip(x, -1.4, 1.4)
    g = rng.standard_normal(x.shape)
    mine, theirs = TORCH_CALLS[name]
    mx = minigrad.tensor(x, dtype=getattr(minigrad, dtype), requires_grad=True)
    tx = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
    my, ty = mine(mx), theirs(torch, tx)
    my.backward(minigrad.tensor(g, dtype=getattr(minigrad, dtype)))
    ty.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(my.detach().numpy(), ty.detach().numpy(), **tol)
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), **tol)


# (layer, args, kwargs): each built by minigrad.nn and torch.nn alike
REPR_CASES = [
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}), ("ELU", (), {}),
    ("ELU", (), {"alpha": 2, "inplace": True}), ("GELU", (), {}), ("GELU", ("tanh",), {}),
    ("Softplus", (), {}), ("Softplus", (2, 10), {}), ("Softplus", (), {"beta": 0.5}),
    ("SiLU", (), {}), ("SiLU", (True,), {}), ("Sigmoid", (), {}), ("Tanh", (), {}),
    ("Identity", (), {}), ("Identity", (3,), {"a": 1}),
]


@pytest.mark.parametrize("name, args, kwargs", REPR_CASES)
def test_layer_reprs_are_pytorchs(name, args, kwargs):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))
