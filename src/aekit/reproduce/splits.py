"""Splits of a training part: a validation split carved from it, labelled subsets drawn from it.

The classifier suites choose their settings on the validation split; the test part never
enters a split, so a reported test figure has chosen nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from aekit.errors import ConfigError

K = TypeVar("K")


@dataclass(frozen=True)
class Split:
    """A training part cut in two: rows to fit on and rows to choose settings on."""

    X_fit: np.ndarray
    y_fit: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


def carve(X: np.ndarray, y: np.ndarray, n_val: int, seed: int) -> Split:
    """Hold out ``n_val`` seeded rows of the training part ``(X, y)`` for validation.

    >>> s = carve(np.arange(10)[:, None], np.arange(10), 3, seed=0)
    >>> len(s.y_fit), len(s.y_val), sorted([*s.y_fit, *s.y_val]) == list(range(10))
    (7, 3, True)
    """
    if not 0 < n_val < len(X):
        raise ConfigError(f"a validation split of {n_val} rows needs 0 < n_val < {len(X)}")
    order = np.random.default_rng(seed).permutation(len(X))
    val, fit = np.sort(order[:n_val]), np.sort(order[n_val:])  # stored order kept
    return Split(X[fit], y[fit], X[val], y[val])


def labelled(
    X: np.ndarray, y: np.ndarray, n: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded draw of ``n`` labelled rows, each class in its share (all rows if ``n`` is None).

    >>> X, y = np.arange(20)[:, None], np.repeat([0, 1], 10)
    >>> np.bincount(labelled(X, y, 6, seed=0)[1]).tolist()
    [3, 3]
    """
    if n is None or n >= len(X):
        return X, y
    from sklearn.model_selection import train_test_split

    X_n, _, y_n, _ = train_test_split(X, y, train_size=n, stratify=y, random_state=seed)
    return X_n, y_n


def best(scores: Mapping[K, float]) -> K:
    """The setting of the highest validation score; a tie goes to the first listed.

    >>> best({0.10: 0.81, 0.25: 0.83, 0.40: 0.83})
    0.25
    """
    return max(scores, key=lambda k: scores[k])  # max keeps the first of equal maxima
