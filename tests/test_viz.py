import shutil

import graphviz
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import viz


def _small_graph():
    x = minigrad.randn(2, 1, 6, 6)
    w = minigrad.randn(3, 1, 3, 3, requires_grad=True)
    b = minigrad.zeros(3, requires_grad=True)
    h = F.max_pool2d(F.conv2d(x, w, b, stride=1, padding=1).relu(), 2)
    loss = h.sum()
    return loss, w, b


def test_draw_has_op_and_tensor_nodes():
    loss, w, b = _small_graph()
    loss.backward(retain_graph=True)
    g = viz.draw(loss, params={"conv.weight": w, "conv.bias": b})
    src = g.source
    assert isinstance(g, graphviz.Digraph)
    for text in ("Conv2dBackward", "MaxPool2dBackward", "ReluBackward", "SumBackward",
                 "stride=(1, 1)", "kernel_size=(2, 2)", "impl: numpy",
                 "conv.weight", "(3, 1, 3, 3) float32", "requires_grad, grad set", "conv.bias"):
        assert text in src, text


def test_draw_shows_the_implementation_used():
    x = minigrad.randn(1, 1, 4, 4)
    w = minigrad.randn(1, 1, 2, 2, requires_grad=True)
    with minigrad.use(conv2d="naive"):
        y = F.conv2d(x, w).sum()
    assert "impl: naive" in viz.draw(y).source


def test_grad_not_set_before_backward():
    loss, w, b = _small_graph()
    src = viz.draw(loss, params={"w": w}).source
    assert "grad set" not in src


def test_draw_rejects_non_tensors():
    with pytest.raises(TypeError, match="expected a Tensor"):
        viz.draw([1.0])


def test_deep_graph_does_not_recurse():
    x = minigrad.ones(2, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    assert viz.draw(y.sum()).source.count("MulBackward") == 3000


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_svg(tmp_path):
    loss, w, b = _small_graph()
    path = viz.draw(loss).render(str(tmp_path / "g"), format="svg", cleanup=True)
    assert open(path).read().lstrip().startswith("<?xml")


def test_missing_dot_gives_install_hint(monkeypatch, tmp_path):
    loss, _, _ = _small_graph()
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    g = viz.draw(loss)
    with pytest.raises(RuntimeError, match="apt-get install graphviz") as info:
        g.render(str(tmp_path / "g"), format="png")
    assert "graph.source" in str(info.value)
    assert "digraph" in g.source  # the DOT text needs no binary


# ---- draw_model, write and `minigrad viz` -------------------------------------------------
from minigrad import cli  # noqa: E402
from minigrad.models import LeNet5  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def test_draw_model_draws_a_training_step_and_restores_grads():
    model = LeNet5()
    model.fc3.bias.grad = marker = minigrad.ones(10)
    src = viz.draw_model(model, (1, 28, 28), batch_size=3).source
    for text in ("Conv2dBackward", "MaxPool2dBackward", "CrossEntropyBackward", "conv1.weight",
                 "fc3.bias", "label=\"(3, 6, 28, 28)\"", "requires_grad, grad set"):
        assert text in src, text
    assert model.fc3.bias.grad is marker and model.conv1.weight.grad is None
    with pytest.raises(ValueError, match="input_shape"):
        viz.draw_model(model, (1, 0, 28))


def test_viz_cli_writes_dot_source(tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert cli.main(["viz", "--model", "lenet5", "-o", str(out), "--batch", "4"]) == 0
    src = out.read_text()
    assert src.startswith("digraph lenet5") and "(4, 1, 28, 28)" not in src  # inputs not drawn
    assert "label=\"(4, 6, 28, 28)\"" in src and "conv2.weight" in src
    assert "Wrote " + str(out) in capsys.readouterr().out


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF")])
def test_viz_cli_formats_from_the_suffix(tmp_path, capsys, suffix, magic):
    out = tmp_path / f"lenet{suffix}"
    assert cli.main(["viz", "--model", "mlp", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert not (tmp_path / "lenet").exists()  # no stray source file beside it


def test_viz_cli_without_dot_writes_the_source_and_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    out = tmp_path / "lenet.svg"
    assert cli.main(["viz", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "dot was not found" in err and "lenet.dot" in err
    assert not out.exists() and (tmp_path / "lenet.dot").read_text().startswith("digraph")


@pytest.mark.parametrize("argv, words", [
    (["-o", "g.txt"], ["suffix '.txt'", ".svg"]),
    (["--input-shape", "3,32,32", "-o", "g.dot"], ["lenet5 on an input of shape (2, 3, 32, 32)",
                                                   "--input-shape"]),
])
def test_viz_cli_errors(tmp_path, capsys, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["viz", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("minigrad viz: error:")
    for word in words:
        assert word in err
    assert list(tmp_path.iterdir()) == []


def test_viz_cli_bad_shape_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["viz", "--input-shape", "1,x,28"])
    assert info.value.code == 2 and "positive integers" in capsys.readouterr().err


# ---- Jupyter -----------------------------------------------------------------------------
@needs_dot
def test_jupyter_shows_svg_with_dot():
    g = viz.draw(_small_graph()[0])
    assert g._repr_svg_().lstrip().startswith("<?xml") and "Conv2dBackward" in g._repr_svg_()
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"] and "<svg" in bundle["image/svg+xml"]


def test_jupyter_shows_text_without_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    g = viz.draw(_small_graph()[0])
    assert g._repr_svg_() is None  # IPython then falls back to the text
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "apt-get install graphviz" in bundle["text/plain"]
    assert g.source in bundle["text/plain"]
