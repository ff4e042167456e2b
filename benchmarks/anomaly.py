"""aekit's default anomaly detector beside PCA, Isolation Forest, one-class SVM and kNN.

Two protocols, every detector on the same splits in one run, every setting a default:

- ODDS (PyOD's benchmark protocol): the eleven ``.mat`` tables of ``../shared/data/odds/``
  (``scipy.io.loadmat``: ``X``, ``y`` with 1 = outlier), read from there. Per split seed a
  random 60/40 train/test split (``train_test_split(X, y, test_size=0.4,
  random_state=seed)``); the scikit-learn baselines get the rows standardised by a
  ``StandardScaler`` fitted on the training part, aekit's detector the raw training rows (its
  default member standardises them itself). Labels are never used in training. ROC AUC and
  average precision of the test scores, per table (mean over the seeds) and over the tables.
- One-class digits (scikit-learn's ``load_digits``, pixels / 16 in [0, 1]): per class c and
  seed, train on a seeded 70 % of class c's rows, score the other 30 % of class c (normal)
  and every row of the other classes (anomalous); ROC AUC per class and the mean.

Detectors (higher score = more anomalous): ``aekit.AnomalyDetector(random_state=seed)``
(``anomaly_score``, at its defaults), and its previous default (one member, the loss
alone); PCA with ceil(n_features / 4) components (16 on digits), squared reconstruction
error; ``IsolationForest(random_state=seed)`` (``-score_samples``); ``OneClassSVM()``
(``-decision_function``); the distance to the 5th nearest training row
(``NearestNeighbors``); PyOD's ``AutoEncoder`` and ``VAE`` at their defaults when ``import
pyod`` works. Results: ``benchmarks/results/anomaly.md``.

    python benchmarks/anomaly.py [--odds-dir DIR] [--tables glass pima ...] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import math
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anomaly_fashion
import numpy as np
import sklearn
import torch
from odds import ODDS, ODDS_DEFAULT
from provenance import hardware, revision
from scipy.io import loadmat
from scipy.stats import rankdata
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

import aekit

ROOT = Path(__file__).resolve().parents[1]
QUICK_TABLES = ("glass", "lympho", "pima", "ionosphere")
SEEDS, QUICK_SEEDS = 5, 2
DIGIT_SEEDS, QUICK_DIGIT_SEEDS = 3, 1
KNN_K = 5
DIGITS_PCA = 16
FASHION_TARGET = 93.5  # issue 18: mean ROC AUC %, one-class Fashion-MNIST (GEOM's)
SPREAD = ("aekit", "aekit-loss", "iforest")  # columns shown with their spread over the seeds

Scorer = Callable[[np.ndarray, np.ndarray, int], np.ndarray]  # (train, test, seed) -> scores


# -- detectors: each fits on the training rows and scores the test rows ----------------------
def aekit_scores(train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
    detector = aekit.AnomalyDetector(random_state=seed).fit(train.astype(np.float32))
    return detector.anomaly_score(test.astype(np.float32))


def aekit_loss_scores(train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
    """The detector's old default: one member (hidden n // 2), scored by its loss alone."""
    n = train.shape[1]
    member = aekit.Autoencoder(
        hidden=(max(8, n // 2),),
        code_size=max(1, min(max(2, n // 4), n - 1)),
        scale="standard",
        epochs=50,
        random_state=seed,
    )
    detector = aekit.AnomalyDetector(member, random_state=seed)  # a given member: loss alone
    return detector.fit(train.astype(np.float32)).anomaly_score(test.astype(np.float32))


def pca_scores(n_components: int) -> Scorer:
    def scores(train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
        k = min(n_components, train.shape[0], train.shape[1])
        pca = PCA(n_components=k, random_state=seed).fit(train)
        back = pca.inverse_transform(pca.transform(test))
        return np.square(test - back).sum(axis=1)

    return scores


def iforest_scores(train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
    return -IsolationForest(random_state=seed).fit(train).score_samples(test)


def ocsvm_scores(train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
    return -OneClassSVM().fit(train).decision_function(test)


def knn_scores(train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
    distances, _ = NearestNeighbors(n_neighbors=KNN_K).fit(train).kneighbors(test)
    return distances[:, -1]  # the 5th nearest training row


def pyod_version() -> str | None:
    try:
        import pyod
    except ImportError:
        return None
    return str(getattr(pyod, "__version__", "unknown version"))


def pyod_scorer(module: str, name: str, **params: Any) -> Scorer:
    """PyOD's detector ``name`` at its defaults but ``params`` (seeded where it takes a seed)."""

    def scores(train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
        cls = getattr(__import__(f"pyod.models.{module}", fromlist=[name]), name)
        seeded = "random_state" in inspect.signature(cls).parameters
        model = cls(random_state=seed, **params) if seeded else cls(**params)
        with contextlib.redirect_stdout(io.StringIO()):
            model.fit(train)
            return np.asarray(model.decision_function(test), dtype=np.float64)

    return scores


def odds_detectors(n_features: int, with_pyod: bool) -> dict[str, Scorer]:
    found: dict[str, Scorer] = {
        "aekit": aekit_scores,
        "aekit-loss": aekit_loss_scores,
        "pca": pca_scores(math.ceil(n_features / 4)),
        "iforest": iforest_scores,
        "ocsvm": ocsvm_scores,
        "knn": knn_scores,
    }
    if with_pyod:
        found["pyod-ae"] = pyod_scorer("auto_encoder", "AutoEncoder")
        found["pyod-vae"] = pyod_scorer("vae", "VAE")
        # capacity=0.0, PyOD's default, clamps the KL term to 0: an autoencoder, not a VAE.
        found["pyod-vae-kl"] = pyod_scorer("vae", "VAE", capacity=math.inf)
    return found


def digits_detectors() -> dict[str, Scorer]:
    return {
        "aekit": aekit_scores,
        "pca": pca_scores(DIGITS_PCA),
        "knn": knn_scores,
        "iforest": iforest_scores,
    }


LABELS = {
    "aekit": "aekit",
    "aekit-loss": "aekit, loss alone (old default)",
    "pca": "PCA",
    "iforest": "IsolationForest",
    "ocsvm": "OneClassSVM",
    "knn": "kNN (k=5)",
    "pyod-ae": "PyOD AutoEncoder",
    "pyod-vae": "PyOD VAE",
    "pyod-vae-kl": "PyOD VAE, KL on",
}


def timed(scorer: Scorer, train: np.ndarray, test: np.ndarray, seed: int) -> tuple[Any, float]:
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = np.asarray(scorer(train, test, seed), dtype=np.float64)
    for w in caught:
        WARNINGS.add(f"{w.category.__name__}: {str(w.message).splitlines()[0][:160]}")
    if not np.isfinite(scores).all():
        WARNINGS.add(f"{scorer.__name__}: non-finite scores")
        scores = np.nan_to_num(scores, nan=0.0, posinf=np.finfo(np.float64).max)
    return scores, time.perf_counter() - started


WARNINGS: set[str] = set()


# -- the two protocols ----------------------------------------------------------------------
def odds_table(name: str, odds_dir: Path, seeds: int, with_pyod: bool) -> dict[str, Any]:
    data = loadmat(odds_dir / f"{name}.mat")
    X = np.asarray(data["X"], dtype=np.float64)
    y = np.asarray(data["y"]).ravel().astype(int)
    detectors = odds_detectors(X.shape[1], with_pyod)
    auc: dict[str, list[float]] = {d: [] for d in detectors}
    ap: dict[str, list[float]] = {d: [] for d in detectors}
    seconds = dict.fromkeys(detectors, 0.0)
    for seed in range(seeds):
        X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, random_state=seed)
        scaler = StandardScaler().fit(X_train)
        s_train, s_test = scaler.transform(X_train), scaler.transform(X_test)
        for d, scorer in detectors.items():
            raw = d.startswith("aekit")  # aekit scales itself; the rest get standardised rows
            train, test = (X_train, X_test) if raw else (s_train, s_test)
            scores, took = timed(scorer, train, test, seed)
            auc[d].append(float(roc_auc_score(y_test, scores)))
            ap[d].append(float(average_precision_score(y_test, scores)))
            seconds[d] += took
    return {
        "table": name,
        "rows": int(X.shape[0]),
        "columns": int(X.shape[1]),
        "outliers": float(y.mean()),
        "auc": auc,
        "ap": ap,
        "seconds": seconds,
    }


def digits_classes(seeds: int) -> dict[str, Any]:
    digits = load_digits()
    X = (digits.data / 16).astype(np.float64)  # (1797, 64) in [0, 1]
    y = digits.target
    detectors = digits_detectors()
    auc: dict[str, dict[int, list[float]]] = {d: {} for d in detectors}
    seconds = dict.fromkeys(detectors, 0.0)
    for c in range(10):
        own = np.flatnonzero(y == c)
        others = np.flatnonzero(y != c)
        for seed in range(seeds):
            fit_rows, kept = train_test_split(own, train_size=0.7, random_state=seed)
            test = np.concatenate([kept, others])
            truth = (y[test] != c).astype(int)  # 1 = anomalous (another digit)
            for d, scorer in detectors.items():
                scores, took = timed(scorer, X[fit_rows], X[test], seed)
                auc[d].setdefault(c, []).append(float(roc_auc_score(truth, scores)))
                seconds[d] += took
    return {"auc": auc, "seconds": seconds}


# -- the results file -----------------------------------------------------------------------
def bold_best(means: dict[str, float], texts: dict[str, str]) -> list[str]:
    """The cells, the best (all that tie with it at three decimals) in bold."""
    top = round(max(means.values()), 3)
    return [f"**{texts[d]}**" if round(means[d], 3) == top else texts[d] for d in means]


def cell(values: list[float], spread: bool) -> str:
    mean = float(np.mean(values))
    return f"{mean:.3f} ± {float(np.std(values)):.3f}" if spread else f"{mean:.3f}"


def odds_markdown(rows: list[dict[str, Any]], metric: str, title: str) -> list[str]:
    names = list(rows[0][metric])
    head = [LABELS[d] + (" (± std)" if d in SPREAD else "") for d in names]
    lines = [
        f"### {title}",
        "",
        "| table | rows | columns | outliers | " + " | ".join(head) + " |",
        "| --- | --: | --: | --: | " + " | ".join("--:" for _ in names) + " |",
    ]
    for r in rows:
        row = {d: float(np.mean(r[metric][d])) for d in names}
        cells = bold_best(row, {d: cell(r[metric][d], d in SPREAD) for d in names})
        lines.append(
            f"| {r['table']} | {r['rows']} | {r['columns']} | {r['outliers']:.1%} | "
            + " | ".join(cells)
            + " |"
        )
    means = {d: float(np.mean([np.mean(r[metric][d]) for r in rows])) for d in names}
    cells = bold_best(means, {d: f"{means[d]:.3f}" for d in names})
    lines.append(f"| **mean of {len(rows)}** | | | | " + " | ".join(cells) + " |")
    ranks = mean_ranks(rows, metric)
    lines.append("| mean rank | | | | " + " | ".join(f"{ranks[d]:.1f}" for d in names) + " |")
    return lines


def mean_ranks(rows: list[dict[str, Any]], metric: str) -> dict[str, float]:
    """Each detector's rank per table (1 = best mean; ties share), averaged over the tables."""
    names = list(rows[0][metric])
    total = np.zeros(len(names))
    for r in rows:
        means = np.round([np.mean(r[metric][d]) for d in names], 3)
        total += rankdata(-means)  # ties get their average rank
    return {d: float(t) / len(rows) for d, t in zip(names, total, strict=True)}


def verdict(rows: list[dict[str, Any]]) -> str:
    ours = float(np.mean([np.mean(r["auc"]["aekit"]) for r in rows]))
    theirs = float(np.mean([np.mean(r["auc"]["iforest"]) for r in rows]))
    wins = sum(1 for r in rows if np.mean(r["auc"]["aekit"]) > np.mean(r["auc"]["iforest"]))
    side = "above" if ours > theirs else "below" if ours < theirs else "equal to"
    return (
        f"**aekit's mean ROC AUC over the {len(rows)} tables is {ours:.3f}, {side} "
        f"IsolationForest's {theirs:.3f} (by {ours - theirs:+.3f})**; aekit has the higher "
        f"ROC AUC on {wins} of {len(rows)} tables."
    )


def digits_markdown(result: dict[str, Any], seeds: int) -> list[str]:
    auc = result["auc"]
    names = list(auc)
    lines = [
        "| normal class | " + " | ".join(LABELS[d] for d in names) + " |",
        "| --: | " + " | ".join("--:" for _ in names) + " |",
    ]
    for c in range(10):
        row = {d: float(np.mean(auc[d][c])) for d in names}
        cells = bold_best(row, {d: f"{row[d]:.3f}" for d in names})
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    means = {d: float(np.mean([np.mean(auc[d][c]) for c in range(10)])) for d in names}
    cells = bold_best(means, {d: f"{means[d]:.3f}" for d in names})
    lines.append("| **mean** | " + " | ".join(cells) + " |")
    per_class = {c: float(np.mean([np.mean(auc[d][c]) for d in names])) for c in range(10)}
    hardest = min(per_class, key=per_class.__getitem__)
    ours = {c: float(np.mean(auc["aekit"][c])) for c in range(10)}
    our_hardest = min(ours, key=ours.__getitem__)
    lines += [
        "",
        f"Hardest class: **{hardest}** (mean ROC AUC {per_class[hardest]:.3f} over the "
        f"{len(names)} detectors); for aekit alone, class {our_hardest} "
        f"({ours[our_hardest]:.3f}). ROC AUC per class is the mean over {seeds} "
        f"seed{'s' if seeds > 1 else ''}.",
    ]
    return lines


def seconds_markdown(rows: list[dict[str, Any]], digits: dict[str, Any]) -> list[str]:
    names = list(rows[0]["seconds"])
    lines = [
        "| table | " + " | ".join(LABELS[d] for d in names) + " |",
        "| --- | " + " | ".join("--:" for _ in names) + " |",
    ]
    for r in rows:
        lines.append(
            f"| {r['table']} | " + " | ".join(f"{r['seconds'][d]:.1f}" for d in names) + " |"
        )
    d_sec = digits["seconds"]
    lines.append(
        "| digits (all classes) | "
        + " | ".join(f"{d_sec[d]:.1f}" if d in d_sec else "" for d in names)
        + " |"
    )
    return lines


def markdown(
    rows: list[dict[str, Any]],
    digits: dict[str, Any],
    fashion: dict[str, Any] | None,
    meta: dict[str, Any],
) -> str:
    seeds, digit_seeds = meta["seeds"], meta["digit_seeds"]
    pyod = meta["pyod"]
    lines = [
        "# Anomaly detection: aekit's default detector beside PCA, Isolation Forest, "
        "one-class SVM and kNN",
        "",
        f"- command: `{meta['command']}`",
        f"- git revision: {meta['revision']}",
        f"- hardware: {meta['hardware']}",
        f"- software and date: {meta['software']}",
        f"- wall time: {meta['wall']:.0f} s",
        "- PyOD: "
        + (
            f"{pyod}, its AutoEncoder and VAE at their defaults (PyOD's VAE defaults to "
            "`capacity=0.0`, which clamps its KL term to zero; the column 'KL on' sets "
            "`capacity=inf`); `pip install pyod` or the `bench` extra"
            if pyod
            else "not installed (`import pyod` fails), so its AutoEncoder and VAE are not "
            "in the tables"
        ),
        "",
        "## How the settings were chosen",
        "",
        "No test label was used for anything but the final scores. On ODDS and digits "
        "nothing was tuned: every detector runs at its library's defaults. (On Fashion-MNIST "
        "aekit's member is chosen on a validation split of the training images: see its "
        "section.) aekit: "
        "`AnomalyDetector(random_state=seed)` at its defaults, chosen on the development "
        "panel of `benchmarks/anomaly_dev.py` (`anomaly-dev.md`: class tables built as ODDS "
        "builds its own, none of them an ODDS table): 3 members "
        "`Autoencoder(hidden=(max(8, n_features),), code_size=max(2, n_features // 4), "
        'scale="standard", epochs=50)` seeded apart, each trained on 80 % of the training '
        "rows (the other 20 % set the units of each term and the threshold, which ROC AUC "
        "and AP do not use) and scoring a row by its loss plus its code's squared "
        "Mahalanobis distance and its distance to its k-th nearest training code (k = 3 % "
        "of the rows it trained on, at least 5; `anomaly-neighbors.md`), each in "
        "held-out standard deviations; the members' scores averaged. It gets the raw rows "
        "and standardises them itself. The column 'loss alone' is the previous default: one "
        "member with `hidden=(max(8, n_features // 2),)`, scored by its loss. PCA: "
        "`n_components = ceil(n_features / 4)` (the aekit code size, rounded up) on ODDS, "
        "16 on digits, scored by squared reconstruction error. "
        "`IsolationForest(random_state=seed)`, `OneClassSVM()` (RBF, "
        'gamma="scale", nu=0.5) and kNN (distance to the 5th nearest training row) at '
        "scikit-learn's defaults, on every training row (no subsampling: see the seconds "
        "below). The ODDS split seeds are "
        f"0 to {seeds - 1}, the digits seeds 0 to {digit_seeds - 1}; every detector sees the "
        "same splits. Scores: higher is more anomalous (aekit `anomaly_score`, "
        "IsolationForest `-score_samples`, OneClassSVM `-decision_function`).",
        "",
        f"## ODDS ({len(rows)} tables, PyOD's protocol, {seeds} split seeds)",
        "",
        "Random 60/40 train/test split per seed; the scikit-learn baselines on rows "
        "standardised with the training part's mean and std; training without labels. "
        "Mean over the seeds (± the std over the seeds for aekit and IsolationForest); the "
        "best per row in bold. Mean rank: 1 is best.",
        "",
        verdict(rows),
        "",
        *odds_markdown(rows, "auc", "ROC AUC"),
        "",
        *odds_markdown(rows, "ap", "Average precision"),
        "",
        f"## One-class digits (scikit-learn's load_digits, {digit_seeds} seed"
        f"{'s' if digit_seeds > 1 else ''})",
        "",
        "Pixels / 16, in [0, 1]. Per normal class c: train on a seeded 70 % of class c's "
        "rows (about 125), score the other 30 % of class c and all 1,617 or so rows of the "
        "other nine classes (anomalous). aekit gets the pixel rows (its default member "
        "standardises them), PCA (16 components), kNN and IsolationForest the raw pixels. "
        "ROC AUC:",
        "",
        *digits_markdown(digits, digit_seeds),
        "",
        *(
            anomaly_fashion.markdown(fashion, FASHION_TARGET)
            if meta["fashion"]
            else ["## One-class Fashion-MNIST", "", "Not run (`--skip-fashion`)."]
        ),
        "",
        "## Seconds (fit and score, summed over the seeds)",
        "",
        *seconds_markdown(rows, digits),
    ]
    if WARNINGS:
        lines += ["", "## Warnings raised during the run", ""]
        lines += [f"- {w}" for w in sorted(WARNINGS)]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--odds-dir", type=Path, default=ODDS_DEFAULT)
    ap.add_argument("--tables", nargs="+", choices=ODDS, default=None, help="default: all")
    ap.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_SEEDS} seeds on {', '.join(QUICK_TABLES)}; digits with 1 seed",
    )
    ap.add_argument("--skip-fashion", action="store_true", help="leave out one-class Fashion-MNIST")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "anomaly.md")
    args = ap.parse_args()
    tables = args.tables or (QUICK_TABLES if args.quick else ODDS)
    seeds = QUICK_SEEDS if args.quick else SEEDS
    digit_seeds = QUICK_DIGIT_SEEDS if args.quick else DIGIT_SEEDS
    pyod = pyod_version()
    started = time.perf_counter()
    rows = []
    for name in tables:
        row = odds_table(name, args.odds_dir, seeds, pyod is not None)
        summary = {d: round(float(np.mean(v)), 3) for d, v in row["auc"].items()}
        print(json.dumps({"table": name, "roc_auc": summary}), flush=True)
        rows.append(row)
    digits = digits_classes(digit_seeds)
    summary = {
        d: round(float(np.mean([np.mean(v) for v in c.values()])), 3)
        for d, c in digits["auc"].items()
    }
    print(json.dumps({"digits": summary}), flush=True)
    fashion = None
    if not args.skip_fashion:
        data = anomaly_fashion.load()
        if data is not None:
            fashion = anomaly_fashion.one_class(data, digit_seeds, args.quick)
            print(json.dumps({"fashion": fashion["selection"]["means"]}), flush=True)
    meta = {
        "command": shlex.join(["python", "benchmarks/anomaly.py", *sys.argv[1:]]),
        "revision": revision(),
        "hardware": hardware(),
        "software": f"aekit {aekit.__version__}, scikit-learn {sklearn.__version__}, "
        f"torch {torch.__version__}, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}",
        "seeds": seeds,
        "digit_seeds": digit_seeds,
        "pyod": pyod,
        "fashion": not args.skip_fashion,
        "wall": time.perf_counter() - started,
    }
    text = markdown(rows, digits, fashion, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
