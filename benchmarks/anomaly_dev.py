"""Candidate scores for the default tabular detector, on a development panel with no ODDS table.

The ODDS tables of ``benchmarks/anomaly.py`` are the test: a setting chosen by their labels
would be tuned on the test. The panel (``benchmarks/anomaly_panel.py``) is where the default
is chosen instead, on the mean over its class tables, built as ODDS builds its own; the
synthetic anomalies are reported beside them.

Each table: PyOD's protocol (random 60/40 split, 3 seeds), ROC AUC of the test rows.
Candidates, each an ``AnomalyDetector``; the member is the old default (one hidden layer of
``max(8, n // 2)`` units for n columns, a code of ``max(2, n // 4)``, standardised columns,
50 epochs), a wide one (hidden ``max(8, n)``), or a VAE of the old default's sizes:

- the member's reconstruction loss (the old default);
- the loss with each feature's squared error divided by its mean on the member's rows;
- the loss plus terms read off the code, each term in standard deviations of its held-out
  values: the code's density (``code_density="gaussian"``: its squared Mahalanobis
  distance under a Gaussian fitted to the training codes, Ledoit-Wolf covariance), the
  code's distance to its 5th nearest training code (``code_neighbors=5``), or both;
- 3 or 5 members seeded apart (``n_members``): the mean of the members' scores, each
  member's loss divided by its held-out mean, or each with its own code terms;
- a VAE member (its negative ELBO).

IsolationForest on standardised rows stands beside them.

    python benchmarks/anomaly_dev.py   # writes benchmarks/results/anomaly-dev.md
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from anomaly_panel import MLBENCH, Table, panel
from provenance import heading
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import aekit
from aekit.anomaly.thresholds import holdout_split

ROOT = Path(__file__).resolve().parents[1]
SEEDS = 3
NEAR = 0.002  # candidates this close to the best mean count as tied: the cheapest is chosen
BOTH = {"code_density": "gaussian", "code_neighbors": 5}
# name -> (member: "narrow" (the old default), "wide" or "vae"; detector settings; fits)
CANDIDATES: dict[str, tuple[str, dict[str, Any], int]] = {
    "loss alone (old default)": ("narrow", {}, 1),
    "per-feature normalised": ("narrow", {}, 1),
    "+ code density": ("narrow", {"code_density": "gaussian"}, 1),
    "+ code distance (k=5)": ("narrow", {"code_neighbors": 5}, 1),
    "+ both": ("narrow", BOTH, 1),
    "3 members, + both": ("narrow", {**BOTH, "n_members": 3}, 3),
    "wide": ("wide", {}, 1),
    "wide, + both": ("wide", BOTH, 1),
    "wide, 3 members, + both (new default)": ("wide", {**BOTH, "n_members": 3}, 3),
    "wide, 5 members, + both": ("wide", {**BOTH, "n_members": 5}, 5),
    "VAE member": ("vae", {}, 1),
}


def member(kind: str, n_features: int, seed: int) -> Any:
    """The old default member (hidden n // 2), the wide one (hidden n) or a VAE of its sizes."""
    sizes = {
        "hidden": (max(8, n_features if kind == "wide" else n_features // 2),),
        "code_size": max(1, min(max(2, n_features // 4), n_features - 1)),
        "scale": "standard",
        "epochs": 50,
        "random_state": seed,
    }
    if kind == "vae":
        return aekit.VariationalAutoencoder(**sizes)
    return aekit.Autoencoder(**sizes)


def candidates(train: np.ndarray, test: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    train, test = train.astype(np.float32), test.astype(np.float32)
    n = train.shape[1]
    fitted: dict[str, Any] = {}  # kind -> its one fitted member, reused where it can be
    scores = {}
    for name, (kind, options, _) in CANDIDATES.items():
        given = fitted.get(kind) if options.get("n_members", 1) == 1 else None
        base = given if given is not None else member(kind, n, seed)
        options = {"n_members": 1, "code_neighbors": None, "code_density": None, **options}
        det = aekit.AnomalyDetector(base, random_state=seed, **options).fit(train)
        if options["n_members"] == 1:
            fitted.setdefault(kind, det.member_)  # the same member, the same held-out rows
        if name == "per-feature normalised":
            fit_rows, _ = holdout_split(len(train), det.holdout_fraction, seed)
            per_feature = det.attribution(train[fit_rows]).mean(0) + 1e-6
            scores[name] = (det.attribution(test) / per_feature).sum(1)
        else:
            scores[name] = det.anomaly_score(test)
    scaler = StandardScaler().fit(train)
    iforest = IsolationForest(random_state=seed).fit(scaler.transform(train))
    scores["IsolationForest"] = -iforest.score_samples(scaler.transform(test))
    return scores


def run(tables: dict[str, Table]) -> dict[str, dict[str, float]]:
    """ROC AUC per table and candidate, mean over the seeds."""
    auc: dict[str, dict[str, float]] = {}
    for name, (X, y) in tables.items():
        per_seed: dict[str, list[float]] = {}
        for seed in range(SEEDS):
            X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, random_state=seed)
            for c, scores in candidates(X_train, X_test, seed).items():
                per_seed.setdefault(c, []).append(roc_auc_score(y_test, scores))
        auc[name] = {c: float(np.mean(v)) for c, v in per_seed.items()}
        print(name, {c: round(v, 3) for c, v in auc[name].items()}, flush=True)
    return auc


def section(title: str, tables: dict[str, Table], auc: dict[str, dict[str, float]]) -> list[str]:
    names = list(next(iter(auc.values())))
    lines = [
        f"## {title}",
        "",
        "| table | rows | columns | outliers | " + " | ".join(names) + " |",
        "| --- | --: | --: | --: | " + " | ".join("--:" for _ in names) + " |",
    ]
    for t, row in auc.items():
        ours = {c: round(v, 3) for c, v in row.items() if c != "IsolationForest"}
        top = max(ours.values())
        cells = [f"**{v:.3f}**" if ours.get(c) == top else f"{v:.3f}" for c, v in row.items()]
        X, y = tables[t]
        lines.append(
            f"| {t} | {len(y)} | {X.shape[1]} | {100 * y.mean():.1f}% | " + " | ".join(cells) + " |"
        )
    means = {c: float(np.mean([auc[t][c] for t in auc])) for c in names}
    lines.append("| **mean** | | | | " + " | ".join(f"{means[c]:.3f}" for c in names) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mlbench", type=Path, default=MLBENCH, help="r-cran-mlbench's data")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/anomaly-dev.md")
    args = parser.parse_args()
    started = time.perf_counter()
    groups = panel(args.mlbench)
    results = {g: run(tables) for g, tables in groups.items()}
    classes = results["class tables"]
    names = list(next(iter(classes.values())))
    means = {c: float(np.mean([classes[t][c] for t in classes])) for c in names}
    ours = [c for c in names if c != "IsolationForest"]
    top = max(means[c] for c in ours)
    tied = [c for c in ours if means[c] >= top - NEAR]
    best = min(tied, key=lambda c: CANDIDATES[c][2])  # fewest members among the tied
    lines = [
        *heading(
            "The default tabular detector, chosen on a development panel",
            "benchmarks/anomaly_dev.py",
            started,
            __doc__,
        ),
        "ROC AUC, mean over the seeds; the best aekit candidate per row in bold.",
        "",
    ]
    for g, auc in results.items():
        lines += [*section(g[0].upper() + g[1:], groups[g], auc), ""]
    lines += [
        f"Chosen on the class tables (the best mean, the fewest members among those within "
        f"{NEAR} of it): **{best}** ({means[best]:.3f}, against the loss alone's "
        f"{means['loss alone (old default)']:.3f} and IsolationForest's "
        f"{means['IsolationForest']:.3f}).",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
