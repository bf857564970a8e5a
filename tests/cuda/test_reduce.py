"""CUDA reductions against ops/reduce/numpy.py: values, indices (first on ties) and
gradients (ties share for amax-style calls, the chosen index gets it with an int dim)."""
import importlib

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import array_shapes
from numba import config, cuda

import minigrad
from minigrad.ops import _cuda
from minigrad.ops._attrs import Attrs
from minigrad.ops.reduce import numpy as ref

from _guard import record_grids

VERSIONS = minigrad.implementations("sum", "cuda")
FLOATS = (np.float32, np.float64)


def _mod(name):
    return importlib.import_module(f"minigrad.ops.reduce.cuda.{name}")


def _close(got, want):
    want = np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape,
                                                                 got.dtype, want.dtype)
    if want.dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    elif want.dtype == np.float64:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    else:
        np.testing.assert_array_equal(got, want)


def _host(out):
    return tuple(o.copy_to_host() for o in out) if isinstance(out, tuple) else out.copy_to_host()


def _check(name, op, x, rng, **attrs):
    fwd, bwd = _mod(name).KERNELS[op]
    rfwd, rbwd = ref.KERNELS[op]
    geo = Attrs(**attrs)
    d = cuda.to_device(x)
    out, saved = fwd(geo, d)
    want, want_saved = rfwd(geo, x)
    got = _host(out)
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _close(g, w)
    else:
        _close(got, want)
    if bwd is None or not np.issubdtype(x.dtype, np.floating):
        return
    first = want[0] if isinstance(want, tuple) else want
    g = rng.standard_normal(np.shape(first)).astype(x.dtype)
    (gx,) = bwd(geo, cuda.to_device(g), saved, (True,))
    (ex,) = rbwd(geo, g, want_saved, (True,))
    _close(gx.copy_to_host(), ex)


@st.composite
def shape_and_dims(draw, max_dims=4):
    shape = draw(array_shapes(min_dims=0, max_dims=max_dims, min_side=1, max_side=3))
    dims = draw(st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True, max_size=len(shape)))
    dims = tuple(sorted(dims)) if dims else tuple(range(len(shape)))  # () means all dims
    return shape, dims


def _ties(rng, shape, dtype):
    return rng.integers(-2, 3, shape).astype(dtype)  # few distinct values: many ties


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", ("sum", "mean"))
@given(sd=shape_and_dims(), keepdim=st.booleans(), dtype=st.sampled_from(FLOATS),
       seed=st.integers(0, 2**16))
def test_sum_mean(name, op, sd, keepdim, dtype, seed):
    rng = np.random.default_rng(seed)
    shape, dims = sd
    _check(name, op, rng.uniform(-2, 2, shape).astype(dtype), rng, dim=dims, keepdim=keepdim)


@pytest.mark.parametrize("name", VERSIONS)
@given(sd=shape_and_dims(), keepdim=st.booleans(), seed=st.integers(0, 2**16))
def test_sum_int(name, sd, keepdim, seed):
    rng = np.random.default_rng(seed)
    shape, dims = sd
    _check(name, "sum", rng.integers(-5, 5, shape), rng, dim=dims, keepdim=keepdim)


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", ("max", "min"))
@given(sd=shape_and_dims(), keepdim=st.booleans(),
       dtype=st.sampled_from(FLOATS + (np.int64, np.bool_)), seed=st.integers(0, 2**16))
def test_extremum_values(name, op, sd, keepdim, dtype, seed):
    rng = np.random.default_rng(seed)
    shape, dims = sd
    _check(name, op, _ties(rng, shape, dtype), rng, dim=dims, keepdim=keepdim, indices=False)


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", ("max", "min"))
@given(shape=array_shapes(min_dims=0, max_dims=4, max_side=3), data=st.data(),
       keepdim=st.booleans(), dtype=st.sampled_from(FLOATS + (np.int64,)),
       seed=st.integers(0, 2**16))
def test_extremum_indices(name, op, shape, data, keepdim, dtype, seed):
    rng = np.random.default_rng(seed)
    dims = (data.draw(st.integers(0, len(shape) - 1)),) if shape else ()
    _check(name, op, _ties(rng, shape, dtype), rng, dim=dims, keepdim=keepdim, indices=True)


@pytest.mark.parametrize("name", VERSIONS)
@pytest.mark.parametrize("op", ("argmax", "argmin"))
@given(shape=array_shapes(min_dims=0, max_dims=4, max_side=3), data=st.data(),
       keepdim=st.booleans(), dtype=st.sampled_from(FLOATS + (np.int64, np.bool_)),
       seed=st.integers(0, 2**16))
def test_arg(name, op, shape, data, keepdim, dtype, seed):
    rng = np.random.default_rng(seed)
    # A 0-d input accepts dim 0 (the front end passes it on), as in PyTorch.
    dim = data.draw(st.one_of(st.none(), st.integers(0, max(len(shape) - 1, 0))))
    _check(name, op, _ties(rng, shape, dtype), rng, dim=dim, keepdim=keepdim)


# --- edge cases -----------------------------------------------------------------------

@pytest.mark.parametrize("name", VERSIONS)
def test_nan_wins_like_numpy(name):
    x = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 5.0, 5.0, 1.0]])
    rng = np.random.default_rng(0)
    _check(name, "max", x, rng, dim=(1,), keepdim=False, indices=True)
    _check(name, "argmin", x, rng, dim=1, keepdim=True)


@pytest.mark.parametrize("name", VERSIONS)
def test_long_and_empty_reductions(name):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (2, 300))  # threads stride over 300 elements
    _check(name, "sum", x.astype(np.float32), rng, dim=(1,), keepdim=False)
    _check(name, "max", np.round(x, 1), rng, dim=(1,), keepdim=True, indices=False)
    _check(name, "argmax", np.round(x, 1), rng, dim=None, keepdim=False)
    _check(name, "sum", np.ones((2, 40)), rng, dim=(0,), keepdim=True)  # 40 blocks
    _check(name, "sum", np.zeros((0, 3)), rng, dim=(0,), keepdim=False)  # empty sum: 0
    _check(name, "sum", np.zeros((3, 0)), rng, dim=(0,), keepdim=False)  # no outputs




@pytest.mark.parametrize("name", VERSIONS)
def test_grid_loops(name, monkeypatch):
    """The one-block-per-output grids capped at 2 blocks (on a GPU at 65535): each block
    loops over several outputs, values, indices and gradients unchanged (ties included:
    the shared max gradient refills its count between outputs)."""
    monkeypatch.setattr(_cuda, "MAX_BLOCKS", 2)
    grids = record_grids(monkeypatch)
    rng = np.random.default_rng(2)
    x = _ties(rng, (5, 3), np.float64)  # 5 outputs along dim 1, 3 along dim 0
    _check(name, "sum", x, rng, dim=(1,), keepdim=False)
    _check(name, "mean", x, rng, dim=(0,), keepdim=True)
    _check(name, "max", x, rng, dim=(1,), keepdim=False, indices=True)
    _check(name, "min", x, rng, dim=(1,), keepdim=True, indices=False)
    _check(name, "argmax", x, rng, dim=0, keepdim=False)
    assert grids or not config.ENABLE_CUDASIM
    # The backward's one-thread-per-element launches fit 2 blocks at this size too.
    assert all(g[0] <= 2 for g in grids), grids
