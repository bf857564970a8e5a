"""The PyTorch-parity harness of tests/test_torch_parity.py, after tinygrad's
``helper_test_op`` (test/test_ops.py): ONE function, written with PyTorch's spellings,
runs on torch tensors and on minigrad tensors holding the same random data; the forward
results must agree in shape, dtype, requires_grad and value, and the inputs' gradients
of a random-weighted sum of the output must agree too.

The function gets the inputs and, when its first parameter is named ``t``, the module
first (``torch`` or ``minigrad``), so module-level spellings run on both::

    check_op([(4, 5)], lambda x: x.relu())
    check_op([(4, 5)], lambda t, x: t.sum(x, dim=1))
    check_op([(2, 3, 7, 7), (4, 3, 3, 3)], lambda t, x, w: t.nn.functional.conv2d(x, w))

Tolerances are tinygrad's: ``atol=1e-6, rtol=1e-3`` on values, ``grad_atol=1e-4,
grad_rtol=1e-3`` on gradients. The gradient is that of ``sum(out * W)`` for a fixed
random ``W`` of out's shape (computed as ``autograd.grad(out, inputs, grad_outputs=W)``
in both frameworks): a plain ``out.sum()`` would hide a wrong softmax gradient (its
rows sum to zero whatever the error) and any error that is constant along a reduced dim.
"""
from __future__ import annotations

import inspect
import traceback

import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch")


def _wants_module(fn) -> bool:
    params = list(inspect.signature(fn).parameters)
    return bool(params) and params[0] == "t"


def call(fn, module, inputs):
    """``fn(*inputs)``, or ``fn(module, *inputs)`` when its first parameter is ``t``.

    An exception comes out with its type and message, and the last frames of its
    traceback as a note: the test functions hide their frames from pytest (which
    re-parses the long test module for every frame it prints, 0.2 s a failure), so the
    note is where a failure's report says where it was raised."""
    __tracebackhide__ = True
    try:
        return fn(module, *inputs) if _wants_module(fn) else fn(*inputs)
    except Exception as e:
        e.add_note("raised at (innermost last):\n" + "".join(
            traceback.format_tb(e.__traceback__)[-3:]))
        raise e.with_traceback(None) from None


def _dtype_name(x) -> str:
    # torch.float32 -> "float32"; minigrad.float32 -> "float32"
    return str(x.dtype).rsplit(".", 1)[-1]


def inputs(shapes=None, vals=None, low=-2.0, high=2.0, dtype=np.float32, forward_only=False):
    """(torch tensors, minigrad tensors) holding the same data: uniform random in
    [low, high) of the given shapes (seeded), or ``vals`` (Python data: torch's
    inference gives their dtypes). Float inputs require grad unless forward_only; the
    minigrad ones are made from the torch ones' arrays, so only the op is compared."""
    if vals is None:
        rng = np.random.default_rng(0)
        ts = [torch.tensor(rng.uniform(low, high, size=s).astype(dtype)) for s in shapes]
    else:
        ts = [v.clone() if isinstance(v, torch.Tensor) else torch.tensor(v) for v in vals]
    ms = [minigrad.tensor(x.numpy().copy()) for x in ts]
    for x, m in zip(ts, ms):
        assert _dtype_name(x) == _dtype_name(m), "the harness must give both the same dtype"
        if x.is_floating_point() and not forward_only:
            x.requires_grad_(True)
            m.requires_grad_(True)
    return ts, ms


def _compare(what, mg, th, atol, rtol) -> None:
    __tracebackhide__ = True
    assert tuple(mg.shape) == tuple(th.shape), \
        f"{what}: shape mismatch: minigrad={tuple(mg.shape)} | torch={tuple(th.shape)}"
    assert _dtype_name(mg) == _dtype_name(th), \
        f"{what}: dtype mismatch: minigrad={_dtype_name(mg)} | torch={_dtype_name(th)}"
    a, b = mg.detach().numpy(), th.detach().numpy()
    if np.issubdtype(b.dtype, np.floating):
        np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, err_msg=what)
    else:
        np.testing.assert_equal(a, b, err_msg=what)


def check_op(shapes, fn, *, vals=None, low=-2.0, high=2.0, dtype=np.float32,
             atol=1e-6, rtol=1e-3, grad_atol=1e-4, grad_rtol=1e-3, forward_only=False):
    """Run ``fn`` on both frameworks and compare the forward results and the gradients
    (module docstring). ``fn`` returns one tensor."""
    __tracebackhide__ = True
    ts, ms = inputs(shapes, vals, low, high, dtype, forward_only)
    out_t = call(fn, torch, ts)
    out_m = call(fn, minigrad, ms)
    assert isinstance(out_m, minigrad.Tensor), f"minigrad returned {type(out_m).__name__}"
    _compare("forward", out_m, out_t, atol, rtol)
    assert out_m.requires_grad == out_t.requires_grad, \
        f"requires_grad: minigrad={out_m.requires_grad} | torch={out_t.requires_grad}"
    diff = [i for i, x in enumerate(ts) if x.requires_grad]
    if forward_only or not out_t.requires_grad or not diff:
        return
    w = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(
        out_t.detach().numpy().dtype)
    g_t = torch.autograd.grad(out_t, [ts[i] for i in diff], grad_outputs=torch.tensor(w),
                              allow_unused=True)
    g_m = minigrad.autograd.grad(out_m, [ms[i] for i in diff],
                                 grad_outputs=minigrad.tensor(w), allow_unused=True)
    for i, a, b in zip(diff, g_m, g_t):
        if b is None or a is None:
            assert a is None and b is None, \
                f"backward of input {i}: minigrad={a} | torch={b}"
            continue
        _compare(f"backward of input {i}", a, b, grad_atol, grad_rtol)


def check_raises(shapes, fn, expected, *, vals=None, low=-1.5, high=1.5):
    """``fn`` raises ``expected`` in torch (a check of the test) and in minigrad the very
    exception type torch raised (a subclass of it is fine)."""
    __tracebackhide__ = True
    ts, ms = inputs(shapes, vals, low, high, forward_only=True)
    with pytest.raises(expected) as torch_info:
        call(fn, torch, ts)
    with pytest.raises(Exception) as mg_info:
        call(fn, minigrad, ms)
    assert isinstance(mg_info.value, torch_info.type), (
        f"exception type: minigrad={type(mg_info.value).__name__}({mg_info.value}) | "
        f"torch={torch_info.type.__name__}({torch_info.value})")
