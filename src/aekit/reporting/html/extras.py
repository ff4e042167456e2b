"""The report's other sections: the reconstruction grid, filters, VAE samples, anomaly
scores and per-column errors. Each returns its record for the page, or None where it does
not apply."""

from __future__ import annotations

from typing import Any

import numpy as np

from aekit.errors import ConfigError
from aekit.estimators.variational import VariationalAutoencoder
from aekit.reporting.columns import column_errors
from aekit.reporting.examples import corrupted_like_training, pick_examples
from aekit.reporting.filters import first_layer_filters
from aekit.reporting.html.inputs import ReportInputs
from aekit.reporting.html.packing import rounded
from aekit.reporting.html.sprite import Quality, sprite
from aekit.reporting.html.summary import is_categorical

FULL = Quality(1, 256)  # small figures are never reduced
N_FILTERS = 64
N_SAMPLES = 32
N_WORST = 10
N_BINS = 40
MAX_COLUMNS_SHOWN = 40


def to_unit(X: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Data values as the page draws them: ``lo`` black, ``hi`` white."""
    return np.clip((np.asarray(X, np.float64) - lo) / (hi - lo), 0.0, 1.0)


def picture(rows: np.ndarray, run: ReportInputs, lo: float, hi: float) -> dict[str, Any]:
    assert run.image_shape is not None
    return sprite(to_unit(rows, lo, hi), run.image_shape, FULL)


def grid(run: ReportInputs, lo: float, hi: float) -> dict[str, Any] | None:
    """A seeded sample (one per label): inputs above reconstructions; a denoising model's
    rows are clean / corrupted (as in training) / denoised."""
    if run.image_shape is None:
        return None
    member, X = run.member, run.X_eval
    y = run.y_eval if is_categorical(run.y_eval) else None
    shown = X[pick_examples(X.shape[0], y, seed=run.seed)]
    if getattr(member, "noise", None) is not None:
        noisy = corrupted_like_training(member, shown, seed=run.seed)
        names = ["clean", f"corrupted ({member.noise}, {member.noise_level:g})", "denoised"]
        stacked = np.concatenate([shown, noisy, member.denoise(noisy)])
    else:
        names = ["input", "reconstruction"]
        stacked = np.concatenate([shown, member.reconstruct(shown)])
    return {"rows": names, "per_row": int(shown.shape[0]), "sprite": picture(stacked, run, lo, hi)}


def filters(run: ReportInputs) -> dict[str, Any] | str:
    """The first layer's units as images, each normalised to its own range; or why none."""
    if run.image_shape is None:
        return "the data are a table: first-layer filters are drawn for images only"
    try:
        weights = first_layer_filters(run.member, N_FILTERS)  # (n, n_features)
    except ConfigError:
        return "the first layer is not dense (a convolutional or RBM network): no filters drawn"
    lo = weights.min(axis=1, keepdims=True)
    span = np.maximum(weights.max(axis=1, keepdims=True) - lo, 1e-12)
    layers: Any = run.member.module_.encoder_layers
    units = layers[0].weight.shape[0]
    return {"n_units": int(units), "sprite": sprite((weights - lo) / span, run.image_shape, FULL)}


def samples(run: ReportInputs, lo: float, hi: float) -> dict[str, Any] | None:
    """Draws from a VAE's prior, decoded (images only)."""
    if not isinstance(run.member, VariationalAutoencoder) or run.image_shape is None:
        return None
    drawn = run.member.sample(N_SAMPLES, random_state=run.seed)
    return {"seed": run.seed, "sprite": picture(drawn, run, lo, hi)}


def anomaly(run: ReportInputs, lo: float, hi: float) -> dict[str, Any] | None:
    """A detector's score histogram over the held-out rows, its threshold, the worst rows."""
    detector = run.detector
    if detector is None:
        return None
    X = run.X_eval
    scores = detector.anomaly_score(X)
    threshold = float(detector.threshold_)
    top = min(scores.max(), np.quantile(scores, 0.995) * 1.5)  # a far outlier, not the axis
    edges = np.linspace(scores.min(), max(top, threshold * 1.05), N_BINS + 1)
    counts, _ = np.histogram(np.clip(scores, edges[0], edges[-1]), edges)
    worst = np.argsort(-scores, kind="stable")[:N_WORST]
    record: dict[str, Any] = {
        "edges": rounded(edges),
        "counts": counts.tolist(),
        "threshold": threshold,
        "n_flagged": int(np.sum(scores > threshold)),
        "n": int(scores.size),
        "worst": {"rows": worst.tolist(), "scores": rounded(scores[worst])},
    }
    k = min(3, detector.n_features_in_)
    record["worst"]["top_features"] = [
        [str(f) for f in row] for row in detector.top_features(X[worst], k=k)
    ]
    if run.image_shape is not None:
        pair = np.concatenate([X[worst], run.member.reconstruct(X[worst])])
        record["worst"]["sprite"] = picture(pair, run, lo, hi)
    return record


def columns(run: ReportInputs) -> dict[str, Any] | None:
    """Per-column mean squared error on the held-out rows, after the model's scaling."""
    if run.image_shape is not None:
        return None
    scaler, X = run.member.scaler_, run.X_eval
    errors = column_errors(scaler.transform(X), scaler.transform(run.member.reconstruct(X)))
    units = "in the data's units" if scaler.kind == "none" else f"after {scaler.kind} scaling"
    return {
        "names": column_names(run),
        "errors": rounded(errors),
        "units": units,
        "max_shown": MAX_COLUMNS_SHOWN,  # the largest, when there are more
    }


def column_names(run: ReportInputs) -> list[str]:
    names = getattr(run.member, "feature_names_in_", None)
    if names is None:
        names = run.data.feature_names
    n = int(run.member.n_features_in_)
    return [str(v) for v in names] if names is not None else [str(i) for i in range(1, n + 1)]
