"""Where an anomaly starts: a held-out part of the rows, and a quantile of its scores.

The threshold is set on rows the member never trained on, so the rate of false alarms it
gives on new inliers is estimated honestly: scores of training rows are biased low (the
member fitted them), and a quantile of those would flag more new inliers than asked.
"""

from __future__ import annotations

import numpy as np

from aekit.errors import DataError


def holdout_split(n_samples: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices to train on and to hold out: a seeded shuffle, at least one row each.

    Returns
    -------
    train, held_out : ndarray of shape (n_train,) and (n_held_out,)
        Each sorted, so the rows keep their order.
    """
    if n_samples < 2:
        raise DataError(
            f"X: an anomaly detector needs at least 2 samples, one to train on and one to "
            f"set the threshold on; got {n_samples} sample"
        )
    n_held_out = min(max(1, round(fraction * n_samples)), n_samples - 1)
    order = np.random.default_rng(seed).permutation(n_samples)
    return np.sort(order[n_held_out:]), np.sort(order[:n_held_out])


def threshold_for(scores: np.ndarray, rate: float) -> float:
    """The (1 − ``rate``) quantile of ``scores``: about a fraction ``rate`` lie above it."""
    return float(np.quantile(scores.astype(np.float64), 1.0 - rate))


def rate_above(scores: np.ndarray, threshold: float) -> float:
    """The fraction of ``scores`` above ``threshold`` (flagged as anomalies)."""
    return float(np.mean(scores > threshold))
