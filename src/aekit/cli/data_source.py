"""Which data a run was trained on: recorded in metrics.json by ``aekit train``, read back later.

``aekit report RUN_DIR`` re-reads the same source and makes the same held-out split (a
named dataset's own test part, or the seeded 20 % of a file that :func:`aekit.data.splits
.hold_out` keeps), so its numbers and pictures are of the rows the run was measured on.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from aekit.cli.outputs import load_data, load_data_for
from aekit.data.dataset import Dataset
from aekit.data.datasets import DATASET_NAMES
from aekit.data.splits import hold_out
from aekit.errors import DataError

RECORD = "data"  # the key of the record in metrics.json


def record(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    """The record of ``--data`` as given, for ``data`` as split by ``aekit train``.

    ``held_out`` says which rows the metrics were measured on: ``"test"`` (a named dataset's
    own test part), ``"held-out"`` (a seeded part of a file's rows) or ``"none"`` (too few
    rows to hold any out: the training rows).
    """
    spec = str(args.data)
    named = _is_named(spec)
    if data.X_test is None:
        held_out = "none"
    else:
        held_out = "test" if named else "held-out"
    n_test = 0 if data.X_test is None else int(data.X_test.shape[0])
    return {
        "source": spec,
        "path": None if named else str(Path(spec).resolve()),  # a later cwd may differ
        "data_dir": args.data_dir,
        "label_column": args.label_column,
        "split_seed": int(args.random_state or 0),
        "held_out": held_out,
        "n_rows": int(data.X_train.shape[0]) + n_test,
        "n_features": int(data.n_features),
    }


def reread(
    folder: str, metrics: dict[str, Any] | None, model: Any, args: argparse.Namespace
) -> tuple[Dataset, str]:
    """The run's data split as in training, and what its held-out rows are called.

    ``--data`` (``args.data``) overrides the record: that source is read as ``model`` reads
    data (the training table's label column dropped) and split with the recorded seed.
    """
    saved = (metrics or {}).get(RECORD)
    seed = int(saved.get("split_seed", 0)) if isinstance(saved, dict) else 0
    if args.data is not None:
        data = load_data_for(model, args)
        return _split(data, seed, _is_named(args.data))
    if not isinstance(saved, dict) or not isinstance(saved.get("source"), str):
        raise DataError(
            f"{folder}: metrics.json does not record the data it was trained on (a run made "
            "before aekit recorded it); give the data with --data"
        )
    spec = saved["source"]
    path = saved.get("path")
    if isinstance(path, str) and Path(path).exists():
        spec = path  # the file as resolved in training, wherever report runs from
    label = saved.get("label_column")
    data = load_data(spec, data_dir=saved.get("data_dir"), label_column=label)
    n_rows = saved.get("n_rows")
    found = data.X_train.shape[0] + (0 if data.X_test is None else data.X_test.shape[0])
    if isinstance(n_rows, int) and n_rows != found:
        raise DataError(
            f"{spec}: {found} rows now, {n_rows} when {folder} was trained; the data changed "
            "(give the training data with --data)"
        )
    return _split(data, seed, saved.get("held_out") == "test")


def _split(data: Dataset, seed: int, named: bool) -> tuple[Dataset, str]:
    split = hold_out(data, seed=seed)
    if split.X_test is None:
        return split, "training (too few rows to hold any out)"
    return split, "test" if named and data.X_test is not None else "held-out"


def _is_named(spec: str) -> bool:
    """As :func:`aekit.cli.outputs.load_data` decides: a dataset name, not a path."""
    return spec.lower().replace("_", "-") in DATASET_NAMES and not Path(spec).exists()
