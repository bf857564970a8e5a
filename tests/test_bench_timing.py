"""The timing loop: warm-up, interleaving with the reference, budget, medians, ratios."""
import pytest

from minigrad.bench.timing import Case, measure


def _fake(label, times, calls):
    it = iter(times)

    def run_once():
        calls.append(label)
        return next(it)
    return run_once


def test_interleaved_with_the_reference_after_a_warm_up():
    calls = []
    a = Case("a", _fake("a", [(9, 9), (1, 2), (3, 4), (5, 6)], calls))
    b = Case("b", _fake("b", [(7, 7), (2, 2), (2, 2), (2, 2)], calls), scale=2.0)
    ref = Case("ref", _fake("ref", [(8, 8)] + [(1, 1)] * 6, calls))
    measure([a, b], ref, repeats=3)
    assert calls == ["a", "b", "ref"] + ["a", "ref", "b", "ref"] * 3
    assert a.first == 18 and b.first == 14 and ref.first == 16  # the warm-ups, not timed
    assert a.samples == [(1, 2), (3, 4), (5, 6)] and len(ref.samples) == 6
    assert a.medians_ms() == [3e3, 4e3, 7e3]
    assert b.medians_ms() == [4e3, 4e3, 8e3]  # scaled to the full batch
    assert a.ratios() == [3, 4, 3.5]  # the reference took (1, 1): 2 in all
    assert b.ratios() == [4, 4, 4]


def test_slow_cases_skip_the_warm_up_and_stop_at_the_budget():
    calls = []
    slow = Case("slow", _fake("slow", [(4, 4)] * 5, calls), scale=10.0, warmup=False)
    fast = Case("fast", _fake("fast", [(1, 0)] * 6, calls))
    measure([slow, fast], None, repeats=5, budget_s=10)
    assert slow.first == 8 and len(slow.samples) == 2  # 8 s, then 16 s >= 10 s: stop
    assert len(fast.samples) == 5
    assert slow.ratios() is None


def test_repeats_must_be_positive():
    with pytest.raises(ValueError):
        measure([], None, repeats=0)
