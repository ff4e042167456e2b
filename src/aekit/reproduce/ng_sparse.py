"""``aekit reproduce ng-sparse``: the sparse autoencoder of Ng's CS294A lecture notes.

Andrew Ng, "Sparse autoencoder" (CS294A lecture notes, Stanford, 2011) and its exercise: a
784-196-784 network of sigmoid units trained on 10,000 MNIST images to minimise

    J = (1/m) Σ ½‖x̂ − x‖² + (λ/2) Σ W² + β Σ_j KL(ρ ‖ ρ̂_j),   ρ = 0.1, β = 3, λ = 3e-3,

ρ̂_j being hidden unit j's mean activation. Its 196 filters come out as pen strokes. This
suite trains that network on Fashion-MNIST (and on MNIST with ``--mnist-dir``), reports the
mean activation reached on the test images (the acceptance: within 10 % of ρ), the
reconstruction error and the filters, beside the same network without the sparsity term.

How Ng's J maps onto aekit (stated in the results file too):

- aekit's squared-error loss is Σ (x̂ − x)², twice Ng's ½‖x̂ − x‖², so Ng's J is trained
  doubled, which leaves its minimum where it was: ``sparsity_weight`` 2β = 6 and
  ``weight_decay`` 2λ = 6e-3. ``weight_decay`` is Adam's coupled L2 term, which adds
  ``weight_decay``·θ to the gradient of the batch-mean loss, the gradient of
  (``weight_decay``/2) Σ θ²; it decays the biases as well, where Ng's term has weights only.
- aekit's squared-error output unit is linear, Ng's a sigmoid; aekit's sigmoid output trains
  on cross-entropy. That network, with β = 3 and λ = 3e-3 as written, is a row of its own.
- Ng's exercise runs L-BFGS on the whole batch; here Adam on batches of 100, which is why
  ρ̂ is a batch statistic in training (:mod:`aekit.objectives.penalties`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aekit.data.dataset import Dataset
from aekit.estimators.autoencoder import Autoencoder
from aekit.estimators.sparse import SparseAutoencoder
from aekit.reproduce import stored
from aekit.reproduce.document import Document
from aekit.reproduce.measure import Trained, train
from aekit.reproduce.suite import SuiteOptions, provenance_lines

SECTIONS = ("fashion-mnist", "mnist")
RHO, BETA, LAMBDA = 0.1, 3.0, 3e-3  # Ng's sparsity target, sparsity weight, weight decay
UNITS = 196
TOLERANCE = 0.10  # the acceptance: the test images' mean activation within 10 % of ρ
KINDS = {
    "ng": "Ng's J (β 6, weight decay 6e-3 on aekit's doubled squared error), linear output",
    "sigmoid-output": "sigmoid output on cross-entropy, β 3, weight decay 3e-3",
    "no-sparsity": "Ng's J without the sparsity term (weight decay 6e-3)",
}
DRAWN = ("ng", "no-sparsity")  # whose filters are drawn: Ng's network, and it unpenalised


@dataclass(frozen=True)
class Budget:
    """The images and epochs one run spends."""

    train_images: int  # a seeded subset of the training images
    test_images: int | None  # None: all 10,000
    epochs: int
    filters: int  # drawn per network (196 subplots take seconds to draw)


FULL = Budget(10_000, None, epochs=100, filters=196)
QUICK = Budget(300, 100, epochs=2, filters=16)


@dataclass(frozen=True)
class Options(SuiteOptions):
    @property
    def budget(self) -> Budget:
        return QUICK if self.quick else FULL


def run(options: Options, command: str) -> Document:
    """Run the suite's sections and write the results file; returns the document."""
    start = time.perf_counter()
    options.pictures.mkdir(parents=True, exist_ok=True)
    budget = options.budget
    doc = Document("Ng's sparse autoencoder (CS294A notes), reproduced")
    doc.bullets(
        *provenance_lines(
            command,
            "quick: a pipeline check, not the exercise's numbers" if options.quick else None,
        ),
        f"network: 784-{UNITS}-784, sigmoid hidden units; ρ = {RHO}, β = {BETA:g}, "
        f"λ = {LAMBDA:g} in Ng's J; {budget.train_images} training images (a seeded subset), "
        f"Adam at aekit's rate with its cosine schedule, batch 100, {budget.epochs} epochs",
        "mapping: aekit's squared error is Σ(x̂ − x)², twice Ng's ½‖x̂ − x‖², so J is trained "
        "doubled (same minimum): sparsity_weight 6, weight_decay 6e-3 (Adam's coupled L2, "
        "the gradient of (6e-3/2)·Σθ², biases included where Ng decays weights only); its "
        "output unit is linear, Ng's a sigmoid; the sigmoid-output row trains on "
        "cross-entropy with β 3 and weight decay 3e-3 as written",
        "metrics: mean activation ρ̂ of the 196 units over the test images; squared error "
        "per test image, summed over the 784 pixels in [0, 1]",
        "settings taken from the notes, none chosen on the test images",
    )
    for section in options.sections:
        data = stored.images(section, options, doc)
        if data is not None:
            _section(options, doc, section, data)
    doc.text(f"Wall time of the whole run: {time.perf_counter() - start:.0f} s.")
    doc.write(options.out)
    return doc


