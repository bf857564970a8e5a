"""minigrad.data.transforms: Compose, ToTensor, Normalize, Lambda."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.data import transforms as T


# ---- Normalize ---------------------------------------------------------------------
def test_normalize_one_channel_image():
    x = np.array([[[0.0, 0.5], [1.0, 0.25]]], dtype=np.float32)      # (1, 2, 2)
    out = T.Normalize((0.5,), (0.25,))(minigrad.tensor(x))
    # (0 - 0.5) / 0.25 = -2, (0.5 - 0.5) / 0.25 = 0, (1 - 0.5) / 0.25 = 2, (0.25 - 0.5) / 0.25 = -1
    assert out.tolist() == [[[-2.0, 0.0], [2.0, -1.0]]]
    assert out.dtype == minigrad.float32


def test_normalize_per_channel_on_a_batch():
    rng = np.random.default_rng(0)
    x = rng.random((4, 3, 5, 6)).astype(np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 2.0, 4.0)
    out = T.Normalize(mean, std)(minigrad.tensor(x))
    for c in range(3):
        expected = (x[:, c] - np.float32(mean[c])) / np.float32(std[c])
        np.testing.assert_array_equal(out._array[:, c], expected)


def test_normalize_keeps_float64():
    out = T.Normalize(1.0, 2.0)(minigrad.ones(2, 1, 1, dtype=minigrad.float64) * 5)
    assert out.dtype == minigrad.float64 and out.tolist() == [[[2.0]], [[2.0]]]


@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=4, max_dims=4, max_side=4),
                  elements=st.floats(-10, 10, width=32)))
def test_normalize_on_a_batch_equals_per_sample(x):
    norm = T.Normalize([0.3] * x.shape[1], [0.7] * x.shape[1])
    batch = norm(minigrad.tensor(x))._array
    for i in range(x.shape[0]):
        np.testing.assert_array_equal(batch[i], norm(minigrad.tensor(x[i]))._array)


def test_normalize_inplace_overwrites_the_input():
    x = minigrad.tensor([[[2.0, 4.0]]])
    out = T.Normalize([1.0], [2.0], inplace=True)(x)
    assert out is x and x.tolist() == [[[0.5, 1.5]]]


def test_normalize_is_differentiable_for_tensors_that_require_grad():
    x = minigrad.tensor(np.ones((2, 1, 1), dtype=np.float32), requires_grad=True)
    T.Normalize([0.5, 0.1], [2.0, 4.0])(x).sum().backward()
    assert x.grad.tolist() == [[[0.5]], [[0.25]]]
    with pytest.raises(RuntimeError, match="in place"):
        T.Normalize([0.5], [2.0], inplace=True)(x)


@pytest.mark.parametrize("x,error,message", [
    (minigrad.zeros(2, 2), ValueError, r"tensor image of size \(\.\.\., C, H, W\)"),
    (minigrad.zeros(1, 2, 2, dtype=minigrad.int64), TypeError, "should be a float tensor"),
    (np.zeros((1, 2, 2), np.float32), TypeError, "expected a minigrad Tensor"),
    (minigrad.zeros(3, 2, 2), ValueError, r"mean: expected 1 or 3 values .* got 2"),
])
def test_normalize_rejects_bad_input(x, error, message):
    with pytest.raises(error, match=message):
        T.Normalize([0.1, 0.2], [1.0, 1.0])(x)


def test_normalize_rejects_bad_mean_and_std():
    with pytest.raises(ValueError, match="std: must not contain zero"):
        T.Normalize([0.0], [0.0])
    with pytest.raises(ValueError, match="same number of channels"):
        T.Normalize([0.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="mean: expected a number or a non-empty sequence"):
        T.Normalize("a", [1.0])
    with pytest.raises(ValueError, match="std evaluated to zero after conversion"):
        T.Normalize([0.0], [1e-60])(minigrad.zeros(1, 1, 1))  # 1e-60 is 0 in float32


# ---- ToTensor ----------------------------------------------------------------------
def test_to_tensor_scales_uint8_and_moves_channels_first():
    hw = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    out = T.ToTensor()(hw)
    assert out.shape == (1, 2, 2) and out.dtype == minigrad.float32
    np.testing.assert_array_equal(out._array, np.float32([[[0, 1], [0.2, 0.4]]]))
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    out = T.ToTensor()(hwc)
    assert out.shape == (3, 2, 4)
    np.testing.assert_array_equal(out._array[2], hwc[:, :, 2].astype(np.float32) / np.float32(255))


def test_to_tensor_keeps_other_dtypes_values_and_passes_float_tensors():
    out = T.ToTensor()(np.full((2, 2), 3.5, dtype=np.float64))
    assert out.dtype == minigrad.float64 and out.tolist() == [[[3.5, 3.5], [3.5, 3.5]]]
    image = minigrad.rand(1, 2, 2)
    assert T.ToTensor()(image) is image
    with pytest.raises(TypeError, match="expected a float tensor"):
        T.ToTensor()(minigrad.zeros(1, 2, 2, dtype=minigrad.int64))
    with pytest.raises(TypeError, match="expected a NumPy array"):
        T.ToTensor()([[1, 2]])
    with pytest.raises(ValueError, match="2 or 3 dims"):
        T.ToTensor()(np.zeros(3, np.uint8))


# ---- Compose, Lambda ---------------------------------------------------------------
def test_compose_applies_in_order_and_is_batchable_when_all_are():
    pipeline = T.Compose([T.Lambda(lambda x: x + 1), T.Lambda(lambda x: x * 10)])
    assert pipeline(2) == 30 and pipeline.batchable is False
    assert T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)]).batchable is True
    assert "Normalize(mean=[0.5], std=[0.5])" in repr(T.Compose([T.Normalize(0.5, 0.5)]))
    with pytest.raises(TypeError, match="expected callables, got int at position 1"):
        T.Compose([T.ToTensor(), 3])
    with pytest.raises(TypeError, match="lambd: expected a callable"):
        T.Lambda(None)
