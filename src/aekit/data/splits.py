"""A seeded held-out part for data that come without a test split (a user's file)."""

from __future__ import annotations

import dataclasses

import numpy as np

from aekit.data.dataset import Dataset

HELD_OUT_FRACTION = 0.2
MIN_ROWS = 10  # fewer rows than this: all are needed for training, none is held out


def hold_out(data: Dataset, fraction: float = HELD_OUT_FRACTION, seed: int = 0) -> Dataset:
    """``data`` with a seeded random ``fraction`` of its rows moved to the test part.

    A dataset that has a test part already (a named dataset's own split) is returned as it
    is, and so is one too small to spare rows. The rows keep their order within each part.
    """
    n = data.X_train.shape[0]
    n_out = int(round(n * fraction))
    if data.X_test is not None or n < MIN_ROWS or n_out < 1:
        return data
    order = np.random.default_rng(seed).permutation(n)
    test, train = np.sort(order[:n_out]), np.sort(order[n_out:])
    y = data.y_train
    return dataclasses.replace(
        data,
        X_train=data.X_train[train],
        y_train=None if y is None else y[train],
        X_test=data.X_train[test],
        y_test=None if y is None else y[test],
        description=f"{data.description} ({n_out} of {n} rows held out, seed {seed})".strip(),
    )
