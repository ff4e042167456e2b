"""The sparse autoencoder: a deep autoencoder plus a sparsity penalty on a hidden layer.

KL sparsity after Ng, "Sparse autoencoder" (CS294A lecture notes, 2011), or an L1 penalty
on the activations; see :mod:`aekit.objectives.penalties`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import torch

from aekit.errors import ConfigError
from aekit.estimators.autoencoder import Autoencoder
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.objectives.penalties import check_unit_interval, kl_sparsity, l1_activity

SPARSITIES = ("kl", "l1")
SPARSE_LAYER = 0  # the first hidden layer: the one whose filters plot_filters draws


class SparseAutoencoder(Autoencoder):
    """A deep autoencoder whose first hidden layer is pushed to fire rarely.

    With ``sparsity="kl"`` the loss adds β Σ_j KL(ρ‖ρ̂_j), ρ̂_j being unit j's mean
    activation over the batch (Ng's notes; ρ = ``sparsity_target``, β =
    ``sparsity_weight``); this needs sigmoid units. With ``sparsity="l1"`` it adds
    λ Σ_j |h_j| per sample (λ = ``sparsity_weight``) and works with any activation.
    The penalty applies to the first hidden layer, so ``hidden`` must name at least one.

    Parameters
    ----------
    hidden, code_size, loss, tied, scale, epochs, batch_size, optimizer, learning_rate,
    momentum, weight_decay, lr_schedule, validation_fraction, early_stopping, patience,
    device, precision, random_state, verbose, callbacks :
        As for :class:`aekit.Autoencoder`.
    activation : str, default="sigmoid"
        Hidden nonlinearity; KL sparsity reads activations as firing rates in (0, 1).
    sparsity : {"kl", "l1"}, default="kl"
        The sparsity penalty.
    sparsity_target : float, default=0.05
        ρ, the mean activation KL sparsity aims at (ignored by "l1").
    sparsity_weight : float, default=3.0
        β for "kl", λ for "l1".

    Attributes
    ----------
    module_ : MLPAutoencoder
    config_ : MLPConfig
    history_ : dict of str to list of float
        Per-epoch ``loss``, ``reconstruction`` and ``sparsity`` (and ``val_`` versions).
    loss_ : str
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import SparseAutoencoder
    >>> X = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> sae = SparseAutoencoder(hidden=(16,), code_size=2, epochs=3, random_state=0).fit(X)
    >>> sae.mean_activation(X).shape
    (16,)
    >>> sorted(sae.history_)[:3]
    ['epoch_time', 'loss', 'lr']
    """

    def __init__(
        self,
        hidden: Sequence[int] = (256, 128),
        code_size: int = 32,
        activation: str = "sigmoid",
        loss: str = "auto",
        tied: bool = False,
        scale: str = "none",
        epochs: int = 50,
        batch_size: int | Literal["auto"] = "auto",
        optimizer: str = "adam",
        learning_rate: float | Literal["auto"] = "auto",
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        lr_schedule: str = "cosine",
        validation_fraction: float = 0.1,
        early_stopping: bool = False,
        patience: int = 10,
        device: str = "auto",
        precision: str = "auto",
        random_state: int | None = None,
        verbose: int = 0,
        callbacks: Sequence[Any] | None = None,
        sparsity: str = "kl",
        sparsity_target: float = 0.05,
        sparsity_weight: float = 3.0,
    ) -> None:
        self._keep_arguments(locals())

    def _make_config(self, n_features: int, likelihood: str) -> MLPConfig:
        config = super()._make_config(n_features, likelihood)
        if self.sparsity not in SPARSITIES:
            raise ConfigError(f"sparsity must be 'kl' or 'l1', got {self.sparsity!r}")
        if not config.hidden:
            raise ConfigError("a sparse autoencoder needs at least one hidden layer (hidden=(n,))")
        if self.sparsity == "kl":
            check_unit_interval(config.activation)
        self._penalty()  # checks the target and weight before any training
        return config

    def _make_objective(self, module: torch.nn.Module) -> Objective:
        return Objective(module.likelihood, penalties=[("sparsity", self._penalty())])

    def _penalty(self) -> Any:
        if self.sparsity == "kl":
            return kl_sparsity(self.sparsity_target, self.sparsity_weight, layer=SPARSE_LAYER)
        return l1_activity(self.sparsity_weight, layer=SPARSE_LAYER)

    def mean_activation(self, X: Any) -> np.ndarray:
        """Mean activation of each unit of the sparse (first hidden) layer over ``X``.

        Returns
        -------
        ndarray of shape (n_units,)
            Compare with ``sparsity_target`` for KL sparsity.
        """
        X = self._check_input(X)

        def first_hidden(xb: torch.Tensor) -> torch.Tensor:
            hidden: list[torch.Tensor] = []
            self.module_.encode(xb, hidden)
            return hidden[SPARSE_LAYER]  # (batch, n_units)

        return self._batched(first_hidden, self.scaler_.transform(X)).mean(axis=0)
