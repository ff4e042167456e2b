"""Callbacks: small hooks the engine calls at the end of every epoch.

A callback may also have ``on_train_begin(model, stage)``, called once before the first
epoch of each call of the engine with the module it trains and the stage's name: ``""``
for a run of one stage and for fine-tuning, ``"pretrain_layer{i}"`` for layer ``i`` of
greedy pretraining (the prefix of that layer's keys in the history). A logger that wants
the weights, or a tag per stage, reads them there.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, Protocol

from torch import nn


class Callback(Protocol):
    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        """Called after each epoch (1-based) with its logs; return True to stop training."""


def train_begins(hooks: Iterable[Callback], model: nn.Module, stage: str) -> None:
    """Call ``on_train_begin(model, stage)`` of each hook that has one (it is optional)."""
    for hook in hooks:
        begin = getattr(hook, "on_train_begin", None)
        if begin is not None:
            begin(model, stage)


class ProgressBar:
    """A tqdm bar over epochs on stderr, shown only on a terminal."""

    def __init__(self, total: int, *, force: bool = False) -> None:
        self._bar: Any = None
        if force or sys.stderr.isatty():
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, unit="epoch", leave=True, dynamic_ncols=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        if self._bar is not None:
            shown = {k: f"{v:.4g}" for k, v in logs.items() if k in ("loss", "val_loss")}
            self._bar.set_postfix(shown, refresh=False)
            self._bar.update(1)
        return None

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class StopAfter:
    """Stop training after ``epochs`` epochs, wherever the planned schedule would end.

    With a schedule planned over more epochs, this stops part-way along it, so a refit on all
    rows can end where early stopping ended a run that held rows out for validation.
    """

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        return epoch >= self.epochs
