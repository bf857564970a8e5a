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
