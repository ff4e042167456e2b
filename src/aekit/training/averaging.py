"""An exponential moving average of the weights: what validation sees and training returns.

At a high learning rate the weights jitter around a better point than any one step lands
on; their running average sits near that point long before the schedule has decayed the rate
(Polyak & Juditsky 1992; the EMA form as in TensorFlow's ``ExponentialMovingAverage``).
After step ``t`` the average moves towards the weights by ``1 - d_t`` with
``d_t = min(MAX_DECAY, (1 + t) / (10 + t))``: early on it follows the weights closely, then
it averages over roughly the last tenth of the steps so far, up to 1 / (1 - MAX_DECAY)
steps. Measured on the 784-1000-500-250-30 Fashion-MNIST autoencoder (batch 512, Adam 2e-3,
cosine over 50 epochs, centred input; ``benchmarks/results/ttq-schedules.md``): the averaged
weights reached a test error of 6.0 in epoch 13, the trained weights in epoch 22.

Only parameters are averaged; buffers (an input mean) are the model's own. The average is
kept in float32 on the parameters' device.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

MAX_DECAY = 0.998


class WeightAverage:
    """The running average of ``model``'s parameters, updated after every step."""

    def __init__(self, model: nn.Module) -> None:
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.average = [p.detach().float().clone() for p in self.params]
        self.steps = 0

    @torch.no_grad()
    def update(self) -> None:
        self.steps += 1
        decay = min(MAX_DECAY, (1 + self.steps) / (10 + self.steps))
        # One fused kernel for all tensors, as torch.optim.swa_utils' EMA updates them.
        torch._foreach_lerp_(self.average, [p.detach().float() for p in self.params], 1 - decay)

    @contextlib.contextmanager
    def applied(self) -> Iterator[None]:
        """The averaged weights in the model inside the block, the trained ones after it."""
        with torch.no_grad():
            kept = [p.detach().clone() for p in self.params]
            self.copy_to_model()
        try:
            yield
        finally:
            with torch.no_grad():
                for p, k in zip(self.params, kept, strict=True):
                    p.copy_(k)

    @torch.no_grad()
    def copy_to_model(self) -> None:
        for p, a in zip(self.params, self.average, strict=True):
            p.copy_(a)

    def state(self) -> dict[str, torch.Tensor]:
        """What a checkpoint keeps: the average (one tensor per parameter) and the step count."""
        found = {str(i): a for i, a in enumerate(self.average)}
        found["steps"] = torch.tensor([self.steps], dtype=torch.int64)
        return found

    def load_state(self, state: dict[str, torch.Tensor]) -> None:
        if len(state) != len(self.average) + 1 or "steps" not in state:
            raise ValueError("the checkpoint's weight average has other parameters")
        for i, a in enumerate(self.average):
            a.copy_(state[str(i)])
        self.steps = int(state["steps"][0])
