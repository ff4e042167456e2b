"""The two maps of the same points: the model's codes in 2-D, and PCA's first two components."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from aekit.evaluation.metrics import PCABaseline


def code_map(codes: np.ndarray, seed: int = 0) -> tuple[np.ndarray, str]:
    """The codes as 2-D points (n, 2), and the name of the projection the page shows.

    Codes of two units are drawn as they are; wider codes by the PCA of the codes shown;
    a one-unit code on the x axis, with a small seeded jitter on y so points do not hide.
    """
    n, width = codes.shape
    if width == 2:
        return codes.astype(np.float64), "the 2-D codes as they are"
    if width == 1:
        spread = float(np.ptp(codes)) or 1.0
        jitter = np.random.default_rng(seed).uniform(-0.05, 0.05, n) * spread
        return np.column_stack([codes[:, 0], jitter]), "the 1-D code on x (y: a small jitter)"
    if n < 3:
        return np.column_stack([codes[:, 0], codes[:, 1]]), "the codes' first two units"
    pca = PCA(n_components=2, random_state=seed).fit(codes)
    share = float(pca.explained_variance_ratio_.sum())
    return pca.transform(codes), (
        f"PCA of the {width}-D codes: their first two components "
        f"({share:.0%} of the codes' variance)"
    )


def pca_map(baseline: PCABaseline, X_scaled: np.ndarray) -> np.ndarray:
    """The points on the baseline's first two components: (n, 2); one component: y = 0."""
    centred = np.asarray(X_scaled, np.float64) - baseline.mean
    xy = centred @ baseline.components[:2].T
    return xy if xy.shape[1] == 2 else np.column_stack([xy[:, 0], np.zeros(len(xy))])


def spread_out(xy: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """``k`` indices of ``xy`` far from each other (farthest-point sampling, seeded start).

    Anchors chosen so cover the map, where a random sample would cluster in its dense parts.

    Examples
    --------
    >>> spread_out(np.array([[0.0, 0], [0.1, 0], [5, 5], [9, 0]]), 3, seed=0).tolist()
    [0, 2, 3]
    """
    n = xy.shape[0]
    k = min(k, n)
    span = np.ptp(xy, axis=0)
    pts = xy / np.where(span > 0, span, 1.0)  # both axes count alike
    chosen = [int(np.random.default_rng(seed).integers(n))]
    distance = np.linalg.norm(pts - pts[chosen[0]], axis=1)
    while len(chosen) < k:
        nxt = int(np.argmax(distance))
        chosen.append(nxt)
        distance = np.minimum(distance, np.linalg.norm(pts - pts[nxt], axis=1))
    return np.sort(np.asarray(chosen))
