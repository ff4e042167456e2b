"""Image figures: inputs above their reconstructions (or their corrupted and denoised
copies), and grids of samples or filters.

Rows of a data matrix become pictures through ``image_shape``: ``(h, w)`` for grayscale,
``(3, h, w)`` (channels first) for colour. Tabular data, with no image shape, is drawn as
one small bar-and-line panel per sample instead, so the figure still shows how close each
reconstruction is.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from aekit.errors import ConfigError, DataError
from aekit.reporting._render import check_destination, new_figure, save_figure

TABULAR_COLS = 5  # panels per row when tabular samples are drawn as bar plots


def plot_reconstructions(
    inputs: np.ndarray,
    reconstructions: np.ndarray,
    image_shape: tuple[int, ...] | None,
    path: str | os.PathLike[str],
    *,
    n: int = 10,
    title: str | None = None,
) -> Path:
    """Draw the first ``n`` inputs above their reconstructions.

    Images share one grayscale range, taken from the inputs shown, so a faint or
    saturated reconstruction looks faint or saturated; colour images are clipped to [0, 1].
    With ``image_shape=None`` each sample gets a panel with its features as grey bars and
    the reconstruction as a line over them.

    Parameters
    ----------
    inputs : ndarray of shape (n_samples, n_features)
        The original samples.
    reconstructions : ndarray of shape (n_samples, n_features)
        The model's reconstructions of ``inputs``, row for row.
    image_shape : tuple of int or None
        ``(h, w)`` or ``(3, h, w)`` for images; None for tabular data.
    path : str or path-like
        The PNG to write; its folder must exist.
    n : int, default=10
        Number of samples shown (fewer when fewer are given).
    title : str, optional
        Title of the figure.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> plot_reconstructions(X[:10], model.reconstruct(X[:10]), (28, 28),
    ...                      tmp_path / "reconstructions.png")  # doctest: +SKIP
    """
    check_destination(path)
    if n < 1:
        raise ConfigError(f"n must be at least 1, got {n}")
    inputs = _rows(inputs, "inputs")[:n]
    reconstructions = _rows(reconstructions, "reconstructions")[:n]
    if reconstructions.shape[1] != inputs.shape[1]:
        raise DataError(
            f"reconstructions have {reconstructions.shape[1]} features but inputs have "
            f"{inputs.shape[1]}"
        )
    if reconstructions.shape[0] < inputs.shape[0]:
        raise DataError(
            f"got {inputs.shape[0]} inputs but only {reconstructions.shape[0]} reconstructions"
        )
    if image_shape is None:
        fig = _tabular_figure(inputs, reconstructions)
    else:
        originals = _as_images(inputs, image_shape, "inputs")
        rebuilt = _as_images(reconstructions, image_shape, "reconstructions")
        fig = _image_rows({"input": originals, "reconstruction": rebuilt}, bool(title))
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def plot_denoising(
    inputs: np.ndarray,
    corrupted: np.ndarray,
    denoised: np.ndarray,
    image_shape: tuple[int, ...],
    path: str | os.PathLike[str],
    *,
    n: int = 10,
    title: str | None = None,
) -> Path:
    """Draw the first ``n`` clean images, their corrupted copies and the model's denoising.

    Three rows: input, corrupted, denoised. All share the grayscale range of the clean
    inputs, so noise beyond it shows saturated; colour images are clipped to [0, 1].

    Parameters
    ----------
    inputs : ndarray of shape (n_samples, n_features)
        The clean samples.
    corrupted : ndarray of shape (n_samples, n_features)
        ``inputs`` with the model's training corruption drawn on them.
    denoised : ndarray of shape (n_samples, n_features)
        The model's reconstructions of ``corrupted``.
    image_shape : tuple of int
        ``(h, w)`` or ``(3, h, w)``.
    path : str or path-like
        The PNG to write; its folder must exist.
    n : int, default=10
        Number of samples shown (fewer when fewer are given).
    title : str, optional
        Title of the figure.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> plot_denoising(X[:10], noisy, model.reconstruct(noisy), (28, 28),
    ...                tmp_path / "reconstructions.png")  # doctest: +SKIP
    """
    check_destination(path)
    if n < 1:
        raise ConfigError(f"n must be at least 1, got {n}")
    clean = _rows(inputs, "inputs")[:n]
    pictures = {"input": _as_images(clean, image_shape, "inputs")}
    for name, values in (("corrupted", corrupted), ("denoised", denoised)):
        rows = _rows(values, name)[:n]
        if rows.shape != clean.shape:
            raise DataError(
                f"{name} have shape {rows.shape[0]} x {rows.shape[1]} but the inputs shown "
                f"{clean.shape[0]} x {clean.shape[1]}"
            )
        pictures[name] = _as_images(rows, image_shape, name)
    fig = _image_rows(pictures, bool(title))
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def plot_image_grid(
    images: np.ndarray,
    image_shape: tuple[int, ...],
    path: str | os.PathLike[str],
    *,
    n_cols: int = 8,
    title: str | None = None,
    normalise: bool = False,
) -> Path:
    """Draw images (samples from a model, or learned filters) in a grid, row by row.

    Parameters
    ----------
    images : ndarray of shape (n_images, n_features)
        One image per row, reshaped to ``image_shape``.
    image_shape : tuple of int
        ``(h, w)`` for grayscale or ``(3, h, w)`` for colour.
    path : str or path-like
        The PNG to write; its folder must exist.
    n_cols : int, default=8
        Images per row of the grid (fewer when fewer images are given).
    title : str, optional
        Title of the figure.
    normalise : bool, default=False
        Stretch each image to its own [min, max] (right for filters, whose scales differ).
        Otherwise grayscale images share one range and colour images are clipped to [0, 1].

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> plot_image_grid(model.sample(32), (28, 28), tmp_path / "samples.png")  # doctest: +SKIP
    """
    check_destination(path)
    if n_cols < 1:
        raise ConfigError(f"n_cols must be at least 1, got {n_cols}")
    pictures = _as_images(_rows(images, "images"), image_shape, "images")
    if normalise:
        pictures = np.stack([_stretch(p) for p in pictures])
        vmin, vmax = 0.0, 1.0
    else:
        vmin, vmax = _value_range(pictures)
    count = pictures.shape[0]
    cols = min(n_cols, count)
    rows = math.ceil(count / cols)
    cell_w, cell_h = _cell_size(pictures.shape[1:3])
    fig = new_figure(0.2 + cell_w * cols, 0.2 + cell_h * rows + (0.35 if title else 0.0))
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k < count:
            _show(ax, pictures[k], vmin, vmax)
        else:
            ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def _image_rows(pictures: dict[str, np.ndarray], titled: bool) -> Figure:
    """One row of pictures per entry, named on the left, in the grey range of the first."""
    first = next(iter(pictures.values()))
    vmin, vmax = _value_range(first)
    cell_w, cell_h = _cell_size(first.shape[1:3])
    count = first.shape[0]
    fig = new_figure(0.6 + cell_w * count, 0.3 + len(pictures) * cell_h + (0.35 if titled else 0.0))
    axes = fig.subplots(len(pictures), count, squeeze=False)
    for i, (name, row) in enumerate(pictures.items()):
        for j in range(count):
            _show(axes[i, j], row[j], vmin, vmax)
        axes[i, 0].set_ylabel(name)
    return fig


def _rows(values: np.ndarray, name: str) -> np.ndarray:
    """``values`` as a float array of one flattened sample per row."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim < 2 or values.shape[0] == 0:
        raise DataError(f"{name} must hold one sample per row, got shape {values.shape}")
    return values.reshape(values.shape[0], -1)


