"""CIFAR10 on tiny binary files written here, and the shared file search (download=True)."""
import os

import numpy as np
import pytest

import minigrad
from minigrad.data import DataLoader, default_collate, transforms
from minigrad.data.datasets import CIFAR10, FashionMNIST

REAL_FASHION = "/usr/share/datasets/fashion-mnist"


def write_bin(path, n, seed):
    """n records of 1 label byte + 3072 CHW pixel bytes; returns (images HWC, labels)."""
    rng = np.random.default_rng(seed)
    chw = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    records = np.concatenate([labels[:, None], chw.reshape(n, -1)], axis=1)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    records.tofile(path)
    return chw.transpose(0, 2, 3, 1), labels


@pytest.fixture
def cifar(tmp_path):
    folder = tmp_path / "cifar-10-batches-bin"
    parts = [write_bin(str(folder / f"data_batch_{i}.bin"), i, seed=i) for i in range(1, 6)]
    test = write_bin(str(folder / "test_batch.bin"), 4, seed=9)
    (folder / "batches.meta.txt").write_text("\n".join(f"class{i}" for i in range(10)) + "\n\n")
    train = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    return tmp_path, train, test


def test_cifar10_reads_the_binary_batches_in_order(cifar):
    root, (images, labels), (test_images, test_labels) = cifar
    train, test = CIFAR10(root), CIFAR10(root, train=False)
    assert (len(train), len(test)) == (15, 4)                  # 1 + 2 + 3 + 4 + 5 records
    assert train.data.shape == (15, 32, 32, 3) and train.data.dtype == np.uint8
    np.testing.assert_array_equal(train.data, images)
    np.testing.assert_array_equal(train.targets, labels)
    np.testing.assert_array_equal(test.data, test_images)
    assert train.classes == [f"class{i}" for i in range(10)]
    assert train.class_to_idx["class3"] == 3
    image, label = train[7]
    assert image.shape == (3, 32, 32) and image.dtype == minigrad.float32
    np.testing.assert_array_equal(image._array, images[7].transpose(2, 0, 1) / np.float32(255))
    assert type(label) is int and label == labels[7]


def test_cifar10_standard_classes_without_meta_and_files_directly_in_root(tmp_path):
    write_bin(str(tmp_path / "test_batch.bin"), 2, seed=0)
    ds = CIFAR10(tmp_path, train=False)
    assert ds.classes[0] == "airplane" and ds.classes[9] == "truck" and len(ds) == 2


@pytest.mark.parametrize("transform", [
    None, transforms.Normalize((0.5, 0.4, 0.3), (0.2, 0.2, 0.2)),
    transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x * 3.0)])])
def test_cifar10_batch_fast_path_equals_items(cifar, transform):
    ds = CIFAR10(cifar[0], transform=transform)
    indices = [14, 0, 3, 3]
    for f, s in zip(ds.get_batch(indices), default_collate([ds[i] for i in indices])):
        assert f.shape == s.shape and f.dtype == s.dtype
        np.testing.assert_array_equal(f._array, s._array)


def test_cifar10_with_augmentation_in_a_loader(cifar):
    t = transforms.Compose([transforms.RandomCrop(32, padding=4),
                            transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                            transforms.Normalize((0.5,) * 3, (0.25,) * 3)])
    minigrad.manual_seed(0)
    batches = list(DataLoader(CIFAR10(cifar[0], transform=t), batch_size=8, shuffle=True))
    assert [tuple(x.shape) for x, _ in batches] == [(8, 3, 32, 32), (7, 3, 32, 32)]


def test_cifar10_missing_files_and_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        CIFAR10(tmp_path / "none", download=True)
    message = str(info.value)
    assert str(tmp_path / "none") in message and "data_batch_5.bin" in message
    assert "test_batch.bin" in message and "no Debian package" in message
    assert "cifar-10-batches-bin" in message and "never downloads" in message
    (tmp_path / "test_batch.bin").write_bytes(b"\x00" * 3074)
    with pytest.raises(ValueError, match="not a whole number of 3073-byte"):
        CIFAR10(tmp_path, train=False)


def test_download_finds_the_default_root_for_cifar10_too(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    _, labels = write_bin(str(tmp_path / ".minigrad" / "datasets" / "cifar10" /
                              "cifar-10-batches-bin" / "test_batch.bin"), 3, seed=1)
    with pytest.raises(FileNotFoundError):
        CIFAR10(tmp_path / "data", train=False)
    ds = CIFAR10(tmp_path / "data", train=False, download=True)
    np.testing.assert_array_equal(ds.targets, labels)


@pytest.mark.skipif(not os.path.isdir(REAL_FASHION),
                    reason="dataset-fashion-mnist is not installed")
def test_tutorial_constructor_pair_with_download_reads_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "../data" does not exist from here
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    train = FashionMNIST("../data", train=True, download=True, transform=t)
    test = FashionMNIST("../data", train=False, download=True, transform=t)
    assert (len(train), len(test)) == (60_000, 10_000)
    assert os.path.dirname(train.files[0]) == os.path.dirname(test.files[0]) == REAL_FASHION
    image, label = test[0]
    assert image.shape == (1, 28, 28) and -1.0 <= image._array.min() <= image._array.max() <= 1.0
