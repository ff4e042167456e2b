"""The measurements a reproduction suite reports: the papers' metric, PCA, kNN on codes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aekit.evaluation.metrics import squared_error_per_sample


def squared_error(X: np.ndarray, R: np.ndarray) -> float:
    """Squared error per image, summed over pixels and averaged over images (H&S 2006).

    >>> squared_error(np.zeros((2, 3)), np.ones((2, 3)))
    3.0
    """
    return float(squared_error_per_sample(X, R).mean())


def knn_accuracy(
    train: np.ndarray, y_train: np.ndarray, test: np.ndarray, y_test: np.ndarray
) -> float:
    """Test accuracy of 5-nearest-neighbour classification in a code space."""
    from sklearn.neighbors import KNeighborsClassifier

    return float(KNeighborsClassifier(n_neighbors=5).fit(train, y_train).score(test, y_test))


@dataclass
class PCAResult:
    """PCA with ``k`` components fitted on the training images, measured on the test images."""

    k: int
    error: float
    train_codes: np.ndarray
    test_codes: np.ndarray
    reconstructions: np.ndarray


def pca(X_train: np.ndarray, X_test: np.ndarray, k: int, seed: int = 0) -> PCAResult:
    from sklearn.decomposition import PCA

    model = PCA(n_components=k, random_state=seed).fit(X_train)
    test_codes = model.transform(X_test)
    reconstructions = model.inverse_transform(test_codes)
    return PCAResult(
        k,
        squared_error(X_test, reconstructions),
        model.transform(X_train),
        test_codes,
        reconstructions,
    )


@dataclass
class Trained:
    """An estimator fitted on the training images and what it gave on the test images."""

    name: str
    estimator: Any
    seconds: float  # wall time of fit alone
    error: float
    reconstructions: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        return len(self.estimator.history_.get("loss", []))

    @property
    def epochs_cell(self) -> int | str:
        """The epochs trained, and those of the run that chose them where one did (a refit)."""
        chooser = getattr(self.estimator, "chooser_history_", None)
        if chooser is None:
            return self.epochs
        return f"{self.epochs} (chosen in a run of {len(chooser['loss'])})"


def train(name: str, estimator: Any, X_train: np.ndarray, X_test: np.ndarray) -> Trained:
    """Fit ``estimator`` and measure its reconstruction of ``X_test``."""
    start = time.perf_counter()
    estimator.fit(X_train)
    seconds = time.perf_counter() - start
    reconstructions = estimator.reconstruct(X_test)
    return Trained(
        name, estimator, seconds, squared_error(X_test, reconstructions), reconstructions
    )
