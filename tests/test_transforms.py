"""minigrad.data.transforms: Compose, ToTensor, Normalize, Lambda and the geometric ones."""
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


# ---- geometry: Pad, crops, flips, Resize -------------------------------------------


def _image(shape, seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


@pytest.mark.parametrize("padding,ltrb", [(2, (2, 2, 2, 2)), ([1], (1, 1, 1, 1)),
                                          ((1, 3), (1, 3, 1, 3)), ((0, 1, 2, 3), (0, 1, 2, 3))])
def test_pad_constant_places_the_image_and_fills_the_border(padding, ltrb):
    x = _image((2, 4, 5))
    out = T.Pad(padding, fill=-1.5)(minigrad.tensor(x))._array
    left, top, right, bottom = ltrb
    assert out.shape == (2, 4 + top + bottom, 5 + left + right)
    np.testing.assert_array_equal(out[:, top:top + 4, left:left + 5], x)
    mask = np.ones(out.shape, bool)
    mask[:, top:top + 4, left:left + 5] = False
    assert (out[mask] == -1.5).all()


def test_pad_modes_follow_their_definitions():
    row = minigrad.tensor(np.float32([[[1, 2, 3]]]))                    # (1, 1, 3)
    assert T.Pad((2, 0), padding_mode="reflect")(row).tolist() == [[[3, 2, 1, 2, 3, 2, 1]]]
    assert T.Pad((2, 0), padding_mode="symmetric")(row).tolist() == [[[2, 1, 1, 2, 3, 3, 2]]]
    assert T.Pad((2, 0), padding_mode="edge")(row).tolist() == [[[1, 1, 1, 2, 3, 3, 3]]]


@pytest.mark.parametrize("mode,torch_mode", [("constant", "constant"), ("edge", "replicate"),
                                             ("reflect", "reflect")])
def test_pad_matches_torch(mode, torch_mode):
    torch = pytest.importorskip("torch")
    x = _image((2, 3, 5, 6))
    ref = torch.nn.functional.pad(torch.tensor(x), (1, 3, 2, 0), mode=torch_mode).numpy()
    np.testing.assert_array_equal(T.Pad((1, 2, 3, 0), padding_mode=mode)(minigrad.tensor(x))._array,
                                  ref)


def test_pad_on_hwc_uint8_arrays_keeps_layout_and_dtype():
    x = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)           # (H, W, C)
    out = T.Pad(1, fill=7)(x)
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8 and out.shape == (4, 5, 3)
    np.testing.assert_array_equal(out[1:3, 1:4], x)
    assert (out[0] == 7).all() and (out[:, 0] == 7).all()
    assert T.ToTensor()(out).shape == (3, 4, 5)


def test_pad_rejects_bad_arguments():
    with pytest.raises(ValueError, match="1, 2, or 4 element tuple"):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(TypeError, match="inappropriate padding"):
        T.Pad(1.5)
    with pytest.raises(ValueError, match="less than the corresponding input dimension"):
        T.Pad(3, padding_mode="reflect")(minigrad.zeros(1, 3, 3))


def test_random_crop_windows_are_crops_of_the_padded_image_and_cover_all_offsets():
    x = _image((3, 6, 6))
    padded = np.pad(x, ((0, 0), (2, 2), (2, 2)))
    crop = T.RandomCrop(6, padding=2)
    minigrad.manual_seed(0)
    seen = set()
    for _ in range(400):
        out = crop(minigrad.tensor(x))._array
        assert out.shape == (3, 6, 6)
        matches = [(i, j) for i in range(5) for j in range(5)
                   if np.array_equal(padded[:, i:i + 6, j:j + 6], out)]
        assert matches
        seen.update(matches)
    assert seen == {(i, j) for i in range(5) for j in range(5)}   # all 25 offsets drawn


