"""``aekit encode``, ``decode``, ``reconstruct`` and ``denoise``: use a model on data."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from aekit.cli.common import add_data_args
from aekit.cli.outputs import check_array_output, load_data, load_data_for, write_array
from aekit.errors import ConfigError
from aekit.estimators.persistence import load

if TYPE_CHECKING:
    import numpy as np

    from aekit.data.dataset import Dataset

COMMANDS = {
    "encode": (
        "encode data to codes",
        "aekit encode --model runs/digits --data x.npy --out codes.npy",
    ),
    "decode": (
        "decode codes to data",
        "aekit decode --model runs/digits --data codes.npy --out x.npy",
    ),
    "reconstruct": (
        "encode then decode data",
        "aekit reconstruct --model runs/digits --data x.csv --out rec.csv",
    ),
    "denoise": (
        "clean noisy data with a denoising autoencoder",
        "aekit denoise --model runs/denoising --data noisy.npy --out clean.npy",
    ),
}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    for name, (summary, example) in COMMANDS.items():
        p = sub.add_parser(name, help=summary, description=summary, epilog=f"example: {example}")
        p.add_argument("--model", required=True, help="model folder written by 'aekit train'")
        add_data_args(p)
        p.add_argument(
            "--split",
            default="test",
            choices=("train", "test", "all"),
            help="which part of a named dataset to use (default test)",
        )
        p.add_argument("--out", required=True, help="output file, .npy or .csv")
        p.set_defaults(run=run, command=name)


def run(args: argparse.Namespace) -> int:
    check_array_output(args.out)  # fail before any work
    estimator = load(args.model)
    if args.command == "decode":  # codes, not the training table
        data = load_data(args.data, data_dir=args.data_dir, label_column=args.label_column)
    else:
        data = load_data_for(estimator, args)
    X = select_split(data, args.split)
    if args.command == "encode":
        result = estimator.transform(X)
    elif args.command == "decode":
        result = estimator.inverse_transform(X)
    elif args.command == "denoise":
        if getattr(estimator, "noise", None) is None:
            raise ConfigError(
                f"{args.model} is not a denoising autoencoder (train one with --model "
                "denoising, or --noise); use 'aekit reconstruct' instead"
            )
        result = estimator.denoise(X)
    else:
        result = estimator.reconstruct(X)
    out = write_array(args.out, result)
    if not args.quiet:
        print(f"{args.command}: {X.shape} -> {result.shape}, written to {out}", file=sys.stderr)
    return 0


def select_split(data: Dataset, split: str) -> np.ndarray:
    if data.X_test is None or split == "train":
        return data.X_train
    return data.X_test if split == "test" else data.X_all()
