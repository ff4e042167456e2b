"""``aekit train`` on several processes: ``--nproc N`` starts torchrun on this machine.

``aekit train --nproc N ARGS`` runs ``python -m torch.distributed.run --standalone
--nproc-per-node N -m aekit train ARGS`` (ARGS without ``--nproc``), which is what a user
types to start the same run by hand, or across machines with ``--nnodes`` and
``--rdzv-endpoint``. Each process then trains its slice of every batch
(:mod:`aekit.training.distributed`). All of them check the output folder; process 0 alone
writes it (checkpoints, model, pictures) and prints; the others leave when training ends.

The launcher starts torchrun in a session of its own and passes SIGINT, SIGTERM and SIGHUP
on to it once; torchrun hands them to every process, which checkpoints and stops.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from aekit.cli.resume import Run
from aekit.errors import ConfigError
from aekit.training import distributed

OPTION = "--nproc"
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def add_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        OPTION,
        type=int,
        default=None,
        metavar="N",
        help="train on N processes of this machine (one per GPU) through torchrun; for "
        "several machines start torchrun yourself (see the README)",
    )


def torchrun_command(argv: Sequence[str], nproc: int) -> list[str]:
    """The torchrun command running ``argv`` (``train ...``) on ``nproc`` local processes."""
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        str(nproc),
        "-m",
        "aekit",
        *without_nproc(argv),
    ]


def without_nproc(argv: Sequence[str]) -> list[str]:
    """``argv`` less ``--nproc N`` (``--nproc=N``, or an abbreviation argparse took)."""
    out: list[str] = []
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        name = token.split("=", 1)[0]
        if len(name) >= 4 and OPTION.startswith(name):  # "--np" is already unambiguous
            skip = "=" not in token
            continue
        out.append(token)
    return out


def launch(argv: Sequence[str], nproc: int, *, quiet: bool = False) -> int:
    """Run ``aekit`` ``argv`` on ``nproc`` processes through torchrun; its exit status."""
    if distributed.launched_by_torchrun():
        raise ConfigError("--nproc starts torchrun itself: leave it out under torchrun")
    if nproc < 1:
        raise ConfigError(f"--nproc must be at least 1, got {nproc}")
    env = dict(os.environ)
    # torchrun would pin every process to one thread; share this machine's cores instead.
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    if not quiet:
        print(f"aekit train: starting {nproc} processes with torchrun", file=sys.stderr)
    child = subprocess.Popen(torchrun_command(argv, nproc), env=env, start_new_session=True)
    received: list[int] = []

    def forward(signum: int, frame: Any) -> None:
        received.append(signum)
        child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        status = child.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if received and status != 0:
        return 128 + received[0]  # as a run on one process stopped by that signal
    return 128 - status if status < 0 else status  # -N: torchrun died of signal N


# -- processes other than 0 -------------------------------------------------------------------
class FollowerRun(Run):
    """:class:`Run` for processes other than 0: it trains and resumes, and writes nothing.

    It reads the run folder (``--resume``) but never creates, fills or removes it, and keeps
    quiet: process 0 says how the run stopped and how to continue.
    """

    def _begin(self, args: argparse.Namespace, digest: str) -> None:
        pass

    def _discard(self) -> None:
        pass

    def fit(
        self, estimator: Any, X: Any, args: argparse.Namespace, source: Any = None
    ) -> int | None:
        with contextlib.redirect_stderr(io.StringIO()):
            return super().fit(estimator, X, args, source)


def run_folder(args: argparse.Namespace) -> Run:
    """The run folder as this process handles it; every process has checked it on return."""
    ctx = distributed.current()
    folder = Run(args) if ctx.is_primary else FollowerRun(args)
    if ctx.active:
        distributed.barrier()  # all have checked --out before process 0 creates anything in it
    return folder
