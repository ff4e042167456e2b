"""Arrays as compact base64 strings for the page: the JSON stays small and exact in size.

Every array travels little-endian; the page reads it back with a ``DataView``.

- coordinates: ``uint16`` quantised over their bounds (1/65535 of the span: far below a
  pixel at any zoom the page allows);
- codes and decoder weights: ``float16`` (about 3 significant digits);
- table rows: ``uint8`` per column over the column's range (for a small bar view).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

U16_MAX = 65535
U8_MAX = 255


def b64(array: np.ndarray, dtype: str) -> str:
    """``array`` as little-endian ``dtype`` bytes in base64.

    Examples
    --------
    >>> b64(np.array([1, 2]), "<u2")
    'AQACAA=='
    """
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def floats16(array: np.ndarray) -> dict[str, Any]:
    """A float array as float16 (values beyond float16's range are clipped to it)."""
    a = np.clip(np.asarray(array, np.float64), -65000.0, 65000.0)
    return {"dtype": "f16", "shape": list(a.shape), "data": b64(a.ravel(), "<f2")}


def floats32(array: np.ndarray) -> dict[str, Any]:
    a = np.asarray(array, np.float32)
    return {"dtype": "f32", "shape": list(a.shape), "data": b64(a.ravel(), "<f4")}


def points(xy: np.ndarray) -> dict[str, Any]:
    """2-D points, shape (n, 2), quantised to uint16 over their bounding box.

    Examples
    --------
    >>> p = points(np.array([[0.0, 10.0], [1.0, 20.0]]))
    >>> p["bounds"], np.frombuffer(base64.b64decode(p["data"]), "<u2").tolist()
    ([0.0, 1.0, 10.0, 20.0], [0, 0, 65535, 65535])
    """
    xy = np.asarray(xy, np.float64)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.round((xy - lo) / span * U16_MAX)
    bounds = [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]
    return {"bounds": bounds, "data": b64(q.ravel(), "<u2")}


def table_rows(rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> dict[str, Any]:
    """Rows of a table, shape (n, n_features), as uint8 over each column's [lo, hi]."""
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.clip(np.round((np.asarray(rows, np.float64) - lo) / span * U8_MAX), 0, U8_MAX)
    return {"n": int(rows.shape[0]), "data": b64(q.ravel(), "u1")}


def rounded(values: Any, digits: int = 4) -> list[float | None]:
    """Numbers for the JSON, with ``digits`` significant digits (NaN and inf become None)."""
    out = []
    for v in np.asarray(values, np.float64).ravel():
        out.append(float(f"{v:.{digits}g}") if np.isfinite(v) else None)
    return out
