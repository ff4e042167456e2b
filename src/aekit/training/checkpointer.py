"""When a run is checkpointed, and how it is put back: the part the loop calls.

:class:`Checkpointer` writes a checkpoint every ``every`` epochs, after the last epoch
(or the one a callback or early stopping ended the run with) and after the step a stop
request came in; without a folder it writes nothing. :meth:`Checkpointer.resume` refuses a
checkpoint of another run (its fingerprint: data size, seed, settings, process count)
before loading it. The file format is :mod:`aekit.training.checkpoint`'s.

Under torchrun every process calls the same methods in the same order: the noise states
and loss sums are gathered from all, process 0 writes, and the others wait for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from aekit.errors import ConfigError, TrainingInterrupted
from aekit.training import checkpoint, distributed
from aekit.training.averaging import WeightAverage
from aekit.training.run import Run
from aekit.training.settings import TrainSettings


def fingerprint(
    n_rows: int, n_features: int, seed: int, s: TrainSettings, world_size: int
) -> dict[str, Any]:
    """What must match for a checkpoint to continue this run (``s`` resolved)."""
    return {
        "n_rows": int(n_rows),
        "n_features": int(n_features),
        "seed": seed,
        "epochs": s.epochs,
        "batch_size": s.batch_size,
        "optimizer": s.optimizer,
        "lr_schedule": s.lr_schedule,
        "validation_fraction": s.validation_fraction,
        "learning_rate": s.learning_rate,
        "momentum": s.momentum,
        "weight_decay": s.weight_decay,
        "clip_grad_norm": s.clip_grad_norm,
        "average_weights": s.average_weights,
        "early_stopping": s.early_stopping,
        "patience": s.patience,
        "world_size": world_size,  # each process has its own noise stream
    }


class Checkpointer:
    """Saves ``Run`` s to ``folder`` (None: never) and restores them from it."""

    def __init__(
        self,
        folder: str | Path | None,
        every: int,
        fingerprint: dict[str, Any],
        ctx: distributed.Context,
    ) -> None:
        self.folder, self.every, self.fingerprint, self.ctx = folder, every, fingerprint, ctx

    def resume(self, run: Run) -> tuple[int, int]:
        """Put the folder's checkpoint into ``run``: the epoch and row to continue from."""
        if self.folder is None:
            return 1, 0
        state = distributed.own_part(checkpoint.load(self.folder), self.ctx)
        self._check(state.fingerprint)
        _load_model(run, state.model)
        _load_optimizer(run, state.optimizer)
        if run.schedule is not None and state.schedule is not None:
            run.schedule.load_state_dict(state.schedule)
        run.generator.set_state(state.perm_generator)
        run.noise.set_state(state.noise_generator.to(run.noise.get_state().device))
        device = next(run.model.parameters()).device
        run.step.sums = {k: v.to(device) for k, v in state.sums.items()}
        if run.early is not None and state.best is not None:
            run.early.load_dict(state.best)
        if run.average is not None:
            _load_average(run.average, state.average)
        run.history = state.history
        return state.epoch, state.next_begin

    def epoch_end(self, run: Run, epoch: int, *, last: bool) -> None:
        """After epoch ``epoch``: a checkpoint every ``every`` epochs and after the last."""
        if self.folder is not None and (last or epoch % self.every == 0):
            self._save(self.folder, run, epoch + 1, 0, run.generator.get_state())

    def interrupted(
        self,
        run: Run,
        signal_number: int,
        epoch: int,
        next_begin: int,
        perm_state: torch.Tensor,
    ) -> TrainingInterrupted:
        """Checkpoint the step a stop request came after; the error that ends the run."""
        where = "no checkpoint folder was set"
        if self.folder is not None:
            self._save(self.folder, run, epoch, next_begin, perm_state)
            where = f"checkpoint written to {self.folder}; resume to continue"
        return TrainingInterrupted(
            f"training interrupted by signal {signal_number} in epoch {epoch}; {where}",
            signal_number,
        )

    def _check(self, saved: dict[str, Any]) -> None:
        differs = sorted(k for k in self.fingerprint if saved.get(k) != self.fingerprint[k])
        if differs:
            raise ConfigError(
                f"cannot resume: the checkpoint was made with other {', '.join(differs)} "
                f"({', '.join(f'{k}={saved.get(k)!r}' for k in differs)})"
            )

    def _save(
        self, folder: str | Path, run: Run, epoch: int, next_begin: int, perm_state: torch.Tensor
    ) -> None:
        noise = run.noise.get_state()
        if self.ctx.active:  # every process's noise stream, one row each
            noise = distributed.gather_state(noise)
        sums = run.step.global_sums()  # over all processes
        if not self.ctx.is_primary:
            distributed.barrier()  # nobody goes on (or exits) before it is written
            return
        state = checkpoint.TrainState(
            epoch=epoch,
            next_begin=next_begin,
            fingerprint=self.fingerprint,
            history=run.history,
            model=run.model.state_dict(),
            optimizer=run.optimizer.state_dict(),
            schedule=run.schedule.state_dict() if run.schedule is not None else None,
            perm_generator=perm_state,
            noise_generator=noise,
            sums=sums,
            best=run.early.as_dict() if run.early is not None else None,
            average=run.average.state() if run.average is not None else None,
        )
        checkpoint.save(state, folder)
        if self.ctx.active:
            distributed.barrier()


def _load_model(run: Run, weights: dict[str, torch.Tensor]) -> None:
    try:
        run.model.load_state_dict(weights)
    except RuntimeError:  # names or shapes differ: another architecture
        raise ConfigError(
            "cannot resume: the checkpoint holds a model of another architecture"
        ) from None


def _load_average(average: WeightAverage, state: dict[str, torch.Tensor] | None) -> None:
    try:
        if state is None:
            raise ValueError("none was saved")
        average.load_state(state)
    except (ValueError, RuntimeError) as exc:
        raise ConfigError(
            f"cannot resume: the checkpoint's weight average differs ({exc})"
        ) from None


def _load_optimizer(run: Run, state: dict[str, Any]) -> None:
    tensor_lr = [torch.is_tensor(g["lr"]) for g in run.optimizer.param_groups]
    try:
        run.optimizer.load_state_dict(state)
    except (ValueError, KeyError) as exc:
        raise ConfigError(
            f"cannot resume: the checkpoint's optimizer state differs ({exc})"
        ) from None
    for group, was_tensor in zip(run.optimizer.param_groups, tensor_lr, strict=True):
        if was_tensor:  # a captured graph reads the rate from a device tensor
            group["lr"] = torch.tensor(float(group["lr"]), device=group["params"][0].device)
