"""The contraction part: λ‖J_f(x)‖²_F, the encoder Jacobian's squared Frobenius norm.

Rifai, Vincent, Muller, Glorot & Bengio 2011, "Contractive auto-encoders: explicit
invariance during feature extraction". A one-layer sigmoid encoder gets the closed form,
any other encoder (deeper, convolutional, variational) the exact Jacobian by autograd;
see :mod:`aekit.objectives.penalties`.
"""

from __future__ import annotations

from typing import Any

from aekit.estimators.params import Number, Param
from aekit.estimators.parts.base import Part
from aekit.objectives.objective import Penalty
from aekit.objectives.penalties import contractive


class Contraction(Part):
    name = "contraction"
    params = (
        Param(
            "contraction_weight",
            0.0,
            Number(0, None, "left"),
            "lambda, the weight of the encoder-Jacobian penalty (0: none)",
        ),
    )

    def penalties(self, est: Any) -> list[tuple[str, Penalty]]:
        if not est.contraction_weight:
            return []
        return [("contractive", contractive(est.contraction_weight))]
