"""The development panel of ``benchmarks/anomaly_dev.py``: outlier tables that are not ODDS's.

Two kinds of table, reported apart:

- **class tables**, built the way ODDS builds its own (Rayana 2016: the rows of one or more
  classes are the inliers, another class drawn down to a small share is the outliers). All
  eleven test tables of ``benchmarks/anomaly.py`` are of this kind, so the default is chosen
  on the mean over these. From scikit-learn's embedded data: breast cancer (benign normal,
  malignant drawn to 10 %), wine (classes 0 and 1 normal, class 2 drawn to 8 %), iris
  (setosa and versicolor normal, virginica drawn to 5 %), and three tables of Fashion-MNIST
  averaged to 7 x 7 pixels (4,000 images, one class drawn to 3 %). From the UCI tables that
  Debian's ``r-cran-mlbench`` ships (none is the source of a test table; glass, ionosphere,
  letter and Pima, which are, are left out), when installed: satellite (cotton crop drawn to
  1.2 %, as ODDS's satimage-2), satellite, three classes (the three smallest classes as
  outliers, 32 %, as ODDS's satellite), shuttle (Rad.Flow normal, the five rarest classes
  the outliers at 7 %, High left out, as ODDS's shuttle; 6,000 rows drawn), Wisconsin breast
  cancer (benign normal, malignant 35 %, as ODDS's breastw), vehicle (van drawn to 5 %),
  vowel (Deterding's; 'hid' drawn to 3.4 %), sonar (mines normal, rocks drawn to 10 %) and
  DNA splice junctions (neither normal, exon-intron drawn to 5 %).
- **synthetic anomalies** after ADBench (Han et al. 2022, section 4.3), 5 % of the rows,
  added to the benign breast-cancer rows and to a 60-column noisy 5-d manifold: global
  (uniform in the box widened by 10 %), local (a 5-component GMM with covariances x 5),
  dependency (each column drawn independently from its marginal), clustered (the GMM's
  means x 5).

Every draw is seeded (0), so the panel is the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.mixture import GaussianMixture

import aekit
import aekit.datasets

Table = tuple[np.ndarray, np.ndarray]  # rows, labels (1 = anomaly)
MLBENCH = Path("/usr/lib/R/site-library/mlbench/data")  # Debian's r-cran-mlbench
NOT_FEATURES = {"BreastCancer": ["Id"], "Vowel": ["V1"]}  # a row id; the speaker


def class_table(X: np.ndarray, y: np.ndarray, normal: list, rate: float | None) -> Table:
    """Rows of the ``normal`` classes, and the others drawn (seed 0) to a share ``rate``."""
    rng = np.random.default_rng(0)
    inliers = np.flatnonzero(np.isin(y, normal))
    others = np.flatnonzero(~np.isin(y, normal))
    k = len(others) if rate is None else round(rate * len(inliers) / (1 - rate))
    k = min(len(others), max(2, k))
    rows = np.concatenate([inliers, rng.choice(others, size=k, replace=False)])
    return X[rows].astype(np.float64), np.r_[np.zeros(len(inliers)), np.ones(k)].astype(int)


def synthetic(X: np.ndarray, kind: str, rate: float = 0.05) -> Table:
    """ADBench's synthetic anomalies of ``kind`` added to the normal rows ``X`` (seed 0)."""
    rng = np.random.default_rng(0)
    n = max(2, round(rate * len(X) / (1 - rate)))
    if kind == "global":
        lo, hi = X.min(0), X.max(0)
        A = rng.uniform(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), size=(n, X.shape[1]))
    elif kind == "dependency":
        A = np.column_stack([rng.choice(X[:, j], size=n) for j in range(X.shape[1])])
    else:
        gmm = GaussianMixture(5, random_state=0).fit(X)
        if kind == "local":
            gmm.covariances_ = gmm.covariances_ * 5
        else:  # clustered
            gmm.means_ = gmm.means_ * 5
        A = gmm.sample(n)[0]
    return np.vstack([X, A]), np.r_[np.zeros(len(X)), np.ones(n)].astype(int)


