"""Preprocessing fitted on the training data and stored with the model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aekit.errors import check_choice

SCALES = ("none", "minmax", "standard")


def choose_scaling(scale: str, minimum: np.ndarray, maximum: np.ndarray) -> tuple[str, str]:
    """Resolve ``scale`` ("auto" or one of SCALES) from each feature's training range.

    "auto" keeps data that lie in [0, 1] (images, probabilities: a Bernoulli likelihood
    reads them as they are) and standardises anything else, so that no column weighs in the
    squared error by its units alone. Returns the scaling and a sentence saying why.
    """
    if scale != "auto":
        return scale, f"scale {scale!r} as asked"
    lo, hi = float(np.min(minimum)), float(np.max(maximum))
    if lo >= 0.0 and hi <= 1.0:
        return "none", f"data lie in [0, 1] (min {lo:g}, max {hi:g}): kept as they are"
    spans = np.asarray(maximum, np.float64) - np.asarray(minimum, np.float64)
    return "standard", (
        f"data lie outside [0, 1] (min {lo:g}, max {hi:g}; column ranges from "
        f"{spans.min():g} to {spans.max():g}): standardised to zero mean and unit variance"
    )


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
        if kind == "minmax":
            return cls.from_stats(kind, X.shape[1], minimum=X.min(axis=0), maximum=X.max(axis=0))
        if kind == "standard":
            mean, std = X.mean(axis=0, dtype=np.float64), X.std(axis=0, dtype=np.float64)
            return cls.from_stats(kind, X.shape[1], mean=mean, std=std)
        return cls.from_stats(kind, X.shape[1])

    @classmethod
    def from_stats(
        cls,
        kind: str,
        n_features: int,
        *,
        minimum: np.ndarray | None = None,
        maximum: np.ndarray | None = None,
        mean: np.ndarray | None = None,
        std: np.ndarray | None = None,
    ) -> Scaler:
        """The scaler of ``kind`` from per-feature statistics (those ``kind`` needs).

        ``fit`` computes them over an array in memory; streaming computes them chunk by chunk.
        """
        check_choice("scale", kind, SCALES)
        if kind == "none":
            return cls(kind, np.zeros(n_features, np.float32), np.ones(n_features, np.float32))
        if kind == "minmax":
            if minimum is None or maximum is None:
                raise TypeError("minmax scaling needs the minimum and maximum statistics")
            offset, scale = minimum, maximum - minimum
        else:
            if mean is None or std is None:
                raise TypeError("standard scaling needs the mean and std statistics")
            offset, scale = mean, std
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
