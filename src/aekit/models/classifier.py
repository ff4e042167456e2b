"""A pretrained encoder with a linear softmax head (Hinton & Salakhutdinov 2006; Bengio et al.
2007, "Greedy layer-wise training of deep networks": pretrain unsupervised, then fine-tune).
"""

from __future__ import annotations

from typing import cast

import torch
from torch import nn

from aekit.models.output import ModelOutput
from aekit.models.protocols import Encoder


class EncoderClassifier(nn.Module):
    """Logits = head((encoder.encode(x) − code_mean) / code_scale).

    ``encoder`` is any autoencoder module with ``encode`` (its decoder, unused, comes along);
    None makes the head alone, for inputs that already are codes. ``head`` maps a code to
    one logit per class: ``nn.Linear(code_size, n_classes)``. The codes are standardised
    with fixed statistics of the training codes (buffers, not trained), so one learning rate
    suits every encoder, whatever the scale of its codes.
    """

    code_mean: torch.Tensor  # buffers, registered in __init__
    code_scale: torch.Tensor

    def __init__(
        self,
        encoder: nn.Module | None,
        head: nn.Linear,
        code_mean: torch.Tensor,
        code_scale: torch.Tensor,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.register_buffer("code_mean", code_mean)  # (code_size,)
        self.register_buffer("code_scale", code_scale)  # (code_size,)

    def forward(self, x: torch.Tensor) -> ModelOutput:
        encoder = cast("Encoder | None", self.encoder)
        code = x if encoder is None else encoder.encode(x)  # (batch, code_size)
        logits = self.head((code - self.code_mean) / self.code_scale)  # (batch, n_classes)
        return ModelOutput(code=code, output=logits)
