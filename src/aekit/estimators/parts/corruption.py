"""The input-corruption part: train to reconstruct the clean input from a corrupted copy.

Vincent et al. 2008, "Extracting and composing robust features with denoising
autoencoders"; the noises of Vincent et al. 2010 (:mod:`aekit.objectives.corruption`, the one
implementation every member and greedy pretraining use).
"""

from __future__ import annotations

from typing import Any

from aekit.estimators.params import Choice, Number, Param
from aekit.estimators.parts.base import Architecture, Part
from aekit.objectives.corruption import NOISES, make_corruption
from aekit.objectives.objective import Corruption


class InputCorruption(Part):
    name = "corruption"
    params = (
        Param(
            "noise",
            None,
            Choice(NOISES),
            "corrupt each training batch and reconstruct the clean one (masking zeroes a "
            "fraction, gaussian adds noise, salt_and_pepper sets a fraction to 0 or 1); with "
            "pretraining, only while each layer is pretrained",
            none=True,
            none_means="no corruption",
        ),
        Param(
            "noise_level",
            0.25,
            Number(0, None, "left"),
            "the fraction corrupted, or the gaussian sigma (in scaled units)",
        ),
    )

    def check(self, est: Any, architecture: Architecture) -> None:
        if est.noise is not None:
            make_corruption(est.noise, est.noise_level)  # its own range checks, one line

    def corruption(self, est: Any) -> Corruption | None:
        return None if est.noise is None else make_corruption(est.noise, est.noise_level)
