"""How much ink our regenerated curves carry, against the paper's PCA-18 figure (issue 14).

Hinton & Salakhutdinov (2006) report PCA with 18 components leaving a squared error of 5.90
per curves test image. This draws the images of ``aekit.data.curves`` with pens of radius
``--radii`` (full ink within it, fading to none over one more pixel; 0.5 is aekit's), fits
PCA-6 and PCA-18 on the first 20,000 and measures them on the next 10,000, as the suite
splits them. When PCA leaves much more than 5.90, the images hold more to reconstruct than
the paper's did, and its absolute errors do not transfer to ours.

    python benchmarks/curves_pens.py [--radii 0.5 0.25 0]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from provenance import heading
from sklearn.decomposition import PCA
from throughput import write_atomic

from aekit.data import curves

ROOT = Path(__file__).resolve().parents[1]
N_TRAIN, N_TEST = 20_000, 10_000
PAPER_PCA18 = 5.90


def pca_error(train: np.ndarray, test: np.ndarray, k: int) -> float:
    pca = PCA(k, random_state=0).fit(train)
    return float(np.square(pca.inverse_transform(pca.transform(test)) - test).sum(1).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--radii", type=float, nargs="+", default=[0.5, 0.25, 0.0])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/curves-pens.md")
    args = ap.parse_args()
    started = time.perf_counter()
    kept = curves.PEN_RADIUS
    rows = []
    try:
        for radius in args.radii:
            curves.PEN_RADIUS = radius
            X = curves.make_curves(N_TRAIN + N_TEST, random_state=0)
            train, test = X[:N_TRAIN], X[N_TRAIN:]
            stats = curves.pixel_statistics(train)
            pca6, pca18 = pca_error(train, test, 6), pca_error(train, test, 18)
            rows.append(
                f"| {radius:g}{' (aekit)' if radius == kept else ''} | "
                f"{stats['mean_intensity']:.4f} | {stats['inked_fraction']:.4f} | "
                f"{np.square(test).sum(1).mean():.2f} | {pca6:.2f} | {pca18:.2f} | "
                f"{pca18 / PAPER_PCA18:.2f} |"
            )
            print(rows[-1], flush=True)
    finally:
        curves.PEN_RADIUS = kept
    lines = heading(
        "Curves: ink per image against the paper's PCA-18 error (issue 14)",
        "benchmarks/curves_pens.py",
        started,
        __doc__,
    )
    lines += [
        "| pen radius | mean intensity | inked fraction | ink energy / image | PCA-6 | PCA-18 "
        "| PCA-18 / paper's 5.90 |",
        "| --: | --: | --: | --: | --: | --: | --: |",
        *rows,
    ]
    write_atomic(args.out, "\n".join(lines) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
