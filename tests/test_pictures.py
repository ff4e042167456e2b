"""What `aekit train` shows of a run: a seeded sample per label, the denoising rows, a
per-column error chart for tables, and the line saying how many epochs this run trained."""

from __future__ import annotations

import contextlib
import signal

import numpy as np
import pytest
from PIL import Image

import aekit
import aekit.cli.resume as cli_resume
from aekit import reporting
from aekit.cli.main import main
from aekit.cli.signals import StopRequest
from aekit.errors import DataError
from aekit.reporting import (
    column_errors,
    columns,
    pick_examples,
    plot_column_errors,
    plot_denoising,
)
from aekit.training import checkpoint

TINY = ["--hidden", "8", "--code-size", "2", "--epochs", "1", "--batch-size", "64", "-q"]
N_CLASSES, PER_CLASS = 5, 40


def _png(path):
    with Image.open(path) as image:
        assert image.format == "PNG"
        return image.size


# ---- which rows are shown ---------------------------------------------------------------------
def test_pick_examples_takes_one_row_per_label_from_a_seeded_permutation():
    labels = np.repeat(np.arange(N_CLASSES), PER_CLASS)  # sorted by class, as a folder is
    picked = pick_examples(len(labels), labels, seed=3)
    assert labels[picked].tolist() == list(range(N_CLASSES))  # one each, ordered by label
    assert picked.tolist() == pick_examples(len(labels), labels, seed=3).tolist()
    others = {tuple(pick_examples(len(labels), labels, seed=s)) for s in range(6)}
    assert len(others) > 1  # the seed decides which row of each class
    order = np.random.default_rng(3).permutation(len(labels))
    for row in picked:  # the first row of its label in the permutation
        first = next(i for i in order if labels[i] == labels[row])
        assert row == first


def test_pick_examples_keeps_the_first_ten_labels_met_and_ten_rows_without_labels():
    labels = np.arange(200) % 25  # 25 labels
    picked = pick_examples(200, labels, seed=0)
    order = np.random.default_rng(0).permutation(200)
    met = list(dict.fromkeys(labels[order]))[:10]
    assert sorted(labels[picked].tolist()) == sorted(met) and len(picked) == 10
    rows = pick_examples(200, None, seed=0)
    assert rows.tolist() == order[:10].tolist()
    assert pick_examples(4, None, seed=0).shape == (4,)  # fewer rows than ten: all of them
    with pytest.raises(DataError, match="one label per row"):
        pick_examples(5, np.zeros(4), seed=0)


