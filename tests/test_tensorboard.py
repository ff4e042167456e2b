"""``aekit train --tensorboard DIR``: what the event files and the projector hold, read back
with TensorBoard's own reader, and one clear line when the package is missing."""

import json
import math
import sys

import numpy as np
import pytest
from torch import nn

pytest.importorskip("tensorboard")

from PIL import Image  # noqa: E402  (tensorboard needs pillow)
from sklearn.base import clone  # noqa: E402
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from aekit import Autoencoder  # noqa: E402
from aekit.cli.main import main  # noqa: E402
from aekit.cli.outputs import load_data  # noqa: E402
from aekit.reporting.tensorboard import TensorBoardLogger  # noqa: E402

TINY = ["--hidden", "16", "--code-size", "3", "--quiet", "--seed", "0"]
TERMS = ("loss", "reconstruction")  # the terms of a plain autoencoder's history
EVERYTHING = {k: 0 for k in ("scalars", "histograms", "images", "tensors", "audio")}


def _events(folder):
    return EventAccumulator(str(folder), size_guidance=EVERYTHING).Reload()


def _steps(events, tag):
    return [e.step for e in events.Scalars(tag)]


def _values(events, tag):
    return [e.value for e in events.Scalars(tag)]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """Three epochs on digits, logged to TensorBoard: (model folder, log folder)."""
    root = tmp_path_factory.mktemp("tb")
    out, logs = root / "model", root / "logs"
    argv = ["train", "--data", "digits", "--out", str(out), "--epochs", "3", *TINY]
    assert main([*argv, "--no-pictures", "--tensorboard", str(logs)]) == 0
    return out, logs


def test_every_loss_term_is_logged_per_epoch_for_training_and_validation(digits_run):
    out, logs = digits_run
    history = json.loads((out / "history.json").read_text())
    events = _events(logs)
    for term in TERMS:
        for tag, key in ((f"{term}/train", term), (f"{term}/validation", f"val_{term}")):
            assert _steps(events, tag) == [1, 2, 3]
            np.testing.assert_allclose(_values(events, tag), history[key], rtol=1e-6)
    assert _steps(events, "learning_rate") == [1, 2, 3]
    np.testing.assert_allclose(_values(events, "learning_rate"), history["lr"], rtol=1e-6)


def test_a_histogram_of_every_parameter_each_epoch_of_a_short_run(digits_run):
    _, logs = digits_run
    events = _events(logs)
    tags = events.Tags()["histograms"]
    assert len(tags) == 8  # 2 encoder and 2 decoder layers, weight and bias each
    assert all(t.startswith("parameters/") for t in tags)
    assert "parameters/encoder_layers.0.weight" in tags
    for tag in tags:
        assert [h.step for h in events.Histograms(tag)] == [1, 2, 3]
    weights = events.Histograms("parameters/encoder_layers.0.weight")[0].histogram_value
    assert weights.num == 64 * 16  # every weight of the first layer, counted once


def test_inputs_above_reconstructions_as_one_image(digits_run):
    _, logs = digits_run
    (image,) = _events(logs).Images("reconstructions")
    # one digit of each class, 8 x 8 pixels enlarged 4 times, a pixel of white between
    assert image.step == 3
    assert (image.width, image.height) == (10 * 33 + 1, 2 * 33 + 1)


def test_the_projector_holds_the_codes_labels_and_sprite_of_the_held_out_rows(digits_run):
    _, logs = digits_run
    config = (logs / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "codes:00003"' in config and "sprite" in config
    folder = logs / "00003" / "codes"
    codes = np.loadtxt(folder / "tensors.tsv", delimiter="\t")
    test = load_data("digits")
    assert codes.shape == (360, 3)  # every held-out row (fewer than 500), a 3-unit code
    labels = (folder / "metadata.tsv").read_text().split()
    assert labels == [str(v) for v in test.y_test]  # in row order
    side = math.ceil(math.sqrt(360)) * 8  # a square of 8 x 8 digits
    assert Image.open(folder / "sprite.png").size == (side, side)
    assert "single_image_dim: 8" in config


def test_a_stacked_model_logs_each_pretraining_layer_under_its_own_tag(tmp_path):
    out, logs = tmp_path / "model", tmp_path / "logs"
    argv = ["train", "--data", "digits", "--out", str(out), "--model", "stacked", *TINY]
    argv += ["--epochs", "2", "--pretrain-epochs", "2", "--no-pictures"]
    assert main([*argv, "--tensorboard", str(logs)]) == 0
    history = json.loads((out / "history.json").read_text())
    events = _events(logs)
    scalars = events.Tags()["scalars"]
    for layer in (1, 2):  # 16 hidden units, then the code
        stage = f"pretrain_layer{layer}"
        for tag, key in (("loss/train", "loss"), ("loss/validation", "val_loss")):
            assert _steps(events, f"{stage}/{tag}") == [1, 2]
            np.testing.assert_allclose(
                _values(events, f"{stage}/{tag}"), history[f"{stage}_{key}"], rtol=1e-6
            )
        assert f"{stage}/learning_rate" in scalars
        assert any(t.startswith(f"{stage}/parameters/") for t in events.Tags()["histograms"])
    assert not any(t.startswith("pretrain_layer3/") for t in scalars)
    np.testing.assert_allclose(_values(events, "loss/train"), history["loss"], rtol=1e-6)


def test_without_the_package_one_line_before_training_and_nothing_written(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # import tensorboard: ImportError
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    out, logs = tmp_path / "model", tmp_path / "logs"
    argv = ["train", "--data", "digits", "--out", str(out), "--epochs", "1", *TINY]
    assert main([*argv, "--tensorboard", str(logs)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "aekit train: error: --tensorboard needs the tensorboard package: "
        "pip install aekit[tensorboard]\n"
    )
    assert not out.exists() and not logs.exists()


def test_the_anomaly_task_refuses_the_flag_in_one_line(tmp_path, capsys):
    argv = ["train", "--data", "digits", "--out", str(tmp_path / "m"), "--task", "anomaly"]
    assert main([*argv, "--tensorboard", str(tmp_path / "logs"), "--quiet"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "logs").exists()


def test_histograms_every_n_epochs_and_under_the_stage_name(tmp_path):
    logger = TensorBoardLogger(tmp_path, histogram_every=2)
    logger.on_train_begin(nn.Linear(2, 1), "pretrain_layer1")
    for epoch in range(1, 6):
        logger.on_epoch_end(epoch, {"loss": 1.0 / epoch, "val_loss": 2.0, "lr": 0.1})
    logger.close()
    events = _events(tmp_path)
    histograms = events.Tags()["histograms"]
    assert sorted(histograms) == [
        "pretrain_layer1/parameters/bias",
        "pretrain_layer1/parameters/weight",
    ]
    assert [h.step for h in events.Histograms(histograms[0])] == [1, 2, 4]  # first, every 2nd
    assert _steps(events, "pretrain_layer1/loss/validation") == [1, 2, 3, 4, 5]


def test_a_cloned_estimator_logs_to_the_same_logger(tmp_path):
    logger = TensorBoardLogger(tmp_path)
    assert clone(Autoencoder(callbacks=[logger])).callbacks[0] is logger
