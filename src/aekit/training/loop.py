"""The epoch loop: steps over a batch source, then the parts that act once per epoch.

Each epoch draws its order from the run's generator, steps through the source's batches
(polling for a stop request after every step), reads the summed losses back once, adds
the validation losses, and hands the logs to the callbacks, early stopping and the
checkpointer. Everything the loop changes lives in its :class:`~aekit.training.run.Run`.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from aekit.errors import TrainingError
from aekit.objectives.objective import TrainingObjective
from aekit.training import distributed
from aekit.training.batches import BatchSource
from aekit.training.callbacks import Callback, ProgressBar, train_begins
from aekit.training.checkpointer import Checkpointer
from aekit.training.hardware import float32_matmul
from aekit.training.run import Placement, Run
from aekit.training.settings import TrainSettings

EVAL_BATCH_MIN = 1024  # no backward pass: validation takes larger batches than training


@dataclass
class Loop:
    """Trains ``run`` on ``source`` for the epochs ``settings`` (resolved) asks for."""

    run: Run
    source: BatchSource
    objective: TrainingObjective
    settings: TrainSettings
    where: Placement
    n_rows: int  # training rows: the loss sums are divided by it
    checkpointer: Checkpointer
    callbacks: Sequence[Callback] = ()
    should_stop: Callable[[], int | None] | None = None
    stage: str = ""  # what on_train_begin names this run: a layer of greedy pretraining

    def fit(self, first_epoch: int = 1, first_begin: int = 0) -> dict[str, list[float]]:
        """Epochs ``first_epoch`` on, the first from row ``first_begin`` (a resume's)."""
        s, ctx, run = self.settings, self.where.ctx, self.run
        progress = ProgressBar(s.epochs) if s.verbose and ctx.is_primary else None
        hooks = [*self.callbacks, *([progress] if progress else [])] if ctx.is_primary else []
        train_begins(hooks, run.model, self.stage)
        try:
            with float32_matmul(s.precision, self.where.device):
                for epoch in range(first_epoch, s.epochs + 1):
                    logs = self.train_epoch(epoch, first_begin if epoch == first_epoch else 0)
                    if self.end_epoch(epoch, logs, hooks):
                        break
        finally:
            if progress is not None:
                progress.close()
            run.step.close()
        if run.average is not None:
            run.average.copy_to_model()  # what training returns: the averaged weights
        if run.early is not None:
            run.early.restore_best(run.history)  # keep the weights of the best epoch
        run.model.eval()
        return run.history

    def train_epoch(self, epoch: int, start: int) -> dict[str, float]:
        """One epoch's steps from row ``start`` of its order; its logs."""
        run, batch_size = self.run, int(self.settings.batch_size)
        started = time.perf_counter()
        lr = float(run.optimizer.param_groups[0]["lr"])  # the rate this epoch starts with
        perm_state = run.generator.get_state()  # a checkpoint mid-epoch redraws this order
        perm = self.source.order(run.generator)
        for begin, batch in self.source.epoch(perm, start):
            run.step(*batch)
            if run.average is not None:
                run.average.update()
            if run.schedule is not None:
                run.schedule.step()
            signal_number = self._poll()
            if signal_number:
                next_begin = begin + batch_size
                raise self.checkpointer.interrupted(
                    run, signal_number, epoch, next_begin, perm_state
                )
        logs = {k: float(v) / self.n_rows for k, v in run.step.take_sums().items()}  # one sync
        _check_finite(logs["loss"], epoch, self.settings, self.source.peak_abs)
        with self.averaged():
            val = self.source.validation(
                run.model,
                self.objective,
                max(batch_size, EVAL_BATCH_MIN),
                self.where.autocast_dtype,
            )
        logs.update({f"val_{k}": v for k, v in val.items()})
        logs["lr"] = lr
        logs["epoch_time"] = time.perf_counter() - started
        return logs

    def end_epoch(self, epoch: int, logs: dict[str, float], hooks: Sequence[Callback]) -> bool:
        """Record the logs, ask the callbacks and early stopping, checkpoint; True: stop."""
        for key, value in logs.items():
            self.run.history.setdefault(key, []).append(value)
        with self.averaged():  # callbacks and early stopping see the weights training returns
            votes = [bool(hook.on_epoch_end(epoch, logs)) for hook in hooks]
            if self.run.early is not None:  # on every process: each keeps the best weights
                votes.append(self.run.early.on_epoch_end(epoch, logs))
        stop = any(votes)
        if self.where.ctx.active:  # process 0's callbacks decide for all
            stop = bool(distributed.max_int(int(stop)))
        self.checkpointer.epoch_end(self.run, epoch, last=stop or epoch == self.settings.epochs)
        return stop

    def averaged(self) -> AbstractContextManager[None]:
        """The averaged weights in the model for the block (nothing changes without them)."""
        average = self.run.average
        return average.applied() if average is not None else contextlib.nullcontext()

    def _poll(self) -> int | None:
        """The signal number a stop request names, if any; under torchrun, all agree."""
        if self.should_stop is None:
            return None
        signal_number = self.should_stop()
        if self.where.ctx.active:  # all stop after the same step
            signal_number = distributed.max_int(signal_number or 0)
        return signal_number


def _check_finite(loss: float, epoch: int, s: TrainSettings, peak_abs: Callable[[], float]) -> None:
    if math.isfinite(loss):
        return
    peak = peak_abs()
    raise TrainingError(
        f"the training loss became {loss} in epoch {epoch}; likely causes: a learning rate too "
        f"high ({s.learning_rate:g}) or unscaled data (largest |value| {peak:g}; try --scale "
        "standard); set clip_grad_norm to limit steps. The last checkpoint, if any, is kept"
    )
