"""Checking an exported file: onnxruntime against the estimator's own methods.

The file is run on sample rows twice, all at once and a single row, so a batch size fixed by
mistake fails too; each output is compared with what the estimator gives for the same rows.
A difference is measured relative to the value where that is above 1 (a VAE's score is
hundreds of nats; float32 keeps about 7 digits), absolute below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aekit.data.scaling import Scaler
from aekit.export.graphs import Arrays

CHECK_ROWS = 256  # sample rows the check runs on (the first ones of rows given)
TOLERANCE = 1e-5  # largest difference accepted, absolute or, above 1, relative


@dataclass
class Check:
    """The result of a check: the largest difference of each output, over both runs."""

    n_rows: int
    batch_sizes: tuple[int, ...]
    differences: dict[str, float]  # output name -> largest difference
    tolerance: float = TOLERANCE

    @property
    def worst(self) -> tuple[str, float]:
        """The output with the largest difference, and that difference."""
        name = max(self.differences, key=lambda n: self.differences[n])
        return name, self.differences[name]

    @property
    def passed(self) -> bool:
        return self.worst[1] <= self.tolerance


def sample_rows(scaler: Scaler, n_rows: int = CHECK_ROWS, seed: int = 0) -> np.ndarray:
    """Made-up rows in the data's units, spread as the training data were (per the scaling).

    Standardised data: the training mean and standard deviation, normally; min-max scaled:
    uniformly over the training range; unscaled: uniformly in [0, 1], where "auto" keeps data.
    """
    rng = np.random.default_rng(seed)
    shape = (n_rows, scaler.offset.shape[0])
    if scaler.kind == "standard":
        unit = rng.standard_normal(shape)
    else:
        unit = rng.random(shape)
    rows = unit if scaler.kind == "none" else scaler.offset + scaler.scale * unit
    return rows.astype(np.float32)


def difference(got: np.ndarray, expected: np.ndarray) -> float:
    """The largest of |got - expected| / max(1, |expected|); inf on a shape or NaN mismatch."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        return float("inf")
    if got.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):  # inf - inf: equal infinities are no difference
        gap = np.abs(got - expected) / np.maximum(1.0, np.abs(expected))
    gap = np.where(got == expected, 0.0, gap)
    return float(np.nan_to_num(gap, nan=np.inf).max())


def run_check(path: Path, feeds: Arrays, expected: Arrays) -> Check:
    """Run the file at ``path`` with onnxruntime on ``feeds``, then on their first row."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: a command's output stays its own
    options.intra_op_num_threads = 1  # a few hundred rows: threads cost more than they save
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    names = list(expected)
    n_rows = next(iter(feeds.values())).shape[0]
    sizes = (n_rows, 1) if n_rows > 1 else (n_rows,)
    worst = dict.fromkeys(names, 0.0)
    for size in sizes:
        outputs = session.run(names, {k: v[:size] for k, v in feeds.items()})
        for name, got in zip(names, outputs, strict=True):
            worst[name] = max(worst[name], difference(got, expected[name][:size]))
    return Check(n_rows, sizes, worst)
