"""The bench command end to end on tiny workloads, with and without PyTorch."""
import csv
import subprocess
import sys

import pytest

import minigrad
from minigrad import bench, cli
from minigrad.bench import report, runner, torch_ref
from minigrad.ops.matmul.bench import matmul
from minigrad.ops.max_pool2d.bench import max_pool2d

TINY = [max_pool2d(2, 1, 4, reduced_batch=1), matmul(2, 3, 2, reduced_batch=1)]


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(runner, "select", lambda ops, quick: [w for w in TINY
                                                              if ops is None or w.op in ops])
    monkeypatch.setattr(runner, "MODEL_BATCH", 1)


def _read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_without_torch(tiny, monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    assert torch_ref.load(1) is None
    out = tmp_path / "b"
    assert cli.main(["bench", "--repeats", "1", "--out", str(out), "--no-plots",
                     "--threads", "1"]) == 0
    stdout, stderr = capsys.readouterr()
    assert "PyTorch is not installed" in stderr
    assert stdout.startswith("Machine: ") and "PyTorch not measured" in stdout
    assert "ours/torch" not in stdout and "| torch |" not in stdout
    md = (out / "bench.md").read_text()
    assert md.startswith("Machine: ") and "## Training step" in md
    rows = _read_csv(out / "bench.csv")
    assert list(rows[0]) == report.OP_COLUMNS
    assert {r["workload"] for r in rows} == {w.name for w in TINY}
    assert "torch" not in {r["impl"] for r in rows}
    models = _read_csv(out / "bench-models.csv")
    assert list(models[0]) == report.MODEL_COLUMNS
    assert {r["model"] for r in models} == {m.name for m in bench.MODELS}
    samples = _read_csv(out / "bench-samples.csv")
    assert list(samples[0]) == report.SAMPLE_COLUMNS
    assert {s["phase"] for s in samples} == {"forward", "backward", "sgd"}
    assert all(s["torch_ms"] == "" and float(s["ms"]) > 0 for s in samples)
    assert not list(out.glob("*.png"))


def test_options(tiny, tmp_path, capsys):
    out = tmp_path / "b"
    assert cli.main(["bench", "--quick", "--ops", "matmul", "--no-torch", "--no-models",
                     "--out", str(out), "--repeats", "1"]) == 0
    assert {r["op"] for r in _read_csv(out / "bench.csv")} == {"matmul"}
    assert not (out / "bench-models.csv").exists()
    assert "## Training step" not in (out / "bench.md").read_text()
    with pytest.raises(SystemExit):
        cli.main(["bench", "--ops", "softmax2"])
    if not minigrad.cuda.is_available():  # with a GPU, it would start the cuda bench
        with pytest.raises(SystemExit):
            cli.main(["bench", "--device", "cuda"])
    with pytest.raises(SystemExit):
        cli.main(["bench", "--repeats", "0"])


@pytest.mark.slow
def test_with_torch_and_plots(tiny, tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    out = tmp_path / "b"
    assert cli.main(["bench", "--repeats", "1", "--out", str(out), "--threads", "1"]) == 0
    stdout = capsys.readouterr().out
    assert "PyTorch 2" in stdout and "ours/torch" in stdout
    rows = _read_csv(out / "bench.csv")
    assert list(rows[0]) == report.OP_COLUMNS + report.OP_TORCH_COLUMNS
    torch_rows = [r for r in rows if r["impl"] == "torch"]
    assert len(torch_rows) == len(TINY) and all(r["torch_ratio"] == "1.0" for r in torch_rows)
    assert all(float(r["torch_ratio"]) > 0 for r in rows)
    models = _read_csv(out / "bench-models.csv")
    assert "torch" in {r["impl"] for r in models} and "torch_ratio" in models[0]
    samples = _read_csv(out / "bench-samples.csv")
    assert all(float(s["torch_ms"]) > 0 for s in samples if s["impl"] != "torch")
    assert sorted(p.name for p in out.glob("*.png")) == [
        "models.png", "speedup-matmul.png", "speedup-max-pool2d.png"]


def test_python_dash_m_help():
    out = subprocess.run([sys.executable, "-m", "minigrad.bench", "--help"], check=True,
                         capture_output=True, text=True).stdout
    for option in ("--device", "--ops", "--repeats", "--quick", "--out", "--no-torch",
                   "--no-models", "--no-plots", "--threads"):
        assert option in out
