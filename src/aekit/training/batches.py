"""Where a run's batches come from: one small protocol, three sources, one factory.

- :class:`ResidentBatches`: every row on the device for the whole run, batches picked by
  index (one process);
- :class:`~aekit.training.distributed.ShardedBatches`: this process's slice of every batch
  (torchrun);
- :class:`~aekit.training.streaming.StreamedBatches`: a memory map larger than the memory
  budget, one chunk on the device at a time.

The loop only sees :class:`BatchSource`; :func:`make_batches` picks the source from the data
and the distributed context, and :func:`make_step` the step that takes its batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import torch
from torch import nn

from aekit.objectives.objective import TrainingObjective
from aekit.training import distributed, streaming
from aekit.training.steps import EagerStep, GraphedStep, Step
from aekit.training.validation import evaluate_loss

# What every step is built from: model, objective, optimizer, autocast dtype, noise
# generator and gradient-norm limit (the arguments of a Step).
StepParts = tuple[
    nn.Module,
    TrainingObjective,
    torch.optim.Optimizer,
    torch.dtype | None,
    torch.Generator,
    float | None,
]


class BatchSource(Protocol):
    """The training rows of a run, served in epochs, and its validation rows."""

    def order(self, generator: torch.Generator) -> torch.Tensor:
        """This epoch's order of the training rows, drawn from the run's ``generator``."""
        ...

    def epoch(self, perm: torch.Tensor, start: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """``(begin, step arguments)`` per batch, from position ``start`` of ``perm``."""
        ...

    def validation(
        self,
        model: nn.Module,
        objective: TrainingObjective,
        batch_size: int,
        autocast_dtype: torch.dtype | None,
    ) -> dict[str, float]:
        """Mean loss and terms over the validation rows; empty when there are none."""
        ...

    def peak_abs(self) -> float:
        """Largest |value| of the training data, for the message of a non-finite loss."""
        ...

    def fingerprint(self) -> dict[str, Any]:
        """What, besides the settings, decides the epochs' order: a resume must match it."""
        ...


class ResidentBatches:
    """Batches of rows resident on the device, drawn by index: no step copies from the host.

    ``rows`` (None: all) are the training rows of ``X``; a batch is picked from ``X`` through
    them, so the training rows are never copied out (on CPU, training holds no copy of
    the data at all: benchmarks/results/memory.md). ``validation`` holds the validation
    rows (None: none), on the same device.
    """

    def __init__(
        self,
        X: torch.Tensor,
        batch_size: int,
        rows: torch.Tensor | None,
        *,
        validation: torch.Tensor | None = None,
    ) -> None:
        self.X, self.batch_size, self.X_val = X, batch_size, validation
        self.rows = rows.to(X.device) if rows is not None else None

    def order(self, generator: torch.Generator) -> torch.Tensor:
        n = self.rows.numel() if self.rows is not None else self.X.shape[0]
        return torch.randperm(n, generator=generator)

    def epoch(self, perm: torch.Tensor, start: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """``(begin, step arguments)`` for the batches from training row ``start`` of ``perm``."""
        perm = perm.to(self.X.device)
        if self.rows is not None:
            perm = self.rows[perm]  # positions among the training rows -> rows of X
        for begin in range(start, perm.numel(), self.batch_size):
            yield begin, (self.X, perm[begin : begin + self.batch_size])

    def validation(
        self,
        model: nn.Module,
        objective: TrainingObjective,
        batch_size: int,
        autocast_dtype: torch.dtype | None,
    ) -> dict[str, float]:
        if self.X_val is None:
            return {}
        return evaluate_loss(
            model, objective, self.X_val, batch_size, autocast_dtype, self.X.device
        )

    def peak_abs(self) -> float:
        return float(self.X.abs().max())

    def fingerprint(self) -> dict[str, Any]:
        return {}


def refuse_streaming_under_torchrun(
    X: torch.Tensor | streaming.MappedRows,
    memory_budget_mb: float | None,
    ctx: distributed.Context,
) -> None:
    """Streamed batches have no sharded form: say so before the processes start talking."""
    if ctx.active and streaming.should_stream(X, memory_budget_mb):
        raise streaming.refuse_under_torchrun()


def make_batches(
    X: torch.Tensor | streaming.MappedRows,
    train_idx: torch.Tensor,
    val_idx: torch.Tensor | None,
    batch_size: int,
    memory_budget_mb: float | None,
    ctx: distributed.Context,
    device: torch.device,
) -> BatchSource:
    """The source for ``X`` (float32 on the CPU, or mapped) split into these rows.

    Mapped rows larger than ``memory_budget_mb`` stream; those that fit (or any, without a
    budget) are read into memory and served like a tensor.
    """
    if isinstance(X, streaming.MappedRows):
        if memory_budget_mb is not None and streaming.should_stream(X, memory_budget_mb):
            chunk = streaming.chunk_rows(X.shape[1], memory_budget_mb)
            return streaming.StreamedBatches(X, train_idx, val_idx, batch_size, chunk, device)
        X = X.read(0, X.shape[0])
    if ctx.active:  # each process moves only its own rows to its device, once per epoch
        cpu = torch.device("cpu")
        X_val = X[val_idx].to(cpu) if val_idx is not None else None
        return distributed.ShardedBatches(
            X[train_idx].to(cpu), batch_size, ctx, device, validation=X_val
        )
    # All rows on the device for the whole run; the training ones are picked by index (on
    # the CPU: no copy at all), the validation ones copied out.
    X_val = X[val_idx].to(device) if val_idx is not None else None
    rows = train_idx if val_idx is not None else None
    return ResidentBatches(X.to(device), batch_size, rows, validation=X_val)


def make_step(
    parts: StepParts,
    ctx: distributed.Context,
    *,
    graphs: bool,
    batch_size: int,
    n_features: int,
    device: torch.device,
) -> Step:
    """The step that takes the batches of :func:`make_batches`' source for this context."""
    if ctx.active:  # ShardedBatches' slices, through DDP
        return distributed.ShardedStep(*parts, ctx=ctx, device=device)
    if graphs:
        return GraphedStep(*parts, batch_size=batch_size, n_features=n_features, device=device)
    return EagerStep(*parts)
