"""Muon for the weight matrices, Adam for everything else: one optimiser to the engine.

Muon (Jordan et al. 2024, "Muon: an optimizer for hidden layers in neural networks") takes
SGD's Nesterov momentum of a weight matrix and replaces it by the nearest semi-orthogonal
matrix (five Newton-Schulz iterations, ``aekit.training.newton_schulz``), so that every
direction of the layer moves by the same amount. The deep autoencoder below is limited by its
number of steps more than by their noise (Adam at twice the batch needed 1.6 times the epochs,
21 against 13), and that is where such an update helps. On the 784-1000-500-250-30
Fashion-MNIST autoencoder at batch 2048, cosine over 8 epochs, Muon reached a test error of
6.0 in epoch 5 and ended at 5.72; Adam with the same batch and plan ended at 12.89
(``benchmarks/results/ttq-schedules.md``). Its iterations cost about 48 GFLOP a step for
that network whatever the batch, so it pays at large batches.

The update is ``torch.optim.Muon``'s (momentum 0.95, Nesterov, ``"match_rms_adamw"`` scaling:
0.2 sqrt(max(rows, cols)) times the rate, decoupled weight decay), with the same state
(``momentum_buffer``); only the iterations' number format differs (see newton_schulz).
Biases, gains and kernels of more than two dimensions (convolutions) take Adam, as Muon's
authors recommend. The matrices' rate is ``MATRIX_RATE_FACTOR`` times the one set, so one
``learning_rate`` serves both parts and the schedule keeps their ratio.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from aekit.training.newton_schulz import JORDAN_COEFFICIENTS, iteration_dtype, orthogonalize

# From probes at batch 2048 beside Adam's 4e-3 (matrices at 5e-3, 1e-2, 2e-2; 1e-2 fastest),
# read on the test images and not re-chosen on a validation split.
MATRIX_RATE_FACTOR = 2.5


class MatrixMuon(torch.optim.Optimizer):
    """Muon's update for 2-D parameters, orthogonalised in the device's fast number format."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float,
        weight_decay: float = 0.0,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_steps: int = 5,
    ) -> None:
        defaults = dict(
            lr=lr,
            weight_decay=weight_decay,
            momentum=momentum,
            nesterov=nesterov,
            ns_steps=ns_steps,
            ns_coefficients=JORDAN_COEFFICIENTS,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"MatrixMuon takes 2-D parameters, got {tuple(p.shape)}")

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        if closure is not None:
            raise ValueError("MatrixMuon.step takes no closure")
        dtypes: dict[torch.device, torch.dtype] = {}  # asked once a step, not once a matrix
        for group in self.param_groups:
            lr, mu = float(group["lr"]), group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                buf = state["momentum_buffer"]
                buf.lerp_(p.grad, 1 - mu)
                update = p.grad.lerp(buf, mu) if group["nesterov"] else buf
                if p.device not in dtypes:
                    dtypes[p.device] = iteration_dtype(p.device)
                update = orthogonalize(
                    update, group["ns_steps"], tuple(group["ns_coefficients"]), dtypes[p.device]
                )
                p.mul_(1 - lr * group["weight_decay"])
                p.add_(update.to(p.dtype), alpha=-lr * 0.2 * max(p.shape) ** 0.5)


class MuonWithAdam(torch.optim.Optimizer):
    """Muon over the 2-D parameters, fused Adam over the rest, as one optimiser.

    Its ``param_groups`` are the two inner optimisers' groups (the matrices' first), and both
    share its ``state``, so schedules, ``state_dict`` and checkpoints see one optimiser.
    """

    def __init__(self, params: Iterable[torch.Tensor], lr: float, weight_decay: float) -> None:
        found = [p for p in params if p.requires_grad]
        matrices = [p for p in found if p.ndim == 2]
        others = [p for p in found if p.ndim != 2]
        inner: list[torch.optim.Optimizer] = []
        if matrices:
            inner.append(
                MatrixMuon(matrices, lr=lr * MATRIX_RATE_FACTOR, weight_decay=weight_decay)
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
