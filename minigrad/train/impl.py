"""The ``--impl`` option: which registered implementation each op uses for a run."""
from __future__ import annotations

from ..dispatch import implementations, ops, use


def parse_impl(spec: str | None, device: str = "cpu") -> dict[str, str]:
    """``"conv2d=numba,max_pool2d=numpy"`` -> ``{"conv2d": "numba", "max_pool2d": "numpy"}``,
    checked against the registry before anything runs.

    An item without ``=`` names an implementation for every op that has it on
    ``device`` (``--impl naive``: the sequential baseline everywhere it exists); later
    items override earlier ones. Ops not named keep their default.

    Raises ValueError: a malformed item, an unknown op or implementation (the registry's
    message, listing the known ones), or one not available on ``device``.
    """
    choices: dict[str, str] = {}
    if spec is None or not spec.strip():
        return choices
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            matching = {op: item for op in ops() if item in implementations(op, device)}
            if not matching:
                raise ValueError(f"--impl: no op has an implementation called {item!r} on "
                                 f"{device} (expected OP=IMPL items, e.g. conv2d=numba, or the "
                                 "name of an implementation)")
            choices.update(matching)
            continue
        op, _, name = (part.strip() for part in item.partition("="))
        if not op or not name or "=" in name:
            raise ValueError(f"--impl: expected OP=IMPL items separated by commas (e.g. "
                             f"conv2d=numba,max_pool2d=numpy), got {item!r}")
        choices[op] = name
    check_impl(choices, device)
    return choices


def check_impl(choices: dict[str, str], device: str = "cpu") -> None:
    """Raise ValueError unless every (op, implementation) in ``choices`` is registered
    and available on ``device``."""
    try:
        with use(**choices):  # the registry's own checks and messages
            pass
    except ValueError as e:
        raise ValueError(f"--impl: {e}") from None
    for op, name in choices.items():
        available = implementations(op, device)
        if name not in available:
            raise ValueError(f"--impl: {op}: implementation {name!r} is not available on "
                             f"{device} (a dependency is missing?); available: "
                             f"{', '.join(available)}")


def format_impl(choices: dict[str, str]) -> str:
    """The --impl spelling of ``choices`` ("defaults" when empty)."""
    return ",".join(f"{op}={name}" for op, name in choices.items()) or "defaults"