def test_random_crop_is_reproducible_with_manual_seed():
    x = minigrad.tensor(_image((1, 8, 8)))
    crop = T.RandomCrop((4, 5))
    minigrad.manual_seed(3)
    first = [crop(x)._array for _ in range(5)]
    minigrad.manual_seed(3)
    again = [crop(x)._array for _ in range(5)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(first[0], a) for a in first[1:])


def test_random_crop_pad_if_needed_and_errors():
    x = minigrad.tensor(_image((1, 3, 4)))
    out = T.RandomCrop((5, 6), pad_if_needed=True)(x)
    assert out.shape == (1, 5, 6)
    assert T.RandomCrop((3, 4))(x)._array.tobytes() == x._array.tobytes()   # whole image
    with pytest.raises(ValueError, match=r"Required crop size \(5, 6\) is larger than input "
                                         r"image size \(3, 4\)"):
        T.RandomCrop((5, 6))(x)
    with pytest.raises(ValueError, match="only two dimensions"):
        T.RandomCrop((1, 2, 3))


def test_random_crop_on_uint8_hwc_then_to_tensor():
    x = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    out = T.Compose([T.RandomCrop(6, padding=1), T.ToTensor()])(x)
    assert out.shape == (3, 6, 6) and out.dtype == minigrad.float32


@pytest.mark.parametrize("cls,axis", [(T.RandomHorizontalFlip, -1), (T.RandomVerticalFlip, -2)])
def test_random_flips(cls, axis):
    x = _image((2, 3, 4))
    np.testing.assert_array_equal(cls(p=1.0)(minigrad.tensor(x))._array, np.flip(x, axis))
    assert cls(p=0.0)(minigrad.tensor(x))._array.tobytes() == x.tobytes()
    minigrad.manual_seed(1)
    flips = sum(not np.array_equal(cls()(minigrad.tensor(x))._array, x) for _ in range(400))
    assert 150 < flips < 250          # p=0.5: mean 200, sd 10
    with pytest.raises(ValueError, match="probability"):
        cls(p=1.5)
    hwc = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    np.testing.assert_array_equal(cls(p=1.0)(hwc), np.flip(hwc, axis - 1 if axis == -1 else 0))


def test_random_transforms_are_not_batchable():
    assert T.Compose([T.RandomCrop(2), T.ToTensor()]).batchable is False
    assert T.Compose([T.Pad(1), T.CenterCrop(2), T.Resize(3)]).batchable is True


@pytest.mark.parametrize("size,hw,expected_window", [
    (4, (6, 8), (1, 2)), ((3, 5), (6, 8), (2, 2)), (2, (5, 5), (2, 2))])
def test_center_crop_takes_the_middle(size, hw, expected_window):
    x = _image((1,) + hw)
    h, w = (size, size) if isinstance(size, int) else size
    top, left = expected_window  # round((H - h) / 2), round((W - w) / 2), half to even
    np.testing.assert_array_equal(T.CenterCrop(size)(minigrad.tensor(x))._array,
                                  x[:, top:top + h, left:left + w])


def test_center_crop_pads_small_images_with_zeros():
    x = _image((1, 2, 3))
    out = T.CenterCrop((5, 4))(minigrad.tensor(x))._array
    # padding (left, top, right, bottom) = ((4-3)//2, (5-2)//2, (4-3+1)//2, (5-2+1)//2)
    assert out.shape == (1, 5, 4)
    np.testing.assert_array_equal(out[:, 1:3, 0:3], x)
    assert out.sum() == pytest.approx(x.sum())


@pytest.mark.parametrize("size,expected", [(4, (4, 6)), ([4], (4, 6)), ((5, 3), (5, 3))])
def test_resize_output_size(size, expected):
    assert T.Resize(size)(minigrad.zeros(2, 8, 12)).shape == (2,) + expected
    assert T.Resize(size)(minigrad.zeros(8, 12)).shape == expected
    tall = T.Resize(size)(minigrad.zeros(1, 12, 8)).shape
    assert tall == ((1, 6, 4) if not isinstance(size, tuple) else (1,) + expected)


