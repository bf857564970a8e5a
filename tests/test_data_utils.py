"""minigrad.data.utils: make_grid and save_image, as torchvision.utils."""
import numpy as np
import pytest

import minigrad
from minigrad.data.utils import make_grid, save_image


def batch(b=5, c=3, h=4, w=3, seed=0):
    return np.random.default_rng(seed).random((b, c, h, w)).astype(np.float32)


def test_grid_layout_and_padding():
    x = batch()
    grid = make_grid(minigrad.tensor(x), nrow=2, padding=1, pad_value=0.5)._array
    # 5 images, 2 per row -> 3 rows: (3, 3 * (4 + 1) + 1, 2 * (3 + 1) + 1)
    assert grid.shape == (3, 16, 9)
    for k in range(5):
        row, col = divmod(k, 2)
        top, left = row * 5 + 1, col * 4 + 1
        np.testing.assert_array_equal(grid[:, top:top + 4, left:left + 3], x[k])
    mask = np.ones(grid.shape[1:], bool)
    for k in range(5):
        row, col = divmod(k, 2)
        mask[row * 5 + 1: row * 5 + 5, col * 4 + 1: col * 4 + 4] = False
    assert (grid[:, mask] == 0.5).all()                     # padding and the empty cell


def test_list_input_grey_images_and_single_image():
    x = batch(b=3, c=1)
    grid = make_grid([minigrad.tensor(im) for im in x], nrow=8, padding=2)._array
    assert grid.shape == (3, 4 + 4, 3 * (3 + 2) + 2)
    for c in range(3):                                     # one channel repeated to 3
        np.testing.assert_array_equal(grid[c, 2:6, 2:5], x[0, 0])
    single = make_grid(minigrad.tensor(x[0]))._array          # (1, H, W): no padding
    assert single.shape == (3, 4, 3) and (single == x[0, 0]).all()
    assert make_grid(minigrad.tensor(x[0, 0])).shape == (3, 4, 3)


def test_normalize_value_range_and_scale_each():
    x = batch(b=2) * 4 - 1                                    # values in [-1, 3]
    g = make_grid(minigrad.tensor(x), padding=0, normalize=True)._array
    low, high = x.min(), x.max()
    np.testing.assert_allclose(g[:, :, :3], (x[0] - low) / (high - low), rtol=1e-6)
    g = make_grid(minigrad.tensor(x), padding=0, normalize=True, value_range=(0.0, 2.0))._array
    np.testing.assert_allclose(g[:, :, 3:], np.clip(x[1], 0, 2) / 2, rtol=1e-6)
    g = make_grid(minigrad.tensor(x), padding=0, normalize=True, scale_each=True)._array
    for k in range(2):
        im = g[:, :, 3 * k: 3 * k + 3]
        assert im.min() == 0.0 and im.max() == pytest.approx(1.0)
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(minigrad.tensor(x), normalize=True, value_range=[0, 1])
    original = minigrad.tensor(x)
    make_grid(original, normalize=True)
    np.testing.assert_array_equal(original._array, x)         # the input is left alone


def test_save_image_writes_a_png_of_the_grid(tmp_path):
    mpimg = pytest.importorskip("matplotlib.image")
    x = batch(b=4)
    path = tmp_path / "grid.png"
    save_image(minigrad.tensor(x), path, nrow=2, padding=1)
    back = mpimg.imread(path)                                 # float [0, 1], (H, W, 4) RGBA
    grid = make_grid(minigrad.tensor(x), nrow=2, padding=1)._array
    expected = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    assert back.shape[:2] == expected.shape[:2]
    np.testing.assert_array_equal(np.round(back[..., :3] * 255).astype(np.uint8), expected)