def manifold() -> np.ndarray:
    """2,000 rows of 60 columns near a 5-dimensional curved manifold."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2000, 5))
    W1, W2 = rng.normal(size=(5, 40)), rng.normal(size=(40, 60)) / np.sqrt(40)
    return np.tanh(z @ W1) @ W2 + 0.05 * rng.normal(size=(2000, 60))


def sklearn_tables() -> dict[str, Table]:
    bc, wine, iris = load_breast_cancer(), load_wine(), load_iris()
    tables = {
        "breast cancer": class_table(bc.data, bc.target, [1], 0.10),
        "wine": class_table(wine.data, wine.target, [0, 1], 0.08),
        "iris": class_table(iris.data, iris.target, [0, 1], 0.05),
    }
    try:
        fashion = aekit.datasets.load("fashion-mnist")
    except aekit.errors.AekitError:
        return tables  # the Fashion tables are left out; the results file lists the tables run
    X = np.asarray(fashion.X_train, dtype=np.float64).reshape(-1, 7, 4, 7, 4).mean((2, 4))
    X, y = X.reshape(-1, 49), np.asarray(fashion.y_train)
    drawn = np.random.default_rng(0).choice(len(X), 4000, replace=False)
    for c in (0, 5, 9):
        rest = [k for k in range(10) if k != c]
        tables[f"fashion 7x7, class {c} outlying"] = class_table(X[drawn], y[drawn], rest, 0.03)
    return tables


def _mlbench(folder: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """mlbench's data frame ``name``: numeric columns (the class and any Id dropped), classes."""
    import rdata  # the bench extra; reads R's .rda files without R

    frame = rdata.read_rda(str(folder / f"{name}.rda"))[name].dropna()
    label = frame.columns[-1]
    features = frame.drop(columns=[label, *NOT_FEATURES.get(name, [])])
    return features.astype(float).to_numpy(), frame[label].astype(str).to_numpy()


def mlbench_tables(folder: Path = MLBENCH) -> dict[str, Table]:
    """The UCI class tables, or none where r-cran-mlbench (or rdata) is not installed."""
    try:
        import rdata  # noqa: F401
    except ImportError:
        return {}
    if not (folder / "Satellite.rda").is_file():
        return {}
    X, y = _mlbench(folder, "Satellite")
    rest = ["red soil", "grey soil", "damp grey soil", "vegetation stubble", "very damp grey soil"]
    tables = {
        "satellite, cotton crop outlying": class_table(X, y, rest, 0.012),
        "satellite, three classes outlying": class_table(
            X, y, ["red soil", "grey soil", "very damp grey soil"], None
        ),
    }
    X, y = _mlbench(folder, "Shuttle")
    keep = np.flatnonzero(y != "High")
    drawn = np.random.default_rng(0).choice(keep, 6000, replace=False)
    tables["shuttle"] = class_table(X[drawn], y[drawn], ["Rad.Flow"], 0.07)
    X, y = _mlbench(folder, "BreastCancer")
    tables["breast cancer (Wisconsin)"] = class_table(X, y, ["benign"], None)
    X, y = _mlbench(folder, "Vehicle")
    tables["vehicle, van outlying"] = class_table(X, y, ["bus", "opel", "saab"], 0.05)
    X, y = _mlbench(folder, "Vowel")
    tables["vowel, hid outlying"] = class_table(X, y, sorted(set(y) - {"hid"}), 0.034)
    X, y = _mlbench(folder, "Sonar")
    tables["sonar"] = class_table(X, y, ["M"], 0.10)
    X, y = _mlbench(folder, "DNA")
    tables["DNA"] = class_table(X, y, ["n"], 0.05)
    return tables


def synthetic_tables() -> dict[str, Table]:
    bc = load_breast_cancer()
    benign, curved = bc.data[bc.target == 1], manifold()
    kinds = ("global", "local", "dependency", "clustered")
    tables = {f"breast cancer + {k}": synthetic(benign, k) for k in kinds}
    tables.update({f"manifold + {k}": synthetic(curved, k) for k in ("local", "dependency")})
    return tables


def panel(folder: Path = MLBENCH) -> dict[str, dict[str, Table]]:
    """{"class tables": {...}, "synthetic anomalies": {...}}."""
    return {
        "class tables": {**sklearn_tables(), **mlbench_tables(folder)},
        "synthetic anomalies": synthetic_tables(),
    }
