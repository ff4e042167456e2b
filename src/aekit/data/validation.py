"""Checks that turn user arrays into the float32 matrices the models train on.

Each check raises :class:`~aekit.errors.DataError` with one line naming what is wrong and
where (row, column, shape), instead of letting a bad value surface later as a NaN loss.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, NoReturn

import numpy as np

from aekit.data._files import first_line
from aekit.errors import DataError

_NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float
# The hint scikit-learn gives for 1-D input; its estimator checks look for these words.
_RESHAPE_HINT = (
    ". Reshape your data: a.reshape(-1, 1) if it is one feature, a.reshape(1, -1) if one sample"
)


class NotANumberError(DataError, TypeError):
    """A value that is no number at all (a dict, None): also a TypeError, as in scikit-learn."""


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
        expected = f"{name}: expected a 2-D array (n_samples, n_features), got shape {arr.shape}"
        raise DataError(expected + (_RESHAPE_HINT if arr.ndim == 1 else ""))
    if arr.ndim > 2:  # (n_samples, prod(image_shape)); -1 cannot be inferred for empty arrays
        arr = arr.reshape(arr.shape[0], math.prod(arr.shape[1:]))
    for axis, what in ((0, "sample"), (1, "feature")):
        if arr.shape[axis] == 0:  # worded as scikit-learn words it
            raise DataError(
                f"{name}: empty data: 0 {what}(s) (shape={arr.shape}) while a minimum of 1 "
                "is required."
            )
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
        raise DataError(f"{name}: cannot be read as an array ({first_line(exc)})") from None


def _numeric_objects(arr: np.ndarray, name: str) -> np.ndarray:
    """Accept an object array only when every element is a number; else name the first."""
    if arr.size == 0:
        raise DataError(f"{name}: non-numeric data (dtype {arr.dtype})")
    if arr.dtype.kind == "c":  # wording scikit-learn's estimator checks look for
        raise DataError(f"{name}: Complex data not supported (dtype {arr.dtype})")
    if arr.dtype.kind != "O":  # strings, bytes, dates, records: the first element shows it
        _refuse(name, (0,) * arr.ndim, arr.flat[0], f"dtype {arr.dtype}")
    for index, value in np.ndenumerate(arr):
        if isinstance(value, numbers.Real):
            continue
        if isinstance(value, (str, bytes)):
            _refuse(name, index, value, "dtype object")
        try:
            float(value)  # e.g. Decimal is a number without being numbers.Real
        except TypeError as exc:  # a dict, None...: not a number at all
            _refuse(name, index, value, first_line(exc), NotANumberError)
        except (ValueError, OverflowError) as exc:
            _refuse(name, index, value, first_line(exc))
    return arr.astype(np.float64)


def _refuse(
    name: str, index: tuple[int, ...], value: Any, why: str, error: type[DataError] = DataError
) -> NoReturn:
    where = f"row {index[0]}, column {index[1]}" if len(index) == 2 else f"index {index}"
    raise error(f"{name}: non-numeric value {_short(value)} at {where} ({why})")


def _check_finite(out: np.ndarray, original: np.ndarray, name: str) -> None:
    # A float64 sum of float32 values cannot overflow, so it is finite iff every value is.
    with np.errstate(invalid="ignore"):  # inf + -inf: NaN, a finding, not a warning
        total = out.sum(dtype=np.float64)
    if np.isfinite(total):
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
