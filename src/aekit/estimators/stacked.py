"""Stacked autoencoders: greedy layer-wise pretraining, then end-to-end fine-tuning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import torch

from aekit.errors import ConfigError
from aekit.estimators.autoencoder import Autoencoder
from aekit.models.config import MLPConfig
from aekit.objectives.corruption import masking
from aekit.objectives.objective import Corruption, Objective
from aekit.training import greedy
from aekit.training.settings import TrainSettings

NOISES = (None, "masking")


class StackedAutoencoder(Autoencoder):
    """A deep autoencoder pretrained greedily, one layer at a time, then fine-tuned.

    Each encoder layer is first trained alone to model the output of the (frozen) layers
    below it: as a one-hidden-layer autoencoder (``pretraining="autoencoder"``; with
    ``noise`` a stacked denoising autoencoder, Vincent et al. 2010) or as an RBM trained by
    contrastive divergence (``pretraining="rbm"``; Hinton & Salakhutdinov 2006). The layers
    are unrolled into an encoder and a mirrored decoder, which are fine-tuned end to end
    for ``epochs`` epochs. See :mod:`aekit.training.greedy`.

    Parameters
    ----------
    hidden, code_size, loss, tied, scale, epochs, batch_size, optimizer, learning_rate,
    momentum, weight_decay, lr_schedule, validation_fraction, early_stopping, patience,
    device, precision, random_state, verbose, callbacks :
        As for :class:`aekit.Autoencoder`; ``epochs`` counts the fine-tuning epochs.
    activation : str, default="sigmoid"
        Hidden nonlinearity; logistic units as in the papers. RBM pretraining needs
        "sigmoid". Upper layers reconstruct sigmoid activations with a Bernoulli
        likelihood, other activations with a Gaussian one.
    pretraining : {"autoencoder", "rbm"}, default="autoencoder"
        How each layer is pretrained.
    pretrain_epochs : int, default=10
        Epochs per layer; 0 skips pretraining.
    pretrain_learning_rate : float, "auto" or None, default="auto"
        Learning rate while pretraining. "auto": 4x the fine-tuning "auto" rate at the
        same batch size (one layer alone trains well at rates the deep network does not;
        see :func:`aekit.training.settings.pretraining_rate_for`); None: ``learning_rate``.
    noise : {None, "masking"}, default=None
        Input corruption while pretraining each layer (stacked denoising autoencoder);
        the next layer and fine-tuning see clean data. Autoencoder pretraining only.
    noise_level : float, default=0.25
        Fraction of inputs set to zero by "masking".
    cd_k : int, default=1
        Gibbs steps of contrastive divergence for RBM pretraining.

    Attributes
    ----------
    module_ : MLPAutoencoder
    config_ : MLPConfig
    history_ : dict of str to list of float
        Fine-tuning losses (``loss``, ``reconstruction``, ``val_...``) and each layer's
        pretraining losses (``pretrain_layer1_loss``, ...).
    loss_ : str
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import StackedAutoencoder
    >>> X = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> sae = StackedAutoencoder(hidden=(6,), code_size=2, epochs=2, pretrain_epochs=2,
    ...                          random_state=0).fit(X)
    >>> sae.transform(X).shape
    (200, 2)
    >>> sorted(k for k in sae.history_ if k.endswith("_loss") and "val" not in k)
    ['pretrain_layer1_loss', 'pretrain_layer2_loss']
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
        pretraining: str = "autoencoder",
        pretrain_epochs: int = 10,
        pretrain_learning_rate: float | Literal["auto"] | None = "auto",
        noise: str | None = None,
        noise_level: float = 0.25,
        cd_k: int = 1,
    ) -> None:
        self.hidden = hidden
        self.code_size = code_size
        self.activation = activation
        self.loss = loss
        self.tied = tied
        self.scale = scale
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.patience = patience
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.pretraining = pretraining
        self.pretrain_epochs = pretrain_epochs
        self.pretrain_learning_rate = pretrain_learning_rate
        self.noise = noise
        self.noise_level = noise_level
        self.cd_k = cd_k

    def _make_config(self, n_features: int, likelihood: str) -> MLPConfig:
        self._check_pretraining_params()
        return super()._make_config(n_features, likelihood)

    def _train_module(
        self, objective: Objective, X: torch.Tensor, settings: TrainSettings, **kwargs: Any
    ) -> dict[str, list[float]]:
        pre = None
        if self.pretrain_epochs > 0:
            pre = greedy.pretrain_settings(
                settings, self.pretrain_epochs, self.pretrain_learning_rate, X.shape[0]
            )
        return greedy.train(
            self.module_,
            objective,
            X,
            settings,
            pre,
            kind=self.pretraining,
            corruption=self._corruption(),
            cd_k=self.cd_k,
            **kwargs,
        )

    def _corruption(self) -> Corruption | None:
        if self.noise is None:
            return None
        return masking(float(self.noise_level))

    def _check_pretraining_params(self) -> None:
        if self.pretraining not in greedy.KINDS:
            raise ConfigError(
                f"pretraining must be one of {', '.join(greedy.KINDS)}, got {self.pretraining!r}"
            )
        if self.noise not in NOISES:
            raise ConfigError(f"noise must be None or 'masking', got {self.noise!r}")
        if self.noise is not None and self.pretraining == "rbm":
            raise ConfigError("noise applies to pretraining='autoencoder', not to RBMs")
        if self.pretraining == "rbm" and self.activation != "sigmoid":
            raise ConfigError(
                "pretraining='rbm' needs activation='sigmoid' (RBM hidden units are logistic), "
                f"got {self.activation!r}"
            )
        level = self.noise_level
        if not (isinstance(level, (int, float)) and 0 <= level < 1):
            raise ConfigError(f"noise_level must be in [0, 1), got {level!r}")
        for name, value in (("pretrain_epochs", self.pretrain_epochs), ("cd_k", self.cd_k)):
            low = 0 if name == "pretrain_epochs" else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"{name} must be an integer >= {low}, got {value!r}")
        rate = self.pretrain_learning_rate
        if rate not in (None, "auto") and not (
            isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate > 0
        ):
            raise ConfigError(
                f"pretrain_learning_rate must be a positive number, 'auto' or None, got {rate!r}"
            )
