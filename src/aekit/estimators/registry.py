"""Estimator classes by name, for the command line and for loading saved models."""

from __future__ import annotations

from aekit.estimators.autoencoder import Autoencoder
from aekit.estimators.base import BaseAutoencoder
from aekit.models.registry import Registry

ESTIMATORS: Registry[type[BaseAutoencoder]] = Registry("model")
ESTIMATORS.register("autoencoder", "basic / deep autoencoder trained end to end")(Autoencoder)
