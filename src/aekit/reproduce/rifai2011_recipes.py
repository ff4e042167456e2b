"""The six feature extractors of Rifai et al. (2011) as aekit estimators, and a run's sizes.

One hidden layer of 1,000 sigmoid units on 784 pixels, pretrained without labels as: a
plain autoencoder (AE), one with weight decay (AE+wd), a denoising autoencoder with masking
noise (DAE-b) or Gaussian noise (DAE-g), a contractive autoencoder (CAE), and an RBM; then
fine-tuned with a softmax head. Each regulariser's strength is chosen on a validation split
from a small grid (``GRIDS``): each grid spans from where the term first changes the
features to where it clearly costs reconstruction, as measured on 6,000 Fashion-MNIST images
(weight decay 1e-3 and λ 0.01 changed ‖J_f‖_F by under 2 %; weight decay 0.1 and λ 1 raised
the reconstruction loss by 5–7 %).

The autoencoders have tied weights and train on cross-entropy with Adam at 4e-3 on a cosine
schedule, batch 128 (aekit's rate for one pretrained layer); ``weight_decay`` is Adam's
coupled L2 term, biases included. The RBM trains by CD-1 at aekit's defaults for it (SGD at
0.05, momentum 0.9, batch 100, as Hinton & Salakhutdinov 2006).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aekit.estimators.autoencoder import Autoencoder
from aekit.estimators.parts.mlp import MLP
from aekit.estimators.rbm import RBM
from aekit.reproduce.finetune import Recipe

UNITS = 1000

# Test error in percent on MNIST, Rifai et al. 2011, Table 1.
PUBLISHED_MNIST = {
    "AE": 1.78,
    "AE+wd": 1.68,
    "DAE-b": 1.57,
    "DAE-g": 1.18,
    "CAE": 1.14,
    "RBM": 1.30,
}

# model -> setting shown -> the parameters it sets; the first of a tie is kept.
GRIDS: dict[str, dict[str, dict[str, Any]]] = {
    "AE": {"none": {}},
    "AE+wd": {f"weight decay {w:g}": {"weight_decay": w} for w in (0.01, 0.03, 0.1)},
    "DAE-b": {
        f"masking {v:.2f}": {"noise": "masking", "noise_level": v} for v in (0.10, 0.25, 0.40)
    },
    "DAE-g": {
        f"gaussian σ {s:g}": {"noise": "gaussian", "noise_level": s} for s in (0.1, 0.3, 0.5)
    },
    "CAE": {f"λ {c:g}": {"contraction_weight": c} for c in (0.1, 0.3, 1.0)},
    "RBM": {"CD-1": {}},
}


class _Overcomplete(MLP):
    """The multilayer architecture without its width guard.

    aekit refuses a code as wide as the input, which a plain autoencoder could learn to
    copy; the paper's layer is over-complete (1,000 units on 784 pixels) for every model,
    so its reproduction lifts the guard for its own networks only.
    """

    def check_width(self, est: Any, n_features: int) -> None:
        pass


class OvercompleteAutoencoder(Autoencoder, architecture=_Overcomplete()):
    """:class:`aekit.Autoencoder` that may have a code wider than its input (the suite's own:
    not registered, so never saved)."""


@dataclass(frozen=True)
class Budget:
    """How much of each data set and how many epochs one run of the suite spends."""

    train_images: int | None  # None: all 60,000
    test_images: int | None  # None: all 10,000
    validation: int  # rows carved from the training images to choose settings on
    pretrain_epochs: int
    fine_tune: Recipe  # on the training images less the validation rows
    units: int = UNITS  # quick: fewer, to check the pipeline in seconds


# Sized for an hour on 2 CPU cores. Extrapolated from epochs timed on 6,000 Fashion-MNIST
# images on one thread: 14 pretrainings x 30 epochs (920 s, the RBM 220 of them) and 14
# fine-tunings x 30 epochs (370 s): about 22 min for Fashion-MNIST; MNIST as much again.
FULL = Budget(None, None, validation=10_000, pretrain_epochs=30, fine_tune=Recipe(30))
QUICK = Budget(
    600, 200, validation=100, pretrain_epochs=1, fine_tune=Recipe(2, batch_size=32), units=64
)


def member(model: str, params: dict[str, Any], budget: Budget, seed: int) -> Any:
    """The unfitted feature extractor ``model`` ("AE", ..., "RBM") with a grid's ``params``."""
    if model == "RBM":
        return RBM(
            code_size=budget.units,
            epochs=budget.pretrain_epochs,
            validation_fraction=0.0,
            random_state=seed,
        )
    return OvercompleteAutoencoder(
        hidden=(),
        code_size=budget.units,
        activation="sigmoid",
        code_activation="sigmoid",
        tied=True,
        loss="bernoulli",
        epochs=budget.pretrain_epochs,
        learning_rate=4e-3,
        batch_size=128,
        validation_fraction=0.0,
        random_state=seed,
        **params,
    )
