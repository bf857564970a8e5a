"""Training metrics: the confusion matrix, the per-epoch history as CSV and JSON, and the
tables printed at the end of a run.

The history is a list of rows, one per completed epoch, each a dict with the keys of
:data:`FIELDS` (floats and ints only, so it goes into JSON, CSV and checkpoints alike).
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from typing import Any, Mapping, Sequence

import numpy as np

# One row per epoch. Accuracies are fractions in [0, 1]; seconds is the training phase
# only (data loading included), eval_seconds the test-set evaluation.
FIELDS = ("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
          "seconds", "images_per_s", "eval_seconds", "lr")


def confusion_matrix(targets: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """``matrix[t, p]`` = how many samples of true class ``t`` were predicted as ``p``
    (rows: true classes, columns: predictions, as scikit-learn). int64 (K, K)."""
    targets = np.asarray(targets, dtype=np.int64).ravel()
    predictions = np.asarray(predictions, dtype=np.int64).ravel()
    if targets.shape != predictions.shape:
        raise ValueError(f"targets and predictions: expected the same length, got "
                         f"{targets.size} and {predictions.size}")
    for name, values in (("targets", targets), ("predictions", predictions)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name}: expected class indices in [0, {num_classes}), got values "
                             f"from {values.min()} to {values.max()}")
    flat = np.bincount(targets * num_classes + predictions, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def _write_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``:
    a Ctrl-C in the middle leaves the previous file whole."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_csv(path: str | os.PathLike, history: Sequence[Mapping[str, Any]]) -> None:
    """The history as CSV: a header row with :data:`FIELDS`, then one row per epoch."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in history:
        writer.writerow({k: row.get(k) for k in FIELDS})
    _write_atomically(path, buffer.getvalue())


def write_json(path: str | os.PathLike, history: Sequence[Mapping[str, Any]],
               **extra: Any) -> None:
    """``{"epochs": history, **extra}`` as indented JSON (extra: the run's configuration,
    the final confusion matrix, ...; NumPy arrays and scalars become lists and numbers)."""
    def default(obj: Any) -> Any:
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        if isinstance(obj, np.generic):
            return obj.item()
        raise TypeError(f"cannot write a {type(obj).__name__} to JSON")
    document = {"epochs": [dict(row) for row in history], **extra}
    _write_atomically(path, json.dumps(document, indent=2, default=default) + "\n")


def format_table(history: Sequence[Mapping[str, Any]]) -> str:
    """The summary table printed at the end of training, one line per epoch."""
    header = (f"{'epoch':>5}  {'train loss':>10}  {'train acc':>9}  {'test loss':>9}  "
              f"{'test acc':>8}  {'seconds':>7}  {'images/s':>8}")
    lines = [header, "-" * len(header)]
    for r in history:
        lines.append(f"{r['epoch']:>5}  {r['train_loss']:>10.4f}  {r['train_accuracy']:>9.2%}  "
                     f"{r['test_loss']:>9.4f}  {r['test_accuracy']:>8.2%}  {r['seconds']:>7.1f}  "
                     f"{r['images_per_s']:>8.0f}")
    return "\n".join(lines)


def format_confusion(matrix: np.ndarray, classes: Sequence[str]) -> str:
    """The confusion matrix as text: one row per true class (its index and name), one
    column per predicted class (its index), and the class's recall at the end."""
    matrix = np.asarray(matrix)
    k = matrix.shape[0]
    names = [f"{i} {classes[i]}" if i < len(classes) else str(i) for i in range(k)]
    corner = "true \\ predicted"
    name_width = max(len(corner), *(len(n) for n in names))
    cell = max(4, len(str(int(matrix.max()) if matrix.size else 0)) + 1)
    lines = [f"{corner:<{name_width}}" + "".join(f"{j:>{cell}}" for j in range(k))
             + f"{'recall':>9}"]
    for i in range(k):
        total = int(matrix[i].sum())
        recall = f"{matrix[i, i] / total:>9.1%}" if total else f"{'-':>9}"
        lines.append(f"{names[i]:<{name_width}}" + "".join(f"{int(v):>{cell}}" for v in matrix[i])
                     + recall)
    return "\n".join(lines)
