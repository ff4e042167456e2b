"""Model folders as files: ``config.json`` + ``model.safetensors`` (+ ``history.json``).

File tools only: what a saved estimator's config holds is the estimator's business
(:mod:`aekit.estimators.persistence`). Here: writing the files atomically (config last, so a
folder with a config is complete), reading a config with bounded size and a known format
version, and reading tensors after checking the safetensors header (names, shapes, dtype)
against what the caller expects, so nothing is allocated from an untrusted claim and
nothing is ever unpickled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from aekit.errors import ModelFileError
from aekit.io import layout
from aekit.io.atomic import atomic_path, atomic_write_text
from aekit.io.safetensors_check import looks_like_pickle, read_header

FORMAT = "aekit-model"
FORMAT_VERSION = 1
MAX_JSON = 8 * 1024 * 1024
PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".bin", ".ckpt", ".joblib")


def write_model_files(
    folder: Path,
    config: dict[str, Any],
    tensors: dict[str, torch.Tensor],
    history: dict[str, list[float]] | None = None,
) -> None:
    """Write a model's files into an existing folder, each atomically, the config last."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    with atomic_path(folder / layout.WEIGHTS) as tmp:
        save_file(tensors, str(tmp), metadata={"format": FORMAT})
    if history is not None:
        atomic_write_text(folder / layout.HISTORY, json.dumps(history, indent=1))
    record = {"format": FORMAT, "format_version": FORMAT_VERSION, **config}
    atomic_write_text(folder / layout.CONFIG, json.dumps(record, indent=2))  # marks completion


def read_config(folder: Path) -> dict[str, Any]:
    """Read and check ``config.json``: exists, bounded, JSON, our format, a version we read."""
    if not folder.exists():
        raise ModelFileError(f"{folder}: no such model folder")
    if not folder.is_dir():
        if looks_like_pickle(folder) or folder.suffix in PICKLE_SUFFIXES:
            raise ModelFileError(
                f"{folder}: a pickle file, not an aekit model folder; "
                "aekit never unpickles, refused"
            )
        raise ModelFileError(
            f"{folder}: not a model folder (expected a folder with {layout.CONFIG})"
        )
    path = folder / layout.CONFIG
    if not path.is_file():
        if layout.is_unfinished_run(folder):
            raise ModelFileError(
                f"{folder}: an unfinished 'aekit train' run, no model yet; "
                f"continue it with 'aekit train --resume {folder}'"
            )
        raise ModelFileError(f"{folder}: incomplete model folder, {layout.CONFIG} is missing")
    config = read_json(path)
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an aekit model config (format is not {FORMAT!r})")
    version = config.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{path}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: format version {version} is newer than this aekit reads "
            f"({FORMAT_VERSION}); upgrade aekit (pip install -U aekit)"
        )
    if not isinstance(config.get("estimator"), str):
        raise ModelFileError(f"{path}: field 'estimator' is missing or not a str")
    return config


def require_fields(folder: Path, config: dict[str, Any], fields: Mapping[str, type]) -> None:
    """Each of ``fields`` is in ``config`` with its JSON type, else one line naming it."""
    for key, kind in fields.items():
        if not isinstance(config.get(key), kind):
            raise ModelFileError(
                f"{folder / layout.CONFIG}: field {key!r} is missing or not a {kind.__name__}"
            )


def read_json(path: Path) -> Any:
    """A JSON file of at most ``MAX_JSON`` bytes."""
    if path.stat().st_size > MAX_JSON:
        raise ModelFileError(f"{path}: larger than {MAX_JSON} bytes, refused")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelFileError(f"{path}: not valid JSON ({str(exc).splitlines()[0]})") from None


def read_tensors(
    folder: Path, expected: dict[str, tuple[int, ...]], name: str = layout.WEIGHTS
) -> dict[str, torch.Tensor]:
    """The tensors of ``name`` (``model.safetensors``), once its header matches ``expected``."""
    weights = folder / name
    if not weights.is_file():
        pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise ModelFileError(
                f"{folder}: holds {pickles[0]} (a pickle) instead of {layout.WEIGHTS}; "
                "aekit never unpickles, refused"
            )
        raise ModelFileError(f"{folder}: incomplete model folder, {layout.WEIGHTS} is missing")
    _check_tensors(weights, read_header(weights), expected)
    try:
        return load_file(str(weights))
    except Exception as exc:  # safetensors' own checks: a last line of defence after ours
        if type(exc).__name__ != "SafetensorError":
            raise
        raise ModelFileError(f"{weights}: not a valid safetensors file ({exc})") from None


def write_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    """Write named tensors as one safetensors file, atomically."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"format": FORMAT})


def tensor_shape(path: Path, name: str) -> tuple[int, ...] | None:
    """The shape the header of ``path`` gives tensor ``name``, None if absent (bounded read)."""
    entry = read_header(path).get(name)
    return tuple(entry["shape"]) if isinstance(entry, dict) and "shape" in entry else None


def _check_tensors(path: Path, header: dict, expected: dict[str, tuple[int, ...]]) -> None:
    missing = sorted(set(expected) - set(header))
    extra = sorted(set(header) - set(expected))
    if missing or extra:
        what = f"missing {missing[0]}" if missing else f"unexpected {extra[0]}"
        raise ModelFileError(f"{path}: tensors do not match the config ({what})")
    for name, shape in expected.items():
        found = tuple(header[name]["shape"])
        if found != shape or header[name]["dtype"] != "F32":
            raise ModelFileError(
                f"{path}: tensor {name} has shape {found} "
                f"{header[name]['dtype']}, config expects {shape} F32"
            )


def read_history(folder: Path) -> dict[str, list[float]]:
    """The per-epoch losses: optional, but when present, a JSON object of number lists."""
    path = folder / layout.HISTORY
    if not path.is_file():
        return {}
    if path.stat().st_size > MAX_JSON:
        raise ModelFileError(f"{path}: larger than {MAX_JSON} bytes, refused")
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        history = None
    ok = isinstance(history, dict) and all(
        isinstance(v, list)
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
        for v in history.values()
    )
    if not ok:
        raise ModelFileError(
            f"{path}: not a history of per-epoch numbers; delete it to load the model without it"
        )
    return history
