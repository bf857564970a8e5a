"""Checkpoints: ``minigrad.save(obj, f)`` and ``minigrad.load(f)``, as .npz files, no pickles.

What can be saved: nested dicts (string or int keys), lists and tuples of minigrad
Tensors, NumPy arrays and scalars, Python ints, floats, bools, None and strings; e.g.
``{"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3,
"metrics": {"loss": [0.9, 0.5]}}``.

The file format (version 1) is an ordinary NumPy .npz archive (a zip of .npy files):

- every Tensor, array and NumPy scalar is one entry, named after its key path joined by
  "/" (``model/conv1.weight``, ``optimizer/state/0/exp_avg``); where a key holds
  characters outside ``[A-Za-z0-9_.-]`` or names clash, the entry gets another unique
  name (the metadata says which);
- the entry ``__minigrad_checkpoint__`` is the metadata: UTF-8 JSON stored as a uint8
  array, ``{"format": "minigrad.checkpoint", "version": 1, "root": NODE}``, where a NODE
  is ``{"type": "dict", "items": [[key, NODE], ...]}`` (a key is a JSON string or
  int), ``{"type": "list" | "tuple", "items": [NODE, ...]}``, ``{"type": "none"}``,
  ``{"type": "bool" | "int" | "float" | "str", "value": ...}``,
  ``{"type": "tensor", "entry": NAME, "requires_grad": bool}``, or
  ``{"type": "ndarray" | "numpy_scalar", "entry": NAME}``.

Nothing is ever pickled: entries are written with ``allow_pickle=False`` and read with
``np.load(..., allow_pickle=False)``, so loading a file cannot run code. Object arrays are
refused when saving. The file is written atomically: into a temporary file in the same
directory, flushed and fsync'ed, then renamed over the target with ``os.replace``, so an
interrupted save (an exception, Ctrl-C, a crash) leaves the previous checkpoint intact.

Differences from ``torch.save``/``torch.load``: ``f`` is a path (no file objects); the
file is written at exactly that path whatever its extension (``.pt`` is fine); dict
subclasses (OrderedDict) come back as plain dicts (order kept), Parameters as plain
Tensors (``requires_grad`` kept); an object that appears twice is stored twice and comes
back as two copies.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
import zipfile
from numbers import Integral
from typing import Any

import numpy as np

from .arrays import move, to_host
from .device import CPU, device as as_device
from .tensor import Tensor

FORMAT = "minigrad.checkpoint"
VERSION = 1
META_ENTRY = "__minigrad_checkpoint__"

# Array kinds that .npy stores without pickling: bool, ints, floats, complex, strings,
# bytes, datetimes. Object ("O") and structured ("V") arrays are refused.
_ARRAY_KINDS = "biufcUSMm"
_SAFE_COMPONENT = re.compile(r"[A-Za-z0-9_.\-]+")
_TENSOR_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.bool_))


def _show(path: tuple) -> str:
    """A key path as people read it: 'optimizer/state/0/exp_avg' ('<root>' for the top)."""
    return "/".join(str(k) for k in path) if path else "<root>"


# ---- save -----------------------------------------------------------------------------
class _Encoder:
    """Turns an object into the metadata tree and a {entry name: array} dict."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._active: set[int] = set()  # containers on the current path (cycle check)

    def _entry(self, path: tuple, array: np.ndarray) -> str:
        parts = [str(k) for k in path]
        readable = bool(parts) and all(_SAFE_COMPONENT.fullmatch(p) and p not in (".", "..")
                                       for p in parts)
        # "~" is not in _SAFE_COMPONENT, so the fallback names never meet a readable one.
        base = "/".join(parts) if readable else "_entry"
        name, n = (base if readable else base + "~0"), 0
        while name in self.arrays or name == META_ENTRY:
            n += 1
            name = f"{base}~{n}"
        self.arrays[name] = array
        return name

    def encode(self, obj: Any, path: tuple) -> dict:
        # NumPy first: np.float64 is also a Python float, and should come back as itself.
        if isinstance(obj, (np.ndarray, np.generic)):
            array = np.asarray(obj)
            if array.dtype.kind not in _ARRAY_KINDS or array.dtype.names is not None:
                raise TypeError(f"save: the array at key {_show(path)!r} has dtype {array.dtype}, "
                                "which cannot be stored without pickling (expected bool, "
                                "numbers or strings)")
            kind = "ndarray" if isinstance(obj, np.ndarray) else "numpy_scalar"
            return {"type": kind, "entry": self._entry(path, array)}
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, bool):
            return {"type": "bool", "value": obj}
        if isinstance(obj, int):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, float):
            return {"type": "float", "value": float(obj)}
        if isinstance(obj, str):
            return {"type": "str", "value": str(obj)}
        if isinstance(obj, Tensor):
            # A cuda tensor is saved from a host copy; it loads on the CPU (see load).
            return {"type": "tensor", "entry": self._entry(path, to_host(obj._array)),
                    "requires_grad": bool(obj.requires_grad)}
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self._active:
                raise ValueError(f"save: the object at key {_show(path)!r} contains itself")
            self._active.add(id(obj))
            try:
                if isinstance(obj, dict):
                    return {"type": "dict",
                            "items": [[self._key(k, path), self.encode(v, path + (k,))]
                                      for k, v in obj.items()]}
                return {"type": "tuple" if isinstance(obj, tuple) else "list",
                        "items": [self.encode(v, path + (i,)) for i, v in enumerate(obj)]}
            finally:
                self._active.discard(id(obj))
        raise TypeError(f"save: cannot save the {type(obj).__module__}.{type(obj).__qualname__} "
                        f"at key {_show(path)!r}; expected dicts, lists, tuples, Tensors, NumPy "
                        "arrays, numbers, bools, None or strings")

    @staticmethod
    def _key(key: Any, path: tuple) -> str | int:
        if isinstance(key, str):
            return key
        if isinstance(key, Integral) and not isinstance(key, (bool, np.bool_)):
            return int(key)
        raise TypeError(f"save: the dict at key {_show(path)!r} has a key {key!r} of type "
                        f"{type(key).__name__}; expected str or int keys")


