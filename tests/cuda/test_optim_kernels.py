"""The fused CUDA optimizer updates (the "fused" rung of sgd_step and adam_step,
ops/optim/cuda/fused.py, called by the kernel contract) against the CPU optimizers,
minigrad.optim.SGD / Adam / AdamW stepping CPU tensors.

The kernels do NumPy's operations in NumPy's order and dtype, with no fused multiply-add,
so the comparison is bit for bit (assert_array_equal), over several steps, in float32
and float64.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import cuda

import minigrad
from minigrad import dispatch, optim
from minigrad.ops.optim import AdamStep, SGDStep
from minigrad.ops.optim.cuda import fused


def sgd_update(params, grads, momentum_buffers, *, lr, momentum, dampening, nesterov,
               weight_decay, first_step):
    """The buffers after one sgd_step of the cuda rung (first_step: no buffers yet)."""
    kernel = dispatch.lookup("sgd_step", "cuda")[1]
    bufs = (None,) * len(params) if first_step or momentum_buffers is None \
        else tuple(momentum_buffers)
    g = SGDStep(lr, momentum, dampening, weight_decay, nesterov)
    return list(kernel.forward(g, tuple(params), tuple(grads), bufs)[0])


def adam_update(params, grads, exp_avgs, exp_avg_sqs, *, step, lr, beta1, beta2, eps,
                weight_decay, decoupled_weight_decay=False):
    """One adam_step of the cuda rung, all parameters at step number ``step``."""
    kernel = dispatch.lookup("adam_step", "cuda")[1]
    g = AdamStep(lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
                 (float(step),) * len(params))
    assert kernel.forward(g, tuple(params), tuple(grads), tuple(exp_avgs),
                          tuple(exp_avg_sqs)) == (None, None)

DTYPES = {"float32": (np.float32, minigrad.float32), "float64": (np.float64, minigrad.float64)}
# Small shapes (the simulator runs a Python thread per GPU thread), 0-d and size-1 ones,
# sizes not a multiple of the 256-thread block; the 2-block case is tested on its own.
shapes = st.sampled_from([(), (1,), (7,), (3, 5), (2, 1, 9), (0,)])
positive = st.floats(1e-4, 0.5)


def _data(shape, steps, dtype, seed):
    """The initial parameter and one gradient per step, reproducibly from ``seed``."""
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(steps)]
    return p0, grads


def _cpu_param(p0, mg_dtype):
    return minigrad.tensor(p0, dtype=mg_dtype, requires_grad=True)


def _set_grad(p, g):
    p.grad = minigrad.tensor(g)


def _run_sgd(p0, grads, mg_dtype, **opts):
    """(CPU param, CPU buffer or None, GPU param, GPU buffer or None) after all steps."""
    p = _cpu_param(p0, mg_dtype)
    opt = optim.SGD([p], **opts)
    d_p, d_buf = cuda.to_device(p0.copy()), None
    for k, g in enumerate(grads):
        _set_grad(p, g)
        opt.step()
        d_buf = sgd_update([d_p], [cuda.to_device(g)], [d_buf], lr=opts["lr"],
                           momentum=opts["momentum"], dampening=opts["dampening"],
                           nesterov=opts["nesterov"], weight_decay=opts["weight_decay"],
                           first_step=k == 0)[0]
    buf = opt.state[p].get("momentum_buffer")
    return (p._array, None if buf is None else buf._array, d_p.copy_to_host(),
            None if d_buf is None else d_buf.copy_to_host())


def _check_sgd(p0, grads, dtype, mg_dtype, **opts):
    p, buf, d_p, d_buf = _run_sgd(p0, grads, mg_dtype, **opts)
    assert d_p.dtype == dtype and d_p.shape == p0.shape
    np.testing.assert_array_equal(d_p, p)
    if opts["momentum"] == 0:
        assert d_buf is None
    else:
        assert d_buf.dtype == dtype and d_buf.shape == p0.shape
        np.testing.assert_array_equal(d_buf, buf)


@st.composite
def sgd_options(draw):
    momentum = draw(st.sampled_from([0.0, 0.9]) | positive)
    dampening = draw(st.sampled_from([0.0, 0.0, 0.25]))
    nesterov = momentum > 0 and dampening == 0 and draw(st.booleans())
    return {"lr": draw(positive), "momentum": momentum, "dampening": dampening,
            "nesterov": nesterov, "weight_decay": draw(st.sampled_from([0.0, 1e-2]) | positive)}


@settings()
@given(dtype=st.sampled_from(sorted(DTYPES)), shape=shapes, steps=st.integers(1, 3),
       opts=sgd_options(), seed=st.integers(0, 2**32 - 1))
def test_sgd_matches_cpu(dtype, shape, steps, opts, seed):
    np_dtype, mg_dtype = DTYPES[dtype]
    p0, grads = _data(shape, steps, np_dtype, seed)
    _check_sgd(p0, grads, np_dtype, mg_dtype, **opts)


# Two blocks of 256 threads (300 elements), two steps; each option set in one dtype to keep
# the simulator's time down (the Hypothesis tests above draw both dtypes).
@pytest.mark.parametrize("dtype,opts", [
    ("float32", {"momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}),
    ("float64", {"momentum": 0.9, "dampening": 0.5, "nesterov": False, "weight_decay": 1e-3}),
    ("float32", {"momentum": 0.8, "dampening": 0.0, "nesterov": True, "weight_decay": 0.1}),
], ids=["plain", "damped", "nesterov"])
def test_sgd_more_than_one_block(dtype, opts):
    np_dtype, mg_dtype = DTYPES[dtype]
    p0, grads = _data((3, 100), 2, np_dtype, 0)
    _check_sgd(p0, grads, np_dtype, mg_dtype, lr=0.1, **opts)


def test_sgd_momentum_buffer_is_updated_in_place():
    p0, grads = _data((5,), 2, np.float32, 1)
    d_p = cuda.to_device(p0)
    kw = dict(lr=0.1, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0)
    buf = sgd_update([d_p], [cuda.to_device(grads[0])], None, first_step=True, **kw)[0]
    again = sgd_update([d_p], [cuda.to_device(grads[1])], [buf], first_step=False, **kw)[0]
    assert again is buf


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_one_launch_updates_many_parameters_as_the_cpu_does(kind, monkeypatch):
    # Parameters of different sizes (one empty, one over two blocks) in one launch, and
    # in chunks when there are more than MAX_TENSORS of them: each as the CPU optimizer.
    monkeypatch.setattr(fused, "MAX_TENSORS", 2)
    rng = np.random.default_rng(4)
    shapes_ = [(3,), (0,), (2, 150), (4, 1), ()]
    p0 = [rng.standard_normal(s).astype(np.float32) for s in shapes_]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes_] for _ in range(2)]
    cpu = [minigrad.tensor(np.atleast_1d(a), requires_grad=True) for a in p0]
    gpu = [minigrad.tensor(a, device="cuda", requires_grad=True) for a in p0]
    make = (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01)) if kind == "sgd" \
        else (lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.01))
    opt_cpu, opt_gpu = make(cpu), make(gpu)
    for g in grads:
        for p, q, a in zip(cpu, gpu, g):
            p.grad = minigrad.tensor(np.atleast_1d(a))
            q.grad = minigrad.tensor(a, device="cuda")
        opt_cpu.step()
        opt_gpu.step()
    for p, q, s in zip(cpu, gpu, shapes_):
        np.testing.assert_array_equal(q.cpu().detach().numpy(), p.detach().numpy().reshape(s))


def _run_adam(p0, grads, mg_dtype, decoupled, **opts):
    p = _cpu_param(p0, mg_dtype)
    cls = optim.AdamW if decoupled else optim.Adam
    opt = cls([p], lr=opts["lr"], betas=(opts["beta1"], opts["beta2"]), eps=opts["eps"],
              weight_decay=opts["weight_decay"])
    d_p = cuda.to_device(p0.copy())
    d_m = cuda.to_device(np.zeros_like(p0))
    d_v = cuda.to_device(np.zeros_like(p0))
    for t, g in enumerate(grads, 1):
        _set_grad(p, g)
        opt.step()
        adam_update([d_p], [cuda.to_device(g)], [d_m], [d_v], step=t,
                    decoupled_weight_decay=decoupled, **opts)
    state = opt.state[p]
    return (tuple(a.reshape(p0.shape) for a in
                  (p._array, state["exp_avg"]._array, state["exp_avg_sq"]._array)),
            (d_p.copy_to_host(), d_m.copy_to_host(), d_v.copy_to_host()))


def _check_adam(p0, grads, dtype, mg_dtype, decoupled, **opts):
    cpu, gpu = _run_adam(p0, grads, mg_dtype, decoupled, **opts)
    for name, want, got in zip(("param", "exp_avg", "exp_avg_sq"), cpu, gpu):
        assert got.dtype == dtype and got.shape == p0.shape, name
        np.testing.assert_array_equal(got, want, err_msg=name)


@st.composite
def adam_options(draw):
    # beta1 on both sides of 0.5: the lerp takes a different branch for each.
    return {"lr": draw(st.sampled_from([1e-3]) | positive),
            "beta1": draw(st.sampled_from([0.9, 0.3, 0.0]) | st.floats(0.0, 0.99)),
            "beta2": draw(st.sampled_from([0.999, 0.5]) | st.floats(0.0, 0.9999)),
            "eps": draw(st.sampled_from([1e-8, 1e-3])),
            "weight_decay": draw(st.sampled_from([0.0, 1e-2]) | positive)}


@settings()
@given(dtype=st.sampled_from(sorted(DTYPES)), shape=shapes, steps=st.integers(1, 3),
       opts=adam_options(), decoupled=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_adam_matches_cpu(dtype, shape, steps, opts, decoupled, seed):
    np_dtype, mg_dtype = DTYPES[dtype]
    p0, grads = _data(shape, steps, np_dtype, seed)
    _check_adam(p0, grads, np_dtype, mg_dtype, decoupled, **opts)


@pytest.mark.parametrize("dtype,decoupled,beta1,weight_decay", [
    ("float32", False, 0.9, 0.0), ("float64", False, 0.2, 1e-2), ("float32", True, 0.9, 1e-2)],
    ids=["adam", "l2", "adamw"])
def test_adam_more_than_one_block(dtype, decoupled, beta1, weight_decay):
    np_dtype, mg_dtype = DTYPES[dtype]
    p0, grads = _data((300,), 2, np_dtype, 2)  # two blocks of 256 threads, two steps
    _check_adam(p0, grads, np_dtype, mg_dtype, decoupled, lr=1e-2, beta1=beta1,
                beta2=0.999, eps=1e-8, weight_decay=weight_decay)


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_the_optimizers_step_a_cuda_group_by_one_registry_op(kind):
    ps = [minigrad.tensor(np.ones(s, np.float32), device="cuda", requires_grad=True)
          for s in [(3,), (2, 2)]]
    opt = optim.SGD(ps, lr=0.1, momentum=0.9) if kind == "sgd" else optim.Adam(ps)
    for p in ps:
        p.grad = minigrad.ones(*p.shape, device="cuda")
    with minigrad.profiler.profile() as prof:
        opt.step()
    op = "sgd_step" if kind == "sgd" else "adam_step"
    events = [(e.name, e.impl, e.device) for e in prof.events()]
    assert [e for e in events if e[0] == op] == [(op, "fused", "cuda")]
    # Adam's first step also makes its state, zero arrays: fills, through the registry too.
    others = {e for e in events if e[0] != op}
    assert others == ({("full", "fill", "cuda")} if kind == "adam" else set()), events


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_a_group_on_two_devices_is_a_clear_error(kind):
    cpu = minigrad.tensor([1.0, 2.0], requires_grad=True)
    gpu = minigrad.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    opt = optim.SGD([cpu, gpu], lr=0.1) if kind == "sgd" else optim.Adam([cpu, gpu])
    cpu.grad = minigrad.ones(2)
    gpu.grad = minigrad.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        opt.step()
    # A gradient on another device than its parameter, likewise.
    opt = optim.SGD([gpu], lr=0.1)
    gpu.grad = minigrad.ones(2)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        opt.step()
    assert gpu.detach().cpu().tolist() == [1.0, 2.0]
