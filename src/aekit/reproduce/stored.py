"""The image sets a suite reads, and what its results file says when one cannot be read.

Fashion-MNIST from its Debian package or ``--data-dir``; MNIST only from ``--mnist-dir``
(aekit never downloads). A set that cannot be read becomes a "Not run" section of the
results file, so the other sections still run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aekit.data.dataset import Dataset
from aekit.datasets import load
from aekit.errors import DataError
from aekit.reproduce.document import Document

TITLES = {"fashion-mnist": "Fashion-MNIST", "mnist": "MNIST"}


def images(name: str, options: Any, doc: Document) -> Dataset | None:
    """All of ``name``'s training and test images, or None after a "Not run" section.

    ``options`` is a suite's Options (``mnist_dir``, ``fashion_dir``, ``seed``).
    """
    title = TITLES[name]
    if name == "mnist" and options.mnist_dir is None:
        doc.section(
            title,
            "Not run: MNIST is read only from IDX files given with --mnist-dir "
            "(aekit never downloads).",
        )
        return None
    path = options.mnist_dir if name == "mnist" else options.fashion_dir
    try:
        data = load(name, path=path, random_state=options.seed)
        parts(data)
    except DataError as exc:
        doc.section(title, f"Not run: {exc}")
        return None
    return data


def parts(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The training and the test images; a DataError for a set without a test part."""
    if data.X_test is None:
        raise DataError(f"{data.name} has no test part")
    return data.X_train, data.X_test


def rows(X: np.ndarray, n: int | None, seed: int) -> np.ndarray:
    """A seeded subset of ``n`` rows of ``X`` in their stored order; all when ``n`` is None.

    >>> rows(np.arange(10)[:, None], 3, seed=0).ravel().tolist()
    [5, 6, 9]
    """
    if n is None or n >= len(X):
        return X
    picked = np.random.default_rng(seed).choice(len(X), size=n, replace=False)
    return X[np.sort(picked)]
