"""A family member held inside another estimator: given, fitted, cloned, saved and read back.

An estimator built on a member (:class:`~aekit.AnomalyDetector`; the same pattern as
:class:`~aekit.PretrainedClassifier`'s encoder) takes it as a parameter in any of three
forms: an unfitted member, which ``fit`` fits (a clone of it); a fitted one, used as it is
(a copy); or the folder ``save`` wrote. In the outer estimator's model folder the member's
config sits under one key of ``config.json`` and its tensors under a name prefix in
``model.safetensors``, so one folder holds both and the member is checked exactly as a
member folder of its own would be.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import clone

from aekit.errors import AekitError, ConfigError, ModelFileError
from aekit.estimators.base import BaseAutoencoder
from aekit.estimators.persistence import load, saved_name
from aekit.io import layout


def is_fitted(member: Any) -> bool:
    return isinstance(member, BaseAutoencoder) and hasattr(member, "module_")


def fitted_member(member: Any, X: np.ndarray, *, name: str = "member") -> BaseAutoencoder:
    """A fitted member to build on, never the caller's object itself.

    A folder is loaded, a fitted member copied, an unfitted one cloned and fitted on ``X``.
    """
    if isinstance(member, (str, os.PathLike)):
        member = load(member)
        if not isinstance(member, BaseAutoencoder):
            raise ConfigError(
                f"{name}: the model folder holds a {type(member).__name__}, not an aekit "
                "autoencoder"
            )
        return member
    if not isinstance(member, BaseAutoencoder):
        raise ConfigError(
            f"{name} must be an aekit autoencoder (fitted or not) or a model folder, "
            f"got {type(member).__name__}"
        )
    if is_fitted(member):
        return copy.deepcopy(member)
    return clone(member).fit(X)


def clone_keeping_fitted(estimator: Any, name: str) -> Any:
    """``clone(estimator)``, but a fitted member parameter ``name`` is kept, not refitted.

    A fitted member is only read, so each clone builds on the same fitted weights (as
    :class:`sklearn.frozen.FrozenEstimator` does); an unfitted one is cloned as usual.
    """
    params = estimator.get_params(deep=False)
    member = params.pop(name)
    cloned = {k: clone(v, safe=False) for k, v in params.items()}
    if not is_fitted(member):
        member = clone(member, safe=False)
    return type(estimator)(**{name: member}, **cloned)


class BuildsOnMember:
    """What an estimator built on a member shares: cloning keeps a fitted member, and its
    results repeat (seeded). ``member_param`` names the parameter holding the member."""

    member_param: str = "member"

    def __sklearn_clone__(self) -> Any:
        """Clone the settings; keep a fitted member as it is (see the class Notes)."""
        return clone_keeping_fitted(self, self.member_param)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.non_deterministic = False
        return tags


# -- saving ------------------------------------------------------------------------------
def member_config(member: BaseAutoencoder) -> dict[str, Any]:
    """The member's config record, naming its class, to nest under a key of ours."""
    return {"estimator": saved_name(type(member)), **member._config_out()}


def member_tensors(member: BaseAutoencoder, prefix: str) -> dict[str, torch.Tensor]:
    """The member's tensors, on the CPU (a CUDA-trained model loads anywhere), prefixed."""
    return {f"{prefix}{k}": v.detach().cpu() for k, v in member._state_out().items()}


def checked_member(
    folder: Path, config: dict[str, Any], key: str
) -> tuple[type[BaseAutoencoder], Any]:
    """The class and the checked config of the member nested under ``config[key]``."""
    from aekit.estimators.registry import ESTIMATORS  # the registry imports every estimator

    nested = {k: config[k] for k in ("format", "format_version")} | config[key]
    try:
        member_cls = ESTIMATORS.get(nested.get("estimator"))
    except AekitError as exc:
        raise ModelFileError(f"{folder / layout.CONFIG}: {key}: {exc}") from None
    return member_cls, member_cls._checked(folder, nested)


def member_shapes(
    member_cls: type[BaseAutoencoder], checked: Any, prefix: str
) -> dict[str, tuple[int, ...]]:
    """The names (prefixed) and shapes of the tensors the member's checked config needs."""
    return {f"{prefix}{k}": v for k, v in member_cls._expected(checked).items()}


def rebuilt_member(
    member_cls: type[BaseAutoencoder],
    checked: Any,
    tensors: dict[str, torch.Tensor],
    prefix: str,
) -> BaseAutoencoder:
    """The fitted member from its checked config and the tensors under ``prefix``."""
    return member_cls._rebuilt(checked, prefixed(tensors, prefix), {})


def prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The tensors whose names start with ``prefix``, named without it."""
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
