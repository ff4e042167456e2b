"""Learned filters: each first-layer unit's input weights drawn as an image.

After Ng's "Sparse autoencoder" notes (CS294A, 2011), "Visualizing a trained autoencoder":
the input of unit norm that most excites hidden unit j is x_i = W_ji / sqrt(Σ_i W_ji²), so
each weight row, normalised, is drawn as a picture of what the unit detects.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aekit.errors import ConfigError
from aekit.reporting.images import plot_image_grid


def plot_filters(
    estimator: Any,
    image_shape: tuple[int, ...],
    path: str | os.PathLike[str],
    n: int = 64,
    *,
    n_cols: int = 8,
) -> Path:
    """Draw the input weights of the first ``n`` first-layer units as images.

    Parameters
    ----------
    estimator : fitted MLP-based aekit estimator
        Its first encoder layer's weight, of shape (n_units, n_features), is drawn.
    image_shape : tuple of int
        ``(h, w)`` or ``(3, h, w)``, with h * w (* 3) = n_features.
    path : str or path-like
        The PNG to write; its folder must exist.
    n : int, default=64
        Number of units drawn (fewer when the layer has fewer).
    n_cols : int, default=8
        Filters per row of the grid.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> plot_filters(sparse_ae, (8, 8), tmp_path / "filters.png")  # doctest: +SKIP
    """
    filters = first_layer_filters(estimator, n)
    title = f"first-layer filters ({filters.shape[0]} units)"
    return plot_image_grid(filters, image_shape, path, n_cols=n_cols, title=title, normalise=True)


def first_layer_filters(estimator: Any, n: int = 64) -> np.ndarray:
    """The first ``n`` first-layer units' input weights, each scaled to unit norm.

    Returns
    -------
    ndarray of shape (min(n, n_units), n_features)
        Row j is the input of unit norm that most excites unit j (float64).

    Raises
    ------
    ConfigError
        When the estimator has no dense first layer (a convolutional or RBM network).
    """
    layers = getattr(getattr(estimator, "module_", None), "encoder_layers", None)
    if layers is None or getattr(layers[0], "weight", torch.empty(0)).dim() != 2:
        raise ConfigError("plot_filters needs a fitted estimator with a dense first layer")
    if n < 1:
        raise ConfigError(f"n must be at least 1, got {n}")
    weight = layers[0].weight.detach().cpu().double().numpy()[:n]  # (n, n_features)
    norms = np.sqrt(np.square(weight).sum(axis=1, keepdims=True))
    return weight / np.maximum(norms, 1e-12)  # each the unit-norm input it responds to most
