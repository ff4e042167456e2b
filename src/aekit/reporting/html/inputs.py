"""What a report is written from: the model folder, its estimator and the run's data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aekit.anomaly.detector import AnomalyDetector
from aekit.data.dataset import Dataset
from aekit.errors import ConfigError, DataError
from aekit.estimators.base import BaseAutoencoder
from aekit.evaluation.baseline_files import read_baseline
from aekit.evaluation.metrics import PCABaseline
from aekit.io import layout, model_files
from aekit.reporting.html.sprite import as_chw


@dataclass
class ReportInputs:
    """A run as the report sees it (build with :func:`report_inputs`)."""

    folder: Path
    model: Any  # the estimator the folder holds: an autoencoder or an AnomalyDetector
    member: BaseAutoencoder  # the autoencoder that encodes and decodes (a detector's member)
    data: Dataset  # split as in training: X_test holds the held-out rows, if any
    split: str  # what the held-out rows are called: "test", "held-out", ...
    source: str  # where the data came from, for the page
    metrics: dict[str, Any]
    config: dict[str, Any]  # config.json
    image_shape: tuple[int, int, int] | None  # (c, h, w) with c 1 or 3; None: a table
    baseline: PCABaseline  # the run's PCA (or one fitted here, see baseline_note)
    baseline_note: str
    seed: int

    @property
    def detector(self) -> AnomalyDetector | None:
        return self.model if isinstance(self.model, AnomalyDetector) else None

    @property
    def X_eval(self) -> np.ndarray:
        return self.data.X_train if self.data.X_test is None else self.data.X_test

    @property
    def y_eval(self) -> np.ndarray | None:
        return self.data.y_train if self.data.X_test is None else self.data.y_test


def report_inputs(
    folder: str | Path, model: Any, data: Dataset, split: str, source: str, seed: int = 0
) -> ReportInputs:
    """Check that ``data`` fits ``model`` and gather what the report is written from."""
    folder = Path(folder)
    member = model.member_ if isinstance(model, AnomalyDetector) else model
    if not isinstance(member, BaseAutoencoder):
        raise ConfigError(
            f"{folder} holds a {type(model).__name__}; aekit report takes an autoencoder or "
            "an anomaly detector"
        )
    n_features = int(member.n_features_in_)
    if data.n_features != n_features:
        raise DataError(
            f"{data.name} has {data.n_features} features, but the model in {folder} was "
            f"trained on {n_features}"
        )
    metrics = _json(folder / layout.METRICS)
    baseline = read_baseline(folder, n_features)
    note = "the PCA the run was measured against (pca_baseline.safetensors)"
    if baseline is None or baseline.components.shape[0] < 2:  # a detector, a 1-unit code
        why = "keeps no PCA baseline" if baseline is None else "keeps PCA of one component"
        baseline = PCABaseline.fit(member.scaler_.transform(data.X_train), 2, seed)
        note = f"PCA fitted here on the run's training rows (the folder {why})"
    return ReportInputs(
        folder=folder,
        model=model,
        member=member,
        data=data,
        split=split,
        source=source,
        metrics=metrics,
        config=model_files.read_config(folder),
        image_shape=_image_shape(member, data),
        baseline=baseline,
        baseline_note=note,
        seed=seed,
    )


def _image_shape(member: Any, data: Dataset) -> tuple[int, int, int] | None:
    """The model's image shape, else the data's (a detector's member keeps none)."""
    for shape in (getattr(member, "image_shape_", None), data.image_shape):
        if shape and len(shape) in (2, 3) and math.prod(shape) == member.n_features_in_:
            chw = as_chw(tuple(int(s) for s in shape))
            if chw[0] in (1, 3):  # grey or colour: anything else is drawn as a table
                return chw
    return None


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    found = model_files.read_json(path)
    return found if isinstance(found, dict) else {}
