"""Devices, and moving arrays between them.

``cpu`` is always there: a tensor's storage is a NumPy array. ``cuda`` is there when
Numba's CUDA target finds a GPU (or runs its simulator, ``NUMBA_ENABLE_CUDASIM=1``): the
storage is a C-contiguous Numba device array. Every copy between the two goes through
:func:`to_device` and :func:`to_host`, so a training step's transfers can be counted.

A :class:`Device` compares equal to its name, so ``t.device == "cpu"`` works. minigrad
uses one GPU: ``"cuda"`` and ``"cuda:0"`` are the same device; other indices are refused.
"""
from __future__ import annotations

import numpy as np


class Device:
    """A device, as ``torch.device``: ``Device("cpu")``, ``Device("cuda")``,
    ``Device("cuda:0")`` or ``Device("cuda", 0)`` (all one GPU: minigrad uses index 0
    only, ValueError for others). Making one checks no availability, as PyTorch:
    using it (``t.to(d)``, ``device=d``) does."""
    __slots__ = ("type",)

    def __init__(self, type: "str | Device", index: int | None = None):
        if isinstance(type, Device):
            type = type.type
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string such as 'cpu' or 'cuda', got "
                            f"{type.__class__.__name__}")
        name, colon, text = type.partition(":")
        if colon:
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index "
                                   "was passed explicitly: " + type)
            if not text.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(text)
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)
                                  or index != 0):
            raise ValueError(f"device: minigrad uses one device of each type, index 0; got "
                             f"index {index!r}")
        self.type = name

    @property
    def index(self) -> int | None:
        return 0 if self.type == "cuda" else None

    def __eq__(self, other) -> bool:
        if isinstance(other, Device):
            return other.type == self.type
        if isinstance(other, str):
            return other == self.type or (self.type == "cuda" and other == "cuda:0")
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.type)

    def __str__(self) -> str:
        return "cuda:0" if self.type == "cuda" else self.type

    def __repr__(self) -> str:
        return "device(type='cuda', index=0)" if self.type == "cuda" else f"device(type='{self.type}')"

    # ``with minigrad.device("cuda"):`` makes it the default device inside the block
    # (see set_default_device), as ``with torch.device("cuda"):``.
    def __enter__(self) -> "Device":
        _default_stack.append(get_default_device())
        set_default_device(self)
        return self

    def __exit__(self, *exc) -> None:
        set_default_device(_default_stack.pop())


CPU = Device("cpu")
CUDA = Device("cuda")


def cuda_available() -> bool:
    """True when Numba's CUDA target has a GPU, or its simulator, to run on.

    numba.cuda is imported only here and by the CUDA kernels, so the CPU side never
    loads it (nor needs a driver)."""
    try:
        from numba import cuda
    except ImportError:  # numba-cuda not installed
        return False
    try:
        available = bool(cuda.is_available())
    except Exception:  # a broken driver install is "no GPU", not a crash at import
        return False
    if available:
        # The allocator must be chosen before the first CUDA context is made.
        from .cuda_pool import install
        install()
    return available


_NO_CUDA = ("device 'cuda' is not available: Numba's CUDA target found no GPU (check "
            "`nvidia-smi` and that numba-cuda is installed; minigrad.cuda.is_available() "
            "says False). Use device='cpu', or NUMBA_ENABLE_CUDASIM=1 for Numba's simulator")


def device(spec: "str | Device | None") -> Device:
    """Parse a device argument ("cpu", "cuda", "cuda:0", a Device, None -> cpu); a cuda
    device where there is no GPU is a RuntimeError saying so."""
    if spec is None:
        return CPU
    if isinstance(spec, Device):
        spec = spec.type
    if not isinstance(spec, str):
        raise TypeError(f"device: expected a string such as 'cpu' or 'cuda', or a minigrad.device, "
                        f"got {type(spec).__name__}")
    name, _, index = spec.partition(":")
    if name == "cpu" and not index:
        return CPU
    if name == "cuda":
        if index not in ("", "0"):
            raise ValueError(f"device: minigrad uses one GPU, 'cuda' or 'cuda:0'; got {spec!r}")
        if not cuda_available():
            raise RuntimeError(_NO_CUDA)
        return CUDA
    raise ValueError(f"device: expected 'cpu' or 'cuda', got {spec!r}")


# ---- the default device (torch.set_default_device) ------------------------------

_default = CPU
# Devices used as ``with minigrad.device("cuda"):`` blocks, innermost last: each entry
# is the default device to restore when that block ends.
_default_stack: list = []


