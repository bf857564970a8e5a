"""``minigrad.profiler``: where the time goes, op by op (torch.profiler's names).

    with minigrad.profiler.profile() as prof:
        loss = loss_fn(model(images), labels)
        loss.backward()
    print(prof.table(sort_by="self_cpu_time_total", row_limit=10))

Inside the block every op call is recorded: its forward (each :func:`minigrad.autograd.
function.apply`, e.g. ``conv2d``), its backward (each node the engine runs, named
``conv2d backward``) and device copies (``to_copy``), with the implementation that ran,
the device, the wall time and, with ``record_shapes=True``, the input shapes.
:meth:`profile.key_averages` groups the calls by (name, implementation, device) and
``.table()`` prints them like ``torch.profiler``'s ``key_averages().table()``.

Timing. The clock is :func:`time.perf_counter` (wall time). CUDA kernels launch
asynchronously, so while profiling, an op on ``cuda`` calls
:func:`minigrad.cuda.synchronize` before it starts and before it stops the clock: the
time is then the kernels' own, but the pipelining between launches is lost, so a
profiled GPU run is slower than an unprofiled one (as with ``torch.profiler``, which
also perturbs what it measures). On ``cpu`` nothing is added but the bookkeeping (about
a microsecond per op).

Every kernel call, forward or backward, goes through ``minigrad.dispatch.call``, the one
place a profile hooks in (``dispatch.observe``). Off, it costs next to nothing: that
function tests one module-level variable per op call.

Differences from PyTorch: one profile at a time: entering a second one while one is
active raises RuntimeError (torch raises too); a profile object may be entered again
after its block ends and keeps adding to its records. Times are wall times (the columns
are called "Self time" and "Total time"; the sort keys accept torch's ``*_cpu_time*``
names). Everything that runs a kernel is an op and is recorded: the casts, copies and
additions of gradient accumulation, device copies (``to_copy``) and the optimizers'
updates (``sgd_step``, ``adam_step``) as well.
Ops are recorded from whichever thread runs them; minigrad runs them on one.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from . import dispatch

__all__ = ["profile", "FunctionEvent", "FunctionEventAvg", "EventList"]

# The profile that records, or None (one at a time); while it is on, dispatch.call hands
# it every kernel call.
_active: "profile | None" = None

_clock = time.perf_counter


@dataclass
class FunctionEvent:
    """One recorded op call.

    name: the op (``"conv2d"``), ``"<op> backward"`` for its backward, ``"to_copy"`` for
        a device copy. impl: the implementation that ran (``"numpy"``, ``"tiled"``, ...).
    device: ``"cpu"`` or ``"cuda"``. start: :func:`time.perf_counter` at the start (s).
    cpu_time_total: wall time of the call (s). self_cpu_time_total: the same less the
        time of ops recorded while it ran (nested calls; usually none).
    input_shapes: shapes of the array inputs (None for absent inputs), or None when
        shapes were not recorded.
    """

    name: str
    impl: str
    device: str
    start: float
    cpu_time_total: float = 0.0
    self_cpu_time_total: float = 0.0
    input_shapes: tuple | None = None


@dataclass
class FunctionEventAvg:
    """The calls of one key (name, impl, device[, input shapes]) added up."""

    name: str
    impl: str
    device: str
    input_shapes: tuple | None = None
    count: int = 0
    cpu_time_total: float = 0.0
    self_cpu_time_total: float = 0.0

    @property
    def cpu_time(self) -> float:
        """Average wall time per call (s)."""
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def self_cpu_time(self) -> float:
        """Average self time per call (s)."""
        return self.self_cpu_time_total / self.count if self.count else 0.0

    def add(self, event: FunctionEvent) -> None:
        self.count += 1
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total


# sort_by keys: torch's names, and plainer ones (times here are wall times). Larger
# first, as in torch, except the name.
_SORT_KEYS: dict[str, Callable[[FunctionEventAvg], Any]] = {
    "self_cpu_time_total": lambda e: e.self_cpu_time_total,
    "cpu_time_total": lambda e: e.cpu_time_total,
    "cpu_time": lambda e: e.cpu_time,
    "self_cpu_time": lambda e: e.self_cpu_time,
    "count": lambda e: e.count,
    "self_time_total": lambda e: e.self_cpu_time_total,
    "time_total": lambda e: e.cpu_time_total,
    "time_avg": lambda e: e.cpu_time,
}
SORT_KEYS = tuple(_SORT_KEYS) + ("name",)


def _fmt_time(seconds: float) -> str:
    """torch's style: 12.345us, 1.234ms, 2.345s."""
    us = seconds * 1e6
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):
    """A list of :class:`FunctionEventAvg` (what :meth:`profile.key_averages` returns)
    that prints itself as a table."""

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              header: str | None = None) -> str:
        """The rows as a text table like torch's ``key_averages().table()``.

        sort_by: None (order of first call), ``"self_cpu_time_total"``,
            ``"cpu_time_total"``, ``"cpu_time"`` (average), ``"self_cpu_time"``,
            ``"count"``, ``"name"`` (or the aliases ``self_time_total``, ``time_total``,
            ``time_avg``); largest first, the name alphabetically.
        row_limit: at most this many rows (-1: all). The percentages and the total under
            the table are over all rows, shown or not.
        """
        rows = list(self)
        if sort_by is not None:
            if sort_by == "name":
                rows.sort(key=lambda e: (e.name, e.impl, e.device))
            elif sort_by in _SORT_KEYS:
                rows.sort(key=_SORT_KEYS[sort_by], reverse=True)
            else:
                raise ValueError(f"sort_by: expected one of {', '.join(SORT_KEYS)}, "
                                 f"got {sort_by!r}")
        if not isinstance(row_limit, int) or isinstance(row_limit, bool):
            raise TypeError(f"row_limit: expected an int, got {type(row_limit).__name__}")
        self_total = sum(e.self_cpu_time_total for e in self)
        total = sum(e.cpu_time_total for e in self)
        shown = rows if row_limit < 0 else rows[:row_limit]
        with_shapes = any(e.input_shapes is not None for e in self)

        def pct(part: float, whole: float) -> str:
            return f"{100 * part / whole:.2f}%" if whole > 0 else "-"

        titles = ["Name", "Impl", "Device", "Self %", "Self time", "Total %", "Total time",
                  "Avg time", "# of Calls"]
        if with_shapes:
            titles.append("Input Shapes")
        lines = []
        for e in shown:
            line = [e.name, e.impl, e.device, pct(e.self_cpu_time_total, self_total),
                    _fmt_time(e.self_cpu_time_total), pct(e.cpu_time_total, total),
                    _fmt_time(e.cpu_time_total), _fmt_time(e.cpu_time), str(e.count)]
            if with_shapes:
                line.append("" if e.input_shapes is None else
                            str([list(s) if s is not None else [] for s in e.input_shapes]))
            lines.append(line)
        widths = [max([len(t)] + [len(row[i]) for row in lines]) for i, t in enumerate(titles)]
        # Names and shapes left-aligned, numbers right-aligned, as in torch's table.
        left = {0, 1, 2, len(titles) - 1} if with_shapes else {0, 1, 2}

        def fmt(cells: list[str]) -> str:
            return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                             for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        rule = "-" * sum(w + 2 for w in widths)
        out = [header] if header else []
        out += [rule, fmt(titles), rule] + [fmt(row) for row in lines] + [rule]
        if len(shown) < len(rows):
            out.append(f"({len(rows) - len(shown)} more rows not shown; row_limit=-1 shows all)")
        out.append(f"Self time total: {_fmt_time(self_total)}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()


@dataclass
class _Frame:
    event: FunctionEvent
    children: float = 0.0


class profile:
    """Record every op call in a ``with`` block (see the module's docstring).

    enabled: False makes the block record nothing (so a flag can switch it off).
    record_shapes: also keep each call's input shapes (and group by them with
        ``key_averages(group_by_input_shape=True)``).

    Raises RuntimeError when entered while another profile is active.
    """

    def __init__(self, enabled: bool = True, record_shapes: bool = False) -> None:
        self.enabled = enabled
        self.record_shapes = record_shapes
        self._events: list[FunctionEvent] = []
        self._stack: list[_Frame] = []
        self._sync: Callable[[], None] | None = None

    # ---- the block ------------------------------------------------------------------
    def __enter__(self) -> "profile":
        global _active
        if not self.enabled:
            return self
        if _active is not None:
            raise RuntimeError("minigrad.profiler.profile: a profile is already active; "
                               "profiles do not nest (end the outer one first)")
        _active = self
        dispatch.observe(self)
        return self

    def __exit__(self, *exc) -> None:
        global _active
        if _active is self:
            _active = None
            dispatch.observe(None)
        self._stack.clear()

    # ---- recording (dispatch.call hands every kernel call here while this profile is on) ----
    def _synchronize(self) -> None:
        if self._sync is None:
            from . import cuda
            self._sync = cuda.synchronize
        self._sync()

    def record(self, name: str, impl: str, device: str, arrays: tuple,
               fn: Callable, /, *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` as one call of ``name`` and return its result.

        arrays: the call's inputs, for their shapes. The first five parameters are
        positional-only, so an op's attributes pass through ``kwargs`` whatever their names. On ``cuda`` the device is
        synchronized before each clock read. A call that raises is not recorded."""
        shapes = None
        if self.record_shapes:
            shapes = tuple(None if a is None else tuple(getattr(a, "shape", ())) for a in arrays)
        on_gpu = device == "cuda"
        if on_gpu:
            self._synchronize()
        event = FunctionEvent(name, impl, device, _clock(), input_shapes=shapes)
        frame = _Frame(event)
        self._stack.append(frame)
        try:
            result = fn(*args, **kwargs)
            if on_gpu:
                self._synchronize()
        finally:
            self._stack.pop()
        event.cpu_time_total = _clock() - event.start
        event.self_cpu_time_total = event.cpu_time_total - frame.children
        if self._stack:
            self._stack[-1].children += event.cpu_time_total
        self._events.append(event)
        return result

    # ---- results --------------------------------------------------------------------
    def events(self) -> list[FunctionEvent]:
        """Every recorded call, in the order they finished."""
        return list(self._events)

    def key_averages(self, group_by_input_shape: bool = False) -> EventList:
        """The calls grouped by (name, impl, device) (and input shapes when asked and
        recorded), in order of first call."""
        groups: dict[tuple, FunctionEventAvg] = {}
        for e in self._events:
            shapes = e.input_shapes if group_by_input_shape else None
            key = (e.name, e.impl, e.device, shapes)
            if key not in groups:
                groups[key] = FunctionEventAvg(e.name, e.impl, e.device, shapes)
            groups[key].add(e)
        return EventList(groups.values())

    def table(self, sort_by: str | None = "self_cpu_time_total", row_limit: int = 100,
              group_by_input_shape: bool = False, header: str | None = None) -> str:
        """``key_averages(group_by_input_shape).table(sort_by, row_limit, header)``,
        sorted by self time by default."""
        return self.key_averages(group_by_input_shape).table(sort_by=sort_by,
                                                             row_limit=row_limit, header=header)

    @property
    def self_cpu_time_total(self) -> float:
        """Sum of the recorded calls' self times (s)."""
        return sum(e.self_cpu_time_total for e in self._events)


def is_enabled() -> bool:
    """True inside an active ``profile`` block."""
    return _active is not None
