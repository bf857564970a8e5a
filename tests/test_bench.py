"""The benchmark runner runs (speed itself is measured, never asserted)."""
import csv

import pytest

import minigrad
from minigrad import bench
from minigrad.bench import report

TINY = [bench.conv2d(4, 1, 6, 2, 3, padding=1, reduced_batch=2),
        bench.cross_entropy(4, 3, reduced_batch=4)]


@pytest.fixture(scope="module")
def tiny_rows():
    return bench.run_ops(TINY, repeats=2, log=lambda msg: None)


def test_rows_for_every_implementation_and_markdown(tiny_rows):
    expected = {(w.name, i) for w in TINY for i in minigrad.implementations(w.op, "cpu")}
    assert {(r["workload"], r["impl"]) for r in tiny_rows} == expected
    for r in tiny_rows:
        assert r["forward_ms"] > 0 and r["backward_ms"] > 0 and r["first_call_ms"] > 0
        assert r["total_ms"] > 0 and 1 <= r["samples"] <= 2
        slow = r["impl"] in bench.SLOW and r["op"] == "conv2d"
        assert r["scale"] == (2 if slow else 1)
        assert r["measured_batch"] == (2 if slow else 4)
        assert r["speedup_vs_naive"] > 0
        assert r["default"] == (r["impl"] == minigrad.dispatch.selected(r["op"], "cpu"))
    table = bench.op_table(tiny_rows)
    assert "naive (batch 2, x2)" in table
    assert table.count("\n") == len(tiny_rows) + 1
    assert "torch" not in table


def test_csv_columns(tiny_rows, tmp_path):
    path = tmp_path / "bench.csv"
    bench.write_csv(str(path), tiny_rows, report.OP_COLUMNS, report.OP_TORCH_COLUMNS)
    with open(path) as f:
        data = list(csv.DictReader(f))
    assert list(data[0]) == report.OP_COLUMNS  # no torch columns without a torch row
    assert len(data) == len(tiny_rows)
    assert {d["impl"] for d in data} >= {"naive", "numpy"}
    float(data[0]["forward_ms"])

    with_torch = tiny_rows + [{**tiny_rows[0], "impl": "torch", "torch_ratio": 1.0}]
    bench.write_csv(str(path), with_torch, report.OP_COLUMNS, report.OP_TORCH_COLUMNS)
    with open(path) as f:
        data = list(csv.DictReader(f))
    assert list(data[0]) == report.OP_COLUMNS + report.OP_TORCH_COLUMNS
    assert data[0]["torch_ratio"] == ""  # not measured for that row: empty, not "None"


def test_graph_files_written(tiny_rows, tmp_path):
    pytest.importorskip("matplotlib")
    paths = bench.plot_ops(tiny_rows, str(tmp_path), "a machine")
    assert sorted(p.rsplit("/", 1)[1] for p in paths) == ["speedup-conv2d.png",
                                                          "speedup-cross-entropy.png"]
    model_rows = [{"model": "M", "impl": i, "batch": 4, "scale": s, "images_per_s": v}
                  for i, s, v in (("naive", 2, 1.0), ("numpy", 1, 100.0), ("torch", 1, 300.0))]
    paths += bench.plot_models(model_rows, str(tmp_path), "a machine")
    for p in paths:
        with open(p, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "models.png").exists()


def test_workload_selection():
    assert bench.select(quick=True) == bench.LENET_WORKLOADS
    assert {w.op for w in bench.select(["matmul"])} == {"matmul"}
    assert len(bench.select(["matmul"])) == 2  # LeNet-5's and the larger one
    for w in bench.WORKLOADS:
        assert 1 <= w.reduced_batch <= w.batch
        shapes = {k: a.shape for k, (a, _) in w.inputs(1).items()}
        assert all(s[0] == 1 for k, s in shapes.items() if k in ("x", "logits", "a", "target"))
