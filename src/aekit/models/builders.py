"""The registry of model builders: config class + module class, by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch import nn

from aekit.models.config import MLPConfig
from aekit.models.mlp import MLPAutoencoder
from aekit.models.rbm import RBM, RBMConfig
from aekit.models.registry import Registry
from aekit.models.vae import VAEConfig, VariationalAutoencoder


@dataclass(frozen=True)
class Builder:
    config_class: type
    module_class: type[nn.Module]


BUILDERS: Registry[Builder] = Registry("model builder")
BUILDERS.register("mlp", "multilayer encoder/decoder, optionally tied weights")(
    Builder(MLPConfig, MLPAutoencoder)
)
BUILDERS.register("rbm", "restricted Boltzmann machine (Bernoulli or Gaussian units)")(
    Builder(RBMConfig, RBM)
)
BUILDERS.register("vae", "variational: Gaussian posterior, mirrored decoder")(
    Builder(VAEConfig, VariationalAutoencoder)
)


def config_from_dict(data: dict[str, Any]) -> Any:
    kind = data.get("kind", "mlp") if isinstance(data, dict) else "mlp"
    return BUILDERS.get(str(kind)).config_class.from_dict(data)


def build_module(config: Any) -> nn.Module:
    return BUILDERS.get(config.kind).module_class(config)
