"""Which rows a figure shows, and how a denoising model's training corruption looks on them.

The first rows of a file are a poor sample: a folder of images sorted by class starts with
one class. :func:`pick_examples` takes a seeded random sample instead, one row per label
where labels exist, so the pictures of one run are the same each time and show its classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from aekit.errors import ConfigError, DataError
from aekit.objectives.corruption import make_corruption

N_EXAMPLES = 10  # rows (or labels) shown in a reconstruction grid


def pick_examples(
    n_rows: int, labels: np.ndarray | None = None, *, seed: int = 0, n: int = N_EXAMPLES
) -> np.ndarray:
    """Indices of up to ``n`` rows out of ``n_rows``, drawn by a seeded permutation.

    With ``labels``, one row per label: the first row of each label in the permutation,
    for the first ``n`` labels met there, ordered by label. Without, the first ``n`` rows of
    the permutation.

    Parameters
    ----------
    n_rows : int
        Rows to choose from.
    labels : ndarray of shape (n_rows,), optional
        The label of each row.
    seed : int, default=0
        Seed of the permutation.
    n : int, default=10
        Most rows returned.

    Returns
    -------
    ndarray of shape (n_picked,)
        Row indices, ``n_picked = min(n, n_rows)`` without labels, ``min(n, n_labels)`` with.

    Examples
    --------
    >>> pick_examples(6, np.array([0, 0, 0, 1, 1, 1]), seed=0).shape
    (2,)
    """
    if n < 1:
        raise ConfigError(f"n must be at least 1, got {n}")
    order = np.random.default_rng(seed).permutation(n_rows)
    if labels is None:
        return order[:n]
    labels = np.asarray(labels)
    if labels.shape != (n_rows,):
        raise DataError(f"labels must hold one label per row ({n_rows}), got shape {labels.shape}")
    # first[i]: where the i-th label (sorted) first appears in the permutation
    _, first = np.unique(labels[order], return_index=True)
    earliest = np.sort(np.argsort(first, kind="stable")[:n])  # the n labels met first, in order
    return order[first[earliest]]


def corrupted_like_training(estimator: Any, X: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """``X`` with the estimator's training corruption drawn on it, in the data's units.

    The corruption (``estimator.noise`` at ``estimator.noise_level``) is applied where the
    model meets it in training: after its scaling, from a generator seeded with ``seed``.

    Parameters
    ----------
    estimator : fitted aekit estimator with a ``noise``
        A model trained with a corruption.
    X : ndarray of shape (n_samples, n_features)
        Clean rows.
    seed : int, default=0
        Seed of the noise.

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        The corrupted rows.
    """
    noise = getattr(estimator, "noise", None)
    if noise is None:
        raise ConfigError("the model was trained without a corruption (noise is None)")
    corrupt = make_corruption(noise, estimator.noise_level)
    scaled = np.ascontiguousarray(estimator.scaler_.transform(np.asarray(X, np.float32)))
    generator = torch.Generator().manual_seed(seed)
    noisy = corrupt(torch.from_numpy(scaled), generator).numpy()
    return estimator.scaler_.inverse_transform(noisy)
