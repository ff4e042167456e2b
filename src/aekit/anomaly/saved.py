"""What a saved detector's config.json may hold, checked before anything is rebuilt.

Each check raises a one-line error naming the field (with the file's path where it is
given one; :meth:`AnomalyDetector._from_saved` adds it to the others).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aekit.anomaly.code_density import CodeDensity
from aekit.anomaly.code_distance import CodeDistance
from aekit.anomaly.code_terms import CodeTerms, Term
from aekit.errors import ConfigError, ModelFileError

# Member k's code terms in model.safetensors: its training codes and its Gaussian.
CODES, DENSITY_MEAN, DENSITY_PRECISION = "codes", "density_mean", "density_precision"
TERM_KEYS = {
    "distance": ("k", "n_codes", "code_size", "mean", "std"),
    "density": ("code_size", "mean", "std"),
}


def tensor_name(k: int, what: str) -> str:
    return f"code_terms.{k}.{what}"


def saved_code_terms(found: Any, n_members: int, where: Path) -> list[dict[str, Any]] | None:
    """Each member's code-term units from config.json, checked (None: the loss alone)."""
    if found is None:
        return None
    if not isinstance(found, list) or len(found) != n_members:
        raise ModelFileError(f"{where}: code_terms must list one entry per member ({n_members})")
    for units in found:
        _check_units(units, where)
    return [dict(units) for units in found]


def _check_units(found: Any, where: Path) -> None:
    if not isinstance(found, dict) or set(found) != {"loss_mean", "loss_std", *TERM_KEYS}:
        raise ModelFileError(
            f"{where}: code_terms entries must hold exactly loss_mean, loss_std, distance, density"
        )
    numbers = [found["loss_mean"], found["loss_std"]]
    for name, keys in TERM_KEYS.items():
        term = found[name]
        if term is None:
            continue
        if not isinstance(term, dict) or set(term) != set(keys):
            raise ModelFileError(
                f"{where}: code_terms {name} must be null or hold exactly {', '.join(keys)}"
            )
        numbers += [term[k] for k in keys]
    if not all(_finite(v) for v in numbers):
        raise ModelFileError(f"{where}: code_terms values must be finite numbers")
    for name in TERM_KEYS:
        term = found[name]
        if term is not None and (term["std"] <= 0 or term["code_size"] < 1):
            raise ModelFileError(f"{where}: code_terms {name} needs code_size >= 1 and std > 0")
    distance = found["distance"]
    if distance is not None and not 1 <= distance["k"] <= distance["n_codes"]:
        raise ModelFileError(f"{where}: code_terms distance needs 1 <= k <= n_codes")
    if found["loss_std"] <= 0 or (distance is None and found["density"] is None):
        raise ModelFileError(f"{where}: code_terms needs loss_std > 0 and a distance or density")


def code_terms_shapes(units: list[dict[str, Any]]) -> dict[str, tuple[int, ...]]:
    """The tensors that the saved code terms need, and their shapes."""
    shapes: dict[str, tuple[int, ...]] = {}
    for k, found in enumerate(units):
        if found["distance"] is not None:
            rows, size = int(found["distance"]["n_codes"]), int(found["distance"]["code_size"])
            shapes[tensor_name(k, CODES)] = (rows, size)
        if found["density"] is not None:
            size = int(found["density"]["code_size"])
            shapes[tensor_name(k, DENSITY_MEAN)] = (size,)
            shapes[tensor_name(k, DENSITY_PRECISION)] = (size, size)
    return shapes


def code_terms_tensors(all_terms: list[CodeTerms]) -> dict[str, torch.Tensor]:
    tensors: dict[str, torch.Tensor] = {}
    for k, terms in enumerate(all_terms):
        distance, density = terms.terms.get("distance"), terms.terms.get("density")
        if isinstance(distance, CodeDistance):
            tensors[tensor_name(k, CODES)] = torch.from_numpy(distance.codes)
        if isinstance(density, CodeDensity):
            tensors[tensor_name(k, DENSITY_MEAN)] = torch.from_numpy(density.mean)
            tensors[tensor_name(k, DENSITY_PRECISION)] = torch.from_numpy(density.precision)
    return tensors


def rebuilt_code_terms(
    units: list[dict[str, Any]],
    tensors: dict[str, torch.Tensor],
    code_sizes: list[int | None],
    where: Path,
) -> list[CodeTerms]:
    """Each member's code terms from their checked units and tensors, its code's size known."""
    rebuilt = []
    for k, (found, code_size) in enumerate(zip(units, code_sizes, strict=True)):
        terms: dict[str, Term] = {}
        means: dict[str, float] = {}
        stds: dict[str, float] = {}
        for name in TERM_KEYS:
            term = found[name]
            if term is None:
                continue
            if code_size is not None and term["code_size"] != code_size:
                raise ModelFileError(
                    f"{where}: code_terms {name} of member {k} has code_size "
                    f"{term['code_size']}, but the member's code has {code_size}"
                )
            means[name], stds[name] = float(term["mean"]), float(term["std"])
            if name == "distance":
                terms[name] = CodeDistance(int(term["k"]), tensors[tensor_name(k, CODES)].numpy())
            else:
                mean = tensors[tensor_name(k, DENSITY_MEAN)].numpy()
                terms[name] = CodeDensity(mean, tensors[tensor_name(k, DENSITY_PRECISION)].numpy())
        loss = float(found["loss_mean"]), float(found["loss_std"])
        rebuilt.append(CodeTerms(terms, *loss, means=means, stds=stds))
    return rebuilt


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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
