"""``aekit export``: a model folder as one ONNX file, checked against onnxruntime.

Any saved kind exports: the file takes rows in the data's units (``input``) and gives
``code`` and ``reconstruction``, and ``probabilities`` for a classifier, ``score`` for an
anomaly detector; ``--decoder`` exports the decoder alone (``code`` → ``decoded``). Before the
file is kept, onnxruntime runs it on sample rows and its outputs are compared with the
model's own (see :mod:`aekit.export.onnx`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aekit.cli.common import add_data_args
from aekit.cli.outputs import load_data_for
from aekit.estimators.persistence import load
from aekit.export.graphs import autoencoder_of
from aekit.export.onnx import ExportReport, check_onnx_output, export_onnx, require_onnx

EXAMPLE = "example: aekit export --model runs/digits --format onnx --out digits.onnx"
FORMATS = ("onnx",)
DEFAULT_NAME = "model.onnx"  # written into the model folder when --out is not given


def add_parser(sub: argparse._SubParsersAction) -> None:
    summary = "export a model folder to one ONNX file, checked against onnxruntime"
    p = sub.add_parser("export", help=summary, description=__doc__, epilog=EXAMPLE)
    p.add_argument(
        "--model",
        required=True,
        help="model folder: any autoencoder, a classifier or an anomaly detector",
    )
    p.add_argument("--format", default="onnx", choices=FORMATS, help="file format")
    p.add_argument(
        "--out",
        default=None,
        help=f"output .onnx file (default: {DEFAULT_NAME} in the model folder)",
    )
    p.add_argument(
        "--decoder",
        action="store_true",
        help="export the decoder alone: input code (batch, code_size), output decoded",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    add_data_args(p, data_required=False)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    require_onnx()  # before any work: nothing can be exported without them
    model = load(args.model)
    out = Path(args.out) if args.out is not None else Path(args.model) / DEFAULT_NAME
    check_onnx_output(out, overwrite=args.overwrite, hint="--overwrite")
    rows = None  # made-up rows, spread as the training data were
    if args.data is not None:  # check on the user's rows instead
        rows = load_data_for(autoencoder_of(model), args).X_all()
    report = export_onnx(model, out, decoder=args.decoder, rows=rows, overwrite=args.overwrite)
    if not args.quiet:
        print(f"export: {summary(report)}", file=sys.stderr)
    print(check_line(report))
    return 0


def summary(report: ExportReport) -> str:
    """Where the file went and what it holds."""
    return (
        f"{', '.join(report.inputs)} -> {', '.join(report.outputs)}, "
        f"ONNX opset {report.opset}, {report.n_bytes / 1000:.1f} kB, written to {report.path}"
    )


def check_line(report: ExportReport) -> str:
    """The check's result in one line."""
    check = report.check
    name, gap = check.worst
    sizes = " and ".join(str(s) for s in check.batch_sizes)
    return (
        f"check passed: onnxruntime matches the model on {check.n_rows} rows (batch sizes "
        f"{sizes}): largest difference {gap:.2g} ({name}), tolerance {check.tolerance:g}"
    )
