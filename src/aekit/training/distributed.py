"""Data-parallel training over the processes ``torchrun`` starts (DistributedDataParallel).

torchrun starts one process per device and tells each its place through environment
variables (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``).
:func:`session` joins that job for a block: it initialises the default process group
(NCCL for CUDA tensors and gloo for CPU ones when a GPU is used, gloo alone otherwise) with
a timeout, so a process that fails or stops answering ends the run with a clear error
instead of a hang, and destroys the group afterwards. Outside torchrun it does nothing.

How the engine shares one step (:class:`ShardedBatches`, :class:`ShardedStep`):

- Every process draws the same seeded permutation each epoch and cuts each global batch of
  ``batch_size`` rows into ``world_size`` contiguous slices whose sizes differ by at most
  one: the first ``rows % world_size`` processes take one row more (``torch.tensor_split``).
  A process may get no row of a short last batch; it still takes part in the step.
- Each process moves only its own rows of the epoch to its device, once per epoch.
- Its loss (a mean over its rows) is scaled by ``rows * world_size / batch_rows`` before
  the backward pass, so DDP's gradient average is the gradient of the mean over the whole
  batch whatever the slice sizes: N processes take the steps one process takes with the
  same batch size and seed, up to float rounding. Batch statistics (KL sparsity's mean
  activation) are taken over the whole batch (:mod:`aekit.objectives.batch_stats`).
- Noise (input corruption, VAE samples, Gibbs chains) comes from one stream per process:
  process 0 keeps the single-process stream, the others get independent ones
  (:func:`noise_seed`), so no two processes draw the same noise. A noisy run repeats
  exactly for a given number of processes, but is not the single-process run.
- Loss sums are all-reduced once per epoch, so the history is the global one. Validation
  batches are split and reduced the same way, so every process sees the same numbers and
  takes the same early-stopping decision.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NoReturn, ParamSpec, TypeVar

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from aekit.errors import ConfigError, TrainingError
from aekit.objectives.batch_stats import split_batch
from aekit.objectives.objective import LossOutput, TrainingObjective
from aekit.training.checkpoint import TrainState
from aekit.training.steps import Step

LAUNCH_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
TIMEOUT_VARIABLE = "AEKIT_DIST_TIMEOUT"
DEFAULT_TIMEOUT_S = 300.0  # covers rank 0 writing a checkpoint while the others wait
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Context:
    """This process's place in the job; the default is a run on its own."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    active: bool = False  # a process group is up: train with DDP (even with one process)

    @property
    def is_primary(self) -> bool:
        """Process 0 writes the model, checkpoints, pictures and logs."""
        return self.rank == 0

    def device(self, device: torch.device) -> torch.device:
        """``cuda`` without an index means this process's own GPU (``LOCAL_RANK``)."""
        if self.active and device.type == "cuda" and device.index is None:
            return torch.device("cuda", self.local_rank % max(torch.cuda.device_count(), 1))
        return device


# -- joining the job -----------------------------------------------------------------------
def launched_by_torchrun() -> bool:
    """True when this process's environment carries torchrun's variables (``WORLD_SIZE``...)."""
    if "WORLD_SIZE" not in os.environ:
        return False
    missing = sorted(name for name in LAUNCH_VARIABLES if name not in os.environ)
    if missing:
        raise ConfigError(
            f"WORLD_SIZE is set but {', '.join(missing)} missing: start distributed training "
            "with torchrun (or aekit train --nproc N)"
        )
    return True


def current() -> Context:
    if dist.is_available() and dist.is_initialized():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        return Context(dist.get_rank(), dist.get_world_size(), local, active=True)
    return Context()


