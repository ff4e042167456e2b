"""Turning a raw array read from a file into model features."""

from __future__ import annotations

import numpy as np

from aekit.data.validation import check_array


def to_features(arr: np.ndarray, name: str) -> tuple[np.ndarray, tuple[int, ...] | None]:
    """Flatten a stack of images and scale 8-bit pixels to [0, 1]; keep tables as they are.

    Parameters
    ----------
    arr : ndarray of shape (n_samples, n_features) or (n_samples, *image_shape)
        Rank 3 is read as (n, h, w), rank 4 as (n, channels, h, w), as stored.
    name : str
        The file name, for error messages.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), dtype float32
    image_shape : tuple of int or None
        ``arr.shape[1:]`` for images, None for a table.
    """
    if arr.ndim < 3:
        return check_array(arr, name=name, allow_images=False), None
    image_shape = tuple(int(d) for d in arr.shape[1:])
    X = check_array(arr, name=name)
    if arr.dtype == np.uint8:
        X /= 255.0  # X is a fresh float32 copy of the uint8 pixels, safe to scale in place
    return X, image_shape
