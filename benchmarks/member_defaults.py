"""How the members' defaults were chosen: candidates on a validation split, never the test.

Issue 14 asks each member, at its defaults, to do its own job beside the plain autoencoder
at the same budget (the criteria are in ``benchmarks/results/family.md``). The settings that
decide it (the denoising member's clean rows, the sparse member's units, target and weight,
the deep contractive weight, the stacked member's units) are chosen here: every candidate
and the plain autoencoder are trained on the first 50,000 Fashion-MNIST training images and
measured on the last 10,000, the test images untouched. Per member the chosen candidate is
the one whose worst criterion has the largest margin (a ratio against its bound).

    python benchmarks/member_defaults.py [--epochs 20] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import platform
import shlex
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

import aekit
from aekit.datasets import load
from aekit.reproduce.provenance import hardware, revision

sys.path.insert(0, str(Path(__file__).resolve().parent))
from family import CODE, HIDDEN, corrupt, linear_probe, psnr, squared_error  # noqa: E402

N_TRAIN = 50_000  # the rest of the 60,000 training images is the validation split
JACOBIAN_ROWS = 2_000  # validation rows the exact Jacobian norm is taken on


def candidates(
    epochs: int, pretrain: int, pretraining: tuple[int, ...] = (1, 2, 3)
) -> dict[str, dict[str, Callable[[], Any]]]:
    """``pretrain``: the sigmoid stack's epochs per layer; ``pretraining``: the elu stack's."""
    deep = {"hidden": HIDDEN, "code_size": CODE, "epochs": epochs, "random_state": 0}
    stacked = {**deep, "epochs": epochs - pretrain, "pretrain_epochs": pretrain}
    sparse_old = {"activation": "sigmoid", "first_activation": None}
    sparse_new = {"activation": "elu", "first_activation": "sigmoid"}

    def sparse(units: dict[str, Any], rho: float, beta: float) -> Callable[[], Any]:
        return lambda: aekit.SparseAutoencoder(
            **deep, **units, sparsity_target=rho, sparsity_weight=beta
        )

    return {
        "denoising": {
            f"masking 0.25, clean_fraction {c:g}": (
                lambda c=c: aekit.DenoisingAutoencoder(**deep, noise_level=0.25, clean_fraction=c)
            )
            for c in (0.0, 0.5, 0.6, 0.65, 0.75)
        },
        "sparse": {
            "all sigmoid, rho 0.05, beta 3 (the old default)": sparse(sparse_old, 0.05, 3.0),
            "sigmoid first layer, elu after, rho 0.05, beta 3": sparse(sparse_new, 0.05, 3.0),
            "sigmoid first layer, elu after, rho 0.05, beta 1": sparse(sparse_new, 0.05, 1.0),
            "sigmoid first layer, elu after, rho 0.1, beta 1": sparse(sparse_new, 0.1, 1.0),
            "sigmoid first layer, elu after, rho 0.1, beta 0.3": sparse(sparse_new, 0.1, 0.3),
            "sigmoid first layer, elu after, rho 0.1, beta 0.1": sparse(sparse_new, 0.1, 0.1),
            "sigmoid first layer, elu after, rho 0.1, beta 0.03": sparse(sparse_new, 0.1, 0.03),
            # The same network and start with no penalty: what the sigmoid layer alone costs.
            "sigmoid first layer, elu after, rho 0.1, beta 0 (control)": sparse(
                sparse_new, 0.1, 0.0
            ),
        },
        "contractive": {
            f"lambda {w:g}": (
                lambda w=w: aekit.ContractiveAutoencoder(**deep, contraction_weight=w)
            )
            for w in (0.01, 0.1)
        },
        "stacked-ae": {
            f"{units} units, {epochs - pre} + {pre} pretraining epochs": (
                lambda units=units, pre=pre: aekit.StackedAutoencoder(
                    **{**stacked, "epochs": epochs - pre, "pretrain_epochs": pre},
                    activation=units,
                )
            )
            for units, pre in [("sigmoid", pretrain), *(("elu", p) for p in pretraining)]
        },
    }


def measure(
    est: Any, X_train: np.ndarray, y_train: Any, X_val: np.ndarray, y_val: Any, jacobian: bool
) -> dict:
    t0 = time.perf_counter()
    est.fit(X_train)
    seconds = time.perf_counter() - t0
    noisy = corrupt(X_val)
    found = {
        "error": squared_error(X_val, est.reconstruct(X_val)),
        "gain": psnr(X_val, est.reconstruct(noisy)) - psnr(X_val, noisy),
        "probe": linear_probe(est.transform(X_train), y_train, est.transform(X_val), y_val),
        "seconds": seconds,
    }
    if getattr(est, "sparsity", None) == "kl":
        found["activation"] = float(est.mean_activation(X_train).mean())
        found["rho"] = est.sparsity_target
    if jacobian:
        found["jacobian"] = est.jacobian_norm(X_val[:JACOBIAN_ROWS])
    return found


def margins(member: str, m: dict[str, float], plain: dict[str, float]) -> dict[str, float]:
    """Each criterion as bound / measured (or measured / bound): >= 1 means it is met."""
    ratio = m["error"] / plain["error"]
    if member == "denoising":
        return {
            "error ≤ 1.15 × plain": 1.15 / ratio,
            "gain ≥ 2 × plain": m["gain"] / (2 * plain["gain"]),
        }
    if member == "sparse":
        off = abs(m["activation"] - m["rho"]) / m["rho"]
        return {
            "error ≤ 1.3 × plain": 1.3 / ratio,
            "activation within 10 % of rho": 0.1 / max(off, 1e-9),
            "probe ≥ plain": m["probe"] / plain["probe"],
        }
    if member == "contractive":
        return {
            "error ≤ 1.2 × plain": 1.2 / ratio,
            "‖J‖² ≤ ½ plain": 0.5 * plain["jacobian"] / m["jacobian"],
        }
    return {"error ≤ plain": 1 / ratio}


def markdown(plain: dict, rows: dict[str, dict[str, dict]], meta: dict[str, str]) -> str:
    lines = [
        "# Member defaults, chosen on a validation split",
        "",
        f"- command: `{meta['command']}`",
        f"- git revision: {meta['revision']}",
        f"- hardware: {meta['hardware']}",
        f"- software and date: {meta['software']}",
        f"- wall time: {meta['seconds']} s",
        f"- data: Fashion-MNIST training images only: the first {N_TRAIN:,} to train, the last "
        f"{60_000 - N_TRAIN:,} to measure; the test images are not read",
        f"- network: 784-{'-'.join(map(str, HIDDEN))}-{CODE}, {meta['epochs']} epochs "
        "(stacked: the same total, pretraining epochs included), seed 0",
        "- error: squared error per validation image; gain: PSNR gain on 25 %-masked validation "
        "images (dB); probe: logistic regression on the standardised codes; ‖J‖²_F: exact, on "
        f"{JACOBIAN_ROWS:,} validation rows",
        "- margin: each criterion's bound over the measured value (or the reverse), 1 = just "
        "met; chosen: the candidate with the largest smallest margin",
        "",
        f"Plain autoencoder: error {plain['error']:.3f}, gain {plain['gain']:.2f} dB, probe "
        f"{plain['probe']:.4f}, ‖J‖²_F {plain.get('jacobian', float('nan')):.4g}, "
        f"{plain['seconds']:.1f} s.",
    ]
    for member, found in rows.items():
        lines += [
            "",
            f"## {member}",
            "",
            "| candidate | error (× plain) | gain dB | probe | other | smallest margin | |",
            "|---|--:|--:|--:|---|--:|---|",
        ]
        scored = {name: min(margins(member, m, plain).values()) for name, m in found.items()}
        best = max(scored, key=lambda n: scored[n])
        for name, m in found.items():
            other = []
            if "activation" in m:
                other.append(f"mean activation {m['activation']:.4f}")
            if "jacobian" in m:
                other.append(f"‖J‖²_F {m['jacobian']:.4g}")
            other.append(f"{m['seconds']:.0f} s")
            lines.append(
                f"| {name} | {m['error']:.3f} ({m['error'] / plain['error']:.3f}) | "
                f"{m['gain']:.2f} | {m['probe']:.4f} | {', '.join(other)} | {scored[name]:.3f} | "
                f"{'**chosen**' if name == best else ''} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--pretrain-epochs", type=int, default=3)
    ap.add_argument("--members", nargs="+", default=None)
    ap.add_argument(
        "--candidates", nargs="+", default=None, help="only candidates whose name contains one"
    )
    ap.add_argument("--data-dir", default=None, help="folder of Fashion-MNIST IDX files")
    ap.add_argument("--out", default="benchmarks/results")
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = load("fashion-mnist", path=args.data_dir)
    X_train, y_train = data.X_train[:N_TRAIN], data.y_train[:N_TRAIN]
    X_val, y_val = data.X_train[N_TRAIN:], data.y_train[N_TRAIN:]
    plain_est = aekit.Autoencoder(hidden=HIDDEN, code_size=CODE, epochs=args.epochs, random_state=0)
    plain = measure(plain_est, X_train, y_train, X_val, y_val, jacobian=True)
    print("plain", plain, flush=True)
    table = candidates(args.epochs, args.pretrain_epochs)
    rows: dict[str, dict[str, dict]] = {}
    for member in args.members or list(table):
        rows[member] = {}
        for name, make in table[member].items():
            if args.candidates and not any(part in name for part in args.candidates):
                continue
            jacobian = member == "contractive"
            rows[member][name] = measure(make(), X_train, y_train, X_val, y_val, jacobian)
            print(member, name, rows[member][name], flush=True)
    meta = {
        "command": "python benchmarks/member_defaults.py " + shlex.join(sys.argv[1:]),
        "revision": revision(),
        "hardware": hardware(),
        "software": f"torch {torch.__version__}, aekit {aekit.__version__}, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}",
        "seconds": f"{time.perf_counter() - t0:.0f}",
        "epochs": str(args.epochs),
    }
    text = markdown(plain, rows, meta)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    Path(args.out, "member-defaults.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
