"""``aekit train --task anomaly``: an anomaly detector instead of a plain model.

The detector (:class:`aekit.AnomalyDetector`) wraps a member: the one the command line
names when it names one (``--model`` or any of its flags), else the detector's default,
sized to the data. It sets its threshold on a held-out part of the training rows for a
stated false-alarm rate; the rows ``aekit train`` held out itself are scored after training
to report how many it flags.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from aekit.anomaly.detector import AnomalyDetector
from aekit.cli import data_source
from aekit.data.dataset import Dataset
from aekit.errors import ConfigError
from aekit.estimators.params import Int
from aekit.io import layout
from aekit.io.atomic import atomic_write_text, staged_folder

TASKS = ("reconstruction", "anomaly")


def add_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--task",
        default="reconstruction",
        choices=TASKS,
        help="anomaly: train an anomaly detector (its threshold set on held-out rows for a "
        "1%% false-alarm rate; score new rows with 'aekit score')",
    )
    p.add_argument(
        "--n-members",
        type=Int(1).parse,  # the same words as every integer flag
        default=None,
        metavar="K",
        help="with --task anomaly: K members seeded apart, their held-out-scaled scores "
        "averaged (default: 3 for the default member, 1 for one chosen by flags)",
    )


def names_a_member(argv: Sequence[str], flags: Sequence[str]) -> bool:
    """True when the command line chooses the member: --model or one of its flags."""
    chosen = {"--model", *flags}
    return any(word.split("=", 1)[0] in chosen for word in argv)


def check_options(args: argparse.Namespace) -> None:
    """Before any work: a detector trains in one process, in one go."""
    if args.task != "anomaly":
        if args.n_members is not None:
            raise ConfigError("--n-members is for --task anomaly (an ensemble of detectors)")
        return
    if args.resume is not None or args.checkpoint_every is not None or args.nproc is not None:
        raise ConfigError(
            "--task anomaly trains in one go: leave out --resume, --checkpoint-every, --nproc"
        )


def run(
    args: argparse.Namespace,
    data: Dataset,
    member: Any,
    out: Path,
    say: Callable[..., None],
) -> int:
    """Fit the detector on the training rows, report on the held-out ones, write the folder."""
    n_members = "auto" if args.n_members is None else args.n_members
    detector = AnomalyDetector(member, random_state=args.random_state, n_members=n_members)
    started = time.perf_counter()
    detector.fit(data.X_train)
    seconds = time.perf_counter() - started
    metrics: dict[str, Any] = {
        "task": "anomaly",
        "train_seconds": seconds,
        "threshold": detector.threshold_,
        "false_alarm_rate_measured": detector.false_alarm_rate_,
        "false_alarm_rate_asked": detector.false_alarm_rate,
        "data": data_source.record(args, data),  # aekit report re-reads the same rows
    }
    say(
        f"threshold {detector.threshold_:.4g}: flags {100 * detector.false_alarm_rate_:.1f} % of "
        f"the detector's own held-out training rows (asked: {100 * detector.false_alarm_rate:g} %)"
    )
    if data.X_test is not None:
        flags = detector.predict(data.X_test) == -1
        metrics.update(n_held_out=int(flags.size), flagged_held_out=int(flags.sum()))
        share = 100 * flags.mean()
        print(f"flagged {int(flags.sum())} of {flags.size} held-out rows ({share:.1f} %)")
    with staged_folder(out, overwrite=True) as tmp:  # checked before training
        detector.write_files(tmp)
        atomic_write_text(tmp / layout.METRICS, json.dumps(metrics, indent=2))
    say(f"detector written to {out} in {seconds:.1f} s of training; score rows with 'aekit score'")
    return 0
