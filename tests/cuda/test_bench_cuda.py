"""``minigrad bench --device cuda``: the machinery on tiny workloads (speed itself is
measured by the bench, never asserted here).

Under the simulator every GPU thread is a Python thread, so the workloads are the tiny
smoke-test shapes of the cheapest ops and one or two timed calls; the rows still come
from the registry, so a new CUDA version gets its row with no wiring.
"""
import csv
import statistics
import sys

import numpy as np
import pytest

import minigrad
from minigrad import bench, cli
from minigrad.bench import gpu, models, report, runner, torch_ref
from minigrad.bench.timing import Case

# One call of a 256-thread block costs the simulator ~0.1-1 s: the two cheapest ops.
OPS = ("max_pool2d", "softmax")
WORKLOADS = [w for w in bench.select(device="cuda", tiny=True) if w.op in OPS]
REF_S = (1e-3, 2e-3)  # the fake PyTorch's forward and backward seconds


def _fake_ref(torch, w, device="cpu"):
    """A stand-in for PyTorch CUDA (this machine's torch has no GPU) with fixed times, so
    the ratios can be checked against the timings."""
    assert device == "cuda"
    return Case(f"{w.name} | torch (cuda)", lambda: REF_S)


@pytest.fixture(scope="module")
def rows_and_failures():
    mp = pytest.MonkeyPatch()
    mp.setattr(torch_ref, "op_case", _fake_ref)
    failures = []
    try:
        rows = gpu.run_ops(WORKLOADS, repeats=2, torch=object(), log=lambda msg: None,
                           failures=failures)
    finally:
        mp.undo()
    return rows, failures


def _median_ms(row, phase):
    return statistics.median(ms for _, p, ms, _ in row["raw"] if p == phase)


def test_a_row_per_registered_cuda_version_the_cpu_kernel_and_torch(rows_and_failures):
    rows, failures = rows_and_failures
    assert failures == []
    for w in WORKLOADS:
        versions = minigrad.implementations(w.op, "cuda")
        assert versions, f"no CUDA version of {w.op} registered"
        mine = [r for r in rows if r["workload"] == w.name]
        assert [(r["device"], r["impl"]) for r in mine] == (
            [("cuda", v) for v in versions] + [("cpu", "numba"), ("cuda", "torch")])
        default = minigrad.dispatch.selected(w.op, "cuda")
        assert [r["impl"] for r in mine if r["default"]] == [default]
        assert all(r["baseline"] == versions[0] and r["cpu_impl"] == "numba" for r in mine)


def test_speedups_and_ratios_come_from_the_timings(rows_and_failures):
    rows, _ = rows_and_failures
    for w in WORKLOADS:
        mine = {(r["device"], r["impl"]): r for r in rows if r["workload"] == w.name}
        first = mine[("cuda", minigrad.implementations(w.op, "cuda")[0])]
        cpu = mine[("cpu", "numba")]
        for r in mine.values():
            # torch runs after every call of every other row: its samples are pooled
            assert r["samples"] == (2 * (len(mine) - 1) if r["impl"] == "torch" else 2)
            assert r["scale"] == 1 and r["batch"] == w.batch  # nothing scaled on the GPU
            fwd, bwd = _median_ms(r, "forward"), _median_ms(r, "backward")
            assert r["forward_ms"] == pytest.approx(fwd) and r["backward_ms"] == pytest.approx(bwd)
            totals = [f + b for f, b in zip(*([ms for _, p, ms, _ in r["raw"] if p == ph]
                                              for ph in ("forward", "backward")))]
            assert r["total_ms"] == pytest.approx(statistics.median(totals))
            assert r["first_call_ms"] > 0
            assert r["speedup_vs_baseline"] == pytest.approx(first["total_ms"] / r["total_ms"])
            assert r["speedup_vs_cpu"] == pytest.approx(cpu["total_ms"] / r["total_ms"])
            if r["impl"] == "torch":
                assert r["torch_ratio"] == 1.0
                continue
            # each call paired with the fake torch call right after it
            ratios = [t / (sum(REF_S) * 1e3) for t in totals]
            assert r["torch_ratio"] == pytest.approx(statistics.median(ratios))
            assert r["torch_forward_ratio"] == pytest.approx(
                statistics.median(ms / (REF_S[0] * 1e3) for _, p, ms, _ in r["raw"]
                                  if p == "forward"))
            assert all(t == pytest.approx(REF_S[i] * 1e3) for _, ph, _, t in r["raw"]
                       for i in [("forward", "backward").index(ph)])
        assert first["speedup_vs_baseline"] == pytest.approx(1.0)
        assert cpu["speedup_vs_cpu"] == pytest.approx(1.0)


def test_tables_and_csv(rows_and_failures, tmp_path):
    rows, failures = rows_and_failures
    text = report.cuda_markdown("a machine", "settings", rows, [], True, failures)
    for op in OPS:
        assert f"### {op}" in text
        base = minigrad.implementations(op, "cuda")[0]
        assert f"| vs {base} | vs CPU numba |" in text
    table_rows = [line for line in text.splitlines()
                  if line.startswith("| ") and "ms |" not in line]
    assert len(table_rows) == len(rows)
    assert "numba (CPU)" in text and "n/a" not in text and "## Not measured" not in text
    path = tmp_path / "bench.csv"
    report.write_csv(str(path), rows, report.CUDA_OP_COLUMNS, [])
    with open(path) as f:
        data = list(csv.DictReader(f))
    assert list(data[0]) == report.CUDA_OP_COLUMNS and len(data) == len(rows)
    assert float(data[0]["speedup_vs_baseline"]) == pytest.approx(1.0)


