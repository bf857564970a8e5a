"""MNIST and FashionMNIST on tiny IDX datasets written here; the real Fashion-MNIST
when Debian's dataset-fashion-mnist is installed."""
import gzip
import os
import struct

import numpy as np
import pytest

import minigrad
from minigrad.data import DataLoader, FashionMNIST, MNIST, default_collate, transforms

NAMES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
REAL_ROOT = "/usr/share/datasets/fashion-mnist"


def write_ubyte_idx(path, array, gz):
    """An IDX ubyte file: 00 00 08 <ndim>, big-endian uint32 dims, the bytes."""
    array = np.asarray(array, dtype=np.uint8)
    data = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data += array.tobytes()
    with open(str(path) + (".gz" if gz else ""), "wb") as f:
        f.write(gzip.compress(data) if gz else data)


def write_split(folder, train, n, gz, h=28, w=28, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255  # both ends of the range
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    os.makedirs(folder, exist_ok=True)
    write_ubyte_idx(os.path.join(folder, NAMES[train][0]), images, gz)
    write_ubyte_idx(os.path.join(folder, NAMES[train][1]), labels, not gz)
    return images, labels


@pytest.fixture
def tiny(tmp_path):
    """A 7-image training set (images gzipped, labels raw), a 3-image test set
    (images raw, labels gzipped)."""
    train = write_split(tmp_path, True, 7, gz=True, seed=1)
    test = write_split(tmp_path, False, 3, gz=False, seed=2)
    return tmp_path, train, test


def scaled(images):
    return images.astype(np.float32) / np.float32(255)


# ---- items -------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [FashionMNIST, MNIST])
def test_lengths_items_shapes_dtypes_and_range(tiny, cls):
    root, (train_images, train_labels), (_, test_labels) = tiny
    train, test = cls(root), cls(root, train=False)
    assert (len(train), len(test)) == (7, 3)
    for i in range(7):
        image, label = train[i]
        assert isinstance(image, minigrad.Tensor) and image.dtype == minigrad.float32
        assert image.shape == (1, 28, 28)
        np.testing.assert_array_equal(image._array[0], scaled(train_images[i]))
        assert type(label) is int and label == train_labels[i]
    image = train[0][0]._array
    assert image.min() == 0.0 and image.max() == 1.0
    assert [test[i][1] for i in range(3)] == test_labels.tolist()
    assert train[-1][1] == train_labels[-1]
    assert train.data.dtype == np.uint8 and train.targets.dtype == np.int64


def test_index_errors(tiny):
    ds = FashionMNIST(tiny[0])
    with pytest.raises(IndexError):
        ds[7]
    with pytest.raises(TypeError):
        ds[1.0]


def test_classes():
    assert FashionMNIST.classes[0] == "T-shirt/top" and FashionMNIST.classes[9] == "Ankle boot"
    assert len(FashionMNIST.classes) == len(MNIST.classes) == 10
    assert MNIST.classes[3] == "3 - three"


def test_transform_and_target_transform_are_applied(tiny):
    root, (images, labels), _ = tiny
    ds = FashionMNIST(root, transform=transforms.Compose([transforms.ToTensor(),
                                                          transforms.Normalize((0.5,), (0.25,))]),
                      target_transform=lambda y: 9 - y)
    image, label = ds[2]
    expected = (scaled(images[2]) - np.float32(0.5)) / np.float32(0.25)
    np.testing.assert_allclose(image._array[0], expected, rtol=1e-6, atol=1e-6)
    assert label == 9 - labels[2]


@pytest.mark.parametrize("transform", [
    None,
    transforms.Normalize((0.2860,), (0.3530,)),                       # batched
    transforms.Lambda(lambda x: x * 2.0),                             # per sample
    transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x.flatten())]),
])
@pytest.mark.parametrize("target_transform", [None, lambda y: float(y) / 2])
def test_batch_fast_path_equals_the_per_item_path(tiny, transform, target_transform):
    ds = FashionMNIST(tiny[0], transform=transform, target_transform=target_transform)
    indices = [6, 0, 3, 3, 1]
    fast = ds.get_batch(indices)
    slow = default_collate([ds[i] for i in indices])
    assert len(fast) == len(slow) == 2
    for f, s in zip(fast, slow):
        assert f.dtype == s.dtype and f.shape == s.shape
        np.testing.assert_array_equal(f._array, s._array)


