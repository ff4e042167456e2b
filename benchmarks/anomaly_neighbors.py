"""How many neighbours the default detector's code distance counts, chosen on the panel.

The default tabular detector adds the distance from a row's code to its k-th nearest
training code. A class of outliers drawn down to a few percent (as ODDS and the panel's class
tables draw theirs) still holds more than 5 rows in a training part, so with k = 5 its rows
find each other and look normal; a k of a few percent of the training rows looks past such a
cluster. This script measures k on the class tables of ``benchmarks/anomaly_panel.py`` (no
ODDS table among them; PyOD's protocol, random 60/40 split, 3 seeds, ROC AUC of the test
rows): one default member (hidden ``max(8, n)``, code ``max(2, n // 4)``, 50 epochs) scored
by its loss, its code's density and its distance for each k, and the default 3 members for
k = 5 against k = 3 % of the training rows. IsolationForest stands beside them.

    python benchmarks/anomaly_neighbors.py   # writes benchmarks/results/anomaly-neighbors.md
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from anomaly_dev import member
from anomaly_panel import MLBENCH, panel
from provenance import heading
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import aekit

ROOT = Path(__file__).resolve().parents[1]
SEEDS = 3
ONE_MEMBER = [5, 10, 20, 50, "1%", "3%", "10%"]  # a count, or a share of the training rows
THREE_MEMBERS = [5, "3%"]


def neighbours(k: int | str, n_fit: int) -> int:
    """k as a count of the ``n_fit`` rows the member trains on (at least 5, at most n_fit)."""
    count = k if isinstance(k, int) else max(5, round(float(k[:-1]) / 100 * n_fit))
    return min(count, n_fit)


def scores(train: np.ndarray, test: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    n_fit = int(len(train) * 0.8)  # the detector holds 20 % out (holdout_fraction)
    found: dict[str, np.ndarray] = {}
    fitted = None  # one member, reused for every k: the same held-out rows (the same seed)
    for k in ONE_MEMBER:
        given = fitted if fitted is not None else member("wide", train.shape[1], seed)
        det = aekit.AnomalyDetector(
            given,
            random_state=seed,
            n_members=1,
            code_neighbors=neighbours(k, n_fit),
            code_density="gaussian",
        ).fit(train)
        fitted = det.member_
        found[f"1 member, k={k}"] = det.anomaly_score(test)
    for k in THREE_MEMBERS:
        det = aekit.AnomalyDetector(
            random_state=seed, n_members=3, code_neighbors=neighbours(k, n_fit)
        ).fit(train)
        found[f"3 members, k={k}"] = det.anomaly_score(test)
    scaler = StandardScaler().fit(train)
    iforest = IsolationForest(random_state=seed).fit(scaler.transform(train))
    found["IsolationForest"] = -iforest.score_samples(scaler.transform(test))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mlbench", type=Path, default=MLBENCH, help="r-cran-mlbench's data")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks/results/anomaly-neighbors.md"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    tables = panel(args.mlbench)["class tables"]
    auc: dict[str, dict[str, float]] = {}
    for name, (X, y) in tables.items():
        per_seed: dict[str, list[float]] = {}
        for seed in range(SEEDS):
            X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, random_state=seed)
            found = scores(X_train.astype(np.float32), X_test.astype(np.float32), seed)
            for c, s in found.items():
                per_seed.setdefault(c, []).append(roc_auc_score(y_test, s))
        auc[name] = {c: float(np.mean(v)) for c, v in per_seed.items()}
        print(name, {c: round(v, 3) for c, v in auc[name].items()}, flush=True)
    names = list(next(iter(auc.values())))
    lines = [
        *heading(
            "The code distance's k on the development panel",
            "benchmarks/anomaly_neighbors.py",
            started,
            __doc__,
        ),
        "ROC AUC, mean over the seeds.",
        "",
        "| table | " + " | ".join(names) + " |",
        "| --- | " + " | ".join("--:" for _ in names) + " |",
    ]
    for t, row in auc.items():
        lines.append(f"| {t} | " + " | ".join(f"{row[c]:.3f}" for c in names) + " |")
    means = {c: float(np.mean([auc[t][c] for t in auc])) for c in names}
    lines.append("| **mean** | " + " | ".join(f"**{means[c]:.4f}**" for c in names) + " |")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
