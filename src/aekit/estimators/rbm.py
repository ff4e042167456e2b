"""A restricted Boltzmann machine as a scikit-learn estimator (cf. sklearn's BernoulliRBM)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from aekit.errors import ConfigError
from aekit.estimators.base import BaseAutoencoder, _resolve_seed
from aekit.models.rbm import RBMConfig
from aekit.objectives.contrastive import ContrastiveDivergence


class RBM(BaseAutoencoder):
    """A restricted Boltzmann machine trained by contrastive divergence (CD-k).

    Bernoulli visible units for data in [0, 1] and unit-variance Gaussian visible units
    otherwise (standardise such data: ``scale="standard"``); Bernoulli hidden units, or
    linear Gaussian ones (``hidden_units="gaussian"``) as for the code layer of Hinton &
    Salakhutdinov (2006). CD-k after Hinton (2002); see :mod:`aekit.models.rbm`.

    Parameters
    ----------
    code_size : int, default=32
        Number of hidden units (the width of ``transform``'s output).
    hidden_units : {"bernoulli", "gaussian"}, default="bernoulli"
    k : int, default=1
        Gibbs steps per contrastive-divergence update.
    loss : {"auto", "gaussian", "bernoulli"}, default="auto"
        Visible units; "auto" picks Bernoulli for data in [0, 1].
    scale : {"none", "minmax", "standard"}, default="none"
    epochs, batch_size, optimizer, learning_rate, momentum, weight_decay, lr_schedule,
    validation_fraction, early_stopping, patience, device, precision :
        Training settings; SGD with momentum by default, as in the paper.
    random_state : int or None, default=None
    verbose : int, default=0
    callbacks : list or None, default=None

    Attributes
    ----------
    module_ : aekit.models.rbm.RBM
    config_ : RBMConfig
    history_ : dict of str to list of float
        ``loss`` (free-energy gap, the CD objective) and ``reconstruction`` (squared error
        of the mean-field one-step reconstruction) per epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import RBM
    >>> X = (np.random.default_rng(0).random((200, 8)) > 0.5).astype(np.float32)
    >>> rbm = RBM(code_size=4, epochs=2, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (200, 4)
    >>> rbm.sample(3, k=10, random_state=0).shape
    (3, 8)
    """

    def __init__(
        self,
        code_size: int = 32,
        hidden_units: str = "bernoulli",
        k: int = 1,
        loss: str = "auto",
        scale: str = "none",
        epochs: int = 20,
        batch_size: int = 100,
        optimizer: str = "sgd",
        learning_rate: float = 0.05,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        lr_schedule: str = "constant",
        validation_fraction: float = 0.1,
        early_stopping: bool = False,
        patience: int = 10,
        device: str = "auto",
        precision: str = "auto",
        random_state: int | None = None,
        verbose: int = 0,
        callbacks: Sequence[Any] | None = None,
    ) -> None:
        self.code_size = code_size
        self.hidden_units = hidden_units
        self.k = k
        self.loss = loss
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

    def _make_config(self, n_features: int, likelihood: str) -> RBMConfig:
        return RBMConfig(
            n_features=n_features,
            code_size=self.code_size,
            likelihood=likelihood,
            hidden_units=self.hidden_units,
        )

    def _make_objective(self, module: torch.nn.Module) -> ContrastiveDivergence:
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise ConfigError(f"k must be an integer >= 1, got {self.k!r}")
        return ContrastiveDivergence(self.k)

    def gibbs(self, X: Any, k: int = 1, random_state: int | None = None) -> np.ndarray:
        """Run ``k`` Gibbs steps from ``X``: visible samples of shape (n_samples, n_features)."""
        X = self._check_input(X)
        v = torch.from_numpy(np.ascontiguousarray(self.scaler_.transform(X)))
        return self._chain(v, k, random_state)

    def sample(
        self, n_samples: int = 1, k: int = 1000, random_state: int | None = None
    ) -> np.ndarray:
        """Draw ``n_samples`` by running ``k`` Gibbs steps from random visible states."""
        check_is_fitted(self, "module_")
        generator = torch.Generator().manual_seed(_resolve_seed(random_state))
        shape = (int(n_samples), self.n_features_in_)
        if self.module_.gaussian_visible:
            v = torch.randn(shape, generator=generator)
        else:
            v = torch.bernoulli(torch.full(shape, 0.5), generator=generator)
        return self._chain(v, k, generator)

    def _chain(self, v: torch.Tensor, k: int, random_state: Any) -> np.ndarray:
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ConfigError(f"k must be an integer >= 0, got {k!r}")
        generator = (
            random_state
            if isinstance(random_state, torch.Generator)
            else torch.Generator().manual_seed(_resolve_seed(random_state))
        )
        self.module_.eval()
        v = self.module_.gibbs(v, k, generator)
        return self.scaler_.inverse_transform(v.numpy())
