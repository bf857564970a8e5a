"""pad's CUDA kernel ("direct") against the CPU's NumPy one, forward and backward, on
drawn arguments of every mode; the float64 gradient check through the public API on
tiny inputs; no host reads of device memory."""
from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import cuda

import minigrad
from minigrad.nn.functional.pad import pad
from minigrad.ops import pad as pad_decl
from minigrad.ops.pad import numpy as numpy_ref
from minigrad.ops.pad.cases import pad_args
from minigrad.ops.pad.cuda import direct

from _guard import count_device_reads


@settings(max_examples=15)
@given(case=pad_args(), seed=st.integers(0, 2**16), dtype=st.sampled_from([np.float32, np.float64]))
def test_direct_matches_numpy(case, seed, dtype):
    shape, kwargs = case
    g = pad_decl.declare(shape, **kwargs)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    grad = rng.standard_normal(g.out_shape).astype(dtype)
    out, _ = direct.forward(g, cuda.to_device(x))
    np.testing.assert_array_equal(out.copy_to_host(), numpy_ref.forward(g, x)[0])
    (gx,) = direct.backward(g, cuda.to_device(grad), None, (True,))
    # Atomic adds in any order: float32 sums may differ in the last bits.
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(gx.copy_to_host(), numpy_ref.backward(g, grad, None, (True,))[0],
                               rtol=tol, atol=tol)


@pytest.mark.parametrize("mode,amounts", [("constant", (1, -1, 0, 2)), ("reflect", (1, 1, 1, 0)),
                                          ("replicate", (2, 0, 0, 1)), ("circular", (1, 2, -1, 1))])
def test_gradcheck_cuda(mode, amounts):
    x = minigrad.tensor(np.random.default_rng(0).standard_normal((1, 1, 3, 3)),
                        dtype=minigrad.float64, requires_grad=True, device="cuda")
    assert minigrad.gradcheck(lambda t: pad(t, amounts, mode=mode), [x])


def test_int_and_empty_inputs():
    ints = pad(minigrad.arange(4, device="cuda"), (1, 1), value=2.7)
    assert ints.cpu().numpy().tolist() == [2, 0, 1, 2, 3, 2]
    empty = pad(minigrad.zeros(2, 0, device="cuda"), (1, 1), value=3.0)
    assert empty.cpu().numpy().tolist() == [[3, 3], [3, 3]]
    scalar = pad(minigrad.tensor(1.5, device="cuda"), ())
    assert scalar.shape == () and scalar.item() == 1.5


def test_no_host_reads_and_no_grad_when_not_needed():
    g = pad_decl.declare((2, 2, 4, 5), (2, 1, 1, 2), "reflect")
    x = cuda.to_device(np.random.default_rng(0).standard_normal(g.in_shape).astype(np.float32))
    with count_device_reads() as counter:
        out, saved = direct.forward(g, x)
        grad_out = cuda.to_device(np.ones(g.out_shape, np.float32))
        (gx,) = direct.backward(g, grad_out, saved, (True,))
        assert direct.backward(g, grad_out, saved, (False,)) == (None,)
    assert counter.reads == []
    assert out.is_c_contiguous() and gx.is_c_contiguous()
