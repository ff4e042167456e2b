"""The networks of Vincent et al. (2010) as aekit estimators, and the sizes of a run.

Three hidden layers of 1,000 sigmoid units (784-1000-1000-1000), pretrained greedily one
layer at a time with tied weights, each layer reconstructing its clean input from a masked
copy (a stacked denoising autoencoder, SdA-3) or from the input itself (a stacked
autoencoder, SAE-3), then fine-tuned on labels with a softmax head.

aekit's stacks end in a linear code layer; here it has 10 units, one per class, and is
pretrained as a fourth (linear) layer. The softmax head reads it, so code layer and head
together are one linear map from the third hidden layer to the 10 logits: the paper's
logistic-regression output layer, factored in two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aekit.estimators.autoencoder import Autoencoder
from aekit.estimators.stacked import StackedAutoencoder
from aekit.reproduce.finetune import VANISHING_RATE, Recipe

HIDDEN = (1000, 1000, 1000)
CODE = 10
NOISE_GRID = (0.10, 0.25, 0.40)  # masking fractions, chosen among on the validation split
BATCH = 128  # pretraining: 4 x aekit's auto rate at this batch, 4e-3 (Adam, cosine)

# Test error in percent, Vincent et al. 2010, Table 3 (MNIST).
PUBLISHED_MNIST = {"SdA-3": 1.28, "SAE-3": 1.40, "DBN-3": 1.24, "SVM-rbf": 1.40}
# Test accuracy in percent of Fashion-MNIST's classical baselines (Xiao et al. 2017).
FASHION_BASELINES = {"SVC, RBF kernel": 89.7, "MLP": 87.1}
FASHION_TARGET = 90.5  # the acceptance: the pretrained SdA-3's test accuracy, percent


@dataclass(frozen=True)
class Budget:
    """How much of each data set, how many epochs and seeds one run of the suite spends."""

    train_images: int | None  # None: all 60,000
    test_images: int | None  # None: all 10,000
    validation: int  # rows carved from the training images to choose the noise on
    pretrain_epochs: int  # per layer
    fine_tune: Recipe  # on the training images less the validation rows
    few: dict[int, Recipe] = field(default_factory=dict)  # labels -> recipe
    seeds: int = 3
    hidden: tuple[int, ...] = HIDDEN  # quick: narrower, to check the pipeline in seconds


# Sized for an hour on 2 CPU cores. Extrapolated from epochs timed on 6,000 Fashion-MNIST
# images on one thread: 4 stacks x 20 epochs (560-920 s), 5 fine-tunings x 40 epochs (650 s),
# 12 few-label runs (310 s): 26-32 min for Fashion-MNIST; MNIST adds 21-27 min.
FULL = Budget(
    None,
    None,
    validation=10_000,
    pretrain_epochs=20,
    fine_tune=Recipe(40),
    # About 4,700 steps each: 150 epochs of 32 batches, 60 epochs of 79.
    few={1000: Recipe(150, batch_size=32), 5000: Recipe(60, batch_size=64)},
)
QUICK = Budget(
    600,
    200,
    validation=100,
    pretrain_epochs=1,
    fine_tune=Recipe(2, batch_size=32),
    few={50: Recipe(2, batch_size=32), 100: Recipe(2, batch_size=32)},
    seeds=1,
    hidden=(64, 64, 64),
)


def stack(noise_level: float | None, budget: Budget, seed: int) -> StackedAutoencoder:
    """784-1000-1000-1000-10, pretrained layer by layer; ``noise_level`` None: no noise.

    aekit fine-tunes the unrolled autoencoder for at least one epoch: at a vanishing rate
    here, so the classifier starts from the pretrained layers themselves, as in the paper.
    """
    return StackedAutoencoder(
        hidden=budget.hidden,
        code_size=CODE,
        activation="sigmoid",
        loss="bernoulli",
        noise=None if noise_level is None else "masking",
        noise_level=0.0 if noise_level is None else noise_level,
        pretraining="autoencoder",
        pretrain_epochs=budget.pretrain_epochs,
        pretrain_learning_rate="auto",
        epochs=1,
        learning_rate=VANISHING_RATE,
        batch_size=BATCH,
        validation_fraction=0.0,
        random_state=seed,
    )


def network(budget: Budget, seed: int) -> Autoencoder:
    """The same 784-1000-1000-1000-10 sigmoid network, unfitted (for random initialisation)."""
    return Autoencoder(
        hidden=budget.hidden,
        code_size=CODE,
        activation="sigmoid",
        loss="bernoulli",
        random_state=seed,
    )
