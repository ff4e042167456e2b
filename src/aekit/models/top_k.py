"""Top-k selection of a code: the k largest units kept, the others set to zero.

Makhzani & Frey 2014, "k-Sparse Autoencoders": k units in training; ``round(alpha * k)``
units in evaluation mode (encoding), alpha >= 1. Gradients flow through the kept units only.
"""

from __future__ import annotations

import torch
from torch import nn


class TopK(nn.Module):
    def __init__(self, k: int, alpha: float = 1.0) -> None:
        super().__init__()
        self.k = int(k)
        self.k_encode = max(self.k, round(alpha * k))

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        k = self.k if self.training else self.k_encode
        if k >= code.shape[-1]:
            return code
        values, index = code.topk(k, dim=-1)  # (batch, k) each
        return torch.zeros_like(code).scatter(-1, index, values)  # (batch, code_size)
