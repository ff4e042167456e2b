"""``aekit reproduce rifai2011``: "Contractive auto-encoders: explicit invariance during
feature extraction".

Rifai, Vincent, Muller, Glorot & Bengio (ICML, 2011) pretrained one layer of 1,000 sigmoid
units six ways (see :mod:`aekit.reproduce.rifai2011_recipes`), fine-tuned each as a
classifier, and reported the test error beside two properties of the pretrained encoder: the
mean Frobenius norm of its Jacobian and the share of saturated units
(:mod:`aekit.reproduce.contraction`). This suite does the same on Fashion-MNIST (and on MNIST
with ``--mnist-dir``), choosing each regulariser's strength on a validation split.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from aekit.data.dataset import Dataset
from aekit.errors import DataError
from aekit.reproduce import rifai2011_recipes as recipes
from aekit.reproduce import stored
from aekit.reproduce.contraction import SATURATED, jacobian_norms, saturation
from aekit.reproduce.document import Document
from aekit.reproduce.finetune import Scored, epochs, scored
from aekit.reproduce.splits import Split, best, carve, labelled
from aekit.reproduce.suite import SuiteOptions, provenance_lines
from aekit.reproduce.verdict import verdict

SECTIONS = ("fashion-mnist", "mnist")


@dataclass(frozen=True)
class Options(SuiteOptions):
    @property
    def budget(self) -> recipes.Budget:
        return recipes.QUICK if self.quick else recipes.FULL


@dataclass
class Run:
    """One feature extractor at one setting: pretrained, fine-tuned, scored."""

    model: str
    setting: str
    encoder: Any
    pretrain_seconds: float
    result: Scored


def run(options: Options, command: str) -> Document:
    """Run the suite's sections and write the results file; returns the document."""
    start = time.perf_counter()
    doc = Document("Rifai et al. 2011, reproduced")
    quick = (
        "quick: tiny subsets, a narrower layer, one or two epochs; a check of the "
        "pipeline, not of the numbers"
    )
    doc.bullets(
        *provenance_lines(command, quick if options.quick else None),
        *_settings(options),
    )
    for section in options.sections:
        data = stored.images(section, options, doc)
        if data is not None:
            _section(data, options, doc)
    doc.text(f"Wall time of the whole run: {time.perf_counter() - start:.0f} s.")
    options.out.parent.mkdir(parents=True, exist_ok=True)
    doc.write(options.out)
    return doc


def _settings(options: Options) -> list[str]:
    """The recipe, as the results file states it."""
    b, ft = options.budget, options.budget.fine_tune
    low, high = SATURATED
    wide = " (over-complete, as the paper's)" if b.units > 784 else ""
    return [
        f"network: 784-{b.units} sigmoid units{wide}, tied weights for the autoencoders; "
        "after pretraining, a softmax head on the code",
        f"validation: {b.validation} training images carved off (seed {options.seed}); "
        "every model pretrains and fine-tunes on the rest, and each regulariser's strength "
        "is the grid value of the best validation accuracy; the test images are read only "
        "to report",
        f"pretraining: {epochs(b.pretrain_epochs)} without labels; autoencoders on "
        "cross-entropy, Adam at 4e-3 on a cosine schedule, batch 128 (weight decay: Adam's "
        "coupled L2, biases included); the RBM by CD-1, SGD at 0.05, momentum 0.9, batch 100",
        f"fine-tuning: the whole network, {epochs(ft.epochs)}, Adam at {ft.learning_rate:g} "
        f"on a cosine schedule, batch {ft.batch_size}, no weight decay; the same for every "
        "model",
        "‖J_f(x)‖_F: the Frobenius norm of the pretrained encoder's Jacobian, mean over the "
        f"test images; saturated: the share of its activations on them below {low} or above "
        f"{high}",
    ]


