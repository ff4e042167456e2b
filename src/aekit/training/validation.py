"""The validation split and the loss over held-out rows.

The split is drawn from the run's seeded generator before anything else, so the same seed
holds out the same rows whether the data sit in memory, stream from disk or are shared
between processes. Evaluation runs the objective without corruption, batch by batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn

from aekit.objectives.objective import TrainingObjective


def training_row_count(n: int, validation_fraction: float) -> int:
    """How many of ``n`` rows :func:`split_validation` leaves for training."""
    n_val = int(math.floor(n * validation_fraction))
    return n if n_val < 1 or n - n_val < 1 else n - n_val


def split_validation(
    n: int, fraction: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Random train / validation row indices; no validation when it would be empty."""
    n_val = n - training_row_count(n, fraction)
    if n_val == 0:
        return torch.arange(n), None
    perm = torch.randperm(n, generator=generator)
    return perm[n_val:].sort().values, perm[:n_val].sort().values


@torch.no_grad()
def evaluate_loss(
    model: nn.Module,
    objective: TrainingObjective,
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


def evaluate_parts(
    model: nn.Module,
    objective: TrainingObjective,
    parts: Iterable[torch.Tensor],
    batch_size: int,
    autocast_dtype: torch.dtype | None,
    device: torch.device,
) -> dict[str, float]:
    """:func:`evaluate_loss` over rows that come in parts (streamed validation), pooled."""
    sums: dict[str, float] = {}
    count = 0
    for part in parts:
        means = evaluate_loss(model, objective, part, batch_size, autocast_dtype, device)
        for k, v in means.items():
            sums[k] = sums.get(k, 0.0) + v * part.shape[0]
        count += part.shape[0]
    return {k: v / count for k, v in sums.items()}
