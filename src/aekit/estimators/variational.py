"""The variational autoencoder (Kingma & Welling 2014, "Auto-Encoding Variational Bayes").

A Gaussian posterior q(z|x) = N(μ(x), diag σ²(x)), a standard normal prior and a decoder
trained on the ELBO (:mod:`aekit.objectives.elbo`); log-likelihoods by the importance-weighted
bound of Burda et al. (2016) (:mod:`aekit.objectives.iwae`).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from aekit.errors import ConfigError, DataError
from aekit.estimators.base import BaseAutoencoder, _resolve_seed
from aekit.estimators.parts.variational import Variational
from aekit.models.vae import VariationalAutoencoder as VAEModule
from aekit.objectives.elbo import data_log_prob
from aekit.objectives.iwae import binarize as binarize_values
from aekit.objectives.iwae import iwae_log_likelihood


class VariationalAutoencoder(BaseAutoencoder, architecture=Variational()):
    """A variational autoencoder: Gaussian posterior, reparameterised sample, ELBO.

    ``transform`` gives the posterior mean μ(x); ``inverse_transform`` decodes codes to the
    likelihood's mean; ``sample`` decodes draws from the N(0, I) prior. ``history_`` holds
    ``loss`` (−ELBO with β), ``reconstruction`` (−log p(x|z), in nats) and ``kl``. With
    ``noise`` it is a denoising VAE: the posterior of a corrupted input must explain the
    clean one. With ``importance_samples`` k > 1 it is an importance-weighted autoencoder
    (Burda et al. 2016): ``loss`` is the negative k-sample bound, tighter than the ELBO,
    beside the one-sample terms averaged over the k samples; ``binarize="dynamic"`` trains
    on a fresh Bernoulli draw of the images every epoch, as that paper does.

    The reconstruction term is the exact negative log-likelihood: for Gaussian data with unit
    variance ½‖x − μ‖² + (d/2)·log 2π, not the plain squared error the other models log.
    ``score`` returns the mean ELBO per sample (β = 1, one posterior sample drawn with a fixed
    seed), a lower bound on the mean log-likelihood: higher is better.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import VariationalAutoencoder
    >>> X = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> vae = VariationalAutoencoder(hidden=(16,), code_size=2, epochs=3, random_state=0).fit(X)
    >>> vae.transform(X).shape
    (200, 2)
    >>> vae.sample(5, random_state=0).shape
    (5, 8)
    >>> sorted(k for k in vae.history_ if not k.startswith("val_"))
    ['epoch_time', 'kl', 'loss', 'lr', 'reconstruction']
    """

    # -- generating --------------------------------------------------------------------
    def sample(self, n_samples: int = 1, random_state: int | None = None) -> np.ndarray:
        """Decode ``n_samples`` codes drawn from the N(0, I) prior.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            The likelihood's mean (probabilities for Bernoulli), in the data's own units.
        """
        check_is_fitted(self, "module_")
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
            raise ConfigError(f"n_samples must be an integer >= 1, got {n_samples!r}")
        if n_samples < 1:
            raise ConfigError(f"n_samples must be an integer >= 1, got {n_samples!r}")
        generator = torch.Generator().manual_seed(_resolve_seed(random_state))
        z = torch.randn((int(n_samples), self.config_.code_size), generator=generator)
        return self.inverse_transform(z.numpy())

    def interpolate(self, x_a: Any, x_b: Any, steps: int = 8) -> np.ndarray:
        """Decode ``steps`` codes on the line between the posterior means of two samples.

        Returns
        -------
        ndarray of shape (steps, n_features)
            Row 0 decodes μ(x_a), the last row μ(x_b).
        """
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
            raise ConfigError(f"steps must be an integer >= 2, got {steps!r}")
        pair = [np.atleast_2d(np.asarray(x, dtype=np.float32)) for x in (x_a, x_b)]
        if any(p.shape[0] != 1 for p in pair):
            raise DataError("interpolate takes one sample for x_a and one for x_b")
        mean_a, mean_b = self.transform(np.concatenate(pair))  # (code_size,) each
        t = np.linspace(0.0, 1.0, int(steps), dtype=np.float32)[:, None]  # (steps, 1)
        return self.inverse_transform((1.0 - t) * mean_a + t * mean_b)

    # -- likelihoods -------------------------------------------------------------------
    def elbo(self, X: Any, random_state: int | None = 0) -> np.ndarray:
        """One-sample ELBO (β = 1) per row: E_q[log p(x|z)] − KL(q ‖ p), in nats.

        Returns
        -------
        ndarray of shape (n_samples,)
            A lower bound on log p(x), per sample; see ``log_likelihood`` for its units.
        """
        Xs = self.scaler_.transform(self._check_input(X))
        generator = torch.Generator().manual_seed(_resolve_seed(random_state))

        network = cast(VAEModule, self.module_)

        def one(xb: torch.Tensor) -> torch.Tensor:
            q = network.posterior(xb)
            output = network.decode_raw(q.sample(generator))
            return data_log_prob(network.likelihood, output, xb) - q.kl()

        return self._batched(one, Xs).astype(np.float64) + self._log_jacobian()

    def log_likelihood(
        self, X: Any, k: int = 100, random_state: int | None = 0, binarize: bool = False
    ) -> np.ndarray:
        """The k-sample importance-weighted bound on log p(x) per row (Burda et al. 2016).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        k : int, default=100
            Importance samples per row; k = 1 is a one-sample ELBO, larger k is tighter.
        random_state : int or None, default=0
            Seed of the importance samples (and of the binarisation).
        binarize : bool, default=False
            Evaluate on a Bernoulli draw of the (scaled) data, as is usual for binarised
            MNIST; needs a Bernoulli model.

        Returns
        -------
        ndarray of shape (n_samples,)
            Nats. For a Gaussian model this is a density in the data's own units (the
            scaler's Jacobian, −Σ log scale_j, is added); for Bernoulli a log-probability.
        """
        X = self._check_input(X)
        generator = torch.Generator().manual_seed(_resolve_seed(random_state))
        Xs = torch.from_numpy(np.ascontiguousarray(self.scaler_.transform(X)))
        if binarize:
            if self.loss_ != "bernoulli":
                raise ConfigError("binarize=True needs a model trained with loss 'bernoulli'")
            Xs = binarize_values(Xs, generator)
        self.module_.eval()
        values = iwae_log_likelihood(self.module_, Xs, k=k, generator=generator)
        return values.numpy().astype(np.float64) + self._log_jacobian()

    def score(self, X: Any, y: Any = None) -> float:
        """Mean ELBO per sample (higher is better): a lower bound on the mean log-likelihood."""
        return float(np.mean(self.elbo(X)))

    def _log_jacobian(self) -> float:
        """log |d scaled / d x|: turns a density of scaled data into one of the data."""
        if self.loss_ != "gaussian":
            return 0.0  # a probability mass needs no change of variables
        return -float(np.log(self.scaler_.scale.astype(np.float64)).sum())