def _as_images(rows: np.ndarray, image_shape: Sequence[int], name: str) -> np.ndarray:
    """Reshape rows to (n, h, w) grayscale or (n, h, w, 3) colour pictures."""
    shape = tuple(int(s) for s in image_shape)
    grey = len(shape) == 2 or (len(shape) == 3 and shape[0] == 1)
    colour = len(shape) == 3 and shape[0] == 3
    if not (grey or colour) or min(shape) < 1:
        raise DataError(f"image_shape must be (h, w) or (3, h, w), got {shape}")
    if math.prod(shape) != rows.shape[1]:
        raise DataError(
            f"{name} have {rows.shape[1]} features, which do not fit image_shape {shape} "
            f"({math.prod(shape)} values)"
        )
    if grey:
        return rows.reshape(rows.shape[0], *shape[-2:])  # (n, h, w)
    return rows.reshape(rows.shape[0], *shape).transpose(0, 2, 3, 1)  # (n, h, w, 3)


def _value_range(pictures: np.ndarray) -> tuple[float, float]:
    finite = pictures[np.isfinite(pictures)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, low + 0.5)


def _stretch(picture: np.ndarray) -> np.ndarray:
    low, high = np.nanmin(picture), np.nanmax(picture)
    if not high > low:
        return np.full_like(picture, 0.5)
    return (picture - low) / (high - low)


def _cell_size(height_width: tuple[int, ...]) -> tuple[float, float]:
    """Width and height in inches of one picture: about 1 inch, larger for big images."""
    h, w = height_width
    side = min(2.5, max(0.9, max(h, w) / 32))
    return side * w / max(h, w), side * h / max(h, w)


def _show(ax: Axes, picture: np.ndarray, vmin: float, vmax: float) -> None:
    if picture.ndim == 3:
        ax.imshow(np.clip(picture, 0.0, 1.0))
    else:
        ax.imshow(picture, cmap="gray", vmin=vmin, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _tabular_figure(inputs: np.ndarray, reconstructions: np.ndarray) -> Figure:
    """One panel per sample: features as grey bars, the reconstruction as a line."""
    count, n_features = inputs.shape
    cols = min(count, TABULAR_COLS)
    rows = math.ceil(count / cols)
    fig = new_figure(0.4 + 2.6 * cols, 0.6 + 1.9 * rows)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    x = np.arange(1, n_features + 1)
    marker = "o" if n_features <= 30 else None
    for k, ax in enumerate(axes.flat):
        if k >= count:
            ax.set_axis_off()
            continue
        bars = ax.bar(x, inputs[k], width=0.8, color="0.7")
        (line,) = ax.plot(
            x,
            reconstructions[k],
            color="C3",
            marker=marker,
            markersize=2.5,
            linewidth=1.2,
        )
        ax.axhline(0.0, color="0.3", linewidth=0.5)
        ax.set_title(f"sample {k + 1}", fontsize="small")
        ax.tick_params(labelsize="x-small")
        if k + cols >= count:  # lowest panel of its column
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel("feature", fontsize="small")
    fig.legend(
        [bars, line],
        ["input", "reconstruction"],
        loc="outside upper center",
        ncols=2,
        fontsize="small",
        frameon=False,
    )
    return fig
