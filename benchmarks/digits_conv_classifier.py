"""Convolutional vs MLP autoencoder, and pretrained classifiers, on scikit-learn's digits.

Data: ``aekit.datasets.load("digits")`` (8 x 8 pixels / 16, the fixed 1437 / 360 split).

1. Held-out squared error per image (sum over the 64 pixels, mean over the 360 test images)
   of ``ConvAutoencoder`` and the MLP ``Autoencoder`` at the same code size, beside PCA.
2. Test accuracy of ``PretrainedClassifier`` on each encoder, frozen (a linear probe) and
   fine-tuned, beside ``LogisticRegression`` on the raw pixels and on the frozen codes.

Everything runs on the CPU, one seed per row; mean ± standard deviation over the seeds.

    PYTHONPATH=src python benchmarks/digits_conv_classifier.py [--seeds 3] [--epochs 200]
"""

from __future__ import annotations

import argparse
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression

from aekit import Autoencoder, ConvAutoencoder, PretrainedClassifier
from aekit.datasets import load

RESULTS = Path(__file__).resolve().parent / "results" / "digits_conv_classifier.md"


def squared_error(X: np.ndarray, X_hat: np.ndarray) -> float:
    return float(np.square(X_hat - X, dtype=np.float64).sum(axis=1).mean())


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=200, help="autoencoder epochs")
    parser.add_argument("--code-size", type=int, default=16)
    parser.add_argument("--classifier-epochs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(1)  # small models: one thread is fastest and repeatable

    data = load("digits")
    X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
    models = {
        "mlp": lambda s: Autoencoder(
            hidden=(256, 128), code_size=args.code_size, epochs=args.epochs, random_state=s
        ),
        "conv": lambda s: ConvAutoencoder(
            channels=(32, 64), code_size=args.code_size, epochs=args.epochs, random_state=s
        ),
    }
    rows: dict[str, dict[str, list[float]]] = {}
    params: dict[str, int] = {}
    for seed in range(args.seeds):
        for name, make in models.items():
            started = time.perf_counter()
            ae = make(seed).set_params(device="cpu").fit(X)
            seconds = time.perf_counter() - started
            params[name] = n_params(ae.module_)
            r = rows.setdefault(name, {})
            r.setdefault("error", []).append(squared_error(X_test, ae.reconstruct(X_test)))
            r.setdefault("seconds", []).append(seconds)
            for freeze in (True, False):
                clf = PretrainedClassifier(
                    ae,
                    freeze_encoder=freeze,
                    epochs=args.classifier_epochs,
                    device="cpu",
                    random_state=seed,
                )
                key = "frozen" if freeze else "fine-tuned"
                r.setdefault(key, []).append(clf.fit(X, y).score(X_test, y_test))
            lr = LogisticRegression(max_iter=5000).fit(ae.transform(X), y)
            r.setdefault("logreg on codes", []).append(lr.score(ae.transform(X_test), y_test))
            print(name, seed, {k: round(v[-1], 4) for k, v in r.items()}, flush=True)

    pca = PCA(args.code_size, random_state=0).fit(X)
    pca_error = squared_error(X_test, pca.inverse_transform(pca.transform(X_test)))
    raw = LogisticRegression(max_iter=5000).fit(X, y).score(X_test, y_test)

    def stat(values: list[float], digits: int = 3) -> str:
        return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"

    lines = [
        "# Convolutional vs MLP autoencoder, and pretrained classifiers, on digits",
        "",
        f"Command: `{shlex.join(['python', *sys.argv])}`  ",
        f"Machine: {platform.processor() or platform.machine()}, CPU, torch {torch.__version__}, "
        f"one thread; {args.seeds} seeds (mean ± std).",
        "",
        f"digits: {X.shape[0]} train / {X_test.shape[0]} test images of 8 x 8, pixels / 16. "
        f"Code size {args.code_size}; autoencoders {args.epochs} epochs (Adam 1e-3, cosine, "
        'batch 128, Bernoulli loss chosen by `loss="auto"`); classifiers '
        f"{args.classifier_epochs} epochs (Adam 1e-2).",
        "",
        "## Held-out reconstruction: squared error per image (sum over 64 pixels)",
        "",
        "| model | test error | parameters | training time (s) |",
        "| --- | ---: | ---: | ---: |",
        f"| MLP `Autoencoder` 64-256-128-{args.code_size} | {stat(rows['mlp']['error'])} | "
        f"{params['mlp']:,} | {stat(rows['mlp']['seconds'], 1)} |",
        f"| `ConvAutoencoder` channels (32, 64) | {stat(rows['conv']['error'])} | "
        f"{params['conv']:,} | {stat(rows['conv']['seconds'], 1)} |",
        f"| PCA-{args.code_size} | {pca_error:.3f} | | |",
        "",
        "## Test accuracy (360 images, 10 classes)",
        "",
        "| classifier | on the MLP encoder | on the conv encoder |",
        "| --- | ---: | ---: |",
    ]
    for key, label in (
        ("frozen", "`PretrainedClassifier(freeze_encoder=True)` (linear probe)"),
        ("fine-tuned", "`PretrainedClassifier()` (fine-tuned)"),
        ("logreg on codes", "`LogisticRegression` on the frozen codes"),
    ):
        lines.append(f"| {label} | {stat(rows['mlp'][key])} | {stat(rows['conv'][key])} |")
    lines += [f"| `LogisticRegression` on the raw pixels | {raw:.3f} | {raw:.3f} |", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
