"""Adadelta, RMSprop and Adagrad stepping cuda parameters: the same values as on the
CPU, the state kept on the device, and no reads of device memory from the host (the
updates are in-place tensor ops, each a registered op with a cuda kernel)."""
import numpy as np
import pytest

import minigrad
from minigrad import optim

from _guard import count_device_reads


@pytest.mark.parametrize("cls,kw", [
    (optim.Adadelta, {"lr": 0.5, "weight_decay": 0.1}),
    (optim.RMSprop, {"momentum": 0.9, "centered": True, "alpha": 0.9, "maximize": True}),
    (optim.Adagrad, {"lr_decay": 0.1, "initial_accumulator_value": 0.2}),
], ids=["Adadelta", "RMSprop", "Adagrad"])
def test_steps_on_cuda_as_on_the_cpu(cls, kw):
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((2, 3)).astype(np.float32)
    grads = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    cpu = minigrad.tensor(p0, requires_grad=True)
    gpu = minigrad.tensor(p0, device="cuda", requires_grad=True)
    array = gpu._array
    opt_cpu, opt_gpu = cls([cpu], **kw), cls([gpu], **kw)
    for g in grads:
        cpu.grad = minigrad.tensor(g)
        gpu.grad = minigrad.tensor(g, device="cuda")
        opt_cpu.step()
        with count_device_reads() as reads:
            opt_gpu.step()
        assert reads.count == 0, reads.reads
    assert gpu._array is array and gpu._version == 3
    np.testing.assert_allclose(gpu.detach().cpu().numpy(), cpu.detach().numpy(),
                               rtol=1e-6, atol=1e-7)
    state_cpu, state_gpu = opt_cpu.state[cpu], opt_gpu.state[gpu]
    assert set(state_gpu) == set(state_cpu)
    for name, value in state_gpu.items():
        # The step count stays on the host, as PyTorch's; the rest lives with p.
        assert value.device == ("cpu" if name == "step" else "cuda"), name
        np.testing.assert_allclose(value.cpu().numpy(), state_cpu[name].numpy(), rtol=1e-6,
                                   atol=1e-7, err_msg=name)
    # A state dict saved from the CPU optimizer loads onto the cuda parameter.
    opt_gpu.load_state_dict(opt_cpu.state_dict())
    assert all(v.device == ("cpu" if k == "step" else "cuda")
               for k, v in opt_gpu.state[gpu].items())
