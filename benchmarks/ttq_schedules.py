"""Time to quality under aekit's default recipe, without each of its parts, and under other
settings (issue 17).

Each row trains the 784-1000-500-250-30 Fashion-MNIST autoencoder of
``benchmarks/throughput.py`` (its child run, in this process) with one setting, planned for
the row's epochs, and reports samples/s, the best test error and whether it reached the
target (test squared error per image <= 6.0); it stops at the target once 3 epochs are in,
except that a row planned for at most 10 epochs runs them all (its best is its final quality).
"averaged weights" is TrainSettings(average_weights=True) (aekit.training.averaging); the
"centred start" is MLPConfig(centred=True) with ``start_from_data`` on the training mean, as
aekit.Autoencoder.fit builds it. "one-cycle", when a row names it, replaces the engine's
schedule by ``torch.optim.lr_scheduler.OneCycleLR`` (peak at a quarter of the steps).
"Muon" rows train with TrainSettings(optimizer="muon") (aekit.training.muon): Muon for the
weight matrices at 2.5x the peak rate shown, Adam for the biases at it.

    python benchmarks/ttq_schedules.py   # writes benchmarks/results/ttq-schedules.md
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import Any

import throughput as tp
import torch
from provenance import hardware, revision

from aekit.training import engine

ROOT = Path(__file__).resolve().parents[1]
# name, batch, peak learning rate, planned epochs, schedule, average_weights, centred start,
# optimiser
ROWS: list[tuple[str, int, float, int, str, bool, bool, str]] = [
    ("default: averaged weights, centred start", 512, 2e-3, 50, "cosine", True, True, "adam"),
    ("previous default: last weights, uncentred", 512, 2e-3, 50, "cosine", False, False, "adam"),
    ("averaged weights, uncentred", 512, 2e-3, 50, "cosine", True, False, "adam"),
    ("last weights, centred start", 512, 2e-3, 50, "cosine", False, True, "adam"),
    ("default, Adam 3e-3", 512, 3e-3, 50, "cosine", True, True, "adam"),
    ("default, batch 1024 (sqrt-rule rate)", 1024, 2.83e-3, 50, "cosine", True, True, "adam"),
    ("default, cosine over 15", 512, 2e-3, 15, "cosine", True, True, "adam"),
    ("Adam, batch 2048, cosine over 8", 2048, 4e-3, 8, "cosine", True, True, "adam"),
    ("Muon, batch 2048, cosine over 8 (aekit-muon)", 2048, 4e-3, 8, "cosine", True, True, "muon"),
    ("Muon, batch 2048, cosine over 50", 2048, 4e-3, 50, "cosine", True, True, "muon"),
    ("Muon, batch 4096, cosine over 8", 4096, 5.66e-3, 8, "cosine", True, True, "muon"),
    ("Muon, batch 512, cosine over 8", 512, 2e-3, 8, "cosine", True, True, "muon"),
]


def one_cycle(opt: torch.optim.Optimizer, s: Any, steps_per_epoch: int) -> Any:
    return torch.optim.lr_scheduler.OneCycleLR(
        opt,
        max_lr=s.learning_rate,
        total_steps=s.epochs * steps_per_epoch,
        pct_start=0.25,
        final_div_factor=1e3,
    )


def run(
    name: str,
    batch: int,
    rate: float,
    epochs: int,
    schedule: str,
    average: bool,
    centred: bool,
    optimizer: str,
) -> dict[str, Any]:
    engine.make_schedule = one_cycle if schedule == "one-cycle" else DEFAULT_SCHEDULE
    settings = {
        "batch_size": batch,
        "learning_rate": rate,
        "lr_schedule": "cosine",
        "average_weights": average,
        "optimizer": optimizer,
    }
    tp.AEKIT_VARIANTS.append(tp.Variant(name, settings, ("cpu",), centred=centred))
    timed = epochs if epochs <= 10 else 3  # a short plan runs to its end
    args = tp.parse_args(["--device", "cpu", "--epochs", str(timed), "--max-epochs", str(epochs)])
    args.only = [name]
    return tp.run_child(args)


DEFAULT_SCHEDULE = engine.make_schedule


def main() -> None:
    started = time.perf_counter()
    lines = [
        "# Time to quality: the default recipe, each of its parts, other settings (issue 17)",
        "",
        f"- command: `{shlex.join(['python', 'benchmarks/ttq_schedules.py', *sys.argv[1:]])}`",
        f"- git revision: {revision()}",
        f"- hardware: {hardware()}",
        f"- date: {time.strftime('%Y-%m-%d', time.gmtime())}",
        "",
        (__doc__ or "").split("\n\n")[1].replace("\n", " "),
        "",
        "| setting | batch | peak rate | planned epochs | samples/s | best test error "
        "| reached 6.0 (s, epoch) |",
        "| --- | --: | --: | --: | --: | --: | --- |",
    ]
    for row in ROWS:
        name, batch, rate, epochs = row[:4]
        r = run(*row)
        reached = f"{r['ttq_s']:.1f} s, epoch {r['ttq_epochs']}" if r["ttq_s"] else "no"
        lines.append(
            f"| {name} | {batch} | {rate:g} | {epochs} | {r['samples_per_s']:,.0f} "
            f"| {r['best']:.3f} | {reached} |"
        )
        print(lines[-1], flush=True)
    lines += ["", f"Wall time: {time.perf_counter() - started:.0f} s."]
    out = ROOT / "benchmarks" / "results" / "ttq-schedules.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
