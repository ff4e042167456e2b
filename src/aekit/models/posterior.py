"""The diagonal Gaussian posterior q(z|x) = N(μ, diag σ²) of a variational autoencoder.

It owns its math: the reparameterised sample z = μ + σ·ε with ε ~ N(0, I) (Kingma &
Welling 2014, "Auto-Encoding Variational Bayes"), the mode, the closed-form KL divergence to
the standard normal prior and the log-density.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

LOG_2PI = math.log(2.0 * math.pi)


@dataclass
class DiagonalGaussian:
    mean: torch.Tensor  # (..., code_size)
    logvar: torch.Tensor  # (..., code_size): log σ², unconstrained

    @property
    def std(self) -> torch.Tensor:
        return torch.exp(0.5 * self.logvar)

    def sample(
        self, generator: torch.Generator | None = None, sample_shape: tuple[int, ...] = ()
    ) -> torch.Tensor:
        """Reparameterised draw μ + σ·ε, differentiable in μ and log σ².

        Returns a tensor of shape ``(*sample_shape, *mean.shape)``; noise comes from
        ``generator`` (which must live on the mean's device) or torch's global stream.
        """
        shape = (*sample_shape, *self.mean.shape)
        eps = torch.randn(
            shape, generator=generator, device=self.mean.device, dtype=self.mean.dtype
        )
        return self.mean + self.std * eps

    def mode(self) -> torch.Tensor:
        return self.mean

    def kl(self) -> torch.Tensor:
        """KL(q ‖ N(0, I)) per sample, closed form: ½ Σ (μ² + σ² − 1 − log σ²); shape (...)."""
        mean, logvar = self.mean.float(), self.logvar.float()
        return 0.5 * (mean.square() + logvar.exp() - 1.0 - logvar).sum(dim=-1)

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """log q(z) summed over the code dimensions; ``z`` broadcasts against the mean."""
        mean, logvar = self.mean.float(), self.logvar.float()
        return -0.5 * ((z.float() - mean).square() / logvar.exp() + logvar + LOG_2PI).sum(dim=-1)


def standard_normal_log_prob(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) summed over the last dimension: the prior's log-density."""
    return -0.5 * (z.float().square() + LOG_2PI).sum(dim=-1)
