"""The greedy layer-wise training procedure: pretrain each layer alone, unroll, fine-tune.

Autoencoder layers (Bengio et al. 2007; with a corruption, the stacked denoising autoencoder
of Vincent et al. 2010, corrupting each layer's input only while that layer is pretrained)
or RBMs trained by contrastive divergence (Hinton & Salakhutdinov 2006). The loop lives in
:mod:`aekit.training.greedy`; this part says what the layers are (:class:`StackPlan`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import torch
from torch import nn

from aekit.errors import ConfigError
from aekit.estimators.params import Choice, Int, Number, Param
from aekit.estimators.parts.base import Architecture, Part, activation_of, sizes
from aekit.models.mlp import MLPAutoencoder
from aekit.models.stack import KINDS, LayerAutoencoder, hidden_likelihood, make_layer, unroll
from aekit.objectives.contrastive import ContrastiveDivergence
from aekit.objectives.objective import Corruption, Objective, TrainingObjective
from aekit.training import greedy
from aekit.training.settings import TrainSettings


@dataclass
class StackPlan:
    """The layers of a stack for encoder sizes ``[n_features, h1, ..., code]``."""

    sizes: Sequence[int]
    kind: str = "autoencoder"
    activation: str = "sigmoid"
    likelihood: str = "bernoulli"  # the data's; upper layers follow their input units
    tied: bool = True
    corruption: Corruption | None = None  # each layer's input, while it is pretrained
    cd_k: int = 1

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def layer(self, index: int) -> tuple[nn.Module, TrainingObjective]:
        layer = make_layer(
            self.kind,
            self.sizes[index - 1],
            self.sizes[index],
            activation=self.activation,
            likelihood=self.likelihood if index == 1 else hidden_likelihood(self.activation),
            top=index == self.n_layers,
            tied=self.tied,
        )
        if self.kind == "rbm":
            return layer, ContrastiveDivergence(self.cd_k)
        likelihood = cast(LayerAutoencoder, layer).likelihood  # make_layer's autoencoder layer
        return layer, Objective(likelihood, corruption=self.corruption)

    def unroll(self, layers: Sequence[nn.Module], model: nn.Module) -> None:
        unroll(layers, cast(MLPAutoencoder, model))  # greedy pretraining builds MLP models only


class GreedyPretraining(Part):
    name = "greedy pretraining"
    params = (
        Param(
            "pretraining",
            None,
            Choice(KINDS),
            "greedy layer-wise pretraining of each layer, then fine-tuning: autoencoder or "
            "rbm layers (rbm needs sigmoid units)",
            none=True,
            none_means="end-to-end training only",
        ),
        Param("pretrain_epochs", 10, Int(0), "pretraining epochs per layer (0: none)"),
        Param(
            "pretrain_learning_rate",
            "auto",
            Number(0, None, "neither"),
            "pretraining rate; auto: 4x the fine-tuning auto rate; none: learning_rate",
            words=("auto",),
            none=True,
            none_means="learning_rate",
            aliases=("--pretrain-lr",),
        ),
        Param("cd_k", 1, Int(1), "Gibbs steps of contrastive divergence for rbm layers"),
    )

    def check(self, est: Any, architecture: Architecture) -> None:
        if est.pretraining is None:
            return
        if est.pretraining == "rbm":
            if est.noise is not None:
                raise ConfigError(
                    f"noise={est.noise!r} corrupts autoencoder layers; "
                    "pretraining='rbm' takes no noise"
                )
            if activation_of(est) != "sigmoid":
                raise ConfigError(
                    "pretraining='rbm' needs activation='sigmoid' or 'auto' (RBM hidden "
                    f"units are logistic), got {est.activation!r}"
                )
        if est.first_activation is not None:
            raise ConfigError(
                "greedy pretraining builds every layer with one activation; it is not defined "
                f"with first_activation={est.first_activation!r}"
            )
        if est.code_activation is not None or est.top_k is not None:
            raise ConfigError(
                "greedy pretraining unrolls a linear code layer; it is not defined with "
                f"code_activation={est.code_activation!r} or top_k={est.top_k!r}"
            )

    def procedure(self, est: Any) -> Any:
        """Pretrain, unroll, fine-tune; the member's corruption goes to the layers only."""
        if est.pretraining is None:
            return None
        return lambda *args, **kwargs: _pretrain_then_finetune(est, *args, **kwargs)


def _pretrain_then_finetune(
    est: Any,
    module: nn.Module,
    objective: TrainingObjective,
    X: torch.Tensor,
    settings: TrainSettings,
    corruption: Corruption | None,
    **kwargs: Any,
) -> dict[str, list[float]]:
    if not isinstance(X, torch.Tensor):
        raise ConfigError(
            f"{type(est).__name__} with pretraining trains layer by layer and cannot stream "
            "data from disk; set memory_budget_mb=None to load it into memory"
        )
    pre = None
    if est.pretrain_epochs > 0:
        pre = greedy.pretrain_settings(
            settings, est.pretrain_epochs, est.pretrain_learning_rate, X.shape[0]
        )
    config = cast(MLPAutoencoder, module).config  # the multilayer architecture's model
    plan = StackPlan(
        sizes=[config.n_features, *sizes(config.hidden), config.code_size],
        kind=est.pretraining,
        activation=config.activation,
        likelihood=config.likelihood,
        corruption=corruption,
        cd_k=est.cd_k,
    )
    return greedy.train(module, objective, X, settings, pre, plan=plan, **kwargs)
