"""Which training settings reach the Hinton & Salakhutdinov metric soonest on Fashion-MNIST?

Trains the 784-1000-500-250-30 ELU autoencoder under several settings and prints, per run,
the test squared error per image at the end, the best seen, and the first epoch at which it
reached the target. float32 math (TF32 off), so a GPU run predicts the CPU's results.

    python benchmarks/quality_sweep.py [--fashion-dir DIR] [--device cuda] [--epochs 30 60]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from aekit.data.datasets import load
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine
from aekit.training.hardware import resolve_device
from aekit.training.settings import TrainSettings

SETTINGS = [  # (likelihood, optimizer, lr, batch, schedule)
    ("bernoulli", "adam", 1e-3, 256, "constant"),
    ("bernoulli", "adam", 1e-3, 256, "cosine"),
    ("bernoulli", "adam", 2e-3, 256, "cosine"),
    ("bernoulli", "adam", 1e-3, 128, "cosine"),
    ("bernoulli", "adam", 2e-3, 1024, "cosine"),
    ("bernoulli", "adam", 4e-3, 1024, "cosine"),
    ("gaussian", "adam", 1e-3, 256, "cosine"),
    ("gaussian", "adam", 5e-4, 256, "cosine"),
]


class TestProbe:
    """Records the test squared error per image after every epoch."""

    def __init__(self, model: torch.nn.Module, X_test: torch.Tensor) -> None:
        self.model, self.X_test, self.curve = model, X_test, []

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        with torch.no_grad():
            rec = self.model.decode(self.model.encode(self.X_test))
            self.curve.append(float((rec - self.X_test).square().sum(1).mean()))
        self.model.train()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fashion-dir", default=None)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--epochs", type=int, nargs="+", default=[30, 60])
    ap.add_argument("--target", type=float, default=6.1)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    data = load("fashion-mnist", path=args.fashion_dir)
    X = torch.from_numpy(data.X_train)
    device = resolve_device(args.device)
    X_test = torch.from_numpy(data.X_test).to(device)
    rows = []
    for lik, opt, lr, bs, sched in SETTINGS:
        # a constant rate does not depend on the planned length: one run at the longest
        for epochs in [max(args.epochs)] if sched == "constant" else args.epochs:
            torch.manual_seed(0)
            config = MLPConfig(
                n_features=784, hidden=(1000, 500, 250), code_size=30, likelihood=lik
            )
            model = build_module(config)
            probe = TestProbe(model, X_test)
            s = TrainSettings(
                epochs=epochs,
                batch_size=bs,
                optimizer=opt,
                learning_rate=lr,
                lr_schedule=sched,
                validation_fraction=0.0,
                device=args.device,
                precision="float32",
            )
            t0 = time.perf_counter()
            engine.train(model, Objective(model.likelihood), X, s, seed=0, callbacks=[probe])
            seconds = time.perf_counter() - t0
            hit = next((i + 1 for i, v in enumerate(probe.curve) if v <= args.target), None)
            row = dict(
                likelihood=lik,
                optimizer=opt,
                lr=lr,
                batch=bs,
                schedule=sched,
                epochs=epochs,
                final=probe.curve[-1],
                best=min(probe.curve),
                first_epoch_at_target=hit,
                seconds=round(seconds, 1),
            )
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
