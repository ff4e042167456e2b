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
        Param(
            "clean_fraction",
            0.0,
            Number(0, 1, "left"),
            "the fraction of each training batch's rows left uncorrupted, so clean inputs "
            "are reconstructed well too (0: every row corrupted, as in Vincent et al.)",
        ),
    )

    def check(self, est: Any, architecture: Architecture) -> None:
        if est.noise is not None:
            # its own range checks, one line
            make_corruption(est.noise, est.noise_level, est.clean_fraction)

    def corruption(self, est: Any) -> Corruption | None:
        if est.noise is None:
            return None
        return make_corruption(est.noise, est.noise_level, est.clean_fraction)
