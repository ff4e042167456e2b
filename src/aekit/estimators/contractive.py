"""The contractive autoencoder: penalise the encoder Jacobian's Frobenius norm.

Rifai, Vincent, Muller, Glorot & Bengio 2011, "Contractive auto-encoders: explicit
invariance during feature extraction". See :mod:`aekit.objectives.penalties`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import torch

from aekit.estimators.autoencoder import Autoencoder
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.objectives.penalties import contractive, jacobian_norm


class ContractiveAutoencoder(Autoencoder):
    """An autoencoder whose code changes little when the input moves: λ ‖J_f(x)‖²_F.

    The code layer is logistic (sigmoid), as the hidden layer of the paper's one-layer
    CAE. With ``hidden=()`` (the default) the encoder is that one layer and the penalty
    has a closed form, Σ_j (h_j(1−h_j))² Σ_i W_ji²; a deeper encoder gets the exact
    Jacobian by autograd (slower: one backward pass per code unit).

    Parameters
    ----------
    hidden : tuple of int, default=()
        Encoder hidden widths before the code layer; () is the paper's one-layer encoder.
    code_size, loss, tied, scale, epochs, batch_size, optimizer, learning_rate, momentum,
    weight_decay, lr_schedule, validation_fraction, early_stopping, patience, device,
    precision, random_state, verbose, callbacks :
        As for :class:`aekit.Autoencoder`.
    activation : str, default="sigmoid"
        Nonlinearity of the hidden layers, if any (the code layer is always sigmoid).
    contraction_weight : float, default=0.1
        λ, the weight of the Jacobian penalty.

    Attributes
    ----------
    module_ : MLPAutoencoder
    config_ : MLPConfig
        With ``code_activation="sigmoid"``.
    history_ : dict of str to list of float
        Per-epoch ``loss``, ``reconstruction`` and ``contractive`` (and ``val_`` versions).
    loss_ : str
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import ContractiveAutoencoder
    >>> X = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> cae = ContractiveAutoencoder(code_size=4, epochs=3, random_state=0).fit(X)
    >>> cae.transform(X).shape
    (200, 4)
    >>> cae.jacobian_norm(X) > 0
    True
    """

    def __init__(
        self,
        hidden: Sequence[int] = (),
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
        contraction_weight: float = 0.1,
    ) -> None:
        self._keep_arguments(locals())

    def _make_config(self, n_features: int, likelihood: str) -> MLPConfig:
        contractive(self.contraction_weight)  # checks the weight before any training
        config = super()._make_config(n_features, likelihood)
        return dataclasses.replace(config, code_activation="sigmoid")

    def _make_objective(self, module: torch.nn.Module) -> Objective:
        return Objective(
            module.likelihood, penalties=[("contractive", contractive(self.contraction_weight))]
        )

    def jacobian_norm(self, X: Any) -> float:
        """Mean over the samples of ``X`` of ‖J_f(x)‖²_F, the encoder's squared Jacobian norm.

        Measured in the scaled input space the encoder sees; the penalty without its weight.
        """
        X = self._check_input(X)
        norms = self._batched(lambda xb: jacobian_norm(self.module_, xb), self.scaler_.transform(X))
        return float(norms.mean(dtype="float64"))
