"""Dropout's device mask (the "hash" rung of dropout_mask, ops/dropout_mask/cuda/hash.py):
its values, its kept fraction, and its dependence on the seed alone."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import dispatch
from minigrad.ops import dropout_mask as decl
from minigrad.ops.dropout_mask.cuda.hash import seeded_mask as dropout_mask

DTYPES = [np.float32, np.float64]
seeds = st.integers(0, 2**64 - 1)


def mask(shape, p, dtype, seed):
    d = dropout_mask(shape, p, dtype, seed)
    out = d.copy_to_host()
    assert out.dtype == dtype and out.shape == tuple(shape)
    return out


def scale_of(p, dtype):
    # What the CPU dropout multiplies kept elements by: 1 / (1 - p) in the input's dtype.
    return dtype(1) / dtype(1.0 - p)


@settings()
@given(shape=st.sampled_from([(), (1,), (0,), (5,), (2, 3), (1, 4, 1, 3)]),
       p=st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0.0, 1.0),
       dtype=st.sampled_from(DTYPES), seed=seeds)
def test_values_are_zero_or_the_scale(shape, p, dtype, seed):
    out = mask(shape, p, dtype, seed)
    if p == 1:
        assert np.all(out == 0)
    else:
        assert np.all((out == 0) | (out == scale_of(p, dtype)))


def test_kept_fraction_is_close_to_one_minus_p():
    n, p = 10_000, 0.3  # one p: a launch of 10^4 threads takes seconds in the simulator
    out = mask((100, 100), p, np.float32, 12345)
    kept = np.count_nonzero(out) / n
    # The binomial standard deviation is at most 0.005 here: allow 5 of them.
    assert abs(kept - (1 - p)) < 0.025
    assert np.all(out[out != 0] == scale_of(p, np.float32))


def test_neighbouring_seeds_give_unrelated_masks():
    # Seeds 0 and 1 agree on about half the elements at p = 0.5, as independent masks do
    # (a counter hash whose seed only shifted the index would give a shifted copy).
    a = mask((2048,), 0.5, np.float32, 0) != 0
    b = mask((2048,), 0.5, np.float32, 1) != 0
    # The agreement's standard deviation is 0.011: allow about 4.5 of them.
    assert abs(np.mean(a == b) - 0.5) < 0.05
    # Neither is a shifted copy of the other for small shifts.
    for shift in range(1, 4):
        assert abs(np.mean(a[shift:] == b[:-shift]) - 0.5) < 0.05


@settings()
@given(seed=seeds, p=st.floats(0.05, 0.95), dtype=st.sampled_from(DTYPES))
def test_same_seed_same_mask_other_seed_other_mask(seed, p, dtype):
    shape = (3, 100)  # more than one 256-thread block, not a multiple of it
    first = mask(shape, p, dtype, seed)
    np.testing.assert_array_equal(mask(shape, p, dtype, seed), first)
    assert not np.array_equal(mask(shape, p, dtype, seed + 1), first)
    # Seeds equal modulo 2**32 differ too: the seed's high word is used.
    assert not np.array_equal(mask(shape, p, dtype, seed ^ (1 << 40)), first)


@pytest.mark.parametrize("dtype", DTYPES)
def test_p0_keeps_everything_and_p1_drops_everything(dtype):
    np.testing.assert_array_equal(mask((2, 300), 0.0, dtype, 7), np.ones((2, 300), dtype))
    np.testing.assert_array_equal(mask((2, 300), 1.0, dtype, 7), np.zeros((2, 300), dtype))


def test_the_registry_runs_it_with_a_seed_from_the_generator():
    # forward(g) draws one seed from g.generator: the mask of that seed.
    impl, kernel = dispatch.lookup("dropout_mask", "cuda")
    assert impl == "hash" and kernel.backward is None
    g = decl.declare((3, 100), 0.25, np.float32, np.random.default_rng(11))
    got, saved = kernel.forward(g)
    assert saved is None
    seed = int(np.random.default_rng(11).integers(0, 2**31 - 1))
    np.testing.assert_array_equal(got.copy_to_host(), mask((3, 100), 0.25, np.float32, seed))


def test_dropout_on_cuda_uses_the_mask_op_and_manual_seed_fixes_it():
    x = minigrad.ones(2, 300, device="cuda")
    minigrad.manual_seed(5)
    with minigrad.profiler.profile() as prof:
        a = minigrad.nn.functional.dropout(x, 0.5)
    assert ("dropout_mask", "hash", "cuda") in {(e.name, e.impl, e.device) for e in prof.events()}
    minigrad.manual_seed(5)
    b = minigrad.nn.functional.dropout(x, 0.5)
    np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    assert set(np.unique(a.cpu().numpy())) <= {0.0, 2.0}
