"""``aekit evaluate``: reconstruction error of a model beside PCA with as many components."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aekit.cli.common import add_data_args, print_table
from aekit.cli.outputs import load_data_for
from aekit.errors import ConfigError
from aekit.estimators.persistence import load, saved_name
from aekit.evaluation.baseline_files import read_baseline
from aekit.evaluation.metrics import compare_with_pca
from aekit.io.atomic import atomic_write_text

EXAMPLE = "example: aekit evaluate --model runs/fmnist --data fashion-mnist --json eval.json"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="compare a model's reconstruction error with PCA's",
        description=__doc__,
        epilog=EXAMPLE,
    )
    p.add_argument("--model", required=True, help="model folder written by 'aekit train'")
    add_data_args(p)
    p.add_argument("--json", default=None, help="also write the figures to this JSON file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    estimator = load(args.model)
    data = load_data_for(estimator, args)
    # PCA is the one fitted on the model's own training rows when the folder keeps it, so
    # the rows of --data are only scored; else it learns from a named dataset's training part.
    baseline = read_baseline(Path(args.model), int(estimator.n_features_in_))
    if data.X_test is not None:
        X_eval, split = data.X_test, "test"
    else:
        X_eval, split = data.X_train, "given"
    if baseline is None and data.X_test is None:
        raise ConfigError(
            f"{args.model} keeps no PCA baseline (trained before aekit wrote one) and "
            f"--data {args.data} has no training part to fit PCA on; give a named dataset"
        )
    comparison = compare_with_pca(estimator, data.X_train, X_eval, baseline=baseline)
    print_table(comparison, split, saved_name(type(estimator)))
    if args.json:
        atomic_write_text(args.json, json.dumps({"split": split, **comparison.as_dict()}, indent=2))
    return 0
