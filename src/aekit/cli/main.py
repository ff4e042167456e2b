"""The ``aekit`` command: parse arguments, run a subcommand, turn user errors into one line.

This is the only layer that prints. A user mistake (an ``AekitError``) gives one line on
stderr and exit status 1; bad arguments exit 2 (argparse); Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from aekit._version import __version__
from aekit.cli import flags
from aekit.errors import AekitError


class Parser(argparse.ArgumentParser):
    """The parser of ``aekit`` and of each subcommand: no prefix matching ("--epoch 2" must
    not silently mean --epochs), and help that shows each flag's default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", flags.HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; ``train`` gets the flags of the ``--model`` that ``argv`` names."""
    from aekit.cli import (
        evaluate,
        export,
        info,
        listing,
        report,
        reproduce,
        sample,
        score,
        train,
        use,
    )

    parser = Parser(
        prog="aekit",
        description="Train and use autoencoders on your own data.",
        epilog="example: aekit train --data digits --out runs/digits",
    )
    parser.add_argument("--version", action="version", version=f"aekit {__version__}")
    sub = parser.add_subparsers(
        dest="subcommand", required=True, metavar="COMMAND", parser_class=Parser
    )
    train.add_parser(sub, flags.model_from_argv(argv) if argv[:1] == ["train"] else "autoencoder")
    use.add_parsers(sub)
    sample.add_parser(sub)
    evaluate.add_parser(sub)
    info.add_parser(sub)
    score.add_parser(sub)
    report.add_parser(sub)
    export.add_parser(sub)
    listing.add_parsers(sub)
    reproduce.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)  # as typed (train --nproc)
    parser = build_parser(words)
    args, extra = parser.parse_known_args(words)
    if extra:
        other = flags.other_models_flag(args.model, extra) if args.subcommand == "train" else None
        if other is not None:
            print(f"aekit train: error: {other}", file=sys.stderr)
            return 2
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.argv = words
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a closed pipe (| head -1) shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        # The reader stopped reading (| head): the work is done and written; say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except AekitError as exc:
        message = str(exc)
        if args.subcommand == "train":  # the caller's language: flags, not parameters
            message = flags.in_flag_words(message, args.model_params)
        print(f"aekit {args.subcommand}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"aekit {args.subcommand}: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"aekit {args.subcommand}: error: out of memory", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
