"""Checks that turn user arrays into the float32 matrices the models train on.

Each check raises :class:`~aekit.errors.DataError` with one line naming what is wrong and
where (row, column, shape), instead of letting a bad value surface later as a NaN loss.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from aekit.errors import DataError

_NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float


def check_array(
    X: Any,
    *,
    name: str = "data",
    n_features: int | None = None,
    allow_images: bool = True,
) -> np.ndarray:
    """Return ``X`` as a C-contiguous float32 matrix of finite values.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, *image_shape)
        Anything ``np.asarray`` accepts: arrays, nested lists, data frames.
    name : str, default="data"
        What to call ``X`` in error messages (a variable or file name).
    n_features : int or None, default=None
        The number of features a fitted model expects; None accepts any.
    allow_images : bool, default=True
        Flatten arrays of rank 3 or more to (n_samples, prod(rest)); if False they are refused.

    Returns
    -------
    ndarray of shape (n_samples, n_features), dtype float32
        ``X`` itself when it already is a float32 C-contiguous matrix (no copy).

    Raises
    ------
    DataError
        On a wrong rank, empty data, non-numeric values, NaN or infinity, or a feature count
        different from ``n_features``.

    Examples
    --------
    >>> check_array([[0, 1], [2, 3]]).dtype
    dtype('float32')
    """
    arr = X if isinstance(X, np.ndarray) else _as_ndarray(X, name)
    if arr.dtype.kind not in _NUMERIC_KINDS:
        arr = _numeric_objects(arr, name)
    if arr.ndim < 2 or (arr.ndim > 2 and not allow_images):
        raise DataError(
            f"{name}: expected a 2-D array (n_samples, n_features), got shape {arr.shape}"
        )
    if arr.ndim > 2:
        arr = arr.reshape(arr.shape[0], -1)  # (n_samples, prod(image_shape))
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(f"{name}: empty data, shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise DataError(
            f"{name}: expected {n_features} features (as the model was trained), "
            f"found {arr.shape[1]}"
        )
    with np.errstate(over="ignore"):  # overflow to inf is reported below, with its place
        out = np.ascontiguousarray(arr, dtype=np.float32)
    _check_finite(out, arr, name)
    return out


def check_labels(y: Any, n_samples: int, name: str = "labels") -> np.ndarray:
    """Return ``y`` as a 1-D array of ``n_samples`` labels.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels (numbers or strings) or real-valued targets.
    n_samples : int
        The number of samples the labels belong to.
    name : str, default="labels"
        What to call ``y`` in error messages.

    Returns
    -------
    ndarray of shape (n_samples,)
        The labels with their dtype kept.

    Raises
    ------
    DataError
        When ``y`` is not 1-D, has the wrong length, or holds NaN / infinity.

    Examples
    --------
    >>> check_labels([0, 1, 1], 3)
    array([0, 1, 1])
    """
    arr = _as_ndarray(y, name)
    if arr.ndim != 1:
        raise DataError(f"{name}: expected a 1-D array of labels, got shape {arr.shape}")
    if arr.shape[0] != n_samples:
        raise DataError(f"{name}: expected {n_samples} labels (one per sample), found {len(arr)}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        i = int(np.argmax(~np.isfinite(arr)))
        raise DataError(f"{name}: contains {_bad_kind(arr[i])} at position {i}")
    return arr


def _as_ndarray(X: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(X)
    # ValueError: rows of different lengths; RuntimeError: a torch tensor that requires grad
    except (ValueError, TypeError, RuntimeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{name}: cannot be read as an array ({first_line})") from None


def _numeric_objects(arr: np.ndarray, name: str) -> np.ndarray:
    """Accept an object array only when every element is a real number; else name the first."""
    if arr.size == 0:
        raise DataError(f"{name}: non-numeric data (dtype {arr.dtype})")
    if arr.dtype.kind == "O":
        items = np.ndenumerate(arr)
        bad = next(((i, v) for i, v in items if not isinstance(v, numbers.Real)), None)
        if bad is None:
            try:
                return arr.astype(np.float64)
            except (OverflowError, ValueError, TypeError):
                raise DataError(f"{name}: holds numbers too large for float32") from None
    else:  # strings, bytes, dates, complex, records: the first element shows the problem
        bad = ((0,) * arr.ndim, arr.flat[0])
    index, value = bad
    where = f" at row {index[0]}, column {index[1]}" if len(index) == 2 else f" at index {index}"
    raise DataError(f"{name}: non-numeric value {_short(value)}{where} (dtype {arr.dtype})")


def _check_finite(out: np.ndarray, original: np.ndarray, name: str) -> None:
    # A float64 sum of float32 values cannot overflow, so it is finite iff every value is.
    if np.isfinite(out.sum(dtype=np.float64)):
        return
    bad = ~np.isfinite(out)
    flat_index = int(np.argmax(bad.ravel()))
    if not bad.ravel()[flat_index]:
        return
    row, column = divmod(flat_index, out.shape[1])
    source = original.reshape(out.shape)[row, column]
    if np.isfinite(source):  # finite in the input, overflowed on the way to float32
        raise DataError(
            f"{name}: value {source!r} at row {row}, column {column} is too large for float32"
        )
    raise DataError(f"{name}: contains {_bad_kind(source)} at row {row}, column {column}")


def _bad_kind(value: Any) -> str:
    return "NaN" if np.isnan(value) else "inf"


def _short(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()  # 'a', not np.str_('a')
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
