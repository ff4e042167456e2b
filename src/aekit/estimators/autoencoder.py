"""The basic and deep autoencoder estimator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from aekit.estimators.base import BaseAutoencoder
from aekit.models.config import MLPConfig


class Autoencoder(BaseAutoencoder):
    """A deep autoencoder trained end to end by backpropagation.

    Parameters
    ----------
    hidden : tuple of int, default=(256, 128)
        Encoder hidden-layer widths; the decoder mirrors them.
    code_size : int, default=32
        Width of the linear code layer (the dimension of ``transform``'s output).
    activation : str, default="elu"
        Hidden nonlinearity ("elu", "relu", "sigmoid", "tanh", "gelu", "leaky_relu", "silu").
    loss : {"auto", "gaussian", "bernoulli"}, default="auto"
        "auto" chooses Bernoulli (logistic output, cross-entropy) when the scaled training
        data lie in [0, 1] and Gaussian (identity output, squared error) otherwise; the
        choice is kept in ``loss_`` and the reason in ``loss_reason_``.
    tied : bool, default=False
        Decoder layer i uses the transpose of encoder layer i's weight.
    scale : {"none", "minmax", "standard"}, default="none"
        Preprocessing fitted on the training data and applied at encode time.
    epochs, batch_size, optimizer, learning_rate, momentum, weight_decay, lr_schedule,
    validation_fraction, early_stopping, patience, device, precision :
        Training settings; see :class:`aekit.training.settings.TrainSettings`. With
        ``batch_size="auto"`` the batch is the power of two nearest below n_samples / 100,
        within 32..512; with ``learning_rate="auto"`` the rate is 1e-3 up to batch 128, raised
        above it by the square root of batch / 128 (linearly for SGD).
    random_state : int or None, default=None
        Seed for initialisation, shuffling and the validation split.
    verbose : int, default=0
        Show a progress bar on a terminal when > 0.
    callbacks : list or None, default=None
        Objects with ``on_epoch_end(epoch, logs)``; returning True stops training.

    Attributes
    ----------
    module_ : torch.nn.Module
    config_ : MLPConfig
    history_ : dict of str to list of float
        Per-epoch training (and ``val_``) losses and each named term.
    loss_ : str
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import Autoencoder
    >>> X = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> ae = Autoencoder(hidden=(16,), code_size=2, epochs=3, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (200, 2)
    >>> ae.loss_
    'bernoulli'
    """

    def __init__(
        self,
        hidden: Sequence[int] = (256, 128),
        code_size: int = 32,
        activation: str = "elu",
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

    def _make_config(self, n_features: int, likelihood: str) -> MLPConfig:
        hidden = (self.hidden,) if isinstance(self.hidden, int) else tuple(self.hidden)
        return MLPConfig(
            n_features=n_features,
            hidden=hidden,
            code_size=self.code_size,
            activation=self.activation,
            likelihood=likelihood,
            tied=self.tied,
        )
