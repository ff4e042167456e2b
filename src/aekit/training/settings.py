"""Settings of the training engine, independent of any model."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

from aekit.errors import ConfigError, check_choice

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "muon")  # muon: aekit.training.muon
SCHEDULES = ("constant", "cosine", "step")
PRECISIONS = ("auto", "float32", "tf32", "bf16")


@dataclass
class TrainSettings:
    epochs: int = 50
    batch_size: int | Literal["auto"] = "auto"  # see batch_size_for
    optimizer: str = "adam"
    learning_rate: float | Literal["auto"] = "auto"  # see learning_rate_for
    momentum: float = 0.9  # SGD and RMSProp only
    weight_decay: float = 0.0
    lr_schedule: str = "cosine"  # "step" halves the rate every quarter of the epochs
    validation_fraction: float = 0.1
    early_stopping: bool = False  # stop when validation loss stops improving
    patience: int = 10  # epochs without improvement before early stopping
    device: str = "auto"  # "auto": CUDA when present, else CPU
    precision: str = "auto"  # "auto": bf16 where the hardware computes it natively
    cuda_graphs: bool | None = None  # None: capture the step on CUDA when it pays
    clip_grad_norm: float | None = None  # rescale gradients whose global norm exceeds this
    # Validate, stop early on and return a moving average of the weights
    # (aekit.training.averaging), not the last step's.
    average_weights: bool = True
    verbose: int = 0
    # None: data in memory. A number: memory-mapped data whose float32 copy would exceed
    # this many MiB stream from disk in chunks of this size (aekit.training.streaming).
    memory_budget_mb: float | None = None

    def validate(self) -> None:
        _int_at_least("epochs", self.epochs, 1)
        if self.batch_size != "auto":
            _int_at_least("batch_size", self.batch_size, 1, alternative="'auto'")
        _int_at_least("patience", self.patience, 1)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("lr_schedule", self.lr_schedule, SCHEDULES)
        check_choice("precision", self.precision, PRECISIONS)
        rate = self.learning_rate
        if rate != "auto" and not (
            isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate > 0
        ):
            raise ConfigError(f"learning_rate must be a positive number or 'auto', got {rate!r}")
        if not (isinstance(self.weight_decay, (int, float)) and self.weight_decay >= 0):
            raise ConfigError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if not (isinstance(self.momentum, (int, float)) and 0 <= self.momentum < 1):
            raise ConfigError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if not isinstance(self.average_weights, bool):
            raise ConfigError(
                f"average_weights must be True or False, got {self.average_weights!r}"
            )
        clip = self.clip_grad_norm
        if clip is not None and not (isinstance(clip, (int, float)) and clip > 0):
            raise ConfigError(f"clip_grad_norm must be a positive number or None, got {clip!r}")
        budget = self.memory_budget_mb
        if budget is not None and not (
            isinstance(budget, (int, float)) and not isinstance(budget, bool) and budget > 0
        ):
            raise ConfigError(f"memory_budget_mb must be a positive number or None, got {budget!r}")
        vf = self.validation_fraction
        if not (isinstance(vf, (int, float)) and 0 <= vf < 1):
            raise ConfigError(f"validation_fraction must be in [0, 1), got {vf!r}")
        if self.early_stopping and vf == 0:
            raise ConfigError(
                "early_stopping needs a validation split: set validation_fraction > 0"
            )


AUTO_BATCH_MIN, AUTO_BATCH_MAX = 32, 512
BASE_BATCH, BASE_RATE = 128, 1e-3  # the rate "auto" gives up to this batch size


def batch_size_for(settings: TrainSettings, n_rows: int) -> int:
    """The batch size to train ``n_rows`` rows with.

    "auto": the power of two nearest below n_rows / 100 (100 to 200 steps per epoch), kept
    within 32..512. Large data get batches big enough to keep a CPU's bf16 units or a GPU
    busy (samples/s grow ~2.3x from 128 to 512 on a 2-core AMX CPU), small data get the many
    updates per epoch they need (benchmarks/results/throughput-cpu.md).
    """
    n_rows = max(1, n_rows)
    if settings.batch_size != "auto":
        return min(int(settings.batch_size), n_rows)
    nearest_below = 2 ** max(0, math.floor(math.log2(max(1.0, n_rows / 100))))
    return min(n_rows, max(AUTO_BATCH_MIN, min(AUTO_BATCH_MAX, nearest_below)))


def learning_rate_for(settings: TrainSettings, batch_size: int) -> float:
    """The learning rate to train with at ``batch_size``.

    "auto": 1e-3 (Adam's usual rate) up to batch 128, raised above it with the batch size:
    by its square root for Adam, AdamW, RMSProp and Muon (Malladi et al. 2022, "On the SDEs and
    scaling rules for adaptive gradient algorithms"), linearly for SGD (Goyal et al. 2017,
    "Accurate, large minibatch SGD"). At 512 Adam gets 2e-3: on the Fashion-MNIST autoencoder
    (then He-initialised) it reached the test error target of 6.0 in epoch 45 of 50, where
    1e-3 ended at 6.23.
    """
    if settings.learning_rate != "auto":
        return float(settings.learning_rate)
    ratio = max(1.0, batch_size / BASE_BATCH)
    return BASE_RATE * (ratio if settings.optimizer == "sgd" else math.sqrt(ratio))


LAYER_RATE_FACTOR = 4  # one layer pretrained alone takes larger steps than the deep network


def pretraining_rate_for(settings: TrainSettings, batch_size: int) -> float:
    """The "auto" learning rate of greedy pretraining: 4x the fine-tuning "auto" rate.

    A one-hidden-layer autoencoder or RBM has no deep gradient path to keep stable, and
    at the fine-tuning rate it is far from trained after a few epochs. Measured on
    Fashion-MNIST, 784-1000-500-250-30, 3 pretraining epochs per layer and 20 fine-tuning
    epochs at batch 512, test error per image, fine-tuning rate 2e-3 (auto) throughout:

    - autoencoder layers: 10.30 pretrained at 2e-3, 8.74 at 4e-3, 7.83 at 8e-3;
    - denoising layers: 10.71 at 2e-3, 8.38 at 8e-3;
    - RBM layers: 13.72 at 2e-3, 11.23 at 8e-3.
    """
    return LAYER_RATE_FACTOR * learning_rate_for(
        dataclasses.replace(settings, learning_rate="auto"), batch_size
    )


def _int_at_least(name: str, value: object, low: int, alternative: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        other = f" or {alternative}" if alternative else ""
        raise ConfigError(f"{name} must be an integer >= {low}{other}, got {value!r}")
