"""minigrad.train: the training loop and the ``minigrad train`` / ``eval`` / ``info``
commands.

From Python: :func:`train_one_epoch` and :func:`evaluate` (the loop of a PyTorch
training script, with accuracy and images/s), :func:`confusion_matrix`,
:func:`save_checkpoint` / :func:`load_checkpoint` (what ``minigrad train`` writes) and
:func:`plot_curves`. The commands live in :mod:`.run` (train), :mod:`.eval` and
:mod:`.info`; ``minigrad/cli.py`` only wires them.
"""
from .checkpoint import load_checkpoint, restore_model, save_checkpoint
from .loop import (EpochStats, EvalResult, TrainingInterrupted, count_correct, evaluate,
                   train_one_epoch, train_step)
from .metrics import confusion_matrix, format_confusion, format_table, write_csv, write_json
from .plots import plot_curves

__all__ = ["EpochStats", "EvalResult", "TrainingInterrupted", "confusion_matrix",
           "count_correct", "evaluate", "format_confusion", "format_table", "load_checkpoint",
           "plot_curves", "restore_model", "save_checkpoint", "train_one_epoch", "train_step",
           "write_csv", "write_json"]
