"""The ``curves`` images of Hinton & Salakhutdinov (2006), regenerated after their description.

Each 28x28 image holds one curve: three random control points with x increasing by at least
2 from point to point and both coordinates in [2, 25], a natural cubic spline y(x) through
them, inked with an anti-aliased pen (full ink within ``PEN_RADIUS`` of the curve, fading to
none over one more pixel). The paper's own files are not redistributed, so the set is made
here, seeded: the same seed gives the same images on every machine.
"""

from __future__ import annotations

import numpy as np

SIZE = 28
LOW, HIGH = 2.0, 25.0  # control-point coordinates, pixel units
MIN_GAP = 2.0  # least x distance between consecutive control points
PEN_RADIUS = 0.5  # full ink within this distance of the curve, in pixels
STEP = 0.1  # arc-length spacing of the pen's positions, in pixels
_WINDOW = np.stack(np.meshgrid(np.arange(-2, 3), np.arange(-2, 3), indexing="ij"), -1).reshape(
    -1, 2
)


def make_curves(n: int, random_state: int = 0) -> np.ndarray:
    """``n`` curve images, flattened to rows of 784 float32 values in [0, 1].

    Examples
    --------
    >>> X = make_curves(3, random_state=0)
    >>> X.shape, X.dtype, bool(0 <= X.min() and X.max() <= 1)
    ((3, 784), dtype('float32'), True)
    >>> bool((make_curves(3, random_state=0) == X).all())
    True
    """
    rng = np.random.default_rng(random_state)
    images = np.zeros((n, SIZE * SIZE), np.float32)
    for i, (xs, ys) in enumerate(_control_points(n, rng)):
        _ink(images[i], _pen_path(xs, ys))
    return images


def pixel_statistics(X: np.ndarray) -> dict[str, float]:
    """Mean intensity and the fraction of inked (non-zero) pixels, to compare with the paper's.

    >>> pixel_statistics(np.array([[0.0, 0.5, 1.0, 0.0]]))
    {'mean_intensity': 0.375, 'inked_fraction': 0.5}
    """
    return {"mean_intensity": float(X.mean()), "inked_fraction": float((X > 0).mean())}


def _control_points(n: int, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Three points per image: x sorted with gaps of at least MIN_GAP, y free in the frame."""
    points: list[tuple[np.ndarray, np.ndarray]] = []
    while len(points) < n:
        xs = np.sort(rng.uniform(LOW, HIGH, size=3))
        ys = rng.uniform(LOW, HIGH, size=3)
        if np.diff(xs).min() >= MIN_GAP:  # rejection keeps x uniform given the constraint
            points.append((xs, ys))
    return points


def _pen_path(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Pen positions (row, column) every STEP pixels of arc length along the spline."""
    from scipy.interpolate import CubicSpline

    spline = CubicSpline(xs, ys, bc_type="natural")
    fine_x = np.linspace(xs[0], xs[-1], 2000)
    fine = np.stack([spline(fine_x), fine_x], axis=1)  # (row = y, column = x)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(fine, axis=0), axis=1))])
    at = np.arange(0.0, arc[-1] + STEP, STEP)
    return np.stack([np.interp(at, arc, fine[:, 0]), np.interp(at, arc, fine[:, 1])], axis=1)


def _ink(image: np.ndarray, path: np.ndarray) -> None:
    """Ink each pixel by its distance to the nearest pen position (pixel centres at +0.5)."""
    cells = np.floor(path).astype(np.int64)[:, None, :] + _WINDOW[None]  # (m, 25, 2)
    distance = np.linalg.norm(cells + 0.5 - path[:, None, :], axis=2)
    ink = np.clip(PEN_RADIUS + 1.0 - distance, 0.0, 1.0)
    inside = ((cells >= 0) & (cells < SIZE)).all(axis=2)  # the spline may leave the frame
    flat = cells[..., 0] * SIZE + cells[..., 1]
    np.maximum.at(image, flat[inside], ink[inside].astype(np.float32))
