"""The multilayer architecture: encoder widths mirrored by the decoder, optionally tied.

Every part composes with it: corruption, sparsity, contraction, a k-sparse code, and greedy
layer-wise pretraining.
"""

from __future__ import annotations

from typing import Any

from aekit.estimators.params import Choice, Flag, Int, Param, Sizes
from aekit.estimators.parts.base import Architecture, activation_of, sizes
from aekit.estimators.parts.binarization import Binarization
from aekit.estimators.parts.contraction import Contraction
from aekit.estimators.parts.corruption import InputCorruption
from aekit.estimators.parts.greedy import GreedyPretraining
from aekit.estimators.parts.sparsity import Sparsity
from aekit.estimators.parts.top_k import TopK
from aekit.models.config import ACTIVATIONS, MLPConfig

HIDDEN_SIZES = Sizes()
HIDDEN = Param(
    "hidden",
    (256, 128),
    HIDDEN_SIZES,
    "encoder hidden widths, input side first; the decoder mirrors",
)
CODE_SIZE = Param("code_size", 32, Int(1), "width of the code (what transform returns)")
ACTIVATION = Param(
    "activation",
    "elu",
    Choice((*ACTIVATIONS, "auto")),
    "hidden-unit nonlinearity; auto: sigmoid under rbm pretraining, else elu",
)


class MLP(Architecture):
    name = "mlp"
    params = (
        HIDDEN,
        CODE_SIZE,
        ACTIVATION,
        Param(
            "code_activation",
            None,
            Choice(ACTIVATIONS),
            "nonlinearity on the code layer",
            none=True,
            none_means="a linear code",
        ),
        Param(
            "first_activation",
            None,
            Choice(ACTIVATIONS),
            "the first hidden layer's nonlinearity, where it differs (a kl-sparse layer "
            "needs sigmoid); unused without hidden layers",
            none=True,
            none_means="activation",
        ),
        Param("tied", False, Flag(), "decoder layer i uses encoder layer i's transposed weight"),
    )
    parts = (
        InputCorruption(),
        Binarization(),
        Sparsity(),
        Contraction(),
        TopK(),
        GreedyPretraining(),
    )

    def make_config(
        self, est: Any, n_features: int, likelihood: str, input_shape: tuple[int, ...] | None
    ) -> MLPConfig:
        return MLPConfig(
            **layer_fields(est, n_features, likelihood),
            tied=est.tied,
            code_activation=est.code_activation,
            first_activation=est.first_activation if sizes(est.hidden) else None,
            centred=all(part.centres_input(est) for part in self.parts),
            first_bias=next(
                (b for part in self.parts if (b := part.first_bias(est)) is not None), None
            ),
            **self.part_fields(est),
        )


def layer_fields(est: Any, n_features: int, likelihood: str) -> dict[str, Any]:
    """The config fields of a network of fully connected layers (multilayer, variational)."""
    return {
        "n_features": n_features,
        "hidden": sizes(est.hidden),
        "code_size": est.code_size,
        "activation": activation_of(est),
        "likelihood": likelihood,
    }
