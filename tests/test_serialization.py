"""Checkpoints: minigrad.serialization.save/load (exported as minigrad.save/minigrad.load).

Round trips of nested structures, the documented .npz layout, atomic writes (an
interrupted save leaves the previous checkpoint intact and no temporary behind), and
clear errors for missing, truncated, corrupted, pickled or mismatched files.
"""
import json
import math
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import optim
from minigrad import serialization
from minigrad.serialization import load, save


def same(a, b):
    """Deep equality that also checks types, dtypes, NaNs and Tensor-ness."""
    if isinstance(a, minigrad.Tensor):
        return (type(b) is minigrad.Tensor and a._array.dtype == b._array.dtype
                and a.requires_grad == b.requires_grad
                and np.array_equal(a._array, b._array, equal_nan=a._array.dtype.kind == "f"))
    if isinstance(a, np.ndarray):
        return (type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, np.generic):
        return type(b) is type(a) and (a == b or (a != a and b != b))
    if isinstance(a, dict):
        return (type(b) is dict and list(a) == list(b)
                and all(type(k) is type(k2) for k, k2 in zip(a, b))
                and all(same(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)):
        return type(b) is type(a) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(b) is type(a) and a == b


def checkpoint():
    """A typical training checkpoint: model, optimizer (int keys), epoch, metrics."""
    rng = np.random.default_rng(0)
    model = OrderedDict([
        ("conv1.weight", minigrad.tensor(rng.standard_normal((6, 1, 5, 5)).astype(np.float32))),
        ("conv1.bias", minigrad.tensor(np.zeros(6, dtype=np.float32))),
        ("bn.num_batches_tracked", minigrad.tensor(7)),
        ("mask", minigrad.tensor([True, False])),
        ("scale", minigrad.tensor(2.5, dtype=minigrad.float64)),
    ])
    opt_state = {
        "state": {0: {"step": minigrad.tensor(3.0), "exp_avg": minigrad.zeros(6, 1, 5, 5),
                      "exp_avg_sq": minigrad.ones(6, 1, 5, 5)},
                  1: {"momentum_buffer": None}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "foreach": None,
                          "amsgrad": False, "params": [0, 1]}],
    }
    return {"model": model, "optimizer": opt_state, "epoch": 3,
            "metrics": {"loss": [2.3, 1.1, float("nan")], "acc": [0.5, float("inf")],
                        "best": np.float32(0.75), "count": np.int64(12)},
            "labels": np.array(["zero", "één"]), "raw": np.arange(6, dtype=np.uint8).reshape(2, 3),
            "note": "LeNet-5 ✓", "done": False, "big": 2 ** 80}


# ----------------------------------------------------------- round trips ----


def test_round_trip_of_a_training_checkpoint(tmp_path):
    obj = checkpoint()
    path = tmp_path / "ck.npz"
    save(obj, path)
    back = load(path)
    expected = dict(obj, model=dict(obj["model"]))  # OrderedDict comes back as a dict
    assert same(expected, back)
    assert list(back["model"]) == list(obj["model"])
    assert back["optimizer"]["state"][0]["step"].item() == 3.0
    # Loaded tensors are new arrays, not views of the saved ones.
    back["model"]["conv1.bias"]._array[0] = 1.0
    assert obj["model"]["conv1.bias"]._array[0] == 0.0


def test_requires_grad_is_kept(tmp_path):
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    save({"w": w, "c": minigrad.tensor([1.0])}, tmp_path / "w.npz")
    back = load(tmp_path / "w.npz")
    assert back["w"].requires_grad and back["w"].is_leaf and not back["c"].requires_grad


def test_layout_is_the_documented_npz(tmp_path):
    path = tmp_path / "ck.pt"  # written at exactly this name (no .npz appended)
    save(checkpoint(), path)
    assert os.listdir(tmp_path) == ["ck.pt"]
    with np.load(path, allow_pickle=False) as npz:
        names = set(npz.files)
        assert {"model/conv1.weight", "optimizer/state/0/exp_avg", "metrics/best",
                serialization.META_ENTRY} <= names
        np.testing.assert_array_equal(npz["model/conv1.bias"], np.zeros(6, dtype=np.float32))
        meta = json.loads(npz[serialization.META_ENTRY].tobytes().decode("utf-8"))
    assert meta["format"] == "minigrad.checkpoint" and meta["version"] == 1
    root = dict(meta["root"]["items"])
    assert root["epoch"] == {"type": "int", "value": 3}
    state = dict(dict(root["optimizer"]["items"])["state"]["items"])
    assert 0 in state and 1 in state  # int keys stay ints in the metadata


