"""Contrastive divergence (CD-k) as an objective the training engine can minimise.

Hinton (2002), "Training products of experts by minimizing contrastive divergence": the
log-likelihood gradient of an RBM is ``-<dF/dθ>_data + <dF/dθ>_model``; CD-k replaces the
model expectation by samples ``v_k`` after ``k`` Gibbs steps started at the data. That is
exactly the gradient of ``mean(F(v_data)) - mean(F(v_k))`` with ``v_k`` held constant, so
returning this difference as ``loss`` lets any optimiser (SGD with momentum, as Hinton &
Salakhutdinov 2006 used, or Adam) train an RBM through :func:`aekit.training.engine.train`.

The difference of free energies is not a reconstruction measure and may be negative; the
``reconstruction`` term (squared error of the mean-field one-step reconstruction) is
logged beside it to follow learning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import torch

from aekit.models.output import ModelOutput
from aekit.objectives.objective import LossOutput

if TYPE_CHECKING:
    from aekit.models.rbm import RBM

EVAL_SEED = 0  # evaluation draws its Gibbs chain from a fixed stream: same data, same loss


@dataclass
class ContrastiveDivergence:
    k: int = 1  # Gibbs steps per update (CD-1 in Hinton & Salakhutdinov 2006)

    @property
    def graph_safe(self) -> bool:
        return False  # every step draws samples

    def __call__(
        self,
        model: torch.nn.Module,
        x: torch.Tensor,
        *,
        train: bool = True,
        generator: torch.Generator | None = None,
    ) -> LossOutput:
        if generator is None or not train:
            generator = torch.Generator(device=x.device).manual_seed(EVAL_SEED)
        rbm = cast("RBM", model)  # nn.Module attributes read as Tensor | Module: name the type
        # Free energies are differences of large sums: compute them in float32 always.
        with torch.autocast(x.device.type, enabled=False):
            x = x.float()
            v_k = rbm.gibbs(x, self.k, generator).detach()  # (batch, n_features)
            loss = rbm.free_energy(x).mean() - rbm.free_energy(v_k).mean()
            code = rbm.hidden_probs(x)  # (batch, code_size)
            mean = rbm.visible_mean(code)  # (batch, n_features)
            reconstruction = (mean - x).square().sum(dim=1).mean()
        return LossOutput(
            loss=loss,
            terms={"reconstruction": reconstruction.detach()},
            forward=ModelOutput(code=code, output=mean),
        )
