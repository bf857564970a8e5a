"""``minigrad train``: train a model on Fashion-MNIST or MNIST, PyTorch-style.

    minigrad train --model lenet5 --dataset fashion-mnist --epochs 5 --out out
    minigrad train --model smallcnn      # its recipe: SGD, cosine schedule, augmentation

The settings an option leaves out come from the model's recipe, else the defaults
(:mod:`.recipe`): LeNet-5 trains with Adam, lr 1e-3, batch 128 for 5 epochs; SmallCNN
with its own recipe (``minigrad.models.get_recipe("smallcnn")``).

Each epoch: a progress bar (loss, accuracy, images/s), then the test split is
evaluated; at its end the checkpoint (``--checkpoint``, default OUT/checkpoint.npz),
metrics.csv, metrics.json and curve.png in OUT are rewritten. Before the first epoch the
graph of one training batch is drawn (OUT/model_graph.dot, .svg with Graphviz). At the
end a summary table is printed.

``--profile`` records the training steps of the first epoch this run trains with
:mod:`minigrad.profiler` (the evaluation after it is not profiled) and prints the
per-op table (calls, self and total time, by implementation and device) after that
epoch. On cuda each op then synchronizes the GPU, so that epoch runs slower than the
others.

Ctrl-C stops at the end of the current step, saves a checkpoint of the state after that
step (with the epoch's progress) and exits with status 130; ``--resume`` continues from
the next step, with the same data order: an interrupted and resumed run computes what
an uninterrupted one does. Errors in the options (an unknown op in ``--impl``, a
missing dataset, a checkpoint that does not fit) are reported before training starts,
with exit status 2.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import profiler
from ..data import DataLoader
from ..device import device as as_device
from ..dispatch import use
from . import data as datasets
from .checkpoint import (build_model, load_checkpoint, load_weights, rng_state, save_checkpoint,
                         set_rng_state)
from .graph import draw_model_graph
from .impl import check_impl, format_impl, parse_impl
from .interrupt import StopOnInterrupt
from .loop import EpochStats, TrainingInterrupted, evaluate, train_one_epoch
from .metrics import format_table, write_csv, write_json
from .plots import plot_curves
from .progress import Progress
from .recipe import (DEFAULTS, FIXED, OPTIMIZERS, OPTIONS, SCHEDULERS, build_optimizer,
                     build_scheduler, check_recipe, resolve, upgrade)

__all__ = ["DEFAULTS", "FIXED", "OPTIMIZERS", "Run", "add_arguments", "build_optimizer",
           "main", "prepare", "resolve_config", "train"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..models import list_models
    p = parser
    p.add_argument("--model", choices=list_models(), default=None,
                   help=f"network to train (default: {DEFAULTS['model']})")
    p.add_argument("--dataset", choices=list(datasets.DATASETS), default=None,
                   help=f"dataset (default: {DEFAULTS['dataset']})")
    p.add_argument("--data-root", default=None, metavar="DIR",
                   help="folder holding the dataset's IDX files (default: the dataset's "
                        "default root, e.g. /usr/share/datasets/fashion-mnist)")
    p.add_argument("--epochs", type=_positive_int, default=None,
                   help="train until this many epochs are done in all (default: the model's "
                        "recipe, else 5; with --resume: the checkpoint's)")
    p.add_argument("--batch-size", type=_positive_int, default=None,
                   help="training batch size (default: the model's recipe, else "
                        f"{DEFAULTS['batch_size']})")
    p.add_argument("--eval-batch-size", type=_positive_int, default=1000,
                   help="test-set batch size (default: 1000)")
    p.add_argument("--lr", type=_non_negative_float, default=None,
                   help="learning rate (default: the model's recipe for its optimizer, else "
                        "1e-3 for adam/adamw, 0.01 for sgd)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=None,
                   help=f"optimizer (default: the model's recipe, else {DEFAULTS['optimizer']})")
    p.add_argument("--momentum", type=_non_negative_float, default=None,
                   help="SGD momentum (default: the model's recipe, else 0.9; sgd only)")
    p.add_argument("--weight-decay", type=_non_negative_float, default=None,
                   help="weight decay (default: the model's recipe, else 0.01 for adamw, "
                        "else 0)")
    p.add_argument("--scheduler", choices=SCHEDULERS, default=None,
                   help="learning-rate schedule, stepped after each epoch: none, or cosine "
                        "annealing to 0 over --epochs (default: the model's recipe, else none)")
    p.add_argument("--augment", default=None, metavar="NAMES",
                   help="random augmentation of the training images, comma-separated: crop "
                        "(shifts of up to 2 pixels), flip (left-right, p=0.5), or none "
                        "(default: the model's recipe, else none)")
    p.add_argument("--device", default="cpu",
                   help="cpu (default) or cuda (a GPU, or NUMBA_ENABLE_CUDASIM=1 for Numba's simulator)")
    p.add_argument("--impl", default=None, metavar="OP=IMPL,...",
                   help="implementations to use, e.g. conv2d=numba,max_pool2d=numpy, or one "
                        "name for every op that has it (e.g. naive); default: the registry's "
                        "defaults (see `minigrad info`)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed for the initial weights and the data order (default: 0)")
    p.add_argument("--checkpoint", default=None, metavar="PATH",
                   help="checkpoint file, rewritten at each epoch's end and on Ctrl-C "
                        "(default: OUT/checkpoint.npz)")
    p.add_argument("--resume", action="store_true",
                   help="continue the training saved in --checkpoint")
    p.add_argument("--out", default="out", metavar="DIR",
                   help="folder for metrics, curve, graph and checkpoint (default: out)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--profile", action="store_true",
                   help="profile the training steps of the first epoch and print the time "
                        "per op after it (minigrad.profiler; on cuda it synchronizes after "
                        "each op, so that epoch is slower)")


@dataclass
class Run:
    """Everything a training run needs, prepared and checked before the first step."""

    config: dict
    model: Any
    optimizer: Any
    loss_fn: Any
    train_set: Any
    test_set: Any
    out: str
    checkpoint: str
    start_epoch: int = 0
    progress: EpochStats | None = None
    history: list = field(default_factory=list)
    progress_bars: bool = True
    eval_batch_size: int = 1000
    profile: bool = False
    scheduler: Any = None  # stepped after each epoch; None: a constant learning rate


# ---- preparation ----------------------------------------------------------------------
def resolve_config(args: argparse.Namespace, impl: dict | None,
                   saved: dict | None = None) -> dict:
    """The run's settings: the options given, else the checkpoint's (when resuming),
    else the model's recipe, else the defaults (see :mod:`.recipe`). Raises ValueError
    when a resumed run is given a setting that differs from the checkpoint's (see
    FIXED)."""
    given = {k: getattr(args, k, None) for k in OPTIONS}
    if given["augment"] is not None:
        given["augment"] = ",".join(datasets.parse_augment(given["augment"])) or "none"
    if saved is not None:
        saved = upgrade(saved)
        for key in FIXED:
            if given[key] is not None and given[key] != saved.get(key):
                raise ValueError(f"--{key.replace('_', '-')} {given[key]}: the checkpoint was "
                                 f"trained with {saved.get(key)!r}; a resumed run keeps it (drop "
                                 "the option, or train afresh without --resume)")
        config = dict(saved)
        if args.epochs is not None:
            config["epochs"] = args.epochs
        if impl is not None:
            config["impl"] = impl
        config["device"] = args.device
        return config
    from ..models import get_recipe
    given["model"] = given["model"] or DEFAULTS["model"]
    recipe = get_recipe(given["model"])
    check_recipe(given["model"], recipe)
    config = resolve(given, recipe)
    config["impl"] = impl or {}
    config["device"] = args.device
    return config


def prepare(args: argparse.Namespace) -> Run:
    """Check every option, read the data and the checkpoint, build the model and the
    optimizer. Raises ValueError / RuntimeError / OSError with a message for the user."""
    from ..nn import CrossEntropyLoss

    device = as_device(args.device)  # cuda where there is none: a clear RuntimeError
    impl = parse_impl(args.impl, device.type) if args.impl is not None else None
    out = args.out
    checkpoint = args.checkpoint or os.path.join(out, "checkpoint.npz")
    ckpt = None
    if args.resume:
        if not os.path.exists(checkpoint):
            raise FileNotFoundError(f"--resume: no checkpoint at {checkpoint!r} (train without "
                                    "--resume first, or pass --checkpoint PATH)")
        ckpt = load_checkpoint(checkpoint)
    config = resolve_config(args, impl, ckpt["config"] if ckpt else None)
    check_impl(config["impl"], device.type)

    augment = datasets.parse_augment(config["augment"])
    train_set = datasets.load_split(config["dataset"], args.data_root, train=True,
                                    augment=augment)
    test_set = datasets.load_split(config["dataset"], args.data_root, train=False)

    from ..random import manual_seed
    manual_seed(config["seed"])
    model = build_model(config["model"]).to(device)  # before the optimizer: state follows
    optimizer = build_optimizer(config, model.parameters())
    run = Run(config=config, model=model, optimizer=optimizer, loss_fn=CrossEntropyLoss(),
              train_set=train_set, test_set=test_set, out=out, checkpoint=checkpoint,
              progress_bars=not args.no_progress, eval_batch_size=args.eval_batch_size,
              profile=getattr(args, "profile", False),
              scheduler=build_scheduler(config, optimizer))
    if ckpt is not None:
        load_weights(model, ckpt, checkpoint)
        try:
            optimizer.load_state_dict(ckpt["optimizer"])
        except ValueError as e:
            raise ValueError(f"the optimizer state in {checkpoint!r} does not fit: {e}") from e
        if run.scheduler is not None:
            if ckpt.get("scheduler") is None:
                raise ValueError(f"{checkpoint!r} has no learning-rate scheduler state for its "
                                 f"{config['scheduler']!r} schedule")
            run.scheduler.load_state_dict(dict(ckpt["scheduler"]))
        if "rng" in ckpt:
            set_rng_state(ckpt["rng"])
        run.start_epoch = int(ckpt["epoch"])
        run.history = list(ckpt["history"])
        if len(run.history) != run.start_epoch:
            raise ValueError(f"{checkpoint!r} is inconsistent: {run.start_epoch} epochs done but "
                             f"{len(run.history)} rows of metrics")
        if ckpt["progress"] is not None:
            run.progress = EpochStats.from_dict(ckpt["progress"])
    os.makedirs(out, exist_ok=True)
    ckpt_dir = os.path.dirname(os.path.abspath(checkpoint))
    if not os.path.isdir(ckpt_dir):
        raise FileNotFoundError(f"--checkpoint: the folder {ckpt_dir!r} does not exist")
    return run


# ---- training -------------------------------------------------------------------------
def _describe(run: Run) -> str:
    c = run.config
    extra = f", momentum {c['momentum']}" if c["optimizer"] == "sgd" else ""
    extra += " (nesterov)" if c.get("nesterov") else ""
    wd = f", weight decay {c['weight_decay']}" if c["weight_decay"] else ""
    schedule = "" if c.get("scheduler", "none") == "none" else f", {c['scheduler']} schedule"
    augment = "" if c.get("augment", "none") == "none" else f", augment {c['augment']}"
    n_params = sum(p.numel() for p in run.model.parameters())
    return (f"Training {c['model']} ({n_params:,} parameters) on {c['dataset']} "
            f"({len(run.train_set):,} training / {len(run.test_set):,} test images from "
            f"{os.path.dirname(run.train_set.files[0])})\n"
            f"  {c['optimizer']} lr {c['lr']:g}{extra}{wd}{schedule}, batch {c['batch_size']}"
            f"{augment}, "
            f"{c['epochs']} epochs, seed {c['seed']}, device {c['device']}, "
            f"implementations: {format_impl(c['impl'])}\n"
            f"  writing to {run.out}/ (checkpoint: {run.checkpoint})")


def _write_outputs(run: Run, confusion: np.ndarray | None) -> list[str]:
    """metrics.csv, metrics.json and curve.png in OUT, rewritten after each epoch."""
    csv_path = os.path.join(run.out, "metrics.csv")
    json_path = os.path.join(run.out, "metrics.json")
    write_csv(csv_path, run.history)
    extra: dict[str, Any] = {"config": run.config,
                             "classes": datasets.classes(run.config["dataset"]),
                             "completed_epochs": len(run.history)}
    if confusion is not None:
        extra["test_confusion_matrix"] = confusion
    write_json(json_path, run.history, **extra)
    written = [csv_path, json_path]
    if run.history:
        curve = os.path.join(run.out, "curve.png")
        title = f"{run.config['model']} on {run.config['dataset']}"
        if plot_curves(run.history, curve, title=title):
            written.append(curve)
    return written


def _epoch_loader(run: Run, epoch: int) -> DataLoader:
    # One generator per epoch, seeded by (seed, epoch): a resumed run visits the data in
    # the order an uninterrupted one would.
    rng = np.random.default_rng([run.config["seed"], epoch])
    return DataLoader(run.train_set, batch_size=run.config["batch_size"], shuffle=True,
                      generator=rng)


def train(run: Run) -> int:
    """Run the epochs from ``run.start_epoch + 1`` to ``config["epochs"]``; 0 when done,
    130 when interrupted (after saving a checkpoint)."""
    c = run.config
    print(_describe(run), flush=True)
    if run.start_epoch >= c["epochs"]:
        print(f"Nothing to do: the checkpoint already has {run.start_epoch} epochs "
              f"(pass --epochs N with N > {run.start_epoch} to train more).")
        if run.history:
            print(format_table(run.history))
        return 0
    if run.progress:
        print(f"Resuming epoch {run.start_epoch + 1} after step {run.progress.steps}.",
              flush=True)
    elif run.start_epoch:
        print(f"Resuming after epoch {run.start_epoch}.", flush=True)
    num_classes = len(datasets.classes(c["dataset"]))
    test_loader = datasets.test_loader(run.test_set, run.eval_batch_size)
    written: list[str] = []
    outputs: list[str] = []
    confusion = None
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        stack.enter_context(use(**c["impl"]))
        stop = stack.enter_context(StopOnInterrupt())
        # The graph's batch is augmented like any training batch: its draws are undone
        # so that they do not shift the training's (a resumed run makes it again).
        state = rng_state()
        images, labels = next(iter(DataLoader(run.train_set, batch_size=c["batch_size"])))
        set_rng_state(state)
        files, note = draw_model_graph(run.model, run.loss_fn, images, labels, run.out)
        written += files
        if note:
            print(f"note: {note}", file=sys.stderr)
        for epoch in range(run.start_epoch + 1, c["epochs"] + 1):
            loader = _epoch_loader(run, epoch)
            bar = Progress(len(loader), run.progress.steps if run.progress else 0,
                           f"epoch {epoch}/{c['epochs']}", enabled=run.progress_bars)
            stats = before = run.progress
            prof = profiler.profile(enabled=run.profile and epoch == run.start_epoch + 1)
            try:
                with prof:
                    stats = train_one_epoch(run.model, loader, run.optimizer, run.loss_fn,
                                            stats=run.progress, should_stop=stop,
                                            on_step=bar.update)
                if stop():
                    raise TrainingInterrupted(stats)
                result = evaluate(run.model, test_loader, run.loss_fn, num_classes=num_classes)
            except KeyboardInterrupt as e:  # Ctrl-C (TrainingInterrupted), or a second one
                stats = e.stats if isinstance(e, TrainingInterrupted) else stats
                bar.close("interrupted")
                _print_profile(prof, epoch, stats, before)
                return _interrupted(run, epoch, len(loader), stats, confusion)
            confusion = result.confusion
            run.history.append({
                "epoch": epoch, "train_loss": stats.loss, "train_accuracy": stats.accuracy,
                "test_loss": result.loss, "test_accuracy": result.accuracy,
                "seconds": stats.seconds, "images_per_s": stats.images_per_s,
                "eval_seconds": result.seconds, "lr": float(run.optimizer.param_groups[0]["lr"])})
            run.progress = None
            if run.scheduler is not None:  # after the epoch's row: it shows the rate used
                run.scheduler.step()
            bar.close(f"test_loss={result.loss:.4f} test_acc={result.accuracy:.2%}")
            save_checkpoint(run.checkpoint, model=run.model, optimizer=run.optimizer,
                            config=c, epoch=epoch, history=run.history,
                            scheduler=run.scheduler)
            outputs = _write_outputs(run, confusion)
            if not run.progress_bars:
                print(f"epoch {epoch}/{c['epochs']}: train loss {stats.loss:.4f} acc "
                      f"{stats.accuracy:.2%}, test loss {result.loss:.4f} acc "
                      f"{result.accuracy:.2%}, {stats.seconds:.1f} s", flush=True)
            _print_profile(prof, epoch, stats, before)
    written += outputs + [run.checkpoint]
    print()
    print(format_table(run.history))
    last = run.history[-1]
    print(f"\nTest accuracy after {last['epoch']} epochs: {last['test_accuracy']:.2%} "
          f"({time.perf_counter() - started:.1f} s in this run)")
    print("Wrote: " + ", ".join(written))
    return 0


def _print_profile(prof: profiler.profile, epoch: int, stats: EpochStats | None,
                   before: EpochStats | None) -> None:
    """The profiled epoch's table of ops (nothing when the epoch was not profiled);
    ``before``: the totals the epoch resumed from (not profiled), if any."""
    if not prof.enabled:
        return
    stats, before = stats or EpochStats(), before or EpochStats()
    steps, seconds = stats.steps - before.steps, stats.seconds - before.seconds
    ops = prof.self_cpu_time_total
    header = (f"Profile of epoch {epoch}'s training steps ({steps} steps, {seconds:.2f} s; "
              f"ops {ops:.2f} s, the rest is data loading, the optimizer and Python):")
    print(prof.table(sort_by="self_cpu_time_total", row_limit=-1, header=header), flush=True)


def _interrupted(run: Run, epoch: int, steps_in_epoch: int, stats: EpochStats | None,
                 confusion: np.ndarray | None) -> int:
    """Save the state after the last completed step and say how to go on."""
    stats = stats or EpochStats()
    save_checkpoint(run.checkpoint, model=run.model, optimizer=run.optimizer, config=run.config,
                    epoch=epoch - 1, history=run.history, progress=stats,
                    scheduler=run.scheduler)
    _write_outputs(run, confusion)
    resume = f"minigrad train --resume --checkpoint {run.checkpoint} --out {run.out}"
    print(f"\nInterrupted in epoch {epoch} after {stats.steps}/{steps_in_epoch} steps; "
          f"checkpoint saved to {run.checkpoint}.\nContinue with: {resume}", file=sys.stderr)
    return 130


def main(args: argparse.Namespace) -> int:
    """The ``train`` subcommand: 0 done, 2 bad options, 130 interrupted."""
    try:
        run = prepare(args)
    except KeyboardInterrupt:
        print("\nInterrupted before training started.", file=sys.stderr)
        return 130
    except (ValueError, RuntimeError, OSError) as e:
        print(f"minigrad train: error: {e}", file=sys.stderr)
        return 2
    try:
        return train(run)
    except KeyboardInterrupt:  # a second Ctrl-C outside a step (saving, the graph)
        print(f"\nInterrupted. The last checkpoint written is {run.checkpoint} (if any).",
              file=sys.stderr)
        return 130

