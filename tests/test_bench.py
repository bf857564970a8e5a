"""The benchmark runner runs (speed itself is measured, never asserted), and finds its
workloads in the op folders."""
import csv
import importlib
import types
from pathlib import Path

import pytest

import minigrad
import minigrad.ops
from minigrad import bench
from minigrad.bench import report, workloads
from minigrad.dispatch import folders
from minigrad.ops.conv2d.bench import conv2d
from minigrad.ops.softmax.bench import cross_entropy

TINY = [conv2d(4, 1, 6, 2, 3, padding=1, reduced_batch=2),
        cross_entropy(4, 3, reduced_batch=4)]


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
    quick, everything = bench.select(quick=True), bench.select()
    assert quick and {w.suite for w in quick} == {"lenet"}
    assert everything[:len(quick)] == quick  # LeNet-5's shapes first, then the larger ones
    assert {w.suite for w in everything[len(quick):]} == {"large"}
    assert {w.op for w in bench.select(["matmul"])} == {"matmul"}
    assert len(bench.select(["matmul"])) == 2  # LeNet-5's and the larger one
    for device in ("cpu", "cuda"):
        for w in bench.select(device=device) + bench.select(device=device, tiny=True):
            assert device in w.devices
    for w in everything:
        assert 1 <= w.reduced_batch <= w.batch
        shapes = {k: a.shape for k, (a, _) in w.inputs(1).items()}
        assert all(s[0] == 1 for k, s in shapes.items() if k in ("x", "logits", "a", "target"))


def test_the_report_keeps_lenet_layer_order():
    # convolution, pooling, the loss, the linear layer: the rows' order since the first
    # report, whatever the folders' alphabetical order
    ops = bench.benchmarked_ops("cpu")
    assert ops.index("conv2d") < ops.index("max_pool2d") < ops.index("cross_entropy") \
        < ops.index("matmul")
    cuda_ops = bench.benchmarked_ops("cuda")
    assert cuda_ops.index("max_pool2d") < cuda_ops.index("softmax") \
        < cuda_ops.index("log_softmax") < cuda_ops.index("cross_entropy")


def _bench_files() -> dict:
    """ops/<folder>/bench.py on disk, folder -> module: found without the discovery."""
    root = Path(minigrad.ops.__path__[0])
    return {p.parent.name: importlib.import_module(f"minigrad.ops.{p.parent.name}.bench")
            for p in sorted(root.glob("*/bench.py"))}


def _key(w):
    return w.name, w.op, w.suite, w.devices, w.batch, w.reduced_batch


def test_every_folders_bench_file_is_discovered():
    files = _bench_files()
    assert "avg_pool2d" in files
    found = {_key(w) for w in bench.all_workloads()}
    for folder, module in files.items():
        mine = {_key(w) for w in module.workloads()}
        assert mine and mine <= found, folder
    assert len(found) == sum(len(m.workloads()) for m in files.values())  # nothing else
    for op in ("avg_pool2d", "adaptive_avg_pool2d"):
        for device in ("cpu", "cuda"):
            assert op in bench.benchmarked_ops(device)
            suites = {w.suite for w in bench.all_workloads() if w.op == op and device in w.devices}
            assert suites == {"lenet", "large", "tiny"}, (op, device)


def test_every_op_with_workloads_is_registered_in_its_folder():
    registered = set(minigrad.dispatch.ops())
    for folder, module in _bench_files().items():
        declared = importlib.import_module(f"minigrad.ops.{folder}")
        for w in module.workloads():
            assert w.op in registered and w.op in getattr(declared, "OPS", (folder,)), w.name
            assert set(w.devices) <= set(declared.IMPLEMENTATIONS), w.name
            if "cpu" in w.devices:
                assert minigrad.implementations(w.op, "cpu"), w.name


@pytest.fixture
def fake_folders(monkeypatch):
    """Replace the op folders' bench.py files with the returned dict's modules."""
    modules = {}
    monkeypatch.setattr(folders, "folder_modules",
                        lambda name: list(modules.values()) if name == "bench" else [])
    workloads._discovered.cache_clear()
    yield modules
    workloads._discovered.cache_clear()  # the real folders again for the next test


def _fake_bench(folder, made, order=None):
    module = types.ModuleType(f"minigrad.ops.{folder}.bench")
    module.workloads = lambda: made
    if order is not None:
        module.ORDER = order
    return module


def test_a_bench_file_without_workloads_is_an_error(fake_folders):
    fake_folders["conv2d"] = _fake_bench("conv2d", [])
    with pytest.raises(ValueError, match=r"ops\.conv2d\.bench\.workloads\(\) returned no"):
        bench.select()
    fake_folders["conv2d"] = types.ModuleType("minigrad.ops.conv2d.bench")
    with pytest.raises(TypeError, match="expected a function workloads"):
        bench.select()


@pytest.mark.parametrize("folder, made, error", [
    ("matmul", [conv2d(2, 1, 4, 1, 3)], "times 'conv2d', which its folder does not declare"),
    ("conv2d", [conv2d(2, 1, 4, 1, 3, devices=("tpu",))], "devices"),
    ("conv2d", [conv2d(2, 1, 4, 1, 3, suite="huge")], "suite 'huge'"),
    ("conv2d", [conv2d(2, 1, 4, 1, 3)] * 2, "already given"),
])
def test_a_misfiled_workload_is_an_error(fake_folders, folder, made, error):
    fake_folders[folder] = _fake_bench(folder, made)
    with pytest.raises(ValueError, match=error):
        bench.benchmarked_ops()


def test_folders_are_ordered_by_suite_then_order(fake_folders):
    from minigrad.ops.max_pool2d.bench import max_pool2d
    # folder (alphabetical) order, overridden by ORDER; each folder's own order kept
    large, lenet = conv2d(2, 1, 5, 1, 3, suite="large"), conv2d(2, 1, 4, 1, 3)
    fake_folders["conv2d"] = _fake_bench("conv2d", [large, lenet], order=2)
    pools = [max_pool2d(2, 1, 6), max_pool2d(2, 1, 4)]
    fake_folders["max_pool2d"] = _fake_bench("max_pool2d", pools, order=1)
    assert bench.all_workloads() == [*pools, lenet, large]
    assert bench.benchmarked_ops() == ["max_pool2d", "conv2d"]