def test_resize_bilinear_averages_neighbours():
    # Doubling [0, 1] with align_corners=False: centres at 0.25 and 0.75 of each pixel.
    x = minigrad.tensor(np.float32([[[0.0, 1.0]]]))
    out = T.Resize((1, 4), antialias=False)(x)._array
    np.testing.assert_allclose(out, [[[0.0, 0.25, 0.75, 1.0]]], atol=1e-7)
    # Halving with antialias: each output is the mean of its two inputs' triangle.
    x = minigrad.tensor(np.float32([[[0.0, 2.0, 4.0, 6.0]]]))
    out = T.Resize((1, 2))(x)._array
    # Output 0 is centred at 1.0; inputs at 0.5, 1.5, 2.5, 3.5 are 0.5, 0.5, 1.5, 2.5
    # away; the triangle widened to 2 gives them 0.75, 0.75, 0.25, 0 (then normalised).
    np.testing.assert_allclose(out[0, 0, 0], (0 * .75 + 2 * .75 + 4 * .25) / 1.75, rtol=1e-6)
    np.testing.assert_allclose(out[0, 0, 1], (2 * .25 + 4 * .75 + 6 * .75) / 1.75, rtol=1e-6)


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("hw,size", [((7, 9), (3, 4)), ((5, 5), (11, 8)), ((8, 8), (5, 13))])
def test_resize_bilinear_matches_torch(hw, size, antialias):
    torch = pytest.importorskip("torch")
    x = _image((2, 3) + hw)
    ref = torch.nn.functional.interpolate(torch.tensor(x), size=size, mode="bilinear",
                                          align_corners=False, antialias=antialias).numpy()
    out = T.Resize(size, antialias=antialias)(minigrad.tensor(x))._array
    np.testing.assert_allclose(out, ref, atol=1e-6)


def test_resize_nearest_matches_torch_and_uint8_rounds():
    torch = pytest.importorskip("torch")
    x = _image((1, 1, 5, 7))
    ref = torch.nn.functional.interpolate(torch.tensor(x), size=(3, 11), mode="nearest").numpy()
    out = T.Resize((3, 11), interpolation=T.InterpolationMode.NEAREST)(minigrad.tensor(x))
    np.testing.assert_array_equal(out._array, ref)
    img = np.random.default_rng(0).integers(0, 256, (6, 6, 3), dtype=np.uint8)
    small = T.Resize(3)(img)
    assert small.dtype == np.uint8 and small.shape == (3, 3, 3)
    chw = torch.tensor(img, dtype=torch.float64).permute(2, 0, 1)[None]
    ref = torch.nn.functional.interpolate(chw, size=(3, 3), mode="bilinear", antialias=True)
    expected = ref[0].permute(1, 2, 0).round().clamp(0, 255).numpy().astype(np.uint8)
    np.testing.assert_array_equal(small, expected)


def test_geometry_rejects_bad_inputs():
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(NotImplementedError, match="bicubic"):
        T.Resize(2, interpolation=T.InterpolationMode.BICUBIC)
    with pytest.raises(TypeError, match="img should be a minigrad Tensor or a NumPy array"):
        T.RandomHorizontalFlip()([[1.0]])
    with pytest.raises(ValueError, match="expected a NumPy image"):
        T.CenterCrop(1)(np.zeros((1, 2, 2, 2), np.uint8))


@pytest.mark.parametrize("transform", [T.Pad((1, 2), padding_mode="reflect"), T.CenterCrop(3),
                                       T.Resize(5), T.Resize((2, 3), antialias=False)])
def test_batchable_geometry_on_a_batch_equals_per_sample(transform):
    x = _image((3, 2, 4, 6))
    batch = transform(minigrad.tensor(x))._array
    for i in range(3):
        np.testing.assert_array_equal(batch[i], transform(minigrad.tensor(x[i]))._array)
