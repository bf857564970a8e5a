"""The training-curve picture: loss and accuracy per epoch, train and test (matplotlib).

matplotlib is optional (the ``bench`` extra): without it the picture is skipped with a
note, never an error. The figure is drawn on its own Agg canvas, without pyplot, so the
caller's matplotlib backend and open figures are left alone.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Mapping, Sequence


def plot_curves(history: Sequence[Mapping[str, Any]], path: str | os.PathLike,
                title: str = "") -> bool:
    """Write the curves of ``history`` (rows with epoch, train_loss, test_loss,
    train_accuracy, test_accuracy) to the PNG ``path``. Returns False (after a note on
    stderr) when matplotlib is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("note: matplotlib is not installed, so no training-curve picture "
              "(pip install matplotlib, or the 'bench' extra)", file=sys.stderr)
        return False
    epochs = [row["epoch"] for row in history]
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    FigureCanvasAgg(fig)
    loss_ax, acc_ax = fig.subplots(1, 2)
    for ax, key, label in ((loss_ax, "loss", "loss (cross-entropy)"),
                           (acc_ax, "accuracy", "accuracy (%)")):
        scale = 100.0 if key == "accuracy" else 1.0
        for split, style in (("train", "o-"), ("test", "s--")):
            ax.plot(epochs, [row[f"{split}_{key}"] * scale for row in history], style,
                    label=split)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend()
        if epochs:
            ax.set_xticks(epochs if len(epochs) <= 20 else epochs[:: max(1, len(epochs) // 10)])
    if title:
        fig.suptitle(title)
    fig.savefig(os.fspath(path), dpi=110)
    return True
