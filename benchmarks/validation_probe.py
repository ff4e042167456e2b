"""A deep autoencoder of the ``hinton2006`` suite at given settings, measured on a validation
split: squared error per image after every epoch, then a summary as one JSON line (issue 14).

``--data fashion-mnist``: 784-1000-500-250-30 on the first 50,000 training images, measured
on the last 10,000; ``--data curves``: 784-400-200-100-50-25-6 on the first 16,000 of the
suite's 20,000 training curves, measured on the last 4,000. The test images are never read,
so settings for the suite can be chosen here without touching the figures it reports. Each
epoch also measures (up to) 10,000 of the images trained on: the gap between the two says
how much the network overfits.

    python benchmarks/validation_probe.py --epochs 20 --settings '{"optimizer": "muon"}'
    python benchmarks/validation_probe.py --data curves --epochs 200 \
        --settings '{"batch_size": 128}' --noise '{"noise": "masking", "level": 0.1}'

``--settings`` holds TrainSettings fields; ``--noise`` a training corruption
(``aekit.objectives.corruption.make_corruption``'s ``noise`` and ``level``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import torch

from aekit.datasets import load
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.corruption import make_corruption
from aekit.objectives.objective import Objective
from aekit.training import engine, muon
from aekit.training.settings import TrainSettings

NETWORKS = {  # data set: (hidden widths, code size, training rows kept from the validation)
    "fashion-mnist": ((1000, 500, 250), 30, 50_000),
    "curves": ((400, 200, 100, 50, 25), 6, 16_000),
}


@torch.no_grad()
def squared_error(model: torch.nn.Module, X: torch.Tensor) -> float:
    """Squared error per image (sum over pixels, mean over images), in float32."""
    model.eval()
    total = 0.0
    for start in range(0, X.shape[0], 2048):
        x = X[start : start + 2048]
        total += float((model.decode(model.encode(x)) - x).square().sum())
    model.train()
    return total / X.shape[0]


def mirror_half(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """``x`` (batch, 784) with a random half of its 28x28 images mirrored left to right."""
    flip = torch.rand(x.shape[0], 1, device=x.device, generator=generator) < 0.5
    mirrored = x.view(-1, 28, 28).flip(-1).reshape(x.shape)
    return torch.where(flip, mirrored, x)


class Curve:
    """Validation and training-subset errors after every epoch (their time excluded)."""

    def __init__(
        self, model: torch.nn.Module, val: torch.Tensor, seen: torch.Tensor, patience: int | None
    ) -> None:
        self.model, self.val, self.seen, self.patience = model, val, seen, patience
        self.rows: list[dict[str, float]] = []
        self.t0, self.excluded = time.perf_counter(), 0.0

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        t = time.perf_counter()
        row = {
            "epoch": epoch,
            "s": round(t - self.t0 - self.excluded, 1),
            "val": round(squared_error(self.model, self.val), 4),
            "train": round(squared_error(self.model, self.seen), 4),
        }
        self.rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        self.excluded += time.perf_counter() - t
        best = min(range(len(self.rows)), key=lambda i: self.rows[i]["val"])
        return self.patience is not None and len(self.rows) - 1 - best >= self.patience


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", choices=sorted(NETWORKS), default="fashion-mnist")
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--settings", type=json.loads, default={}, help="TrainSettings fields, JSON")
    p.add_argument("--config", type=json.loads, default={}, help="MLPConfig fields, JSON")
    p.add_argument("--noise", type=json.loads, default={}, help='{"noise": ..., "level": ...}')
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--matrix-rate-factor",
        type=float,
        default=muon.MATRIX_RATE_FACTOR,
        help="Muon's matrices' rate over the one set (aekit.training.muon)",
    )
    p.add_argument("--likelihood", choices=("bernoulli", "gaussian"), default="bernoulli")
    p.add_argument("--train-rows", type=int, default=None, help="fewer rows trained on")
    p.add_argument(
        "--patience",
        type=int,
        default=None,
        help="stop after this many epochs without a lower validation error",
    )
    p.add_argument("--flip", action="store_true", help="mirror a random half of each batch")
    return p.parse_args(argv)


def main(argv: list[str]) -> dict[str, Any]:
    args = parse_args(argv)
    muon.MATRIX_RATE_FACTOR = args.matrix_rate_factor  # read when the optimiser is built
    hidden, code, rows = NETWORKS[args.data]
    data = load(args.data, random_state=args.seed)  # curves: the suite's seeded images
    X = torch.from_numpy(data.X_train[: min(rows, args.train_rows or rows)])
    val = torch.from_numpy(data.X_train[rows:])
    torch.manual_seed(args.seed)
    config = MLPConfig(
        n_features=784,
        hidden=hidden,
        code_size=code,
        likelihood=args.likelihood,
        centred=True,
        **args.config,
    )
    model = build_module(config)
    model.start_from_data(X.mean(0))  # as aekit.Autoencoder.fit starts it
    noise = args.noise
    corruption = make_corruption(noise["noise"], noise["level"]) if noise else None
    objective = Objective(
        model.likelihood, corruption=corruption, resample=mirror_half if args.flip else None
    )
    curve = Curve(model, val, X[:10_000], args.patience)
    settings = TrainSettings(epochs=args.epochs, validation_fraction=0.0, **args.settings)
    engine.train(model, objective, X, settings, seed=args.seed, callbacks=[curve])
    best = min(curve.rows, key=lambda r: r["val"])
    return {
        "data": args.data,
        "epochs": args.epochs,
        "settings": args.settings,
        "config": args.config,
        "noise": noise,
        "flip": args.flip,
        "likelihood": args.likelihood,
        "matrix_rate_factor": args.matrix_rate_factor,
        "train_rows": X.shape[0],
        "best_val": best["val"],
        "best_epoch": best["epoch"],
        "last": curve.rows[-1],
        "seconds": curve.rows[-1]["s"],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
