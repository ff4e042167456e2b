"""``aekit report RUN_DIR``: one self-contained HTML page of a run, readable without network.

The page holds the model beside PCA, the loss curves, a reconstruction grid, an interactive
latent map (zoom, pan, hover a point for its input and reconstruction, click two for the
decoded path between their codes), first-layer filters, a VAE's samples, a detector's
score histogram, a table's error per column. The data are those the run was trained on,
as metrics.json records them (``--data`` overrides), split as in training.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aekit.cli import data_source
from aekit.cli.common import add_data_args
from aekit.errors import ConfigError, OutputError
from aekit.estimators.persistence import load
from aekit.io import layout, model_files

EXAMPLE = "example: aekit report runs/digits --points 5000 --out digits.html"
DEFAULT_POINTS = 2000
MAX_POINTS = 50_000  # the page draws every point on each mouse move


def add_parser(sub: argparse._SubParsersAction) -> None:
    summary = "write a self-contained HTML report of a run (opens offline)"
    p = sub.add_parser("report", help=summary, description=__doc__, epilog=EXAMPLE)
    p.add_argument("run_dir", metavar="RUN_DIR", help="model folder written by 'aekit train'")
    add_data_args(p, data_required=False)
    p.add_argument(
        "--out", default=None, metavar="FILE", help="the page (default RUN_DIR/report.html)"
    )
    p.add_argument(
        "--points",
        type=int,
        default=DEFAULT_POINTS,
        help="rows on the latent map: a seeded sample of the held-out rows",
    )
    p.add_argument(
        "--seed", type=int, default=None, help="seed of the samples (default: the run's)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from aekit.reporting.html import report_inputs, write_report

    if not 1 <= args.points <= MAX_POINTS:
        raise ConfigError(f"--points must be in [1, {MAX_POINTS}], got {args.points}")
    folder = Path(args.run_dir)
    model = load(folder)  # a model folder, else one line
    out = _check_out(args)  # before the data are read and the work begins
    metrics = _metrics(folder)
    member = getattr(model, "member_", model)
    data, split = data_source.reread(args.run_dir, metrics, member, args)
    seed = args.seed if args.seed is not None else _run_seed(member)
    source = args.data if args.data is not None else str((metrics or {})["data"]["source"])
    run_inputs = report_inputs(folder, model, data, split, source, seed)
    written = write_report(run_inputs, out, n_points=args.points)
    if not args.quiet:
        how = "decoded in the page" if written.decoded_in_page else "anchor interpolations"
        print(
            f"report: {written.n_points} points, {how}, {written.n_bytes / 1e6:.2f} MB, "
            f"written to {written.path}",
            file=sys.stderr,
        )
    return 0


def _check_out(args: argparse.Namespace) -> Path:
    out = Path(args.out) if args.out is not None else Path(args.run_dir) / "report.html"
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder")
    if not folder.is_dir():
        raise OutputError(f"cannot write {out}: folder {folder} does not exist")
    return out


def _metrics(folder: Path) -> dict | None:
    path = folder / layout.METRICS
    if not path.is_file():
        return None
    found = model_files.read_json(path)
    return found if isinstance(found, dict) else None


def _run_seed(member: object) -> int:
    seed = getattr(member, "random_state", None)
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 0