def _write_npz(file, arrays: dict[str, np.ndarray]) -> None:
    """What np.savez does, but with allow_pickle=False and without its keyword clash
    (an entry called 'file' or 'allow_pickle' would collide with savez's arguments)."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            with zf.open(name + ".npy", mode="w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)


def _new_file_mode(path: str) -> int:
    """Keep an existing checkpoint's permissions; a new one gets the usual 0o666 & ~umask
    (a temporary file is created 0o600)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        pass
    umask = None
    try:  # Linux tells the umask without changing it (os.umask is a race between threads)
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    if umask is None:
        umask = os.umask(0)
        os.umask(umask)
    return 0o666 & ~umask


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories can't be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _as_path(f: Any, fn: str) -> str:
    try:
        path = os.fspath(f)
    except TypeError:
        raise TypeError(f"{fn}: f: expected a path (str or os.PathLike), got "
                        f"{type(f).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return path


def save(obj: Any, f: str | os.PathLike) -> None:
    """Save ``obj`` (nested dicts/lists/tuples of Tensors, arrays, numbers, strings) to
    the file ``f``, atomically (see the module docstring for the format).

    Raises:
        TypeError: an object or dict key that cannot be saved, naming its key path
            (nothing is written then).
        ValueError: a container that contains itself.
        FileNotFoundError: the directory of ``f`` does not exist.
    """
    path = _as_path(f, "save")
    encoder = _Encoder()
    # Encode everything before touching the disk: a bad object leaves no file behind.
    root = encoder.encode(obj, ())
    meta = json.dumps({"format": FORMAT, "version": VERSION, "root": root},
                      ensure_ascii=False, separators=(",", ":"))
    arrays = dict(encoder.arrays)
    arrays[META_ENTRY] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: the directory {directory!r} (for {path!r}) does not exist")
    mode = _new_file_mode(path)
    tmp = tempfile.NamedTemporaryFile(mode="wb", dir=directory, delete=False,
                                      prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with tmp:
            _write_npz(tmp, arrays)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp.name, mode)
        os.replace(tmp.name, path)
    except BaseException:  # KeyboardInterrupt too: never leave the temporary behind
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    _fsync_directory(directory)


# ---- load -----------------------------------------------------------------------------
class _Decoder:
    """Rebuilds the object from the metadata tree, reading each entry once."""

    def __init__(self, npz, path: str, device=CPU) -> None:
        self.device = device
        self.npz = npz
        self.path = path
        self.available = set(npz.files)
        self.used: set[str] = set()

    def corrupted(self, what: str) -> ValueError:
        return ValueError(f"{self.path!r} is corrupted: {what}")

    def array(self, node: dict, key: tuple) -> np.ndarray:
        name = node.get("entry")
        if not isinstance(name, str):
            raise self.corrupted(f"bad metadata at key {_show(key)!r} (no entry name)")
        if name not in self.available:
            raise self.corrupted(f"no array for key {_show(key)!r} (entry {name!r} is missing)")
        if name in self.used:
            raise self.corrupted(f"entry {name!r} is used twice (at key {_show(key)!r})")
        self.used.add(name)
        try:
            return self.npz[name]
        except Exception as e:  # BadZipFile (CRC), object arrays, truncated data, ...
            raise self.corrupted(f"cannot read the array for key {_show(key)!r}: {e}") from e

    def decode(self, node: Any, key: tuple) -> Any:
        kind = node.get("type") if isinstance(node, dict) else None
        if kind == "none":
            return None
        if kind in ("bool", "int", "float", "str"):
            value = node.get("value")
            ok = {"bool": lambda v: isinstance(v, bool),
                  "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                  "str": lambda v: isinstance(v, str)}[kind](value)
            if not ok:
                raise self.corrupted(f"bad {kind} value {value!r} at key {_show(key)!r}")
            return float(value) if kind == "float" else value
        if kind == "dict":
            items = node.get("items")
            if not isinstance(items, list) or not all(
                    isinstance(it, list) and len(it) == 2 and isinstance(it[0], (str, int))
                    and not isinstance(it[0], bool) for it in items):
                raise self.corrupted(f"bad dict metadata at key {_show(key)!r}")
            return {k: self.decode(v, key + (k,)) for k, v in items}
        if kind in ("list", "tuple"):
            items = node.get("items")
            if not isinstance(items, list):
                raise self.corrupted(f"bad {kind} metadata at key {_show(key)!r}")
            values = [self.decode(v, key + (i,)) for i, v in enumerate(items)]
            return tuple(values) if kind == "tuple" else values
        if kind == "tensor":
            array = self.array(node, key)
            if array.dtype not in _TENSOR_DTYPES:
                raise self.corrupted(f"the tensor at key {_show(key)!r} has dtype {array.dtype}; "
                                     "expected float32, float64, int64 or bool")
            t = Tensor._wrap(move(array, self.device))
            if node.get("requires_grad") is True and array.dtype.kind == "f":
                t.requires_grad_(True)
            return t
        if kind == "ndarray":
            return self.array(node, key)
        if kind == "numpy_scalar":
            array = self.array(node, key)
            if array.ndim != 0:
                raise self.corrupted(f"the NumPy scalar at key {_show(key)!r} has shape {array.shape}")
            return array[()]
        raise self.corrupted(f"bad metadata at key {_show(key)!r} (unknown node {node!r:.80})")


def _read_metadata(npz, path: str) -> dict:
    if META_ENTRY not in npz.files:
        raise ValueError(f"{path!r} is not a minigrad checkpoint: it is an .npz archive without "
                         f"the {META_ENTRY!r} entry (entries: {sorted(npz.files)[:10]})")
    try:
        raw = npz[META_ENTRY]
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError(f"expected a 1-d uint8 array, got {raw.dtype} of shape {raw.shape}")
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except Exception as e:
        raise ValueError(f"{path!r} is corrupted: cannot read its metadata: {e}") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "root" not in meta:
        raise ValueError(f"{path!r} is corrupted: its metadata is not a minigrad checkpoint header")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{path!r} is corrupted: bad format version {version!r}")
    if version > VERSION:
        raise ValueError(f"{path!r} was written in checkpoint format version {version}; this "
                         f"minigrad reads versions up to {VERSION} (upgrade minigrad)")
    return meta


def load(f: str | os.PathLike, map_location: Any = None, *, weights_only: bool = True) -> Any:
    """Load what :func:`save` wrote: the same structure, Tensors back as minigrad Tensors
    (``requires_grad`` as saved), arrays as arrays, numbers and strings as they were.

    ``map_location`` names the device the tensors load on: None or "cpu" (the
    default), or "cuda" where there is a GPU. ``weights_only`` is accepted
    for compatibility with ``torch.load`` and has no effect: a minigrad checkpoint never
    holds pickled objects, so loading one is always safe.

    Raises:
        FileNotFoundError: no file at ``f``.
        ValueError: the file is not a minigrad checkpoint, is truncated or corrupted
            (named with the key whose array is missing or unreadable), or was written by
            a newer format version.
    """
    path = _as_path(f, "load")
    device = as_device(map_location)
    if not isinstance(weights_only, bool):
        raise TypeError(f"load: weights_only: expected a bool, got {type(weights_only).__name__}")
    with open(path, "rb") as fh:  # FileNotFoundError / IsADirectoryError name the path
        try:
            npz = np.load(fh, allow_pickle=False)
        except Exception as e:  # garbage, pickles, truncated zips, empty files
            raise ValueError(f"{path!r} is not a minigrad checkpoint or is corrupted "
                             f"(not a readable .npz archive: {e})") from e
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise ValueError(f"{path!r} is not a minigrad checkpoint: it holds a single .npy "
                             "array, not an .npz archive")
        with npz:
            meta = _read_metadata(npz, path)
            decoder = _Decoder(npz, path, device)
            obj = decoder.decode(meta["root"], ())
            extra = decoder.available - decoder.used - {META_ENTRY}
            if extra:
                raise ValueError(f"{path!r} is corrupted: entries {sorted(extra)[:10]} are not "
                                 "described by its metadata")
    return obj
