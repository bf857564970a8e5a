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
    return 2


if __name__ == "__main__":
    sys.exit(main())
