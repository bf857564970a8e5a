"""``minigrad eval --checkpoint PATH``: a trained model's accuracy on the test split and
its confusion matrix.

The model, the dataset and its normalisation come from the checkpoint's config (see
:mod:`minigrad.train.checkpoint`); ``--data-root`` says where the dataset's files are
when they are not at its default root.
"""
from __future__ import annotations

import argparse
import os
import sys

from ..dispatch import use
from . import data as datasets
from .checkpoint import load_checkpoint, restore_model
from .impl import format_impl, parse_impl
from .loop import evaluate
from .metrics import format_confusion


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, metavar="PATH",
                        help="a checkpoint written by `minigrad train`")
    parser.add_argument("--data-root", default=None, metavar="DIR",
                        help="folder holding the dataset's IDX files (default: its default root)")
    parser.add_argument("--batch-size", type=int, default=1000,
                        help="evaluation batch size (default: 1000)")
    parser.add_argument("--impl", default=None, metavar="OP=IMPL,...",
                        help="implementations to use (default: the registry's defaults)")


def main(args: argparse.Namespace) -> int:
    """Print the test accuracy and the confusion matrix; 0, or 2 on bad options."""
    try:
        if args.batch_size < 1:
            raise ValueError(f"--batch-size: expected a positive integer, got {args.batch_size}")
        impl = parse_impl(args.impl)
        ckpt = load_checkpoint(args.checkpoint)
        config = ckpt["config"]
        model = restore_model(ckpt, args.checkpoint)
        test_set = datasets.load_split(config["dataset"], args.data_root, train=False)
        classes = datasets.classes(config["dataset"])
    except (ValueError, RuntimeError, OSError) as e:
        print(f"minigrad eval: error: {e}", file=sys.stderr)
        return 2
    with use(**impl):
        result = evaluate(model, datasets.test_loader(test_set, args.batch_size),
                          num_classes=len(classes))
    done = ckpt["epoch"]
    partial = (f" (+{ckpt['progress']['steps']} steps of epoch {done + 1})"
               if ckpt["progress"] else "")
    print(f"{config['model']} from {args.checkpoint}: trained {done} epochs{partial} on "
          f"{config['dataset']}")
    print(f"test set: {result.seen:,} images from {os.path.dirname(test_set.files[0])}; "
          f"implementations: {format_impl(impl)}; {result.seconds:.1f} s")
    print(f"test accuracy: {result.accuracy:.2%} ({result.correct:,}/{result.seen:,})   "
          f"test loss: {result.loss:.4f}")
    print()
    print("confusion matrix (rows: true class, columns: predicted class):")
    print(format_confusion(result.confusion, classes))
    return 0
