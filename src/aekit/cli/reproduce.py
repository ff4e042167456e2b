"""``aekit reproduce NAME``: run a paper's experiments and write its results file."""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys
from pathlib import Path

from aekit.errors import ConfigError
from aekit.reproduce import SUITES

EXAMPLE = "example: aekit reproduce hinton2006 --quick --out /tmp/hinton2006.md"


def add_parser(sub: argparse._SubParsersAction) -> None:
    summary = "run a paper's experiments and write its numbers beside ours"
    p = sub.add_parser("reproduce", help=summary, description=summary, epilog=EXAMPLE)
    p.add_argument("name", choices=SUITES, help="the suite")
    p.add_argument(
        "--quick",
        action="store_true",
        help="tiny data and a few epochs: checks the pipeline, not the numbers",
    )
    p.add_argument(
        "--out",
        help="the results file (default: benchmarks/results/NAME.md; "
        "pictures go in a folder of the same name beside it)",
    )
    p.add_argument("--sections", help="comma-separated sections to run (default: all)")
    p.add_argument("--mnist-dir", help="folder of MNIST's IDX files (aekit never downloads)")
    p.add_argument(
        "--data-dir", help="folder of Fashion-MNIST's IDX files (default: the Debian package's)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # A suite's module is its name with "_" for "-" (ng-sparse: aekit.reproduce.ng_sparse).
    suite = importlib.import_module(f"aekit.reproduce.{args.name.replace('-', '_')}")
    sections = tuple(suite.SECTIONS)
    if args.sections:
        sections = tuple(s.strip() for s in args.sections.split(",") if s.strip())
        unknown = [s for s in sections if s not in suite.SECTIONS]
        if unknown:
            raise ConfigError(
                f"--sections: unknown {', '.join(unknown)}; "
                f"{args.name} has {', '.join(suite.SECTIONS)}"
            )
    out = Path(args.out or f"benchmarks/results/{args.name}.md")
    if out.suffix != ".md":
        raise ConfigError(f"--out {out}: the results file must end in .md")
    options = suite.Options(
        quick=args.quick,
        out=out,
        mnist_dir=args.mnist_dir,
        fashion_dir=args.data_dir,
        sections=sections,
        seed=args.seed,
    )
    command = shlex.join(["aekit", *args.argv])
    suite.run(options, command)
    print(f"reproduce: {args.name} written to {out}", file=sys.stderr)
    return 0
