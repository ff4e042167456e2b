"""One optimisation step on a batch drawn by index, run eagerly or replayed from a CUDA graph.

At small batches a GPU spends most of a step waiting for Python to launch ~100 small kernels.
Capturing forward, backward and the (fused, capturable) optimiser step once in a CUDA graph
and replaying it makes the whole step one launch (PyTorch's "whole network capture" recipe).
Both kinds of step sum the loss terms into device tensors: nothing waits for the host.
:class:`Step` is what the loop sees; DDP's step (:class:`~aekit.training.distributed.ShardedStep`)
is another kind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from aekit.objectives.objective import TrainingObjective

WARMUP_STEPS = 3  # eager steps before capture: lazy state (Adam moments, cuBLAS) must exist


class Step:
    """What the loop calls once per batch: an optimisation step that sums the loss terms.

    Subclasses take the step arguments their batch source yields
    (:class:`aekit.training.batches.BatchSource`).
    """

    def __init__(
        self,
        model: nn.Module,
        objective: TrainingObjective,
        optimizer: torch.optim.Optimizer,
        autocast_dtype: torch.dtype | None,
        noise: torch.Generator | None,
        clip_grad_norm: float | None = None,
    ) -> None:
        self.model, self.objective, self.optimizer = model, objective, optimizer
        self.autocast_dtype, self.noise, self.clip = autocast_dtype, noise, clip_grad_norm
        self.sums: dict[str, torch.Tensor] = {}

    def __call__(self, *batch: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def _clip(self) -> None:
        if self.clip is not None:  # no host sync: capturable inside a CUDA graph
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip, foreach=True)

    def take_sums(self) -> dict[str, torch.Tensor]:
        """The epoch's summed terms (still on the device); the accumulators restart at zero."""
        taken = {k: v.clone() for k, v in self.sums.items()}
        for v in self.sums.values():
            v.zero_()
        return taken

    def global_sums(self) -> dict[str, torch.Tensor]:
        """The epoch's running sums so far, over all processes (here one), not reset."""
        return {k: v.clone() for k, v in self.sums.items()}

    def close(self) -> None:
        """Release what the step holds on the model once training ends (nothing here)."""


class EagerStep(Step):
    """A step on the rows ``idx`` of ``X``, run eagerly."""

    def __call__(self, X: torch.Tensor, idx: torch.Tensor) -> None:
        self._step(torch.index_select(X, 0, idx), set_to_none=True)  # faster than X[idx]

    def _step(self, xb: torch.Tensor, *, set_to_none: bool) -> None:
        dtype = self.autocast_dtype
        with torch.autocast(xb.device.type, dtype=dtype or torch.float32, enabled=bool(dtype)):
            out = self.objective(self.model, xb, train=True, generator=self.noise)
        self.optimizer.zero_grad(set_to_none=set_to_none)
        out.loss.backward()
        self._clip()
        self.optimizer.step()
        n = xb.shape[0]
        for name, value in {"loss": out.loss, **out.terms}.items():
            if name not in self.sums:
                self.sums[name] = torch.zeros((), device=xb.device)
            self.sums[name].add_(value.detach().float() * n)  # in place: graph-safe


class GraphedStep(EagerStep):
    """Replays a captured graph for full batches; the ragged last batch runs eagerly."""

    def __init__(self, *args: Any, batch_size: int, n_features: int, device: torch.device) -> None:
        super().__init__(*args)
        self.batch_size = batch_size
        self.static_x = torch.zeros(batch_size, n_features, device=device)
        self.graph: torch.cuda.CUDAGraph | None = None
        self.warmed = 0
        self.side = torch.cuda.Stream(device=device)

    def __call__(self, X: torch.Tensor, idx: torch.Tensor) -> None:
        if idx.numel() != self.batch_size:
            # Keep the captured gradient buffers: zero them in place rather than dropping them.
            self._step(X[idx], set_to_none=False)
            return
        torch.index_select(X, 0, idx, out=self.static_x)  # (batch, n_features), on device
        if self.graph is not None:
            self.graph.replay()
        elif self.warmed < WARMUP_STEPS:
            self._on_side_stream(lambda: self._step(self.static_x, set_to_none=True))
            self.warmed += 1
        else:
            self._capture().replay()

    def _on_side_stream(self, fn: Callable[[], None]) -> None:
        self.side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(self.side):
            fn()
        torch.cuda.current_stream().wait_stream(self.side)

    def _capture(self) -> torch.cuda.CUDAGraph:
        self.optimizer.zero_grad(set_to_none=True)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            self._step_without_zero_grad()
        self.graph = graph
        return graph

    def _step_without_zero_grad(self) -> None:
        # Gradients were set to None before capture, so the captured backward writes them
        # afresh on every replay; no zero_grad inside the graph.
        dtype = self.autocast_dtype
        ctx = torch.autocast("cuda", dtype=dtype) if dtype else contextlib.nullcontext()
        with ctx:
            out = self.objective(self.model, self.static_x, train=True, generator=self.noise)
        out.loss.backward()
        self._clip()
        self.optimizer.step()
        for name, value in {"loss": out.loss, **out.terms}.items():
            self.sums[name].add_(value.detach().float() * self.batch_size)
