"""``aekit score``: an anomaly score for every row of the data, from any model folder.

For an autoencoder the score is its reconstruction loss per row (see
:mod:`aekit.anomaly.scores`); for an anomaly detector (``aekit.AnomalyDetector``, saved) the
same score, the detector's verdict and the features that weigh most in it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from aekit.anomaly.detector import AnomalyDetector
from aekit.anomaly.scores import row_scores
from aekit.cli.common import add_data_args
from aekit.cli.outputs import check_array_output, load_data_for
from aekit.errors import ConfigError, OutputError
from aekit.estimators.base import BaseAutoencoder
from aekit.estimators.persistence import load
from aekit.io.atomic import atomic_open

EXAMPLE = "example: aekit score --model runs/det --data x.csv --out scores.csv"
TOP_K = 3  # features listed per row in top_features


def add_parser(sub: argparse._SubParsersAction) -> None:
    summary = "score each row by how badly a model reconstructs it (higher: more anomalous)"
    p = sub.add_parser("score", help=summary, description=summary, epilog=EXAMPLE)
    p.add_argument(
        "--model",
        required=True,
        help="model folder: an autoencoder (score: its loss per row) or an anomaly detector "
        "(also columns flag, 1 = anomaly, and top_features)",
    )
    add_data_args(p)
    p.add_argument(
        "--out",
        required=True,
        help="output .csv: a header, then one line per input row, in order "
        "(a named dataset: its training rows, then its test rows)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = check_csv_output(args.out)  # fail before any work
    model = load(args.model)
    if not isinstance(model, (BaseAutoencoder, AnomalyDetector)):
        raise ConfigError(
            f"{args.model} holds a {type(model).__name__}; aekit score takes an autoencoder "
            "or an anomaly detector"
        )
    X = load_data_for(getattr(model, "member_", model), args).X_all()  # label column out
    columns = score_columns(model, X)
    write_csv(out, columns)
    if not args.quiet:
        flagged = f", {int(np.sum(columns['flag']))} flagged" if "flag" in columns else ""
        print(f"score: {X.shape[0]} rows scored{flagged}, written to {out}", file=sys.stderr)
    return 0


def score_columns(model: BaseAutoencoder | AnomalyDetector, X: np.ndarray) -> dict[str, list]:
    """The output's columns, by header name: ``score``, and for a detector its verdict."""
    if isinstance(model, BaseAutoencoder):
        return {"score": row_scores(model, X).tolist()}
    scores = model.anomaly_score(X)  # (n_samples,)
    top = model.top_features(X, k=min(TOP_K, model.n_features_in_))  # (n_samples, k)
    return {
        "score": scores.tolist(),
        "flag": (scores > model.threshold_).astype(int).tolist(),  # as predict: -1 = flagged
        "top_features": [";".join(str(f) for f in row) for row in top],
    }


def check_csv_output(path: str) -> Path:
    """A writable ``.csv`` destination, else a one-line error."""
    if Path(path).suffix.lower() != ".csv":
        raise OutputError(f"{path}: output must end in .csv")
    return check_array_output(path)


def write_csv(path: Path, columns: dict[str, list]) -> None:
    """A header line, then one line per row; written to a temporary file, then renamed."""
    with atomic_open(path, "w") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(zip(*columns.values(), strict=True))
