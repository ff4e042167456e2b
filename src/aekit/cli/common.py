"""Arguments and printing shared by the subcommands."""

from __future__ import annotations

import argparse

from aekit.evaluation.metrics import Comparison


def add_data_args(p: argparse.ArgumentParser, *, data_required: bool = True) -> None:
    p.add_argument(
        "--data",
        required=data_required,
        help="dataset name (see 'aekit datasets') or a .npy/.npz/.csv/IDX file or image folder",
    )
    p.add_argument("--data-dir", default=None, help="folder holding a named dataset's files")
    p.add_argument(
        "--label-column",
        default=None,
        help="CSV column (name or 0-based index) holding labels, kept out of the features",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only results")


def print_table(c: Comparison, split: str, model: str = "autoencoder") -> None:
    """The model beside PCA, in the training space and, when the data are scaled, in units."""
    scaled = c.scaling != "none"
    where = f"after the model's {c.scaling} scaling" if scaled else "in the data's units"
    print(
        f"squared error per sample on {c.n_samples} {split} samples, {where} "
        "(sum over features, mean over samples)"
    )
    head = f"{'model':<28} {'error':>12} {'vs PCA':>8}"
    print(head + (f" {'in data units':>14}" if scaled else ""))
    rows = [
        (model, c.model_error, c.ratio, c.model_error_data),
        (f"PCA ({c.n_components} components)", c.pca_error, 1.0, c.pca_error_data),
    ]
    for name, err, ratio, data_err in rows:
        line = f"{name:<28} {err:>12.4f} {ratio:>8.3f}"
        print(line + (f" {data_err:>14.4f}" if scaled else ""))
