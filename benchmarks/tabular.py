"""A panel of real tables through ``aekit train`` at its defaults, beside PCA.

Each table is written to a CSV (in a temporary folder, never in this repository) and
trained with ``aekit train --data FILE --code-size K --seed 0`` where K is a quarter of the
columns, rounded up; everything else is the command's default. The figures are the ones the
command reports on its own held-out part of the file (a seeded 20 % of the rows): the
squared reconstruction error per row of the model and of PCA with K components, both in the
model's training space (after its scaling, which ``scale="auto"`` chooses), and the time.

Tables: scikit-learn's wine, breast cancer, diabetes and digits, and the eleven ODDS outlier
tables of ``../shared/data/odds/`` (``scipy.io.loadmat``: ``X``, labels dropped), read from
there. Results: ``benchmarks/results/tabular.md``.

    python benchmarks/tabular.py [--odds-dir DIR] [--tables wine pima ...] [--epochs N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import platform
import shlex
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from odds import ODDS, ODDS_DEFAULT
from provenance import hardware, revision
from scipy.io import loadmat
from sklearn import datasets

import aekit
from aekit.cli.main import main as aekit_main

ROOT = Path(__file__).resolve().parents[1]
SKLEARN = {
    "wine": datasets.load_wine,
    "breast-cancer": datasets.load_breast_cancer,
    "diabetes": datasets.load_diabetes,
    "digits": datasets.load_digits,
}


def table(name: str, odds_dir: Path) -> np.ndarray:
    if name in SKLEARN:
        return np.asarray(SKLEARN[name]().data, dtype=np.float64)
    return np.asarray(loadmat(odds_dir / f"{name}.mat")["X"], dtype=np.float64)


def run(name: str, X: np.ndarray, folder: Path, extra: list[str]) -> dict[str, object]:
    path = folder / f"{name}.csv"
    np.savetxt(path, X, delimiter=",", fmt="%.9g")
    k = math.ceil(X.shape[1] / 4)
    out = folder / f"{name}-model"
    argv = ["train", "--data", str(path), "--out", str(out), "--code-size", str(k)]
    argv += ["--seed", "0", "--no-pictures", "--quiet", "--overwrite", *extra]
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        status = aekit_main(argv)
    seconds = time.perf_counter() - started
    if status != 0:
        return {"table": name, "error": f"aekit train exited {status}"}
    metrics = json.loads((out / "metrics.json").read_text())
    config = json.loads((out / "config.json").read_text())
    return {
        "table": name,
        "rows": int(X.shape[0]),
        "columns": int(X.shape[1]),
        "code": k,
        "held_out": metrics["n_samples"],
        "scaling": config["preprocessing"]["kind"],
        "loss": config["loss"]["likelihood"],
        "model": metrics["autoencoder_squared_error"],
        "pca": metrics["pca_squared_error"],
        "ratio": metrics["ratio_to_pca"],
        "seconds": seconds,
    }


def markdown(rows: list[dict[str, object]], meta: dict[str, str]) -> str:
    done = [r for r in rows if "error" not in r]
    wins = sum(1 for r in done if float(r["ratio"]) < 1)  # type: ignore[arg-type]
    lines = [
        "# A panel of real tables at `aekit train`'s defaults, beside PCA",
        "",
        f"- command: `{meta['command']}`",
        f"- git revision: {meta['revision']}",
        f"- hardware: {meta['hardware']}",
        f"- software and date: {meta['software']}",
        "",
        "Held-out squared error per row (a seeded 20 % of each file's rows, the split `aekit "
        "train` makes), in the model's training space, with a code of a quarter of the "
        "columns (rounded up) and PCA with as many components fitted on the same scaled "
        "training rows. Ratio < 1: the autoencoder is better.",
        "",
        f"**The autoencoder beats PCA on {wins} of {len(rows)} tables** (target: 12 of 15).",
        "",
        "| table | rows | columns | code | scaling | loss | autoencoder | PCA | ratio | s |",
        "| --- | --: | --: | --: | --- | --- | --: | --: | --: | --: |",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['table']} | {r['error']} |||||||||")
            continue
        lines.append(
            f"| {r['table']} | {r['rows']} | {r['columns']} | {r['code']} | {r['scaling']} | "
            f"{r['loss']} | {r['model']:.4g} | {r['pca']:.4g} | {r['ratio']:.3f} | "
            f"{r['seconds']:.1f} |"
        )
    losses = [r for r in done if float(r["ratio"]) >= 1]  # type: ignore[arg-type]
    if losses:
        lines += ["", "Where the autoencoder loses, by how much:", ""]
        for r in losses:
            worse = (float(r["ratio"]) - 1) * 100  # type: ignore[arg-type]
            lines.append(f"- {r['table']}: {worse:.1f} % above PCA's error")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--odds-dir", type=Path, default=ODDS_DEFAULT)
    ap.add_argument("--tables", nargs="+", default=[*SKLEARN, *ODDS])
    ap.add_argument("--epochs", type=int, default=None, help="default: aekit train's own")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "tabular.md")
    args = ap.parse_args()
    extra = [] if args.epochs is None else ["--epochs", str(args.epochs)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.tables:
            row = run(name, table(name, args.odds_dir), Path(tmp), extra)
            print(json.dumps(row), flush=True)
            rows.append(row)
    meta = {
        "command": "python benchmarks/tabular.py " + shlex.join(sys.argv[1:]),
        "revision": revision(),
        "hardware": hardware(),
        "software": f"aekit {aekit.__version__}, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}",
    }
    text = markdown(rows, meta)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
