"""Rows of the ``hinton2006`` suite's curves or Fashion-MNIST table, run alone (issue 14).

``aekit reproduce hinton2006`` trains every network of every section (about 45 minutes on two
cores). This trains only the networks named by ``--kinds`` (the section's kinds:
``aekit.reproduce.hinton2006.CURVE_KINDS`` or ``IMAGE_KINDS``), exactly as the suite's
section builds and measures them (``hinton2006_recipes.deep`` at the full budget, then
``aekit.reproduce.measure.train``), beside PCA on the same images, so a new row can be
measured without rerunning the rest.

    python benchmarks/hinton2006_rows.py [--kinds aekit-muon] [--out FILE]
    python benchmarks/hinton2006_rows.py --data curves --kinds aekit-masking aekit
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from provenance import ROOT, heading

from aekit.datasets import load
from aekit.reproduce import hinton2006_recipes as recipes
from aekit.reproduce.hinton2006 import CURVE_KINDS, IMAGE_KINDS
from aekit.reproduce.measure import pca, train

SECTIONS = {  # data set: (kinds, hidden widths, code size, epochs at the full budget, title)
    "fashion-mnist": (
        IMAGE_KINDS,
        recipes.IMAGES_HIDDEN,
        recipes.IMAGES_CODE,
        recipes.FULL.images_epochs,
        "Fashion-MNIST",
    ),
    "curves": (
        CURVE_KINDS,
        recipes.CURVES_HIDDEN,
        recipes.CURVES_CODE,
        recipes.FULL.curves_epochs,
        "curves",
    ),
}


def main() -> None:
    started = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", choices=sorted(SECTIONS), default="fashion-mnist")
    ap.add_argument("--kinds", nargs="+", default=None, help="default: the section's last kind")
    ap.add_argument("--data-dir", default=None, help="folder of Fashion-MNIST's IDX files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--out",
        default=None,
        help="default: results/hinton2006-rows.md (curves: hinton2006-curves-rows.md)",
    )
    args = ap.parse_args()
    kinds, hidden, code, epochs, title = SECTIONS[args.data]
    chosen = args.kinds or [list(kinds)[-1]]
    unknown = [k for k in chosen if k not in kinds]
    if unknown:
        ap.error(f"--kinds: {', '.join(unknown)} not among {args.data}'s {', '.join(kinds)}")
    data = (
        load("curves", random_state=args.seed)  # the suite's seeded curves
        if args.data == "curves"
        else load("fashion-mnist", path=args.data_dir, random_state=args.seed)
    )
    X_train, X_test = data.X_train, data.X_test
    base = pca(X_train, X_test, code, args.seed)
    rows = []
    for kind in chosen:
        est = recipes.deep(kind, hidden, code, recipes.FULL, epochs, args.seed)
        r = train(kind, est, X_train, X_test)
        print(f"{kind}: {r.error:.4f} in {r.seconds:.0f} s, {r.epochs_cell} epochs", flush=True)
        rows.append(
            f"| {kinds[kind]} | {r.error:.4g} | {r.error / base.error:.4g} "
            f"| {r.seconds:.1f} | {r.epochs_cell} |"
        )
    lines = heading(
        f"Hinton & Salakhutdinov 2006, {title} rows run alone",
        "benchmarks/hinton2006_rows.py",
        started,
        __doc__,
    )
    arch = "-".join(str(w) for w in (X_train.shape[1], *hidden, code))
    lines += [
        f"{arch}, {len(X_train)} training / {len(X_test)} test images; "
        "squared error per test image.",
        "",
        f"| model | test error | × PCA-{code} | train s | epochs |",
        "|---|--:|--:|--:|--:|",
        *rows,
        f"| PCA-{code} | {base.error:.4g} | 1 | — | — |",
        "",
    ]
    name = "hinton2006-curves-rows.md" if args.data == "curves" else "hinton2006-rows.md"
    out = Path(args.out) if args.out else ROOT / "benchmarks/results" / name
    out.write_text("\n".join(lines))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
