import pytest

import minigrad
from minigrad.cli import main


def test_warmup_covers_every_compiled_implementation():
    timings = minigrad.warmup(dtypes=(minigrad.float64,))
    for op in ("conv2d", "max_pool2d", "softmax", "log_softmax", "cross_entropy", "matmul",
               "linear"):
        for impl in minigrad.implementations(op, "cpu"):
            if impl != "naive":
                assert timings[(op, impl)] >= 0.0
    assert not any(impl == "naive" for _, impl in timings)


def test_warmup_selected_ops_and_unknown_op():
    assert {op for op, _ in minigrad.warmup(["matmul"], dtypes=(minigrad.float32,))} == {"matmul"}
    with pytest.raises(ValueError, match="no warm-up examples for 'reshape'"):
        minigrad.warmup(["reshape"])


def test_warmup_cli(capsys):
    assert main(["warmup", "--ops", "matmul,softmax"]) == 0
    out = capsys.readouterr().out
    assert "matmul" in out and "softmax" in out and "total" in out
