"""Statistics of a batch that several processes hold a slice of.

Under data-parallel training (:mod:`aekit.training.distributed`) each process computes the
loss on its own slice of the batch. A per-sample loss needs nothing more, but a statistic
of the batch (the mean activation ρ̂ of KL sparsity) must be taken over the whole batch to
give the loss and gradient one process would. Inside :func:`split_batch`, which the engine
enters around each step and validation batch under DDP, :func:`batch_mean` sums the slices
with a differentiable all-reduce (as ``torch.nn.SyncBatchNorm`` does); elsewhere it is a
plain mean. Every process must then call it the same number of times, which the engine
ensures by giving every process every batch, even an empty slice of one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import torch
import torch.distributed as dist

_SPLIT = ContextVar("aekit_split_batch", default=False)


@contextlib.contextmanager
def split_batch() -> Iterator[None]:
    """Within the block, each process holds a slice of one batch (the default group's)."""
    token = _SPLIT.set(True)
    try:
        yield
    finally:
        _SPLIT.reset(token)


def batch_mean(h: torch.Tensor) -> torch.Tensor:
    """Mean over the rows of the whole batch: (batch, units) -> (units,)."""
    if not _SPLIT.get():
        return h.mean(dim=0)
    count = h.new_full((1,), float(h.shape[0]))
    total = _SumOverProcesses.apply(torch.cat([h.sum(dim=0), count]))  # (units + 1,)
    return total[:-1] / total[-1]


class _SumOverProcesses(torch.autograd.Function):
    """All-reduce (sum) whose backward sums the gradients over the processes too.

    Each process's loss depends on every slice through the sum, so the gradient reaching a
    slice is the sum of what every process's loss sends back.
    """

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor) -> torch.Tensor:
        out = tensor.clone()
        dist.all_reduce(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        out = grad.contiguous().clone()
        dist.all_reduce(out)
        return out
