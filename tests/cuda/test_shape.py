"""CUDA shape kernels against ops/shape/numpy.py: reshape, permute, expand, cat and
indexing (basic and advanced), forward values and backward gradients."""
import importlib

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import array_shapes, basic_indices
from numba import cuda

import minigrad
from minigrad.ops._attrs import Attrs
from minigrad.ops.shape import numpy as ref

VERSIONS = minigrad.implementations("reshape", "cuda")
DTYPES = (np.float32, np.float64, np.int64, np.bool_)


def _mod(name):
    return importlib.import_module(f"minigrad.ops.shape.cuda.{name}")


def _close(got, want):
    want = np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape,
                                                                 got.dtype, want.dtype)
    if want.dtype == np.float32:  # exact for moves; expand's backward sums
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    elif want.dtype == np.float64:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_array_equal(got, want)


def _data(rng, shape, dtype):
    return (rng.standard_normal(shape) * 3).astype(dtype)


def _check(name, op, inputs, rng, needs=None, **attrs):
    fwd, bwd = _mod(name).KERNELS[op]
    rfwd, rbwd = ref.KERNELS[op]
    geo = Attrs(**attrs)
    dev = tuple(cuda.to_device(x) for x in inputs)
    out, saved = fwd(geo, *dev)
    want, want_saved = rfwd(geo, *inputs)
    got = out.copy_to_host()
    _close(got, want)
    if op != "reshape":  # reshape is a view; every other output is a fresh array
        assert got.flags.c_contiguous
    if not np.issubdtype(inputs[0].dtype, np.floating):
        return
    needs = needs or (True,) * len(inputs)
    g = rng.standard_normal(np.shape(want)).astype(inputs[0].dtype)
    grads = bwd(geo, cuda.to_device(g), saved, needs)
    exp = rbwd(geo, g, want_saved, needs)
    assert len(grads) == len(inputs)
    for gg, ee, need in zip(grads, exp, needs):
        if need:
            _close(gg.copy_to_host(), ee)
        else:
            assert gg is None


shapes = array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3)


@pytest.mark.parametrize("name", VERSIONS)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), data=st.data(), seed=st.integers(0, 2**16))
def test_reshape(name, shape, dtype, data, seed):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    target = data.draw(st.sampled_from([(n,), (1, n), (n, 1, 1)] + ([()] if n == 1 else [])))
    _check(name, "reshape", (_data(rng, shape, dtype),), rng, shape=target)


@pytest.mark.parametrize("name", VERSIONS)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), data=st.data(), seed=st.integers(0, 2**16))
def test_permute(name, shape, dtype, data, seed):
    rng = np.random.default_rng(seed)
    dims = tuple(data.draw(st.permutations(range(len(shape)))))
    _check(name, "permute", (_data(rng, shape, dtype),), rng, dims=dims)


@pytest.mark.parametrize("name", VERSIONS)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**16))
def test_expand(name, data, dtype, seed):
    rng = np.random.default_rng(seed)
    target = data.draw(array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    # A shape that broadcasts to target: a suffix of its dims, each kept or made 1.
    lead = data.draw(st.integers(0, len(target)))
    shape = tuple(data.draw(st.sampled_from([n, 1])) for n in target[lead:])
    _check(name, "expand", (_data(rng, shape, dtype),), rng, shape=target)


@pytest.mark.parametrize("name", VERSIONS)
@given(shape=array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=3), data=st.data(),
       dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**16))
def test_cat(name, shape, data, dtype, seed):
    rng = np.random.default_rng(seed)
    dim = data.draw(st.integers(0, len(shape) - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    xs = tuple(_data(rng, shape[:dim] + (k,) + shape[dim + 1:], dtype) for k in sizes)
    needs = tuple(data.draw(st.booleans()) for _ in xs)
    _check(name, "cat", xs, rng, needs=needs, dim=dim)


@pytest.mark.parametrize("name", VERSIONS)
@given(shape=shapes, data=st.data(), dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**16))
def test_index_basic(name, shape, data, dtype, seed):
    rng = np.random.default_rng(seed)
    key = data.draw(basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    _check(name, "index", (_data(rng, shape, dtype),), rng, key=key)


@pytest.mark.parametrize("name", VERSIONS)
@given(shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), data=st.data(),
       dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**16))
def test_index_advanced(name, shape, data, dtype, seed):
    rng = np.random.default_rng(seed)
    x = _data(rng, shape, dtype)
    kinds = ["ints", "bool", "mask"] + (["mixed"] if len(shape) > 1 else [])
    kind = data.draw(st.sampled_from(kinds))
    if kind == "ints":  # repeated indices: the backward must add them up
        key = np.asarray(data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), max_size=5)),
                         dtype=np.int64)
    elif kind == "bool":
        key = rng.random(shape[0]) > 0.5
    elif kind == "mask":
        key = rng.random(shape) > 0.5
    else:  # arrays in two dims broadcast together, a slice between them
        k0 = rng.integers(0, shape[0], (2, 1))
        key = (k0, slice(None), rng.integers(0, shape[-1], (3,))) if len(shape) == 3 \
            else (k0, rng.integers(0, shape[-1], (3,)))
    _check(name, "index", (x,), rng, key=key)


# --- edge cases -----------------------------------------------------------------------

@pytest.mark.parametrize("name", VERSIONS)
def test_large_and_zero_dim(name):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 200))  # 600 outputs: several blocks of 256 threads
    _check(name, "permute", (x,), rng, dims=(1, 0))
    _check(name, "expand", (x[:1, :20],), rng, shape=(2, 3, 20))
    _check(name, "cat", (x, x[:1]), rng, dim=0)
    _check(name, "index", (x,), rng, key=(slice(None, None, -1), slice(3, None, 7)))
    _check(name, "index", (x,), rng, key=np.array([2, 0, 2, 2]))
    s = np.array(1.5)
    _check(name, "permute", (s,), rng, dims=())
    _check(name, "expand", (s,), rng, shape=(2, 2))
    _check(name, "index", (s,), rng, key=None)
    _check(name, "index", (s,), rng, key=())
    _check(name, "index", (s,), rng, key=(Ellipsis, None))


@given(shape=array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3), data=st.data())
def test_coalesce_keeps_the_walk(shape, data):
    """ops._cuda.coalesce merges dims without changing which element each index reads."""
    from minigrad.ops import _cuda

    def walk(shape, strides):
        return [sum(i * s for i, s in zip(idx, strides)) for idx in np.ndindex(*shape)] \
            if shape else [0]

    target = data.draw(st.sampled_from([shape, (2,) + shape]))
    strides = [_cuda.broadcast_strides(shape, target),
               _cuda.strides_of(target),
               tuple(data.draw(st.integers(0, 5)) for _ in target)]
    merged = _cuda.coalesce(target, *strides)
    assert len(merged[0]) >= 1
    for s, m in zip(strides, merged[1:]):
        assert walk(target, s) == walk(merged[0], m)
