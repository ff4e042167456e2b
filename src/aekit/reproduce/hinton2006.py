"""``aekit reproduce hinton2006``: "Reducing the dimensionality of data with neural networks".

Hinton & Salakhutdinov (Science, 2006) trained deep autoencoders, pretrained greedily as
stacks of RBMs, and reported their test squared error per image beside PCA's. This suite
trains the same networks on the same kind of data (the curves set regenerated, Fashion-MNIST
in place of MNIST, MNIST itself when its files are given) and writes the paper's numbers
beside ours, with the settings, the hardware, the wall time and pictures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from aekit.data.curves import pixel_statistics
from aekit.data.dataset import Dataset
from aekit.datasets import load
from aekit.errors import DataError
from aekit.reproduce import hinton2006_recipes as recipes
from aekit.reproduce.document import Document
from aekit.reproduce.measure import Trained, knn_accuracy, pca, train
from aekit.reproduce.suite import SuiteOptions, provenance_lines

SECTIONS = ("curves", "fashion-mnist", "mnist", "codes-2d", "tutorial")
KINDS = {
    "aekit": "aekit defaults (ELU, Adam), random init",
    "sigmoid": "logistic units, random init",
    "sigmoid-rbm": "logistic units, RBM-pretrained (the paper's recipe)",
}
# The image data sets add Muon at settings chosen on Fashion-MNIST's validation split.
IMAGE_KINDS = {
    **KINDS,
    "aekit-muon": "aekit, tied, optimizer muon (settings chosen on validation), refitted",
}
# The curves add masking noise at settings chosen on the curves' validation split.
CURVE_KINDS = {
    **KINDS,
    "aekit-masking": "aekit, masking and weight decay (chosen on validation), every curve",
}


@dataclass(frozen=True)
class Options(SuiteOptions):
    @property
    def budget(self) -> recipes.Budget:
        return recipes.QUICK if self.quick else recipes.FULL


def run(options: Options, command: str) -> Document:
    """Run the suite's sections and write the results file; returns the document."""
    start = time.perf_counter()
    options.pictures.mkdir(parents=True, exist_ok=True)
    doc = Document("Hinton & Salakhutdinov 2006, reproduced")
    doc.bullets(
        *provenance_lines(
            command, "quick: a pipeline check, not the paper's numbers" if options.quick else None
        ),
        "metric: squared error per test image, summed over the 784 pixels in [0, 1]",
        "settings chosen on nothing but the training images: no figure here selected a setting",
    )
    for section in options.sections:
        _SECTION_RUNNERS[section](options, doc)
    doc.text(f"Wall time of the whole run: {time.perf_counter() - start:.0f} s.")
    doc.write(options.out)
    return doc


def _deep_section(
    doc: Document,
    options: Options,
    title: str,
    data: Dataset,
    hidden: tuple[int, ...],
    code: int,
    epochs: int,
    published: dict[str, float] | None,
    pca_sizes: tuple[int, ...],
    kinds: dict[str, str] = KINDS,
) -> None:
    budget = options.budget
    X_train, X_test = _parts(data)
    runs = [
        train(kind, recipes.deep(kind, hidden, code, budget, epochs, options.seed), X_train, X_test)
        for kind in kinds
    ]
    pcas = [pca(X_train, X_test, k, options.seed) for k in pca_sizes]
    base = pcas[0].error if code == pca_sizes[0] else pcas[-1].error
    rows: list[list[object]] = []
    for r in runs:
        rows.append(
            [kinds[r.name], r.error, r.error / base, r.seconds, r.epochs_cell, _knn(data, r)]
        )
    for p in pcas:
        rows.append(
            [
                f"PCA-{p.k}",
                p.error,
                p.error / base,
                None,
                None,
                _knn_codes(data, p.train_codes, p.test_codes),
            ]
        )
    arch = "-".join(str(w) for w in (X_train.shape[1], *hidden, code))
    extra = (
        f"; Muon: the epochs early stopping chose from a {budget.muon_epochs}-epoch plan, "
        "then refitted on every training image for that many"
        if "aekit-muon" in kinds
        else ""
    )
    if "aekit-masking" in kinds:
        m = recipes.CURVES_MASKING
        extra += (
            f"; masking: {m['noise_level']:.0%} of each training curve's pixels set to 0, "
            f"weight decay {m['weight_decay']}, {budget.masking_epochs} epochs"
        )
    doc.section(
        title,
        f"{arch}, {len(X_train)} training / {len(X_test)} test "
        f"images, {epochs} fine-tuning epochs"
        f" ({budget.pretrain_epochs} RBM epochs per layer before them where pretrained{extra}).",
    )
    doc.table(["model", "test error", f"× PCA-{code}", "train s", "epochs", "kNN-5"], rows)
    if published:
        doc.text(
            "Published (MNIST or the paper's curves): "
            + "; ".join(f"{k} {v}" for k, v in published.items())
            + "."
        )
    name = title.split()[0].lower()
    _grid(options, data, runs, pcas[0], f"{name}-reconstructions.png")
    doc.picture(
        f"{title}: test images, then each model's reconstruction",
        f"{options.pictures.name}/{name}-reconstructions.png",
    )


