"""The `minigrad train`, `eval` and `info` commands, on a tiny synthetic IDX dataset.

The dataset is written here: 28x28 uint8 images whose class is a bright 6x6 square at
one of ten places, over faint noise, so LeNet-5 learns it within a couple of epochs.
"""
from __future__ import annotations

import csv
import gzip
import json
import os
import re
import shutil
import signal
import struct
import sys

import numpy as np
import pytest

import minigrad
import minigrad.train.loop as loop
from minigrad import cli
from minigrad.train import confusion_matrix, evaluate, format_confusion, plot_curves

N_TRAIN, N_TEST, CLASSES = 256, 64, 10
BATCH = 32  # 8 steps per epoch
STEPS_PER_EPOCH = N_TRAIN // BATCH
FASHION_MEAN, FASHION_STD = 0.2860, 0.3530  # the normalisation train uses for fashion-mnist


def _images(rng, labels):
    images = rng.integers(0, 40, size=(len(labels), 28, 28)).astype(np.uint8)
    for i, c in enumerate(labels):
        r, col = 3 + 12 * (c // 5), 1 + 5 * (c % 5)
        images[i, r:r + 6, col:col + 6] = 255
    return images


def _write_idx(path, array, gz):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                        *array.shape)
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(0)
    for prefix, n, gz in (("train", N_TRAIN, True), ("t10k", N_TEST, False)):
        labels = np.arange(n) % CLASSES
        rng.shuffle(labels)
        suffix = ".gz" if gz else ""
        _write_idx(root / f"{prefix}-images-idx3-ubyte{suffix}", _images(rng, labels), gz)
        _write_idx(root / f"{prefix}-labels-idx1-ubyte{suffix}", labels, gz)
    return root


def _test_split(root):
    with open(root / "t10k-images-idx3-ubyte", "rb") as f:
        images = np.frombuffer(f.read()[16:], np.uint8).reshape(N_TEST, 1, 28, 28)
    with open(root / "t10k-labels-idx1-ubyte", "rb") as f:
        labels = np.frombuffer(f.read()[8:], np.uint8).astype(np.int64)
    return images, labels


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def train_args(root, out, *extra):
    return ["train", "--model", "lenet5", "--dataset", "fashion-mnist", "--data-root", root,
            "--batch-size", BATCH, "--lr", "3e-3", "--seed", "1", "--out", out, *extra]


@pytest.fixture(scope="module")
def trained(data_root, tmp_path_factory):
    """A finished 2-epoch run: (out folder, stdout, stderr)."""
    out = tmp_path_factory.mktemp("run") / "out"
    code = cli.main([str(a) for a in train_args(data_root, out, "--epochs", "2")])
    assert code == 0
    return out


def _metrics(out):
    with open(out / "metrics.json") as f:
        return json.load(f)


def _weights(path):
    return {k: v.numpy() for k, v in minigrad.load(path)["model"].items()}


