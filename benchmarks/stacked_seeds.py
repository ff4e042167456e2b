"""Stacked pretraining against the plain network over several seeds (issue 14).

`family.py` trains every member once, at seed 0, and there the stacked autoencoder ends
0.1 % above the plain network. One seed cannot say whether a gap that small is the
member's or the seed's. This trains the plain network and the stacked members with
`family.py`'s settings (the same total budget: pretraining epochs come out of the
fine-tuning epochs) at each of ``--seeds``, on the full training set, and reports each
seed's test error, the paired difference to the plain network at the same seed, and the
mean and spread over the seeds. `autoencoder-short` is the plain network given only the
stacked members' fine-tuning epochs: the control that tells what pretraining buys from the
epochs it costs. Nothing is chosen here, so reading the test split is fair.

    python benchmarks/stacked_seeds.py [--seeds 0 1 2] [--epochs 20] [--pretrain-epochs 1]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from family import CODE, HIDDEN, members, squared_error
from provenance import heading
from throughput import write_atomic

import aekit
from aekit.datasets import load

ROOT = Path(__file__).resolve().parents[1]
PLAIN = "autoencoder"
SHORT = "autoencoder-short"


def test_error(make, seed: int, data) -> tuple[float, float]:
    est = make().set_params(random_state=seed)
    start = time.perf_counter()
    est.fit(data.X_train)
    seconds = time.perf_counter() - start
    return squared_error(data.X_test, est.reconstruct(data.X_test)), seconds


def paired(errors: dict[str, list[float]], name: str) -> list[float]:
    """The member's error minus the plain network's, seed by seed."""
    return [a - b for a, b in zip(errors[name], errors[PLAIN], strict=True)]


def summary(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.4f}"
    return f"{np.mean(values):.4f} ± {np.std(values, ddof=1):.4f}"


def main() -> None:
    started = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--pretrain-epochs", type=int, default=1)
    ap.add_argument("--members", nargs="+", default=["stacked-ae", "stacked-denoising", SHORT])
    ap.add_argument("--data-dir", default=None, help="folder of Fashion-MNIST IDX files")
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/stacked-seeds.md"))
    args = ap.parse_args()
    torch.manual_seed(0)
    data = load("fashion-mnist", path=args.data_dir)
    table = members(args.epochs, args.pretrain_epochs)
    # The control: the plain network given only the stacked members' fine-tuning epochs,
    # so what pretraining buys is told apart from the epoch it costs.
    short = {"code_size": CODE, "hidden": HIDDEN, "random_state": 0, "verbose": 0}
    table[SHORT] = lambda: aekit.Autoencoder(**short, epochs=args.epochs - args.pretrain_epochs)
    names = [PLAIN, *args.members]
    errors: dict[str, list[float]] = {n: [] for n in names}
    seconds: dict[str, list[float]] = {n: [] for n in names}
    for seed in args.seeds:
        for name in names:  # interleaved, so a change in the machine's speed hits all alike
            err, s = test_error(table[name], seed, data)
            errors[name].append(err)
            seconds[name].append(s)
            print(f"seed {seed} {name}: {err:.4f} in {s:.0f} s", flush=True)

    script = "benchmarks/stacked_seeds.py"
    lines = heading("Stacked pretraining over seeds", script, started, __doc__)
    lines += [
        f"Fashion-MNIST, 784-1000-500-250-30, {args.epochs} epochs in all "
        f"({args.pretrain_epochs} pretraining epoch(s) per layer for the stacked members, "
        "taken from the fine-tuning epochs); test squared error per image.",
        "",
        "| seed | "
        + " | ".join(names)
        + " | "
        + " | ".join(f"{n} − {PLAIN}" for n in args.members)
        + " |",
        "|--:|" + "--:|" * (len(names) + len(args.members)),
    ]
    for i, seed in enumerate(args.seeds):
        cells = [f"{errors[n][i]:.4f}" for n in names]
        cells += [f"{paired(errors, n)[i]:+.4f}" for n in args.members]
        lines.append(f"| {seed} | " + " | ".join(cells) + " |")
    mean = [summary(errors[n]) for n in names]
    mean += [summary(paired(errors, n)) for n in args.members]
    lines.append("| mean ± sd | " + " | ".join(mean) + " |")
    lines += [
        "",
        "| member | fit s, mean | paired difference ≤ 0 at | mean ratio to plain |",
        "|---|--:|--:|--:|",
    ]
    for n in args.members:
        diffs = paired(errors, n)
        wins = sum(d <= 0 for d in diffs)
        ratio = np.mean(errors[n]) / np.mean(errors[PLAIN])
        lines.append(
            f"| {n} | {np.mean(seconds[n]):.0f} | {wins} of {len(diffs)} seeds | {ratio:.4f} |"
        )
    lines.append(f"| {PLAIN} | {np.mean(seconds[PLAIN]):.0f} | | 1 |")
    write_atomic(Path(args.out), "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
