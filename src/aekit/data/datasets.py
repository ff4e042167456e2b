"""Named datasets: ``load("digits")``, ``load("fashion-mnist")``, ``load("swiss-roll")``...

Nothing is ever downloaded. ``digits`` ships with scikit-learn, the manifolds are generated,
and MNIST-style datasets are read from a local folder (Debian packages Fashion-MNIST as
``dataset-fashion-mnist``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aekit.data.dataset import Dataset
from aekit.data.idx_folder import read_idx_folder
from aekit.errors import ConfigError, DataError

Loader = Callable[[str | None, int | None, int], Dataset]  # (path, n_samples, random_state)

# Where "apt-get install dataset-fashion-mnist" puts the files on Debian and Ubuntu.
FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
_MNIST_PARTS = ("train_images", "train_labels", "test_images", "test_labels")
# Label i of Fashion-MNIST names class FASHION_MNIST_CLASSES[i] (Xiao, Rasul & Vollgraf 2017).
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
_ALIASES = {"fashionmnist": "fashion-mnist", "swissroll": "swiss-roll", "scurve": "s-curve"}


@dataclass(frozen=True)
class _Entry:
    loader: Loader
    description: str
    uses_path: bool


_REGISTRY: dict[str, _Entry] = {}


def _register(
    name: str, description: str, *, uses_path: bool = False
) -> Callable[[Loader], Loader]:
    def add(loader: Loader) -> Loader:
        if name in _REGISTRY:
            raise ValueError(f"dataset {name!r} is already registered")
        _REGISTRY[name] = _Entry(loader, description, uses_path)
        return loader

    return add


def load(
    name: str,
    *,
    path: str | None = None,
    n_samples: int | None = None,
    random_state: int = 0,
) -> Dataset:
    """Load a named dataset.

    Parameters
    ----------
    name : str
        One of :data:`DATASET_NAMES` (case-insensitive; ``_`` may stand for ``-``).
    path : str or None, default=None
        Folder of IDX files, for ``mnist`` and ``fashion-mnist`` only.
    n_samples : int or None, default=None
        Generated datasets: how many samples to make (default 3000). Stored datasets: keep a
        random subset of this many training samples, and the same fraction of the test set.
    random_state : int, default=0
        Seed of the generator and of the subset. The split of ``digits`` is fixed.

    Returns
    -------
    Dataset
        float32 features with a training and a test part.

    Raises
    ------
    DataError
        For an unknown name or data that cannot be found or read.
    ConfigError
        For an out-of-range ``n_samples`` or a ``path`` the dataset does not use.

    Examples
    --------
    >>> d = load("digits")
    >>> d.X_train.shape, d.X_test.shape, d.image_shape
    ((1437, 64), (360, 64), (8, 8))
    """
    key = _canonical(name)
    entry = _REGISTRY.get(key)
    if entry is None:
        raise DataError(f"unknown dataset {name!r}; known: {', '.join(DATASET_NAMES)}")
    if path is not None and not entry.uses_path:
        users = ", ".join(n for n, e in _REGISTRY.items() if e.uses_path)
        raise ConfigError(f"{key} takes no path; a data folder applies only to {users}")
    if n_samples is not None and (
        isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2
    ):
        raise ConfigError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    return entry.loader(path, n_samples, random_state)


def list_datasets() -> list[tuple[str, str]]:
    """(name, one-line description) of every named dataset, in a stable order."""
    return [(name, entry.description) for name, entry in _REGISTRY.items()]


def _canonical(name: object) -> str:
    if not isinstance(name, str):
        raise DataError(f"dataset name must be a string, got {name!r}")
    key = name.strip().lower().replace("_", "-")
    return _ALIASES.get(key.replace("-", ""), key)


# -- built in ------------------------------------------------------------------------------
@_register("digits", "8x8 handwritten digits from scikit-learn, 1797 images (built in)")
def _digits(path: str | None, n_samples: int | None, random_state: int) -> Dataset:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    X = (bunch.data / 16.0).astype(np.float32)  # pixel values are 0..16
    y = bunch.target.astype(np.int64)
    # A fixed split, so that results on "digits" compare across runs and seeds.
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=0, stratify=y
    )
    data = Dataset(
        "digits",
        X_train,
        y_train,
        X_test,
        y_test,
        (8, 8),
        "scikit-learn digits: 8x8 images scaled to [0, 1], fixed stratified 80/20 split",
    )
    return _subsample(data, n_samples, random_state)


# -- read from a local folder --------------------------------------------------------------
@_register(
    "fashion-mnist",
    "Zalando's 28x28 clothing images, 60000 + 10000 (local IDX files)",
    uses_path=True,
)
def _fashion_mnist(path: str | None, n_samples: int | None, random_state: int) -> Dataset:
    folder = _folder(
        "fashion-mnist",
        path,
        "AEKIT_FASHION_MNIST",
        FASHION_MNIST_DEBIAN_DIR,
        "install it with 'apt-get install dataset-fashion-mnist' or pass path=<folder with "
        "train-images-idx3-ubyte.gz>",
    )
    data = read_idx_folder(
        folder,
        name="fashion-mnist",
        description="Fashion-MNIST: 28x28 clothing images in [0, 1], 10 classes",
        required=_MNIST_PARTS,
    )
    data.label_names = FASHION_MNIST_CLASSES
    return _subsample(data, n_samples, random_state)


@_register(
    "mnist", "LeCun's 28x28 handwritten digits, 60000 + 10000 (local IDX files)", uses_path=True
)
def _mnist(path: str | None, n_samples: int | None, random_state: int) -> Dataset:
    folder = _folder(
        "mnist",
        path,
        "AEKIT_MNIST",
        None,
        "pass path=<folder with train-images-idx3-ubyte.gz> or set AEKIT_MNIST "
        "(aekit never downloads)",
    )
    data = read_idx_folder(
        folder,
        name="mnist",
        description="MNIST: 28x28 handwritten digits in [0, 1], 10 classes",
        required=_MNIST_PARTS,
    )
    return _subsample(data, n_samples, random_state)


def _folder(name: str, path: str | None, env: str, default: str | None, hint: str) -> Path:
    """The data folder: ``path``, else ``$env``, else ``default``; a DataError if absent."""
    for given, source in ((path, "path"), (os.environ.get(env) or None, env)):
        if given is not None:
            if not Path(given).is_dir():
                raise DataError(f"{name}: {source} {given}: no such folder")
            return Path(given)
    if default is not None and Path(default).is_dir():
        return Path(default)
    where = f" (looked in {default})" if default else ""
    raise DataError(f"{name}: no local copy found{where}; {hint}")


# -- generated -----------------------------------------------------------------------------
@_register("swiss-roll", "3-D swiss roll manifold, 3000 points; labels = position on the roll")
def _swiss_roll(path: str | None, n_samples: int | None, random_state: int) -> Dataset:
    from sklearn.datasets import make_swiss_roll

    return _manifold("swiss-roll", make_swiss_roll, n_samples, random_state)


@_register("s-curve", "3-D S-shaped manifold, 3000 points; labels = position on the curve")
def _s_curve(path: str | None, n_samples: int | None, random_state: int) -> Dataset:
    from sklearn.datasets import make_s_curve

    return _manifold("s-curve", make_s_curve, n_samples, random_state)


@_register(
    "curves",
    "28x28 curve images after Hinton & Salakhutdinov 2006, 20000 + 10000 (generated, seeded)",
)
def _curves(path: str | None, n_samples: int | None, random_state: int) -> Dataset:
    from aekit.data.curves import make_curves

    n_train = 20000 if n_samples is None else n_samples
    n_test = max(1, n_train // 2)  # the paper's 20,000 / 10,000 proportion
    X = make_curves(n_train + n_test, random_state)
    description = (
        f"curves: {n_train} + {n_test} generated 28x28 images (three control points, a "
        f"cubic spline, an anti-aliased pen; seed {random_state})"
    )
    return Dataset("curves", X[:n_train], None, X[n_train:], None, (28, 28), description)


def _manifold(name: str, make: Callable, n_samples: int | None, random_state: int) -> Dataset:
    from sklearn.model_selection import train_test_split

    n = 3000 if n_samples is None else n_samples
    X, t = make(n_samples=n, noise=0.05, random_state=random_state)
    X_train, X_test, t_train, t_test = train_test_split(
        X.astype(np.float32), t.astype(np.float32), test_size=0.2, random_state=random_state
    )
    description = f"{name}: {n} points in 3-D (noise 0.05), labels = position t along it"
    return Dataset(name, X_train, t_train, X_test, t_test, None, description)


def _subsample(data: Dataset, n_samples: int | None, random_state: int) -> Dataset:
    """Keep ``n_samples`` random training samples and the same fraction of the test part."""
    if n_samples is None:
        return data
    n_train = len(data.X_train)
    if n_samples > n_train:
        raise ConfigError(f"n_samples={n_samples} but {data.name} has {n_train} training samples")
    rng = np.random.default_rng(random_state)
    train = np.sort(rng.permutation(n_train)[:n_samples])
    X_test = y_test = None
    if data.X_test is not None:
        n_test = len(data.X_test)
        test = np.sort(rng.permutation(n_test)[: max(1, round(n_test * n_samples / n_train))])
        X_test, y_test = data.X_test[test], _take(data.y_test, test)
    return Dataset(
        data.name,
        data.X_train[train],
        _take(data.y_train, train),
        X_test,
        y_test,
        image_shape=data.image_shape,
        description=f"{data.description} (random subset of {n_samples})",
        label_names=data.label_names,
    )


def _take(y: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    return None if y is None else y[index]


DATASET_NAMES: tuple[str, ...] = tuple(_REGISTRY)