def set_default_device(spec: "str | Device | None") -> None:
    """Make ``spec`` the device that creation functions (``zeros``, ``randn``,
    ``tensor``, ``linspace``...) use when they are given no ``device=``, as
    ``torch.set_default_device``; None restores "cpu".

    Differences from PyTorch: a cuda device where there is no GPU is refused here, at
    once (RuntimeError), not at the first tensor made; and only the creation functions
    of :mod:`minigrad.creation` follow it (PyTorch's layers follow it too, through
    their factory calls)."""
    global _default
    _default = CPU if spec is None else device(spec)


def get_default_device() -> Device:
    """The device creation functions use when given none (``torch.get_default_device``)."""
    return _default


def device_or_default(spec: "str | Device | None") -> Device:
    """Parse a creation function's ``device=`` argument: None means the default device."""
    return _default if spec is None else device(spec)


def is_device_array(array) -> bool:
    """True for a Numba device array (real, or the simulator's)."""
    return not isinstance(array, np.ndarray) and hasattr(array, "copy_to_host")


def device_of(array) -> Device:
    return CPU if isinstance(array, np.ndarray) or not hasattr(array, "copy_to_host") else CUDA


class _Transfers:
    """How many copies each way have been made (the tests watch a training step)."""
    __slots__ = ("host_to_device", "device_to_host")

    def __init__(self):
        self.host_to_device = 0
        self.device_to_host = 0


transfers = _Transfers()


def to_device(array: np.ndarray):
    """A C-contiguous device copy of a host array."""
    from numba import cuda
    transfers.host_to_device += 1
    # Not np.ascontiguousarray: it turns a 0-d array into a 1-d one.
    return cuda.to_device(np.asarray(array, order="C"))


def to_host(array) -> np.ndarray:
    """A host (NumPy) copy of a device array; a host array is returned as it is.

    Raises the error a kernel recorded in the error word since the last copy, if any
    (see :func:`error_word`): the copy has waited for every kernel queued before it."""
    if isinstance(array, np.ndarray):
        return array
    transfers.device_to_host += 1
    out = array.copy_to_host()
    if _errors.armed:
        _errors.raise_recorded()
    return out


# ---- errors that only a kernel can see --------------------------------------------


class _ErrorWord:
    """The GPU's error word: int64[5], a code (0: no error) and four values.

    A kernel cannot raise, and a check of values that live on the GPU (class indices)
    would cost a copy back and a wait if the host made it. So the kernel records the
    first bad value it meets here, and the host reads the word at the next copy to the
    host, which waits for the kernels anyway: one more 40-byte copy, made only when a
    checking kernel ran since the last read (not counted in :data:`transfers`, which
    counts tensors' copies). The word is zeroed again before the error is raised, so work
    can go on (PyTorch's device-side asserts leave the CUDA context unusable)."""

    __slots__ = ("array", "armed", "makers")

    def __init__(self):
        self.array = None   # the device array, made on first use
        self.armed = False  # a checking kernel was queued since the word was last read
        self.makers = {}    # code -> make(v1, v2, v3, v4) -> the exception to raise

    def raise_recorded(self) -> None:
        self.armed = False
        word = self.array.copy_to_host()
        if word[0]:
            self.array.copy_to_device(np.zeros_like(word))
            raise self.makers[int(word[0])](*(int(v) for v in word[1:]))


_errors = _ErrorWord()


def register_error(code: int, make) -> None:
    """Declare error ``code`` of the error word: ``make(v1, v2, v3, v4)`` builds the
    exception raised when a kernel recorded it (with the four values it wrote)."""
    if code in _errors.makers and _errors.makers[code] is not make:
        raise ValueError(f"code: device error {code} is already registered")
    _errors.makers[code] = make


def error_word():
    """The GPU's error word (int64[5] on the device), armed: a kernel launched with it
    may record an error (``atomic.cas(word, 0, 0, code) == 0``, then write ``word[1:5]``),
    and the next :func:`to_host` or :func:`synchronize_errors` raises it."""
    if _errors.array is None:
        from numba import cuda
        _errors.array = cuda.to_device(np.zeros(5, np.int64))
    _errors.armed = True
    return _errors.array


def synchronize_errors() -> None:
    """Wait for the GPU's queued kernels and raise what they recorded in the error word
    (what ``torch.cuda.synchronize()`` reports as a device-side assert)."""
    if _errors.armed:
        _errors.raise_recorded()  # the copy waits for the kernels queued before it


def move(array, target: Device):
    """``array`` on ``target``: the same array when it is there already, else a copy."""
    if device_of(array) == target:
        return array
    return to_device(array) if target == CUDA else to_host(array)
