"""Everything the page shows, gathered from a run as one JSON-able record.

The record's big image parts (the map's thumbnails, reconstructions and interpolation
frames) are returned apart, as rows in [0, 1]: :mod:`.page` encodes them last, at the
quality that keeps the page within its size budget.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aekit._version import __version__
from aekit.estimators.persistence import saved_name
from aekit.io import model_files
from aekit.reporting.html import extras, summary
from aekit.reporting.html.inputs import ReportInputs
from aekit.reporting.html.latent_map import MapRows, latent_map
from aekit.reporting.html.packing import rounded, table_rows
from aekit.reporting.html.sprite import display_range


def collect(
    run: ReportInputs, n_points: int, decoder_budget: int
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The page's record, and the image rows (in [0, 1]) still to be packed as sprites."""
    record, decoder, rows = latent_map(run, n_points, decoder_budget)
    lo, hi = display_range(rows.inputs)
    heavy: dict[str, np.ndarray] = {}
    if run.image_shape is not None:
        c, h, w = run.image_shape
        image = {"c": c, "h": h, "w": w, "lo": lo, "hi": hi}
        heavy = {k: extras.to_unit(v, lo, hi) for k, v in _named(rows).items()}
    else:
        image = None
        record["table"] = _table(run, rows)
    payload = {
        "title": f"aekit report: {run.folder.name}",
        "about": about(run),
        "kind": "table" if image is None else "images",
        "image": image,
        "columns": extras.column_names(run) if image is None else None,
        "metrics": _metrics(run),
        "settings": _settings(run),
        "curves": summary.curves(_history(run)),
        "map": record,
        "decoder": decoder,
        "grid": extras.grid(run, lo, hi),
        "filters": _or_why(extras.filters(run)),
        "samples": extras.samples(run, lo, hi),
        "anomaly": extras.anomaly(run, lo, hi),
        "column_errors": extras.columns(run),
    }
    return payload, heavy


def about(run: ReportInputs) -> dict[str, Any]:
    """Who and what: the model, its data, the rows measured and shown, the software."""
    member = saved_name(type(run.member))
    name = saved_name(type(run.model))
    return {
        "folder": str(run.folder),
        "model": name if name == member else f"{name} built on {member}",
        "architecture": run.config.get("model", run.config.get("member", {}).get("model")),
        "data": run.source,
        "split": run.split,
        "n_eval": int(run.X_eval.shape[0]),
        "n_train": int(run.data.X_train.shape[0]),
        "seed": run.seed,
        "likelihood": run.member.loss_,
        "scaling": run.member.scaler_.kind,
        "aekit_version": __version__,
    }


def _named(rows: MapRows) -> dict[str, np.ndarray]:
    named = {"inputs": rows.inputs, "recons": rows.recons, "frames": rows.frames}
    return {k: v for k, v in named.items() if v is not None and len(v)}


def _table(run: ReportInputs, rows: MapRows) -> dict[str, Any]:
    """Table rows for the page's bar view, in the model's scaled space (columns compare)."""
    scaler = run.member.scaler_
    packed: dict[str, Any] = {}
    for name, values in _named(rows).items():
        scaled = scaler.transform(np.asarray(values, np.float32))
        lo, hi = scaled.min(axis=0), scaled.max(axis=0)
        packed[name] = {**table_rows(scaled, lo, hi), "lo": rounded(lo, 6), "hi": rounded(hi, 6)}
    units = "in the data's units" if scaler.kind == "none" else f"after {scaler.kind} scaling"
    return {**packed, "units": units}


def _metrics(run: ReportInputs) -> dict[str, Any]:
    if run.detector is not None:
        return summary.detector_rows(run.metrics)
    return summary.metric_rows(run.metrics, _knn(run))


def _knn(run: ReportInputs) -> tuple[float, float] | None:
    """kNN-5 accuracy on the codes and on as many PCA components, where labels are classes."""
    data = run.data
    y_eval = run.y_eval
    if data.X_test is None or data.y_train is None or not summary.is_categorical(y_eval):
        return None
    if "n_components" not in run.metrics:
        return None
    fit = summary.train_sample(data.X_train.shape[0], run.seed)
    X_fit, y_fit = data.X_train[fit], data.y_train[fit]
    member, scaler, baseline = run.member, run.member.scaler_, run.baseline
    k = int(run.metrics["n_components"])
    if baseline.components.shape[0] < k:  # not the run's own baseline
        return None
    comps = baseline.components[:k]

    def pca(X: np.ndarray) -> np.ndarray:
        return (scaler.transform(X) - baseline.mean) @ comps.T

    assert y_eval is not None  # is_categorical said so
    codes_fit, codes_eval = member.transform(X_fit), member.transform(run.X_eval)
    model = summary.knn_accuracy(codes_fit, y_fit, codes_eval, y_eval)
    return model, summary.knn_accuracy(pca(X_fit), y_fit, pca(run.X_eval), y_eval)


def _settings(run: ReportInputs) -> list[list]:
    """The folder's parameters; a detector's, then its member's."""
    params = run.config.get("params", {})
    rows = summary.settings(params, type(run.model)().get_params(deep=False))
    if run.detector is not None:
        member_params = run.config.get("member", {}).get("params", {})
        defaults = type(run.member)().get_params(deep=False)
        rows += summary.settings(member_params, defaults, prefix="member.")
    return rows


def _history(run: ReportInputs) -> dict[str, Any]:
    """The estimator's history, else the folder's history.json (a loaded detector's member
    comes back without it)."""
    found = getattr(run.model, "history_", None)
    return found or model_files.read_history(run.folder) or {}


def _or_why(found: dict[str, Any] | str) -> dict[str, Any]:
    return {"why": found} if isinstance(found, str) else found
