"""BatchNorm's running-statistics update on CUDA (the "fused" rung of
update_running_stats, ops/update_running_stats/cuda/fused.py) against the numpy rung,
bit for bit, and through BatchNorm2d."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import cuda

import minigrad
from minigrad import dispatch
from minigrad.ops import update_running_stats as decl


@settings()
@given(c=st.integers(0, 300), momentum=st.sampled_from([0.1, 0.0, 1.0]) | st.floats(0.0, 1.0),
       n=st.integers(2, 10_000), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2**32 - 1))
def test_the_cuda_update_gives_the_numpy_bits(c, momentum, n, dtype, seed):
    rng = np.random.default_rng(seed)
    rm, mean = (rng.standard_normal(c).astype(dtype) for _ in range(2))
    rv, var = (rng.uniform(0.0, 3.0, c).astype(dtype) for _ in range(2))
    g = decl.Geometry(momentum, n)
    want = rm.copy(), rv.copy()
    cpu = dispatch.lookup("update_running_stats", "cpu")[1]
    assert cpu.forward(g, *want, mean, var) == (None, None)
    impl, kernel = dispatch.lookup("update_running_stats", "cuda")
    assert impl == "fused" and kernel.backward is None
    d_rm, d_rv = cuda.to_device(rm), cuda.to_device(rv)
    assert kernel.forward(g, d_rm, d_rv, cuda.to_device(mean), cuda.to_device(var)) == (None, None)
    for name, got, expected in (("mean", d_rm, want[0]), ("var", d_rv, want[1])):
        got = got.copy_to_host()
        assert got.dtype == dtype, name
        np.testing.assert_array_equal(got, expected, err_msg=name)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_updates_its_buffers_in_place_with_the_cpu_bits(momentum):
    minigrad.manual_seed(2)
    cpu = minigrad.nn.BatchNorm2d(3, momentum=momentum, dtype=minigrad.float64)
    gpu = minigrad.nn.BatchNorm2d(3, momentum=momentum, dtype=minigrad.float64).to("cuda")
    arrays = {k: v._array for k, v in gpu.state_dict().items()}
    x = minigrad.randn(4, 3, 2, 2, dtype=minigrad.float64)
    for _ in range(2):
        cpu(x)
        gpu(x.to("cuda"))
    for key, value in gpu.state_dict().items():
        assert value._array is arrays[key], key  # the same device arrays, new values
        # The batch statistics come from different reductions: equal to rounding.
        np.testing.assert_allclose(value.cpu().numpy(), cpu.state_dict()[key].numpy(),
                                   rtol=1e-12, err_msg=key)
