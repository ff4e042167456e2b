"""Model folders: ``config.json`` + ``model.safetensors`` (+ ``history.json``). Never pickle.

Loading checks the config (format, version, types) and the safetensors header (names,
shapes, sizes) against a model built on the meta device, so nothing is allocated from an
untrusted claim and nothing is unpickled.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from aekit._version import __version__
from aekit.data.scaling import Scaler
from aekit.errors import AekitError, ModelFileError
from aekit.io import config_schema
from aekit.io.atomic import atomic_path, atomic_write_text, staged_folder
from aekit.io.safetensors_check import looks_like_pickle, read_header
from aekit.models.builders import build_module

FORMAT = "aekit-model"
FORMAT_VERSION = 1
CONFIG, WEIGHTS, HISTORY = "config.json", "model.safetensors", "history.json"
# What `aekit train` keeps in its output folder until the model is written (aekit.cli.resume).
CHECKPOINTS, RUN_FILE = "checkpoints", "run.json"
MAX_JSON = 8 * 1024 * 1024
PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".bin", ".ckpt", ".joblib")
SKIPPED_PARAMS = ("callbacks", "verbose")


def save(estimator: Any, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write a fitted estimator to the folder ``path``, atomically."""
    with staged_folder(path, overwrite=overwrite) as tmp:
        write_model_files(estimator, tmp)
    return Path(path)


def write_model_files(estimator: Any, folder: Path) -> None:
    """Write the model files into an existing folder (each file atomically)."""
    from aekit.estimators.registry import ESTIMATORS

    name = next((n for n in ESTIMATORS if ESTIMATORS.get(n) is type(estimator)), None)
    if name is None or not hasattr(estimator, "module_"):
        raise AekitError("only a fitted aekit estimator can be saved")
    params = {k: v for k, v in estimator.get_params(deep=False).items() if k not in SKIPPED_PARAMS}
    image_shape = getattr(estimator, "image_shape_", None)
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "aekit_version": __version__,
        "torch_version": torch.__version__,
        "estimator": name,
        "params": _jsonable(params),
        "model": estimator.config_.to_dict(),
        "preprocessing": {"kind": estimator.scaler_.kind},
        "input_schema": {
            "n_features": int(estimator.n_features_in_),
            "dtype": "float32",
            "image_shape": list(image_shape) if image_shape else None,
        },
        "loss": {"likelihood": estimator.loss_, "reason": estimator.loss_reason_},
    }
    tensors = {k: v.detach().cpu().contiguous() for k, v in estimator.module_.state_dict().items()}
    tensors["preprocessing.offset"] = torch.from_numpy(estimator.scaler_.offset.copy())
    tensors["preprocessing.scale"] = torch.from_numpy(estimator.scaler_.scale.copy())
    with atomic_path(folder / WEIGHTS) as tmp:
        save_file(tensors, str(tmp), metadata={"format": FORMAT})
    atomic_write_text(folder / HISTORY, json.dumps(estimator.history_, indent=1))
    atomic_write_text(folder / CONFIG, json.dumps(config, indent=2))  # last: marks completion


def load(path: str | os.PathLike[str]) -> Any:
    """Rebuild a fitted estimator from a model folder written by ``save``."""
    folder = Path(path)
    config = read_config(folder)
    weights = folder / WEIGHTS
    if not weights.is_file():
        pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise ModelFileError(
                f"{folder}: holds {pickles[0]} (a pickle) instead of {WEIGHTS}; "
                "aekit never unpickles, refused"
            )
        raise ModelFileError(f"{folder}: incomplete model folder, {WEIGHTS} is missing")
    try:
        checked = config_schema.check(config)  # types, ranges, agreement: before any build
        model_config, n_features = checked.model_config, checked.n_features
        estimator = checked.estimator_class(**checked.params)
    except AekitError as exc:
        raise ModelFileError(f"{folder / CONFIG}: {exc}") from None
    history = _read_history(folder / HISTORY)

    with torch.device("meta"):  # shapes only: nothing allocated from the file's claims
        expected = {k: tuple(v.shape) for k, v in build_module(model_config).state_dict().items()}
    expected["preprocessing.offset"] = (n_features,)
    expected["preprocessing.scale"] = (n_features,)
    header = read_header(weights)
    _check_tensors(weights, header, expected)
    try:
        tensors = load_file(str(weights))
    except Exception as exc:  # safetensors' own checks: a last line of defence after ours
        if type(exc).__name__ != "SafetensorError":
            raise
        raise ModelFileError(f"{weights}: not a valid safetensors file ({exc})") from None

    module = build_module(model_config)
    module.load_state_dict({k: tensors[k] for k in expected if not k.startswith("preprocessing.")})
    module.eval()
    estimator.module_ = module
    estimator.config_ = model_config
    estimator.scaler_ = Scaler(
        checked.scale,
        tensors["preprocessing.offset"].numpy(),
        tensors["preprocessing.scale"].numpy(),
    )
    estimator.n_features_in_ = n_features
    estimator.loss_, estimator.loss_reason_ = checked.likelihood, checked.reason
    estimator.image_shape_ = checked.image_shape
    estimator.history_ = history
    estimator.n_iter_ = len(estimator.history_.get("loss", []))
    return estimator


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
        raise ModelFileError(f"{folder}: not a model folder (expected a folder with {CONFIG})")
    path = folder / CONFIG
    if not path.is_file():
        if (folder / CHECKPOINTS / RUN_FILE).is_file():
            raise ModelFileError(
                f"{folder}: an unfinished 'aekit train' run, no model yet; "
                f"continue it with 'aekit train --resume {folder}'"
            )
        raise ModelFileError(f"{folder}: incomplete model folder, {CONFIG} is missing")
    if path.stat().st_size > MAX_JSON:
        raise ModelFileError(f"{path}: larger than {MAX_JSON} bytes, refused")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelFileError(f"{path}: not valid JSON ({str(exc).splitlines()[0]})") from None
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
    for key, kind in (
        ("params", dict),
        ("model", dict),
        ("input_schema", dict),
        ("preprocessing", dict),
        ("loss", dict),
        ("estimator", str),
    ):
        if not isinstance(config.get(key), kind):
            raise ModelFileError(f"{path}: field {key!r} is missing or not a {kind.__name__}")
    return config


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


def _read_history(path: Path) -> dict[str, list[float]]:
    """The per-epoch losses: optional, but when present, a JSON object of number lists."""
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
    return history  # type: ignore[return-value]


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, tuple):
            v = list(v)
        elif isinstance(v, np.generic):
            v = v.item()
        out[k] = v
    return out
