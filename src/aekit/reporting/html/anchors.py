"""Interpolations decoded when the report is written, for a decoder the page cannot run.

A seeded set of anchor points spread over the map; for every pair ``i < j`` of them, the
codes on the line from anchor i's code to anchor j's are decoded by the model itself. The
page then lets one select anchors only, and says why.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from aekit.reporting.html.projection import spread_out

N_ANCHORS = 16  # 120 pairs
STEPS = 8  # frames per interpolation, both ends included


def anchor_frames(
    member: Any, codes: np.ndarray, xy: np.ndarray, seed: int, n_anchors: int = N_ANCHORS
) -> tuple[np.ndarray, np.ndarray]:
    """The anchors' point indices and the inner frames of every pair, in data units.

    Returns
    -------
    anchors : ndarray of shape (n_anchors,)
        Point indices, increasing.
    frames : ndarray of shape (n_pairs * (STEPS - 2), n_features)
        For pair p (in ``itertools.combinations`` order), frames ``p * (STEPS - 2)`` on: the
        decoded codes at t = 1/(STEPS-1), ..., (STEPS-2)/(STEPS-1). The ends are the anchors'
        own reconstructions, which the page has already.
    """
    anchors = spread_out(xy, n_anchors, seed)
    t = np.arange(1, STEPS - 1, dtype=np.float64) / (STEPS - 1)  # (STEPS - 2,)
    lines = [
        (1 - t)[:, None] * codes[a] + t[:, None] * codes[b]
        for a, b in combinations(anchors.tolist(), 2)
    ]
    if not lines:
        return anchors, np.zeros((0, member.n_features_in_), np.float32)
    steps = np.concatenate(lines).astype(np.float32)  # (n_pairs * (STEPS - 2), code_size)
    return anchors, member.inverse_transform(steps)