def test_awkward_keys_get_unique_entries(tmp_path):
    obj = {"a/b": minigrad.tensor([1.0]), "a": {"b": minigrad.tensor([2.0])}, "": np.ones(1),
           "..": np.zeros(1), 0: np.full(1, 3.0), "0": np.full(1, 4.0),
           serialization.META_ENTRY: np.full(1, 5.0), "file": np.full(1, 6.0),
           "allow_pickle": np.full(1, 7.0)}
    save(obj, tmp_path / "k.npz")
    assert same(obj, load(tmp_path / "k.npz"))


def test_scalars_and_top_level_values(tmp_path):
    for obj in (None, 3, -1.5, "text", [], {}, (1, (2.0, None)), minigrad.tensor(1.0),
                np.float64(2.0), np.bool_(True)):
        save(obj, tmp_path / "s.npz")
        assert same(obj, load(tmp_path / "s.npz")), obj


leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
    st.text(max_size=5),
    st.builds(lambda shape, seed, dt: minigrad.tensor(
        np.random.default_rng(seed).standard_normal(shape).astype(dt)),
        st.lists(st.integers(0, 3), max_size=3).map(tuple), st.integers(0, 99),
        st.sampled_from([np.float32, np.float64])),
    st.builds(lambda n, seed: np.random.default_rng(seed).integers(-5, 5, n).astype(np.int16),
              st.integers(0, 4), st.integers(0, 99)),
)
structures = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers(0, 5)), inner, max_size=3)),
    max_leaves=10)


@given(structures)
def test_round_trip_hypothesis(tmp_path_factory, obj):
    path = tmp_path_factory.mktemp("hyp") / "ck.npz"
    save(obj, path)
    assert same(obj, load(path))


