"""Early stopping: stop when the validation loss stops improving, keep the best weights.

The loop calls :meth:`EarlyStopping.on_epoch_end` after every epoch, like a callback, but on
every process of a distributed run (callbacks run on process 0 only): each process must
hold the best weights to end with them.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import torch
from torch import nn

from aekit.errors import ConfigError
from aekit.training.settings import TrainSettings
from aekit.training.validation import training_row_count


def require_validation_rows(n_rows: int, settings: TrainSettings) -> None:
    """Refuse early stopping when the split of ``n_rows`` would hold out no row.

    Checked before training: without it the first epoch would end in a missing
    validation loss rather than a message naming the parameters to change.
    """
    if not settings.early_stopping:
        return
    if training_row_count(n_rows, settings.validation_fraction) == n_rows:
        raise ConfigError(
            "early_stopping needs at least one validation row: validation_fraction="
            f"{settings.validation_fraction:g} of {n_rows} rows gives none; raise "
            "validation_fraction or set early_stopping=False"
        )


class EarlyStopping:
    """Remembers the best validation epoch's weights; asks to stop after ``patience`` more."""

    def __init__(self, model: nn.Module, patience: int) -> None:
        self.model, self.patience = model, patience
        self.loss, self.epoch = math.inf, 0
        self.weights: dict[str, torch.Tensor] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        """Record this epoch; True when ``patience`` epochs passed without improvement."""
        if logs["val_loss"] < self.loss:
            self.loss, self.epoch = logs["val_loss"], epoch
            self.weights = copy.deepcopy(self.model.state_dict())
        return epoch - self.epoch >= self.patience

    def as_dict(self) -> dict[str, Any]:
        """What a checkpoint keeps (:attr:`aekit.training.checkpoint.TrainState.best`)."""
        return {"loss": self.loss, "epoch": self.epoch, "weights": self.weights}

    def load_dict(self, state: dict[str, Any]) -> None:
        self.loss, self.epoch, self.weights = state["loss"], state["epoch"], state["weights"]

    def restore_best(self, history: dict[str, list[float]]) -> None:
        """Put the best epoch's weights back in the model and note that epoch."""
        if self.weights is not None:
            self.model.load_state_dict(self.weights)
            history["best_epoch"] = [float(self.epoch)]
