"""The networks of Hinton & Salakhutdinov (2006) as aekit estimators, and the sizes of a run.

Three ways to train each deep network, so the table shows what pretraining is for, and a
fourth for the image data sets:

- ``aekit``: aekit's own defaults (ELU units, Adam, a cosine schedule), no pretraining;
- ``sigmoid``: the paper's logistic units trained from random initialisation;
- ``sigmoid-rbm``: the paper's recipe, greedy RBM pretraining of each layer, then
  fine-tuning of the unrolled network on the Bernoulli likelihood (cross-entropy);
- ``aekit-muon``: aekit's ELU network with tied weights, trained with ``optimizer="muon"``
  at settings chosen on a validation split (``MUON``), then refitted on every training
  image for the epochs early stopping chose (``aekit.reproduce.refit``), for the image
  data sets;
- ``aekit-masking``: aekit's ELU network trained on inputs with a tenth of their pixels
  masked to zero and with decoupled weight decay (``CURVES_MASKING``, chosen on the curves'
  validation split), on every training curve for a longer plan, for the curves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aekit.estimators.autoencoder import Autoencoder
from aekit.estimators.stacked import StackedAutoencoder
from aekit.reproduce.refit import RefitAtBestEpoch

CURVES_HIDDEN = (400, 200, 100, 50, 25)  # 784-400-200-100-50-25-6
CURVES_CODE = 6
IMAGES_HIDDEN = (1000, 500, 250)  # 784-1000-500-250-30, for MNIST and Fashion-MNIST
IMAGES_CODE = 30

# The paper's squared errors per test image (Table in Fig. 2 and its supporting text).
PUBLISHED = {
    "curves": {
        "deep autoencoder": 1.44,
        "logistic PCA-6": 7.64,
        "logistic PCA-18": 2.45,
        "PCA-18": 5.90,
    },
    "mnist": {"deep autoencoder": 3.00, "logistic PCA-30": 8.01, "PCA-30": 13.87},
}


MASKING_EPOCHS = 400  # see CURVES_MASKING


@dataclass(frozen=True)
class Budget:
    """How much of each data set and how many epochs one run of the suite spends."""

    curves_train: int | None  # None: the full 20,000 / 10,000
    images_train: int | None  # None: all 60,000 training images
    curves_epochs: int
    images_epochs: int
    pretrain_epochs: int
    codes_epochs: int
    tutorial_epochs: int
    batch_size: int | str = "auto"  # of every deep network's fine-tuning
    muon_epochs: int = 2  # planned epochs of the aekit-muon network (it stops early)
    masking_epochs: int = 2  # epochs of the aekit-masking network


FULL = Budget(
    None,
    None,
    curves_epochs=200,
    images_epochs=100,
    pretrain_epochs=10,
    codes_epochs=50,
    tutorial_epochs=20,
    # Measured on Fashion-MNIST (aekit defaults, seed 0): batch 128 for 100 epochs reached
    # 5.42, batch 512 for 150 epochs 5.48, in about a third of the time.
    batch_size=128,
    muon_epochs=40,
    masking_epochs=MASKING_EPOCHS,
)
QUICK = Budget(
    400, 600, curves_epochs=2, images_epochs=2, pretrain_epochs=1, codes_epochs=2, tutorial_epochs=2
)


# Chosen on Fashion-MNIST's validation split (the first 50,000 training images trained on,
# the last 10,000 measured; benchmarks/validation_probe.py, results/hinton2006-validation.md):
# with Muon the network overfits (training error 3.8 against validation 5.1 at the best
# epoch). At batch 512, a 40-epoch plan at 3e-3 reached 5.069 where 2e-3 over 20 epochs
# reached 5.203, and neither weight decay, input noise nor mirrored images did better. Tied
# weights (half the matrices) reached 5.059 in half the time; tied at batch 256 (2.1e-3, the
# square-root rule) 4.984, at batch 128 4.970 for 1.7 times the time. Early stopping on the
# estimator's validation rows picks the epoch; the refit then trains on every row for as
# many epochs, since more rows help a network that overfits (40,000 rows: 5.254 against 5.069
# from 50,000). On the curves Muon generalised worse than the Adam defaults (2.41 against
# 2.08), so that section has no row.
MUON = {
    "optimizer": "muon",
    "tied": True,
    "batch_size": 256,
    "learning_rate": 2.1e-3,
    "patience": 3,
}


# Chosen on the curves' validation split (the first 16,000 of the 20,000 training curves
# trained on, the last 4,000 measured; benchmarks/validation_probe.py --data curves,
# results/hinton2006-validation.md, last section): the Adam defaults overfit the curves
# (200 epochs: training error 0.70, validation 2.08; 400 epochs: best 1.88 at epoch 190,
# 1.97 at the end). Masking 10 % of the pixels of each training curve, with AdamW's
# decoupled weight decay at 0.1, over 400 epochs reached 1.514, where masking alone reached
# 1.606 and 5 % or 15 % did no better. The chosen plan trains on every training curve.
CURVES_MASKING = {
    "noise": "masking",
    "noise_level": 0.1,
    "optimizer": "adamw",
    "weight_decay": 0.1,
    "validation_fraction": 0.0,
}


def deep(
    kind: str, hidden: tuple[int, ...], code: int, budget: Budget, epochs: int, seed: int
) -> Any:
    """One deep autoencoder: ``kind`` is "aekit", "sigmoid", "sigmoid-rbm", "aekit-muon" or
    "aekit-masking"."""
    common: dict[str, Any] = {
        "hidden": hidden,
        "code_size": code,
        "epochs": epochs,
        "batch_size": budget.batch_size,
        "loss": "bernoulli",
        "random_state": seed,
    }
    if kind == "aekit":
        return Autoencoder(**common)
    if kind == "aekit-muon":
        return RefitAtBestEpoch(Autoencoder(**{**common, **MUON, "epochs": budget.muon_epochs}))
    if kind == "aekit-masking":
        return Autoencoder(**{**common, **CURVES_MASKING, "epochs": budget.masking_epochs})
    if kind == "sigmoid":
        return Autoencoder(**common, activation="sigmoid")
    if kind == "sigmoid-rbm":
        return StackedAutoencoder(
            **common,
            activation="sigmoid",
            pretraining="rbm",
            pretrain_epochs=budget.pretrain_epochs,
        )
    raise ValueError(f"unknown kind {kind!r}")


def tutorial(epochs: int, seed: int) -> Autoencoder:
    """The network introductions start from: 784-256-784, a sigmoid code, RMSProp at 0.01,
    batch 100 (squared error in the tutorials; aekit's sigmoid output trains on
    cross-entropy, the Bernoulli likelihood)."""
    return Autoencoder(
        hidden=(),
        code_size=256,
        code_activation="sigmoid",
        loss="bernoulli",
        optimizer="rmsprop",
        learning_rate=0.01,
        momentum=0.0,
        lr_schedule="constant",
        batch_size=100,
        epochs=epochs,
        random_state=seed,
    )
