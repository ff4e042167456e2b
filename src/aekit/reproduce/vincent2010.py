"""``aekit reproduce vincent2010``: "Stacked denoising autoencoders".

Vincent, Larochelle, Lajoie, Bengio & Manzagol (JMLR, 2010) pretrained deep networks one
layer at a time as denoising autoencoders, fine-tuned them on labels, and reported their
test error beside the same networks pretrained as plain autoencoders (SAE), as RBMs (DBN)
and an RBF-kernel SVM. This suite pretrains SdA-3 and SAE-3 (see
:mod:`aekit.reproduce.vincent2010_recipes`), chooses the masking level on a validation
split, fine-tunes them and the same network from random initialisation on Fashion-MNIST (and
MNIST with ``--mnist-dir``), and repeats the comparison with 1,000 and 5,000 labels.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from aekit.reproduce import stored
from aekit.reproduce import vincent2010_recipes as recipes
from aekit.reproduce.document import Document
from aekit.reproduce.finetune import Scored, epochs
from aekit.reproduce.suite import SuiteOptions, provenance_lines
from aekit.reproduce.verdict import verdict
from aekit.reproduce.vincent2010_bench import Bench

SECTIONS = ("fashion-mnist", "few-labels", "mnist")
Benches = dict[str, "Bench | None"]


@dataclass(frozen=True)
class Options(SuiteOptions):
    @property
    def budget(self) -> recipes.Budget:
        return recipes.QUICK if self.quick else recipes.FULL


def run(options: Options, command: str) -> Document:
    """Run the suite's sections and write the results file; returns the document."""
    start = time.perf_counter()
    doc = Document("Vincent et al. 2010, reproduced")
    quick = (
        "quick: tiny subsets, a narrower network, one or two epochs, one seed; a check of "
        "the pipeline, not of the numbers"
    )
    doc.bullets(
        *provenance_lines(command, quick if options.quick else None),
        *_settings(options),
    )
    benches: Benches = {}
    for section in options.sections:
        _SECTION_RUNNERS[section](options, doc, benches)
    doc.text(f"Wall time of the whole run: {time.perf_counter() - start:.0f} s.")
    options.out.parent.mkdir(parents=True, exist_ok=True)
    doc.write(options.out)
    return doc


def _settings(options: Options) -> list[str]:
    """The recipe, as the results file states it."""
    b, ft = options.budget, options.budget.fine_tune
    grid = ", ".join(f"{v:.2f}" for v in recipes.NOISE_GRID)
    return [
        f"network: 784-{'-'.join(map(str, b.hidden))} sigmoid units, then a 10-unit linear "
        "code and the softmax head (one linear map from the third layer to the logits, "
        "factored in two)",
        f"validation: {b.validation} training images carved off (seed {options.seed}); the "
        f"masking level is chosen on their labels among {grid}; the test images are read "
        "only to report",
        f"pretraining: every training image, no labels; tied weights, {epochs(b.pretrain_epochs)} "
        f"per layer, Adam at 4e-3 on a cosine schedule, batch {recipes.BATCH}, cross-entropy",
        f"fine-tuning: the whole network, {epochs(ft.epochs)} on the training images less the "
        f"validation rows, Adam at {ft.learning_rate:g} on a cosine schedule, batch "
        f"{ft.batch_size}, no weight decay; the same for every network",
    ]


def _bench(name: str, options: Options, doc: Document, benches: Benches) -> Bench | None:
    """The data set's bench, made once; None (after a "Not run" section) if unreadable."""
    if name not in benches:
        data = stored.images(name, options, doc)
        benches[name] = None if data is None else Bench.of(data, options.budget, options.seed)
    return benches[name]


def _images(name: str, options: Options, doc: Document, benches: Benches) -> None:
    bench = _bench(name, options, doc, benches)
    if bench is None:
        return
    chosen = bench.chosen()
    selection = [
        [f"{v:.2f}", 100 * bench.full(v).validation, "chosen" if v == chosen else ""]
        for v in recipes.NOISE_GRID
    ]
    models = [
        (f"SdA-3, masking {chosen:.2f}", bench.full(chosen), bench.stack(chosen)[1]),
        ("SAE-3, no noise", bench.full(None), bench.stack(None)[1]),
        ("same network, random init", bench.full("random"), None),
    ]
    n_fit, n_val = len(bench.split.y_fit), len(bench.split.y_val)
    doc.section(
        bench.title,
        f"{len(bench.X_pretrain)} training images pretrain each stack; {n_fit} of them, "
        f"labelled, fine-tune; {n_val} choose the masking level; {len(bench.y_test)} test "
        "images.",
    )
    doc.table(["masking fraction", "validation accuracy %", ""], selection)
    doc.table(
        ["model", "validation accuracy %", "test accuracy %", "test error %", "pretrain s",
         "fine-tune s"],
        [[m, 100 * s.validation, 100 * s.test, s.test_error, p, s.seconds]
         for m, s, p in models],
    )  # fmt: skip
    if name == "mnist":
        _against_mnist(doc, models[0][1], models[1][1])
    else:
        _against_fashion(doc, models[0][1])


