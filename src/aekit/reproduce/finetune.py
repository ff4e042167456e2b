"""Pretrained encoders fine-tuned as classifiers and scored: what the classifier suites share.

Unsupervised pretraining, then supervised fine-tuning of the whole network with a softmax
head (:class:`aekit.PretrainedClassifier`), scored by accuracy on the validation split and
on the test images.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone

from aekit.estimators.classifier import PretrainedClassifier
from aekit.reproduce.splits import Split

# Adam moves each parameter by about its rate per step: an epoch at this rate (a few hundred
# steps at most here) moves none by more than ~1e-9, so the network stays as initialised or
# pretrained, to float32 precision. aekit members fit at least one epoch, and
# PretrainedClassifier builds on a fitted member.
VANISHING_RATE = 1e-12


@dataclass(frozen=True)
class Recipe:
    """How a classifier is fine-tuned: Adam on a cosine schedule."""

    epochs: int
    batch_size: int = 128
    learning_rate: float = 1e-3  # random-init sigmoid stacks stall at 3e-3 (measured)


@dataclass
class Scored:
    """A fine-tuned classifier and its accuracies (fractions in [0, 1])."""

    classifier: PretrainedClassifier
    seconds: float  # wall time of fine-tuning alone
    validation: float
    test: float

    @property
    def test_error(self) -> float:
        """Test error in percent, the papers' unit."""
        return 100.0 * (1.0 - self.test)


def epochs(n: int) -> str:
    """``n`` epochs in words.

    >>> epochs(1), epochs(30)
    ('1 epoch', '30 epochs')
    """
    return f"{n} epoch" + ("" if n == 1 else "s")


def fine_tune(
    encoder: Any, X: np.ndarray, y: np.ndarray, recipe: Recipe, seed: int
) -> tuple[PretrainedClassifier, float]:
    """Fine-tune a fitted ``encoder`` with a softmax head on ``(X, y)``; returns it and the
    seconds it took."""
    clf = PretrainedClassifier(
        encoder,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        learning_rate=recipe.learning_rate,
        random_state=seed,
    )
    start = time.perf_counter()
    clf.fit(X, y)
    return clf, time.perf_counter() - start


def scored(
    encoder: Any,
    split: Split,
    X_test: np.ndarray,
    y_test: np.ndarray,
    recipe: Recipe,
    seed: int,
) -> Scored:
    """Fine-tune on the split's fit rows; score on its validation rows and on the test part."""
    clf, seconds = fine_tune(encoder, split.X_fit, split.y_fit, recipe, seed)
    validation = float(clf.score(split.X_val, split.y_val))
    return Scored(clf, seconds, validation, float(clf.score(X_test, y_test)))


def untrained(member: Any, X: np.ndarray, seed: int) -> Any:
    """A fitted copy of the unfitted ``member`` whose weights are aekit's initialisation.

    One epoch (two steps) on the first 64 rows of ``X`` at :data:`VANISHING_RATE`: fitted in
    name only.
    """
    params = {"epochs": 1, "learning_rate": VANISHING_RATE, "validation_fraction": 0.0}
    return clone(member).set_params(**params, random_state=seed).fit(X[:64])