# ---- train ------------------------------------------------------------------------------
def test_train_writes_everything_and_learns(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, *train_args(data_root, out, "--epochs", "2"))
    assert code == 0, stderr
    rows = _metrics(out)["epochs"]
    assert [r["epoch"] for r in rows] == [1, 2]
    assert rows[1]["train_loss"] < rows[0]["train_loss"] < np.log(CLASSES) + 0.5
    assert rows[1]["test_accuracy"] > 0.5  # chance is 0.1
    with open(out / "metrics.csv", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    assert [float(r["test_loss"]) for r in csv_rows] == pytest.approx(
        [r["test_loss"] for r in rows])
    # The summary table: a header and one line per epoch.
    assert "train loss" in stdout and re.search(r"^\s+2\s+\d+\.\d{4}\s", stdout, re.M)
    assert "epoch 2/2" in stderr  # the progress bar (tqdm or the plain lines)
    ckpt = minigrad.load(out / "checkpoint.npz")
    assert ckpt["epoch"] == 2 and ckpt["progress"] is None
    assert ckpt["config"]["model"] == "lenet5" and ckpt["config"]["batch_size"] == BATCH
    dot = (out / "model_graph.dot").read_text()
    assert "Conv2dBackward" in dot and "conv1.weight" in dot
    if shutil.which("dot"):
        assert (out / "model_graph.svg").read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert not (out / "curve.png").exists()
    else:
        assert (out / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reported_test_accuracy_matches_the_saved_weights(trained, data_root):
    """The accuracy in metrics.json is the saved model's on the test split, normalised
    as documented: recomputed here from the raw IDX bytes."""
    from minigrad.models import LeNet5
    model = LeNet5()
    model.load_state_dict(minigrad.load(trained / "checkpoint.npz")["model"])
    images, labels = _test_split(data_root)
    x = ((images / np.float32(255)).astype(np.float32) - np.float32(FASHION_MEAN)) \
        / np.float32(FASHION_STD)
    with minigrad.no_grad():
        logits = model.eval()(minigrad.tensor(x)).numpy()
    expected = np.mean(logits.argmax(1) == labels)
    assert _metrics(trained)["epochs"][-1]["test_accuracy"] == pytest.approx(expected)


def test_resume_continues_with_the_next_epoch(trained, data_root, tmp_path, capsys):
    out = tmp_path / "resumed"
    shutil.copytree(trained, out)
    code, stdout, stderr = run(capsys, "train", "--resume", "--epochs", "3", "--out", out,
                               "--data-root", data_root, "--no-progress")
    assert code == 0, stderr
    assert "Resuming after epoch 2" in stdout
    assert "epoch 1/3" not in stdout and "epoch 3/3" in stdout
    rows = _metrics(out)["epochs"]
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert rows[:2] == _metrics(trained)["epochs"]
    # The same as three epochs in one go (same data order, optimizer state restored).
    straight = tmp_path / "straight"
    assert cli.main([str(a) for a in train_args(data_root, straight, "--epochs", "3",
                                                "--no-progress")]) == 0
    assert rows[2]["train_loss"] == pytest.approx(_metrics(straight)["epochs"][2]["train_loss"],
                                                  rel=1e-5)
    a, b = _weights(out / "checkpoint.npz"), _weights(straight / "checkpoint.npz")
    for key in b:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6)


def test_nothing_to_do_when_the_checkpoint_is_complete(trained, data_root, tmp_path, capsys):
    out = tmp_path / "done"
    shutil.copytree(trained, out)
    code, stdout, _ = run(capsys, "train", "--resume", "--out", out, "--data-root", data_root)
    assert code == 0 and "Nothing to do" in stdout


def _interrupting_step(monkeypatch, at_call, action):
    real = loop.train_step
    calls = []

    def step(*args, **kwargs):
        calls.append(1)
        if len(calls) == at_call:
            action()
        return real(*args, **kwargs)
    monkeypatch.setattr(loop, "train_step", step)


def _raise():
    raise KeyboardInterrupt


def test_keyboard_interrupt_saves_a_checkpoint_and_resume_finishes_the_same_run(
        trained, data_root, tmp_path, capsys, monkeypatch):
    out = tmp_path / "interrupted"
    # call 11 = the 3rd step of epoch 2: two steps of epoch 2 are done
    _interrupting_step(monkeypatch, STEPS_PER_EPOCH + 3, _raise)
    code, _, stderr = run(capsys, *train_args(data_root, out, "--epochs", "2"))
    assert code == 130
    assert "Continue with: minigrad train --resume" in stderr
    ckpt = minigrad.load(out / "checkpoint.npz")
    assert ckpt["epoch"] == 1 and ckpt["progress"]["steps"] == 2
    assert ckpt["progress"]["seen"] == 2 * BATCH
    assert len(_metrics(out)["epochs"]) == 1

    monkeypatch.undo()
    code, stdout, stderr = run(capsys, "train", "--resume", "--out", out, "--data-root",
                               data_root, "--no-progress")
    assert code == 0, stderr
    assert "Resuming epoch 2 after step 2" in stdout
    rows, reference = _metrics(out)["epochs"], _metrics(trained)["epochs"]
    assert [r["epoch"] for r in rows] == [1, 2]
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        assert rows[1][key] == pytest.approx(reference[1][key], rel=1e-5)
    a, b = _weights(out / "checkpoint.npz"), _weights(trained / "checkpoint.npz")
    for key in b:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself is POSIX")
def test_ctrl_c_stops_after_the_current_step(data_root, tmp_path, capsys, monkeypatch):
    """A real SIGINT in the middle of step 5 lets that step finish, then stops."""
    out = tmp_path / "sigint"
    handler = signal.getsignal(signal.SIGINT)
    _interrupting_step(monkeypatch, 5, lambda: os.kill(os.getpid(), signal.SIGINT))
    code, _, stderr = run(capsys, *train_args(data_root, out, "--epochs", "1"))
    assert code == 130, stderr
    assert "Ctrl-C: stopping after this step" in stderr
    ckpt = minigrad.load(out / "checkpoint.npz")
    assert ckpt["epoch"] == 0 and ckpt["progress"]["steps"] == 5
    assert signal.getsignal(signal.SIGINT) is handler  # the previous handler is back


# ---- bad options: refused before training --------------------------------------------------
@pytest.mark.parametrize("impl, words", [
    ("conv2d=nosuchimpl", ["conv2d", "nosuchimpl", "naive"]),
    ("nosuchop=numpy", ["unknown op", "nosuchop"]),
    ("conv2d=numpy=x", ["OP=IMPL"]),
    ("nosuchimpl", ["nosuchimpl"]),
])
def test_bad_impl_is_a_clear_error_before_training(data_root, tmp_path, capsys, impl, words):
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, *train_args(data_root, out, "--impl", impl))
    assert code == 2
    assert stderr.startswith("minigrad train: error: --impl")
    for word in words:
        assert word in stderr
    assert not out.exists() and "Training" not in stdout


