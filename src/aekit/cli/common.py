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


def print_table(c: Comparison, split: str) -> None:
    rows = [
        ("autoencoder", c.model_error, c.ratio),
        (f"PCA ({c.n_components} components)", c.pca_error, 1.0),
    ]
    print(
        f"squared error per sample on {c.n_samples} {split} samples "
        f"(sum over features, mean over samples)"
    )
    print(f"{'model':<28} {'error':>12} {'vs PCA':>8}")
    for name, err, ratio in rows:
        print(f"{name:<28} {err:>12.4f} {ratio:>8.3f}")
