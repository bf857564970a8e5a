"""minigrad.profiler: what it records, how it adds up and prints, and that it is off
outside its block. No GPU needed."""
from __future__ import annotations

import re
from collections import Counter

import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import profiler


def _cnn_step():
    """Forward and backward of a tiny CNN: conv2d, relu, max_pool2d, flatten, matmul,
    cross_entropy."""
    x = minigrad.randn(2, 1, 6, 6)
    w = minigrad.randn(3, 1, 3, 3, requires_grad=True)
    b = minigrad.zeros(3, requires_grad=True)
    fc = minigrad.randn(27, 4, requires_grad=True)
    h = F.max_pool2d(F.conv2d(x, w, b, padding=1).relu(), 2)        # (2, 3, 3, 3)
    loss = F.cross_entropy(h.flatten(1) @ fc, minigrad.tensor([1, 3]))
    loss.backward()
    return w, b, fc


def _rows(prof):
    return {(e.name, e.impl, e.device): e for e in prof.key_averages()}


def test_records_forward_and_backward_of_a_cnn_with_impls_and_counts():
    with minigrad.use(conv2d="naive", max_pool2d="numpy"):
        with profiler.profile() as prof:
            _cnn_step()
            _cnn_step()
    rows = _rows(prof)
    for name, impl in (("conv2d", "naive"), ("conv2d backward", "naive"),
                       ("max_pool2d", "numpy"), ("max_pool2d backward", "numpy")):
        assert rows[(name, impl, "cpu")].count == 2, name
    mm_impl = minigrad.dispatch.lookup("matmul", "cpu")[0]
    ce_impl = minigrad.dispatch.lookup("cross_entropy", "cpu")[0]
    assert rows[("matmul", mm_impl, "cpu")].count == 2
    assert rows[("matmul backward", mm_impl, "cpu")].count == 2
    assert rows[("cross_entropy", ce_impl, "cpu")].count == 2
    assert rows[("cross_entropy backward", ce_impl, "cpu")].count == 2
    names = {name for name, _, _ in rows}
    assert {"relu", "relu backward"} <= names
    # Every forward that was recorded on the tape ran its backward once: an op's
    # forward count equals its backward count here (every input needs grad downstream).
    counts = Counter(e.name for e in prof.events())
    for name in ("conv2d", "max_pool2d", "relu", "matmul", "cross_entropy"):
        assert counts[name] == counts[f"{name} backward"] == 2
    assert all(e.cpu_time_total >= 0 and e.device == "cpu" for e in prof.events())


def test_the_chosen_implementation_is_what_is_recorded():
    x = minigrad.randn(1, 1, 5, 5)
    w = minigrad.randn(2, 1, 3, 3)
    with profiler.profile() as prof:
        for impl in ("naive", "numpy"):
            with minigrad.use(conv2d=impl):
                F.conv2d(x, w)
    assert [(e.name, e.impl) for e in prof.events()] == [("conv2d", "naive"), ("conv2d", "numpy")]


def test_nothing_recorded_outside_the_block_and_off_by_default():
    assert profiler._active is None and not profiler.is_enabled()
    _cnn_step()  # before: nowhere to record
    with profiler.profile() as prof:
        assert profiler.is_enabled() and profiler._active is prof
        minigrad.randn(3, 3).relu()
    assert profiler._active is None and not profiler.is_enabled()
    assert [e.name for e in prof.events()] == ["relu"]
    _cnn_step()  # after: the profile keeps what it had
    assert len(prof.events()) == 1


def test_disabled_profile_records_nothing():
    with profiler.profile(enabled=False) as prof:
        assert profiler._active is None
        _cnn_step()
    assert prof.events() == [] and prof.key_averages() == []


def test_block_ends_cleanly_when_it_raises():
    with pytest.raises(ValueError, match="boom"):
        with profiler.profile() as prof:
            minigrad.randn(2).relu()
            raise ValueError("boom")
    assert profiler._active is None
    assert len(prof.events()) == 1


def test_profiles_do_not_nest_but_can_be_entered_again():
    prof = profiler.profile()
    with prof:
        with pytest.raises(RuntimeError, match="already active"):
            with profiler.profile():
                pass
        assert profiler._active is prof  # the failed inner one left the outer one on
        minigrad.randn(2).relu()
    with prof:  # re-entered after its block: it adds to its records
        minigrad.randn(2).exp()
    assert [e.name for e in prof.events()] == ["relu", "exp"]


def test_record_shapes():
    x = minigrad.randn(2, 1, 6, 6)
    w = minigrad.randn(3, 1, 3, 3)
    b, first = minigrad.zeros(3), x[:1]  # indexing is an op too: not in the block
    with profiler.profile(record_shapes=True) as prof:
        F.conv2d(x, w)
        F.conv2d(x, w, b)
        F.conv2d(first, w)
    shapes = [e.input_shapes for e in prof.events()]
    assert shapes == [((2, 1, 6, 6), (3, 1, 3, 3), None),
                      ((2, 1, 6, 6), (3, 1, 3, 3), (3,)),
                      ((1, 1, 6, 6), (3, 1, 3, 3), None)]
    assert len(prof.key_averages()) == 1
    assert len(prof.key_averages(group_by_input_shape=True)) == 3
    assert "[[2, 1, 6, 6], [3, 1, 3, 3], []]" in prof.table(group_by_input_shape=True)
    with profiler.profile() as prof:
        F.conv2d(x, w)
    assert prof.events()[0].input_shapes is None


