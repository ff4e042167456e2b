"""Where a training step's time goes: torch's profiler over aekit's default fit (issue 17).

Issue 17 asks the step to run close to the machine's matrix-multiply rate. This fits the
784-1000-500-250-30 Fashion-MNIST autoencoder at its defaults (batch "auto" is 512 on all
60,000 training images), then at each of ``--runs`` (``BATCH`` or ``BATCH:OPTIMIZER``), for
``--epochs`` epochs on the first ``--rows`` training images under ``torch.profiler``, and
groups the operators' own CPU time: matrix products, number-format casts (autocast's bf16
copies and their backward), the optimiser, weight averaging, activations and the rest. Beside
each table: the rate the matrix products reached, against this CPU's rate on one large bf16
and float32 product measured in the same run. Timings under the profiler run slower than
without it; read the shares, not the seconds. Last, the step's 24 products timed alone in
bf16 at ``--product-batches``: the most the step could run at if nothing else did.

    python benchmarks/step_profile.py [--rows 60000] [--epochs 1] [--runs auto 1024 1024:muon]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from functools import partial
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

import aekit
from aekit.datasets import load
from aekit.training.settings import TrainSettings, batch_size_for
from aekit.training.validation import training_row_count

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import heading  # noqa: E402
from throughput import matrix_rates  # noqa: E402

HIDDEN, CODE = (1000, 500, 250), 30
GROUPS = {  # operator name -> group; the first group whose names match wins
    "matrix products": ("aten::mm", "aten::addmm", "aten::bmm", "aten::matmul"),
    "casts (autocast copies)": ("aten::copy_", "aten::_to_copy", "aten::to"),
    "optimiser": ("aten::_fused_adam_", "Optimizer.step", "Optimizer.zero_grad"),
    "weight averaging": ("aten::lerp_",),
    "activations": ("aten::elu", "aten::elu_backward", "aten::sigmoid", "aten::log_sigmoid"),
}


def group_of(name: str) -> str:
    for group, names in GROUPS.items():
        if any(name == n or name.startswith(n + "_") or name.startswith(n + "#") for n in names):
            return group
    return "everything else"


def layer_shapes() -> list[tuple[int, int]]:
    """(inputs, outputs) of each linear layer, encoder then mirrored decoder."""
    sizes = [784, *HIDDEN, CODE]
    encoder = list(zip(sizes[:-1], sizes[1:], strict=True))
    return encoder + [(b, a) for a, b in reversed(encoder)]


def n_parameters() -> int:
    return sum(n_in * n_out + n_out for n_in, n_out in layer_shapes())


def newton_schulz_flops(steps: int = 5) -> int:
    """One Muon step's Newton-Schulz products: per iteration X X^T, A A and B X, short side s."""
    total = 0
    for n_in, n_out in layer_shapes():
        short, long = min(n_in, n_out), max(n_in, n_out)
        total += steps * (4 * short * short * long + 2 * short**3)
    return total


def profile_fit(
    X, batch_size: int | str, optimizer: str, epochs: int
) -> tuple[dict[str, float], list, float]:
    kw = dict(hidden=HIDDEN, code_size=CODE, batch_size=batch_size, optimizer=optimizer)
    est = aekit.Autoencoder(epochs=epochs, random_state=0, **kw)
    aekit.Autoencoder(epochs=1, **kw).fit(X[:4096])  # warm-up: oneDNN picks its kernels
    t0 = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        est.fit(X)
    seconds = time.perf_counter() - t0
    events = prof.key_averages()
    groups: dict[str, float] = {}
    for e in events:
        groups[group_of(e.key)] = groups.get(group_of(e.key), 0.0) + e.self_cpu_time_total / 1e6
    top = sorted(events, key=lambda e: e.self_cpu_time_total, reverse=True)[:12]
    return groups, [(e.key, e.self_cpu_time_total / 1e6, e.count) for e in top], seconds


