"""The PCA baseline kept beside a model: written by ``aekit train``, read by ``evaluate``."""

from __future__ import annotations

from pathlib import Path

import torch

from aekit.errors import ModelFileError
from aekit.evaluation.metrics import PCABaseline
from aekit.io import layout, model_files


def write_baseline(folder: Path, baseline: PCABaseline) -> None:
    tensors = {
        "mean": torch.from_numpy(baseline.mean.astype("float32")),
        "components": torch.from_numpy(baseline.components.astype("float32")),
    }
    model_files.write_tensors(folder / layout.PCA_BASELINE, tensors)


def read_baseline(folder: Path, n_features: int) -> PCABaseline | None:
    """The model folder's PCA baseline, checked against the model's width; None if absent."""
    path = folder / layout.PCA_BASELINE
    if not path.is_file():
        return None
    shape = model_files.tensor_shape(path, "components")
    if shape is None or len(shape) != 2 or not 1 <= shape[0] <= n_features:
        raise ModelFileError(f"{path}: not a PCA baseline of {n_features} features")
    expected = {"mean": (n_features,), "components": (shape[0], n_features)}
    tensors = model_files.read_tensors(folder, expected, name=layout.PCA_BASELINE)
    return PCABaseline(tensors["mean"].double().numpy(), tensors["components"].double().numpy())
