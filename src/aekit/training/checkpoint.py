"""Training checkpoints: everything needed to continue a run as if it had never stopped.

One file, ``training_state.safetensors``: tensors (weights, optimiser moments, random-number
generator states, the epoch's running loss sums) plus a JSON header (epoch, position in the
epoch, history, optimiser hyper-parameters, schedule). It is written to a temporary file,
flushed and renamed, so a kill at any moment leaves the previous checkpoint intact.
Nothing is pickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from aekit.errors import ModelFileError, OutputError
from aekit.io import layout
from aekit.io.atomic import atomic_path
from aekit.io.safetensors_check import read_header

FILENAME = layout.TRAINING_STATE  # where: aekit.io.layout
VERSION = 1


@dataclass
class TrainState:
    """Where a run stands: after ``next_begin`` rows of epoch ``epoch`` (1-based)."""

    epoch: int
    next_begin: int  # first row of the epoch's permutation not yet trained on
    fingerprint: dict[str, Any]  # what must match to resume (data size, seed, settings)
    history: dict[str, list[float]]
    model: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    schedule: dict[str, Any] | None
    perm_generator: torch.Tensor  # generator state before this epoch's permutation
    noise_generator: torch.Tensor
    sums: dict[str, torch.Tensor] = field(default_factory=dict)
    best: dict[str, Any] | None = None  # early stopping: {"loss", "epoch", "weights"}
    average: dict[str, torch.Tensor] | None = None  # WeightAverage.state()


def save(state: TrainState, folder: str | Path) -> Path:
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {folder}: {exc.strerror or exc}") from None
    tensors: dict[str, torch.Tensor] = {}
    for k, v in state.model.items():
        tensors[f"model.{k}"] = v
    opt_meta = _split_optimizer(state.optimizer, tensors)
    tensors["rng.perm"] = state.perm_generator
    tensors["rng.noise"] = state.noise_generator
    for k, v in state.sums.items():
        tensors[f"sums.{k}"] = v.reshape(1)
    best_meta = None
    if state.best is not None:
        best_meta = {"loss": state.best["loss"], "epoch": state.best["epoch"]}
        for k, v in (state.best["weights"] or {}).items():
            tensors[f"best.{k}"] = v
    for k, v in (state.average or {}).items():
        tensors[f"average.{k}"] = v
    meta = {
        "version": VERSION,
        "epoch": state.epoch,
        "next_begin": state.next_begin,
        "fingerprint": state.fingerprint,
        "history": state.history,
        "optimizer": opt_meta,
        "schedule": _jsonable(state.schedule),
        "best": best_meta,
        "average": state.average is not None,
    }
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    path = folder / FILENAME
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"aekit_training_state": json.dumps(meta)})
    return path


def load(folder: str | Path) -> TrainState:
    path = Path(folder) / FILENAME
    if not path.is_file():
        raise ModelFileError(f"{folder}: no checkpoint to resume from ({FILENAME} is missing)")
    read_header(path)  # bounded, pickle-free checks before loading
    with open(path, "rb") as fh:
        n = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(n))
    try:
        meta = json.loads(header["__metadata__"]["aekit_training_state"])
        version = meta.get("version")
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{path}: not an aekit training checkpoint") from None
    if version != VERSION:
        raise ModelFileError(f"{path}: checkpoint version {version!r} not supported")
    tensors = load_file(str(path))
    try:
        return _state(meta, tensors)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ModelFileError(f"{path}: not an aekit training checkpoint") from None


def _state(meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> TrainState:
    best = None
    if meta["best"] is not None:
        weights = _prefixed(tensors, "best.") or None
        best = {**meta["best"], "weights": weights}
    return TrainState(
        epoch=meta["epoch"],
        next_begin=meta["next_begin"],
        fingerprint=meta["fingerprint"],
        history=meta["history"],
        model=_prefixed(tensors, "model."),
        optimizer=_join_optimizer(meta["optimizer"], tensors),
        schedule=meta["schedule"],
        perm_generator=tensors["rng.perm"],
        noise_generator=tensors["rng.noise"],
        sums={k: v.reshape(()) for k, v in _prefixed(tensors, "sums.").items()},
        best=best,
        average=_prefixed(tensors, "average.") if meta.get("average") else None,
    )


def _split_optimizer(state_dict: dict[str, Any], tensors: dict[str, torch.Tensor]) -> dict:
    """Tensors of the optimiser state go to the file's tensors; the rest stays JSON."""
    per_param: dict[str, dict[str, Any]] = {}
    for index, entries in state_dict["state"].items():
        per_param[str(index)] = {}
        for name, value in entries.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{index}.{name}"] = value
                per_param[str(index)][name] = {"tensor": True, "shape": list(value.shape)}
            else:
                per_param[str(index)][name] = value
    return {"state": per_param, "param_groups": _jsonable(state_dict["param_groups"])}


def _join_optimizer(meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for index, entries in meta["state"].items():
        state[int(index)] = {
            name: tensors[f"optimizer.{index}.{name}"] if isinstance(v, dict) else v
            for name, v in entries.items()
        }
    return {"state": state, "param_groups": meta["param_groups"]}


def _prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def _jsonable(value: Any) -> Any:
    if torch.is_tensor(value):
        return value.item() if value.numel() == 1 else value.tolist()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