def test_impl_choice_is_used_and_saved(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, *train_args(data_root, out, "--epochs", "1",
                                                   "--impl", "conv2d=numpy,max_pool2d=numpy"))
    assert code == 0, stderr
    assert "conv2d=numpy,max_pool2d=numpy" in stdout
    assert minigrad.load(out / "checkpoint.npz")["config"]["impl"] == {
        "conv2d": "numpy", "max_pool2d": "numpy"}
    # The graph shows which implementation ran (numba is max_pool2d's default).
    labels = re.findall(r'label="(\w+Backward[^"]*)"', (out / "model_graph.dot").read_text())
    pools = [label for label in labels if label.startswith("MaxPool2dBackward")]
    convs = [label for label in labels if label.startswith("Conv2dBackward")]
    assert len(pools) == len(convs) == 2
    assert all(label.endswith("impl: numpy") for label in pools + convs)


def test_resume_refuses_what_does_not_fit(trained, data_root, tmp_path, capsys):
    code, _, stderr = run(capsys, "train", "--resume", "--model", "mlp", "--out", trained,
                          "--data-root", data_root)
    assert code == 2 and "--model mlp" in stderr and "lenet5" in stderr
    code, _, stderr = run(capsys, "train", "--resume", "--out", tmp_path / "empty",
                          "--data-root", data_root)
    assert code == 2 and "no checkpoint" in stderr
    other = tmp_path / "other.npz"
    minigrad.save({"weights": minigrad.zeros(3)}, other)
    code, _, stderr = run(capsys, "train", "--resume", "--checkpoint", other, "--out", tmp_path,
                          "--data-root", data_root)
    assert code == 2 and "not a training checkpoint" in stderr


