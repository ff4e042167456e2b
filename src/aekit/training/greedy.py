"""Greedy layer-wise pretraining, then unrolling and fine-tuning end to end.

The procedure of Hinton & Salakhutdinov (2006) and Bengio et al. (2007), independent of
what the layers are: a :class:`LayerPlan` (provided by the member, see
:mod:`aekit.estimators.parts.greedy`) builds layer ``i`` with its objective and unrolls the
trained layers into the deep model. Here, each layer trains alone on the output of the layers
below, already trained and frozen, computed once without gradients and fed as data; then the
deep model is fine-tuned with :func:`aekit.training.engine.train`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import torch
from torch import nn

from aekit.errors import ModelFileError
from aekit.io import layout
from aekit.models.protocols import Encoder
from aekit.objectives.objective import TrainingObjective
from aekit.training import engine
from aekit.training.callbacks import Callback
from aekit.training.settings import TrainSettings, batch_size_for, pretraining_rate_for

SKIPPED_KEYS = ("lr", "epoch_time", "best_epoch")  # bookkeeping, not a layer's loss

# Called before layer ``index`` (1-based) trains, with the layer and its (frozen) input.
LayerHook = Callable[[int, nn.Module, torch.Tensor], None]
StopCheck = Callable[[], "int | None"]


class LayerPlan(Protocol):
    """What greedy pretraining needs to know of the layers: the member supplies it."""

    @property
    def n_layers(self) -> int:
        """How many layers the stack has."""

    def layer(self, index: int) -> tuple[nn.Module, TrainingObjective]:
        """Layer ``index`` (1-based), freshly initialised, and the objective it trains on."""

    def unroll(self, layers: Sequence[nn.Module], model: nn.Module) -> None:
        """Copy the trained layers into ``model``, in place."""


@dataclass
class Stack:
    layers: list[nn.Module]  # trained and frozen, input side first
    history: dict[str, list[float]]  # pretrain_layer{i}_{loss, term, val_...}


@torch.no_grad()
def layer_output(layer: nn.Module, X: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
    """``layer.encode`` over the rows of ``X`` on the CPU, without gradients: (n, n_out)."""
    layer.to("cpu").eval()
    encode = cast(Encoder, layer).encode
    parts = [encode(X[i : i + batch_size]) for i in range(0, X.shape[0], batch_size)]
    return torch.cat(parts).float().contiguous()


def pretrain(
    X: torch.Tensor,
    plan: LayerPlan,
    settings: TrainSettings,
    *,
    seed: int,
    callbacks: Sequence[Callback] = (),
    on_layer: LayerHook | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    should_stop: StopCheck | None = None,
) -> Stack:
    """Train the plan's layers one at a time, each on the frozen output of those below.

    Every layer trains with the same ``seed`` given to the engine, so each uses the same
    validation rows as fine-tuning will; its initial weights are drawn from ``seed + i``.
    With ``checkpoint_dir``, layer ``i`` checkpoints in its own stage folder
    (:func:`aekit.io.layout.pretraining_stage`); on ``resume`` a finished layer is restored
    from there and an unfinished one continues.
    """
    layers: list[nn.Module] = []
    history: dict[str, list[float]] = {}
    inputs = X
    for i in range(1, plan.n_layers + 1):
        with torch.random.fork_rng(devices=[]):  # seeded init without touching global state
            torch.manual_seed(seed + i)
            layer, objective = plan.layer(i)
        if on_layer is not None:
            on_layer(i, layer, inputs)
        stage = _stage(checkpoint_dir, layout.pretraining_stage(i), resume)
        layer_history = engine.train(
            layer,
            objective,
            inputs,
            settings,
            seed=seed,
            callbacks=callbacks,
            checkpoint_every=checkpoint_every,
            should_stop=should_stop,
            stage=layout.pretraining_stage(i),  # the prefix of its keys in the history
            **stage,
        )
        for key, values in layer_history.items():
            if key not in SKIPPED_KEYS:
                history[f"pretrain_layer{i}_{key}"] = values
        layer.requires_grad_(False)  # frozen from here on
        layers.append(layer)
        if i < plan.n_layers:
            inputs = layer_output(layer, inputs)  # the next layer's data: clean codes
    return Stack(layers, history)


def train(
    model: nn.Module,
    objective: TrainingObjective,
    X: torch.Tensor,
    settings: TrainSettings,
    pretrain_settings: TrainSettings | None,
    *,
    plan: LayerPlan,
    seed: int,
    callbacks: Sequence[Callback] = (),
    on_layer: LayerHook | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    should_stop: StopCheck | None = None,
) -> dict[str, list[float]]:
    """Pretrain the plan's layers greedily, unroll them into ``model``, fine-tune end to end.

    ``pretrain_settings=None`` skips pretraining. Returns the fine-tuning history with each
    layer's pretraining history beside it (keys ``pretrain_layer{i}_loss`` ...).
    Checkpoints (``checkpoint_dir``) go to one stage folder per layer and one for
    fine-tuning; ``resume`` continues from the last stage that has one.
    """
    if resume and checkpoint_dir is not None and not layout.has_training_state(checkpoint_dir):
        raise ModelFileError(
            f"{checkpoint_dir}: no checkpoint to resume from ({layout.TRAINING_STATE} is missing)"
        )
    history: dict[str, list[float]] = {}
    if pretrain_settings is not None:
        stack = pretrain(
            X,
            plan,
            pretrain_settings,
            seed=seed,
            callbacks=callbacks,
            on_layer=on_layer,
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
            resume=resume,
            should_stop=should_stop,
        )
        model.to("cpu")
        plan.unroll(stack.layers, model)
        history.update(stack.history)
    stage = _stage(checkpoint_dir, layout.FINETUNE_STAGE, resume)
    history.update(
        engine.train(
            model,
            objective,
            X,
            settings,
            seed=seed,
            callbacks=callbacks,
            checkpoint_every=checkpoint_every,
            should_stop=should_stop,
            **stage,
        )
    )
    return history


def _stage(folder: str | os.PathLike[str] | None, name: str, resume: bool) -> dict[str, Any]:
    """The engine's checkpoint folder and resume flag for one stage of the run.

    Resuming, a stage with a checkpoint continues (or, finished, is restored from it); a
    stage without one had not started and trains afresh.
    """
    stage = None if folder is None else Path(folder) / name
    return dict(
        checkpoint_dir=stage,
        resume=resume and stage is not None and (stage / layout.TRAINING_STATE).is_file(),
    )


def pretrain_settings(
    settings: TrainSettings, epochs: int, learning_rate: float | str | None, n_rows: int
) -> TrainSettings:
    """The fine-tuning settings with pretraining's epochs and rate; no early stopping.

    ``learning_rate``: a number; None, the fine-tuning rate; "auto", the rate of
    :func:`~aekit.training.settings.pretraining_rate_for` at the batch size the engine
    will pick for the ``n_rows`` rows given to it.
    """
    rate: Any = settings.learning_rate if learning_rate is None else learning_rate
    if learning_rate == "auto":
        n_train = engine.training_row_count(n_rows, settings.validation_fraction)
        rate = pretraining_rate_for(settings, batch_size_for(settings, n_train))
    return dataclasses.replace(settings, epochs=epochs, learning_rate=rate, early_stopping=False)
