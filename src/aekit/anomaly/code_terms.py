"""The loss plus terms read off the code, each in standard deviations of its held-out values.

The code's distance (:mod:`aekit.anomaly.code_distance`) and density
(:mod:`aekit.anomaly.code_density`) have units unrelated to the loss's and to each other's,
so each term is standardised by its mean and standard deviation on the held-out rows before
they are added: one unit is one held-out standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aekit.anomaly.code_density import CodeDensity
from aekit.anomaly.code_distance import CodeDistance

Term = CodeDistance | CodeDensity


@dataclass
class CodeTerms:
    """``terms`` by name ("distance", "density"), and the held-out units of each and the loss."""

    terms: dict[str, Term]
    loss_mean: float = 0.0
    loss_std: float = 1.0
    means: dict[str, float] = field(default_factory=dict)
    stds: dict[str, float] = field(default_factory=dict)

    def calibrate(self, losses: np.ndarray, codes: np.ndarray) -> None:
        """Take the units of every term from the held-out rows' losses and codes."""
        self.loss_mean, self.loss_std = float(losses.mean()), _spread(losses)
        for name, term in self.terms.items():
            values = term.values(codes)
            self.means[name], self.stds[name] = float(values.mean()), _spread(values)

    def score(self, losses: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Every term in held-out standard deviations, added: (n_rows,)."""
        total = (losses - self.loss_mean) / self.loss_std
        for name, term in self.terms.items():
            total = total + (term.values(codes) - self.means[name]) / self.stds[name]
        return total

    def units(self) -> dict[str, Any]:
        """What config.json keeps (the codes and the Gaussian go to model.safetensors)."""
        units: dict[str, Any] = {"loss_mean": self.loss_mean, "loss_std": self.loss_std}
        distance, density = self.terms.get("distance"), self.terms.get("density")
        units["distance"] = None
        if isinstance(distance, CodeDistance):
            n_codes, code_size = distance.codes.shape
            units["distance"] = {
                "k": distance.k,
                "n_codes": int(n_codes),
                "code_size": int(code_size),
                "mean": self.means["distance"],
                "std": self.stds["distance"],
            }
        units["density"] = None
        if isinstance(density, CodeDensity):
            units["density"] = {
                "code_size": int(density.mean.shape[0]),
                "mean": self.means["density"],
                "std": self.stds["density"],
            }
        return units


def fitted_code_terms(codes: np.ndarray, neighbors: int | None, density: str | None) -> CodeTerms:
    """The terms asked for, fitted to the training rows' ``codes`` (not yet calibrated)."""
    terms: dict[str, Term] = {}
    if neighbors is not None:
        terms["distance"] = CodeDistance(neighbors, codes)
    if density is not None:  # "gaussian", the one density there is
        terms["density"] = CodeDensity.fit(codes)
    return CodeTerms(terms)


def _spread(values: np.ndarray) -> float:
    """The standard deviation, or 1 where the held-out rows all score alike."""
    std = float(values.std())
    return std if std > 0 else 1.0
