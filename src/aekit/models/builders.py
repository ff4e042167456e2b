"""The registry of model builders: config class + module class, by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Self

from torch import nn

from aekit.errors import AekitError, ConfigError
from aekit.models.config import MLPConfig
from aekit.models.conv import ConvAutoencoder, ConvConfig
from aekit.models.mlp import MLPAutoencoder
from aekit.models.rbm import RBM, RBMConfig
from aekit.models.registry import Registry
from aekit.models.schema import check_fields
from aekit.models.vae import VAEConfig, VariationalAutoencoder


class ModelConfig(Protocol):
    """What every model config class has: a registry name and a constructor from JSON data."""

    kind: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self: ...


@dataclass(frozen=True)
class Builder:
    config_class: type[ModelConfig]
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
BUILDERS.register("conv", "strided convolutions down, transposed convolutions up")(
    Builder(ConvConfig, ConvAutoencoder)
)


def config_from_dict(data: dict[str, Any], where: str = "model") -> Any:
    """Build a config from JSON data, checking keys and types first (see models/schema.py)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a JSON object, got {type(data).__name__}")
    kind = data.get("kind", "mlp")
    if not isinstance(kind, str):
        raise ConfigError(f"{where}.kind must be a string, got {kind!r}")
    config_class = BUILDERS.get(kind).config_class
    check_fields(config_class, data, where)
    try:
        return config_class.from_dict(data)
    except AekitError:
        raise
    except (TypeError, ValueError, OverflowError) as exc:  # a value validate did not foresee
        raise ConfigError(f"{where}: {str(exc).strip().splitlines()[0]}") from None


def build_module(config: Any) -> nn.Module:
    return BUILDERS.get(config.kind).module_class(config)
