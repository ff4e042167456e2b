"""Reconstruction metrics and the PCA baseline every autoencoder is compared with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sklearn.decomposition import PCA


class _CodeSized(Protocol):
    @property
    def code_size(self) -> int: ...


class FittedAutoencoder(Protocol):
    """What :func:`compare_with_pca` needs of an estimator: its code size and reconstructions."""

    @property
    def config_(self) -> _CodeSized: ...

    def reconstruct(self, X: np.ndarray, /) -> np.ndarray: ...


def squared_error_per_sample(X: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Sum over features of (x - r)^2, one value per sample: shape (n_samples,).

    Averaged over samples this is the "squared error per image" of Hinton &
    Salakhutdinov (2006), computed in float64 so large images do not lose digits.
    """
    return np.square(np.asarray(X, np.float64) - np.asarray(R, np.float64)).sum(axis=1)


@dataclass
class Comparison:
    """Mean squared error per sample of a model and of PCA with as many components."""

    n_components: int
    n_samples: int
    model_error: float
    pca_error: float

    @property
    def ratio(self) -> float:
        return self.model_error / self.pca_error if self.pca_error > 0 else float("inf")

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n_components": self.n_components,
            "n_samples": self.n_samples,
            "autoencoder_squared_error": self.model_error,
            "pca_squared_error": self.pca_error,
            "ratio_to_pca": self.ratio,
        }


def pca_errors(
    X_fit: np.ndarray, X_eval: np.ndarray, n_components: int, random_state: int = 0
) -> tuple[np.ndarray, PCA]:
    """Fit PCA on ``X_fit`` and return its per-sample squared error on ``X_eval``."""
    k = min(n_components, X_fit.shape[0], X_fit.shape[1])
    pca = PCA(n_components=k, random_state=random_state).fit(X_fit)
    return squared_error_per_sample(X_eval, pca.inverse_transform(pca.transform(X_eval))), pca


def compare_with_pca(
    estimator: FittedAutoencoder, X_fit: np.ndarray, X_eval: np.ndarray, random_state: int = 0
) -> Comparison:
    """Reconstruction error of a fitted autoencoder and of PCA of its code size on ``X_eval``.

    PCA is fitted on ``X_fit`` (the data the autoencoder was trained on, where known).
    """
    k = int(estimator.config_.code_size)
    model = squared_error_per_sample(X_eval, estimator.reconstruct(X_eval))
    pca, _ = pca_errors(X_fit, X_eval, k, random_state)
    return Comparison(k, int(X_eval.shape[0]), float(model.mean()), float(pca.mean()))
