"""Reading inputs and writing outputs for the command line, atomically."""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path
from typing import Any

import numpy as np

from aekit.data import Dataset, read_path
from aekit.data.datasets import DATASET_NAMES, load
from aekit.errors import AekitError, DataError, OutputError
from aekit.io.atomic import atomic_open

ARRAY_SUFFIXES = (".npy", ".csv", ".txt")


def load_data(
    spec: str, *, data_dir: str | None = None, label_column: str | None = None
) -> Dataset:
    """A named dataset (``digits``, ``fashion-mnist``, …) or a file / folder path."""
    name = spec.lower().replace("_", "-")
    if name in DATASET_NAMES and not Path(spec).exists():
        try:
            return load(spec, path=data_dir)
        except AekitError as exc:  # the Python argument path= is the flag --data-dir here
            raise DataError(str(exc).replace("pass path=", "pass --data-dir ")) from None
    close = difflib.get_close_matches(name, DATASET_NAMES, n=1, cutoff=0.75)
    if close and not Path(spec).exists():
        raise DataError(
            f"--data {spec}: no such file, and no dataset of that name; did you mean "
            f"{close[0]!r}? ('aekit datasets' lists them)"
        )
    column: str | int | None = label_column
    if label_column is not None and label_column.isdigit():
        column = int(label_column)
    return read_path(spec, label_column=column)


def load_data_for(estimator: Any, args: argparse.Namespace) -> Dataset:
    """``--data`` as a fitted model reads it: the training table's label column dropped.

    A model trained on a table with a label column keeps that column's name; when the file
    given has exactly one column more than the model's features and no --label-column is
    given, that column is taken out again, as in training.
    """
    data = load_data(args.data, data_dir=args.data_dir, label_column=args.label_column)
    saved = getattr(estimator, "label_column_", None)
    if args.label_column is None and saved is not None:
        if data.n_features == int(getattr(estimator, "n_features_in_", 0)) + 1:
            data = load_data(args.data, data_dir=args.data_dir, label_column=str(saved))
    return data


def check_array_output(path: str) -> Path:
    """Fail before any work when ``path`` is not a writable .npy / .csv destination."""
    out = Path(path)
    if out.suffix.lower() not in ARRAY_SUFFIXES:
        raise OutputError(f"{out}: output must end in {', '.join(ARRAY_SUFFIXES)}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {out}: folder {folder} does not exist")
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder")
    return out


def write_array(path: str, array: np.ndarray) -> Path:
    """Write ``array`` as .npy (binary) or .csv/.txt (text), via a temporary file."""
    out = check_array_output(path)
    if out.suffix.lower() == ".npy":
        with atomic_open(out, "wb") as fh:
            np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
    else:
        with atomic_open(out, "w") as fh:
            np.savetxt(fh, array, delimiter=",", fmt="%.7g")
    return out