def test_missing_dataset_and_cuda_are_clear_errors(tmp_path, capsys):
    code, _, stderr = run(capsys, "train", "--data-root", tmp_path, "--out", tmp_path / "o")
    assert code == 2 and "not found" in stderr and "train-images-idx3-ubyte" in stderr
    code, _, stderr = run(capsys, "train", "--device", "cuda", "--out", tmp_path / "o")
    assert code == 2 and "cuda" in stderr


# ---- eval and info --------------------------------------------------------------------------
def test_eval_prints_accuracy_and_a_confusion_matrix(trained, data_root, capsys):
    code, stdout, stderr = run(capsys, "eval", "--checkpoint", trained / "checkpoint.npz",
                               "--data-root", data_root)
    assert code == 0, stderr
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", stdout).group(1)) / 100
    assert accuracy == pytest.approx(_metrics(trained)["epochs"][-1]["test_accuracy"], abs=1e-4)
    rows = [line for line in stdout.splitlines() if re.match(r"^\d \S", line)]
    matrix = np.array([[int(v) for v in line.split()[-11:-1]] for line in rows])
    assert matrix.shape == (CLASSES, CLASSES)
    _, labels = _test_split(data_root)
    np.testing.assert_array_equal(matrix.sum(1), np.bincount(labels, minlength=CLASSES))
    assert np.trace(matrix) / N_TEST == pytest.approx(accuracy, abs=1e-4)
    assert "T-shirt/top" in stdout and "Ankle boot" in stdout


def test_info_lists_ops_implementations_and_datasets(capsys):
    code, stdout, _ = run(capsys, "info")
    assert code == 0
    line = next(line for line in stdout.splitlines() if line.split()[:1] == ["conv2d"])
    for name in minigrad.implementations("conv2d"):
        assert name in line
    assert line.count("*") == 1
    for word in ("numpy", "numba", "python", "cuda", "fashion-mnist", "mnist"):
        assert word in stdout


