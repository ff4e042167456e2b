"""Samples per second of aekit's engine on CUDA: eager vs captured-graph steps, by precision.

Times the 784-1000-500-250-30 autoencoder (Bernoulli loss) on 60,000 random rows (speed does
not depend on the values), median epoch after the first, and the matrix-multiply rates of the
same GPU for reference. Needs a CUDA device.

    PYTHONPATH=src python benchmarks/engine_speed.py
"""

from __future__ import annotations

import time

import torch

from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine
from aekit.training.settings import TrainSettings

FLOP_PER_SAMPLE = 6 * 2_837_314  # forward + backward ≈ 6 × parameters


def samples_per_second(batch: int, precision: str, graphs: bool, epochs: int) -> float:
    X = torch.rand(60000, 784)
    torch.manual_seed(0)
    m = build_module(
        MLPConfig(n_features=784, hidden=(1000, 500, 250), code_size=30, likelihood="bernoulli")
    )
    s = TrainSettings(
        epochs=epochs,
        batch_size=batch,
        validation_fraction=0,
        device="cuda",
        precision=precision,
        cuda_graphs=graphs,
    )
    times = engine.train(m, Objective(m.likelihood), X, s, seed=0)["epoch_time"][1:]
    return 60000 / sorted(times)[len(times) // 2]


def matmul_tflops(m: int, k: int, n: int, dtype: torch.dtype) -> float:
    a = torch.randn(m, k, device="cuda", dtype=dtype)
    b = torch.randn(k, n, device="cuda", dtype=dtype)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(20):
        a @ b
    torch.cuda.synchronize()
    return 2 * m * k * n / ((time.perf_counter() - t) / 20) / 1e12


def main() -> None:
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}")
    print("| batch | precision | CUDA graphs | samples/s | TFLOP/s |")
    print("| ---: | --- | --- | ---: | ---: |")
    runs = [
        (256, "float32", False, 3),
        (256, "float32", True, 3),
        (256, "bf16", True, 3),
        (8192, "tf32", True, 6),
        (8192, "bf16", False, 6),
        (8192, "bf16", True, 6),
    ]
    for batch, precision, graphs, epochs in runs:
        rate = samples_per_second(batch, precision, graphs, epochs)
        tflops = rate * FLOP_PER_SAMPLE / 1e12
        print(f"| {batch} | {precision} | {graphs} | {rate:,.0f} | {tflops:.1f} |")
    torch.set_float32_matmul_precision("high")
    for label, dtype in (("tf32", torch.float32), ("bf16", torch.bfloat16)):
        layer = matmul_tflops(8192, 1000, 784, dtype)
        square = matmul_tflops(8192, 8192, 8192, dtype)
        print(f"{label} matmul: 8192x1000x784 {layer:.1f} TFLOP/s, 8192^3 {square:.1f} TFLOP/s")
    torch.set_float32_matmul_precision("highest")


if __name__ == "__main__":
    main()
