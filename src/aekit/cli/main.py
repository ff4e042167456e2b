"""The ``aekit`` command: parse arguments, run a subcommand, turn user errors into one line.

This is the only layer that prints. A user mistake (an ``AekitError``) gives one line on
stderr and exit status 1; bad arguments exit 2 (argparse); Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aekit._version import __version__
from aekit.errors import AekitError


def build_parser() -> argparse.ArgumentParser:
    from aekit.cli import evaluate, listing, sample, train, use

    parser = argparse.ArgumentParser(
        prog="aekit",
        description="Train and use autoencoders on your own data.",
        epilog="example: aekit train --data digits --out runs/digits",
    )
    parser.add_argument("--version", action="version", version=f"aekit {__version__}")
    sub = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
    train.add_parser(sub)
    use.add_parsers(sub)
    sample.add_parser(sub)
    evaluate.add_parser(sub)
    listing.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # as typed (train --nproc)
    try:
        return int(args.run(args))
    except AekitError as exc:
        print(f"aekit {args.subcommand}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"aekit {args.subcommand}: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"aekit {args.subcommand}: error: out of memory", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
