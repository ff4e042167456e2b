"""Rows of the ``hinton2006`` suite's Fashion-MNIST table, run alone (issue 14).

``aekit reproduce hinton2006`` trains every network of every section (about 35 minutes on two
cores). This trains only the networks named by ``--kinds`` (the suite's kinds:
``aekit.reproduce.hinton2006.IMAGE_KINDS``), exactly as the suite's Fashion-MNIST section
builds and measures them (``hinton2006_recipes.deep`` at the full budget, then
``aekit.reproduce.measure.train``), beside PCA-30 on the same images, so a new row can be
measured without rerunning the rest.

    python benchmarks/hinton2006_rows.py [--kinds aekit-muon] [--out FILE]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from provenance import ROOT, heading

from aekit.datasets import load
from aekit.reproduce import hinton2006_recipes as recipes
from aekit.reproduce.hinton2006 import IMAGE_KINDS
from aekit.reproduce.measure import pca, train


def main() -> None:
    started = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kinds", nargs="+", choices=sorted(IMAGE_KINDS), default=["aekit-muon"])
    ap.add_argument("--data-dir", default=None, help="folder of Fashion-MNIST's IDX files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/hinton2006-rows.md"))
    args = ap.parse_args()
    data = load("fashion-mnist", path=args.data_dir, random_state=args.seed)
    X_train, X_test = data.X_train, data.X_test
    budget, hidden, code = recipes.FULL, recipes.IMAGES_HIDDEN, recipes.IMAGES_CODE
    base = pca(X_train, X_test, code, args.seed)
    rows = []
    for kind in args.kinds:
        est = recipes.deep(kind, hidden, code, budget, budget.images_epochs, args.seed)
        r = train(kind, est, X_train, X_test)
        print(f"{kind}: {r.error:.4f} in {r.seconds:.0f} s, {r.epochs_cell} epochs", flush=True)
        rows.append(
            f"| {IMAGE_KINDS[kind]} | {r.error:.4g} | {r.error / base.error:.4g} "
            f"| {r.seconds:.1f} | {r.epochs_cell} |"
        )
    lines = heading(
        "Hinton & Salakhutdinov 2006, Fashion-MNIST rows run alone",
        "benchmarks/hinton2006_rows.py",
        started,
        __doc__,
    )
    lines += [
        f"784-1000-500-250-30, {len(X_train)} training / {len(X_test)} test images; "
        "squared error per test image.",
        "",
        "| model | test error | × PCA-30 | train s | epochs |",
        "|---|--:|--:|--:|--:|",
        *rows,
        f"| PCA-30 | {base.error:.4g} | 1 | — | — |",
        "",
    ]
    out = Path(args.out)
    out.write_text("\n".join(lines))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
