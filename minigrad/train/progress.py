"""The per-epoch progress bar: tqdm when it is installed, a few plain lines otherwise."""
from __future__ import annotations

import sys
import time
from typing import TextIO

from .loop import EpochStats


def _postfix(stats: EpochStats) -> str:
    return (f"loss={stats.loss:.4f} acc={stats.accuracy:.2%} "
            f"img/s={stats.images_per_s:,.0f}")


class Progress:
    """One epoch's bar: ``update(stats)`` after each step, ``close(note)`` at the end.

    With tqdm: a bar of batches showing the running loss, accuracy and images/s (tqdm
    redraws at most ten times a second, so a step costs a few microseconds). Without
    it: a line at every tenth of the epoch. ``enabled=False`` shows nothing.

    The loss and accuracy are read at most every ``POSTFIX_S`` seconds and at the last
    step: on cuda reading them copies the steps' values from the GPU and waits for it.
    """

    POSTFIX_S = 0.5

    def __init__(self, total: int, initial: int, desc: str, enabled: bool = True,
                 file: TextIO | None = None) -> None:
        self.total, self.desc, self.enabled = total, desc, enabled
        self.file = file if file is not None else sys.stderr
        self._bar = None
        self._next_line = initial + max(1, total // 10)
        self._last: EpochStats | None = None
        self._postfix_at = 0.0
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            print(f"{desc}: {total} batches (install tqdm for a progress bar)", file=self.file)
            return
        self._bar = tqdm(total=total, initial=initial, desc=desc, unit="batch",
                         dynamic_ncols=True, leave=True, file=self.file)

    def update(self, stats: EpochStats) -> None:
        self._last = stats
        if not self.enabled:
            return
        if self._bar is not None:
            now = time.monotonic()
            if now >= self._postfix_at or stats.steps >= self.total:
                self._postfix_at = now + self.POSTFIX_S
                self._bar.set_postfix_str(_postfix(stats), refresh=False)
            self._bar.update(1)
        elif stats.steps >= self._next_line or stats.steps == self.total:
            self._next_line = stats.steps + max(1, self.total // 10)
            print(f"{self.desc}: {stats.steps}/{self.total} {_postfix(stats)}", file=self.file)

    def close(self, note: str = "") -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            if note and self._last is not None:
                self._bar.set_postfix_str(f"{_postfix(self._last)} {note}", refresh=False)
            self._bar.close()
        elif note:
            print(f"{self.desc}: {note}", file=self.file)