def network(kind: str, epochs: int, seed: int) -> Any:
    """One 784-196-784 network: ``kind`` is one of :data:`KINDS`."""
    common: dict[str, Any] = {
        "hidden": (),  # one hidden layer, the code: the KL penalty falls on it
        "code_size": UNITS,
        "code_activation": "sigmoid",
        "batch_size": 100,
        "epochs": epochs,
        "validation_fraction": 0.0,  # Ng trains on all 10,000 images
        "random_state": seed,
    }
    sparse = {"sparsity": "kl", "sparsity_target": RHO}
    if kind == "ng":
        return SparseAutoencoder(
            **common, **sparse, sparsity_weight=2 * BETA, weight_decay=2 * LAMBDA, loss="gaussian"
        )
    if kind == "sigmoid-output":
        return SparseAutoencoder(
            **common, **sparse, sparsity_weight=BETA, weight_decay=LAMBDA, loss="bernoulli"
        )
    if kind == "no-sparsity":
        return Autoencoder(**common, weight_decay=2 * LAMBDA, loss="gaussian")
    raise ValueError(f"unknown kind {kind!r}")


def _section(options: Options, doc: Document, name: str, data: Dataset) -> None:
    budget = options.budget
    X_train, X_test = stored.parts(data)
    X_train = stored.rows(X_train, budget.train_images, options.seed)
    X_test = stored.rows(X_test, budget.test_images, options.seed)
    runs = [train(k, network(k, budget.epochs, options.seed), X_train, X_test) for k in KINDS]
    for r in runs:  # ρ̂_j per unit over the test images, (196,)
        r.extra["rho_hat"] = r.estimator.mean_activation(X_test, layer="code")
    title = stored.TITLES[name]
    doc.section(
        title,
        f"{len(X_train)} training images, {len(X_test)} test images; ρ̂ and the error are "
        "measured on the test images.",
    )
    header = ["model", "mean activation ρ̂", "ρ̂ vs ρ", "units within 10 %", "test error", "train s"]
    doc.table(header, [_row(r) for r in runs])
    doc.text(*(_acceptance(r) for r in runs if r.name != "no-sparsity"))
    for r in (r for r in runs if r.name in DRAWN):
        picture = f"{name}-filters-{r.name}.png"
        _filters(r, options.pictures / picture, budget.filters)
        caption = f"{title}, {KINDS[r.name]}: {budget.filters} of the {UNITS} filters"
        doc.picture(caption, f"{options.pictures.name}/{picture}")


def _row(r: Trained) -> list[object]:
    rho_hat = r.extra["rho_hat"]
    within = int((np.abs(rho_hat - RHO) <= TOLERANCE * RHO).sum())
    mean = float(rho_hat.mean())
    return [
        KINDS[r.name],
        mean,
        f"{mean / RHO - 1:+.1%}",
        f"{within} of {UNITS}",
        r.error,
        r.seconds,
    ]


def _acceptance(r: Trained) -> str:
    """The acceptance sentence for one sparse network, with the miss computed."""
    mean = float(r.extra["rho_hat"].mean())
    off = abs(mean / RHO - 1)
    side = "above" if mean > RHO else "below"
    verdict = (
        "met"
        if off <= TOLERANCE
        else f"not met, by {off - TOLERANCE:.1%} of ρ beyond the {TOLERANCE:.0%} allowed"
    )
    return (
        f"Acceptance ({r.name}: ρ̂ within {TOLERANCE:.0%} of ρ = {RHO}): {verdict}; "
        f"ρ̂ = {mean:.4f} is {off:.1%} {side} ρ."
    )


def _filters(r: Trained, path: Path, n: int) -> None:
    from aekit.reporting import plot_filters

    plot_filters(r.estimator, (28, 28), path, n=n, n_cols=int(np.ceil(np.sqrt(n))))
