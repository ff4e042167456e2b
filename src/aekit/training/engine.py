"""The model-agnostic training engine: it builds a run's parts and hands them to the loop.

:func:`train` checks the settings against the data, agrees on a seed, draws the validation
split, picks the batch source (:mod:`aekit.training.batches`: resident on the device,
sharded under torchrun, or streamed from a memory map), builds the optimiser, schedule and
step, and lets :class:`~aekit.training.loop.Loop` run the epochs with the checkpointer
(:mod:`aekit.training.checkpointer`) and early stopping (:mod:`aekit.training.early_stopping`).

Data that fit on the device are moved there once; each epoch draws a seeded random
permutation and slices batches by index, so no step copies from the host. Losses are
summed on the device and read back once per epoch (no per-step synchronisation).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler

from aekit.errors import ConfigError
from aekit.objectives.objective import TrainingObjective
from aekit.training import batches, checkpointer, distributed, streaming
from aekit.training.averaging import WeightAverage
from aekit.training.batches import ResidentBatches
from aekit.training.callbacks import Callback
from aekit.training.early_stopping import EarlyStopping, require_validation_rows
from aekit.training.hardware import resolve_device, resolve_precision
from aekit.training.loop import Loop
from aekit.training.muon import MuonWithAdam
from aekit.training.run import Placement, Run
from aekit.training.settings import TrainSettings, batch_size_for, learning_rate_for
from aekit.training.steps import WARMUP_STEPS
from aekit.training.validation import evaluate_loss, split_validation, training_row_count

# Callers (estimators, greedy pretraining, tests, benchmarks) reach these through the engine.
__all__ = [
    "ResidentBatches",
    "evaluate_loss",
    "make_optimizer",
    "split_validation",
    "train",
    "training_row_count",
]


def make_optimizer(
    params: Any, s: TrainSettings, device: torch.device, *, capturable: bool = False
) -> torch.optim.Optimizer:
    """The optimiser ``s`` names (learning rate resolved) over ``params``."""
    # One kernel per step for all parameters, on CPU as on CUDA: at batch 128 on a 2-core CPU
    # the foreach Adam step took longer than the forward and backward passes.
    rate = s.learning_rate
    if isinstance(rate, str):
        raise ConfigError("make_optimizer needs a resolved learning rate, not 'auto'")
    fast: dict[str, Any] = {"fused": True}
    lr: float | torch.Tensor = rate
    if capturable:  # a graph replays the rate it captured: keep it in a tensor the schedule fills
        fast["capturable"] = True
        lr = torch.tensor(rate, device=device)
    if s.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=s.weight_decay, **fast)
    if s.optimizer == "muon":  # eager steps only: use_cuda_graphs keeps it out of graphs
        return MuonWithAdam(params, lr=rate, weight_decay=s.weight_decay)
    if s.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=s.weight_decay, **fast)
    if s.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=rate, momentum=s.momentum, weight_decay=s.weight_decay, **fast
        )
    return torch.optim.RMSprop(
        params, lr=rate, momentum=s.momentum, weight_decay=s.weight_decay, foreach=True
    )


def use_cuda_graphs(
    s: TrainSettings,
    objective: TrainingObjective,
    device: torch.device,
    steps_per_epoch: int,
    ddp: bool = False,
) -> bool:
    """Graphs pay when steps are many and small; they need a capturable optimiser."""
    possible = (
        device.type == "cuda"
        and not ddp
        and s.optimizer in ("adam", "adamw")
        and getattr(objective, "graph_safe", False)
    )
    if s.cuda_graphs is None:
        return possible and steps_per_epoch >= 4 * WARMUP_STEPS
    if s.cuda_graphs and not possible:
        raise ConfigError(
            "cuda_graphs needs a CUDA device, adam or adamw, a step without noise, and one "
            "process (not torchrun)"
        )
    return bool(s.cuda_graphs)


def make_schedule(
    opt: torch.optim.Optimizer, s: TrainSettings, steps_per_epoch: int
) -> LRScheduler | None:
    """The learning-rate schedule ``s`` names, stepped once per batch (None: constant)."""
    total = s.epochs * steps_per_epoch
    if s.lr_schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
    if s.lr_schedule == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, total // 4), gamma=0.5)
    return None


@distributed.within_session  # under torchrun: DDP, see aekit.training.distributed
def train(
    model: nn.Module,
    objective: TrainingObjective,
    X: torch.Tensor | streaming.MappedRows,
    settings: TrainSettings,
    *,
    seed: int,
    callbacks: Sequence[Callback] = (),
    checkpoint_dir: str | Path | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    should_stop: Callable[[], int | None] | None = None,
    stage: str = "",
) -> dict[str, list[float]]:
    """Train ``model`` on rows of ``X`` (float32, CPU) and return the per-epoch history.

    History keys: ``loss`` and each objective term, ``val_`` versions when a validation
    split is used, ``lr`` and ``epoch_time``.

    With ``checkpoint_dir``, a checkpoint is written every ``checkpoint_every`` epochs and at
    the end; ``resume=True`` continues from the one there, giving the same weights as an
    uninterrupted run. ``should_stop`` is polled after every step: when it returns a signal
    number, the step's state is checkpointed and ``TrainingInterrupted`` is raised.
    ``stage`` names this call to the callbacks' ``on_train_begin`` (greedy pretraining
    names each layer's; :mod:`aekit.training.callbacks`).

    Under torchrun every process calls this with the same arguments; process 0's ``seed``
    is used, each trains on its slice of every batch, and only process 0 writes checkpoints
    and runs ``callbacks`` (:mod:`aekit.training.distributed`).

    ``X`` may be :class:`~aekit.training.streaming.MappedRows` (a memory-mapped array and its
    scaling): when its float32 size exceeds ``settings.memory_budget_mb`` it streams from disk
    in shuffled chunks (:mod:`aekit.training.streaming`; refused under torchrun), else it is
    read into memory. A tensor is always trained on in memory, whatever the budget.
    """
    settings.validate()
    require_validation_rows(X.shape[0], settings)  # before any work: a one-line error
    ctx = distributed.current()
    batches.refuse_streaming_under_torchrun(X, settings.memory_budget_mb, ctx)
    device = ctx.device(resolve_device(settings.device))
    where = Placement(ctx, device, resolve_precision(settings.precision, device))
    if ctx.active:
        seed = distributed.broadcast_int(seed)  # one permutation and split for all
    generator = torch.Generator().manual_seed(seed)
    train_idx, val_idx = split_validation(X.shape[0], settings.validation_fraction, generator)
    n = train_idx.numel()
    settings = _resolve_sizes(settings, n)
    source = batches.make_batches(
        X, train_idx, val_idx, int(settings.batch_size), settings.memory_budget_mb, ctx, device
    )
    run = _start(model, objective, settings, n, X.shape[1], seed, generator, where)
    marks = checkpointer.fingerprint(X.shape[0], X.shape[1], seed, settings, ctx.world_size)
    saver = checkpointer.Checkpointer(
        checkpoint_dir, checkpoint_every, {**marks, **source.fingerprint()}, ctx
    )
    first_epoch, first_begin = saver.resume(run) if resume else (1, 0)
    loop = Loop(run, source, objective, settings, where, n, saver, callbacks, should_stop, stage)
    return loop.fit(first_epoch, first_begin)


def _resolve_sizes(settings: TrainSettings, n_rows: int) -> TrainSettings:
    """``settings`` with "auto" batch size and learning rate resolved for ``n_rows`` rows."""
    batch_size = batch_size_for(settings, n_rows)
    rate = learning_rate_for(settings, batch_size)
    return dataclasses.replace(settings, batch_size=batch_size, learning_rate=rate)


def _start(
    model: nn.Module,
    objective: TrainingObjective,
    settings: TrainSettings,
    n_rows: int,
    n_features: int,
    seed: int,
    generator: torch.Generator,
    where: Placement,
) -> Run:
    """The model on its device, with its optimiser, schedule, noise stream and step."""
    ctx, device, batch_size = where.ctx, where.device, int(settings.batch_size)
    model.to(device).train()
    steps_per_epoch = math.ceil(n_rows / batch_size)
    graphs = use_cuda_graphs(settings, objective, device, steps_per_epoch, ctx.active)
    optimizer = make_optimizer(model.parameters(), settings, device, capturable=graphs)
    schedule = make_schedule(optimizer, settings, steps_per_epoch)
    # Corruption noise is drawn on the device from its own seeded stream.
    noise = torch.Generator(device=device).manual_seed(distributed.noise_seed(seed, ctx.rank))
    parts = (model, objective, optimizer, where.autocast_dtype, noise, settings.clip_grad_norm)
    step = batches.make_step(
        parts, ctx, graphs=graphs, batch_size=batch_size, n_features=n_features, device=device
    )
    early = EarlyStopping(model, settings.patience) if settings.early_stopping else None
    average = WeightAverage(model) if settings.average_weights else None
    return Run(model, optimizer, schedule, generator, noise, step, early, average)
