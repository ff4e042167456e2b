"""The variational autoencoder's objective: the negative evidence lower bound (ELBO).

    −ELBO(x) = E_q[−log p(x|z)] + β·KL(q(z|x) ‖ N(0, I))

estimated with one reparameterised sample z ~ q(z|x) and the closed-form KL (Kingma &
Welling 2014; β ≠ 1 gives the β-VAE of Higgins et al. 2017).

The reconstruction term is the exact negative log-likelihood, so the loss is −ELBO in nats
and comparable with the IWAE bound (:mod:`aekit.objectives.iwae`):

- Bernoulli: −log p(x|z) = binary cross-entropy with logits (as ``Likelihood.loss``).
- Gaussian with unit variance: −log p(x|z) = ½‖x − μ‖² + (d/2)·log 2π. ``Likelihood.loss``
  logs the plain squared error ‖x − μ‖² (twice this, without the constant), so a VAE's
  "reconstruction" term reads on another scale than a plain autoencoder's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import torch
from torch import nn

from aekit.models.output import ModelOutput
from aekit.objectives.likelihood import Likelihood
from aekit.objectives.objective import Objective

if TYPE_CHECKING:
    from aekit.models.vae import VariationalAutoencoder

LOG_2PI = math.log(2.0 * math.pi)
EVAL_SEED = 0  # evaluation without a generator draws its sample from this fixed seed


def data_log_prob(likelihood: Likelihood, output: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """log p(x|z) summed over features from the decoder's raw ``output``; shape ``output[:-1]``.

    ``x`` broadcasts against ``output`` (for k samples per input, output is (k, batch, d)).
    """
    output = output.float()  # in float32 even under bf16 autocast
    x = x.float().expand_as(output)
    if likelihood.name == "bernoulli":
        nll = torch.nn.functional.binary_cross_entropy_with_logits(output, x, reduction="none")
        return -nll.sum(dim=-1)
    d = output.shape[-1]
    return -0.5 * (x - output).square().sum(dim=-1) - 0.5 * d * LOG_2PI


@dataclass
class ELBOObjective(Objective):
    """Loss = −ELBO per sample (batch mean), terms "reconstruction" (−log p(x|z)) and "kl".

    In training, z is drawn with the engine's seeded ``generator``. At ``train=False`` the
    same one-sample estimate is used (not the posterior mean, which is no bound): with the
    given generator, or, when none is given, with a fresh one seeded ``EVAL_SEED``, so
    validation losses and ``score`` are deterministic. A corruption (a denoising VAE: the
    posterior of the corrupted input must explain the clean one) and penalties compose as
    for any :class:`~aekit.objectives.objective.Objective`.
    """

    beta: float = 1.0

    @property
    def graph_safe(self) -> bool:
        """False: every step draws a posterior sample, which a CUDA graph cannot replay."""
        return False

    def data_terms(
        self,
        model: nn.Module,
        x_in: torch.Tensor,
        x: torch.Tensor,
        *,
        train: bool,
        generator: torch.Generator | None,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor], ModelOutput]:
        if generator is None and not train:
            generator = torch.Generator(device=x.device).manual_seed(EVAL_SEED)
        # The engine passes an nn.Module, whose attributes read as ``Tensor | Module``: name it.
        vae = cast("VariationalAutoencoder", model)
        hidden: list[torch.Tensor] = []
        q = vae.posterior(x_in, hidden)
        z = q.sample(generator)  # (batch, code_size)
        output = vae.decode_raw(z)  # (batch, n_features)
        reconstruction = -data_log_prob(self.likelihood, output, x)  # (batch,)
        kl = q.kl()  # (batch,)
        terms = {"reconstruction": reconstruction.mean(), "kl": kl.mean()}
        out = ModelOutput(code=q.mode(), output=output, hidden=hidden, posterior=q)
        return reconstruction + self.beta * kl, terms, out
