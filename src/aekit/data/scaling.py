"""Preprocessing fitted on the training data and stored with the model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aekit.errors import ConfigError

SCALES = ("none", "minmax", "standard")


@dataclass
class Scaler:
    """Per-feature affine map ``(x - offset) / scale``, fitted on training data.

    "minmax" maps each feature's training range to [0, 1]; "standard" gives zero mean
    and unit variance. Constant features get scale 1, so they map to 0, not NaN.
    """

    kind: str
    offset: np.ndarray  # (n_features,)
    scale: np.ndarray  # (n_features,)

    @classmethod
    def fit(cls, kind: str, X: np.ndarray) -> Scaler:
        if kind not in SCALES:
            raise ConfigError(f"scale must be one of {', '.join(SCALES)}, got {kind!r}")
        n = X.shape[1]
        if kind == "none":
            return cls(kind, np.zeros(n, np.float32), np.ones(n, np.float32))
        if kind == "minmax":
            offset = X.min(axis=0)
            scale = X.max(axis=0) - offset
        else:
            offset = X.mean(axis=0, dtype=np.float64)
            scale = X.std(axis=0, dtype=np.float64)
        scale = np.where(scale > 0, scale, 1.0)
        return cls(kind, offset.astype(np.float32), scale.astype(np.float32))

    def transform(self, X: np.ndarray) -> np.ndarray:
        if self.kind == "none":
            return X
        return ((X - self.offset) / self.scale).astype(np.float32, copy=False)

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        if self.kind == "none":
            return Z
        return (Z * self.scale + self.offset).astype(np.float32, copy=False)
