"""Figures of a training run: the loss curve and a scatter of the codes beside PCA.

The image figures (reconstructions, grids of samples or filters) are in
:mod:`aekit.reporting.images`. Every function writes one PNG atomically and returns its
path; nothing here touches pyplot or matplotlib's global state.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TypedDict

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.ticker import MaxNLocator

from aekit.errors import DataError
from aekit.reporting._render import check_destination, new_figure, save_figure

# History entries that are bookkeeping, not loss values.
NOT_LOSS_TERMS = frozenset({"lr", "epoch_time", "best_epoch"})
MAX_POINTS = 5000  # scatter at most this many points; more only slows the drawing
MAX_CATEGORIES = 20  # more distinct labels than this are coloured on a continuous scale


class _LineStyle(TypedDict):
    color: str
    linestyle: str
    linewidth: float


def plot_loss_curve(
    history: dict[str, list[float]],
    path: str | os.PathLike[str],
    *,
    title: str = "Training loss",
) -> Path:
    """Plot the per-epoch loss, the validation loss and the named loss terms.

    ``loss`` and ``val_loss`` are solid lines; every other term (``reconstruction``,
    ``sparsity``, ``kl`` ...) is dashed, its ``val_`` twin dash-dotted in the same colour.
    Bookkeeping entries (``lr``, ``epoch_time``) are left out and ``best_epoch``, when
    present, is marked by a vertical line. The y-axis is logarithmic when every value is
    positive and they span more than a factor 10.

    Parameters
    ----------
    history : dict of str to list of float
        Per-epoch values, as in an estimator's ``history_``; epoch 1 is the first value.
    path : str or path-like
        The PNG to write; its folder must exist.
    title : str, default="Training loss"
        Title of the figure.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> plot_loss_curve({"loss": [3.0, 2.0, 1.5], "val_loss": [3.2, 2.4, 2.0]},
    ...                 tmp_path / "loss.png")  # doctest: +SKIP
    """
    check_destination(path)
    series = {
        name: np.asarray(values, dtype=np.float64).ravel()
        for name, values in history.items()
        if name not in NOT_LOSS_TERMS and len(values) > 0
    }
    if not series:
        raise DataError("cannot plot the loss curve: the history holds no loss values")
    fig = new_figure(7.0, 4.5)
    ax = fig.add_subplot()
    term_colours = _term_colours(series)
    for name, values in series.items():
        values = np.where(np.isfinite(values), values, np.nan)  # a gap, not a spike
        style = _line_style(name, term_colours)
        marker = "o" if values.size <= 25 else None
        epochs = np.arange(1, values.size + 1)
        ax.plot(epochs, values, label=name, marker=marker, markersize=3, **style)
    if "best_epoch" in history and len(history["best_epoch"]) > 0:
        best = float(history["best_epoch"][-1])
        ax.axvline(best, color="0.5", linestyle=":", linewidth=1, label=f"best epoch ({best:g})")
    if _wants_log_scale(series.values()):
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss per sample")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    return save_figure(fig, path)


def _term_colours(series: dict[str, np.ndarray]) -> dict[str, str]:
    # "loss" and "val_loss" take C0 and C1; each other term and its val_ twin share one.
    bases = []
    for name in series:
        base = name.removeprefix("val_")
        if base != "loss" and base not in bases:
            bases.append(base)
    return {base: f"C{(i + 2) % 10}" for i, base in enumerate(bases)}


def _line_style(name: str, term_colours: dict[str, str]) -> _LineStyle:
    if name == "loss":
        return {"color": "C0", "linestyle": "-", "linewidth": 2}
    if name == "val_loss":
        return {"color": "C1", "linestyle": "-", "linewidth": 2}
    validation = name.startswith("val_")
    colour = term_colours[name.removeprefix("val_")]
    return {"color": colour, "linestyle": "-." if validation else "--", "linewidth": 1.2}


def _wants_log_scale(all_values: Iterable[np.ndarray]) -> bool:
    values = np.concatenate([v[np.isfinite(v)] for v in all_values])
    if values.size == 0 or np.any(values <= 0):
        return False
    return bool(values.max() > 10 * values.min())


def plot_codes(
    codes: np.ndarray,
    pca_codes: np.ndarray,
    labels: np.ndarray | None,
    path: str | os.PathLike[str],
    *,
    title_left: str = "autoencoder code",
    title_right: str = "PCA",
) -> Path:
    """Scatter the autoencoder's codes beside the data's first two principal components.

    A code with more than two columns is drawn through its own first two principal
    components, and the panel title says so. Integer labels with at most 20 distinct values
    get categorical colours and a legend; other numeric labels a continuous colour map and a
    colour bar. At most 5000 points are drawn, chosen with a fixed seed.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_components)
        The autoencoder's codes (``transform`` output).
    pca_codes : ndarray of shape (n_samples, 2)
        The same samples projected on the data's first two principal components.
    labels : ndarray of shape (n_samples,) or None
        Class labels or a continuous target to colour the points by.
    path : str or path-like
        The PNG to write; its folder must exist.
    title_left, title_right : str
        Titles of the two panels.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> plot_codes(model.transform(X), PCA(2).fit_transform(X), y,
    ...            tmp_path / "codes.png")  # doctest: +SKIP
    """
    check_destination(path)
    left, left_note, left_axis = _two_columns(codes, "codes")
    right, right_note, right_axis = _two_columns(pca_codes, "pca_codes")
    if left.shape[0] != right.shape[0]:
        raise DataError(
            f"codes has {left.shape[0]} rows but pca_codes has {right.shape[0]}; "
            "they must describe the same samples"
        )
    if labels is not None:
        labels = np.asarray(labels).ravel()
        if labels.shape[0] != left.shape[0]:
            raise DataError(f"labels has {labels.shape[0]} values for {left.shape[0]} samples")
    if left.shape[0] > MAX_POINTS:
        keep = np.sort(np.random.default_rng(0).choice(left.shape[0], MAX_POINTS, replace=False))
        left, right = left[keep], right[keep]
        labels = None if labels is None else labels[keep]

    fig = new_figure(10.0, 4.6)
    ax_left, ax_right = fig.subplots(1, 2)
    panels = [
        (ax_left, left, title_left + left_note, left_axis),
        (ax_right, right, title_right + right_note, right_axis),
    ]
    size = 6.0 if left.shape[0] > 1000 else 14.0
    style = {"s": size, "alpha": 0.6, "linewidths": 0}
    categories = _categories(labels)
    if labels is None:
        for ax, xy, _, _ in panels:
            ax.scatter(xy[:, 0], xy[:, 1], color="C0", **style)
    elif categories is not None:
        cmap = colormaps["tab10" if len(categories) <= 10 else "tab20"]
        for i, value in enumerate(categories):
            mask = labels == value
            for ax, xy, _, _ in panels:
                ax.scatter(xy[mask, 0], xy[mask, 1], color=cmap(i), label=str(value), **style)
        fig.legend(
            *ax_left.get_legend_handles_labels(),
            loc="outside right upper",
            title="label",
            markerscale=2.5 if size < 10 else 1.5,
            fontsize="small",
        )
    else:
        values = labels.astype(np.float64)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            raise DataError("labels holds no finite values to colour the points by")
        norm = Normalize(finite.min(), finite.max())
        for ax, xy, _, _ in panels:
            ax.scatter(xy[:, 0], xy[:, 1], c=values, cmap="viridis", norm=norm, **style)
        scale = ScalarMappable(norm=norm, cmap="viridis")  # opaque, unlike the points
        fig.colorbar(scale, ax=[ax_left, ax_right], label="label", shrink=0.9)
    for ax, _, panel_title, axis_name in panels:
        _label_panel(ax, panel_title, axis_name)
    return save_figure(fig, path)


def _two_columns(values: np.ndarray, name: str) -> tuple[np.ndarray, str, str]:
    """Return 2-D points to scatter, a title note, and the name of their axes."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise DataError(f"{name} must be a non-empty 2-D array, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise DataError(f"{name} contains NaN or infinite values")
    n, width = values.shape
    if width == 2:
        return values, "", "code" if name == "codes" else "PC"
    if width == 1:
        # A single column: spread the points vertically so overlapping ones stay visible.
        jitter = np.random.default_rng(0).uniform(-0.5, 0.5, size=n)
        return np.column_stack([values[:, 0], jitter]), " (1-D, vertical jitter)", "jitter"
    if n < 2:
        raise DataError(f"{name} has {width} columns but only one row; cannot reduce it to 2-D")
    from sklearn.decomposition import PCA  # only needed here; keeps importing this light

    projected = PCA(n_components=2, random_state=0).fit_transform(values)
    return projected, f" (first 2 PCs of {width}-D)", "PC"


def _categories(labels: np.ndarray | None) -> np.ndarray | None:
    """The distinct labels when they are categorical, else None (continuous or absent)."""
    if labels is None:
        return None
    numeric = np.issubdtype(labels.dtype, np.number) or labels.dtype == bool
    if not numeric:
        distinct = np.unique(labels.astype(str))
        if distinct.size > MAX_CATEGORIES:
            raise DataError(
                f"labels has {distinct.size} distinct non-numeric values; at most "
                f"{MAX_CATEGORIES} can be told apart by colour"
            )
        return np.unique(labels)
    values = labels.astype(np.float64)
    finite = values[np.isfinite(values)]
    integral = finite.size == values.size and np.all(finite == np.round(finite))
    distinct = np.unique(labels)
    if integral and distinct.size <= MAX_CATEGORIES:
        return distinct
    return None


def _label_panel(ax: Axes, title: str, axis_name: str) -> None:
    ax.set_title(title)
    if axis_name == "jitter":
        ax.set_xlabel("code")
        ax.set_yticks([])
    else:
        ax.set_xlabel(f"{axis_name} 1")
        ax.set_ylabel(f"{axis_name} 2")
    ax.grid(True, alpha=0.3)
