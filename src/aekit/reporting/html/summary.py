"""The numbers of the report: the model beside PCA, kNN-5 accuracy, training, settings, curves."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from aekit.reporting.html.packing import rounded

MAX_CLASSES = 50  # more distinct labels than this are read as a continuous target
KNN_TRAIN_ROWS = 10_000  # a seeded sample of the training rows fits the kNN classifier
NOT_CURVES = ("lr", "epoch_time")  # per-epoch records that are no loss term


def is_categorical(y: np.ndarray | None) -> bool:
    """True for class labels: integers (or integral floats) with few distinct values.

    Examples
    --------
    >>> is_categorical(np.array([0, 1, 1])), is_categorical(np.linspace(0, 1, 500))
    (True, False)
    """
    if y is None or y.size == 0 or y.dtype.kind not in "biuf":
        return False
    if y.dtype.kind == "f" and not np.all(np.isfinite(y) & (y == np.round(y))):
        return False
    return np.unique(y).size <= MAX_CLASSES


def knn_accuracy(
    train: np.ndarray, y_train: np.ndarray, test: np.ndarray, y_test: np.ndarray
) -> float:
    """Accuracy of a 5-nearest-neighbour classifier fitted on ``train``, on ``test``."""
    k = min(5, train.shape[0])
    return float(KNeighborsClassifier(n_neighbors=k).fit(train, y_train).score(test, y_test))


def train_sample(n: int, seed: int) -> np.ndarray:
    """At most :data:`KNN_TRAIN_ROWS` seeded, sorted training row indices."""
    if n <= KNN_TRAIN_ROWS:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, KNN_TRAIN_ROWS, replace=False))


def metric_rows(metrics: dict[str, Any], knn: tuple[float, float] | None) -> dict[str, Any]:
    """The table of an autoencoder beside PCA with as many components, as text cells."""
    k = metrics.get("n_components", "?")
    scaled = metrics.get("space") == "scaled"
    where = f"after {metrics.get('scaling')} scaling" if scaled else "in the data's units"
    split = f"{metrics.get('n_samples', '?')} {metrics.get('split', '?')} rows"
    rows = [
        [
            f"squared error per sample, {where} ({split})",
            _num(metrics.get("autoencoder_squared_error")),
            _num(metrics.get("pca_squared_error")),
        ],
        ["error relative to PCA", _num(metrics.get("ratio_to_pca"), 3), "1.000"],
    ]
    if scaled:
        rows.append(
            [
                "squared error per sample, in the data's units",
                _num(metrics.get("autoencoder_squared_error_data_units")),
                _num(metrics.get("pca_squared_error_data_units")),
            ]
        )
    if knn is not None:
        rows.append(
            ["kNN-5 accuracy on the codes (fit on training rows)", _pct(knn[0]), _pct(knn[1])]
        )
    rows.append(["training time", _seconds(metrics.get("train_seconds")), "-"])
    return {"columns": ["", "model", f"PCA ({k} components)"], "rows": rows}


def detector_rows(metrics: dict[str, Any]) -> dict[str, Any]:
    """The table of an anomaly detector: its threshold and how often it flags."""
    rows = [["threshold on the anomaly score", _num(metrics.get("threshold"))]]
    asked = _pct(metrics.get("false_alarm_rate_asked"))
    measured = _pct(metrics.get("false_alarm_rate_measured"))
    rows.append(["false-alarm rate asked / on its own held-out rows", f"{asked} / {measured}"])
    if "n_held_out" in metrics:
        share = metrics.get("flagged_held_out", 0) / max(1, metrics["n_held_out"])
        rows.append(
            [
                "flagged among the run's held-out rows",
                f"{metrics.get('flagged_held_out')} of {metrics['n_held_out']} ({share:.1%})",
            ]
        )
    rows.append(["training time", _seconds(metrics.get("train_seconds"))])
    return {"columns": ["", "detector"], "rows": rows}


def settings(params: dict[str, Any], defaults: dict[str, Any], prefix: str = "") -> list[list]:
    """``[name, value as JSON text, differs from the default]`` for every parameter."""
    return [
        [prefix + name, json.dumps(value), name in defaults and value != defaults[name]]
        for name, value in sorted(params.items())
    ]


def curves(history: dict[str, Any]) -> list[dict[str, Any]]:
    """One chart per loss term and training stage: its training and validation values."""
    charts: dict[tuple[str, str], dict[str, Any]] = {}
    for key, values in history.items():
        match = re.match(r"^(pretrain_layer(\d+)_)?(val_)?(.+)$", key)
        if match is None or match.group(4) in NOT_CURVES or not isinstance(values, list):
            continue
        stage = f"pretraining layer {match.group(2)}" if match.group(1) else ""
        chart = charts.setdefault((stage, match.group(4)), {"stage": stage, "term": match.group(4)})
        chart["val" if match.group(3) else "train"] = rounded(values, 5)
    ordered = sorted(charts.values(), key=lambda c: (c["stage"] == "", c["stage"]))
    return [c for c in ordered if "train" in c or "val" in c]


def _num(value: Any, digits: int = 4) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "-"


def _pct(value: Any) -> str:
    return f"{100 * value:.1f} %" if isinstance(value, int | float) else "-"


def _seconds(value: Any) -> str:
    return f"{value:.1f} s" if isinstance(value, int | float) else "-"
