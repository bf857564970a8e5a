"""matmul's CUDA versions against the NumPy kernel: forward values and both gradients,
every torch.matmul shape rule, batch broadcasting (summed in backward), edge tiles,
grids of several blocks in x, y and z, and the kernels' loops over capped grids.

Kernel modules are called directly with device arrays, as the front end calls them.
The simulator runs every GPU thread as a Python thread, so shapes stay small; the
"big" cases are just over one tile of each version (read from its TILE).
"""
from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numba import cuda

import minigrad
from minigrad.ops import matmul as decl
from minigrad.ops.matmul import numpy as ref
from minigrad.ops.matmul.cuda import _gemm
from minigrad.testing import matmul_shapes

VERSIONS = minigrad.implementations("matmul", "cuda")
DTYPES = st.sampled_from([np.float32, np.float64])
NEEDS = st.sampled_from([(True, True), (True, False), (False, True)])


def _module(version: str):
    return importlib.import_module(f"minigrad.ops.matmul.cuda.{version}")


def _close(got, want, dtype, terms: int) -> None:
    """``terms``: products summed into each element (float32 error grows with it)."""
    assert got.dtype == dtype and got.shape == want.shape
    scale = math.sqrt(max(1, terms))
    if dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * scale)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13 * scale)


def _check(version, a_shape, b_shape, dtype=np.float64, seed=0, needs=(True, True)):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(a_shape).astype(dtype)
    b = rng.standard_normal(b_shape).astype(dtype)
    geom = decl.declare(a_shape, b_shape)
    want, saved_ref = ref.forward(geom, a, b)
    g = rng.standard_normal(want.shape).astype(dtype)
    want_a, want_b = ref.backward(geom, g, saved_ref, needs)
    mod = _module(version)
    da, db = cuda.to_device(a), cuda.to_device(b)
    out, saved = mod.forward(geom, da, db)
    k = a_shape[-1]
    _close(out.copy_to_host(), want, dtype, k)
    got_a, got_b = mod.backward(geom, cuda.to_device(g), saved, needs)
    # Each row of a (each column of b) gets an equal share of grad_out's elements,
    # times the columns (rows) they meet: the broadcast batch entries are summed too.
    terms_a = g.size * k // max(1, a.size)
    terms_b = g.size * k // max(1, b.size)
    for got, exp, need, terms in ((got_a, want_a, needs[0], terms_a),
                                  (got_b, want_b, needs[1], terms_b)):
        if need:
            _close(got.copy_to_host(), exp, dtype, terms)
        else:
            assert got is None


def test_registered():
    assert set(VERSIONS) == {"naive", "tiled", "blocked"}
    assert minigrad.dispatch.registry.selected("matmul", "cuda") == "blocked"


@pytest.mark.parametrize("version", VERSIONS)
@given(shapes=matmul_shapes(max_dim=5, max_batch=2, max_batch_ndim=2), dtype=DTYPES, needs=NEEDS, seed=st.integers(0, 2**32 - 1))
def test_matches_numpy(version, shapes, dtype, needs, seed):
    _check(version, *shapes, dtype=dtype, seed=seed, needs=needs)


# Each rule whatever Hypothesis draws; the batch cases in float32 and float64.
RULES = [
    ((3,), (3,), np.float64),  # dot: a 0-d output, 1-element gradient of it
    ((3,), (2, 1, 3, 2), np.float32),  # vector @ batch: input's gradient sums 2 entries
    ((2, 2, 3), (3,), np.float64),  # batch @ vector: folded into one product
    ((2, 1, 2, 3), (3, 3, 2), np.float32),  # broadcast both ways: both gradients sum
    ((1, 1), (1, 1, 1), np.float64),  # size-1 everything
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("a_shape, b_shape, dtype", RULES)
def test_each_rule(version, a_shape, b_shape, dtype):
    _check(version, a_shape, b_shape, dtype)


@pytest.mark.parametrize("version", VERSIONS)
def test_several_blocks_each_grid_dim(version):
    # Just over one tile of C in rows (grid x) and columns (grid y), depth just over
    # one shared-memory step (16); backward's products then have rows, columns or
    # depth of bm + 1 or bn + 1, none a multiple of the tile. Several blocks in z: the
    # batch rules above (6 entries) and Hypothesis' batches.
    bm, bn = _module(version).TILE
    _check(version, (bm + 1, 17), (17, bn + 1), np.float32)


@pytest.mark.parametrize("version", VERSIONS)
def test_grid_loops(version, monkeypatch):
    # Grids in y and z capped to one block: each block loops over column tiles and
    # batch entries (on a GPU only past 65535 of either).
    monkeypatch.setattr(_gemm, "MAX_GRID_YZ", 1)
    bn = _module(version).TILE[1]
    _check(version, (2, 2, 3), (2, 3, bn + 1), np.float64, needs=(False, True))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("a_shape, b_shape", [((2, 0), (0, 3)), ((0, 3), (3, 2)),
                                              ((0,), (0,)), ((2, 0, 3), (1, 3, 2)),
                                              ((1, 2, 3), (0, 3, 2))])
def test_empty_dims(version, a_shape, b_shape):
    # k == 0 is an empty sum: zeros, as in NumPy; empty outputs launch nothing; a
    # gradient summed over an empty batch is zeros.
    _check(version, a_shape, b_shape, np.float64)


def test_plans_merge_batch_dims():
    # Batch dims merge where both operands step evenly over them: a broadcast along
    # both of b's batch dims is one summed dimension in its gradient.
    p = _gemm.plans(decl.declare((1, 1, 2, 3), (5, 4, 3, 2)))
    assert p.forward.kept == (20,) and p.forward.a_kept == (0,) and p.forward.reduced == 1
    assert p.grad_a.batches == 1 and p.grad_a.red == (20,) and p.grad_a.b_red == (6,)
    assert p.grad_b.kept == (20,) and p.grad_b.reduced == 1
    # ... and stay apart where one operand does not: a is broadcast along dim 1 only.
    p = _gemm.plans(decl.declare((5, 1, 2, 3), (5, 4, 3, 2)))
    assert p.forward.kept == (5, 4) and p.forward.a_kept == (6, 0)
    assert p.grad_a.kept == (5,) and p.grad_a.red == (4,)
    # A batch against one matrix is the declaration's fold: one tall product.
    p = _gemm.plans(decl.declare((4, 3, 2), (2, 5)))
    assert (p.forward.rows, p.forward.batches) == (12, 1)
    assert (p.grad_b.depth, p.grad_b.reduced) == (12, 1)
    assert decl.declare((4, 3, 2), (2, 5)).out_shape == p.out_shape
