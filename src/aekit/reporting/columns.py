"""Tabular data: how well each column is reconstructed, as one bar per column.

A grid of reconstructed samples says little about a table; which columns the model gets
right and which it gives up on is what one wants to know.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from aekit.errors import DataError
from aekit.reporting._render import check_destination, new_figure, save_figure

MAX_LABELS = 60  # more columns than this: only every k-th bar is labelled


def column_errors(inputs: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Mean squared reconstruction error of each column.

    Parameters
    ----------
    inputs, reconstructions : ndarray of shape (n_samples, n_features)
        The samples and the model's reconstructions of them, row for row.

    Returns
    -------
    ndarray of shape (n_features,)
        The mean over samples of ``(inputs - reconstructions) ** 2``, column by column.

    Examples
    --------
    >>> column_errors(np.zeros((2, 2)), np.array([[1.0, 0.0], [3.0, 0.0]]))
    array([5., 0.])
    """
    x = np.asarray(inputs, dtype=np.float64)
    r = np.asarray(reconstructions, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise DataError(f"inputs must hold one sample per row, got shape {x.shape}")
    if r.shape != x.shape:
        raise DataError(f"reconstructions have shape {r.shape} but inputs have {x.shape}")
    return ((x - r) ** 2).mean(axis=0)


def plot_column_errors(
    inputs: np.ndarray,
    reconstructions: np.ndarray,
    path: str | os.PathLike[str],
    *,
    feature_names: Sequence[str] | None = None,
    units: str = "",
    title: str | None = None,
) -> Path:
    """Draw the mean squared reconstruction error of each column as a bar chart.

    Parameters
    ----------
    inputs, reconstructions : ndarray of shape (n_samples, n_features)
        The samples and the model's reconstructions of them, row for row.
    path : str or path-like
        The PNG to write; its folder must exist.
    feature_names : sequence of str, optional
        One label per column; columns are numbered from 1 without them.
    units : str, default=""
        Where the error is measured (``"after standard scaling"``), added to the axis label.
    title : str, optional
        Title of the figure.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> plot_column_errors(X, model.reconstruct(X), tmp_path / "column_errors.png",
    ...                    feature_names=["age", "income"])  # doctest: +SKIP
    """
    check_destination(path)
    errors = column_errors(inputs, reconstructions)
    n = errors.shape[0]
    if feature_names is None:
        labels = [str(i) for i in range(1, n + 1)]
    else:
        labels = [str(name) for name in feature_names]
        if len(labels) != n:
            raise DataError(f"got {len(labels)} feature names for {n} columns")
    fig = new_figure(min(16.0, max(5.0, 1.2 + 0.28 * min(n, MAX_LABELS))), 4.2)
    ax = fig.add_subplot()
    x = np.arange(n)
    ax.bar(x, errors, width=0.8, color="C0")
    step = max(1, math.ceil(n / MAX_LABELS))
    ax.set_xticks(x[::step], labels[::step], rotation=90 if n > 8 else 0, fontsize="small")
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_xlabel("column")
    ax.set_ylabel("mean squared error" + (f" ({units})" if units else ""))
    ax.set_title(title or f"Reconstruction error per column ({np.shape(inputs)[0]} samples)")
    return save_figure(fig, path)