def test_optimizer_and_scheduler_resume_from_a_checkpoint(tmp_path):
    def make(init):
        w = minigrad.tensor(init, requires_grad=True)
        opt = optim.Adam([w], lr=0.1)
        return w, opt, optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    def train(w, opt, sched, n):
        for _ in range(n):
            opt.zero_grad()
            ((w - 3.0) * (w - 3.0)).sum().backward()
            opt.step()
            sched.step()

    init = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    w_ref, *rest = make(init)
    train(w_ref, *rest, 6)

    w, opt, sched = make(init)
    train(w, opt, sched, 3)
    save({"w": w, "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "epoch": 3},
         tmp_path / "ck.npz")
    ck = load(tmp_path / "ck.npz")
    w2, opt2, sched2 = make(ck["w"]._array)
    opt2.load_state_dict(ck["optimizer"])
    sched2.load_state_dict(ck["scheduler"])
    train(w2, opt2, sched2, 3)
    np.testing.assert_array_equal(w2._array, w_ref._array)
    assert sched2.get_last_lr() == rest[1].get_last_lr()


# -------------------------------------------------------------- atomicity ----


def test_overwrite_replaces_and_keeps_usual_permissions(tmp_path):
    path = tmp_path / "ck.npz"
    save({"v": 1}, path)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask  # not the temp file's 0o600
    save({"v": 2}, path)
    assert load(path) == {"v": 2} and os.listdir(tmp_path) == ["ck.npz"]


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_interrupted_write_leaves_the_old_checkpoint(tmp_path, monkeypatch, exc):
    path = tmp_path / "ck.npz"
    old = checkpoint()
    save(old, path)
    before = path.read_bytes()
    calls = []
    real_write = np.lib.format.write_array

    def write_some_then_fail(fp, array, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # two entries are already in the temporary file
            raise exc
        return real_write(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_some_then_fail)
    with pytest.raises(type(exc)):
        save({"model": {"w": minigrad.ones(3), "b": minigrad.ones(2), "c": minigrad.ones(1)}},
             path)
    monkeypatch.undo()
    assert len(calls) == 3
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ck.npz"]
    assert same(dict(old, model=dict(old["model"])), load(path))


def test_failing_rename_leaves_the_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ck.npz"
    save({"epoch": 1}, path)

    def no_rename(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(OSError, match="rename failed"):
        save({"epoch": 2}, path)
    monkeypatch.undo()
    assert load(path) == {"epoch": 1} and os.listdir(tmp_path) == ["ck.npz"]


def test_data_reaches_the_disk_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    save({"x": np.ones(3)}, tmp_path / "ck.npz")
    assert events[:2] == ["fsync", "replace"]


# ------------------------------------------------------- refused at save ----


@pytest.mark.parametrize("obj,where", [
    ({"metrics": [1.0, 2.0, {3}]}, "metrics/2"),
    ({"model": {"w": np.array([1, "a", None], dtype=object)}}, "model/w"),
    ({"model": {"w": np.zeros(2, dtype=[("a", "f4")])}}, "model/w"),
    ({"f": print}, "'f'"),
    ({"opt": {(1, 2): 3}}, "'opt'"),
    ({"opt": {True: 3}}, "'opt'"),
    (object(), "<root>"),
])
def test_unsupported_objects_raise_type_error_naming_the_key(tmp_path, obj, where):
    path = tmp_path / "ck.npz"
    with pytest.raises(TypeError, match=where):
        save(obj, path)
    assert os.listdir(tmp_path) == []  # nothing written, no temporary left


def test_self_containing_structures_are_refused(tmp_path):
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        save({"a": loop}, tmp_path / "ck.npz")


def test_save_needs_an_existing_directory_and_a_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save({}, tmp_path / "missing" / "ck.npz")
    with pytest.raises(TypeError, match="expected a path"):
        save({}, 3)


# ------------------------------------------------------- refused at load ----


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load(tmp_path / "nope.npz")


@pytest.mark.parametrize("keep", [0, 10, 0.5, -1, -30])
def test_truncated_files_raise_value_error(tmp_path, keep):
    path = tmp_path / "ck.npz"
    save(checkpoint(), path)
    data = path.read_bytes()
    n = keep if isinstance(keep, int) and keep >= 0 else (
        int(len(data) * keep) if isinstance(keep, float) else len(data) + keep)
    path.write_bytes(data[:n])
    with pytest.raises(ValueError, match="not a minigrad checkpoint|corrupted"):
        load(path)


def test_garbage_and_pickles_are_refused(tmp_path):
    path = tmp_path / "ck.npz"
    path.write_bytes(np.random.default_rng(0).bytes(1000))
    with pytest.raises(ValueError, match="not a minigrad checkpoint"):
        load(path)
    with open(path, "wb") as f:
        pickle.dump({"model": np.ones(3)}, f)
    with pytest.raises(ValueError, match="not a minigrad checkpoint"):
        load(path)
    np.save(path.with_suffix(".npy"), np.ones(3))
    with pytest.raises(ValueError, match="single .npy array"):
        load(path.with_suffix(".npy"))
    np.savez(tmp_path / "plain.npz", w=np.ones(3))
    with pytest.raises(ValueError, match="not a minigrad checkpoint.*without"):
        load(tmp_path / "plain.npz")


def rewrite(path, drop=(), add=None, replace=None):
    """Copy the checkpoint's zip entries, leaving some out / adding or replacing some."""
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    for name in drop:
        del entries[name]
    entries.update(add or {})
    entries.update(replace or {})
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)


def npy_bytes(array, allow_pickle=False):
    import io
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def test_a_missing_array_is_named_by_its_key(tmp_path):
    path = tmp_path / "ck.npz"
    save(checkpoint(), path)
    rewrite(path, drop=["optimizer/state/0/exp_avg.npy"])
    with pytest.raises(ValueError, match="no array for key 'optimizer/state/0/exp_avg'"):
        load(path)


def test_pickle_only_content_is_refused_naming_the_key(tmp_path):
    path = tmp_path / "ck.npz"
    save({"model": {"w": np.ones(2)}}, path)
    evil = np.array([{"run": "code"}, None], dtype=object)
    rewrite(path, replace={"model/w.npy": npy_bytes(evil, allow_pickle=True)})
    with pytest.raises(ValueError, match="key 'model/w'.*allow_pickle"):
        load(path)


def test_a_corrupted_byte_is_named_by_its_key(tmp_path):
    path = tmp_path / "ck.npz"
    marker = np.full(32, 1234.5678, dtype=np.float64)
    save({"model": {"w": marker, "b": np.zeros(3)}}, path)
    data = bytearray(path.read_bytes())
    at = data.find(marker.tobytes())
    assert at > 0
    data[at + 100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupted: cannot read the array for key 'model/w'"):
        load(path)


def test_unexpected_entries_and_bad_metadata_are_refused(tmp_path):
    path = tmp_path / "ck.npz"
    save({"w": np.ones(2)}, path)
    rewrite(path, add={"extra.npy": npy_bytes(np.ones(1))})
    with pytest.raises(ValueError, match="'extra'.*not described"):
        load(path)

    def with_meta(meta_text):
        save({"w": np.ones(2)}, path)
        raw = np.frombuffer(meta_text.encode(), dtype=np.uint8)
        rewrite(path, replace={serialization.META_ENTRY + ".npy": npy_bytes(raw)})

    with_meta("{not json")
    with pytest.raises(ValueError, match="cannot read its metadata"):
        load(path)
    with_meta(json.dumps({"format": "minigrad.checkpoint", "version": 99, "root": {"type": "none"}}))
    with pytest.raises(ValueError, match="format version 99"):
        load(path)
    with_meta(json.dumps({"format": "minigrad.checkpoint", "version": 1,
                          "root": {"type": "dict", "items": [["w", {"type": "pickle"}]]}}))
    with pytest.raises(ValueError, match="bad metadata at key 'w'"):
        load(path)


def test_load_options(tmp_path):
    path = tmp_path / "ck.npz"
    save({"w": minigrad.ones(2)}, path)
    assert load(path, map_location="cpu", weights_only=True)["w"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="cuda"):
        load(path, map_location="cuda")
