"""linear's CUDA versions against the CPU's NumPy kernel: forward values (the bias added
in the GEMM's epilogue) and the three gradients, both dtypes, with and without a bias,
leading dims, empty batches and dimensions, edge tiles; one launch in forward and one
per gradient in backward, no transposed copy and no host read; the public API on cuda.

The kernels (versions.py) are called directly with device arrays, as the front end calls them.
The simulator runs every GPU thread as a Python thread, so shapes stay tiny.
"""
from __future__ import annotations

import importlib
import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numba import config, cuda

import minigrad
import minigrad.nn.functional as F
from minigrad.ops import linear as decl
from minigrad.ops.linear import numpy as ref

from _guard import count_device_reads, record_grids

VERSIONS = minigrad.implementations("linear", "cuda")
DTYPES = [np.float32, np.float64]
NEEDS = st.sampled_from([(True, True, True), (True, False, True), (False, True, False)])


def _module(version: str):
    """The version's forward, backward and TILE (one file, versions.py, holds all three)."""
    versions = importlib.import_module("minigrad.ops.linear.cuda.versions")
    forward, backward = versions.VERSIONS[version]
    return SimpleNamespace(forward=forward, backward=backward, TILE=versions.TILE[version])


def _close(got, want, dtype, terms: int) -> None:
    """``terms``: products summed into each element (float32 error grows with it)."""
    assert got.dtype == dtype and got.shape == want.shape
    scale = math.sqrt(max(1, terms))
    if dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * scale)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13 * scale)


def _check(version, x_shape, out_features, has_bias, dtype=np.float64, seed=0,
           needs=(True, True, True)):
    rng = np.random.default_rng(seed)
    in_features = x_shape[-1]
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal((out_features, in_features)).astype(dtype)
    b = rng.standard_normal(out_features).astype(dtype) if has_bias else None
    geom = decl.declare(x.shape, w.shape, None if b is None else b.shape)
    want, saved_ref = ref.forward(geom, x, w, b)
    g = rng.standard_normal(want.shape).astype(dtype)
    wants = ref.backward(geom, g, saved_ref, needs)
    mod = _module(version)
    dx, dw = cuda.to_device(x), cuda.to_device(w)
    db = None if b is None else cuda.to_device(b)
    out, saved = mod.forward(geom, dx, dw, db)
    _close(out.copy_to_host(), want, dtype, in_features)
    gots = mod.backward(geom, cuda.to_device(g), saved, needs)
    rows = math.prod(x_shape[:-1])
    for got, exp, need, terms in zip(gots, wants, needs, (out_features, rows, rows)):
        if need and exp is not None:
            _close(got.copy_to_host(), exp, dtype, terms)
        else:
            assert got is None


def test_registered():
    assert VERSIONS == ["naive", "tiled", "blocked"]
    assert minigrad.dispatch.registry.selected("linear", "cuda") == "blocked"


@st.composite
def _shapes(draw):
    """(x_shape, out_features, has_bias): 0 to 2 leading dims, tiny sizes."""
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return lead + (draw(st.integers(1, 5)),), draw(st.integers(1, 5)), draw(st.booleans())


@pytest.mark.parametrize("version", VERSIONS)
@given(case=_shapes(), dtype=st.sampled_from(DTYPES), needs=NEEDS,
       seed=st.integers(0, 2**32 - 1))
def test_matches_numpy(version, case, dtype, needs, seed):
    _check(version, *case, dtype=dtype, seed=seed, needs=needs)


# Whatever Hypothesis draws: both dtypes, with and without a bias, leading dims.
CASES = [
    ((3,), 2, True, np.float32),  # 1-D input: one row
    ((2, 3), 4, False, np.float64),
    ((2, 2, 3), 2, True, np.float64),  # leading dims fold into 4 rows
    ((3, 1, 2), 3, False, np.float32),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("x_shape, out_features, has_bias, dtype", CASES)
def test_each_case(version, x_shape, out_features, has_bias, dtype):
    _check(version, x_shape, out_features, has_bias, dtype)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("x_shape, out_features", [
    ((0, 3), 2),  # empty batch: dw and db are zeros (launched with depth 0 / no rows)
    ((2, 0, 3), 2),  # an empty leading dim
    ((2, 0), 3),  # no input features: out = bias, dx and dw empty
    ((2, 3), 0),  # no output features: dx = zeros
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_dims(version, x_shape, out_features, dtype):
    _check(version, x_shape, out_features, True, dtype)


@pytest.mark.parametrize("version", VERSIONS)
def test_several_blocks_each_grid_dim(version):
    # Just over one tile of out in rows and columns, depth just over one shared-memory
    # step (16): edge tiles store only their part, each with its bias; backward's
    # products have bm + 1 or bn + 1 in some dimension.
    bm, bn = _module(version).TILE
    _check(version, (bm + 1, 17), bn + 1, True, np.float32)


@pytest.mark.parametrize("version", VERSIONS)
def test_launches_and_no_host_reads(version, monkeypatch):
    mod = _module(version)
    rng = np.random.default_rng(1)
    x = cuda.to_device(rng.standard_normal((2, 2, 3)))
    w = cuda.to_device(rng.standard_normal((4, 3)))
    b = cuda.to_device(rng.standard_normal(4))
    g = cuda.to_device(rng.standard_normal((2, 2, 4)))
    geom = decl.declare(x.shape, w.shape, b.shape)
    grids = record_grids(monkeypatch)  # recorded under the simulator only
    with count_device_reads() as counter:
        out, saved = mod.forward(geom, x, w, b)
        after_forward = len(grids)
        mod.backward(geom, g, saved, (True, True, True))
        after_backward = len(grids)
        assert mod.backward(geom, g, saved, (False, False, False)) == (None, None, None)
    assert counter.reads == []
    if config.ENABLE_CUDASIM:
        assert after_forward == 1  # the GEMM, bias included: no transpose, no add
        assert after_backward == 4 == len(grids)  # dX, dw, db; nothing when none is asked


@pytest.mark.parametrize("version", VERSIONS)
def test_public_api_on_cuda(version):
    # F.linear on cuda tensors records one op whose gradients match the CPU's.
    rng = np.random.default_rng(2)
    x, w, b = (rng.standard_normal(s) for s in ((2, 1, 3), (2, 3), (2,)))
    g = rng.standard_normal((2, 1, 2))
    results = []
    for device, impl in (("cpu", "numpy"), ("cuda", version)):
        ts = [minigrad.tensor(a, requires_grad=True, device=device) for a in (x, w, b)]
        with minigrad.use(linear=impl):
            out = F.linear(*ts)
        assert out.grad_fn.op == "linear" and out.grad_fn.impl == impl
        out.backward(minigrad.tensor(g, device=device))
        results.append([out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in ts])
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
