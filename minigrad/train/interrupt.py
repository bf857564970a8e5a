"""Ctrl-C during training: stop at the end of the step, so the checkpoint is consistent."""
from __future__ import annotations

import signal
import sys
import threading
from typing import Any


class StopOnInterrupt:
    """Context manager that turns the first Ctrl-C (SIGINT) into a request to stop.

    The training loop asks ``stop()`` between steps: a Ctrl-C in the middle of an
    optimizer step (some parameters updated, others not) would otherwise leave a
    half-updated model to save. A second Ctrl-C raises KeyboardInterrupt at once, for
    when a step hangs. Outside the main thread (where Python allows no signal
    handlers) it does nothing and Ctrl-C raises as usual.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self._installed = False

    def __call__(self) -> bool:
        return self.requested

    def _handler(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nCtrl-C: stopping after this step and saving a checkpoint "
              "(Ctrl-C again to stop at once)", file=sys.stderr, flush=True)

    def __enter__(self) -> "StopOnInterrupt":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
