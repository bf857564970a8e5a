"""linspace, logspace, eye, meshgrid, normal and the small top-level helpers (numel,
is_tensor, is_floating_point), against their formulas and, where importable, PyTorch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad

# ---- linspace / logspace ---------------------------------------------------------------

RANGES = [(-np.pi, np.pi, 2000), (0, 1, 5), (1, 0, 4), (0, 10, 1), (0, 1, 0), (-3.5, 7.25, 8),
          (0, 1, 2), (2, 2, 3), (-1e3, 1e3, 101)]


def _formula(start, end, steps):
    """start + i * (end - start) / (steps - 1), in float64."""
    if steps == 1:
        return np.array([float(start)])
    return start + np.arange(steps) * ((end - start) / (steps - 1))


@pytest.mark.parametrize("start, end, steps", RANGES)
def test_linspace_is_the_formula(start, end, steps):
    t = minigrad.linspace(start, end, steps)
    assert t.dtype is minigrad.float32 and tuple(t.shape) == (steps,)
    np.testing.assert_allclose(t.numpy(), _formula(start, end, steps), rtol=1e-6,
                               atol=1e-6 * max(abs(start), abs(end)))
    if steps >= 2:  # both ends exact (rounded to float32 once)
        assert t.numpy()[0] == np.float32(start) and t.numpy()[-1] == np.float32(end)


@pytest.mark.parametrize("start, end, steps", RANGES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_linspace_matches_pytorch(start, end, steps, dtype):
    torch = pytest.importorskip("torch")
    ours = minigrad.linspace(start, end, steps, dtype=getattr(minigrad, dtype)).numpy()
    theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
    assert ours.dtype == theirs.dtype
    if dtype == "int64":
        np.testing.assert_array_equal(ours, theirs)
    else:  # PyTorch's vectorised kernel may round a value 1 ulp (of the ends) off its formula
        eps = np.finfo(ours.dtype).eps * max(abs(start), abs(end))
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=2 * eps)


@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.integers(0, 50))
def test_linspace_is_monotone_and_symmetric(start, end, steps):
    v = minigrad.linspace(start, end, steps, dtype=minigrad.float64).numpy()
    assert v.shape == (steps,)
    if steps >= 2:
        d = np.diff(v) * np.sign(end - start)
        assert (d >= -1e-9 * max(abs(start), abs(end), 1)).all()
        # The formula's two halves mirror each other: v[i] + v[-1-i] == start + end.
        scale = max(abs(start), abs(end), 1)
        np.testing.assert_allclose(v + v[::-1], start + end, atol=1e-9 * scale)


def test_linspace_takes_zero_dim_tensors_and_options():
    t = minigrad.linspace(minigrad.tensor(0.0), minigrad.tensor(1.0), 3, requires_grad=True)
    np.testing.assert_array_equal(t.detach().numpy(), [0.0, 0.5, 1.0])
    assert t.requires_grad and t.is_leaf


def test_linspace_errors():
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        minigrad.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="steps must be an int"):
        minigrad.linspace(0, 1, 2.5)
    with pytest.raises(TypeError, match="start"):
        minigrad.linspace("0", 1, 2)
    with pytest.raises(RuntimeError, match="0-dimensional"):
        minigrad.linspace(minigrad.zeros(2), 1, 2)


@pytest.mark.parametrize("start, end, steps, base", [(0, 2, 3, 10.0), (0, 3, 4, 2.0),
                                                    (-2, 2, 5, 10.0), (1, 0, 3, 3.0)])
def test_logspace_is_base_to_the_linspace(start, end, steps, base):
    t = minigrad.logspace(start, end, steps, base=base)
    np.testing.assert_allclose(t.numpy(), base ** _formula(start, end, steps), rtol=1e-6)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(t.numpy(), torch.logspace(start, end, steps, base=base).numpy(),
                               rtol=1e-6)


# ---- eye -------------------------------------------------------------------------------

@pytest.mark.parametrize("n, m", [(3, None), (2, 4), (4, 2), (0, None), (0, 3)])
def test_eye(n, m):
    t = minigrad.eye(n, m)
    np.testing.assert_array_equal(t.numpy(), np.eye(n, m, dtype=np.float32))
    assert t.dtype is minigrad.float32
    assert minigrad.eye(n, m, dtype=minigrad.int64).dtype is minigrad.int64


def test_eye_errors_as_pytorch():
    with pytest.raises(RuntimeError, match="n must be greater or equal to 0, got -1"):
        minigrad.eye(-1)
    with pytest.raises(RuntimeError, match="m must be greater or equal to 0, got -2"):
        minigrad.eye(2, -2)
    with pytest.raises(TypeError, match="n must be an int"):
        minigrad.eye(2.0)


# ---- meshgrid --------------------------------------------------------------------------

@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(3,), (2, 3), (2, 3, 4), (1, 5), (4, 0)])
def test_meshgrid_is_numpys(indexing, sizes):
    arrays = [np.arange(s, dtype=np.float32) * (i + 1) for i, s in enumerate(sizes)]
    grids = minigrad.meshgrid(*[minigrad.tensor(a) for a in arrays], indexing=indexing)
    expected = np.meshgrid(*arrays, indexing=indexing)
    assert len(grids) == len(expected)
    for g, e in zip(grids, expected):
        assert tuple(g.shape) == e.shape
        np.testing.assert_array_equal(g.numpy(), e)


def test_meshgrid_matches_pytorch_also_for_0d_and_a_list():
    torch = pytest.importorskip("torch")
    for indexing in ("ij", "xy"):
        ours = minigrad.meshgrid([minigrad.tensor(2.0), minigrad.arange(3.0)], indexing=indexing)
        theirs = torch.meshgrid([torch.tensor(2.0), torch.arange(3.0)], indexing=indexing)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_meshgrid_without_indexing_warns_and_uses_ij():
    x, y = minigrad.arange(2), minigrad.arange(3)
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        gx, gy = minigrad.meshgrid(x, y)
    assert tuple(gx.shape) == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minigrad.meshgrid(x, y, indexing="ij")  # no warning when given


def test_meshgrid_gradients_sum_over_the_repeats():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    gx, gy = minigrad.meshgrid(x, y, indexing="xy")  # shapes (3, 2)
    (gx * gy).sum().backward()
    # d/dx_j sum_i x_j y_i = sum(y); d/dy_i = sum(x)
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])
    np.testing.assert_allclose(y.grad.numpy(), [3.0, 3.0, 3.0])


def test_meshgrid_errors_as_pytorch():
    with pytest.raises(RuntimeError, match='indexing must be one of "xy" or "ij"'):
        minigrad.meshgrid(minigrad.arange(2), indexing="foo")
    with pytest.raises(RuntimeError, match="non-empty TensorList"):
        minigrad.meshgrid(indexing="ij")
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor"):
        minigrad.meshgrid(minigrad.zeros(2, 2), indexing="ij")
    with pytest.raises(RuntimeError, match="same dtype"):
        minigrad.meshgrid(minigrad.zeros(2), minigrad.arange(2), indexing="ij")
    with pytest.raises(TypeError, match="expected Tensors"):
        minigrad.meshgrid([1, 2], indexing="ij")


# ---- normal ----------------------------------------------------------------------------

def test_normal_shapes_of_the_four_forms():
    m, s = minigrad.zeros(2, 1), minigrad.ones(3)
    assert tuple(minigrad.normal(m, s).shape) == (2, 3)            # broadcast
    assert tuple(minigrad.normal(minigrad.zeros(4)).shape) == (4,)  # std = 1.0
    assert tuple(minigrad.normal(0.0, minigrad.ones(2, 2)).shape) == (2, 2)
    t = minigrad.normal(2.0, 3.0, (2, 5), dtype=minigrad.float64, requires_grad=True)
    assert tuple(t.shape) == (2, 5) and t.dtype is minigrad.float64 and t.requires_grad
    assert minigrad.normal(0.0, 1.0, size=(3,)).dtype is minigrad.float32


def test_normal_shapes_match_pytorch():
    torch = pytest.importorskip("torch")
    cases = [((2, 1), (3,)), ((4,), None), (None, (2, 2))]
    for mean_shape, std_shape in cases:
        args_m = [minigrad.zeros(*mean_shape) if mean_shape else 0.0,
                  minigrad.ones(*std_shape) if std_shape else 1.0]
        args_t = [torch.zeros(*mean_shape) if mean_shape else 0.0,
                  torch.ones(*std_shape) if std_shape else 1.0]
        assert tuple(minigrad.normal(*args_m).shape) == tuple(torch.normal(*args_t).shape)


@pytest.mark.parametrize("form", ["floats", "tensors"])
def test_normal_has_the_asked_mean_and_std(form):
    minigrad.manual_seed(0)
    n, mean, std = 20000, 1.5, 0.5
    if form == "floats":
        v = minigrad.normal(mean, std, (n,)).numpy()
    else:
        v = minigrad.normal(minigrad.full((n,), mean), minigrad.full((n,), std)).numpy()
    # 5 standard errors: of the mean std/sqrt(n); of the std about std/sqrt(2n).
    assert abs(v.mean() - mean) < 5 * std / np.sqrt(n)
    assert abs(v.std() - std) < 5 * std / np.sqrt(2 * n)


def test_normal_per_element_means_and_stds():
    minigrad.manual_seed(1)
    mean = minigrad.tensor([[-10.0], [10.0]]).expand(2, 4000)
    std = minigrad.tensor([[0.1], [2.0]]).expand(2, 4000)
    v = minigrad.normal(mean, std).numpy()
    np.testing.assert_allclose(v.mean(axis=1), [-10.0, 10.0], atol=5 * 2.0 / np.sqrt(4000))
    np.testing.assert_allclose(v.std(axis=1), [0.1, 2.0], rtol=5 / np.sqrt(2 * 4000))


def test_normal_is_reproducible_and_takes_a_numpy_generator():
    minigrad.manual_seed(7)
    a = minigrad.normal(0.0, 1.0, (5,)).numpy()
    minigrad.manual_seed(7)
    np.testing.assert_array_equal(minigrad.normal(0.0, 1.0, (5,)).numpy(), a)
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(minigrad.normal(0.0, 1.0, (4,), generator=g1).numpy(),
                                  minigrad.normal(0.0, 1.0, (4,), generator=g2).numpy())


def test_normal_errors_as_pytorch():
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        minigrad.normal(minigrad.zeros(2), -1.0)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        minigrad.normal(minigrad.zeros(2), minigrad.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="size is required"):
        minigrad.normal(2.0, 3.0)
    with pytest.raises(TypeError, match="floating point"):
        minigrad.normal(0.0, 1.0, (2,), dtype=minigrad.int64)
    with pytest.raises(TypeError, match="generator"):
        minigrad.normal(0.0, 1.0, (2,), generator=object())


def test_normal_tensor_forms_have_no_history():
    mean = minigrad.zeros(3, requires_grad=True)
    out = minigrad.normal(mean, 1.0)
    assert not out.requires_grad and out.grad_fn is None


# ---- sizes and small helpers -----------------------------------------------------------

@pytest.mark.parametrize("make", [minigrad.zeros, minigrad.ones, minigrad.empty, minigrad.rand,
                                  minigrad.randn])
def test_sizes_as_ints_a_tuple_or_a_list(make):
    for args in [(2, 3), ((2, 3),), ([2, 3],), (minigrad.zeros(2, 3).shape,)]:
        assert tuple(make(*args).shape) == (2, 3)
    assert tuple(make(()).shape) == ()
    with pytest.raises(ValueError, match="non-negative"):
        make(2, -1)


def test_numel_is_tensor_is_floating_point():
    t = minigrad.zeros(2, 3)
    assert minigrad.numel(t) == 6 and minigrad.numel(minigrad.tensor(1.0)) == 1
    assert minigrad.is_tensor(t) and not minigrad.is_tensor(np.zeros(2))
    assert minigrad.is_tensor(minigrad.nn.Parameter(t))
    assert minigrad.is_floating_point(t) and not minigrad.is_floating_point(minigrad.arange(2))
    for fn in (minigrad.numel, minigrad.is_floating_point):
        with pytest.raises(TypeError, match="must be Tensor, not list"):
            fn([1.0])


def test_manual_seed_repeats_the_draws():
    minigrad.manual_seed(11)
    a = (minigrad.rand(3).numpy(), minigrad.randn(2).numpy(), minigrad.randint(0, 9, (4,)).numpy())
    minigrad.manual_seed(11)
    b = (minigrad.rand(3).numpy(), minigrad.randn(2).numpy(), minigrad.randint(0, 9, (4,)).numpy())
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
