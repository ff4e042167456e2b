"""The denoising autoencoder: reconstruct the clean input from a corrupted copy.

Vincent et al. 2008, "Extracting and composing robust features with denoising
autoencoders"; the noises follow Vincent et al. 2010, "Stacked denoising autoencoders".
See :mod:`aekit.objectives.corruption`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import torch

from aekit.estimators.autoencoder import Autoencoder
from aekit.models.config import MLPConfig
from aekit.objectives.corruption import make_corruption
from aekit.objectives.objective import Objective


class DenoisingAutoencoder(Autoencoder):
    """A deep autoencoder trained to undo a corruption of its input.

    Each training batch is corrupted (fresh noise, drawn from the seeded stream) and the
    loss compares the reconstruction with the clean batch. Encoding, scoring and
    ``denoise`` see the data as given: no noise outside training.

    Parameters
    ----------
    hidden, code_size, activation, loss, tied, scale, epochs, batch_size, optimizer,
    learning_rate, momentum, weight_decay, lr_schedule, validation_fraction,
    early_stopping, patience, device, precision, random_state, verbose, callbacks :
        As for :class:`aekit.Autoencoder`.
    noise : {"masking", "gaussian", "salt_and_pepper"}, default="masking"
        Masking sets a fraction of inputs to 0; Gaussian adds noise of standard deviation
        ``noise_level``; salt-and-pepper sets a fraction of inputs to 0 or 1 (half each),
        which suits data in [0, 1].
    noise_level : float, default=0.25
        The fraction corrupted ("masking", "salt_and_pepper"), or the Gaussian sigma
        (in the units of the scaled data).

    Attributes
    ----------
    module_ : MLPAutoencoder
    config_ : MLPConfig
    history_ : dict of str to list of float
    loss_ : str
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import DenoisingAutoencoder
    >>> X = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> dae = DenoisingAutoencoder(hidden=(16,), code_size=4, epochs=3, random_state=0).fit(X)
    >>> dae.denoise(X[:5]).shape
    (5, 8)
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
        noise: str = "masking",
        noise_level: float = 0.25,
    ) -> None:
        self._keep_arguments(locals())

    def _make_config(self, n_features: int, likelihood: str) -> MLPConfig:
        make_corruption(self.noise, self.noise_level)  # checks both before any training
        return super()._make_config(n_features, likelihood)

    def _make_objective(self, module: torch.nn.Module) -> Objective:
        return Objective(
            module.likelihood, corruption=make_corruption(self.noise, self.noise_level)
        )

    def denoise(self, X: Any) -> np.ndarray:
        """The model's clean estimate of (noisy) ``X``: ndarray of shape (n_samples, n_features).

        The same as :meth:`reconstruct`; no noise is added.
        """
        return self.reconstruct(X)
