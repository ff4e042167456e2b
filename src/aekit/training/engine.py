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

from aekit.objectives.objective import Objective
from aekit.training.callbacks import Callback, ProgressBar
from aekit.training.hardware import resolve_device, resolve_precision
from aekit.training.settings import TrainSettings


def make_optimizer(params: Any, s: TrainSettings, device: torch.device) -> torch.optim.Optimizer:
    fast = {"fused": True} if device.type == "cuda" else {"foreach": True}
    if s.optimizer == "adam":
        return torch.optim.Adam(params, lr=s.learning_rate, weight_decay=s.weight_decay, **fast)
    if s.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=s.learning_rate, weight_decay=s.weight_decay, **fast)
    if s.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=s.learning_rate, momentum=s.momentum, weight_decay=s.weight_decay, **fast
        )
    return torch.optim.RMSprop(
        params, lr=s.learning_rate, momentum=s.momentum, weight_decay=s.weight_decay, foreach=True
    )


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
    optimizer = make_optimizer(model.parameters(), settings, device)
    schedule = make_schedule(optimizer, settings, steps_per_epoch)
    # Corruption noise is drawn on the device from its own seeded stream.
    noise_gen = torch.Generator(device=device).manual_seed(seed + 1)

    history: dict[str, list[float]] = {}
    best = (math.inf, None, 0)  # (val_loss, weights, epoch)
    progress = ProgressBar(settings.epochs) if settings.verbose else None
    try:
        for epoch in range(1, settings.epochs + 1):
            started = time.perf_counter()
            lr = optimizer.param_groups[0]["lr"]  # the rate this epoch starts with
            perm = torch.randperm(n, generator=generator).to(device)
            sums: dict[str, torch.Tensor] = {}
            for start in range(0, n, batch_size):
                xb = X_train[perm[start : start + batch_size]]  # (batch, n_features)
                with torch.autocast(
                    device.type,
                    dtype=autocast_dtype or torch.float32,
                    enabled=autocast_dtype is not None,
                ):
                    out = objective(model, xb, train=True, generator=noise_gen)
                optimizer.zero_grad(set_to_none=True)
                out.loss.backward()
                optimizer.step()
                if schedule is not None:
                    schedule.step()
                for name, value in {"loss": out.loss, **out.terms}.items():
                    sums[name] = sums.get(name, 0.0) + value.detach().float() * xb.shape[0]
            logs = {k: float(v) / n for k, v in sums.items()}  # one sync per epoch
            if X_val is not None:
                val = evaluate_loss(
                    model, objective, X_val, max(batch_size, 1024), autocast_dtype, device
                )
                logs.update({f"val_{k}": v for k, v in val.items()})
            logs["lr"] = lr
            logs["epoch_time"] = time.perf_counter() - started
            for key, value in logs.items():
                history.setdefault(key, []).append(value)
            stop = _check_early_stopping(model, settings, logs, epoch, best)
            if stop is not None:
                best = stop
            if any(
                [
                    cb.on_epoch_end(epoch, logs)
                    for cb in [*callbacks, *([progress] if progress else [])]
                ]
            ):
                break
            if settings.early_stopping and epoch - best[2] >= settings.patience:
                break
    finally:
        if progress is not None:
            progress.close()
    if settings.early_stopping and best[1] is not None:
        model.load_state_dict(best[1])  # keep the weights of the best validation epoch
        history["best_epoch"] = [float(best[2])]
    model.eval()
    return history


def _check_early_stopping(
    model: nn.Module, s: TrainSettings, logs: dict[str, float], epoch: int, best: tuple
) -> tuple | None:
    if not s.early_stopping or "val_loss" not in logs:
        return None
    if logs["val_loss"] < best[0]:
        return (logs["val_loss"], copy.deepcopy(model.state_dict()), epoch)
    return None