def is_primary() -> bool:
    """True on process 0 of a torchrun job, or in a run on its own; works after a session."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    return os.environ.get("RANK", "0") == "0"


def backend() -> str:
    """NCCL moves CUDA tensors where there are GPUs; gloo moves CPU ones (and flags)."""
    if torch.cuda.is_available() and dist.is_nccl_available():
        return "cpu:gloo,cuda:nccl"
    return "gloo"


def timeout_s() -> float:
    raw = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(f"{TIMEOUT_VARIABLE} must be a positive number of seconds, got {raw!r}")
    return value


@contextlib.contextmanager
def session() -> Iterator[Context]:
    """Join the torchrun job this process was started in, for the block.

    Nested sessions and a group the caller initialised are reused and left alone; without
    torchrun's variables the block runs on its own.
    """
    if dist.is_available() and dist.is_initialized():
        yield current()
        return
    if not launched_by_torchrun():
        yield Context()
        return
    if not dist.is_available():
        raise ConfigError("this PyTorch build has no torch.distributed: train on one process")
    name, seconds = backend(), timeout_s()
    if "nccl" in name:
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]) % torch.cuda.device_count())
    try:
        dist.init_process_group(name, timeout=timedelta(seconds=seconds))
    except (RuntimeError, ValueError) as exc:
        raise TrainingError(
            f"could not join the torchrun job at {os.environ['MASTER_ADDR']}:"
            f"{os.environ['MASTER_PORT']} ({_first_line(exc)})"
        ) from exc
    ctx = current()
    try:
        yield ctx
    except RuntimeError as exc:
        if not _lost_contact(exc):
            raise
        raise TrainingError(
            f"process {ctx.rank} of {ctx.world_size} lost contact with the others "
            f"({_first_line(exc)}); another process probably failed (see its error) or did not "
            f"answer within {seconds:g} s (set {TIMEOUT_VARIABLE} to wait longer)"
        ) from exc
    else:
        dist.barrier()  # leave together
    finally:
        # Free unreachable DDP wrappers (reference cycles) while the group and the interpreter
        # are alive: a gloo work object freed during interpreter shutdown aborts the process
        # ("terminate called without an active exception", exit -6; pytorch/pytorch#179291),
        # seen after all work was done in about 1 test-suite run in 3.
        gc.collect()
        dist.destroy_process_group()


def leave(code: int) -> NoReturn:
    """End a process torchrun started with ``code``, skipping interpreter shutdown.

    For the command line and scripts whose work is done and written: the C++ teardown at
    shutdown can still abort a gloo process (see :func:`session`), which would turn a
    finished run into a failed one.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def within_session(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` inside :func:`session`: the engine joins a torchrun job by itself."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with session():
            return fn(*args, **kwargs)

    return wrapper


def _lost_contact(exc: RuntimeError) -> bool:
    """A collective failed: a peer died or did not answer (gloo raises plain RuntimeErrors)."""
    text = str(exc)
    return isinstance(exc, dist.DistError) or "gloo" in text or "NCCL" in text


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return re.sub(r"^\[[^\]]*\]\s*", "", line)  # "[.../pair.cc:553] Connection closed ..."


# -- small agreements between the processes --------------------------------------------------
def broadcast_int(value: int) -> int:
    """Process 0's ``value`` on every process (a seed drawn at random, say)."""
    t = torch.tensor([value], dtype=torch.int64)
    dist.broadcast(t, src=0)
    return int(t.item())


def max_int(value: int) -> int:
    """The largest ``value`` over the processes: 0 when all say 0 (stop flags, signals)."""
    t = torch.tensor([value], dtype=torch.int64)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return int(t.item())


def barrier() -> None:
    """Wait until every process gets here (rank 0 has written a checkpoint, say)."""
    dist.barrier()


def gather_state(state: torch.Tensor) -> torch.Tensor:
    """Every process's generator state, one row per rank: (world_size, state_bytes)."""
    parts = [torch.empty_like(state) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, state)
    return torch.stack(parts)


def sum_over_processes(sums: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Each entry summed over the processes, in one all-reduce (entries are scalars)."""
    if not sums:
        return {}
    keys = sorted(sums)
    flat = torch.stack([sums[k].double() for k in keys])  # (n_terms,) on the device
    dist.all_reduce(flat)
    return {k: flat[i].to(sums[k].dtype) for i, k in enumerate(keys)}


def noise_seed(seed: int, rank: int) -> int:
    """Process 0 keeps the single-process noise seed; the others get independent ones."""
    if rank == 0:
        return seed + 1
    state = np.random.SeedSequence([seed, rank]).generate_state(1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


def my_slice(rows: int, ctx: Context) -> tuple[int, int]:
    """This process's ``[lo, hi)`` of a batch of ``rows``: sizes differ by at most one."""
    q, extra = divmod(rows, ctx.world_size)
    lo = ctx.rank * q + min(ctx.rank, extra)
    return lo, lo + q + (1 if ctx.rank < extra else 0)


# -- batches and steps -------------------------------------------------------------------------
class ShardedBatches:
    """This process's rows of each global batch; it moves only those to its device.

    ``X`` holds the training rows, ``validation`` the validation rows (None: none), both on
    the CPU. A :class:`aekit.training.batches.BatchSource`.
    """

    def __init__(
        self,
        X: torch.Tensor,
        batch_size: int,
        ctx: Context,
        device: torch.device,
        *,
        validation: torch.Tensor | None = None,
    ) -> None:
        self.X, self.batch_size, self.ctx, self.device = X, batch_size, ctx, device
        self.X_val = validation

    def order(self, generator: torch.Generator) -> torch.Tensor:
        """The same permutation on every process: the seed was agreed on."""
        return torch.randperm(self.X.shape[0], generator=generator)

    def epoch(self, perm: torch.Tensor, start: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """``(begin, step arguments)`` for the global batches from row ``start`` of ``perm``."""
        n, plan, parts, offset = perm.numel(), [], [], 0
        for begin in range(start, n, self.batch_size):
            rows = min(self.batch_size, n - begin)
            lo, hi = my_slice(rows, self.ctx)
            parts.append(perm[begin + lo : begin + hi])
            plan.append((begin, offset, hi - lo, rows))
            offset += hi - lo
        mine = torch.cat(parts) if parts else perm[:0]
        X_mine = self.X[mine].to(self.device, non_blocking=True)  # (my rows, n_features)
        for begin, at, count, rows in plan:
            yield begin, (X_mine, at, count, rows)

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
            model, objective, self.X_val, batch_size, autocast_dtype, self.device, self.ctx
        )

    def peak_abs(self) -> float:
        return float(self.X.abs().max())

    def fingerprint(self) -> dict[str, Any]:
        return {}


class ObjectiveModule(nn.Module):
    """The objective applied to the model, as one module: DDP wraps this.

    Objectives call more than ``forward`` (``encode`` for a Jacobian, ``posterior``, Gibbs
    sampling); DDP only sees calls through its own ``forward``, so the whole loss runs
    inside one, on the unwrapped model.
    """

    def __init__(self, model: nn.Module, objective: TrainingObjective) -> None:
        super().__init__()
        self.model = model
        self.objective = objective

    def forward(self, x: torch.Tensor, generator: torch.Generator | None) -> LossOutput:
        return self.objective(self.model, x, train=True, generator=generator)


class ShardedStep(Step):
    """An eager step on this process's slice of a global batch; DDP averages the gradient."""

    def __init__(self, *args: Any, ctx: Context, device: torch.device) -> None:
        super().__init__(*args)
        self.world_size = ctx.world_size
        ids = [device.index] if device.type == "cuda" else None
        wrapped = ObjectiveModule(self.model, self.objective)
        self.replica = nn.parallel.DistributedDataParallel(wrapped, device_ids=ids)

    def __call__(self, X: torch.Tensor, at: int, count: int, batch_rows: int) -> None:
        xb = X[at : at + count]  # (count, n_features), this process's slice
        dtype = self.autocast_dtype
        with (
            split_batch(),
            torch.autocast(xb.device.type, dtype=dtype or torch.float32, enabled=bool(dtype)),
        ):
            out = self.replica(xb, self.noise)
        self.optimizer.zero_grad(set_to_none=True)
        # DDP averages over processes: weigh each slice by its share of the batch.
        (out.loss * (count * self.world_size / batch_rows)).backward()
        self._clip()
        self.optimizer.step()
        for name, value in {"loss": out.loss, **out.terms}.items():
            if name not in self.sums:
                self.sums[name] = torch.zeros((), device=xb.device)
            if count:  # an empty slice's mean is NaN
                self.sums[name].add_(value.detach().float() * count)

    def take_sums(self) -> dict[str, torch.Tensor]:
        return sum_over_processes(super().take_sums())

    def global_sums(self) -> dict[str, torch.Tensor]:
        """The epoch's running sums over all processes, without resetting them."""
        return sum_over_processes({k: v.clone() for k, v in self.sums.items()})

    def close(self) -> None:
        """Take DDP's gradient hooks off the model's parameters: it may be trained again."""
        remove = getattr(self.replica, "_remove_autograd_hooks", None)
        if remove is not None:  # else they go when the wrapper is collected
            remove()
        del self.replica


@torch.no_grad()
def evaluate_loss(
    model: nn.Module,
    objective: TrainingObjective,
    X: torch.Tensor,
    batch_size: int,
    autocast_dtype: torch.dtype | None,
    device: torch.device,
    ctx: Context,
) -> dict[str, float]:
    """:func:`aekit.training.engine.evaluate_loss` with each batch split over the processes."""
    was_training = model.training
    model.eval()
    sums: dict[str, torch.Tensor] = {}
    for begin in range(0, X.shape[0], batch_size):
        lo, hi = my_slice(min(batch_size, X.shape[0] - begin), ctx)
        xb = X[begin + lo : begin + hi].to(device, non_blocking=True)
        with (
            split_batch(),
            torch.autocast(
                device.type,
                dtype=autocast_dtype or torch.float32,
                enabled=autocast_dtype is not None,
            ),
        ):
            out = objective(model, xb, train=False)
        for name, value in {"loss": out.loss, **out.terms}.items():
            total = sums.setdefault(name, torch.zeros((), device=device))
            if hi > lo:
                total.add_(value.detach().float() * (hi - lo))
    model.train(was_training)
    return {k: float(v) / X.shape[0] for k, v in sum_over_processes(sums).items()}


def own_part(state: TrainState, ctx: Context) -> TrainState:
    """A checkpoint as this process resumes it: its own noise stream; loss sums on rank 0.

    A distributed run saves one noise-generator state per process (a row each) and the loss
    sums over all processes; a run on its own saves one state, which reads as row 0.
    """
    noise = state.noise_generator
    if noise.dim() == 2 and ctx.rank < noise.shape[0]:  # else the fingerprint check refuses
        noise = noise[ctx.rank].clone()  # set_state reads from the storage's start
    sums = state.sums if ctx.is_primary else {k: torch.zeros_like(v) for k, v in state.sums.items()}
    return dataclasses.replace(state, noise_generator=noise, sums=sums)


def agree(seed: int) -> int:
    """Process 0's ``seed`` on every process of a job; ``seed`` itself on its own."""
    return broadcast_int(seed) if current().active else seed
