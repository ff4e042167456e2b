"""The model-agnostic training loop.

Data that fit on the device are moved there once; each epoch draws a seeded random
permutation and slices batches by index, so no step copies from the host. Losses are
summed on the device and read back once per epoch (no per-step synchronisation).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from aekit.errors import ConfigError
from aekit.objectives.objective import Objective
from aekit.training.callbacks import Callback, ProgressBar
from aekit.training.hardware import float32_matmul, resolve_device, resolve_precision
from aekit.training.settings import TrainSettings
from aekit.training.steps import WARMUP_STEPS, EagerStep, GraphedStep


def make_optimizer(
    params: Any, s: TrainSettings, device: torch.device, *, capturable: bool = False
) -> torch.optim.Optimizer:
    fast: dict[str, Any] = {"fused": True} if device.type == "cuda" else {"foreach": True}
    lr: float | torch.Tensor = s.learning_rate
    if capturable:  # a graph replays the rate it captured: keep it in a tensor the schedule fills
        fast["capturable"] = True
        lr = torch.tensor(s.learning_rate, device=device)
    if s.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=s.weight_decay, **fast)
    if s.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=s.weight_decay, **fast)
    if s.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=s.learning_rate, momentum=s.momentum, weight_decay=s.weight_decay, **fast
        )
    return torch.optim.RMSprop(
        params, lr=s.learning_rate, momentum=s.momentum, weight_decay=s.weight_decay, foreach=True
    )


def use_cuda_graphs(
    s: TrainSettings, objective: Objective, device: torch.device, steps_per_epoch: int
) -> bool:
    """Graphs pay when steps are many and small; they need a capturable optimiser."""
    possible = (
        device.type == "cuda"
        and s.optimizer in ("adam", "adamw")
        and getattr(objective, "graph_safe", False)
    )
    if s.cuda_graphs is None:
        return possible and steps_per_epoch >= 4 * WARMUP_STEPS
    if s.cuda_graphs and not possible:
        raise ConfigError(
            "cuda_graphs needs a CUDA device, adam or adamw, and a step without noise"
        )
    return bool(s.cuda_graphs)


def make_schedule(opt: torch.optim.Optimizer, s: TrainSettings, steps_per_epoch: int) -> Any:
    total = s.epochs * steps_per_epoch
    if s.lr_schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
    if s.lr_schedule == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, total // 4), gamma=0.5)
    return None


def split_validation(
    n: int, fraction: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Random train / validation row indices; no validation when it would be empty."""
    n_val = int(math.floor(n * fraction))
    if n_val < 1 or n - n_val < 1:
        return torch.arange(n), None
    perm = torch.randperm(n, generator=generator)
    return perm[n_val:].sort().values, perm[:n_val].sort().values


@torch.no_grad()
def evaluate_loss(
    model: nn.Module,
    objective: Objective,
    X: torch.Tensor,
    batch_size: int,
    autocast_dtype: torch.dtype | None,
    device: torch.device,
) -> dict[str, float]:
    """Mean loss and terms per sample over ``X``, without corruption."""
    was_training = model.training
    model.eval()
    sums: dict[str, torch.Tensor] = {}
    for start in range(0, X.shape[0], batch_size):
        xb = X[start : start + batch_size].to(device, non_blocking=True)
        with torch.autocast(
            device.type, dtype=autocast_dtype or torch.float32, enabled=autocast_dtype is not None
        ):
            out = objective(model, xb, train=False)
        for name, value in {"loss": out.loss, **out.terms}.items():
            sums[name] = sums.get(name, 0.0) + value.detach().float() * xb.shape[0]
    model.train(was_training)
    return {k: float(v) / X.shape[0] for k, v in sums.items()}


def train(
    model: nn.Module,
    objective: Objective,
    X: torch.Tensor,
    settings: TrainSettings,
    *,
    seed: int,
    callbacks: Sequence[Callback] = (),
) -> dict[str, list[float]]:
    """Train ``model`` on rows of ``X`` (float32, CPU) and return the per-epoch history.

    History keys: ``loss`` and each objective term, ``val_`` versions when a validation
    split is used, ``lr`` and ``epoch_time``.
    """
    settings.validate()
    device = resolve_device(settings.device)
    autocast_dtype = resolve_precision(settings.precision, device)
    generator = torch.Generator().manual_seed(seed)
    train_idx, val_idx = split_validation(X.shape[0], settings.validation_fraction, generator)
    X_train = X[train_idx].to(device)  # resident on the device for the whole run
    X_val = X[val_idx].to(device) if val_idx is not None else None
    model.to(device).train()

    n = X_train.shape[0]
    batch_size = min(settings.batch_size, n)
    steps_per_epoch = math.ceil(n / batch_size)
    graphs = use_cuda_graphs(settings, objective, device, steps_per_epoch)
    optimizer = make_optimizer(model.parameters(), settings, device, capturable=graphs)
    schedule = make_schedule(optimizer, settings, steps_per_epoch)
    # Corruption noise is drawn on the device from its own seeded stream.
    noise_gen = torch.Generator(device=device).manual_seed(seed + 1)
    parts = (model, objective, optimizer, autocast_dtype, noise_gen)
    step = (
        GraphedStep(*parts, batch_size=batch_size, n_features=X.shape[1], device=device)
        if graphs
        else EagerStep(*parts)
    )

    history: dict[str, list[float]] = {}
    best = BestWeights() if settings.early_stopping else None
    progress = ProgressBar(settings.epochs) if settings.verbose else None
    hooks = [*callbacks, *([progress] if progress else [])]
    try:
        with float32_matmul(settings.precision, device):
            for epoch in range(1, settings.epochs + 1):
                started = time.perf_counter()
                lr = float(optimizer.param_groups[0]["lr"])  # the rate this epoch starts with
                perm = torch.randperm(n, generator=generator).to(device)
                for begin in range(0, n, batch_size):
                    step(X_train, perm[begin : begin + batch_size])
                    if schedule is not None:
                        schedule.step()
                logs = {k: float(v) / n for k, v in step.take_sums().items()}  # one sync
                if X_val is not None:
                    val = evaluate_loss(
                        model, objective, X_val, max(batch_size, 1024), autocast_dtype, device
                    )
                    logs.update({f"val_{k}": v for k, v in val.items()})
                logs["lr"] = lr
                logs["epoch_time"] = time.perf_counter() - started
                for key, value in logs.items():
                    history.setdefault(key, []).append(value)
                stop = [bool(hook.on_epoch_end(epoch, logs)) for hook in hooks]
                if any(stop) or (best and best.update(model, logs["val_loss"], epoch, settings)):
                    break
    finally:
        if progress is not None:
            progress.close()
    if best is not None and best.weights is not None:
        model.load_state_dict(best.weights)  # keep the weights of the best validation epoch
        history["best_epoch"] = [float(best.epoch)]
    model.eval()
    return history


class BestWeights:
    """Early stopping: remembers the best validation epoch's weights."""

    def __init__(self) -> None:
        self.loss, self.epoch, self.weights = math.inf, 0, None

    def update(self, model: nn.Module, val_loss: float, epoch: int, s: TrainSettings) -> bool:
        """Record this epoch; True when ``s.patience`` epochs passed without improvement."""
        if val_loss < self.loss:
            self.loss, self.epoch = val_loss, epoch
            self.weights = copy.deepcopy(model.state_dict())
        return epoch - self.epoch >= s.patience
