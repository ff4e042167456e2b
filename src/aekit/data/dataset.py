"""The one container every reader and named dataset returns."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aekit.errors import DataError


@dataclass
class Dataset:
    """Features (and optional labels) split into a training and an optional test part.

    Parameters
    ----------
    name : str
        Short name shown in logs: the dataset name or the file name.
    X_train : ndarray of shape (n_train, n_features)
        float32 features. Images are flattened; ``image_shape`` says how to unflatten them.
    y_train : ndarray of shape (n_train,) or None
        Labels of the training samples, if known.
    X_test : ndarray of shape (n_test, n_features) or None
        Held-out features, if the source has a fixed test split.
    y_test : ndarray of shape (n_test,) or None
        Labels of the test samples, if known.
    image_shape : tuple of int or None
        ``(h, w)`` for grayscale, ``(channels, h, w)`` for colour; None for tabular data.
    description : str
        One line about where the data came from.
    label_names : tuple of str or None
        Class names when labels were encoded from text (``y == i`` means ``label_names[i]``).
    feature_names : tuple of str or None
        Column names of a table with a header, label column excluded.
    label_column : str or int or None
        The table column the labels came from (its header name, else its 0-based index).

    Examples
    --------
    >>> import numpy as np
    >>> d = Dataset("toy", np.zeros((4, 2), np.float32), X_test=np.ones((1, 2), np.float32))
    >>> d.X_all().shape
    (5, 2)
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray | None = None
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    image_shape: tuple[int, ...] | None = None
    description: str = ""
    label_names: tuple[str, ...] | None = None
    feature_names: tuple[str, ...] | None = None
    label_column: str | int | None = None

    def __post_init__(self) -> None:
        # Readers build these, but a hand-made Dataset deserves the same guarantees.
        if self.X_train.ndim != 2:
            raise DataError(f"{self.name}: X_train must be 2-D, got shape {self.X_train.shape}")
        n_features = self.X_train.shape[1]
        if self.X_test is not None and self.X_test.shape[1] != n_features:
            raise DataError(
                f"{self.name}: test part has {self.X_test.shape[1]} features, "
                f"training part has {n_features}"
            )
        if self.image_shape is not None and math.prod(self.image_shape) != n_features:
            raise DataError(
                f"{self.name}: image_shape {self.image_shape} does not match {n_features} features"
            )
        if self.feature_names is not None and len(self.feature_names) != n_features:
            raise DataError(
                f"{self.name}: {len(self.feature_names)} feature names for {n_features} features"
            )
        parts = (("train", self.X_train, self.y_train), ("test", self.X_test, self.y_test))
        for part, X, y in parts:
            if X is not None and y is not None and len(y) != len(X):
                raise DataError(f"{self.name}: {len(y)} {part} labels for {len(X)} {part} samples")

    @property
    def n_features(self) -> int:
        """Number of features (pixels for images)."""
        return int(self.X_train.shape[1])

    def X_all(self) -> np.ndarray:
        """Training and test features stacked: ndarray of shape (n_train + n_test, n_features)."""
        if self.X_test is None:
            return self.X_train
        return np.concatenate([self.X_train, self.X_test])

    def y_all(self) -> np.ndarray | None:
        """Labels matching :meth:`X_all`, or None when some part has no labels."""
        if self.y_train is None:
            return None
        if self.X_test is None:
            return self.y_train
        if self.y_test is None:
            return None
        return np.concatenate([self.y_train, self.y_test])
