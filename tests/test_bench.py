"""The benchmark runner runs (speed itself is measured, never asserted)."""
from minigrad import bench


def test_bench_rows_for_every_implementation_and_markdown():
    tiny = [bench.Workload("tiny conv", "conv2d", 4, bench._conv(1, 6, 2, 3, 1), 2),
            bench.Workload("tiny ce", "cross_entropy", 4, bench._cross_entropy(3), 4)]
    rows = bench.run(repeats=1, workloads=tiny)
    import minigrad
    expected = {(w.name, i) for w in tiny for i in minigrad.implementations(w.op, "cpu")}
    assert {(r["workload"], r["impl"]) for r in rows} == expected
    for r in rows:
        assert r["forward_ms"] > 0 and r["backward_ms"] > 0
        assert r["scale"] == (2 if (r["impl"] == "naive" and r["workload"] == "tiny conv") else 1)
    table = bench.markdown(rows)
    assert "naive (batch 2, x2)" in table
    assert table.count("\n") == len(rows) + 1
