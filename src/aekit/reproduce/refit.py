"""Choose the epoch count on validation rows, then train on every row for that many epochs.

Early stopping holds out ``validation_fraction`` of the training rows to find the epoch at
which the validation loss is lowest; the network it returns never trained on those rows.
Retraining on all of them for the chosen number of epochs, along the same planned schedule,
is the second half of the usual procedure (Goodfellow, Bengio & Courville 2016, Deep
Learning, algorithm 7.2). It pays where the network overfits, so that more rows help it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from aekit.training.callbacks import StopAfter


class RefitAtBestEpoch:
    """Fits a copy of ``estimator`` with early stopping, then a copy on every row, stopped at
    the first's best epoch. ``estimator_`` is the second; ``transform`` and ``reconstruct``
    are its own."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, X: np.ndarray) -> RefitAtBestEpoch:
        chooser = clone(self.estimator).set_params(early_stopping=True).fit(X)
        self.best_epoch_ = int(chooser.history_["best_epoch"][0])  # noted by early stopping
        self.chooser_history_ = chooser.history_
        final = clone(self.estimator).set_params(
            early_stopping=False,
            validation_fraction=0.0,
            callbacks=[*(self.estimator.callbacks or ()), StopAfter(self.best_epoch_)],
        )
        self.estimator_ = final.fit(X)
        self.history_ = self.estimator_.history_
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return self.estimator_.transform(X)

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        return self.estimator_.reconstruct(X)
