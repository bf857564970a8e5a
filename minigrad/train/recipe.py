"""How ``minigrad train`` settles a run's settings: the options given, else the model's
recipe, else the defaults; and the optimizer and learning-rate schedule they describe.

A model's recipe is the ``recipe`` dict of its class (``minigrad.models.get_recipe``),
e.g. SmallCNN's::

    {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True,
     "weight_decay": 5e-4, "batch_size": 128, "epochs": 10, "scheduler": "cosine",
     "augment": "flip"}

so that ``minigrad train --model smallcnn`` alone trains it the way its numbers were
measured. LeNet-5 has none: DEFAULTS is its recipe (Adam, lr 1e-3, batch 128, 5 epochs,
no schedule, no augmentation). The settings tied to an optimizer (lr, momentum,
nesterov, weight_decay) come from the recipe only when the run uses the recipe's
optimizer: ``--optimizer adam`` on SmallCNN gets Adam's usual lr 1e-3, not SGD's 0.05.
"""
from __future__ import annotations

from typing import Any

from .data import parse_augment

OPTIMIZERS = ("sgd", "adam", "adamw")
# none: a constant rate; cosine: CosineAnnealingLR(T_max=the run's epochs), stepped
# after each epoch, as PyTorch's usual per-epoch loop does.
SCHEDULERS = ("none", "cosine")
DEFAULTS: dict[str, Any] = {"model": "lenet5", "dataset": "fashion-mnist", "seed": 0,
                            "batch_size": 128, "optimizer": "adam", "epochs": 5,
                            "scheduler": "none", "augment": "none"}
# The settings an option can give (argparse attribute names). What a resumed run must
# share with its checkpoint: all but epochs (they shape the model, the data, the data
# order, the optimizer's state or its schedule).
OPTIONS = ("model", "dataset", "seed", "batch_size", "optimizer", "lr", "momentum",
           "weight_decay", "scheduler", "augment", "epochs")
FIXED = tuple(k for k in OPTIONS if k != "epochs")
# What a recipe may set.
RECIPE_KEYS = ("optimizer", "lr", "momentum", "nesterov", "weight_decay", "batch_size",
               "epochs", "scheduler", "augment", "dataset", "seed")
_OPTIMIZER_KEYS = ("lr", "momentum", "nesterov", "weight_decay")
# Settings that checkpoints written before recipes existed lack: what they trained with.
_OLD_CHECKPOINT = {"nesterov": False, "scheduler": "none", "augment": "none"}


def optimizer_defaults(name: str) -> dict[str, Any]:
    """The usual settings of optimizer ``name`` (those of PyTorch's tutorials for lr and
    momentum; AdamW's own default weight decay)."""
    return {"lr": 0.01 if name == "sgd" else 1e-3, "momentum": 0.9 if name == "sgd" else 0.0,
            "nesterov": False, "weight_decay": 0.01 if name == "adamw" else 0.0}


def check_recipe(model: str, recipe: dict[str, Any]) -> None:
    unknown = sorted(set(recipe) - set(RECIPE_KEYS))
    if unknown:
        raise ValueError(f"model {model!r}: unknown recipe entries {', '.join(unknown)} "
                         f"(known: {', '.join(RECIPE_KEYS)})")
    if recipe.get("optimizer", "adam") not in OPTIMIZERS:
        raise ValueError(f"model {model!r}: recipe optimizer {recipe['optimizer']!r} is not one "
                         f"of {', '.join(OPTIMIZERS)}")
    if recipe.get("scheduler", "none") not in SCHEDULERS:
        raise ValueError(f"model {model!r}: recipe scheduler {recipe['scheduler']!r} is not one "
                         f"of {', '.join(SCHEDULERS)}")
    parse_augment(recipe.get("augment"))


def resolve(given: dict[str, Any], recipe: dict[str, Any]) -> dict[str, Any]:
    """A fresh run's config from ``given`` (option -> value or None, for OPTIONS; the
    model is known) and the model's ``recipe``: given, else recipe, else DEFAULTS. Raises
    ValueError for momentum with an optimizer other than SGD and for unknown
    augmentations."""
    config: dict[str, Any] = {}
    for key in OPTIONS:
        if key in _OPTIMIZER_KEYS:
            continue
        value = given.get(key)
        config[key] = value if value is not None else recipe.get(key, DEFAULTS.get(key))
    name = config["optimizer"]
    own = recipe if recipe.get("optimizer", DEFAULTS["optimizer"]) == name else {}
    usual = optimizer_defaults(name)
    for key in _OPTIMIZER_KEYS:
        value = given.get(key)
        config[key] = value if value is not None else own.get(key, usual[key])
    if name != "sgd" and config["momentum"] != 0:
        raise ValueError(f"--momentum applies to --optimizer sgd only, not {name}")
    # Nesterov needs momentum: --momentum 0 on a Nesterov recipe means plain SGD.
    config["nesterov"] = bool(config["nesterov"]) and name == "sgd" and config["momentum"] > 0
    config["augment"] = ",".join(parse_augment(config["augment"])) or "none"
    return config


def upgrade(saved: dict[str, Any]) -> dict[str, Any]:
    """A checkpoint's config with the entries older checkpoints lack filled in."""
    return {**_OLD_CHECKPOINT, **saved}


def build_optimizer(config: dict[str, Any], params: Any) -> Any:
    from ..optim import SGD, Adam, AdamW
    name, lr, wd = config["optimizer"], config["lr"], config["weight_decay"]
    if name == "sgd":
        return SGD(params, lr=lr, momentum=config["momentum"], weight_decay=wd,
                   nesterov=bool(config.get("nesterov", False)))
    if name == "adam":
        return Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return AdamW(params, lr=lr, weight_decay=wd)
    raise ValueError(f"optimizer: expected one of {', '.join(OPTIMIZERS)}, got {name!r}")


def build_scheduler(config: dict[str, Any], optimizer: Any) -> Any:
    """The learning-rate scheduler of ``config["scheduler"]`` (None for "none"), to be
    stepped once after each epoch. A cosine schedule spans ``config["epochs"]``; a
    resumed run loads the scheduler's state, and with it the span it started with."""
    from ..optim.lr_scheduler import CosineAnnealingLR
    name = config.get("scheduler", "none")
    if name == "none":
        return None
    if name == "cosine":
        return CosineAnnealingLR(optimizer, T_max=config["epochs"])
    raise ValueError(f"scheduler: expected one of {', '.join(SCHEDULERS)}, got {name!r}")
