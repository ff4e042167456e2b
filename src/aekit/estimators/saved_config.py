"""The schema of a saved member's ``config.json``, checked before anything is built.

Each record is a dataclass whose annotations give the expected JSON types (checked by
:mod:`aekit.models.schema`); the ranges and cross-checks that types cannot say are below.
The estimator's ``params`` are checked against its ``__init__`` signature, the ``model``
record against its config class, so a new estimator or model config is covered without
changes here. Every problem is one :class:`~aekit.errors.ConfigError` naming the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from aekit.data.scaling import SCALES
from aekit.errors import ConfigError, check_choice
from aekit.models.builders import config_from_dict
from aekit.models.config import LIKELIHOODS, MAX_WIDTH
from aekit.models.schema import check_arguments, check_fields

NOT_SAVED_PARAMS = ("callbacks", "verbose")  # never written, so never read back


@dataclass
class ConfigFile:
    """The top level of ``config.json``."""

    format: str
    format_version: int
    estimator: str
    params: dict[str, Any]
    model: dict[str, Any]
    preprocessing: dict[str, Any]
    input_schema: dict[str, Any]
    loss: dict[str, Any]
    aekit_version: str = ""  # informative: the versions that wrote the file
    torch_version: str = ""


@dataclass
class InputSchema:
    n_features: int
    dtype: Literal["float32"] = "float32"
    image_shape: tuple[int, ...] | None = None  # (h, w) or (channels, h, w) of image data
    feature_names: tuple[str, ...] | None = None  # a table's column names, label excluded
    label_column: str | int | None = None  # the column the labels came from, dropped on use


@dataclass
class Preprocessing:
    kind: str
    reason: str = ""  # why scale="auto" chose it, shown to the user


@dataclass
class LossChoice:
    likelihood: str
    reason: str = field(default="")  # why "auto" chose it, shown to the user


@dataclass
class Checked:
    """What ``check`` read: everything ``load`` needs to rebuild the estimator."""

    estimator_class: type
    params: dict[str, Any]
    model_config: Any
    n_features: int
    image_shape: tuple[int, ...] | None
    feature_names: tuple[str, ...] | None
    label_column: str | int | None
    scale: str
    scale_reason: str
    likelihood: str
    reason: str


def check(config: dict[str, Any], cls: type[object]) -> Checked:
    """Check every record of ``config`` for estimator ``cls``; raise ConfigError."""
    check_fields(ConfigFile, config, "config")
    check_fields(InputSchema, config["input_schema"], "input_schema")
    check_fields(Preprocessing, config["preprocessing"], "preprocessing")
    check_fields(LossChoice, config["loss"], "loss")
    schema, loss = config["input_schema"], config["loss"]

    n_features = schema["n_features"]
    if not 1 <= n_features <= MAX_WIDTH:
        raise ConfigError(f"input_schema.n_features must be in [1, {MAX_WIDTH}], got {n_features}")
    image_shape = schema.get("image_shape")
    if image_shape is not None:
        if not 2 <= len(image_shape) <= 3 or min(image_shape) < 1:
            raise ConfigError(
                f"input_schema.image_shape must be (h, w) or (channels, h, w), got {image_shape}"
            )
        if math.prod(image_shape) != n_features:
            raise ConfigError(
                f"input_schema.image_shape {image_shape} does not hold n_features={n_features}"
            )
    names = schema.get("feature_names")
    if names is not None and len(names) != n_features:
        raise ConfigError(
            f"input_schema.feature_names has {len(names)} names for n_features={n_features}"
        )
    scale = config["preprocessing"]["kind"]
    check_choice("preprocessing.kind", scale, SCALES)
    check_choice("loss.likelihood", loss["likelihood"], LIKELIHOODS)

    params = config["params"]
    for name in NOT_SAVED_PARAMS:
        if name in params:
            raise ConfigError(f"params.{name} cannot be set from a model file")
    check_arguments(cls.__init__, params, "params")
    model_config = config_from_dict(config["model"], "model")
    if model_config.n_features != n_features:
        raise ConfigError(
            f"model.n_features={model_config.n_features} disagrees with "
            f"input_schema.n_features={n_features}"
        )
    if getattr(model_config, "likelihood", loss["likelihood"]) != loss["likelihood"]:
        raise ConfigError(
            f"model.likelihood={model_config.likelihood!r} disagrees with "
            f"loss.likelihood={loss['likelihood']!r}"
        )
    return Checked(
        estimator_class=cls,
        params=params,
        model_config=model_config,
        n_features=n_features,
        image_shape=tuple(image_shape) if image_shape else None,
        feature_names=tuple(names) if names is not None else None,
        label_column=schema.get("label_column"),
        scale=scale,
        scale_reason=config["preprocessing"].get("reason", ""),
        likelihood=loss["likelihood"],
        reason=loss.get("reason", ""),
    )