def test_data_loader_uses_the_fast_path_and_yields_images_and_labels(tiny):
    root, (images, labels), _ = tiny
    ds = FashionMNIST(root)
    loader = DataLoader(ds, batch_size=4, shuffle=True, generator=0)
    batches = list(loader)
    assert [tuple(x.shape) for x, _ in batches] == [(4, 1, 28, 28), (3, 1, 28, 28)]
    x, y = batches[0]
    assert x.dtype == minigrad.float32 and y.dtype == minigrad.int64
    seen = np.concatenate([y._array for _, y in batches])
    pixels = np.concatenate([x._array for x, _ in batches])[:, 0]
    order = np.random.default_rng(0).permutation(7)  # what generator=0 shuffles to
    np.testing.assert_array_equal(seen, labels[order])
    np.testing.assert_array_equal(pixels, scaled(images[order]))


# ---- where the files are -----------------------------------------------------------
def test_torchvision_layout_is_found(tmp_path):
    _, labels = write_split(tmp_path / "FashionMNIST" / "raw", False, 2, gz=False)
    assert [FashionMNIST(tmp_path, train=False)[i][1] for i in range(2)] == labels.tolist()


def test_mnist_default_root_is_under_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    _, labels = write_split(tmp_path / ".minigrad" / "datasets" / "mnist", False, 2, gz=True)
    ds = MNIST(train=False)
    assert ds.root == str(tmp_path / ".minigrad" / "datasets" / "mnist")
    assert ds[1][1] == labels[1]


def test_fashion_mnist_default_root_is_debians():
    assert FashionMNIST.default_root() == REAL_ROOT


def test_missing_fashion_mnist_says_to_install_the_package(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        FashionMNIST(tmp_path / "nowhere")
    message = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "train-images-idx3-ubyte[.gz]" in message and "train-labels-idx1-ubyte[.gz]" in message
    assert str(tmp_path / "nowhere") in message


def test_download_reads_the_default_root_when_root_lacks_the_files(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="never downloads; it also looked in"):
        MNIST(tmp_path / "data", train=False, download=True)
    _, labels = write_split(tmp_path / ".minigrad" / "datasets" / "mnist", False, 2, gz=True)
    with pytest.raises(FileNotFoundError):
        MNIST(tmp_path / "data", train=False)  # without download=True: only root
    ds = MNIST(tmp_path / "data", train=False, download=True)
    assert ds[1][1] == labels[1]
    assert ds.files[1] == str(tmp_path / ".minigrad" / "datasets" / "mnist" /
                              "t10k-labels-idx1-ubyte")  # labels raw when images gzipped


def test_missing_mnist_says_where_to_put_which_files(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    write_split(tmp_path / "half", False, 2, gz=False)
    os.remove(tmp_path / "half" / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(FileNotFoundError) as info:
        MNIST(tmp_path / "half", train=False)
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte[.gz]" in message and "t10k-images" not in message
    assert str(tmp_path / ".minigrad" / "datasets" / "mnist") in message


def test_inconsistent_files_are_reported(tmp_path):
    write_split(tmp_path, True, 3, gz=False)  # labels gzipped: overwritten with 2 labels
    write_ubyte_idx(tmp_path / NAMES[True][1], np.zeros(2), gz=True)
    with pytest.raises(ValueError, match="holds 3 images but .* holds 2 labels"):
        FashionMNIST(tmp_path)


def test_labels_out_of_range_are_reported(tmp_path):
    write_split(tmp_path, True, 2, gz=False)
    os.remove(tmp_path / (NAMES[True][1] + ".gz"))
    write_ubyte_idx(tmp_path / NAMES[True][1], [3, 10], gz=False)
    with pytest.raises(ValueError, match="label 10 is out of range for 10 classes"):
        FashionMNIST(tmp_path)


# ---- the real data set -------------------------------------------------------------
@pytest.mark.skipif(not os.path.isdir(REAL_ROOT), reason="dataset-fashion-mnist is not installed")
def test_the_installed_fashion_mnist():
    train, test = FashionMNIST(), FashionMNIST(train=False)
    assert (len(train), len(test)) == (60_000, 10_000)
    assert train.data.shape == (60_000, 28, 28)
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
    assert np.bincount(train.targets).tolist() == [6000] * 10
    assert np.bincount(test.targets).tolist() == [1000] * 10
