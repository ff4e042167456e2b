"""The MNIST folder layout: train/t10k images and labels as IDX files, maybe gzipped."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from aekit.data._convert import to_features
from aekit.data.dataset import Dataset
from aekit.data.idx import is_idx_name, read_idx
from aekit.data.validation import check_labels
from aekit.errors import DataError

# Also matches prefixed names ("emnist-digits-train-images-idx3-ubyte") and "." before idx.
PARTS = {
    "train_images": re.compile(r"train-images[-.]idx3-ubyte(\.gz)?$", re.IGNORECASE),
    "train_labels": re.compile(r"train-labels[-.]idx1-ubyte(\.gz)?$", re.IGNORECASE),
    "test_images": re.compile(r"(t10k|test)-images[-.]idx3-ubyte(\.gz)?$", re.IGNORECASE),
    "test_labels": re.compile(r"(t10k|test)-labels[-.]idx1-ubyte(\.gz)?$", re.IGNORECASE),
}
_FILE_NAMES = {
    "train_images": "train-images-idx3-ubyte[.gz]",
    "train_labels": "train-labels-idx1-ubyte[.gz]",
    "test_images": "t10k-images-idx3-ubyte[.gz]",
    "test_labels": "t10k-labels-idx1-ubyte[.gz]",
}


def has_idx_files(folder: Path) -> bool:
    """Whether ``folder`` directly holds any file named like an IDX file."""
    return any(p.is_file() and is_idx_name(p.name) for p in folder.iterdir())


def read_idx_folder(
    folder: Path,
    *,
    name: str | None = None,
    description: str = "",
    required: tuple[str, ...] = ("train_images",),
) -> Dataset:
    """Read the MNIST layout of ``folder``: images scaled to [0, 1], labels as int64.

    Parameters
    ----------
    folder : Path
        Folder holding ``train-images-idx3-ubyte.gz`` and optionally the other three parts.
    name : str or None, default=None
        Dataset name; the folder name when None.
    description : str, default=""
        One line for :attr:`Dataset.description`.
    required : tuple of str, default=("train_images",)
        Parts (keys of ``PARTS``) that must be present.

    Returns
    -------
    Dataset
    """
    parts = find_parts(folder)
    missing = [_FILE_NAMES[p] for p in required if p not in parts]
    if missing:
        raise DataError(f"{folder}: missing {', '.join(missing)}")
    X, image_shape = _images(parts["train_images"])
    y = _labels(parts.get("train_labels"), len(X))
    X_test = y_test = None
    if "test_images" in parts:
        X_test, test_shape = _images(parts["test_images"])
        if test_shape != image_shape:
            raise DataError(
                f"{parts['test_images']}: images of shape {test_shape}, "
                f"training images are {image_shape}"
            )
        y_test = _labels(parts.get("test_labels"), len(X_test))
    return Dataset(
        name or folder.name,
        X,
        y,
        X_test,
        y_test,
        image_shape,
        description or f"IDX files in folder {folder.name}",
    )


def read_idx_images(path: Path) -> Dataset:
    """One IDX file of samples; the matching ``-labels-idx1-`` file beside it gives labels."""
    X, image_shape = _images(path)
    partner = path.with_name(path.name.replace("images", "labels").replace("idx3", "idx1"))
    y = _labels(partner, len(X)) if partner != path and partner.is_file() else None
    return Dataset(path.name, X, y, image_shape=image_shape, description=f"IDX file {path.name}")


def find_parts(folder: Path) -> dict[str, Path]:
    """The files of ``folder`` matching each part; an uncompressed copy wins over its ``.gz``."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    found = {}
    for part, pattern in PARTS.items():
        matches = sorted((p for p in files if pattern.search(p.name)), key=_gz_last)
        if len({p.name.lower().removesuffix(".gz") for p in matches}) > 1:
            names = ", ".join(p.name for p in matches)
            raise DataError(f"{folder}: several files could be the {_FILE_NAMES[part]}: {names}")
        if matches:
            found[part] = matches[0]
    return found


def _gz_last(path: Path) -> tuple[bool, str]:
    return path.suffix.lower() == ".gz", path.name


def _images(path: Path) -> tuple[np.ndarray, tuple[int, ...] | None]:
    arr = read_idx(path)
    if arr.ndim == 1:
        raise DataError(
            f"{path}: holds {len(arr)} labels (1-D), not samples; pass the images file or folder"
        )
    return to_features(arr, str(path))


def _labels(path: Path | None, n_samples: int) -> np.ndarray | None:
    if path is None:
        return None
    arr = read_idx(path)
    if arr.ndim != 1:
        raise DataError(f"{path}: expected labels (a 1-D IDX file), found shape {arr.shape}")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)  # uint8 class numbers would overflow in later arithmetic
    return check_labels(arr, n_samples, name=str(path))
