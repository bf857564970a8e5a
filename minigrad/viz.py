"""Pictures of the recorded computational graph, with Graphviz.

``draw(loss, params=dict(model.named_parameters()))`` returns a :class:`Graph` (a
``graphviz.Digraph``): a box per recorded op (its name, key attributes such as stride,
and the implementation that ran), an ellipse per tensor (shape, dtype, requires_grad,
whether .grad is set, and the parameter name where known). Tensors that need no
gradient (inputs, labels) are not on the tape and are not drawn, as in torchviz.

``draw_model(model)`` draws one training step (forward, loss, backward) of a model on a
random batch, and ``write(graph, "lenet.svg")`` saves it in the format the suffix names
(``minigrad viz --model lenet5 -o lenet.svg`` does both). In Jupyter a Graph shows as
its SVG picture, or as text (how to install Graphviz, and the DOT source) without
Graphviz's ``dot``.
"""
from __future__ import annotations

import os
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

    # Jupyter. graphviz.Digraph's _repr_mimebundle_ pipes through `dot` and raises when
    # it is missing; here the picture falls back to text (the install hint and the DOT
    # source), so a notebook cell shows something useful instead of a traceback.
    def _repr_svg_(self) -> str | None:
        """The picture as SVG text, or None when Graphviz's ``dot`` cannot draw it."""
        try:
            return self.pipe(format="svg", encoding="utf-8")
        except (RuntimeError, graphviz.CalledProcessError, OSError):
            return None

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        """``{"image/svg+xml": ...}`` (or what ``include``/``exclude`` ask for) when
        ``dot`` works, else ``{"text/plain": install hint + DOT source}``."""
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except (RuntimeError, graphviz.CalledProcessError, OSError) as e:
            return {"text/plain": f"{_no_picture(e)}\n\n{self.source}"}


def _no_picture(error: BaseException) -> str:
    if isinstance(error, RuntimeError) and str(error) == _INSTALL_HINT:
        return _INSTALL_HINT
    return f"Graphviz could not draw the graph ({error}); the DOT source follows."


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


def draw_model(model, input_shape: tuple[int, ...] = (1, 28, 28), batch_size: int = 2,
               show_attrs: bool = True, name: str = "minigrad", seed: int = 0) -> Graph:
    """Draw one training step of ``model``: forward on a random batch of shape
    ``(batch_size, *input_shape)`` (e.g. (B, C, H, W)), cross-entropy against random
    labels, and backward, with the parameters named (``conv1.weight``, ...).

    The inputs come from a NumPy generator seeded with ``seed`` (minigrad's own
    generator is not touched) and live on the device of the model's first parameter.
    The parameters' ``.grad`` are put back as they were afterwards; the forward runs in
    the model's current mode (a BatchNorm in training mode updates its statistics).
    Raises what the model raises for an input shape it does not take.
    """
    from .autograd.grad_mode import enable_grad
    from .nn.functional import cross_entropy

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive int, got {batch_size!r}")
    shape = tuple(input_shape)
    if not shape or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                            for n in shape):
        raise ValueError(f"input_shape: expected positive ints such as (1, 28, 28), got {shape}")
    params = dict(model.named_parameters())
    first = next(iter(params.values()), None)
    rng = np.random.default_rng(seed)
    x = Tensor._wrap(rng.standard_normal((batch_size, *shape)).astype(np.float32))
    if first is not None:
        x = x.to(first.device)
    saved = {key: p.grad for key, p in params.items()}
    try:
        with enable_grad():
            logits = model(x)
            if len(logits.shape) != 2:
                raise ValueError(f"draw_model: the model's output has shape {tuple(logits.shape)}; "
                                 "expected logits (B, num_classes) for the cross-entropy loss")
            labels = Tensor._wrap(rng.integers(0, logits.shape[1], size=batch_size)).to(logits.device)
            loss = cross_entropy(logits, labels)
            loss.backward()  # frees the saved buffers only; the edges drawn stay
        return draw(loss, params=params, show_attrs=show_attrs, name=name)
    finally:
        for key, p in params.items():
            p.grad = saved[key]


# Output formats by file suffix: a picture through `dot`, or the DOT text itself.
PICTURE_FORMATS = ("svg", "png", "pdf")
SOURCE_SUFFIXES = (".dot", ".gv")


def write(graph: graphviz.Digraph, path: "str | os.PathLike") -> tuple[str, str]:
    """Write ``graph`` to ``path`` in the format its suffix names: ``.svg``, ``.png``,
    ``.pdf`` (drawn by Graphviz's ``dot``) or ``.dot``/``.gv`` (the DOT source).

    Without ``dot``, a picture cannot be drawn: the DOT source is written next to it
    (``lenet.svg`` -> ``lenet.dot``) instead. Returns (the path written, a note saying
    why that is not ``path``, else ""). Raises ValueError for another suffix.
    """
    path = os.fspath(path)
    base, suffix = os.path.splitext(path)
    fmt = suffix.lower().lstrip(".")
    if suffix.lower() in SOURCE_SUFFIXES:
        with open(path, "w", encoding="utf-8") as f:
            f.write(graph.source)
        return path, ""
    if fmt not in PICTURE_FORMATS:
        known = ", ".join([f".{f}" for f in PICTURE_FORMATS] + list(SOURCE_SUFFIXES))
        raise ValueError(f"{path!r}: cannot tell the format from the suffix {suffix!r}; "
                         f"expected one of {known}")
    try:
        data = graphviz.Digraph.pipe(graph, format=fmt)  # the plain error, not the hint
    except graphviz.ExecutableNotFound:
        dot_path = base + ".dot"
        with open(dot_path, "w", encoding="utf-8") as f:
            f.write(graph.source)
        return dot_path, (f"Graphviz's dot was not found, so no {fmt.upper()} was drawn: wrote "
                          f"the DOT source to {dot_path} instead (install Graphviz, e.g. "
                          f"`apt-get install graphviz`, then: dot -T{fmt} {dot_path} -o {path})")
    with open(path, "wb") as f:
        f.write(data)
    return path, ""
