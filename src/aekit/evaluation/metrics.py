"""Reconstruction metrics and the PCA baseline every autoencoder is compared with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sklearn.decomposition import PCA


class _CodeSized(Protocol):
    @property
    def code_size(self) -> int: ...


class _Scaling(Protocol):
    kind: str

    def transform(self, X: np.ndarray, /) -> np.ndarray: ...

    def inverse_transform(self, Z: np.ndarray, /) -> np.ndarray: ...


class FittedAutoencoder(Protocol):
    """What :func:`compare_with_pca` needs of an estimator: code size, scaling, reconstructions."""

    @property
    def config_(self) -> _CodeSized: ...

    @property
    def scaler_(self) -> _Scaling: ...

    def reconstruct(self, X: np.ndarray, /) -> np.ndarray: ...


def squared_error_per_sample(X: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Sum over features of (x - r)^2, one value per sample: shape (n_samples,).

    Averaged over samples this is the "squared error per image" of Hinton &
    Salakhutdinov (2006), computed in float64 so large images do not lose digits.
    """
    return np.square(np.asarray(X, np.float64) - np.asarray(R, np.float64)).sum(axis=1)


@dataclass
class Comparison:
    """Mean squared error per sample of a model and of PCA with as many components.

    Both are measured in the space the model trains in (the data after its scaling, where
    PCA is fitted too, so neither is judged by the columns with the largest units) and in
    the data's own units; ``ratio`` compares them in the training space.
    """

    n_components: int
    n_samples: int
    model_error: float  # training space
    pca_error: float
    model_error_data: float  # the data's own units
    pca_error_data: float
    scaling: str = "none"  # the model's scaling: "none" means the two spaces are one

    @property
    def ratio(self) -> float:
        return self.model_error / self.pca_error if self.pca_error > 0 else float("inf")

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "n_components": self.n_components,
            "n_samples": self.n_samples,
            "space": "scaled" if self.scaling != "none" else "data",
            "scaling": self.scaling,
            "autoencoder_squared_error": self.model_error,
            "pca_squared_error": self.pca_error,
            "ratio_to_pca": self.ratio,
            "autoencoder_squared_error_data_units": self.model_error_data,
            "pca_squared_error_data_units": self.pca_error_data,
        }


def pca_errors(
    X_fit: np.ndarray, X_eval: np.ndarray, n_components: int, random_state: int = 0
) -> tuple[np.ndarray, PCA]:
    """Fit PCA on ``X_fit`` and return its per-sample squared error on ``X_eval``."""
    k = min(n_components, X_fit.shape[0], X_fit.shape[1])
    pca = PCA(n_components=k, random_state=random_state).fit(X_fit)
    return squared_error_per_sample(X_eval, pca.inverse_transform(pca.transform(X_eval))), pca


@dataclass
class PCABaseline:
    """PCA fitted on a model's scaled training rows: what the model is measured against.

    Kept with the model (``aekit train`` writes it), so a later evaluation on other rows
    compares with the PCA of the training rows, never one fitted on the rows it scores.
    """

    mean: np.ndarray  # (n_features,)
    components: np.ndarray  # (n_components, n_features), orthonormal rows

    @classmethod
    def fit(cls, X_scaled: np.ndarray, n_components: int, random_state: int = 0) -> PCABaseline:
        k = min(n_components, X_scaled.shape[0], X_scaled.shape[1])
        pca = PCA(n_components=k, random_state=random_state).fit(X_scaled)
        return cls(pca.mean_.astype(np.float64), pca.components_.astype(np.float64))

    def reconstruct(self, X_scaled: np.ndarray) -> np.ndarray:
        centred = np.asarray(X_scaled, np.float64) - self.mean
        return centred @ self.components.T @ self.components + self.mean


def compare_with_pca(
    estimator: FittedAutoencoder,
    X_fit: np.ndarray | None,
    X_eval: np.ndarray,
    random_state: int = 0,
    baseline: PCABaseline | None = None,
) -> Comparison:
    """Reconstruction error of a fitted autoencoder and of PCA of its code size on ``X_eval``.

    PCA is ``baseline`` when given, else fitted on ``X_fit`` (the rows the autoencoder was
    trained on) after the autoencoder's own scaling, with as many components as the code.
    """
    k = int(estimator.config_.code_size)
    scaler = estimator.scaler_
    rec = estimator.reconstruct(X_eval)
    eval_s = scaler.transform(X_eval)
    if baseline is None:
        if X_fit is None:
            raise ValueError("compare_with_pca needs X_fit or a fitted baseline")
        baseline = PCABaseline.fit(scaler.transform(X_fit), k, random_state)
    pca_rec_s = baseline.reconstruct(eval_s)
    return Comparison(
        n_components=k,
        n_samples=int(X_eval.shape[0]),
        model_error=float(squared_error_per_sample(eval_s, scaler.transform(rec)).mean()),
        pca_error=float(squared_error_per_sample(eval_s, pca_rec_s).mean()),
        model_error_data=float(squared_error_per_sample(X_eval, rec).mean()),
        pca_error_data=float(
            squared_error_per_sample(X_eval, scaler.inverse_transform(pca_rec_s)).mean()
        ),
        scaling=scaler.kind,
    )
