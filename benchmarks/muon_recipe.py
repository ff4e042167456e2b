"""Choosing the batch size and planned epochs of optimizer="muon" on a validation split
(issue 17).

Each row trains the 784-1000-500-250-30 Fashion-MNIST autoencoder of
``benchmarks/throughput.py`` (its child run, in this process) with TrainSettings(
optimizer="muon") at the row's batch and planned epochs, learning rate "auto", on the first
50,000 training images, and measures the squared error per image on the last 10,000 after
every epoch (the test images are not read). A row runs its planned epochs to the end; "reached
6.0" is the wall time and epoch at which the validation error first fell to 6.0 or below,
timed as throughput.py times it (checks excluded). The row to take is the one that gets there
in the least wall time; ties go to the lower final error. ``benchmarks/throughput.py`` then
measures the chosen row (its ``aekit-muon`` variant) on the test images, beside the others.

    python benchmarks/muon_recipe.py   # writes benchmarks/results/muon-recipe.md
    python benchmarks/muon_recipe.py --rows 512x30 1024x30 --out /tmp/longer.md
    python benchmarks/muon_recipe.py --tied --rows 1024x8 2048x8 --out /tmp/tied.md
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import Any

import throughput as tp
from provenance import heading

ROOT = Path(__file__).resolve().parents[1]
TRAIN_ROWS = 50_000
# (1024, 30) joined after the first run (results/muon-recipe.md), so this reproduces the choice.
ROWS = [(512, 8), (1024, 4), (1024, 6), (1024, 8), (1024, 30), (2048, 6), (2048, 8), (4096, 8)]


def validation_split(name: str, path: str | None = None) -> Any:
    data = LOAD(name, path=path)
    y = data.y_train
    return dataclasses.replace(
        data,
        X_train=data.X_train[:TRAIN_ROWS],
        X_test=data.X_train[TRAIN_ROWS:],
        y_train=None if y is None else y[:TRAIN_ROWS],
        y_test=None if y is None else y[TRAIN_ROWS:],
    )


LOAD = tp.load


def run(batch: int, epochs: int, tied: bool = False) -> dict[str, Any]:
    tp.load = validation_split
    name = f"muon-b{batch}-e{epochs}{'-tied' if tied else ''}"
    settings = {"optimizer": "muon", "batch_size": batch, "epochs": epochs}
    tp.AEKIT_VARIANTS.append(tp.Variant(name, settings, ("cpu",), tied=tied))
    args = tp.parse_args(["--device", "cpu", "--epochs", str(epochs), "--max-epochs", str(epochs)])
    args.only = [name]
    return tp.run_child(args)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--rows", nargs="+", metavar="BATCHxEPOCHS", help="default: ROWS")
    ap.add_argument("--tied", action="store_true", help="tied weights (tied=True) in every row")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "muon-recipe.md")
    args = ap.parse_args()
    chosen = [tuple(map(int, r.split("x"))) for r in args.rows] if args.rows else ROWS
    started = time.perf_counter()
    rows = []
    for batch, epochs in chosen:
        r = run(batch, epochs, args.tied)
        reached = f"{r['ttq_s']:.1f} s, epoch {r['ttq_epochs']}" if r["ttq_s"] else "no"
        rows.append(
            f"| {batch} | {epochs} | {r['samples_per_s']:,.0f} | {r['best']:.3f} "
            f"| {len(r['epoch_times'])} | {reached} |"
        )
        print(rows[-1], flush=True)
    lines = heading(
        "optimizer='muon': batch size and planned epochs, chosen on validation (issue 17)",
        "benchmarks/muon_recipe.py",
        started,
        __doc__,
    )
    lines += [
        *(["Every row with tied weights (`tied=True`).", ""] if args.tied else []),
        "| batch | planned epochs | samples/s | best validation error | epochs run "
        "| reached 6.0 (s, epoch) |",
        "| --: | --: | --: | --: | --: | --- |",
        *rows,
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
