"""The interactive latent map: points, both projections, colours, and how the page decodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from aekit.reporting.html import anchors as anchors_mod
from aekit.reporting.html.decoder_js import MAX_DECODER_WEIGHTS, pack
from aekit.reporting.html.inputs import ReportInputs
from aekit.reporting.html.packing import b64, floats16, points, rounded
from aekit.reporting.html.projection import code_map, pca_map
from aekit.reporting.html.summary import is_categorical


@dataclass
class MapRows:
    """The map's rows the page shows as pictures (in data units), before packing."""

    inputs: np.ndarray  # (n_points, n_features)
    recons: np.ndarray | None  # None when the page decodes them itself
    frames: np.ndarray | None  # anchor interpolations, when it cannot


def sample_points(n_rows: int, n_points: int, seed: int) -> np.ndarray:
    """A seeded sample of ``n_points`` row indices (all when fewer), increasing."""
    if n_points >= n_rows:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, n_points, replace=False))


def latent_map(
    run: ReportInputs, n_points: int, decoder_budget: int = MAX_DECODER_WEIGHTS
) -> tuple[dict[str, Any], dict[str, Any], MapRows]:
    """The map's record, the decoder's record, and the rows still to be drawn."""
    member = run.member
    rows = sample_points(run.X_eval.shape[0], n_points, run.seed)
    X = run.X_eval[rows]
    codes = member.transform(X)  # (n_points, code_size)
    xy, name = code_map(codes, run.seed)
    record: dict[str, Any] = {
        "n": int(rows.size),
        "n_rows": int(run.X_eval.shape[0]),
        "rows": b64(rows, "<u4"),
        "code_size": int(codes.shape[1]),
        "model": {**points(xy), "name": name},
        "pca": {
            **points(pca_map(run.baseline, member.scaler_.transform(X))),
            "name": "PCA of the inputs: its first two components, from " + run.baseline_note,
        },
        "colour": colours(run, X, rows),
        "steps": anchors_mod.STEPS,
    }
    decoder = pack(member, codes, decoder_budget)
    if decoder["packed"]:
        record["codes"] = floats16(codes)
        return record, decoder, MapRows(X, None, None)
    anchor_idx, frames = anchors_mod.anchor_frames(member, codes, xy, run.seed)
    record["anchors"] = anchor_idx.tolist()
    return record, decoder, MapRows(X, member.reconstruct(X), frames)


def colours(run: ReportInputs, X: np.ndarray, rows: np.ndarray) -> dict[str, Any]:
    """How the points are coloured: a detector's score, class labels, a continuous target."""
    detector = run.detector
    if detector is not None:
        scores = detector.anomaly_score(X)
        return {
            "kind": "score",
            "title": "anomaly score (the detector's threshold marked)",
            "values": rounded(scores),
            "threshold": float(detector.threshold_),
        }
    y = run.y_eval
    if y is None:
        return {"kind": "none", "title": "no labels"}
    y = np.asarray(y)[rows]
    if is_categorical(y):
        classes, index = np.unique(y, return_inverse=True)
        names = run.data.label_names
        shown = [_label(c, names) for c in classes]
        return {"kind": "labels", "title": "label", "names": shown, "values": b64(index, "<u2")}
    return {"kind": "continuous", "title": "label (a continuous value)", "values": rounded(y)}


def _label(value: Any, names: tuple[str, ...] | None) -> str:
    """A class's name: the text label it was encoded from, else its value."""
    as_float = float(value)
    if names and as_float == int(as_float) and 0 <= int(as_float) < len(names):
        return str(names[int(as_float)])
    return str(int(as_float)) if as_float == int(as_float) else f"{as_float:g}"
