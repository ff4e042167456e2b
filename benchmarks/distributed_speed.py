"""Seconds per epoch of aekit's engine on one process and under torchrun (DDP).

Trains the 784-256-128-32 autoencoder (Bernoulli loss, float32) on 20,000 random rows in
[0, 1] with batch 256, and prints the median epoch time after the first, as measured by
process 0 (every process takes the same time: each step waits for the gradient all-reduce).
Run the same command on one process and under torchrun, with the same threads per process:

    OMP_NUM_THREADS=1 python benchmarks/distributed_speed.py
    OMP_NUM_THREADS=1 torchrun --standalone --nproc-per-node 2 benchmarks/distributed_speed.py

``--device cuda`` times GPUs (one per process under torchrun, NCCL).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch

from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import distributed, engine
from aekit.training.settings import TrainSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    X = torch.rand(args.rows, 784, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    model = build_module(
        MLPConfig(n_features=784, hidden=(256, 128), code_size=32, likelihood="bernoulli")
    )
    settings = TrainSettings(
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_fraction=0,
        device=args.device,
        precision="float32",
    )
    with distributed.session() as ctx:
        started = time.perf_counter()
        history = engine.train(model, Objective(model.likelihood), X, settings, seed=0)
        total = time.perf_counter() - started
    times = sorted(history["epoch_time"][1:])
    if ctx.is_primary:
        result = {
            "processes": ctx.world_size,
            "threads_per_process": torch.get_num_threads(),
            "device": args.device,
            "rows": args.rows,
            "batch_size": args.batch_size,
            "median_epoch_s": round(times[len(times) // 2], 3),
            "total_s": round(total, 2),
            "final_loss": round(history["loss"][-1], 4),
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