@pytest.fixture(scope="module")
def sorted_images(tmp_path_factory):
    """An .npz of 8x8 images sorted by class; every pixel of class c is near (c + 1) / 10."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(N_CLASSES), PER_CLASS)
    X = (y[:, None, None] + 1) / 10 + rng.uniform(-0.02, 0.02, (len(y), 8, 8))
    path = tmp_path_factory.mktemp("images") / "sorted.npz"
    np.savez(path, X=X.astype(np.float32), y=y)
    return path


def _class_of(images):
    return np.rint(np.asarray(images).reshape(len(images), -1).mean(axis=1) * 10 - 1).astype(int)


def _recording(monkeypatch, name):
    """Replace ``aekit.reporting.<name>`` by a wrapper that records its arguments."""
    calls = []
    original = getattr(reporting, name)

    def record(*args, **kwargs):
        calls.append(args + tuple(kwargs.values()))
        return original(*args, **kwargs)

    monkeypatch.setattr(reporting, name, record)
    return calls


def test_train_pictures_show_every_class_of_a_class_sorted_folder(
    sorted_images, tmp_path, monkeypatch
):
    calls = _recording(monkeypatch, "plot_reconstructions")
    out = tmp_path / "m"
    assert main(["train", "--data", str(sorted_images), "--out", str(out), *TINY]) == 0
    ((inputs, rebuilt, shape, path),) = calls
    assert _class_of(inputs).tolist() == list(range(N_CLASSES))  # not ten rows of class 0
    assert shape == (8, 8) and path.name == "reconstructions.png"
    np.testing.assert_allclose(rebuilt, aekit.load(out).reconstruct(inputs), atol=1e-6)
    assert _png(out / "reconstructions.png")
    assert not (out / "column_errors.png").exists()


def test_denoising_pictures_show_clean_corrupted_and_denoised_rows_seeded(
    sorted_images, tmp_path, monkeypatch
):
    calls = _recording(monkeypatch, "plot_denoising")
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        argv = ["train", "--model", "denoising", "--data", str(sorted_images), "--out", str(out)]
        assert main([*argv, "--noise-level", "0.5", "--seed", "4", *TINY]) == 0
        runs.append(out)
    (clean, noisy, denoised, shape, path), again = calls[0], calls[1]
    assert _class_of(clean).tolist() == list(range(N_CLASSES)) and shape == (8, 8)
    masked = noisy == 0
    assert 0.3 < masked.mean() < 0.7  # masking at 0.5 zeroes about half the pixels
    np.testing.assert_array_equal(noisy[~masked], clean[~masked])
    model = aekit.load(runs[0])
    np.testing.assert_array_equal(noisy, reporting.corrupted_like_training(model, clean, seed=4))
    np.testing.assert_allclose(denoised, model.reconstruct(noisy), atol=1e-6)
    np.testing.assert_array_equal(again[1], noisy)  # the same seed draws the same noise
    assert path.name == "reconstructions.png"  # written in the staged folder, then moved
    width, height = _png(runs[0] / "reconstructions.png")
    assert height > 250  # three rows of pictures, not two
    plain = tmp_path / "plain"
    assert main(["train", "--data", str(sorted_images), "--out", str(plain), *TINY]) == 0
    assert height > _png(plain / "reconstructions.png")[1]


def test_a_table_gets_a_per_column_error_chart_instead_of_reconstructions(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3)) * [1.0, 10.0, 100.0] + 5
    table = tmp_path / "table.csv"
    header = "height,weight,income,label"
    labels = rng.integers(0, 2, 120)
    np.savetxt(table, np.c_[X, labels], delimiter=",", header=header, comments="")
    calls = _recording(monkeypatch, "plot_column_errors")
    out = tmp_path / "m"
    argv = ["train", "--data", str(table), "--label-column", "label", "--out", str(out)]
    assert main([*argv, *TINY]) == 0
    assert (out / "column_errors.png").is_file() and not (out / "reconstructions.png").exists()
    ((scaled, scaled_rec, path, names, units),) = calls
    assert list(names) == ["height", "weight", "income"] and units == "after standard scaling"
    assert scaled.shape == (24, 3)  # the 20% held out, in the model's (standard) scaling
    assert scaled.std(axis=0).max() < 3  # income (sd 100) is not measured in its units
    model = aekit.load(out)
    np.testing.assert_allclose(
        model.scaler_.inverse_transform(scaled_rec),
        model.reconstruct(model.scaler_.inverse_transform(scaled)),
        rtol=1e-4,
        atol=1e-3,
    )
    assert path.name == "column_errors.png" and _png(out / "column_errors.png")


# ---- the figure functions ---------------------------------------------------------------------
def _captured_figure(monkeypatch):
    figures = []
    original = columns.save_figure

    def save(fig, path):
        figures.append([t.get_text() for t in fig.axes[0].get_xticklabels()])
        figures.append([p.get_height() for p in fig.axes[0].patches])
        figures.append(fig.axes[0].get_ylabel())
        return original(fig, path)

    monkeypatch.setattr(columns, "save_figure", save)
    return figures


def test_column_error_chart_labels_each_bar_with_its_column(tmp_path, monkeypatch):
    inputs = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
    rec = np.array([[1.0, 1.0, 0.0], [3.0, 1.0, 2.0]])
    assert column_errors(inputs, rec).tolist() == [5.0, 0.0, 2.0]
    seen = _captured_figure(monkeypatch)
    path = plot_column_errors(
        inputs, rec, tmp_path / "c.png", feature_names=["a", "b", "c"], units="after scaling"
    )
    assert seen == [["a", "b", "c"], [5.0, 0.0, 2.0], "mean squared error (after scaling)"]
    assert path == tmp_path / "c.png" and _png(path)
    assert [p.name for p in tmp_path.iterdir()] == ["c.png"]  # no temporary file left
    seen.clear()
    plot_column_errors(inputs, rec, tmp_path / "n.png")
    assert seen[0] == ["1", "2", "3"]  # numbered from 1 without names
    with pytest.raises(DataError, match="2 feature names for 3 columns"):
        plot_column_errors(inputs, rec, tmp_path / "x.png", feature_names=["a", "b"])
    with pytest.raises(DataError, match="reconstructions have shape"):
        plot_column_errors(inputs, rec[:, :2], tmp_path / "x.png")


def test_denoising_figure_has_three_rows_and_checks_its_shapes(tmp_path):
    rng = np.random.default_rng(0)
    clean, noisy, rec = (rng.random((4, 36)) for _ in range(3))
    two = reporting.plot_reconstructions(clean, rec, (6, 6), tmp_path / "two.png")
    three = plot_denoising(clean, noisy, rec, (6, 6), tmp_path / "three.png")
    (w2, h2), (w3, h3) = _png(two), _png(three)
    assert w2 == w3 and h3 > h2
    with pytest.raises(DataError, match="denoised have shape 3 x 36"):
        plot_denoising(clean, noisy, rec[:3], (6, 6), tmp_path / "bad.png")
    with pytest.raises(DataError, match="inputs have 30 features, which do not fit"):
        plot_denoising(clean[:, :30], noisy[:, :30], rec[:, :30], (6, 6), tmp_path / "bad.png")


# ---- "trained N epochs": what this run trained ------------------------------------------------
class StopAfter:
    """Stands in for stop_on_signals: asks to stop (SIGINT) after ``steps`` polls."""

    def __init__(self, steps):
        self.steps = steps

    @contextlib.contextmanager
    def __call__(self):
        request = StopRequest()
        polls = iter(range(1, 1_000_000))

        def poll():
            if next(polls) >= self.steps:
                request.signal_number = signal.SIGINT
            return request.signal_number

        yield poll


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """600 rows of 10 features in [0, 1]: in batches of 32, 14 steps an epoch."""
    path = tmp_path_factory.mktemp("data") / "table.npy"
    np.save(path, np.random.default_rng(1).random((600, 10)).astype(np.float32))
    return path


RESUMABLE = ["--hidden", "8", "--code-size", "3", "--epochs", "3", "--batch-size", "32"]


def _trained_line(err):
    (line,) = [x for x in err.splitlines() if x.startswith("trained ")]
    return line


@pytest.mark.parametrize(
    ("steps", "done", "said"),
    [
        (20, 1, "trained 2 epochs (epochs 2-3 of 3; resumed) in "),  # stopped in epoch 2
        (35, 2, "trained 1 epoch (epochs 3-3 of 3; resumed) in "),  # stopped in the last one
        (43, 3, "trained 0 epochs (all 3 of 3 were done before; resumed) in "),  # after it
    ],
)
def test_a_resumed_run_says_how_many_epochs_it_trained_and_where_it_ended(
    table, tmp_path, monkeypatch, capsys, steps, done, said
):
    out = tmp_path / "run"
    argv = ["train", "--data", str(table), "--out", str(out), *RESUMABLE, "--no-pictures"]
    monkeypatch.setattr(cli_resume, "stop_on_signals", StopAfter(steps))
    assert main(argv) == 130
    monkeypatch.undo()
    assert len(checkpoint.load(out / "checkpoints").history["loss"]) == done
    capsys.readouterr()
    assert main(["train", "--resume", str(out)]) == 0
    line = _trained_line(capsys.readouterr().err)
    assert line.startswith(said) and line.endswith(" s")
    assert aekit.load(out).n_iter_ == 3


def test_a_fresh_run_says_how_many_epochs_it_trained(table, tmp_path, capsys):
    argv = ["train", "--data", str(table), "--out", str(tmp_path / "m"), "--no-pictures"]
    assert main([*argv, *RESUMABLE]) == 0
    assert _trained_line(capsys.readouterr().err).startswith("trained 3 epochs in ")
    assert main([*argv, *RESUMABLE[:4], "--epochs", "1", "--overwrite"]) == 0
    assert _trained_line(capsys.readouterr().err).startswith("trained 1 epoch in ")


def test_a_resumed_stacked_model_counts_its_fine_tuning_epochs(
    table, tmp_path, monkeypatch, capsys
):
    stacked = ["--model", "stacked", "--hidden", "8", "--code-size", "3", "--epochs", "2"]
    stacked += ["--pretrain-epochs", "2", "--batch-size", "128", "--no-pictures"]
    out = tmp_path / "run"
    monkeypatch.setattr(cli_resume, "stop_on_signals", StopAfter(14))  # in layer 2's pretraining
    assert main(["train", "--data", str(table), "--out", str(out), *stacked]) == 130
    monkeypatch.undo()
    assert (out / "checkpoints" / "pretrain_layer2").is_dir()
    capsys.readouterr()
    assert main(["train", "--resume", str(out)]) == 0
    line = _trained_line(capsys.readouterr().err)
    assert line.startswith("trained 2 epochs (epochs 1-2 of 2; resumed) in ")
