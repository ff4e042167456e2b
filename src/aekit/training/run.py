"""The parts of one training run that change as it trains, and where it computes.

:class:`Run` is what a checkpoint saves and restores (:mod:`aekit.training.checkpointer`)
and what the loop steps (:mod:`aekit.training.loop`); :class:`Placement` says where.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler

from aekit.training.averaging import WeightAverage
from aekit.training.distributed import Context
from aekit.training.early_stopping import EarlyStopping
from aekit.training.steps import Step


@dataclass(frozen=True)
class Placement:
    """This process's place in the job, its device and the autocast dtype (None: none)."""

    ctx: Context
    device: torch.device
    autocast_dtype: torch.dtype | None


@dataclass
class Run:
    """A run's model, optimiser, random streams, step and history."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    schedule: LRScheduler | None
    generator: torch.Generator  # draws the split and each epoch's order, on the CPU
    noise: torch.Generator  # corruption and sampling noise, on the device
    step: Step  # holds the epoch's running loss sums
    early: EarlyStopping | None
    average: WeightAverage | None = None  # None: the weights are used as trained
    history: dict[str, list[float]] = field(default_factory=dict)
