"""Inference speed: transform, reconstruct and score beside a tutorial's evaluation loop (issue 17).

A fitted model is used far more often than it is trained. This fits the
784-1000-500-250-30 Fashion-MNIST autoencoder of ``benchmarks/throughput.py`` at its
defaults for one epoch (its quality does not change the arithmetic), then times, on the
10,000 test images, each of the estimator's batched methods beside what an introduction to
PyTorch writes for the same job with the same network (``throughput.tutorial_model``): a
``DataLoader`` of batch 100 under ``torch.no_grad``, one ``.item()`` a batch for the loss.
Each timing is the median of ``--repeats`` passes after one warm-up pass, the two contenders
alternating so that a change in the machine's speed hits both. The ceiling: one forward
pass is 2 FLOP a weight a sample, read against this CPU's float32 product rate measured in
the same run.

    python benchmarks/inference.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from provenance import heading
from throughput import CODE_SIZE, HIDDEN, matrix_rates, tutorial_model, write_atomic

import aekit
from aekit.datasets import load

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL_BATCH = 100


def tutorial_jobs(X: np.ndarray) -> dict[str, Callable[[], Any]]:
    """The tutorial's evaluation loops, one per estimator method, on the same network."""
    model = tutorial_model().eval()
    n_encoder = 2 * (len(HIDDEN) + 1) - 1  # Linear+ELU per hidden layer, then the code Linear
    encoder = model[:n_encoder]
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X)), batch_size=TUTORIAL_BATCH
    )

    @torch.no_grad()
    def encode() -> np.ndarray:
        return torch.cat([encoder(xb) for (xb,) in loader]).numpy()

    @torch.no_grad()
    def reconstruct() -> np.ndarray:
        return torch.cat([torch.sigmoid(model(xb)) for (xb,) in loader]).numpy()

    @torch.no_grad()
    def test_loss() -> float:
        total = 0.0
        for (xb,) in loader:
            total += F.binary_cross_entropy_with_logits(model(xb), xb, reduction="sum").item()
        return total / len(X)

    @torch.no_grad()
    def errors() -> np.ndarray:
        return torch.cat(
            [(torch.sigmoid(model(xb)) - xb).square().sum(1) for (xb,) in loader]
        ).numpy()

    return {"transform": encode, "reconstruct": reconstruct, "score": test_loss, "errors": errors}


def aekit_jobs(est: Any, X: np.ndarray) -> dict[str, Callable[[], Any]]:
    return {
        "transform": lambda: est.transform(X),
        "reconstruct": lambda: est.reconstruct(X),
        "score": lambda: est.score(X),
        "errors": lambda: est.reconstruction_error(X),
    }


WHAT = {
    "transform": ("`transform` (codes)", "encoder half, batch 100"),
    "reconstruct": ("`reconstruct`", "sigmoid(model(x)), batch 100"),
    "score": ("`score` (mean loss)", "test loss, `.item()` a batch"),
    "errors": ("`reconstruction_error` (per image)", "per-image squared error, batch 100"),
}
FORWARD_HALVES = {"transform": 1, "reconstruct": 2, "score": 2, "errors": 2}


def median_seconds(jobs: list[Callable[[], Any]], repeats: int) -> list[float]:
    """Median wall time of each job, the jobs alternating within each repeat."""
    for job in jobs:
        job()  # warm-up: oneDNN picks its kernels, caches fill
    times: list[list[float]] = [[] for _ in jobs]
    for _ in range(repeats):
        for i, job in enumerate(jobs):
            t0 = time.perf_counter()
            job()
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def n_weights_half() -> int:
    sizes = [784, *HIDDEN, CODE_SIZE]
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/inference.md")
    args = ap.parse_args()
    started = time.perf_counter()
    data = load("fashion-mnist")
    X = np.ascontiguousarray(data.X_test, dtype=np.float32)
    est = aekit.Autoencoder(hidden=HIDDEN, code_size=CODE_SIZE, epochs=1, random_state=0)
    est.fit(data.X_train)
    ours, theirs = aekit_jobs(est, X), tutorial_jobs(X)
    rates = matrix_rates()
    rows = []
    for name, (ours_label, theirs_label) in WHAT.items():
        t_ours, t_theirs = median_seconds([ours[name], theirs[name]], args.repeats)
        gflops = 2 * n_weights_half() * FORWARD_HALVES[name] * len(X) / t_ours / 1e9
        rows.append(
            f"| {ours_label} | {len(X) / t_ours:,.0f} | {theirs_label} | "
            f"{len(X) / t_theirs:,.0f} | {t_theirs / t_ours:.2f} | {gflops:,.0f} |"
        )
        print(rows[-1], flush=True)
    lines = heading(
        "Inference: the estimator's methods beside a tutorial's evaluation loop (issue 17)",
        "benchmarks/inference.py",
        started,
        __doc__,
    )
    lines += [
        f"- data: Fashion-MNIST's {len(X):,} test images; network 784-1000-500-250-30, "
        "mirrored decoder, ELU, fitted one epoch at the defaults",
        f"- CPU matrix products: {rates}",
        f"- repeats: median of {args.repeats} alternating passes after one warm-up pass",
        "",
        "| aekit | samples/s | tutorial loop | samples/s | × tutorial | aekit GFLOP/s |",
        "| --- | --: | --- | --: | --: | --: |",
        *rows,
    ]
    write_atomic(args.out, "\n".join(lines) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