def _parts(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The training and test images; every data set this suite loads has a test part."""
    if data.X_test is None:
        raise DataError(f"{data.name} has no test part")
    return data.X_train, data.X_test


def _knn(data: Dataset, r: Trained) -> float | None:
    if data.y_train is None:
        return None
    X_train, X_test = _parts(data)
    return _knn_codes(data, r.estimator.transform(X_train), r.estimator.transform(X_test))


def _knn_codes(data: Dataset, train_codes: np.ndarray, test_codes: np.ndarray) -> float | None:
    if data.y_train is None or data.y_test is None:
        return None
    return knn_accuracy(train_codes, data.y_train, test_codes, data.y_test)


def _grid(options: Options, data: Dataset, runs: list[Trained], first_pca: Any, name: str) -> None:
    from aekit.reporting import plot_image_grid

    shown = 10
    rows = [
        _parts(data)[1][:shown],
        *(r.reconstructions[:shown] for r in runs),
        first_pca.reconstructions[:shown],
    ]
    labels = ", ".join([*(r.name for r in runs), f"PCA-{first_pca.k}"])
    plot_image_grid(
        np.concatenate(rows),
        (28, 28),
        options.pictures / name,
        n_cols=shown,
        title=f"rows: test images, {labels}",
    )


def _curves(options: Options, doc: Document) -> None:
    budget = options.budget
    data = load("curves", n_samples=budget.curves_train, random_state=options.seed)
    stats = pixel_statistics(data.X_train)
    _deep_section(
        doc,
        options,
        "Curves",
        data,
        recipes.CURVES_HIDDEN,
        recipes.CURVES_CODE,
        budget.curves_epochs,
        recipes.PUBLISHED["curves"],
        (6, 18),
        CURVE_KINDS,
    )
    doc.text(
        f"Our curves: mean pixel intensity {stats['mean_intensity']:.4f}, "
        f"inked pixels {stats['inked_fraction']:.4f} of all (training images); "
        "logistic PCA is not implemented here, so its published figures stand alone."
    )


def _images(name: str, options: Options, doc: Document) -> None:
    path = options.mnist_dir if name == "mnist" else options.fashion_dir
    if name == "mnist" and path is None:
        doc.section(
            "MNIST",
            "Not run: MNIST is read only from IDX files given with "
            "--mnist-dir (aekit never downloads).",
        )
        return
    data = _stored(name, path, options, doc)
    if data is None:
        return
    budget = options.budget
    _deep_section(
        doc,
        options,
        "MNIST" if name == "mnist" else "Fashion-MNIST",
        data,
        recipes.IMAGES_HIDDEN,
        recipes.IMAGES_CODE,
        budget.images_epochs,
        recipes.PUBLISHED["mnist"] if name == "mnist" else None,
        (30,),
        IMAGE_KINDS,
    )


def _stored(name: str, path: str | None, options: Options, doc: Document) -> Dataset | None:
    try:
        return load(
            name, path=path, n_samples=options.budget.images_train, random_state=options.seed
        )
    except DataError as exc:
        doc.section(name, f"Not run: {exc}")
        return None


def _codes_2d(options: Options, doc: Document) -> None:
    from aekit.estimators.autoencoder import Autoencoder
    from aekit.reporting import plot_codes

    data = _stored("fashion-mnist", options.fashion_dir, options, doc)
    if data is None:
        return
    est = Autoencoder(
        hidden=recipes.IMAGES_HIDDEN,
        code_size=2,
        loss="bernoulli",
        epochs=options.budget.codes_epochs,
        batch_size=options.budget.batch_size,
        random_state=options.seed,
    )
    X_train, X_test = _parts(data)
    r = train("aekit-2d", est, X_train, X_test)
    p = pca(X_train, X_test, 2, options.seed)
    codes = r.estimator.transform(X_test)
    ours, theirs = _knn(data, r), _knn_codes(data, p.train_codes, p.test_codes)
    doc.section(
        "2-D codes (Fashion-MNIST)",
        "784-1000-500-250-2 (aekit defaults) against "
        "the first two principal components; kNN-5 accuracy on the test codes.",
    )
    doc.table(
        ["model", "kNN-5 accuracy", "test error", "train s"],
        [["autoencoder, 2-D code", ours, r.error, r.seconds], ["PCA-2", theirs, p.error, None]],
    )
    plot_codes(
        codes,
        p.test_codes,
        data.y_test,
        options.pictures / "codes-2d.png",
        title_left="autoencoder, 2-D code",
        title_right="PCA-2",
    )
    doc.picture("2-D test codes: autoencoder beside PCA", f"{options.pictures.name}/codes-2d.png")


def _tutorial(options: Options, doc: Document) -> None:
    data = _stored("fashion-mnist", options.fashion_dir, options, doc)
    if data is None:
        return
    budget = options.budget
    X_train, X_test = _parts(data)
    r = train("tutorial", recipes.tutorial(budget.tutorial_epochs, options.seed), X_train, X_test)
    p = pca(X_train, X_test, 256, options.seed)
    doc.section(
        "The tutorial network (Fashion-MNIST)",
        "784-256-784 with a sigmoid code, RMSProp at 0.01 without momentum, batch "
        f"100, {budget.tutorial_epochs} epochs; beside PCA with as many components "
        "(the deep network's 30-unit code is in the Fashion-MNIST table above). "
        "Flags: `aekit train --hidden '' --code-size 256 --code-activation sigmoid "
        "--optimizer rmsprop --lr 0.01 --momentum 0 --lr-schedule constant "
        "--batch-size 100 --epochs 20`.",
    )
    doc.table(
        ["model", "test error", "× PCA-256", "train s"],
        [
            ["tutorial 784-256-784", r.error, r.error / p.error, r.seconds],
            ["PCA-256", p.error, 1.0, None],
        ],
    )


_SECTION_RUNNERS = {
    "curves": _curves,
    "fashion-mnist": lambda o, d: _images("fashion-mnist", o, d),
    "mnist": lambda o, d: _images("mnist", o, d),
    "codes-2d": _codes_2d,
    "tutorial": _tutorial,
}
