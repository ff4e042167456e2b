"""Softmax cross-entropy for fine-tuning a pretrained encoder on labels.

The training engine batches rows of one matrix, so a labelled batch carries each sample's
class index (0 … n_classes − 1, exact in float32 below 2**24) as its last column.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from aekit.models.output import ModelOutput
from aekit.objectives.objective import LossOutput


class CrossEntropyObjective:
    """Mean softmax cross-entropy of the model's logits; logs the batch accuracy beside it."""

    graph_safe = True  # no random numbers: a CUDA graph can replay the step

    def __call__(
        self,
        model: nn.Module,
        xy: torch.Tensor,
        *,
        train: bool = True,
        generator: torch.Generator | None = None,
    ) -> LossOutput:
        x, target = xy[:, :-1], xy[:, -1].long()  # (batch, n_features), (batch,)
        out: ModelOutput = model(x)
        logits = out.output.float()  # (batch, n_classes); the loss in float32 under autocast
        loss = F.cross_entropy(logits, target)
        accuracy = (logits.argmax(dim=1) == target).float().mean()
        return LossOutput(
            loss=loss, terms={"cross_entropy": loss, "accuracy": accuracy}, forward=out
        )
