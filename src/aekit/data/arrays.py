"""NumPy ``.npy`` and ``.npz`` files, read without ever unpickling.

Pickled object arrays can run arbitrary code when loaded, so they are refused after
reading only the header, before ``np.load`` sees the data.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from pathlib import Path
from tokenize import TokenError
from typing import IO, Literal

import numpy as np

from aekit.data._convert import to_features
from aekit.data._files import claim_mismatch, first_line, read_at_most
from aekit.data.dataset import Dataset
from aekit.data.validation import check_labels
from aekit.errors import DataError

# Array names looked up in an .npz, first match wins.
X_KEYS = ("X", "x", "data", "features", "X_train", "x_train")
Y_KEYS = ("y", "labels", "target", "y_train")
X_TEST_KEYS = ("X_test", "x_test")
Y_TEST_KEYS = ("y_test", "labels_test", "target_test")

_PICKLE_OPCODE = 0x80  # first byte of a pickle (protocol 2 and later)
_MAX_CLAIM = 2**62  # bytes: beyond any real file, and within NumPy's int64 arithmetic


def read_npy(path: Path) -> Dataset:
    """One array: a table (n_samples, n_features) or a stack of images (n_samples, h, w)."""
    arr = _load_npy(path)
    X, image_shape = to_features(arr, str(path))
    if np.may_share_memory(X, arr):  # no conversion happened: copy out of the memory map
        X = X.copy()
    return Dataset(path.name, X, image_shape=image_shape, description=f"array file {path.name}")


def read_npz(path: Path) -> Dataset:
    """Named arrays: features under ``X`` (or ``data``), labels under ``y``, maybe a test split."""
    arrays = _load_npz(path)
    x_key = _pick(arrays, X_KEYS) or _only_array(arrays, path)
    X, image_shape = to_features(arrays[x_key], f"{path}[{x_key}]")
    y = _labels(arrays, Y_KEYS, len(X), path)
    X_test = y_test = None
    test_key = _pick(arrays, X_TEST_KEYS)
    if test_key is not None:
        X_test, test_shape = to_features(arrays[test_key], f"{path}[{test_key}]")
        if test_shape != image_shape or X_test.shape[1] != X.shape[1]:
            raise DataError(
                f"{path}: {test_key} has samples of shape {arrays[test_key].shape[1:]}, "
                f"{x_key} has {arrays[x_key].shape[1:]}"
            )
        y_test = _labels(arrays, Y_TEST_KEYS, len(X_test), path)
    return Dataset(
        path.name, X, y, X_test, y_test, image_shape, description=f"array file {path.name}"
    )


def _load_npy(path: Path) -> np.ndarray:
    try:
        with open(path, "rb") as fh:
            header = _read_header(fh, path)
            _check_size(header, path, os.fstat(fh.fileno()).st_size - fh.tell())
        # Memory-map so that a float64 file is not held twice while converting to float32.
        mmap_mode: Literal["r"] | None = None if 0 in header[0] else "r"  # empty: cannot map
        return np.load(path, mmap_mode=mmap_mode, allow_pickle=False)
    except DataError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"{path}: not a valid .npy file ({first_line(exc)})") from None


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    arrays = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith(".npy"):
                    key = info.filename[: -len(".npy")]
                    with zf.open(info) as member:
                        arrays[key] = _read_member(member, Path(f"{path}[{key}]"))
    except DataError:
        raise
    except zipfile.BadZipFile as exc:
        raise DataError(f"{path}: not a valid .npz file ({first_line(exc)})") from None
    # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method
    except (OSError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise DataError(f"{path}: not a valid .npz file ({first_line(exc)})") from None
    if not arrays:
        raise DataError(f"{path}: holds no arrays")
    return arrays


def _read_member(fh: IO[bytes], path: Path) -> np.ndarray:
    """One array of an .npz, read as bytes first so a lying header cannot over-allocate."""
    shape, fortran_order, dtype = header = _read_header(fh, path)
    claimed = math.prod(shape) * dtype.itemsize
    buf = read_at_most(fh, claimed)
    _check_size(header, path, len(buf))
    flat = np.frombuffer(buf, dtype=dtype)
    if fortran_order:
        return flat.reshape(shape[::-1]).T
    return flat.reshape(shape)


def _read_header(fh: IO[bytes], path: Path) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Read an .npy header (shape, fortran_order, dtype), refusing pickled objects."""
    try:
        version = np.lib.format.read_magic(fh)
    except ValueError:
        fh.seek(0)
        if fh.read(1) == bytes([_PICKLE_OPCODE]):
            raise DataError(f"{path}: holds a Python pickle, refused") from None
        raise DataError(f"{path}: not a .npy file (bad magic string)") from None
    # 2.0 and 3.0 share the layout; 3.0 only allows UTF-8 field names
    fmt = np.lib.format
    read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    try:
        shape, fortran_order, dtype = read(fh)
    # The header is a Python dict literal, parsed with tokenize and ast: each can fail its way.
    except (ValueError, SyntaxError, TypeError, KeyError, TokenError, RecursionError) as exc:
        raise DataError(f"{path}: not a valid .npy file (bad header: {first_line(exc)})") from None
    if dtype.hasobject:
        raise DataError(f"{path}: holds Python objects (pickle), refused")
    # Sizes NumPy's int64 arithmetic cannot hold (even beside a zero dimension): no file has them.
    nonzero = math.prod(d for d in shape if d) * max(dtype.itemsize, 1)
    if any(d > _MAX_CLAIM for d in shape) or nonzero > _MAX_CLAIM:
        raise DataError(claim_mismatch(path, shape, dtype.itemsize, "far less"))
    return shape, fortran_order, dtype


def _check_size(header: tuple[tuple[int, ...], bool, np.dtype], path: Path, found: int) -> None:
    shape, _, dtype = header
    if found < math.prod(shape) * dtype.itemsize:
        raise DataError(claim_mismatch(path, shape, dtype.itemsize, found))


def _pick(arrays: dict[str, np.ndarray], keys: tuple[str, ...]) -> str | None:
    return next((k for k in keys if k in arrays), None)


def _only_array(arrays: dict[str, np.ndarray], path: Path) -> str:
    known = set(Y_KEYS + X_TEST_KEYS + Y_TEST_KEYS)
    candidates = [k for k in arrays if k not in known]
    if len(candidates) != 1:
        found = ", ".join(repr(k) for k in arrays)
        raise DataError(
            f"{path}: cannot tell which array holds the data; name it 'X' (found {found})"
        )
    return candidates[0]


def _labels(
    arrays: dict[str, np.ndarray], keys: tuple[str, ...], n: int, path: Path
) -> np.ndarray | None:
    key = _pick(arrays, keys)
    return None if key is None else check_labels(arrays[key], n, name=f"{path}[{key}]")
