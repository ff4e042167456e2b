"""Training speed of aekit against a tutorial PyTorch loop and scikit-learn, side by side.

Same model (784-1000-500-250-30 ELU autoencoder, mirrored decoder, linear code layer,
Bernoulli loss), same data (Fashion-MNIST's 60,000 training images) and same device for:

- tutorial: DataLoader(TensorDataset, batch 100, shuffle) + nn.Sequential + Adam(lr=1e-3),
  every batch copied with ``.to(device)`` and ``loss.item()`` read every step;
- sklearn: MLPRegressor fitted X -> X, one ``partial_fit`` call per epoch (CPU only);
- aekit-*: ``aekit.training.engine.train`` under each entry of AEKIT_VARIANTS.

Reported per contender: samples/s (median epoch over epochs 2..--epochs; epoch 1 is warm-up),
time to quality (wall time, warm-up included, test checks excluded, until the test squared
error per image first reaches --target; the planned length, and so aekit's cosine schedule,
is --max-epochs), and peak memory. Each contender runs in a fresh process (the script calls
itself with ``--only NAME --child``) so that its peak RSS is its own.

    python benchmarks/throughput.py [--device auto|cpu|cuda] [--epochs N] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from provenance import revision
from torch import nn

from aekit import __version__ as aekit_version
from aekit.datasets import load
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine
from aekit.training.hardware import cpu_has_native_bf16, resolve_device, resolve_precision
from aekit.training.settings import TrainSettings, batch_size_for, learning_rate_for

HIDDEN, CODE_SIZE = (1000, 500, 250), 30
SKLEARN_MAX_EPOCH_S = 60.0  # a slower full sklearn epoch is timed on a subset instead
SKLEARN_SUBSET = 10_000
QUICK_ROWS = 6_000


@dataclasses.dataclass(frozen=True)
class Variant:
    """An aekit contender: TrainSettings fields set on top of the defaults."""

    name: str
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    devices: tuple[str, ...] = ("cpu", "cuda")
    centred: bool = True  # the model's start, as aekit.Autoencoder.fit makes it
    tied: bool = False  # decoder layers use the encoder's matrices transposed (tied=True)


_GPU_FAST = {"batch_size": 1024, "learning_rate": 3e-3, "precision": "bf16"}
# Add variants here. One naming a field TrainSettings lacks (a future flag) is skipped.
AEKIT_VARIANTS = [
    Variant("aekit-default"),
    # The recipe before weight averaging and the centred start (2026-12-01), for the ratio.
    Variant("aekit-previous", {"average_weights": False}, centred=False),
    Variant("aekit-eager", {"cuda_graphs": False}, ("cuda",)),  # what graph capture buys
    Variant("aekit-b256", {"batch_size": 256}, ("cuda",)),  # the GPU speed criterion
    Variant("aekit-fast", {"batch_size": 1024}, ("cpu",)),  # lr by the sqrt rule: 2.8e-3
    # Muon for the matrices (aekit.training.muon); batch and plan chosen on validation by
    # benchmarks/muon_recipe.py (results/muon-recipe.md).
    Variant("aekit-muon", {"optimizer": "muon", "batch_size": 1024, "epochs": 30}),
    # The same with tied weights, half the Newton-Schulz work; chosen on validation by
    # `muon_recipe.py --tied` (results/muon-recipe.md, last section).
    Variant("aekit-muon-tied", {"optimizer": "muon", "batch_size": 512, "epochs": 30}, tied=True),
    Variant("aekit-fast", _GPU_FAST, ("cuda",)),
    Variant("aekit-b8192", {**_GPU_FAST, "batch_size": 8192, "learning_rate": 1e-2}, ("cuda",)),
    Variant("aekit-compile", {**_GPU_FAST, "compile": True}, ("cuda",)),
]


def plan(args: argparse.Namespace, device: str) -> tuple[list[str], list[str]]:
    """Contender names to run on ``device``, and notes on those left out."""
    fields = {f.name for f in dataclasses.fields(TrainSettings)}
    names, notes = ["tutorial"], []
    if device == "cpu":
        names.append("sklearn")
    else:
        notes.append("sklearn: CPU only")
    for v in AEKIT_VARIANTS:
        if device not in v.devices:
            continue
        missing = sorted(set(v.settings) - fields)
        if missing:
            notes.append(f"{v.name}: TrainSettings has no {', '.join(missing)}")
        else:
            names.append(v.name)
    names = [n for n in names if (not args.only or n in args.only) and n not in args.skip]
    return names, notes


# -- one contender, in its own process ------------------------------------------------------
class QualityClock:
    """Wall time since ``start`` minus time spent checking the test error after epochs.

    Also an aekit callback: ``on_epoch_end`` returns True to stop training.
    """

    def __init__(
        self,
        name: str,
        test_error: Callable[[], float],
        args: argparse.Namespace,
        device: torch.device,
    ) -> None:
        self.name, self.test_error, self.args = name, test_error, args
        self.cuda = device.type == "cuda"
        self.t0 = self.excluded = self.elapsed = 0.0
        self.curve: list[float] = []
        self.reached: tuple[float, int] | None = None  # (seconds, epoch)

    def now(self) -> float:
        if self.cuda:
            torch.cuda.synchronize()  # queued GPU work belongs to the time before the reading
        return time.perf_counter()

    def start(self) -> None:
        self.t0 = self.now()

    def check(self, epoch: int) -> bool:
        """Record the test error after ``epoch``; True when the run should stop."""
        t = self.now()
        self.elapsed = t - self.t0 - self.excluded
        error = self.test_error()
        self.curve.append(error)
        if self.reached is None and error <= self.args.target:
            self.reached = (self.elapsed, epoch)
        print(
            f"[{self.name}] epoch {epoch}: {self.elapsed:.1f} s, test error {error:.3f}",
            file=sys.stderr,
            flush=True,
        )
        self.excluded += time.perf_counter() - t
        # Keep going past the target until the throughput epochs are in.
        done = self.reached is not None and epoch >= self.args.epochs
        return done or self.elapsed >= self.args.max_seconds

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        return self.check(epoch)


@dataclasses.dataclass
class Run:
    settings: str  # as shown in the table
    n_rows: int  # training rows per epoch
    epoch_times: list[float]
    clock: QualityClock


@torch.no_grad()
def squared_error(reconstruct: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor) -> float:
    """Test squared error per image: sum over pixels, mean over images."""
    return float((reconstruct(X) - X).square().sum(1).mean())


def tutorial_model() -> nn.Sequential:
    sizes = [784, *HIDDEN, CODE_SIZE]
    layers: list[nn.Module] = []
    for path in (sizes, sizes[::-1]):  # encoder, then the mirrored decoder
        for i, (a, b) in enumerate(zip(path[:-1], path[1:], strict=True)):
            layers.append(nn.Linear(a, b))
            if i < len(path) - 2:  # no activation on the code layer nor on the logits
                layers.append(nn.ELU())
    return nn.Sequential(*layers)


def run_tutorial(
    X: np.ndarray, X_test: torch.Tensor, args: argparse.Namespace, device: torch.device
) -> Run:
    model = tutorial_model()
    clock = QualityClock(
        "tutorial", lambda: squared_error(lambda x: torch.sigmoid(model(x)), X_test), args, device
    )
    clock.start()
    model.to(device)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X)), batch_size=100, shuffle=True
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for epoch in range(1, args.max_epochs + 1):
        started, running = clock.now(), 0.0
        for (xb,) in loader:
            xb = xb.to(device)
            loss = F.binary_cross_entropy_with_logits(model(xb), xb, reduction="sum") / len(xb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running += loss.item()  # as tutorials log it: one host sync per step
        times.append(clock.now() - started)
        if clock.check(epoch):
            break
    return Run("DataLoader batch 100, Adam lr 1e-3, float32", len(X), times, clock)


def run_sklearn(
    X: np.ndarray, X_test: torch.Tensor, args: argparse.Namespace, device: torch.device
) -> Run:
    from sklearn.neural_network import MLPRegressor

    def make() -> MLPRegressor:
        return MLPRegressor(
            hidden_layer_sizes=(*HIDDEN, CODE_SIZE, *HIDDEN[::-1]),
            activation="relu",
            solver="adam",
            batch_size=100,
            max_iter=1,
            warm_start=True,
            random_state=0,
        )

    n_all = len(X)
    if n_all > SKLEARN_SUBSET:  # estimate a full epoch from 2,000 rows on a throwaway model
        t = time.perf_counter()
        make().partial_fit(X[:2000], X[:2000])
        if (time.perf_counter() - t) * n_all / 2000 > SKLEARN_MAX_EPOCH_S:
            X = X[:SKLEARN_SUBSET]
    test = X_test.numpy()
    model = make()
    clock = QualityClock(
        "sklearn", lambda: float(np.square(model.predict(test) - test).sum(1).mean()), args, device
    )
    clock.start()
    times = []
    for epoch in range(1, args.max_epochs + 1):
        started = time.perf_counter()
        model.partial_fit(X, X)  # one epoch of Adam over X
        times.append(time.perf_counter() - started)
        if clock.check(epoch):
            break
    rows = f"{len(X):,} of {n_all:,} rows" if len(X) < n_all else f"{n_all:,} rows"
    return Run(f"relu, Adam, batch 100, {X.dtype}, {rows}", len(X), times, clock)


def run_aekit(
    name: str, X: np.ndarray, X_test: torch.Tensor, args: argparse.Namespace, device: torch.device
) -> Run:
    variant = next(v for v in AEKIT_VARIANTS if v.name == name and device.type in v.devices)
    config = MLPConfig(
        n_features=784,
        hidden=HIDDEN,
        code_size=CODE_SIZE,
        likelihood="bernoulli",
        centred=variant.centred,
        tied=variant.tied,
    )
    model = build_module(config)
    model.start_from_data(torch.from_numpy(X).mean(0))  # as aekit.Autoencoder.fit starts it
    planned = {"epochs": args.max_epochs, **variant.settings}  # a variant may plan fewer
    settings = TrainSettings(validation_fraction=0.0, device=str(device), **planned)
    clock = QualityClock(
        name, lambda: squared_error(lambda x: model.decode(model.encode(x)), X_test), args, device
    )
    clock.start()
    history = engine.train(
        model, Objective(model.likelihood), torch.from_numpy(X), settings, seed=0, callbacks=[clock]
    )
    precision = settings.precision
    if precision == "auto":  # show what it resolved to
        precision = "bf16" if resolve_precision(precision, device) else "float32"
    shown = {"batch_size", "learning_rate", "precision", "average_weights", "epochs"}
    extra = [f"{k}={v}" for k, v in variant.settings.items() if k not in shown]
    batch = batch_size_for(settings, len(X))  # what "auto" resolved to
    auto = {
        "batch_size": " (auto)" if settings.batch_size == "auto" else "",
        "learning_rate": " (auto)" if settings.learning_rate == "auto" else "",
    }
    described = [
        f"batch {batch}{auto['batch_size']}",
        f"lr {learning_rate_for(settings, batch):g}{auto['learning_rate']}",
        f"{settings.lr_schedule} over {settings.epochs} epochs",
        precision,
        "weights averaged" if settings.average_weights else "last weights",
        "centred start" if variant.centred else "uncentred",
        *(["tied weights"] if variant.tied else []),
        *extra,
    ]
    return Run(", ".join(described), len(X), history["epoch_time"], clock)


def run_child(args: argparse.Namespace) -> dict[str, Any]:
    device = torch.device(args.device)
    data = load("fashion-mnist", path=args.data_dir)
    X = data.X_train[:QUICK_ROWS] if args.quick else data.X_train
    X_test = torch.from_numpy(data.X_test).to(device)
    torch.manual_seed(0)
    name = args.only[0]
    if name == "tutorial":
        run = run_tutorial(X, X_test, args, device)
    elif name == "sklearn":
        run = run_sklearn(X, X_test, args, device)
    else:
        run = run_aekit(name, X, X_test, args, device)
    times, clock = run.epoch_times, run.clock
    timed = times[1 : args.epochs] or times  # epoch 1 is warm-up, unless it is all there is
    gpu = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else None
    return {
        "name": name,
        "settings": run.settings,
        "epoch_times": times,
        "samples_per_s": run.n_rows / statistics.median(timed),
        "warmup_only": len(times) < 2,
        "ttq_s": clock.reached[0] if clock.reached else None,
        "ttq_epochs": clock.reached[1] if clock.reached else None,
        "elapsed_s": clock.elapsed,
        "best": min(clock.curve),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB
        "peak_gpu_mib": gpu,
    }


# -- the parent: run each contender in a child, then tabulate ----------------------------
def run_in_child(name: str, args: argparse.Namespace, device: str) -> dict[str, Any]:
    passed = {
        "--device": device,
        "--epochs": args.epochs,
        "--max-epochs": args.max_epochs,
        "--target": args.target,
        "--max-seconds": args.max_seconds,
    }
    cmd = [sys.executable, __file__, "--child", "--only", name]
    for flag, value in passed.items():
        cmd += [flag, str(value)]
    cmd += ["--data-dir", args.data_dir] if args.data_dir else []
    cmd += ["--quick"] if args.quick else []
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # stderr shows progress
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    return {"name": name, "failed": f"exit status {proc.returncode}"}


def ratio(tut: dict[str, Any] | None, row: dict[str, Any]) -> str:
    """Tutorial's time to quality over this row's; a bound when one of them missed."""
    if tut is None:
        return "n/a"
    if tut["ttq_s"] and row["ttq_s"]:
        return f"{tut['ttq_s'] / row['ttq_s']:.2f}"
    if row["ttq_s"]:  # the tutorial missed: its time to quality exceeds its run
        return f"> {tut['elapsed_s'] / row['ttq_s']:.2f}"
    if tut["ttq_s"]:
        return f"< {tut['ttq_s'] / row['elapsed_s']:.2f}"
    return "n/a"


def table(rows: list[dict[str, Any]]) -> list[str]:
    tut = next((r for r in rows if r["name"] == "tutorial" and "failed" not in r), None)
    lines = [
        "| contender | settings | samples/s | × tutorial | time to quality (s) "
        "| TTQ speed-up vs tutorial | epochs to quality | peak RSS MiB | peak GPU MiB |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        if "failed" in r:
            lines.append(f"| {r['name']} | failed: {r['failed']} |" + " |" * 7)
            continue
        speed = f"{r['samples_per_s']:,.0f}" + (" (warm-up only)" if r["warmup_only"] else "")
        fast = f"{r['samples_per_s'] / tut['samples_per_s']:.2f}" if tut else "n/a"
        if r["ttq_s"] is not None:
            ttq, epochs = f"{r['ttq_s']:.1f}", str(r["ttq_epochs"])
        else:
            ttq = f"not reached in {r['elapsed_s']:.0f} s (best {r['best']:.2f})"
            epochs = f"> {len(r['epoch_times'])}"
        gpu = "" if r["peak_gpu_mib"] is None else f"{r['peak_gpu_mib']:,.0f}"
        lines.append(
            f"| {r['name']} | {r['settings']} | {speed} | {fast} | {ttq} "
            f"| {ratio(tut, r)} | {epochs} | {r['peak_rss_mib']:,.0f} | {gpu} |"
        )
    return lines


def hardware(device: str) -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="ignore") as fh:
            cpu = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    gpu = f", {torch.cuda.get_device_name()}" if device == "cuda" else ""
    return f"{cpu}, {os.cpu_count()} cores{gpu}"


def matrix_rates() -> str:
    """The CPU's rate on one of the network's products, float32 and bf16: what explains
    differences between CPUs (2-core EPYCs so far: 157 and 2 GFLOP/s without native bf16,
    about 190 and 800 with AVX-512-BF16)."""
    m, k, n = 2048, 784, 1000
    found = []
    for dtype in (torch.float32, torch.bfloat16):
        a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
        a @ b  # warm-up
        repeats = 20 if dtype == torch.float32 or cpu_has_native_bf16() else 2
        t0 = time.perf_counter()
        for _ in range(repeats):
            a @ b
        rate = 2 * m * k * n * repeats / (time.perf_counter() - t0) / 1e9
        found.append(f"{str(dtype).removeprefix('torch.')} {rate:,.0f} GFLOP/s")
    native = "native" if cpu_has_native_bf16() else "not native"
    return f"{', '.join(found)} (bf16 {native}; a {m}x{k} by {k}x{n} product, in this run)"


def report(
    rows: list[dict[str, Any]], notes: list[str], args: argparse.Namespace, device: str
) -> str:
    import sklearn

    n_train = QUICK_ROWS if args.quick else 60_000
    lines = [
        f"## Training throughput on {device}{' (quick)' if args.quick else ''}",
        "",
        f"- command: `{shlex.join(sys.orig_argv)}`",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- git revision: {revision()}",
        f"- hardware: {hardware(device)}",
        *([f"- CPU matrix products: {matrix_rates()}"] if device == "cpu" else []),
        f"- software: torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"scikit-learn {sklearn.__version__}, aekit {aekit_version}, "
        f"Python {platform.python_version()}",
        f"- data: Fashion-MNIST, {n_train:,} training images, 10,000 test images; model "
        f"784-{'-'.join(map(str, HIDDEN))}-{CODE_SIZE} ELU, mirrored decoder, Bernoulli loss",
        f"- samples/s: median over epochs 2..{args.epochs} (epoch 1 is warm-up); time to "
        f"quality: wall time until the test squared error per image is <= {args.target:g}, "
        f"checked after each epoch (check excluded), capped at {args.max_seconds:g} s "
        f"and {args.max_epochs} epochs",
        "",
        *table(rows),
        "",
    ]
    lines.append(
        "TTQ speed-up: the tutorial's time to quality over the contender's; `>` or `<` when "
        "one of the two missed the target, whose time then only has a lower bound."
    )
    if any(r["name"] == "sklearn" for r in rows):
        lines.append(
            "sklearn: MLPRegressor has no ELU and no linear code layer (relu on every "
            "hidden layer) and fits squared error with an identity output, so its "
            "test error is of its raw predictions. Its samples/s count the rows it "
            "trained on."
        )
    lines += [f"Not run: {note}." for note in notes]
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # readers never see half a file


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--device", default="auto", help="auto, cpu or cuda")
    ap.add_argument(
        "--epochs",
        type=int,
        help="epochs timed for samples/s, warm-up included (default 5 on CPU, 20 on GPU)",
    )
    ap.add_argument(
        "--max-epochs",
        type=int,
        default=50,
        help="cap of the time-to-quality run; aekit's planned length",
    )
    ap.add_argument("--target", type=float, default=6.0, help="test squared error per image")
    ap.add_argument("--max-seconds", type=float, help="cap (default 600 on CPU, 300 on GPU)")
    ap.add_argument("--only", nargs="+", default=[], metavar="NAME")
    ap.add_argument("--skip", nargs="+", default=[], metavar="NAME")
    ap.add_argument(
        "--quick", action="store_true", help=f"smoke test: {QUICK_ROWS:,} training rows, 2 epochs"
    )
    ap.add_argument("--data-dir", help="folder of Fashion-MNIST's IDX files")
    ap.add_argument(
        "--out",
        type=Path,
        help="Markdown file to write (default benchmarks/results/throughput-<device>.md)",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    gpu = resolve_device(args.device).type == "cuda"
    if args.quick:
        args.epochs = args.max_epochs = 2
    args.epochs = args.epochs or (20 if gpu else 5)
    args.max_seconds = args.max_seconds or (300.0 if gpu else 600.0)
    return args


def main() -> None:
    args = parse_args()
    if args.child:
        print("RESULT " + json.dumps(run_child(args)), flush=True)
        return
    device = resolve_device(args.device).type
    names, notes = plan(args, device)
    rows = [run_in_child(name, args, device) for name in names]
    text = report(rows, notes, args, device)
    suffix = "-quick" if args.quick else ""
    out = args.out or Path(__file__).parent / "results" / f"throughput-{device}{suffix}.md"
    write_atomic(out, text)
    print(text + f"\nwritten to {out}")


if __name__ == "__main__":
    main()
