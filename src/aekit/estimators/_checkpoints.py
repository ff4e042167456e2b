"""What an estimator adds to the engine's checkpoints: its parameters and seed.

The engine checks what it sees (data size, seed, optimiser settings); the estimator's own
parameters (layer sizes, penalties, noise) live in ``estimator.json`` beside the engine's
``training_state.safetensors``, so that ``fit(..., resume=True)`` with other parameters is a
one-line error instead of a silently different model, and a run fitted with
``random_state=None`` resumes with the seed it drew.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aekit.errors import ConfigError, ModelFileError, OutputError
from aekit.io import layout
from aekit.io.atomic import atomic_write_text

FILENAME = layout.ESTIMATOR_RECORD  # where: aekit.io.layout
# Not part of what a run computes: how it reports progress, and where it runs.
IGNORED_PARAMS = ("callbacks", "verbose", "device", "random_state")


def check_options(
    checkpoint_dir: str | os.PathLike[str] | None,
    checkpoint_every: Any,
    resume: Any,
    should_stop: Callable[[], int | None] | None,
) -> None:
    """Refuse bad values of fit's checkpoint keywords with one line each."""
    if isinstance(checkpoint_every, bool) or not isinstance(checkpoint_every, int):
        raise ConfigError(f"checkpoint_every must be an integer >= 1, got {checkpoint_every!r}")
    if checkpoint_every < 1:
        raise ConfigError(f"checkpoint_every must be an integer >= 1, got {checkpoint_every!r}")
    if not isinstance(resume, bool):
        raise ConfigError(f"resume must be true or false, got {resume!r}")
    if resume and checkpoint_dir is None:
        raise ConfigError("resume=True needs the checkpoint_dir of the run to continue")
    if should_stop is not None and not callable(should_stop):
        raise ConfigError(f"should_stop must be a callable or None, got {should_stop!r}")


def start(folder: str | os.PathLike[str], estimator: Any, seed: int) -> None:
    """Record the parameters and seed of a new run in ``folder``."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    record = {"estimator": type(estimator).__name__, "params": _params(estimator), "seed": seed}
    atomic_write_text(path / FILENAME, json.dumps(record, indent=1))


def resumed_seed(folder: str | os.PathLike[str], estimator: Any) -> int:
    """The seed of the run recorded in ``folder``, after checking the parameters match."""
    path = Path(folder) / FILENAME
    if not path.is_file():
        raise ModelFileError(f"{folder}: no checkpoint to resume from ({FILENAME} is missing)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        saved, seed, name = record["params"], record["seed"], record["estimator"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise ModelFileError(f"{path}: not an aekit estimator record") from None
    if name != type(estimator).__name__:
        raise ConfigError(
            f"cannot resume: the checkpoint is of a {name}, not a {type(estimator).__name__}"
        )
    if not isinstance(saved, dict) or not isinstance(seed, int) or isinstance(seed, bool):
        raise ModelFileError(f"{path}: not an aekit estimator record")
    current = _params(estimator)
    differs = sorted(k for k in set(saved) | set(current) if saved.get(k) != current.get(k))
    if differs:
        shown = ", ".join(f"{k}={saved.get(k)!r}" for k in differs)
        raise ConfigError(f"cannot resume: the checkpoint was made with other parameters ({shown})")
    wanted = estimator.random_state
    if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted % 2**63 != seed:
        raise ConfigError(f"cannot resume: the checkpoint was made with random_state={seed}")
    return seed


def _params(estimator: Any) -> dict[str, Any]:
    params = estimator.get_params(deep=False)
    kept = {k: v for k, v in params.items() if k not in IGNORED_PARAMS}
    return json.loads(json.dumps(kept, default=repr))  # tuples become lists, as when read back
