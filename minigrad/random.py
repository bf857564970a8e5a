"""The global random generator behind rand/randn, dropout masks, shuffling and
augmentation, with torch's seeding functions (``manual_seed``, ``seed``,
``initial_seed``)."""
from __future__ import annotations

import numpy as np


def _fresh_seed() -> int:
    # A non-deterministic 63-bit seed, as PyTorch draws its default one.
    return int(np.random.SeedSequence().entropy % 2**63)


_initial_seed = _fresh_seed()
_generator = np.random.default_rng(_initial_seed)


def manual_seed(seed: int) -> None:
    """Seed minigrad's global generator, as torch.manual_seed."""
    global _generator, _initial_seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected an int, got {type(seed).__name__}")
    _initial_seed = int(seed)
    _generator = np.random.default_rng(_initial_seed)


def seed() -> int:
    """Seed the global generator with a non-deterministic number and return it, as
    torch.seed."""
    s = _fresh_seed()
    manual_seed(s)
    return s


def initial_seed() -> int:
    """The seed the global generator was last seeded with, as torch.initial_seed."""
    return _initial_seed


def generator() -> np.random.Generator:
    return _generator


class Generator:
    """A random generator of its own, as ``torch.Generator``: for ``random_split``,
    ``DataLoader(generator=...)`` and samplers that should not share the global stream.
    ``Generator().manual_seed(42)`` returns the generator, as PyTorch's does.

    Differences from PyTorch: NumPy's PCG64 underneath, so the numbers differ from
    torch's for the same seed; no ``get_state``/``set_state``; ``device`` must be "cpu".
    """

    def __init__(self, device="cpu") -> None:
        if str(device) != "cpu":
            raise RuntimeError(f"Generator: only the CPU generator is supported, got "
                               f"device={device!r}")
        self.device = "cpu"
        self._initial_seed = _fresh_seed()
        self._rng = np.random.default_rng(self._initial_seed)

    def manual_seed(self, seed: int) -> "Generator":
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed: expected an int, got {type(seed).__name__}")
        self._initial_seed = int(seed)
        self._rng = np.random.default_rng(self._initial_seed)
        return self

    def seed(self) -> int:
        s = _fresh_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._initial_seed
