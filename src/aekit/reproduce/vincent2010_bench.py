"""The runs of the vincent2010 suite on one data set, each done once and shared by sections.

Pretraining sees the training images only, without labels: one stack per noise level,
pretrained on all of them, serves the noise selection, the full-label comparison and every
label regime and seed. Labels of the validation rows are read only to choose the noise; the
test images only to report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aekit.data.dataset import Dataset
from aekit.errors import DataError
from aekit.reproduce import stored
from aekit.reproduce import vincent2010_recipes as recipes
from aekit.reproduce.finetune import Scored, fine_tune, scored, untrained
from aekit.reproduce.splits import Split, best, carve, labelled


@dataclass
class Bench:
    """One data set's images, splits and the runs made on them so far."""

    title: str
    budget: recipes.Budget
    seed: int
    X_pretrain: np.ndarray  # every training image, no labels
    split: Split
    X_test: np.ndarray
    y_test: np.ndarray
    stacks: dict[float | None, tuple[Any, float]] = field(default_factory=dict)
    runs: dict[Any, Scored] = field(default_factory=dict)

    @classmethod
    def of(cls, data: Dataset, budget: recipes.Budget, seed: int) -> Bench:
        X_train, X_test = stored.parts(data)
        if data.y_train is None or data.y_test is None:
            raise DataError(f"{data.name} has no labels to fine-tune on")
        X_train, y_train = labelled(X_train, data.y_train, budget.train_images, seed)
        X_test, y_test = labelled(X_test, data.y_test, budget.test_images, seed)
        split = carve(X_train, y_train, budget.validation, seed)
        title = stored.TITLES.get(data.name, data.name)
        return cls(title, budget, seed, X_train, split, X_test, y_test)

    def stack(self, level: float | None) -> tuple[Any, float]:
        """The stack pretrained at masking ``level`` (None: no noise) and its seconds."""
        if level not in self.stacks:
            est = recipes.stack(level, self.budget, self.seed)
            start = time.perf_counter()
            est.fit(self.X_pretrain)
            self.stacks[level] = (est, time.perf_counter() - start)
        return self.stacks[level]

    def full(self, level: float | None | str) -> Scored:
        """Fine-tuned on the fit rows: a stack (its masking level) or "random" init."""
        if level not in self.runs:
            encoder = self._random(self.seed) if isinstance(level, str) else self.stack(level)[0]
            recipe = self.budget.fine_tune
            self.runs[level] = scored(
                encoder, self.split, self.X_test, self.y_test, recipe, self.seed
            )
        return self.runs[level]

    def chosen(self) -> float:
        """The masking level of the best validation accuracy."""
        return best({v: self.full(v).validation for v in recipes.NOISE_GRID})

    def few(self, n: int, seed: int, pretrained: bool) -> float:
        """Test accuracy after fine-tuning on ``n`` labels drawn with ``seed``."""
        X, y = labelled(self.split.X_fit, self.split.y_fit, n, seed)
        encoder = self.stack(self.chosen())[0] if pretrained else self._random(seed)
        clf, _ = fine_tune(encoder, X, y, self.budget.few[n], seed)
        return float(clf.score(self.X_test, self.y_test))

    def _random(self, seed: int) -> Any:
        return untrained(recipes.network(self.budget, seed), self.X_pretrain, seed)
