"""What a training checkpoint holds, and how it is read back and checked.

A checkpoint is a :func:`minigrad.save` file (.npz, no pickles, written atomically)
holding one dict::

    {"format": "minigrad.train", "version": 1,
     "config":    {"model": "lenet5", "dataset": "fashion-mnist", "seed": 0,
                   "batch_size": 128, "optimizer": "adam", "lr": 0.001, "momentum": 0.0,
                   "nesterov": False, "weight_decay": 0.0, "scheduler": "none",
                   "augment": "none", "epochs": 5, "impl": {"conv2d": "numba"}},
     "epoch":     2,                  # epochs completed
     "progress":  None | {"steps": 37, "seen": ..., "loss_sum": ..., "correct": ...,
                          "seconds": ...},   # the interrupted epoch (epoch + 1) so far
     "history":   [{"epoch": 1, "train_loss": ..., ...}, ...],   # metrics.FIELDS
     "model":     model.state_dict(),
     "optimizer": optimizer.state_dict(),
     "scheduler": None | scheduler.state_dict(),   # the learning-rate schedule's
     "rng":       the state of minigrad's global random generator (dropout, init,
                  augmentation)}

Checkpoints written before schedules and augmentation existed lack ``scheduler`` and
the config's ``nesterov``, ``scheduler`` and ``augment``: they read as None, False,
"none" and "none" (what they trained with).

``config`` is enough to rebuild the model (``minigrad.models.get_model(config["model"])``),
the data and the optimizer, so ``minigrad train --resume`` and ``minigrad eval`` need
nothing else.
"""
from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

from .. import random as _random
from ..serialization import load, save
from .loop import EpochStats

FORMAT = "minigrad.train"
VERSION = 1
_REQUIRED = ("config", "epoch", "progress", "history", "model", "optimizer")


def rng_state() -> dict:
    """The state of minigrad's global generator (a dict of ints and strings)."""
    return _random.generator().bit_generator.state


def set_rng_state(state: Mapping[str, Any]) -> None:
    _random.generator().bit_generator.state = dict(state)


def save_checkpoint(path: str | os.PathLike, *, model: Any, optimizer: Any,
                    config: Mapping[str, Any], epoch: int, history: Sequence[Mapping[str, Any]],
                    progress: EpochStats | None = None, scheduler: Any = None) -> None:
    """Write the checkpoint described in the module docstring to ``path`` (atomically:
    an interruption leaves the previous file intact)."""
    save({"format": FORMAT, "version": VERSION, "config": dict(config), "epoch": int(epoch),
          "progress": progress.to_dict() if progress is not None else None,
          "history": [dict(row) for row in history], "model": model.state_dict(),
          "optimizer": optimizer.state_dict(),
          "scheduler": scheduler.state_dict() if scheduler is not None else None,
          "rng": rng_state()}, path)


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint` and check its layout.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not a minigrad checkpoint, not one written by ``minigrad train``, a
            newer version, or entries missing.
    """
    ckpt = load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{os.fspath(path)!r} is a minigrad checkpoint but not a training "
                         "checkpoint written by `minigrad train` (its 'format' entry is not "
                         f"{FORMAT!r})")
    version = ckpt.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ValueError(f"{os.fspath(path)!r} is a training checkpoint of version {version!r}; "
                         f"this minigrad reads versions up to {VERSION}")
    missing = [k for k in _REQUIRED if k not in ckpt]
    if missing:
        raise ValueError(f"{os.fspath(path)!r} is an incomplete training checkpoint: it lacks "
                         f"{', '.join(missing)}")
    config = ckpt["config"]
    if not isinstance(config, dict) or not isinstance(config.get("model"), str) \
            or not isinstance(config.get("dataset"), str):
        raise ValueError(f"{os.fspath(path)!r}: its 'config' entry does not name the model and "
                         "the dataset")
    return ckpt


def build_model(name: str) -> Any:
    """A new model by registry name (``minigrad.models.get_model``)."""
    from ..models import get_model  # mounted from models/ when minigrad is imported
    return get_model(name)


def restore_model(ckpt: Mapping[str, Any], path: str | os.PathLike = "checkpoint") -> Any:
    """The checkpoint's model, rebuilt from its config and loaded with its weights.
    A state dict that does not fit the model is a ValueError naming both."""
    name = ckpt["config"]["model"]
    model = build_model(name)
    load_weights(model, ckpt, path)
    return model


def load_weights(model: Any, ckpt: Mapping[str, Any], path: str | os.PathLike) -> None:
    try:
        model.load_state_dict(ckpt["model"])
    except (KeyError, RuntimeError, ValueError) as e:
        raise ValueError(f"the weights in {os.fspath(path)!r} do not fit the model "
                         f"{ckpt['config']['model']!r}: {e}") from e
