"""What a saved detector's config.json may hold, checked before anything is rebuilt.

Each check raises a one-line error naming the field (with the file's path where it is
given one; :meth:`AnomalyDetector._from_saved` adds it to the others).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from aekit.errors import ConfigError, ModelFileError


def saved_units(found: Any, where: Path) -> dict[str, float] | None:
    """The code distance's units from config.json (None: the loss alone)."""
    if found is None:
        return None
    keys = ("k", "n_codes", "code_size", "loss_mean", "loss_std", "distance_mean", "distance_std")
    if not isinstance(found, dict) or set(found) != set(keys):
        raise ModelFileError(f"{where}: code_distance must hold exactly {', '.join(keys)}")
    values = [found[k] for k in keys]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) or not all(
        math.isfinite(v) for v in values
    ):
        raise ModelFileError(f"{where}: code_distance values must be finite numbers")
    if (
        found["k"] < 1
        or found["n_codes"] < found["k"]
        or found["code_size"] < 1
        or found["loss_std"] <= 0
        or found["distance_std"] <= 0
    ):
        raise ModelFileError(
            f"{where}: code_distance needs k >= 1, n_codes >= k, code_size >= 1 and positive "
            "spreads"
        )
    return dict(found)


def feature_names(names: Any, n_features: Any) -> np.ndarray | None:
    if isinstance(n_features, bool) or n_features < 1:
        raise ConfigError(f"n_features must be a positive integer, got {n_features!r}")
    if names is None:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError("feature_names must be a list of strings or null")
    if len(names) != n_features:
        raise ConfigError(f"feature_names lists {len(names)} names for {n_features} features")
    return np.asarray(names, dtype=object)
