"""``read_path``: one entry point for every file or folder format aekit reads.

The reader is chosen from the suffix (folders from their content). Each reader returns a
:class:`~aekit.data.dataset.Dataset` of float32 features; images come flattened, scaled to
[0, 1] when stored as 8-bit pixels, with ``image_shape`` set.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from aekit.data.arrays import read_npy, read_npz
from aekit.data.dataset import Dataset
from aekit.data.idx import is_idx_name, read_idx
from aekit.data.idx_folder import has_idx_files, read_idx_folder, read_idx_images
from aekit.data.images import read_image_folder
from aekit.data.tabular import read_delimited
from aekit.errors import DataError

__all__ = ["SUPPORTED_FORMATS", "read_idx", "read_path"]

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
_ARRAY_READERS: dict[str, Callable[[Path], Dataset]] = {".npy": read_npy, ".npz": read_npz}
SUPPORTED_FORMATS = (
    ".npy, .npz, .csv, .tsv, .txt, IDX (.idx, *-idx3-ubyte, optionally .gz), "
    "a folder of images, or a folder of MNIST-style IDX files"
)


def read_path(path: str | os.PathLike, *, label_column: str | int | None = None) -> Dataset:
    """Read a data file or folder into a :class:`Dataset`.

    Parameters
    ----------
    path : str or path-like
        ``.npy``, ``.npz``, ``.csv`` / ``.tsv`` / ``.txt``, an IDX file (``.idx``,
        ``*-idx3-ubyte``, either maybe ``.gz``), a folder of images (subfolders = classes),
        or a folder of MNIST-style IDX files.
    label_column : str or int or None, default=None
        Tables only: the column (header name or 0-based index) holding labels; it is removed
        from the features. Text labels are encoded as 0..k-1 (see ``Dataset.label_names``).

    Returns
    -------
    Dataset
        float32 features in ``X_train``; ``X_test`` only where the source has a test split.

    Raises
    ------
    DataError
        When the path is missing, the format unknown, or the content unreadable or invalid.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> np.savetxt(os.path.join(folder, "x.csv"), np.eye(3), delimiter=",", header="a,b,c",
    ...            comments="")
    >>> read_path(os.path.join(folder, "x.csv")).X_train.shape
    (3, 3)
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    suffix = p.suffix.lower()
    if not p.is_dir() and suffix in TABLE_SUFFIXES:
        return read_delimited(p, label_column=label_column)
    if label_column is not None:
        raise DataError(f"{p}: label_column applies only to .csv, .tsv and .txt tables")
    if p.is_dir():
        return read_idx_folder(p) if has_idx_files(p) else read_image_folder(p)
    if suffix in _ARRAY_READERS:
        return _ARRAY_READERS[suffix](p)
    if is_idx_name(p.name):
        return read_idx_images(p)
    what = repr(suffix) if suffix else "(no suffix)"
    raise DataError(f"{p}: unsupported format {what}; supported: {SUPPORTED_FORMATS}")
