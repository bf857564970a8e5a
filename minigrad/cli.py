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
                                         "training steps, against naive and PyTorch")
    from .bench import add_arguments
    add_arguments(bench)
    args = parser.parse_args(argv)

    if args.command == "demo":
        from .demo import main as demo_main
        return demo_main(args.out)
    if args.command == "bench":
        from .bench import run as bench_run
        return bench_run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
