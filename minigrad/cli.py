"""The ``minigrad`` command. Thin: each subcommand calls into the library."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="minigrad", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a small CNN with every implementation and draw its graph")
    demo.add_argument("--out", default="out", help="directory for the graph picture (default: out)")
    bench = sub.add_parser("bench", help="time every implementation of each CNN op and whole "
                                         "training steps, against naive and PyTorch "
                                         "(--device cuda: the GPU versions)")
    from .bench import add_arguments
    add_arguments(bench)
    warm = sub.add_parser("warmup", help="compile the JIT kernels now (or load them from the "
                                         "on-disk cache) and print the time per op")
    warm.add_argument("--ops", default=None, help="comma-separated ops (default: all CNN ops)")
    from .train import eval as train_eval
    from .train import info as train_info
    from .train import run as train_run
    train = sub.add_parser("train", help="train a model (LeNet-5, ...) on Fashion-MNIST or MNIST",
                           description=train_run.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    train_run.add_arguments(train)
    evaluate = sub.add_parser("eval", help="a checkpoint's test accuracy and confusion matrix",
                              description=train_eval.__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    train_eval.add_arguments(evaluate)
    info = sub.add_parser("info", help="versions, devices, registered implementations, datasets")
    train_info.add_arguments(info)
    viz = sub.add_parser("viz", help="draw the graph of one training step of a model",
                         description=_viz_main.__doc__,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    _viz_arguments(viz)
    args = parser.parse_args(argv)

    if args.command == "demo":
        from .demo import main as demo_main
        return demo_main(args.out)
    if args.command == "bench":
        from .bench import run as bench_run
        return bench_run(args)
    if args.command == "warmup":
        from .warmup import warmup
        timings = warmup(args.ops.split(",") if args.ops else None)
        for (op, impl), seconds in timings.items():
            print(f"{op:<14} {impl:<10} {seconds * 1e3:9.1f} ms")
        print(f"total          {sum(timings.values()) * 1e3:20.1f} ms")
        return 0
    if args.command == "train":
        return train_run.main(args)
    if args.command == "eval":
        return train_eval.main(args)
    if args.command == "info":
        return train_info.main(args)
    if args.command == "viz":
        return _viz_main(args)
    return 2


def _shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        shape = ()
    if not shape or any(n < 1 for n in shape):
        raise argparse.ArgumentTypeError(f"expected positive integers such as 1,28,28, got {text!r}")
    return shape


def _viz_arguments(p: argparse.ArgumentParser) -> None:
    from .models import list_models
    from .train.run import _positive_int
    p.add_argument("--model", choices=list_models(), default="lenet5",
                   help="network to draw (default: lenet5)")
    p.add_argument("-o", "--output", default=None, metavar="PATH",
                   help="file to write; the format is its suffix: .svg, .png, .pdf or .dot "
                        "(default: MODEL.svg)")
    p.add_argument("--batch", type=_positive_int, default=2, help="batch size B (default: 2)")
    p.add_argument("--input-shape", type=_shape, default=(1, 28, 28), metavar="C,H,W",
                   help="shape of one input sample (default: 1,28,28)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--no-attrs", action="store_true",
                   help="leave op attributes (stride, padding, ...) out of the boxes")


def _viz_main(args: argparse.Namespace) -> int:
    """``minigrad viz``: the computational graph of one training step of a model.

        minigrad viz --model lenet5 -o lenet.svg

    Builds the model (fresh weights), runs forward on a random batch of shape
    (B, C, H, W) = (--batch, *--input-shape), the cross-entropy loss against random
    labels and backward, and draws the recorded graph: a box per op (its attributes and
    the implementation that ran), an ellipse per parameter. Without Graphviz's `dot`
    program the DOT source is written instead (OUTPUT with the suffix .dot), with a
    note on stderr.
    """
    from . import viz
    from .device import device as as_device
    from .models import get_model

    output = args.output or f"{args.model}.svg"
    try:
        device = as_device(args.device)
        model = get_model(args.model).to(device)
    except (ValueError, RuntimeError) as e:
        print(f"minigrad viz: error: {e}", file=sys.stderr)
        return 2
    try:
        graph = viz.draw_model(model, args.input_shape, args.batch,
                               show_attrs=not args.no_attrs, name=args.model)
    except (ValueError, RuntimeError, TypeError) as e:
        shape = (args.batch, *args.input_shape)
        print(f"minigrad viz: error: {args.model} on an input of shape {shape} (--batch, "
              f"--input-shape): {e}", file=sys.stderr)
        return 2
    try:
        written, note = viz.write(graph, output)
    except (ValueError, OSError) as e:
        print(f"minigrad viz: error: {e}", file=sys.stderr)
        return 2
    if note:
        print(f"note: {note}", file=sys.stderr)
    shape = "x".join(str(n) for n in (args.batch, *args.input_shape))
    print(f"Wrote {written}: one training step of {args.model} (input {shape}, "
          f"cross-entropy loss, backward) on {device.type}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
