import re

from minigrad.cli import main


def test_demo_runs_every_implementation_and_agrees(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    import minigrad
    for op in ("conv2d", "max_pool2d", "linear", "cross_entropy"):
        for impl in minigrad.implementations(op, "cpu"):
            assert re.search(rf"^{op}\s+{impl}\s.*yes$", out, re.M), (op, impl)
    assert "all implementations agree" in out
    assert (tmp_path / "small_cnn_graph.dot").read_text().startswith("digraph")
