"""``aekit train`` checkpoints, ``--resume``, and a clean stop on Ctrl-C or SIGTERM.

While a run trains, its output folder holds only ``checkpoints/``: ``run.json`` (the
options and a digest of the training data, written before training starts) and the
training state (``training_state.safetensors`` and ``estimator.json``; a stacked model keeps
one subfolder per stage). A checkpoint is written every ``--checkpoint-every`` epochs, at
the end of training, and when SIGINT or SIGTERM asks the run to stop: the current step
finishes, the checkpoint is written, one line says how to continue, and the exit status is
130 (SIGINT) or 143 (SIGTERM). ``aekit train --resume OUT`` reads the options back from
``run.json`` and continues; an option given again with another value is a one-line error.
When the model is written, the finished folder replaces the run folder, checkpoints and
all. A run that fails before its first checkpoint removes what it created; an existing
model in the folder (``--overwrite``) is replaced only when the new one is complete.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import numpy as np

from aekit.cli.signals import stop_on_signals
from aekit.errors import ConfigError, ModelFileError, OutputError, TrainingInterrupted
from aekit.io import layout
from aekit.io.atomic import atomic_write_text, check_output_folder
from aekit.io.layout import CHECKPOINTS, RUN_FILE

RUN_FORMAT, RUN_VERSION = "aekit-train-run", 1
NOT_SAVED = (
    "run",
    "train_parser",
    "subcommand",
    "resume",
    "overwrite",
    "quiet",
    "out",
    "model_params",
    "model_params_of",
)
MAY_DIFFER = ("no_pictures", "checkpoint_every")  # how the run reports, not what it computes
PATH_OPTIONS = ("data", "data_dir", "tensorboard")
ONLY_AT_END = 2**31 - 1  # without --checkpoint-every: checkpoints only at the end or a stop


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--checkpoint-every",
        type=_positive,
        default=None,
        metavar="N",
        help="write a checkpoint every N epochs into OUT/checkpoints (default: only at the "
        "end and on Ctrl-C / SIGTERM)",
    )
    p.add_argument(
        "--resume",
        default=None,
        metavar="DIR",
        help="continue the interrupted run in DIR with its own options (see DIR/checkpoints)",
    )
    p.set_defaults(train_parser=p)


class Run:
    """One ``aekit train`` run folder: where checkpoints go and how a stop is handled."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.resuming = args.resume is not None
        self.saved: dict[str, Any] | None = None
        if self.resuming:
            self.out = Path(args.resume)
            self.saved = _read_run(self.out)
            _restore_options(args, self.saved, self.out)
        else:
            missing = [f"--{k}" for k in ("data", "out") if getattr(args, k) is None]
            if missing:
                args.train_parser.error(
                    f"the following arguments are required: {', '.join(missing)} (or --resume DIR)"
                )
            self.out = Path(args.out)
            if layout.is_unfinished_run(self.out) and not args.overwrite:
                raise OutputError(
                    f"{self.out} holds an interrupted run; continue it with "
                    f"'aekit train --resume {_quoted(self.out)}' or start again with --overwrite"
                )
            check_output_folder(self.out, overwrite=args.overwrite)  # before any training
        self.folder = self.out / CHECKPOINTS
        self._created: list[Path] = []

    def fit(
        self,
        estimator: Any,
        X: np.ndarray,
        args: argparse.Namespace,
        source: np.ndarray | None = None,
    ) -> int | None:
        """Fit with checkpoints; None when training finished, else the exit status of a stop.

        ``source``: all the rows read (``X`` is the training part of them): what the
        digest covers, so a change anywhere in the data is caught on resume.
        """
        digest = _digest(X if source is None else source)
        resume = self.resuming and self._has_checkpoint()
        if self.resuming and self.saved is not None and self.saved["data_sha256"] != digest:
            raise ConfigError(
                f"cannot resume {self.out}: the data ({args.data}) differ from those "
                "the run started with"
            )
        try:
            # Installed before run.json is written: from then on a signal always checkpoints.
            with stop_on_signals() as stop:
                if not self.resuming:
                    self._begin(args, digest)
                estimator.fit(
                    X,
                    checkpoint_dir=self.folder,
                    checkpoint_every=args.checkpoint_every or ONLY_AT_END,
                    resume=resume,
                    should_stop=stop,
                )
            if stop() is not None:  # a signal after the last step: training is complete
                raise TrainingInterrupted("stopped after training", stop())
        except TrainingInterrupted as exc:
            number = exc.signal_number or signal.SIGINT
            print(
                f"aekit train: stopped by {signal.Signals(number).name} after finishing the "
                f"current step; checkpoint saved in {self.folder}; continue with: "
                f"aekit train --resume {_quoted(self.out)}",
                file=sys.stderr,
            )
            return 128 + int(number)
        except BaseException:
            self._discard()
            raise
        return None

    def _begin(self, args: argparse.Namespace, digest: str) -> None:
        """Make the checkpoint folder and record the options, before any training."""
        try:
            missing = [d for d in (self.out, *self.out.parents) if not d.exists()]
            self._created.extend(reversed(missing))  # outermost first; removed innermost first
            if self.folder.exists():  # --overwrite: an older interrupted run goes
                shutil.rmtree(self.folder)
            self.folder.mkdir(parents=True)
            self._created.append(self.folder)
        except OSError as exc:
            self._discard()
            raise OutputError(f"cannot write {self.folder}: {exc.strerror or exc}") from None
        options = {k: _jsonable(k, v) for k, v in vars(args).items() if k not in NOT_SAVED}
        record = {
            "format": RUN_FORMAT,
            "version": RUN_VERSION,
            "options": options,
            "data_sha256": digest,
        }
        try:  # a full disk or an unwritable folder shows here, before training
            atomic_write_text(self.folder / RUN_FILE, json.dumps(record, indent=1))
        except BaseException:
            self._discard()
            raise

    def _has_checkpoint(self) -> bool:
        return layout.has_training_state(self.folder)

    def _discard(self) -> None:
        """After a failure: remove what this run created, unless a checkpoint is worth keeping."""
        if self.resuming or self._has_checkpoint():
            return
        for path in reversed(self._created):
            if path == self.folder:
                shutil.rmtree(path, ignore_errors=True)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def _read_run(out: Path) -> dict[str, Any]:
    path = out / CHECKPOINTS / RUN_FILE
    if not path.is_file():
        raise ModelFileError(
            f"{out}: no interrupted run to resume ({CHECKPOINTS}/{RUN_FILE} is missing)"
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        record = None
    ok = (
        isinstance(record, dict)
        and record.get("format") == RUN_FORMAT
        and isinstance(record.get("options"), dict)
        and isinstance(record.get("data_sha256"), str)
    )
    if not ok:
        raise ModelFileError(f"{path}: not an aekit run record")
    if record["version"] != RUN_VERSION:
        raise ModelFileError(f"{path}: run record version {record['version']!r} not supported")
    return record


def _restore_options(args: argparse.Namespace, record: dict[str, Any], out: Path) -> None:
    """Fill ``args`` from the saved options; an option given with another value is an error."""
    parser = args.train_parser
    if args.out is not None and Path(args.out).resolve() != out.resolve():
        raise ConfigError(f"--out {args.out} differs from --resume {out}; leave --out out")
    for key, saved in record["options"].items():
        if not hasattr(args, key):
            raise ModelFileError(f"{out / CHECKPOINTS / RUN_FILE}: unknown option {key!r}")
        given = _jsonable(key, getattr(args, key))
        if given != _jsonable(key, parser.get_default(key)) and given != saved:
            if key in MAY_DIFFER:
                continue
            option = "--" + key.replace("_", "-")
            raise ConfigError(
                f"cannot resume {out}: it was started with {option} {_shown(saved)}, "
                f"not {_shown(given)}"
            )
        setattr(args, key, tuple(saved) if isinstance(saved, list) else saved)
    args.out = str(out)


def _jsonable(key: str, value: Any) -> Any:
    if key in PATH_OPTIONS and isinstance(value, str) and Path(value).exists():
        return str(Path(value).resolve())  # resumable from another working directory
    return json.loads(json.dumps(value))


def _digest(X: np.ndarray) -> str:
    h = hashlib.sha256(repr((X.shape, str(X.dtype))).encode())
    h.update(np.ascontiguousarray(X).data)
    return h.hexdigest()


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return "(not given)" if value is None else str(value)


def _quoted(path: Path) -> str:
    return shlex.quote(str(path))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value
