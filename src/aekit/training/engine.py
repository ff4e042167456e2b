"""The model-agnostic training loop.

Data that fit on the device are moved there once; each epoch draws a seeded random
permutation and slices batches by index, so no step copies from the host. Losses are
summed on the device and read back once per epoch (no per-step synchronisation).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from aekit.errors import ConfigError, TrainingError, TrainingInterrupted
from aekit.objectives.objective import Objective
from aekit.training import checkpoint, distributed, streaming
from aekit.training.callbacks import Callback, ProgressBar
from aekit.training.hardware import float32_matmul, resolve_device, resolve_precision
from aekit.training.settings import TrainSettings, batch_size_for, learning_rate_for
from aekit.training.steps import WARMUP_STEPS, EagerStep, GraphedStep


def make_optimizer(
    params: Any, s: TrainSettings, device: torch.device, *, capturable: bool = False
) -> torch.optim.Optimizer:
    # One kernel per step for all parameters, on CPU as on CUDA: at batch 128 on a 2-core CPU
    # the foreach Adam step took longer than the forward and backward passes.
    fast: dict[str, Any] = {"fused": True}
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
    s: TrainSettings,
    objective: Objective,
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


def make_schedule(opt: torch.optim.Optimizer, s: TrainSettings, steps_per_epoch: int) -> Any:
    total = s.epochs * steps_per_epoch
    if s.lr_schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
    if s.lr_schedule == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, total // 4), gamma=0.5)
    return None


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


class ResidentBatches:
    """Batches of rows resident on the device, drawn by index: no step copies from the host.

    ``rows`` (None: all) are the training rows of ``X``; a batch is picked from ``X`` through
    them, so the training rows are never copied out (on CPU, training holds no copy of
    the data at all: benchmarks/results/memory.md).
    """

    def __init__(self, X: torch.Tensor, batch_size: int, rows: torch.Tensor | None) -> None:
        self.X, self.batch_size = X, batch_size
        self.rows = rows.to(X.device) if rows is not None else None

    def epoch(self, perm: torch.Tensor, start: int) -> Iterator[tuple[int, tuple]]:
        """``(begin, step arguments)`` for the batches from training row ``start`` of ``perm``."""
        perm = perm.to(self.X.device)
        if self.rows is not None:
            perm = self.rows[perm]  # positions among the training rows -> rows of X
        for begin in range(start, perm.numel(), self.batch_size):
            yield begin, (self.X, perm[begin : begin + self.batch_size])


@distributed.within_session  # under torchrun: DDP, see aekit.training.distributed
def train(
    model: nn.Module,
    objective: Objective,
    X: torch.Tensor | streaming.MappedRows,
    settings: TrainSettings,
    *,
    seed: int,
    callbacks: Sequence[Callback] = (),
    checkpoint_dir: str | Path | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    should_stop: Callable[[], int | None] | None = None,
) -> dict[str, list[float]]:
    """Train ``model`` on rows of ``X`` (float32, CPU) and return the per-epoch history.

    History keys: ``loss`` and each objective term, ``val_`` versions when a validation
    split is used, ``lr`` and ``epoch_time``.

    With ``checkpoint_dir``, a checkpoint is written every ``checkpoint_every`` epochs and at
    the end; ``resume=True`` continues from the one there, giving the same weights as an
    uninterrupted run. ``should_stop`` is polled after every step: when it returns a signal
    number, the step's state is checkpointed and ``TrainingInterrupted`` is raised.

    Under torchrun every process calls this with the same arguments; process 0's ``seed``
    is used, each trains on its slice of every batch, and only process 0 writes checkpoints
    and runs ``callbacks`` (:mod:`aekit.training.distributed`).

    ``X`` may be :class:`~aekit.training.streaming.MappedRows` (a memory-mapped array and its
    scaling): when its float32 size exceeds ``settings.memory_budget_mb`` it streams from disk
    in shuffled chunks (:mod:`aekit.training.streaming`; refused under torchrun), else it is
    read into memory. A tensor is always trained on in memory, whatever the budget.
    """
    settings.validate()
    ctx = distributed.current()
    streamed = streaming.should_stream(X, settings.memory_budget_mb)
    if streamed and ctx.active:
        raise streaming.refuse_under_torchrun()
    if isinstance(X, streaming.MappedRows) and not streamed:
        X = X.read(0, X.shape[0])  # fits the budget (or none was set): hold it in memory
    device = ctx.device(resolve_device(settings.device))
    autocast_dtype = resolve_precision(settings.precision, device)
    if ctx.active:
        seed = distributed.broadcast_int(seed)  # one permutation and split for all
    generator = torch.Generator().manual_seed(seed)
    train_idx, val_idx = split_validation(X.shape[0], settings.validation_fraction, generator)
    if streamed:
        rows_per_chunk = streaming.chunk_rows(X.shape[1], settings.memory_budget_mb)  # type: ignore[arg-type]
    else:
        home = torch.device("cpu") if ctx.active else device  # DDP: each moves only its own rows
        # On the device for the whole run. One process keeps all rows there and picks the
        # training ones by index (no copy on CPU); DDP copies the training rows out.
        X_train = X[train_idx].to(home) if ctx.active else X.to(device)  # type: ignore[index, union-attr]
        X_val = X[val_idx].to(home) if val_idx is not None else None  # type: ignore[index]
    model.to(device).train()

    n = train_idx.numel()
    batch_size = batch_size_for(settings, n)  # "auto" sizes resolve here, from the rows
    rate = learning_rate_for(settings, batch_size)
    settings = dataclasses.replace(settings, batch_size=batch_size, learning_rate=rate)
    steps_per_epoch = math.ceil(n / batch_size)
    graphs = use_cuda_graphs(settings, objective, device, steps_per_epoch, ctx.active)
    optimizer = make_optimizer(model.parameters(), settings, device, capturable=graphs)
    schedule = make_schedule(optimizer, settings, steps_per_epoch)
    # Corruption noise is drawn on the device from its own seeded stream.
    noise_gen = torch.Generator(device=device).manual_seed(distributed.noise_seed(seed, ctx.rank))
    parts = (model, objective, optimizer, autocast_dtype, noise_gen, settings.clip_grad_norm)
    step: EagerStep = (
        GraphedStep(*parts, batch_size=batch_size, n_features=X.shape[1], device=device)
        if graphs
        else EagerStep(*parts)
    )
    if streamed:
        batches: Any = streaming.StreamedBatches(
            X,
            train_idx,
            val_idx,
            batch_size,
            rows_per_chunk,
            device,  # type: ignore[arg-type]
        )
    elif ctx.active:
        step = distributed.ShardedStep(*parts, ctx=ctx, device=device)
        batches = distributed.ShardedBatches(X_train, batch_size, ctx, device)
    else:
        batches = ResidentBatches(X_train, batch_size, train_idx if val_idx is not None else None)

    history: dict[str, list[float]] = {}
    best = BestWeights() if settings.early_stopping else None
    fingerprint = {
        "n_rows": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "seed": seed,
        "epochs": settings.epochs,
        "batch_size": settings.batch_size,
        "optimizer": settings.optimizer,
        "lr_schedule": settings.lr_schedule,
        "validation_fraction": settings.validation_fraction,
        "learning_rate": settings.learning_rate,
        "momentum": settings.momentum,
        "weight_decay": settings.weight_decay,
        "clip_grad_norm": settings.clip_grad_norm,
        "early_stopping": settings.early_stopping,
        "patience": settings.patience,
        "world_size": ctx.world_size,  # each process has its own noise stream
    }
    if streamed:  # the chunking decides the order of each epoch
        fingerprint["stream_chunk_rows"] = rows_per_chunk
    first_epoch, first_begin = 1, 0
    if resume and checkpoint_dir is not None:
        state = distributed.own_part(checkpoint.load(checkpoint_dir), ctx)
        _restore(state, fingerprint, model, optimizer, schedule, generator, noise_gen, step, best)
        history, first_epoch, first_begin = state.history, state.epoch, state.next_begin

    def snapshot(epoch: int, next_begin: int, perm_state: torch.Tensor) -> None:
        noise, sums = noise_gen.get_state(), {k: v.clone() for k, v in step.sums.items()}
        if isinstance(step, distributed.ShardedStep):  # all noise streams, global loss sums
            noise, sums = distributed.gather_state(noise), step.global_sums()
            if not ctx.is_primary:
                distributed.barrier()  # nobody goes on (or exits) before it is written
                return
        checkpoint.save(
            checkpoint.TrainState(
                epoch=epoch,
                next_begin=next_begin,
                fingerprint=fingerprint,
                history=history,
                model=model.state_dict(),
                optimizer=optimizer.state_dict(),
                schedule=schedule.state_dict() if schedule is not None else None,
                perm_generator=perm_state,
                noise_generator=noise,
                sums=sums,
                best=best.as_dict() if best is not None else None,
            ),
            checkpoint_dir,  # type: ignore[arg-type]
        )
        if ctx.active:
            distributed.barrier()

    progress = ProgressBar(settings.epochs) if settings.verbose and ctx.is_primary else None
    hooks = [*callbacks, *([progress] if progress else [])] if ctx.is_primary else []
    evaluate = (
        functools.partial(distributed.evaluate_loss, ctx=ctx) if ctx.active else evaluate_loss
    )
    try:
        with float32_matmul(settings.precision, device):
            for epoch in range(first_epoch, settings.epochs + 1):
                started = time.perf_counter()
                lr = float(optimizer.param_groups[0]["lr"])  # the rate this epoch starts with
                perm_state = generator.get_state()
                perm = (
                    batches.order(generator) if streamed else torch.randperm(n, generator=generator)
                )
                for begin, batch in batches.epoch(perm, first_begin if epoch == first_epoch else 0):
                    step(*batch)
                    if schedule is not None:
                        schedule.step()
                    signal_number = should_stop() if should_stop is not None else None
                    if ctx.active and should_stop is not None:  # all stop after the same step
                        signal_number = distributed.max_int(signal_number or 0)
                    if signal_number:
                        if checkpoint_dir is not None:
                            snapshot(epoch, begin + batch_size, perm_state)
                        raise _interrupted(signal_number, epoch, checkpoint_dir)
                logs = {k: float(v) / n for k, v in step.take_sums().items()}  # one sync
                peak = batches.peak_abs if streamed else lambda: float(X_train.abs().max())
                _check_finite(logs["loss"], epoch, settings, peak)
                eval_batch = max(batch_size, 1024)
                if streamed and val_idx is not None:
                    val = _evaluate_parts(
                        model,
                        objective,
                        batches.validation_parts(),
                        eval_batch,
                        autocast_dtype,
                        device,
                    )
                    logs.update({f"val_{k}": v for k, v in val.items()})
                elif not streamed and X_val is not None:
                    val = evaluate(model, objective, X_val, eval_batch, autocast_dtype, device)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                logs["lr"] = lr
                logs["epoch_time"] = time.perf_counter() - started
                for key, value in logs.items():
                    history.setdefault(key, []).append(value)
                stop = [bool(hook.on_epoch_end(epoch, logs)) for hook in hooks]
                stop.append(bool(best and best.update(model, logs["val_loss"], epoch, settings)))
                if ctx.active:  # process 0's callbacks decide for all
                    stop = [bool(distributed.max_int(int(any(stop))))]
                last = any(stop) or epoch == settings.epochs
                if checkpoint_dir is not None and (last or epoch % checkpoint_every == 0):
                    snapshot(epoch + 1, 0, generator.get_state())
                if any(stop):
                    break
    finally:
        if progress is not None:
            progress.close()
        if isinstance(step, distributed.ShardedStep):
            step.close()
    if best is not None and best.weights is not None:
        model.load_state_dict(best.weights)  # keep the weights of the best validation epoch
        history["best_epoch"] = [float(best.epoch)]
    model.eval()
    return history


def _evaluate_parts(
    model: nn.Module,
    objective: Objective,
    parts: Iterator[torch.Tensor],
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


def _check_finite(loss: float, epoch: int, s: TrainSettings, peak_abs: Callable[[], float]) -> None:
    if math.isfinite(loss):
        return
    peak = peak_abs()
    raise TrainingError(
        f"the training loss became {loss} in epoch {epoch}; likely causes: a learning rate too "
        f"high ({s.learning_rate:g}) or unscaled data (largest |value| {peak:g}; try --scale "
        "standard); set clip_grad_norm to limit steps. The last checkpoint, if any, is kept"
    )


def _interrupted(signal_number: int, epoch: int, folder: Any) -> TrainingInterrupted:
    where = "no checkpoint folder was set"
    if folder is not None:
        where = f"checkpoint written to {folder}; resume to continue"
    return TrainingInterrupted(
        f"training interrupted by signal {signal_number} in epoch {epoch}; {where}",
        signal_number,
    )


def _restore(state, fingerprint, model, optimizer, schedule, generator, noise_gen, step, best):  # type: ignore[no-untyped-def]
    differs = sorted(k for k in fingerprint if state.fingerprint.get(k) != fingerprint[k])
    if differs:
        raise ConfigError(
            f"cannot resume: the checkpoint was made with other {', '.join(differs)} "
            f"({', '.join(f'{k}={state.fingerprint.get(k)!r}' for k in differs)})"
        )
    try:
        model.load_state_dict(state.model)
    except RuntimeError:  # names or shapes differ: another architecture
        raise ConfigError(
            "cannot resume: the checkpoint holds a model of another architecture"
        ) from None
    tensor_lr = [torch.is_tensor(g["lr"]) for g in optimizer.param_groups]
    try:
        optimizer.load_state_dict(state.optimizer)
    except (ValueError, KeyError) as exc:
        raise ConfigError(
            f"cannot resume: the checkpoint's optimizer state differs ({exc})"
        ) from None
    for group, was_tensor in zip(optimizer.param_groups, tensor_lr, strict=True):
        if was_tensor:  # a captured graph reads the rate from a device tensor
            group["lr"] = torch.tensor(float(group["lr"]), device=group["params"][0].device)
    if schedule is not None and state.schedule is not None:
        schedule.load_state_dict(state.schedule)
    generator.set_state(state.perm_generator)
    noise_gen.set_state(state.noise_generator.to(noise_gen.get_state().device))
    device = next(model.parameters()).device
    step.sums = {k: v.to(device) for k, v in state.sums.items()}
    if best is not None and state.best is not None:
        best.loss, best.epoch, best.weights = (
            state.best["loss"],
            state.best["epoch"],
            state.best["weights"],
        )


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

    def as_dict(self) -> dict[str, Any]:
        return {"loss": self.loss, "epoch": self.epoch, "weights": self.weights}