def products_alone(batch: int, repeats: int = 20) -> list[str]:
    """The step's 24 products timed alone in bf16 (random data): forward, input and weight
    gradients of each layer, GFLOP/s each, and the step's time if nothing else ran."""

    def rate(f, flops: int) -> float:
        for _ in range(3):
            f()
        t0 = time.perf_counter()
        for _ in range(repeats):
            f()
        return flops * repeats / (time.perf_counter() - t0) / 1e9

    rows, seconds = [], 0.0
    for n_in, n_out in layer_shapes():
        x, w = torch.randn(batch, n_in, dtype=torch.bfloat16), torch.randn(n_out, n_in).bfloat16()
        b, gy = torch.randn(n_out).bfloat16(), torch.randn(batch, n_out, dtype=torch.bfloat16)
        flops = 2 * batch * n_in * n_out
        found = [
            rate(partial(torch.addmm, b, x, w.t()), flops),  # forward
            rate(partial(torch.mm, gy, w), flops),  # gradient of the input
            rate(partial(torch.mm, gy.t(), x), flops),  # gradient of the weight
        ]
        seconds += sum(flops / (r * 1e9) for r in found)
        rows.append(f"| {n_in} -> {n_out} | " + " | ".join(f"{r:,.0f}" for r in found) + " |")
    return [
        f"### The products alone, bf16, batch {batch}",
        "",
        "| layer | forward GFLOP/s | input gradient | weight gradient |",
        "|---|--:|--:|--:|",
        *rows,
        "",
        f"All 24: {seconds * 1e3:.1f} ms a step, {batch / seconds:,.0f} samples/s if nothing "
        "else ran.",
        "",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=60_000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--runs", nargs="+", default=["auto", "1024", "1024:muon"])
    ap.add_argument("--product-batches", type=int, nargs="+", default=[512, 2048])
    ap.add_argument("--out", default="benchmarks/results/step-profile.md")
    args = ap.parse_args()
    started = time.perf_counter()
    X = load("fashion-mnist").X_train[: args.rows]
    body = [f"- CPU matrix products: {matrix_rates()}", ""]
    for spec in args.runs:
        batch, _, optimizer = spec.partition(":")
        batch_size = batch if batch == "auto" else int(batch)
        groups, top, seconds = profile_fit(X, batch_size, optimizer or "adam", args.epochs)
        total = sum(groups.values())
        # fit holds out validation_fraction of the rows: they get a forward pass per epoch
        n_train = training_row_count(args.rows, aekit.Autoencoder().validation_fraction)
        n_val = args.rows - n_train
        flops = 2 * n_parameters() * (3 * n_train + n_val) * args.epochs
        n_steps = (
            math.ceil(n_train / batch_size_for(TrainSettings(batch_size=batch_size), n_train))
            * args.epochs
        )
        if optimizer == "muon":  # its iterations are matrix products too
            flops += newton_schulz_flops() * n_steps
        matmul = groups.get("matrix products", 0.0)
        body += [
            f"## batch_size={batch}, optimizer={optimizer or 'adam'}",
            "",
            f"fit under the profiler: {seconds:.2f} s, {args.rows * args.epochs / seconds:,.0f} "
            f"samples/s; operators' own time {total:.2f} s. The matrix products did "
            f"{flops / 1e12:.2f} TFLOP ({n_train:,} training rows forward and backward, "
            f"{n_val:,} validation rows forward, per epoch"
            + (
                f"; {newton_schulz_flops() / 1e9:.0f} GFLOP of Newton-Schulz a step"
                if optimizer == "muon"
                else ""
            )
            + ") at "
            f"{flops / max(matmul, 1e-9) / 1e9:,.0f} GFLOP/s while they ran.",
            "",
            "| group | own CPU s | share |",
            "|---|--:|--:|",
            *(
                f"| {g} | {s:.3f} | {s / total:.1%} |"
                for g, s in sorted(groups.items(), key=lambda kv: -kv[1])
            ),
            "",
            "| operator | own CPU s | calls |",
            "|---|--:|--:|",
            *(f"| `{name}` | {s:.3f} | {count:,} |" for name, s, count in top),
            "",
        ]
        print("\n".join(body[-8 - len(groups) - len(top) :]), flush=True)
    for batch in args.product_batches:
        body += products_alone(batch)
        print("\n".join(body[-5:]), flush=True)
    title = "Where a training step's time goes (torch.profiler, aekit's default fit)"
    text = "\n".join(heading(title, "benchmarks/step_profile.py", started, __doc__) + body)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
