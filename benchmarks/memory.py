"""Peak memory of training, against the issue's bound: 2 x (data as float32) + model state.

Each case runs in a fresh process that samples its own anonymous resident memory (RssAnon
in /proc/self/status, every 2 ms) from just before training until the end, and reports the
peak growth over what it held before (the data it was given, the loaded libraries):

- engine: ``engine.train`` on a float32 tensor of Fashion-MNIST's training images (as a
  program using the engine directly holds them);
- fit: ``Autoencoder.fit`` on the same images as a float32 NumPy array;
- streamed: ``Autoencoder.fit`` on a memory-mapped float32 ``.npy`` file of --stream-rows
  rows, several times the --budget-mb budget, with ``memory_budget_mb=--budget-mb``.

Anonymous memory is what training allocates; the file pages a memory map brings in are page
cache (RssFile), which the kernel reclaims, so they are left out. Linux only.

    .venv/bin/python benchmarks/memory.py [--epochs 1] [--out benchmarks/results/memory.md]
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aekit import Autoencoder
from aekit.datasets import load
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine
from aekit.training.settings import TrainSettings

HIDDEN, CODE_SIZE = (1000, 500, 250), 30
MIB = 2**20


def rss_anon() -> int:
    """Anonymous resident memory of this process, in bytes."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no RssAnon in /proc/self/status (not Linux?)")


class PeakSampler:
    """Highest RssAnon seen while the ``with`` block runs, sampled from a thread."""

    def __enter__(self) -> PeakSampler:
        self.before = self.peak = rss_anon()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, rss_anon())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_anon())

    @property
    def growth(self) -> int:
        return self.peak - self.before


def model_state_bytes() -> int:
    """Weights, gradients and Adam's two moments, float32."""
    config = MLPConfig(n_features=784, hidden=HIDDEN, code_size=CODE_SIZE)
    n = sum(p.numel() for p in build_module(config).parameters())
    return 4 * 4 * n


def case_engine(args: argparse.Namespace) -> dict[str, Any]:
    X = torch.from_numpy(load("fashion-mnist", path=args.data_dir).X_train)
    torch.manual_seed(0)
    model = build_module(MLPConfig(n_features=784, hidden=HIDDEN, code_size=CODE_SIZE))
    settings = TrainSettings(epochs=args.epochs, device="cpu")
    with PeakSampler() as peak:
        engine.train(model, Objective(model.likelihood), X, settings, seed=0)
    return {"data_bytes": X.numel() * 4, "growth": peak.growth}


def case_fit(args: argparse.Namespace) -> dict[str, Any]:
    X = load("fashion-mnist", path=args.data_dir).X_train
    ae = Autoencoder(hidden=HIDDEN, code_size=CODE_SIZE, epochs=args.epochs, random_state=0)
    with PeakSampler() as peak:
        ae.fit(X)
    return {"data_bytes": X.size * 4, "growth": peak.growth}


def case_streamed(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.npy"
        mapped = np.lib.format.open_memmap(path, "w+", np.float32, (args.stream_rows, 784))
        rng = np.random.default_rng(0)
        for begin in range(0, args.stream_rows, 50_000):  # written a slice at a time
            end = min(begin + 50_000, args.stream_rows)
            mapped[begin:end] = rng.random((end - begin, 784), dtype=np.float32)
        mapped.flush()
        del mapped
        X = np.load(path, mmap_mode="r")
        ae = Autoencoder(hidden=HIDDEN, code_size=CODE_SIZE, epochs=args.epochs, random_state=0)
        with PeakSampler() as peak:
            ae.fit(X, memory_budget_mb=args.budget_mb)
        return {"data_bytes": X.size * 4, "growth": peak.growth, "budget_mb": args.budget_mb}


CASES = {"engine": case_engine, "fit": case_fit, "streamed": case_streamed}


def run_child(name: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", name, "--epochs", str(args.epochs)]
    cmd += ["--stream-rows", str(args.stream_rows), "--budget-mb", str(args.budget_mb)]
    cmd += ["--data-dir", args.data_dir] if args.data_dir else []
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            result = json.loads(line.removeprefix("RESULT "))
            result["seconds"] = time.perf_counter() - started
            return result
    raise SystemExit(f"memory.py: case {name} failed with exit status {proc.returncode}")


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    state = model_state_bytes()
    lines = [
        "## Peak memory of training",
        "",
        f"- command: `{shlex.join(sys.orig_argv)}`",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), Python {platform.python_version()}",
        f"- model: 784-{'-'.join(map(str, HIDDEN))}-{CODE_SIZE}, defaults otherwise; "
        f"weights, gradients and Adam moments: {state / MIB:,.1f} MiB; {args.epochs} epoch(s)",
        "- growth: peak anonymous resident memory during training minus that before it",
        "",
        "| case | data as float32 MiB | bound: 2 x data + model state MiB | growth MiB "
        "| growth / bound | growth / data |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for name, r in results.items():
        data = r["data_bytes"]
        bound, ratio = f"{(2 * data + state) / MIB:,.0f}", f"{r['growth'] / (2 * data + state):.2f}"
        if name == "streamed":  # the file is never held whole: the bound does not apply
            bound, ratio = "n/a", "n/a"
            name = f"streamed, budget {r['budget_mb']:g} MiB"
        lines.append(
            f"| {name} | {data / MIB:,.0f} | {bound} | {r['growth'] / MIB:,.0f} "
            f"| {ratio} | {r['growth'] / data:.2f} |"
        )
    lines += [
        "",
        "Streamed: the growth is the working memory of training (model state, activations, "
        "oneDNN buffers: the engine row's growth less its validation copy) plus about two "
        "chunks of the budget's size (one read, one scaled); it barely grows with the file "
        "(memory-streamed-2.4GB.md: a file twice as large).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--stream-rows", type=int, default=400_000, help="rows of the mapped file")
    ap.add_argument("--budget-mb", type=float, default=128.0)
    ap.add_argument("--data-dir", help="folder of Fashion-MNIST's IDX files")
    ap.add_argument("--only", nargs="+", choices=sorted(CASES), default=list(CASES))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/memory.md"))
    ap.add_argument("--child", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(CASES[args.child](args)), flush=True)
        return
    results = {name: run_child(name, args) for name in args.only}
    text = report(results, args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