# ---- the library parts, from Python ---------------------------------------------------------
def test_evaluate_and_confusion_matrix_against_numpy():
    rng = np.random.default_rng(3)
    layer = minigrad.nn.Linear(4, 3)
    x = rng.standard_normal((50, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=50)
    batches = [(minigrad.tensor(x[i:i + 16]), minigrad.tensor(y[i:i + 16]))
               for i in range(0, 50, 16)]
    result = evaluate(layer, batches, num_classes=3)
    logits = x @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    predicted = logits.argmax(1)
    shifted = logits - logits.max(1, keepdims=True)
    nll = -(shifted[np.arange(50), y] - np.log(np.exp(shifted).sum(1)))
    assert result.accuracy == pytest.approx(np.mean(predicted == y))
    assert result.loss == pytest.approx(nll.mean(), rel=1e-5)
    expected = np.zeros((3, 3), int)
    for t, p in zip(y, predicted):
        expected[t, p] += 1
    np.testing.assert_array_equal(result.confusion, expected)
    assert layer.training  # the mode is restored


def test_confusion_matrix_by_hand():
    m = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3)
    np.testing.assert_array_equal(m, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    text = format_confusion(m, ["a", "b", "c"])
    assert "66.7%" in text.splitlines()[3]  # class c: 2 of 3
    with pytest.raises(ValueError, match="predictions"):
        confusion_matrix(np.array([0]), np.array([3]), 3)


def test_plot_is_skipped_with_a_note_without_matplotlib(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    row = {"epoch": 1, "train_loss": 1.0, "test_loss": 1.1, "train_accuracy": 0.5,
           "test_accuracy": 0.4}
    assert plot_curves([row], tmp_path / "curve.png") is False
    assert "matplotlib is not installed" in capsys.readouterr().err
    assert not (tmp_path / "curve.png").exists()


def test_profile_prints_the_first_epochs_ops(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, *train_args(data_root, out, "--epochs", "2", "--device",
                                                   "cpu", "--profile", "--no-progress"))
    assert code == 0, stderr
    assert stdout.count("Profile of epoch") == 1  # the first epoch only
    assert f"Profile of epoch 1's training steps ({STEPS_PER_EPOCH} steps" in stdout
    table = stdout[stdout.index("Profile of epoch"):stdout.index("Self time total")]
    # LeNet-5 has two conv and two pooling layers: two calls each per step, forward and
    # backward, with the implementation that ran.
    for op in ("conv2d", "max_pool2d"):
        impl = minigrad.dispatch.lookup(op, "cpu")[0]
        for name in (op, f"{op} backward"):
            assert re.search(rf"^{name}\s+{impl}\s+cpu\s+.*\s{2 * STEPS_PER_EPOCH}$", table,
                             re.M), name
    assert re.search(rf"^cross_entropy backward\s+\w+\s+cpu\s+.*\s{STEPS_PER_EPOCH}$", table,
                     re.M)
    # Sorted by self time, largest first.
    times = [float(m) for m in re.findall(r"^\S.*?\s(\d+\.\d+)%\s", table, re.M)]
    assert len(times) >= 8 and times == sorted(times, reverse=True)
    assert minigrad.profiler._active is None


# ---- recipes: SmallCNN's optimizer, schedule and augmentation -------------------------------
def smallcnn_args(root, out, *extra):
    return ["train", "--model", "smallcnn", "--data-root", root, "--batch-size", BATCH,
            "--out", out, "--no-progress", *extra]


def test_smallcnn_trains_with_its_recipe(data_root, tmp_path, capsys):
    from minigrad.models import get_recipe
    recipe = get_recipe("smallcnn")
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, *smallcnn_args(data_root, out, "--epochs", "2"))
    assert code == 0, stderr
    assert "nesterov" in stdout and "cosine schedule" in stdout and "augment flip" in stdout
    ckpt = minigrad.load(out / "checkpoint.npz")
    config = ckpt["config"]
    for key in ("optimizer", "lr", "momentum", "nesterov", "weight_decay", "scheduler",
                "augment"):
        assert config[key] == recipe[key], key
    assert config["batch_size"] == BATCH and config["epochs"] == 2  # the options win
    # Cosine annealing over the run's 2 epochs, stepped after each: lr0, then lr0/2 (the
    # cosine's midpoint), then 0 after the last.
    lrs = [row["lr"] for row in _metrics(out)["epochs"]]
    assert lrs == pytest.approx([recipe["lr"], recipe["lr"] / 2])
    assert ckpt["scheduler"]["last_epoch"] == 2
    assert ckpt["optimizer"]["param_groups"][0]["lr"] == pytest.approx(0, abs=1e-12)
    assert ckpt["optimizer"]["param_groups"][0]["nesterov"] is True
    assert "features.1.weight" in (out / "model_graph.dot").read_text()  # a BatchNorm's


def test_interrupted_augmented_run_resumes_exactly(data_root, tmp_path, capsys, monkeypatch):
    """Augmentation and dropout draw from minigrad's generator and the schedule has a
    state: an interrupted and resumed run must still compute what a straight one does."""
    straight, out = tmp_path / "straight", tmp_path / "interrupted"
    options = ("--epochs", "2", "--augment", "crop,flip")  # both random augmentations
    assert run(capsys, *smallcnn_args(data_root, straight, *options))[0] == 0
    _interrupting_step(monkeypatch, STEPS_PER_EPOCH + 3, _raise)
    assert run(capsys, *smallcnn_args(data_root, out, *options))[0] == 130
    monkeypatch.undo()
    ckpt = minigrad.load(out / "checkpoint.npz")
    assert ckpt["progress"]["steps"] == 2 and ckpt["scheduler"]["last_epoch"] == 1
    code, _, stderr = run(capsys, "train", "--resume", "--augment", "flip", "--out", out,
                          "--data-root", data_root)
    assert code == 2 and "--augment flip" in stderr and "crop,flip" in stderr
    code, stdout, stderr = run(capsys, "train", "--resume", "--out", out, "--data-root",
                               data_root, "--no-progress")
    assert code == 0, stderr
    rows, reference = _metrics(out)["epochs"], _metrics(straight)["epochs"]
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr"):
        assert [r[key] for r in rows] == pytest.approx([r[key] for r in reference], rel=1e-5)
    a, b = _weights(out / "checkpoint.npz"), _weights(straight / "checkpoint.npz")
    for key in b:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-4, atol=1e-5, err_msg=key)


