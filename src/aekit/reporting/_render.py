"""Make a figure without pyplot and write it as a PNG, atomically.

Figures are built with matplotlib's object API (``Figure`` + ``FigureCanvasAgg``), so no
backend is selected, no display is needed and no global figure registry keeps them alive.
"""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from aekit.errors import OutputError
from aekit.io.atomic import atomic_path

DPI = 100


def check_destination(path: str | os.PathLike[str]) -> Path:
    """Fail before any drawing when the folder of ``path`` does not exist.

    Raises
    ------
    OutputError
        When the folder of ``path`` does not exist.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    return target


def new_figure(width: float, height: float) -> Figure:
    """Return an empty figure of ``width`` x ``height`` inches with a constrained layout."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # attaches itself to the figure
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` to ``path`` as a PNG, atomically, then release its artists.

    Raises
    ------
    OutputError
        When the folder of ``path`` does not exist or the file cannot be written; no file,
        temporary or final, is left behind.
    """
    target = Path(path)
    try:
        with atomic_path(target) as tmp:
            # The temporary name ends in ".tmp", so the format must be given.
            fig.savefig(tmp, format="png", dpi=DPI)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        fig.clear()
    return target
