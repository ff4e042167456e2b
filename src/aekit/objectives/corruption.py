"""Input corruptions for denoising autoencoders.

A denoising autoencoder reconstructs the clean input from a corrupted copy (Vincent et al.
2008, "Extracting and composing robust features with denoising autoencoders"; Vincent et
al. 2010, "Stacked denoising autoencoders", section 4.2 names the three noises here:
masking, additive isotropic Gaussian, and salt-and-pepper).

Each factory returns ``fn(x, generator) -> x_noisy``; the noise is drawn on ``x``'s device
from ``generator``, so a seeded run is repeatable. The objective applies a corruption in
training only (see :class:`aekit.objectives.objective.Objective`).
"""

from __future__ import annotations

import torch

from aekit.errors import ConfigError
from aekit.objectives.objective import Corruption

NOISES = ("masking", "gaussian", "salt_and_pepper")


def masking(fraction: float) -> Corruption:
    """Masking noise: each entry is set to zero with probability ``fraction``."""
    fraction = _fraction("masking fraction", fraction)

    def corrupt(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        keep = torch.rand(x.shape, generator=generator, device=x.device) >= fraction
        return x * keep

    return corrupt


def gaussian(sigma: float) -> Corruption:
    """Additive isotropic Gaussian noise of standard deviation ``sigma``."""
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or sigma < 0:
        raise ConfigError(f"gaussian noise sigma must be a number >= 0, got {sigma!r}")
    sigma = float(sigma)

    def corrupt(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return x + sigma * noise

    return corrupt


def salt_and_pepper(fraction: float, low: float = 0.0, high: float = 1.0) -> Corruption:
    """Salt-and-pepper noise: a ``fraction`` of entries set to ``low`` or ``high``, half each."""
    fraction = _fraction("salt-and-pepper fraction", fraction)
    low, high = float(low), float(high)

    def corrupt(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        # One uniform draw per entry: [0, f/2) → low, [f/2, f) → high, the rest kept.
        u = torch.rand(x.shape, generator=generator, device=x.device)
        noisy = torch.where(u < fraction / 2, torch.full_like(x, low), x)
        return torch.where((u >= fraction / 2) & (u < fraction), torch.full_like(x, high), noisy)

    return corrupt


def sparing(corruption: Corruption, clean_fraction: float) -> Corruption:
    """``corruption`` applied to each row but a ``clean_fraction`` of them, drawn afresh.

    A network trained on corrupted rows only meets clean rows, the ones it encodes and
    reconstructs in use, nowhere in training: with 25 % masking its clean-input error
    more than doubles. Rows left clean teach it both inputs (the same draw per row, so a
    row is either wholly clean or wholly corrupted).
    """
    clean_fraction = _fraction("clean fraction", clean_fraction)
    if clean_fraction == 0:
        return corruption

    def corrupt(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        noisy = corruption(x, generator)
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)  # one draw per row, broadcast
        clean = torch.rand(shape, generator=generator, device=x.device) < clean_fraction
        return torch.where(clean, x, noisy)

    return corrupt


def make_corruption(noise: str, level: float, clean_fraction: float = 0.0) -> Corruption:
    """The corruption named ``noise`` at ``level`` (a fraction, or Gaussian sigma), sparing
    a ``clean_fraction`` of the rows."""
    if noise == "masking":
        corruption = masking(level)
    elif noise == "gaussian":
        corruption = gaussian(level)
    elif noise == "salt_and_pepper":
        corruption = salt_and_pepper(level)
    else:
        raise ConfigError(f"noise must be one of {', '.join(NOISES)}, got {noise!r}")
    return sparing(corruption, clean_fraction)


def _fraction(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ConfigError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)
