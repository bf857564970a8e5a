"""Make the pictures the documentation shows; rerun after changing what they depict.

    .venv/bin/python scripts/docs_images.py            # docs/img/tape.svg (needs Graphviz's dot)
    .venv/bin/python scripts/docs_images.py --train    # also docs/img/curve.png and
                                                       # docs/img/lenet5_graph.svg: trains
                                                       # LeNet-5 for 5 epochs (minutes)

The tape picture is the graph of the small example that docs/tape.md builds step by step,
so the page and the picture agree; tests/test_docs.py checks that the committed SVG still
names the ops of that example.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMG = os.path.join(ROOT, "docs", "img")


def tape_example():
    """The graph of docs/tape.md: w is used twice, so its gradient is accumulated."""
    import minigrad

    x = minigrad.tensor([[1.0, -2.0]])                                   # (1, 2), an input
    w = minigrad.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)  # (2, 2)
    b = minigrad.tensor([0.1, -0.1], requires_grad=True)                 # (2,)
    h = (x @ w + b).relu()                                               # (1, 2)
    loss = (h * h).sum() + (w * w).sum()                                 # () a scalar
    return loss, {"w": w, "b": b}


def draw_tape(path: str) -> None:
    import minigrad

    loss, params = tape_example()
    graph = minigrad.viz.draw(loss, params=params)
    stem, ext = os.path.splitext(path)
    # render() writes stem + "." + format and keeps the DOT source beside it: drop it.
    graph.render(stem, format=ext.lstrip("."), cleanup=True)


def train_figures() -> None:
    """Train LeNet-5 as the README's main command does and keep its curve and graph."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "minigrad", "train", "--model", "lenet5",
                        "--dataset", "fashion-mnist", "--epochs", "5", "--no-progress",
                        "--out", out], check=True, cwd=ROOT)
        shutil.copyfile(os.path.join(out, "curve.png"), os.path.join(IMG, "curve.png"))
        shutil.copyfile(os.path.join(out, "model_graph.svg"),
                        os.path.join(IMG, "lenet5_graph.svg"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="store_true",
                        help="also train LeNet-5 for the tutorial's curve and graph (minutes)")
    args = parser.parse_args(argv)
    os.makedirs(IMG, exist_ok=True)
    draw_tape(os.path.join(IMG, "tape.svg"))
    print("wrote docs/img/tape.svg")
    if args.train:
        train_figures()
        print("wrote docs/img/curve.png, docs/img/lenet5_graph.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
