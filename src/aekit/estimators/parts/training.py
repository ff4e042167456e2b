"""Parameters every member shares: how the data are read (loss, scale) and trained."""

from __future__ import annotations

from typing import Any

import numpy as np

from aekit.data.scaling import SCALES
from aekit.estimators.params import Choice, Flag, Int, Number, Objects, Param, Text
from aekit.estimators.parts.base import Part
from aekit.training.settings import OPTIMIZERS, PRECISIONS, SCHEDULES, TrainSettings

LOSSES = ("auto", "gaussian", "bernoulli")


class Data(Part):
    name = "data"
    params = (
        Param(
            "loss",
            "auto",
            Choice(LOSSES),
            "reconstruction likelihood; auto: bernoulli (logistic output, cross-entropy) for "
            "scaled data in [0, 1], else gaussian (identity output, squared error)",
        ),
        Param(
            "scale",
            "auto",
            Choice(("auto", *SCALES)),
            "preprocessing fitted on the training data and kept with the model; auto: data in "
            "[0, 1] are kept, other data standardised",
        ),
    )


class Training(Part):
    """The engine's settings (:class:`aekit.training.settings.TrainSettings`)."""

    name = "training"
    params = (
        Param("epochs", 50, Int(1), "passes over the training data"),
        Param(
            "batch_size",
            "auto",
            Int(1),
            "rows per step; auto: n/100 rounded down to a power of two within 32..512",
            words=("auto",),
        ),
        Param("optimizer", "adam", Choice(OPTIMIZERS), "the optimiser"),
        Param(
            "learning_rate",
            "auto",
            Number(0, None, "neither"),
            "step size; auto: 1e-3, times sqrt(batch / 128) above batch 128 (linear for sgd)",
            words=("auto",),
            aliases=("--lr",),
        ),
        Param("momentum", 0.9, Number(0, 1, "left"), "momentum of sgd and rmsprop"),
        Param("weight_decay", 0.0, Number(0, None, "left"), "L2 weight decay"),
        Param(
            "lr_schedule",
            "cosine",
            Choice(SCHEDULES),
            "learning-rate schedule over the run; step halves it every quarter",
        ),
        Param(
            "validation_fraction",
            0.1,
            Number(0, 1, "left"),
            "share of the rows held out for validation losses (and early stopping)",
        ),
        Param(
            "early_stopping",
            False,
            Flag(),
            "stop when the validation loss has not improved for patience epochs; keep the best",
        ),
        Param("patience", 10, Int(1), "epochs without improvement before early stopping"),
        Param(
            "average_weights",
            True,
            Flag(),
            "validate, stop early on and keep a moving average of the weights over the last "
            "tenth or so of the steps, rather than the last step's weights",
        ),
        Param("device", "auto", Text(), "auto (CUDA when present, else CPU), cpu, cuda, cuda:N"),
        Param(
            "precision",
            "auto",
            Choice(PRECISIONS),
            "number format; auto: bf16 where the hardware computes it natively",
        ),
        Param(
            "random_state",
            None,
            Int(0),
            "seed of initialisation, batch order, noise and validation split",
            none=True,
            none_means="a fresh seed",
            flag="--seed",
            aliases=("--random-state",),
            extra=(np.random.RandomState,),
        ),
        Param("verbose", 0, Int(0), "a progress bar on a terminal when > 0", cli=False),
        Param(
            "callbacks",
            None,
            Objects(),
            "objects with on_epoch_end(epoch, logs); returning True stops training",
            none=True,
            cli=False,
        ),
    )


SETTING_NAMES = tuple(
    p.name for p in Training.params if p.name not in ("random_state", "callbacks")
)


def settings_of(est: Any) -> TrainSettings:
    """The engine settings an estimator's parameters ask for."""
    return TrainSettings(**{name: getattr(est, name) for name in SETTING_NAMES})
