"""Thumbnails of many images as ONE PNG (a sprite sheet), embedded in the page as base64.

A page with 10,000 points holds 10,000 inputs (and, when the page cannot decode, as many
reconstructions): one PNG per kind compresses far better than 10,000 small ones and the
page draws any cell with a single ``drawImage``. To keep the page within its size budget a
sprite set is encoded at the first quality on :data:`LADDER` whose bytes fit: 256 grey
levels, then 16 (a 4-bit palette PNG: Fashion-MNIST's 28 x 28 thumbnails take 180 bytes
instead of 410), then each thumbnail averaged down by 2, 3, 4. The page states the quality.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

MAX_SHEET_SIDE = 8192  # pixels: far below what browsers decode, far above a screen


@dataclass(frozen=True)
class Quality:
    factor: int  # each thumbnail is the mean of factor x factor pixel blocks
    levels: int  # grey (or per-channel) levels kept: 256 or 16

    def describe(self, h: int, w: int) -> str:
        side = f"{math.ceil(h / self.factor)} x {math.ceil(w / self.factor)} pixels"
        return f"{side}, {self.levels} levels" + (
            f" (averaged down by {self.factor} to fit the size budget)" if self.factor > 1 else ""
        )


LADDER = (Quality(1, 256), Quality(1, 16), Quality(2, 16), Quality(3, 16), Quality(4, 16))


def as_chw(image_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """``(h, w)`` or ``(c, h, w)`` as ``(c, h, w)``.

    Examples
    --------
    >>> as_chw((8, 8)), as_chw((3, 4, 5))
    ((1, 8, 8), (3, 4, 5))
    """
    return (1, *image_shape) if len(image_shape) == 2 else tuple(image_shape)  # type: ignore[return-value]


def display_range(X: np.ndarray) -> tuple[float, float]:
    """The values drawn black and white: [0, 1] for data inside it, else robust extremes."""
    lo, hi = float(np.min(X)), float(np.max(X))
    if lo >= 0.0 and hi <= 1.0:
        return 0.0, 1.0
    lo, hi = (float(v) for v in np.percentile(X, [0.5, 99.5]))
    return lo, hi if hi > lo else lo + 1.0


def sprite(rows: np.ndarray, shape: tuple[int, int, int], quality: Quality) -> dict[str, Any]:
    """Rows in [0, 1], shape (n, c*h*w), as one PNG sheet of cells: the page's sprite record."""
    c, h, w = shape
    images = np.clip(np.asarray(rows, np.float64), 0.0, 1.0).reshape(-1, c, h, w)
    images = _shrink(images, quality.factor)  # (n, c, h', w')
    n, _, ch, cw = images.shape
    cols = max(1, min(math.ceil(math.sqrt(n)), MAX_SHEET_SIDE // cw))
    sheet_rows = math.ceil(n / cols)
    sheet = np.zeros((sheet_rows * ch, cols * cw, c))
    for i in range(n):
        r, k = divmod(i, cols)
        sheet[r * ch : (r + 1) * ch, k * cw : (k + 1) * cw] = images[i].transpose(1, 2, 0)
    q = np.round(sheet * (quality.levels - 1)).astype(np.uint8)  # 0 .. levels-1
    return {
        "png": _png(q, quality.levels),
        "n": int(n),
        "cols": int(cols),
        "h": int(ch),
        "w": int(cw),
    }


def fit_sprites(
    kinds: dict[str, np.ndarray], shape: tuple[int, int, int], budget: int
) -> tuple[dict[str, dict[str, Any]], Quality]:
    """Each kind's sprite at the best quality on :data:`LADDER` whose total fits ``budget``.

    ``budget`` counts base64 characters; when even the last quality does not fit, that one
    is kept (the page says how large it came out).
    """
    for quality in LADDER:
        sprites = {name: sprite(rows, shape, quality) for name, rows in kinds.items()}
        if sum(len(s["png"]) for s in sprites.values()) <= budget:
            break
    return sprites, quality


def _shrink(images: np.ndarray, factor: int) -> np.ndarray:
    if factor == 1:
        return images
    n, c, h, w = images.shape
    ph, pw = -h % factor, -w % factor
    padded = np.pad(images, ((0, 0), (0, 0), (0, ph), (0, pw)), mode="edge")
    blocks = padded.reshape(n, c, (h + ph) // factor, factor, (w + pw) // factor, factor)
    return blocks.mean(axis=(3, 5))


def _png(q: np.ndarray, levels: int) -> str:
    """Levels 0 .. levels-1 per pixel (and channel) as base64 PNG data."""
    grey = q.shape[2] == 1
    buf = io.BytesIO()
    if levels <= 16 and grey:  # a 4-bit palette of greys: half the bytes of 8-bit grey
        image = Image.fromarray(q[:, :, 0], "P")
        step = 255 / (levels - 1)
        image.putpalette([round(i * step) for i in range(levels) for _ in range(3)])
        image.save(buf, format="PNG", bits=4, optimize=True)
    else:
        full = np.round(q.astype(np.float64) * (255 / (levels - 1))).astype(np.uint8)
        image = Image.fromarray(full[:, :, 0] if grey else full, "L" if grey else "RGB")
        image.save(buf, format="PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode("ascii")
