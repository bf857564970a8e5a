"""The picture of a model's computational graph for one training batch."""
from __future__ import annotations

import os
import shutil
from typing import Any, Callable

from ..autograd.grad_mode import enable_grad
from ..viz import draw
from .checkpoint import rng_state, set_rng_state


def draw_model_graph(model: Any, loss_fn: Callable, images: Any, labels: Any,
                     out_dir: str | os.PathLike,
                     name: str = "model_graph") -> tuple[list[str], str]:
    """Run ``loss_fn(model(images), labels)`` once (no backward, no update), draw its
    graph with :func:`minigrad.viz.draw` (parameters named), and write
    ``out_dir/name.dot`` and, when Graphviz's ``dot`` is installed, ``name.svg``.

    The forward pass leaves training untouched: minigrad's global random generator
    (dropout) and the model's state (BatchNorm's running statistics) are restored
    afterwards. Returns (files written, a note; "" when the
    picture was rendered)."""
    from ..arrays import copy
    from ..tensor import Tensor
    from .loop import model_device

    state = rng_state()
    # A copy on the model's own device (device to device on cuda).
    saved = {key: Tensor._wrap(copy(value._array)) for key, value in model.state_dict().items()}
    device = model_device(model)
    try:
        with enable_grad():
            loss = loss_fn(model(images.to(device)), labels.to(device))
        graph = draw(loss, params=dict(model.named_parameters()), name=name)
    finally:
        set_rng_state(state)
        model.load_state_dict(saved)
    base = os.path.join(os.fspath(out_dir), name)
    with open(base + ".dot", "w", encoding="utf-8") as f:
        f.write(graph.source)
    written = [base + ".dot"]
    if shutil.which("dot") is None:
        return written, ("Graphviz's dot was not found: wrote the DOT source only (apt-get "
                         f"install graphviz, then: dot -Tsvg {base}.dot -o {base}.svg)")
    try:
        svg = graph.pipe(format="svg")
    except Exception as e:  # a broken Graphviz install must not stop training
        return written, f"could not render the graph picture with dot: {e}"
    with open(base + ".svg", "wb") as f:
        f.write(svg)
    return written + [base + ".svg"], ""
