"""The k-sparse part: keep the k largest code units in training, α·k when encoding.

Makhzani & Frey 2014, "k-Sparse Autoencoders" (ICLR): the code layer stays linear, and in
each forward pass only its k largest activations are kept (the rest set to zero), so the
sparsity is exact rather than encouraged by a penalty; features for later use are taken
with α·k units (α ≥ 1). The selection is part of the network (:mod:`aekit.models.top_k`),
so a saved model encodes the same way after loading.
"""

from __future__ import annotations

from typing import Any

from aekit.errors import ConfigError
from aekit.estimators.params import Int, Number, Param
from aekit.estimators.parts.base import Architecture, Part


class TopK(Part):
    name = "k-sparse code"
    params = (
        Param(
            "top_k",
            None,
            Int(1),
            "k-sparse code: keep the k largest code units in training (Makhzani & Frey 2014)",
            none=True,
            none_means="a dense code",
        ),
        Param(
            "top_k_alpha",
            1.0,
            Number(1, None, "left"),
            "k-sparse code: keep round(alpha * k) units when encoding (alpha >= 1)",
        ),
    )

    def check(self, est: Any, architecture: Architecture) -> None:
        if est.top_k is not None and est.top_k > est.code_size:
            raise ConfigError(
                f"top_k={est.top_k} keeps more units than the code has (code_size={est.code_size})"
            )

    def config_fields(self, est: Any) -> dict[str, Any]:
        if est.top_k is None:
            return {}
        return {"top_k": int(est.top_k), "top_k_alpha": float(est.top_k_alpha)}
