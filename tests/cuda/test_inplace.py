"""In-place ops on cuda: the same values as on the CPU, written into the tensor's own
device array (no copy to the host), the tape taking the op's history; a write into a
cuda copy where PyTorch has a view (permute, expand, indexing) is refused, not lost."""
import numpy as np
import pytest

import minigrad

from _guard import count_device_reads


def _pair(values):
    cpu = minigrad.tensor(np.asarray(values, np.float32))
    return cpu, cpu.to("cuda")


@pytest.mark.parametrize("name,args", [
    ("add_", (2.0,)), ("sub_", (0.5,)), ("mul_", (3.0,)), ("div_", (4.0,)), ("pow_", (2,)),
    ("neg_", ()), ("exp_", ()), ("relu_", ()), ("tanh_", ()), ("clamp_", (-0.5, 0.5)),
    ("zero_", ()), ("fill_", (7.0,)),
])
def test_same_values_as_the_cpu_in_the_same_array(name, args):
    cpu, gpu = _pair([[-1.5, 0.25], [2.0, -0.75]])
    array = gpu._array
    with count_device_reads() as reads:
        assert getattr(gpu, name)(*args) is gpu
    assert reads.count == 0 and gpu._array is array
    getattr(cpu, name)(*args)
    np.testing.assert_allclose(gpu.cpu().numpy(), cpu.numpy(), rtol=1e-6)


def test_operators_views_and_the_manual_sgd_step():
    _, p = _pair([1.0, 2.0])
    p.requires_grad_()
    (p * p).sum().backward()
    q = p
    with minigrad.no_grad():
        p -= 0.25 * p.grad
    assert p is q and p.is_leaf
    np.testing.assert_allclose(p.detach().cpu().numpy(), [0.5, 1.0])
    with pytest.raises(RuntimeError, match="leaf Variable"):
        p += 1
    flat = minigrad.zeros(6, device="cuda")
    flat.view(2, 3).add_(1)  # reshape/view share storage on cuda too
    np.testing.assert_array_equal(flat.cpu().numpy(), np.ones(6))


@pytest.mark.parametrize("make", [lambda a: a[0], lambda a: a.transpose(0, 1),
                                  lambda a: a[:, 1:], lambda a: a[0:1].expand(4, 3)])
def test_a_write_into_a_cuda_copy_is_refused(make):
    a = minigrad.zeros(2, 3, device="cuda")
    with pytest.raises(RuntimeError, match="copies, not views"):
        make(a).add_(1)
    np.testing.assert_array_equal(a.cpu().numpy(), np.zeros((2, 3)))


def test_gradients_match_the_cpu():
    def f(a):
        y = a * 2
        y.mul_(a).add_(a, alpha=3).addcdiv_(a, a * a + 1, value=0.5)
        return y.sum()
    values = np.random.default_rng(0).uniform(-1, 1, (3, 4))
    grads = []
    for device in ("cpu", "cuda"):
        a = minigrad.tensor(values, dtype=minigrad.float64, device=device, requires_grad=True)
        f(a).backward()
        grads.append(a.grad.cpu().numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)
    a = minigrad.tensor(values, dtype=minigrad.float64, device="cuda", requires_grad=True)
    assert minigrad.gradcheck(f, (a,))


def test_an_optimizer_step_before_backward_is_caught_on_cuda():
    minigrad.manual_seed(0)
    model = minigrad.nn.Linear(3, 2).to("cuda")
    opt = minigrad.optim.Adam(model.parameters())
    loss = model(minigrad.randn(4, 3, device="cuda")).sum()
    for p in model.parameters():
        p.grad = minigrad.ones_like(p)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    flat = minigrad.zeros(6, device="cuda")
    view = flat.view(2, 3)
    view.add_(1)
    assert flat._version == view._version == 1  # reshape shares storage on cuda too


def test_clone_is_a_new_device_array():
    x = minigrad.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    c = x.clone()
    assert c._array is not x._array and c.device == "cuda"
    c.add_(1)
    np.testing.assert_array_equal(x.detach().cpu().numpy(), [1.0, 2.0])
    c.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [1.0, 1.0])