def test_the_command_without_torch_cuda(monkeypatch, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(runner, "CUDA_MODELS", [])  # the step has a test of its own
    out = tmp_path / "cuda"
    assert cli.main(["bench", "--device", "cuda", "--tiny", "--ops", "max_pool2d",
                     "--repeats", "1", "--out", str(out), "--no-torch"]) == 0
    stdout = capsys.readouterr().out
    assert stdout.startswith("Machine: ") and "; GPU " in stdout.splitlines()[0]
    assert minigrad.cuda.get_device_name() in stdout.splitlines()[0]
    md = (out / "bench.md").read_text()
    assert "## Ops on the GPU" in md and "device cuda, tiny shapes" in md
    versions = minigrad.implementations("max_pool2d", "cuda")
    with open(out / "bench.csv") as f:
        data = list(csv.DictReader(f))
    assert [(d["device"], d["impl"]) for d in data] == (
        [("cuda", v) for v in versions] + [("cpu", "numba")])
    assert all(d["torch_ratio"] == "" for d in data)  # not measured: empty in the CSV
    assert md.count("| n/a | n/a | n/a |") == len(data)  # and n/a in the table
    assert sorted(p.name for p in out.glob("*.png")) == ["speedup-max-pool2d.png"]
    assert (out / "bench-samples.csv").exists()


def test_no_gpu_is_a_clear_error(monkeypatch):
    # (minigrad.device is also the name of a function: patch the module itself)
    monkeypatch.setattr(sys.modules["minigrad.device"], "cuda_available", lambda: False)
    with pytest.raises(SystemExit, match="'cuda' is not available"):
        cli.main(["bench", "--device", "cuda", "--tiny"])


def test_cuda_workloads_and_defaults():
    lenet = bench.select(quick=True, device="cuda")
    assert {w.batch for w in lenet} == {256}
    assert {w.op for w in lenet} == {"conv2d", "max_pool2d", "avg_pool2d",
                                     "adaptive_avg_pool2d", "softmax", "log_softmax",
                                     "cross_entropy", "matmul"}
    everything = bench.select(device="cuda")
    assert all(w.reduced_batch == w.batch for w in everything)  # nothing scaled
    large = {w.name for w in bench.select() if w.suite == "large"}
    assert large <= {w.name for w in everything if w.suite == "large"}
    assert runner.OUT["cuda"] != runner.OUT["cpu"]  # never over the CPU results
    assert runner.CUDA_MODEL_BATCH == 256
    assert [m.name for m in bench.CUDA_MODELS] == ["LeNet-5"]
    # no sequential CPU baseline in the GPU bench, and no GPU version is scaled
    for op in bench.workloads.benchmarked_ops("cuda"):
        assert gpu.cpu_implementation(op) not in bench.SLOW
    assert not bench.timing.is_slow("naive", "cuda")


def _tiny_params(rng):
    return {"conv.weight": rng.standard_normal((2, 1, 3, 3)).astype(np.float32),
            "conv.bias": rng.standard_normal(2).astype(np.float32),
            "fc.weight": rng.standard_normal((3, 8)).astype(np.float32),
            "fc.bias": rng.standard_normal(3).astype(np.float32)}


def _tiny_forward(F, p, x):
    h = F.max_pool2d(F.conv2d(x, p["conv.weight"], p["conv.bias"]).relu(), 2)
    return F.linear(h.flatten(1), p["fc.weight"], p["fc.bias"])


TINY_MODEL = models.Model("Tiny", _tiny_params, _tiny_forward, reduced_batch=1,
                          input_shape=(1, 6, 6), classes=3)


def test_training_step_on_the_gpu_against_the_cpu():
    failures = []
    rows = gpu.run_models([TINY_MODEL], repeats=1, batch=2, sets=["default"],
                          log=lambda msg: None, failures=failures)
    missing = [why for _, why in failures if "has no implementation on device 'cuda'" in why]
    if missing:
        pytest.skip(f"a CUDA kernel the step needs is not registered yet: {missing[0]}")
    assert failures == []
    assert [(r["device"], r["impl"]) for r in rows] == [("cuda", "default"), ("cpu", "default")]
    gpu_row, cpu_row = rows
    for r in rows:
        assert r["step_ms"] == pytest.approx(r["forward_ms"] + r["backward_ms"] + r["sgd_ms"])
        assert r["images_per_s"] == pytest.approx(2 / (r["step_ms"] / 1e3))
        assert r["speedup_vs_cpu"] == pytest.approx(cpu_row["step_ms"] / r["step_ms"])
        assert "torch_ratio" not in r
    table = report.cuda_model_table(rows, torch=False)
    assert "default (CPU)" in table and table.count("n/a") == 2