# ---- the arithmetic and the table, on a clock the test controls ---------------------------
class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def spend(self, seconds):
        def fn():
            self.now += seconds
        return fn


@pytest.fixture
def fake(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(profiler, "_clock", clock)
    prof = profiler.profile()
    # (name, impl, seconds per call, calls): totals 6 ms, 1 ms, 3 ms; counts 3, 10, 1.
    for name, impl, seconds, calls in (("conv2d", "numpy", 2e-3, 3), ("relu", "numpy", 1e-4, 10),
                                       ("conv2d backward", "numpy", 3e-3, 1)):
        for _ in range(calls):
            prof.record(name, impl, "cpu", (), clock.spend(seconds))
    return prof, clock


def _table_names(table):
    return [line.split()[0] for line in table.splitlines()
            if re.match(r"^(conv2d|relu)\b", line)]


def test_totals_add_up(fake):
    prof, _ = fake
    rows = {e.name: e for e in prof.key_averages()}
    assert rows["conv2d"].count == 3 and rows["conv2d"].cpu_time_total == pytest.approx(6e-3)
    assert rows["conv2d"].cpu_time == pytest.approx(2e-3)
    assert rows["relu"].cpu_time_total == pytest.approx(1e-3)
    assert prof.self_cpu_time_total == pytest.approx(10e-3)
    assert sum(e.self_cpu_time_total for e in prof.key_averages()) == pytest.approx(
        sum(e.self_cpu_time_total for e in prof.events()))
    table = prof.table()
    assert "Self time total: 10.000ms" in table
    percents = [float(p) for p in re.findall(r"(\d+\.\d+)%", table)]
    assert sum(percents[0::2]) == pytest.approx(100, abs=0.02)  # the Self % column
    assert re.search(r"^conv2d\s+numpy\s+cpu\s+60\.00%\s+6\.000ms\s+60\.00%\s+6\.000ms\s+"
                     r"2\.000ms\s+3$", table, re.M)


@pytest.mark.parametrize("sort_by, expected", [
    ("self_cpu_time_total", ["conv2d", "conv2d", "relu"]),      # 6, 3, 1 ms
    ("cpu_time_total", ["conv2d", "conv2d", "relu"]),
    ("cpu_time", ["conv2d", "conv2d", "relu"]),                 # avg 3, 2, 0.1 ms
    ("count", ["relu", "conv2d", "conv2d"]),                    # 10, 3, 1
    ("name", ["conv2d", "conv2d", "relu"]),
    (None, ["conv2d", "relu", "conv2d"]),                       # order of first call
])
def test_table_sorting(fake, sort_by, expected):
    prof, _ = fake
    table = prof.table(sort_by=sort_by)
    assert _table_names(table) == expected
    lines = [line for line in table.splitlines() if line.startswith("conv2d")]
    if sort_by == "cpu_time":  # conv2d backward (3 ms per call) first
        assert lines[0].startswith("conv2d backward")
    if sort_by == "self_cpu_time_total":
        assert lines[0].startswith("conv2d ") and not lines[0].startswith("conv2d backward")


def test_row_limit_and_bad_sort_key(fake):
    prof, _ = fake
    table = prof.table(row_limit=1)
    assert _table_names(table) == ["conv2d"]
    assert "2 more rows not shown" in table
    assert "Self time total: 10.000ms" in table  # totals are over every row
    assert len(_table_names(prof.table(row_limit=-1))) == 3
    with pytest.raises(ValueError, match="sort_by: expected one of .*self_cpu_time_total"):
        prof.table(sort_by="cuda_time")
    assert prof.key_averages().table(sort_by="count") == str(
        prof.key_averages().table(sort_by="count"))


def test_nested_calls_take_their_time_out_of_the_outer_self_time(fake):
    _, clock = fake
    prof = profiler.profile()

    def outer():
        clock.now += 1.0
        prof.record("inner", "x", "cpu", (), clock.spend(3.0))
        clock.now += 1.0
        return "done"

    assert prof.record("outer", "x", "cpu", (), outer) == "done"
    rows = {e.name: e for e in prof.events()}
    assert rows["outer"].cpu_time_total == pytest.approx(5.0)
    assert rows["outer"].self_cpu_time_total == pytest.approx(2.0)
    assert rows["inner"].self_cpu_time_total == pytest.approx(3.0)
    assert prof.self_cpu_time_total == pytest.approx(5.0)  # the wall time, counted once


def test_a_failing_call_is_not_recorded_and_attrs_pass_through(fake):
    prof, _ = fake
    before = len(prof.events())

    def fails():
        raise ArithmeticError("kernel failed")

    with pytest.raises(ArithmeticError):
        prof.record("bad", "x", "cpu", (), fails)
    assert len(prof.events()) == before and prof._stack == []
    # Op attributes that share the names of record's own parameters reach the kernel.
    got = prof.record("op", "x", "cpu", (), lambda **kw: kw, name=1, fn=2, device=3)
    assert got == {"name": 1, "fn": 2, "device": 3}


def test_fills_are_ops_the_profiler_sees():
    """zero_grad(set_to_none=False) makes its zeros with the registry's ``full`` op and
    writes them into the gradient with its ``copy_``."""
    p = minigrad.tensor([1.0, 2.0], requires_grad=True)
    p.grad = minigrad.ones(2)
    with profiler.profile() as prof:
        minigrad.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert [(e.name, e.impl, e.device) for e in prof.events()] == [("full", "numpy", "cpu"),
                                                                    ("copy_", "numpy", "cpu")]
    assert p.grad.tolist() == [0.0, 0.0]
