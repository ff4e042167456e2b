"""The binarisation part: train on a fresh Bernoulli draw of each image every epoch.

Dynamic binarisation (Burda et al. 2016, "Importance Weighted Autoencoders"): values in
[0, 1] are read as the probabilities of binary pixels, and each training batch is replaced,
input and target, by a new draw of them (:mod:`aekit.objectives.binarization`). Validation
losses stay on the values themselves: for a Bernoulli likelihood the cross-entropy against a
value is the expected cross-entropy against its draws.
"""

from __future__ import annotations

from typing import Any

from aekit.errors import ConfigError
from aekit.estimators.params import Choice, Param
from aekit.estimators.parts.base import Architecture, Part
from aekit.objectives.binarization import dynamic_binarization
from aekit.objectives.likelihood import Likelihood
from aekit.objectives.objective import Resample


class Binarization(Part):
    name = "binarization"
    params = (
        Param(
            "binarize",
            None,
            Choice(("dynamic",)),
            "dynamic: train on a fresh Bernoulli draw of each batch (values in [0, 1] read as "
            "pixel probabilities; needs the bernoulli loss)",
            none=True,
            none_means="the values as they are",
        ),
    )

    def check(self, est: Any, architecture: Architecture) -> None:
        if est.binarize is None:
            return
        if est.loss == "gaussian":
            raise ConfigError(f"binarize={est.binarize!r} needs loss 'bernoulli' (or 'auto')")
        if getattr(est, "pretraining", None) is not None:
            raise ConfigError(
                f"binarize={est.binarize!r} is not defined with greedy pretraining "
                f"(pretraining={est.pretraining!r}): its layers would see the values undrawn"
            )

    def resample(self, est: Any, likelihood: Likelihood) -> Resample | None:
        if est.binarize is None:
            return None
        if likelihood.name != "bernoulli":  # loss="auto" chose gaussian: data outside [0, 1]
            raise ConfigError(
                f"binarize={est.binarize!r} needs data in [0, 1] and the bernoulli loss; "
                f"the data gave {likelihood.name!r}"
            )
        return dynamic_binarization()