def _against_mnist(doc: Document, sda: Scored, sae: Scored) -> None:
    ours = {"SdA-3": sda.test_error, "SAE-3": sae.test_error}
    doc.table(
        ["model", "published test error % (Table 3)", "ours %", "ours − published (points)"],
        [
            [m, p, ours.get(m), None if m not in ours else ours[m] - p]
            for m, p in recipes.PUBLISHED_MNIST.items()
        ],
    )
    doc.bullets(
        *(
            verdict(f"{m} test error", ours[m], recipes.PUBLISHED_MNIST[m], "%", higher=False)
            for m in ours
        )
    )


def _against_fashion(doc: Document, sda: Scored) -> None:
    ours = 100 * sda.test
    doc.table(
        ["Fashion-MNIST baseline", "its test accuracy %", "SdA-3 %", "SdA-3 − it (points)"],
        [[m, p, ours, ours - p] for m, p in recipes.FASHION_BASELINES.items()],
    )
    doc.text(
        "The paper has no Fashion-MNIST figures; the baselines are the data set authors' "
        "(Xiao et al. 2017).",
        "",
        "Acceptance: "
        + verdict("SdA-3 test accuracy", ours, recipes.FASHION_TARGET, "%", higher=True),
    )


def _few_labels(options: Options, doc: Document, benches: Benches) -> None:
    bench = _bench("fashion-mnist", options, doc, benches)
    title = "Few labels (Fashion-MNIST)"
    if bench is None:
        doc.section(title, "Not run: Fashion-MNIST could not be read (see above).")
        return
    seeds = [options.seed + k for k in range(bench.budget.seeds)]
    rows: list[list[object]] = []
    lines = []
    for n in bench.budget.few:
        pre = [100 * bench.few(n, s, pretrained=True) for s in seeds]
        rnd = [100 * bench.few(n, s, pretrained=False) for s in seeds]
        for label, accs in (("SdA-3 pretrained", pre), ("random init", rnd)):
            rows.append([n, label, float(np.mean(accs)), _spread(accs), _each(accs)])
        lines.append(_beats(n, pre, rnd))
    recipe = ", ".join(
        f"{n}: {epochs(r.epochs)} at batch {r.batch_size}" for n, r in bench.budget.few.items()
    )
    doc.section(
        title,
        f"The stack pretrained at the chosen masking level ({bench.chosen():.2f}) on all "
        f"{len(bench.X_pretrain)} training images, or the network from random init, "
        f"fine-tuned on a class-balanced draw of labels ({recipe}); seeds {seeds} draw the "
        "labels and seed the fine-tuning (and the random init). The pretrained stack is the "
        "same for every seed, so the spread is that of labels and fine-tuning.",
    )
    doc.table(["labels", "initialisation", "mean test accuracy %", "sd %", "per seed %"], rows)
    doc.text(*lines)


def _spread(values: list[float]) -> float | None:
    """The seeds' standard deviation (n − 1); None for a single seed."""
    return float(np.std(values, ddof=1)) if len(values) > 1 else None


def _each(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _beats(n: int, pre: list[float], rnd: list[float]) -> str:
    gap = float(np.mean(pre) - np.mean(rnd))
    head = f"{n} labels: pretrained − random init = {gap:.2f} points"
    sd_pre, sd_rnd = _spread(pre), _spread(rnd)
    if sd_pre is None or sd_rnd is None:
        return head + "; one seed, no spread to compare with."
    spread = sd_pre + sd_rnd
    more = "more" if gap > spread else "not more"
    return head + f", {more} than the seeds' spread (sum of the two sd: {spread:.2f})."


_SECTION_RUNNERS = {
    "fashion-mnist": lambda o, d, b: _images("fashion-mnist", o, d, b),
    "few-labels": _few_labels,
    "mnist": lambda o, d, b: _images("mnist", o, d, b),
}
