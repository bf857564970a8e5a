"""Grad mode: whether ops are recorded on the tape (thread-local, as in PyTorch)."""
from __future__ import annotations

import functools
import threading

_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "enabled", True)


def _set(enabled: bool) -> None:
    _state.enabled = enabled


class _GradMode:
    """Base of no_grad/enable_grad: a context manager and a decorator."""

    _enabled: bool

    def __enter__(self) -> None:
        self._prev = getattr(_state, "enabled", True)
        _state.enabled = self._enabled

    def __exit__(self, *exc) -> None:
        _state.enabled = self._prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class _NoParamGradMode(_GradMode):
    """As PyTorch, these also decorate without parentheses: ``@minigrad.no_grad``."""

    def __new__(cls, func=None):
        if func is None:
            return super().__new__(cls)
        return cls()(func)


class no_grad(_NoParamGradMode):
    """Disable recording: ``with minigrad.no_grad(): ...``, ``@minigrad.no_grad()`` or
    ``@minigrad.no_grad``."""
    _enabled = False


class enable_grad(_NoParamGradMode):
    """Enable recording inside a no_grad block (also a decorator, with or without ())."""
    _enabled = True


class set_grad_enabled(_GradMode):
    """``with set_grad_enabled(flag):``; calling it as a function also sets the mode."""

    def __init__(self, mode: bool):
        self._enabled = bool(mode)
        self._prev = is_grad_enabled()
        _set(self._enabled)

    def __enter__(self) -> None:
        pass

    def __call__(self, func):
        mode = self._enabled

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper
