"""``aekit reproduce iwae``: "Importance Weighted Autoencoders".

Burda, Grosse & Salakhutdinov (ICLR 2016) trained the same network on the VAE's bound (one
sample, the ELBO) and on the k-sample importance-weighted bound (the IWAE), on dynamically
binarised MNIST, and compared their test log-likelihoods, each estimated with k = 5,000
importance samples. This suite trains their one-stochastic-layer network (784-200-200-50,
tanh units, Bernoulli pixels) as a VAE (k = 1) and as IWAEs (k = 5 and 50) on Fashion-MNIST
(and on MNIST with ``--mnist-dir``), on a far shorter schedule than the paper's 3,280 epochs,
and writes the paper's numbers, the gap to them, and the IWAE's margin over the VAE.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from aekit.data.dataset import Dataset
from aekit.estimators.variational import VariationalAutoencoder
from aekit.objectives.binarization import binarize
from aekit.reproduce import stored
from aekit.reproduce.document import Document
from aekit.reproduce.measure import Trained, train
from aekit.reproduce.suite import SuiteOptions, provenance_lines

SECTIONS = ("fashion-mnist", "mnist")
HIDDEN, CODE = (200, 200), 50  # 784-200-200-50: one stochastic layer of 50 units
SAMPLES = (1, 5, 50)  # k trained on: 1 is the VAE
PAPER_EPOCHS = 3280
PUBLISHED_MNIST = {1: -86.76, 50: -84.78}  # Table 1: VAE k = 1, IWAE k = 50 (nats)
ACTIVE = 1e-2  # a unit is active when Cov_x(E_q[u]) exceeds this (the paper's measure)


@dataclass(frozen=True)
class Budget:
    """The images, epochs and importance samples one run spends."""

    train_images: int | None  # None: all 60,000
    test_images: int  # a seeded subset of the test images, binarised once
    epochs: int
    eval_k: int  # importance samples of the test log-likelihood estimate


FULL = Budget(None, 1000, epochs=20, eval_k=5000)
QUICK = Budget(500, 50, epochs=1, eval_k=50)


@dataclass(frozen=True)
class Options(SuiteOptions):
    @property
    def budget(self) -> Budget:
        return QUICK if self.quick else FULL


def run(options: Options, command: str) -> Document:
    """Run the suite's sections and write the results file; returns the document."""
    start = time.perf_counter()
    options.pictures.mkdir(parents=True, exist_ok=True)
    b = options.budget
    doc = Document("Burda, Grosse & Salakhutdinov 2016 (IWAE), reproduced")
    doc.bullets(
        *provenance_lines(
            command, "quick: a pipeline check, not the paper's numbers" if options.quick else None
        ),
        "network: 784-200-200-50 of tanh units, Gaussian posterior, Bernoulli pixels; trained "
        "on the ELBO (VAE, k = 1) or on the k-sample importance-weighted bound (IWAE)",
        f"schedule: {b.epochs} of the paper's {PAPER_EPOCHS:,} epochs, Adam at 1e-3 with "
        "aekit's cosine decay, batch 100, a fresh binarisation of every image each epoch; the "
        "paper: batch 20, Adam ε 1e-4, the rate 1e-3·10^(−i/7) for 3^i epochs, i = 0…7; "
        "training at aekit's precision auto (bf16 where the CPU computes it natively), the "
        "estimates below in float32",
        f"metric: log p(x) in nats, estimated with k = {b.eval_k} importance samples"
        + (" (5,000 in a full run)" if options.quick else "")
        + f", on {b.test_images} test images (a seeded subset) binarised once, the same "
        "draw for every model; active units: posterior-mean variance over them > 0.01",
        "settings taken from the paper or fixed in advance, none chosen on the test images",
    )
    for section in options.sections:
        data = stored.images(section, options, doc)
        if data is not None:
            _section(options, doc, section, data)
    doc.text(f"Wall time of the whole run: {time.perf_counter() - start:.0f} s.")
    doc.write(options.out)
    return doc


def network(k: int, epochs: int, seed: int) -> VariationalAutoencoder:
    """The one-stochastic-layer network, trained on the k-sample bound (k = 1: the ELBO)."""
    return VariationalAutoencoder(
        hidden=HIDDEN,
        code_size=CODE,
        activation="tanh",
        loss="bernoulli",
        importance_samples=k,
        binarize="dynamic",
        batch_size=100,
        learning_rate=1e-3,
        epochs=epochs,
        validation_fraction=0.0,  # the paper trains on all the training images
        random_state=seed,
    )


def _name(k: int) -> str:
    return "VAE (k = 1)" if k == 1 else f"IWAE (k = {k})"


def _section(options: Options, doc: Document, name: str, data: Dataset) -> None:
    b = options.budget
    X_train, X_test = stored.parts(data)
    X_train = stored.rows(X_train, b.train_images, options.seed)
    generator = torch.Generator().manual_seed(options.seed)
    X_test = stored.rows(X_test, b.test_images, options.seed)
    X_test = binarize(torch.from_numpy(X_test), generator).numpy()  # one draw, for every model
    runs = [train(_name(k), network(k, b.epochs, options.seed), X_train, X_test) for k in SAMPLES]
    for r in runs:
        est = r.estimator
        r.extra["ll"] = est.log_likelihood(X_test, k=b.eval_k, random_state=options.seed)
        r.extra["elbo"] = float(est.elbo(X_test, random_state=options.seed).mean())
        r.extra["active"] = int((est.transform(X_test).var(axis=0) > ACTIVE).sum())
    title = stored.TITLES[name]
    published = PUBLISHED_MNIST if name == "mnist" else {}
    doc.section(
        title,
        f"{len(X_train)} training images, {len(X_test)} test images. "
        + (
            "Published: Table 1 of the paper (MNIST, one stochastic layer)."
            if published
            else "The paper reports MNIST only: there is no published figure to compare."
        ),
    )
    header = ["model", f"test log p(x), k = {b.eval_k}", "test ELBO", "active units"]
    header += ["published", "ours − published", "train s", "s / epoch"]
    doc.table(header, [_row(r, k, published) for r, k in zip(runs, SAMPLES, strict=True)])
    doc.text(_acceptance(runs[0], runs[-1]), *_gaps(runs, published, b.epochs))
    picture = f"{name}-samples.png"
    _samples(runs, options.pictures / picture, options.seed)
    caption = f"{title}: draws from the prior, one row per model"
    doc.picture(caption, f"{options.pictures.name}/{picture}")


def _row(r: Trained, k: int, published: dict[int, float]) -> list[object]:
    ours = float(r.extra["ll"].mean())
    paper = published.get(k)
    gap = None if paper is None else ours - paper
    active = f"{r.extra['active']} of {CODE}"
    return [r.name, ours, r.extra["elbo"], active, paper, gap, r.seconds, r.seconds / r.epochs]


def _acceptance(vae: Trained, iwae: Trained) -> str:
    """Is the IWAE's estimate above the VAE's, with the paired standard error of the margin."""
    margin = iwae.extra["ll"] - vae.extra["ll"]  # (n_test,): the same images and draw
    mean = float(margin.mean())
    se = float(margin.std(ddof=1) / np.sqrt(len(margin))) if len(margin) > 1 else float("nan")
    verdict = "met" if mean > 0 else f"not met, the IWAE is {-mean:.2f} nats below"
    return (
        f"Acceptance ({iwae.name}'s estimate above {vae.name}'s): {verdict}; margin "
        f"{mean:+.2f} ± {se:.2f} nats per image (paired standard error)."
    )


def _gaps(runs: list[Trained], published: dict[int, float], epochs: int) -> list[str]:
    if not published:
        return []
    parts = []
    for r, k in zip(runs, SAMPLES, strict=True):
        if k in published:
            gap = float(r.extra["ll"].mean()) - published[k]
            parts.append(f"{r.name} {gap:+.2f} nats")
    return [
        f"Gap to the paper (ours − published) after {epochs} of its {PAPER_EPOCHS:,} epochs: "
        + "; ".join(parts)
        + "."
    ]


def _samples(runs: list[Trained], path: Path, seed: int) -> None:
    from aekit.reporting import plot_image_grid

    shown = 10
    draws = np.concatenate([r.estimator.sample(shown, random_state=seed) for r in runs])
    labels = ", ".join(r.name for r in runs)
    plot_image_grid(draws, (28, 28), path, n_cols=shown, title=f"rows: {labels}")
