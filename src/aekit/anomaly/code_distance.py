"""The code's distance: how far a row's code lies from the codes of the training rows.

A reconstruction loss misses rows that the member reconstructs well but encodes where no
training row lies; the distance from a row's code to its k-th nearest training code sees
them (kNN distance as a score: Ramaswamy et al. 2000; on the code rather than the input). The
two terms have unrelated units, so each is standardised by its mean and standard deviation
on the held-out rows before they are added: one unit is one held-out standard deviation.

On one-class Fashion-MNIST (validation split of the training images, 784-512-128-32
Bernoulli member) the sum gave 93.55 mean ROC AUC where the loss alone gave 92.46 and the
code distance alone 91.57 (``benchmarks/anomaly_fashion.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors

from aekit.errors import DataError


@dataclass
class CodeDistance:
    """The k-th nearest neighbour among ``codes``, and the held-out units of both terms."""

    k: int
    codes: np.ndarray  # (n_train, code_size): the codes of the rows the member trained on
    loss_mean: float = 0.0
    loss_std: float = 1.0
    distance_mean: float = 0.0
    distance_std: float = 1.0

    def __post_init__(self) -> None:
        self.codes = np.ascontiguousarray(self.codes, dtype=np.float32)
        if self.codes.ndim != 2 or self.codes.shape[0] < self.k:
            raise DataError(
                f"code_neighbors={self.k} needs at least {self.k} training rows, got "
                f"{self.codes.shape[0]}"
            )
        self._index = NearestNeighbors(n_neighbors=self.k).fit(self.codes)

    def distances(self, codes: np.ndarray) -> np.ndarray:
        """The distance from each code to its k-th nearest training code: (n_rows,)."""
        found, _ = self._index.kneighbors(np.asarray(codes, dtype=np.float32))
        return found[:, -1].astype(np.float64)

    def calibrate(self, losses: np.ndarray, codes: np.ndarray) -> None:
        """Take the units of both terms from the held-out rows' losses and codes."""
        distances = self.distances(codes)
        self.loss_mean, self.loss_std = float(losses.mean()), _spread(losses)
        self.distance_mean, self.distance_std = float(distances.mean()), _spread(distances)

    def score(self, losses: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Both terms in held-out standard deviations, added: (n_rows,)."""
        distance = (self.distances(codes) - self.distance_mean) / self.distance_std
        return (losses - self.loss_mean) / self.loss_std + distance

    def units(self) -> dict[str, float | int]:
        """What config.json keeps (the codes go to model.safetensors)."""
        return {
            "k": self.k,
            "loss_mean": self.loss_mean,
            "loss_std": self.loss_std,
            "distance_mean": self.distance_mean,
            "distance_std": self.distance_std,
        }


def _spread(values: np.ndarray) -> float:
    """The standard deviation, or 1 where the held-out rows all score alike."""
    std = float(values.std())
    return std if std > 0 else 1.0
