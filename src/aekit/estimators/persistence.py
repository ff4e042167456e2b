"""Estimators save themselves: one contract, config out, state out, and back.

Every saved estimator (each family member, :class:`~aekit.PretrainedClassifier`, and what
wraps them) implements :class:`SavesItself`: ``_config_out`` (a JSON object: parameters,
model config, preprocessing, data schema), ``_state_out`` (named tensors) and the
classmethod ``_from_saved`` that rebuilds a fitted estimator from both. :func:`load` reads a
folder's config, finds the class it names in :mod:`aekit.estimators.registry`, and lets it
rebuild itself. The file tools below (atomic writes, header checks, never pickle) are in
:mod:`aekit.io.model_files`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aekit._version import __version__
from aekit.data.scaling import Scaler
from aekit.errors import AekitError, ModelFileError
from aekit.io import layout, model_files
from aekit.io.atomic import staged_folder
from aekit.models.builders import build_module
from aekit.training import distributed

SKIPPED_PARAMS = ("callbacks", "verbose")  # how a run reports, not what it is
MEMBER_FIELDS = {
    "params": dict,
    "model": dict,
    "input_schema": dict,
    "preprocessing": dict,
    "loss": dict,
}


class SavesItself:
    """The persistence contract; subclasses provide the three methods below."""

    def _config_out(self) -> dict[str, Any]:
        raise NotImplementedError

    def _state_out(self) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    @classmethod
    def _from_saved(cls, folder: Path, config: dict[str, Any]) -> Any:
        raise NotImplementedError

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write the fitted estimator to the folder ``path``: config.json + model.safetensors.

        Written to a temporary folder and renamed, so a failure leaves no half-written
        folder and never replaces an existing one. Under torchrun only process 0 writes.
        """
        if distributed.is_primary():
            with staged_folder(path, overwrite=overwrite) as tmp:
                self.write_files(tmp)

    def write_files(self, folder: Path) -> None:
        """Write the model files into the existing folder ``folder``."""
        if not hasattr(self, "module_"):
            raise AekitError("only a fitted aekit estimator can be saved")
        config = {
            "aekit_version": __version__,
            "torch_version": torch.__version__,
            "estimator": saved_name(type(self)),
            **self._config_out(),
        }
        history = getattr(self, "history_", None)
        model_files.write_model_files(folder, config, self._state_out(), history)


def load(path: str | os.PathLike[str]) -> Any:
    """Rebuild a fitted estimator from a model folder written by ``save``."""
    from aekit.estimators.registry import SAVED  # the registry imports every estimator

    folder = Path(path)
    config = model_files.read_config(folder)
    try:
        cls = SAVED.get(config["estimator"])
    except AekitError as exc:
        raise ModelFileError(f"{folder / layout.CONFIG}: {exc}") from None
    return cls._from_saved(folder, config)


def saved_name(cls: type) -> str:
    from aekit.estimators.registry import SAVED

    name = next((n for n in SAVED if SAVED.get(n) is cls), None)
    if name is None:
        raise AekitError(f"{cls.__name__} is not a registered aekit estimator; cannot save it")
    return name


class MemberFiles(SavesItself):
    """How a family member saves: its parameters, network, scaling and data schema."""

    def _config_out(self) -> dict[str, Any]:
        est: Any = self
        params = {k: v for k, v in est.get_params(deep=False).items() if k not in SKIPPED_PARAMS}
        image_shape = getattr(est, "image_shape_", None)
        return {
            "params": _jsonable(params),
            "model": est.config_.to_dict(),
            "preprocessing": {
                "kind": est.scaler_.kind,
                "reason": getattr(est, "scale_reason_", ""),
            },
            "input_schema": {
                "n_features": int(est.n_features_in_),
                "dtype": "float32",
                "image_shape": list(image_shape) if image_shape else None,
                "feature_names": _names(getattr(est, "feature_names_in_", None)),
                "label_column": getattr(est, "label_column_", None),
            },
            "loss": {"likelihood": est.loss_, "reason": est.loss_reason_},
        }

    def _state_out(self) -> dict[str, torch.Tensor]:
        est: Any = self
        tensors = dict(est.module_.state_dict())
        tensors["preprocessing.offset"] = torch.from_numpy(est.scaler_.offset.copy())
        tensors["preprocessing.scale"] = torch.from_numpy(est.scaler_.scale.copy())
        return tensors

    @classmethod
    def _from_saved(cls, folder: Path, config: dict[str, Any]) -> Any:
        checked = cls._checked(folder, config)
        tensors = model_files.read_tensors(folder, cls._expected(checked))
        return cls._rebuilt(checked, tensors, model_files.read_history(folder))

    @classmethod
    def _checked(cls, folder: Path, config: dict[str, Any]) -> Any:
        """The config's records, checked (types, ranges, agreement) before any build."""
        from aekit.estimators.saved_config import check

        model_files.require_fields(folder, config, MEMBER_FIELDS)
        try:
            checked = check(config, cls)
            cls(**checked.params)  # the parameters make an estimator
        except AekitError as exc:
            raise ModelFileError(f"{folder / layout.CONFIG}: {exc}") from None
        return checked

    @staticmethod
    def _expected(checked: Any) -> dict[str, tuple[int, ...]]:
        """The names and shapes of the tensors the checked config needs."""
        with torch.device("meta"):  # shapes only: nothing allocated from the file's claims
            module = build_module(checked.model_config)
        expected = {k: tuple(v.shape) for k, v in module.state_dict().items()}
        n = checked.n_features
        expected.update({"preprocessing.offset": (n,), "preprocessing.scale": (n,)})
        return expected

    @classmethod
    def _rebuilt(
        cls, checked: Any, tensors: dict[str, torch.Tensor], history: dict[str, list[float]]
    ) -> Any:
        """A fitted estimator from a checked config and its tensors."""
        estimator: Any = cls(**checked.params)
        module = build_module(checked.model_config)
        weights = {k: v for k, v in tensors.items() if not k.startswith("preprocessing.")}
        module.load_state_dict(weights)
        estimator.module_ = module.eval()
        estimator.config_ = checked.model_config
        estimator.scaler_ = Scaler(
            checked.scale,
            tensors["preprocessing.offset"].numpy(),
            tensors["preprocessing.scale"].numpy(),
        )
        estimator.n_features_in_ = checked.n_features
        estimator.scale_reason_ = checked.scale_reason
        estimator.loss_, estimator.loss_reason_ = checked.likelihood, checked.reason
        estimator.image_shape_ = checked.image_shape
        if checked.feature_names is not None:
            estimator.feature_names_in_ = np.asarray(checked.feature_names, dtype=object)
        estimator.label_column_ = checked.label_column
        estimator.history_ = history
        estimator.n_iter_ = len(history.get("loss", []))
        return estimator


def _names(names: Any) -> list[str] | None:
    return None if names is None else [str(n) for n in names]


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, tuple):
            v = list(v)
        elif isinstance(v, np.generic):
            v = v.item()
        out[k] = v
    return out