def test_options_override_the_recipe():
    from minigrad.models import get_recipe
    from minigrad.train.recipe import DEFAULTS, resolve
    recipe = get_recipe("smallcnn")

    def config(**given):
        return resolve({"model": "smallcnn", **given}, recipe)
    assert config()["lr"] == recipe["lr"] and config()["epochs"] == recipe["epochs"]
    assert config(lr=0.1)["lr"] == 0.1 and config(lr=0.1)["nesterov"] is True
    # Another optimizer: the recipe's lr, momentum and weight decay were SGD's, not its.
    adam = config(optimizer="adam")
    assert (adam["lr"], adam["momentum"], adam["nesterov"], adam["weight_decay"]) == (
        1e-3, 0.0, False, 0.0)
    assert adam["scheduler"] == "cosine" and adam["augment"] == recipe["augment"]
    assert config(momentum=0.0)["nesterov"] is False  # Nesterov needs momentum
    assert config(augment="flip,crop")["augment"] == "crop,flip"  # applied in a fixed order
    assert config(augment="none", scheduler="none")["augment"] == "none"
    with pytest.raises(ValueError, match="--momentum applies to --optimizer sgd only"):
        config(optimizer="adamw", momentum=0.5)
    lenet = resolve({"model": "lenet5"}, {})
    assert {k: lenet[k] for k in DEFAULTS} == {**DEFAULTS, "model": "lenet5"}
    assert lenet["lr"] == 1e-3 and lenet["nesterov"] is False


def test_bad_augment_is_a_clear_error_before_training(data_root, tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, *smallcnn_args(data_root, out, "--augment", "crop,rotate"))
    assert code == 2 and "unknown augmentation 'rotate'" in stderr and "crop, flip" in stderr
    assert not out.exists() and "Training" not in stdout


def test_augmented_batches_equal_the_per_sample_torchvision_pipeline(data_root):
    """load_split's batched augmentation draws what torchvision's per-sample
    Compose([RandomCrop(28, padding=2), RandomHorizontalFlip(), Normalize]) would."""
    from minigrad.data import FashionMNIST
    from minigrad.data import transforms as T
    from minigrad.train import data as datasets
    augmented = datasets.load_split("fashion-mnist", data_root, train=True,
                                    augment=["crop", "flip"])
    assert augmented.transform.batchable  # applied once per batch
    per_sample = FashionMNIST(root=data_root, train=True, transform=T.Compose([
        T.RandomCrop(28, padding=2), T.RandomHorizontalFlip(),
        T.Normalize((FASHION_MEAN,), (FASHION_STD,))]))
    plain = datasets.load_split("fashion-mnist", data_root, train=True)
    indices = list(range(40))
    minigrad.manual_seed(7)
    got = augmented.get_batch(indices)[0].numpy()
    minigrad.manual_seed(7)
    expected = np.stack([per_sample[i][0].numpy() for i in indices])
    np.testing.assert_array_equal(got, expected)
    unchanged = np.all(got == plain.get_batch(indices)[0].numpy(), axis=(1, 2, 3))
    assert 0 < unchanged.sum() < 10  # most images are moved or mirrored; a few draw neither
    with pytest.raises(ValueError, match="test split"):
        datasets.load_split("fashion-mnist", data_root, train=False, augment=["flip"])