def _section(data: Dataset, options: Options, doc: Document) -> None:
    budget = options.budget
    X_train, X_test = stored.parts(data)
    if data.y_train is None or data.y_test is None:
        raise DataError(f"{data.name} has no labels to fine-tune on")
    X_train, y_train = labelled(X_train, data.y_train, budget.train_images, options.seed)
    X_test, y_test = labelled(X_test, data.y_test, budget.test_images, options.seed)
    split = carve(X_train, y_train, budget.validation, options.seed)
    runs = {
        model: [_run(model, s, p, split, X_test, y_test, options) for s, p in grid.items()]
        for model, grid in recipes.GRIDS.items()
    }
    chosen = {m: r[_best_index(r)] for m, r in runs.items()}
    title = stored.TITLES.get(data.name, data.name)
    doc.section(
        title,
        f"{len(split.y_fit)} training images pretrain and fine-tune, {len(split.y_val)} "
        f"choose the settings, {len(y_test)} test images.",
    )
    doc.table(
        ["model", "setting", "validation accuracy %", ""],
        [
            [r.model, r.setting, 100 * r.result.validation, _mark(r, chosen)]
            for model_runs in runs.values()
            for r in model_runs
        ],
    )
    measured = {m: _measure(r, X_test) for m, r in chosen.items()}
    _results(doc, data.name, chosen, measured)


def _run(
    model: str,
    setting: str,
    params: dict[str, Any],
    split: Split,
    X_test: np.ndarray,
    y_test: np.ndarray,
    options: Options,
) -> Run:
    encoder = recipes.member(model, params, options.budget, options.seed)
    start = time.perf_counter()
    encoder.fit(split.X_fit)
    seconds = time.perf_counter() - start
    result = scored(encoder, split, X_test, y_test, options.budget.fine_tune, options.seed)
    return Run(model, setting, encoder, seconds, result)


def _best_index(runs: list[Run]) -> int:
    return best({i: r.result.validation for i, r in enumerate(runs)})


def _mark(run: Run, chosen: dict[str, Run]) -> str:
    return "chosen" if chosen[run.model] is run and len(recipes.GRIDS[run.model]) > 1 else ""


def _measure(run: Run, X_test: np.ndarray) -> tuple[float, float]:
    """(mean ‖J_f(x)‖_F, saturated share) of the pretrained encoder on the test images."""
    return float(jacobian_norms(run.encoder, X_test).mean()), saturation(run.encoder, X_test)


def _results(
    doc: Document, name: str, chosen: dict[str, Run], measured: dict[str, tuple[float, float]]
) -> None:
    mnist = name == "mnist"
    header = ["model", "setting", "test error %", "‖J_f(x)‖_F", "saturated", "pretrain s"]
    header += [
        "fine-tune s",
        *(["published error %", "ours − published (points)"] if mnist else []),
    ]
    rows: list[list[object]] = []
    for m, r in chosen.items():
        row: list[object] = [m, r.setting, r.result.test_error, *measured[m]]
        row += [r.pretrain_seconds, r.result.seconds]
        if mnist:
            row += [recipes.PUBLISHED_MNIST[m], r.result.test_error - recipes.PUBLISHED_MNIST[m]]
        rows.append(row)
    doc.table(header, rows)
    doc.text(*_acceptance(chosen, measured))
    if mnist:
        doc.bullets(
            *(
                verdict(f"{m} test error", r.result.test_error, recipes.PUBLISHED_MNIST[m], "%",
                        higher=False)
                for m, r in chosen.items()
            )
        )  # fmt: skip
    else:
        doc.text("The paper reports MNIST only; its figures stand beside the MNIST table.")


def _acceptance(chosen: dict[str, Run], measured: dict[str, tuple[float, float]]) -> list[str]:
    """Does the CAE have the lowest Jacobian norm, and at least the AE's accuracy?"""
    cae = measured["CAE"][0]
    other, lowest = min(((m, v[0]) for m, v in measured.items() if m != "CAE"), key=_second)
    lowest_line = (
        f"the CAE's ‖J_f(x)‖_F, {cae:.3g}, is the lowest of the six (next: {other}, {lowest:.3g})"
        if cae < lowest
        else f"the CAE's ‖J_f(x)‖_F, {cae:.3g}, is not the lowest: {other} has {lowest:.3g}"
    )
    accuracy = verdict(
        "CAE test accuracy",
        100 * chosen["CAE"].result.test,
        100 * chosen["AE"].result.test,
        "%",
        higher=True,
    ).replace("against", "against the AE's")
    return [f"Acceptance: {lowest_line}.", "", f"Acceptance: {accuracy}"]


def _second(pair: tuple[str, float]) -> float:
    return pair[1]
