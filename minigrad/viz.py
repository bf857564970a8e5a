"""Pictures of the recorded computational graph, with Graphviz.

``draw(loss, params=dict(model.named_parameters()))`` returns a :class:`Graph` (a
``graphviz.Digraph``): a box per recorded op (its name, key attributes such as stride,
and the implementation that ran), an ellipse per tensor (shape, dtype, requires_grad,
whether .grad is set, and the parameter name where known). Tensors that need no
gradient (inputs, labels) are not on the tape and are not drawn, as in torchviz.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import graphviz
import numpy as np

from .autograd.node import Node
from .tensor import Tensor

_INSTALL_HINT = ("Graphviz's `dot` program was not found, so the graph cannot be rendered. "
                 "Install it (Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install "
                 "graphviz`; conda: `conda install graphviz`). The DOT source is still "
                 "available as `graph.source`.")


class Graph(graphviz.Digraph):
    """A graphviz.Digraph whose render/pipe explain how to get Graphviz when it is missing."""

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as e:
            raise RuntimeError(_INSTALL_HINT) from e

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as e:
            raise RuntimeError(_INSTALL_HINT) from e

    def _repr_image_svg_xml(self):  # Jupyter: fall back to nothing rather than crash
        try:
            return super()._repr_image_svg_xml()
        except (graphviz.ExecutableNotFound, RuntimeError):
            return None


def _fmt_attr(value) -> str | None:
    """Short text for an attribute, or None when it is not worth showing (arrays, keys)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, tuple) and len(value) <= 6 and all(isinstance(v, (int, float)) for v in value):
        return str(value)
    if isinstance(value, np.dtype):
        return str(value)
    return None


def _op_label(node: Node, show_attrs: bool) -> str:
    lines = [node.name()]
    if show_attrs:
        for key, value in node.attrs.items():
            text = _fmt_attr(value)
            if text is not None:
                lines.append(f"{key}={text}")
    lines.append(f"impl: {node.impl}")
    return "\n".join(lines)


def _tensor_label(shape, dtype, name: str | None = None, extra: str = "") -> str:
    head = f"{name}\n" if name else ""
    return f"{head}{tuple(shape)} {dtype.name}{extra}"


def draw(tensors: "Tensor | Iterable[Tensor]", params: Mapping[str, Tensor] | None = None,
         show_attrs: bool = True, name: str = "minigrad", format: str = "svg") -> Graph:
    """Draw the graph that produced ``tensors``.

    tensors: one output Tensor or several (e.g. a loss, or (loss, logits)).
    params: names for leaf tensors, e.g. ``dict(model.named_parameters())``.
    show_attrs: list op attributes (stride, padding, dim, ...) in the op boxes.
    Returns a :class:`Graph`; ``graph.render("lenet", format="png")`` writes a picture
    (needs Graphviz's ``dot``), ``graph.source`` is the DOT text (never needs it).
    """
    outputs = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    for i, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"tensors: element {i} is a {type(t).__name__}, expected a Tensor")
    names = {id(t): n for n, t in (params or {}).items()}

    g = Graph(name, format=format,
              graph_attr={"rankdir": "BT", "fontsize": "10"},
              node_attr={"fontname": "Helvetica", "fontsize": "10"})
    seen: set[int] = set()

    def leaf(t: Tensor) -> str:
        key = f"t{id(t)}"
        if id(t) not in seen:
            seen.add(id(t))
            flags = "\nrequires_grad" + (", grad set" if t.grad is not None else "")
            is_param = id(t) in names
            g.node(key, _tensor_label(t.shape, t.dtype, names.get(id(t)), flags), shape="ellipse",
                   style="filled", fillcolor="lightblue" if is_param else "lightgrey")
        return key

    def op(node: Node) -> str:
        key = f"n{id(node)}"
        if id(node) not in seen:
            seen.add(id(node))
            g.node(key, _op_label(node, show_attrs), shape="box", style="filled,rounded",
                   fillcolor="lightyellow")
            stack.append(node)
        return key

    stack: list[Node] = []
    for t in outputs:
        out_key = f"out{id(t)}"
        label = _tensor_label(t.shape, t.dtype, names.get(id(t)) or "output",
                              "\ngrad set" if t.grad is not None else "")
        g.node(out_key, label, shape="ellipse", style="filled", fillcolor="darkolivegreen1")
        if t._node is not None:
            g.edge(op(t._node), out_key)
        elif t.requires_grad:
            g.edge(leaf(t), out_key)
    # Iterative walk: a deep graph must not hit the recursion limit here either.
    while stack:
        node = stack.pop()
        for edge in node.edges:
            if edge is None:
                continue
            if isinstance(edge, Node):
                g.edge(op(edge), f"n{id(node)}", label=f"{tuple(edge.shape)}", fontsize="8")
            else:
                g.edge(leaf(edge), f"n{id(node)}")
    return g
