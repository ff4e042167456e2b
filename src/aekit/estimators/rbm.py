"""A restricted Boltzmann machine as a scikit-learn estimator (cf. sklearn's BernoulliRBM)."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from aekit.errors import ConfigError
from aekit.estimators.base import BaseAutoencoder, _resolve_seed
from aekit.estimators.parts.rbm import RBMArchitecture
from aekit.models.rbm import RBM as RBMModule

PAPER_TRAINING = {  # SGD with momentum at a constant rate, as Hinton & Salakhutdinov (2006)
    "epochs": 20,
    "batch_size": 100,
    "optimizer": "sgd",
    "learning_rate": 0.05,
    "lr_schedule": "constant",
}


class RBM(BaseAutoencoder, architecture=RBMArchitecture(), defaults=PAPER_TRAINING):
    """A restricted Boltzmann machine trained by contrastive divergence (CD-k).

    Bernoulli visible units for data in [0, 1] and unit-variance Gaussian visible units
    otherwise (standardise such data: ``scale="standard"``); Bernoulli hidden units, or
    linear Gaussian ones (``hidden_units="gaussian"``) as for the code layer of Hinton &
    Salakhutdinov (2006). ``history_`` holds ``loss`` (the free-energy gap, the CD objective)
    and ``reconstruction`` (squared error of the mean-field one-step reconstruction).

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
        v = cast(RBMModule, self.module_).gibbs(v, k, generator)
        return self.scaler_.inverse_transform(v.numpy())
