"""batch_size="auto" and learning_rate="auto": the rules, and that training follows them."""

import json
import math

import numpy as np
import pytest
import torch

import aekit
from aekit import Autoencoder
from aekit.cli.main import main
from aekit.errors import ConfigError, ModelFileError
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine, greedy, steps
from aekit.training.settings import TrainSettings, batch_size_for, learning_rate_for


@pytest.mark.parametrize(
    ("n_rows", "batch"),
    [
        (54_000, 512),  # Fashion-MNIST less its validation tenth: capped at 512
        (100_000_000, 512),
        (25_600, 256),
        (25_599, 128),  # a power of two at or below n/100
        (10_000, 64),
        (1_293, 32),  # digits: at least 32
        (20, 20),  # never more than the rows there are
    ],
)
def test_auto_batch_is_a_power_of_two_near_one_hundredth_of_the_rows(n_rows, batch):
    assert batch_size_for(TrainSettings(), n_rows) == batch


def test_a_given_batch_size_is_kept_up_to_the_number_of_rows():
    assert batch_size_for(TrainSettings(batch_size=100), 54_000) == 100
    assert batch_size_for(TrainSettings(batch_size=100), 30) == 30


@pytest.mark.parametrize(
    ("optimizer", "batch", "rate"),
    [
        ("adam", 32, 1e-3),  # never below the usual 1e-3
        ("adam", 128, 1e-3),
        ("adam", 512, 2e-3),  # square root of 4
        ("adamw", 2048, 4e-3),
        ("rmsprop", 512, 2e-3),
        ("muon", 2048, 4e-3),  # the Adam part; the matrices take MATRIX_RATE_FACTOR times it
        ("sgd", 512, 4e-3),  # linear for SGD
    ],
)
def test_auto_learning_rate_grows_with_the_batch_above_128(optimizer, batch, rate):
    settings = TrainSettings(optimizer=optimizer)
    assert learning_rate_for(settings, batch) == pytest.approx(rate)


def test_a_given_learning_rate_is_kept():
    assert learning_rate_for(TrainSettings(learning_rate=0.05), 4096) == 0.05


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"batch_size": "big"}, "batch_size must be an integer >= 1 or 'auto', got 'big'"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1 or 'auto', got 0"),
        (
            {"learning_rate": "fast"},
            "learning_rate must be a positive number or 'auto', got 'fast'",
        ),
        ({"learning_rate": True}, "learning_rate must be a positive number or 'auto', got True"),
    ],
)
def test_other_values_are_config_errors(bad, message):
    with pytest.raises(ConfigError) as caught:
        TrainSettings(**bad).validate()
    assert str(caught.value) == message


def test_training_takes_the_auto_batch_and_rate(monkeypatch):
    sizes: list[int] = []
    real_call = steps.EagerStep.__call__

    def counting(self, X, idx):  # type: ignore[no-untyped-def]
        sizes.append(idx.numel())
        return real_call(self, X, idx)

    monkeypatch.setattr(steps.EagerStep, "__call__", counting)
    X = torch.rand(6_400, 4)  # 6,400 rows -> 64 per batch, 100 steps
    torch.manual_seed(0)
    m = build_module(MLPConfig(n_features=4, hidden=(8,), code_size=2))
    settings = TrainSettings(epochs=1, validation_fraction=0, optimizer="sgd", device="cpu")
    history = engine.train(m, Objective(m.likelihood), X, settings, seed=0)
    assert set(sizes) == {64} and len(sizes) == 100
    assert history["lr"][0] == pytest.approx(1e-3)  # SGD at 64 rows: no raise below 128


def test_estimators_default_to_auto_and_save_it(tmp_path):
    X = np.random.default_rng(0).random((300, 6), dtype=np.float32)
    ae = Autoencoder(hidden=(8,), code_size=2, epochs=2, random_state=0)
    assert ae.batch_size == "auto" and ae.learning_rate == "auto"
    ae.fit(X).save(tmp_path / "model")
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["params"]["batch_size"] == "auto" and config["params"]["learning_rate"] == "auto"
    assert aekit.load(tmp_path / "model").get_params()["batch_size"] == "auto"
    config["params"]["batch_size"] = "big"
    (tmp_path / "model" / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        ModelFileError, match=r"params\.batch_size must be an integer or 'auto', got 'big'"
    ):
        aekit.load(tmp_path / "model")


def test_cli_takes_auto_or_a_number_and_names_a_bad_value(tmp_path, capsys):
    args = ["--hidden", "8", "--code-size", "2", "--epochs", "1", "--quiet", "--no-pictures"]
    out = tmp_path / "m"
    assert (
        main(["train", "--data", "digits", "--out", str(out), "--batch-size", "auto", *args]) == 0
    )
    for option, value in (("--batch-size", "big"), ("--lr", "fast"), ("--batch-size", "1.5")):
        with pytest.raises(SystemExit) as stop:
            main(["train", "--data", "digits", "--out", str(tmp_path / "x"), option, value, *args])
        assert stop.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert option in err and f"got {value!r}" in err, err
    assert not (tmp_path / "x").exists()


def test_rbm_from_the_cli_keeps_its_own_optimiser(tmp_path):
    out = tmp_path / "rbm"
    args = ["--model", "rbm", "--code-size", "4", "--epochs", "1", "--quiet", "--no-pictures"]
    assert main(["train", "--data", "digits", "--out", str(out), *args]) == 0
    params = json.loads((out / "config.json").read_text())["params"]
    assert (params["optimizer"], params["learning_rate"], params["batch_size"]) == (
        "sgd",
        0.05,
        100,
    )
    assert math.isfinite(
        json.loads((out / "metrics.json").read_text())["autoencoder_squared_error"]
    )


# -- greedy pretraining's own "auto" rate -------------------------------------------------
@pytest.mark.parametrize(
    ("pretrain_rate", "fine_rate", "expected"),
    [
        ("auto", "auto", 8e-3),  # 60,000 rows less a tenth -> batch 512 -> 4 x 2e-3
        ("auto", 0.05, 8e-3),  # "auto" does not follow a given fine-tuning rate
        (None, 0.05, 0.05),  # None: the fine-tuning rate, as given
        (None, "auto", "auto"),  # ... or left for the engine to resolve
        (0.01, "auto", 0.01),
    ],
)
def test_pretraining_rate(pretrain_rate, fine_rate, expected):
    settings = TrainSettings(learning_rate=fine_rate, validation_fraction=0.1, early_stopping=True)
    pre = greedy.pretrain_settings(settings, 3, pretrain_rate, n_rows=60_000)
    if expected == "auto":
        assert pre.learning_rate == "auto"
    else:
        assert pre.learning_rate == pytest.approx(expected)
    assert (pre.epochs, pre.early_stopping, pre.batch_size) == (3, False, "auto")


def test_auto_pretraining_rate_follows_the_batch_the_engine_will_pick():
    # digits: 1,797 rows less a tenth -> batch 32 -> Adam's 1e-3 -> 4e-3
    pre = greedy.pretrain_settings(TrainSettings(validation_fraction=0.1), 1, "auto", 1_797)
    assert pre.learning_rate == pytest.approx(4e-3)
    sgd = TrainSettings(optimizer="sgd", batch_size=512)  # linear rule: 4e-3, then x4
    assert greedy.pretrain_settings(sgd, 1, "auto", 60_000).learning_rate == pytest.approx(1.6e-2)


def test_stacked_pretrains_at_its_auto_rate_and_names_a_bad_one(monkeypatch):
    rates: list[float] = []
    real_train = engine.train

    def recording(model, objective, X, settings, **kwargs):  # type: ignore[no-untyped-def]
        rates.append(settings.learning_rate)
        return real_train(model, objective, X, settings, **kwargs)

    monkeypatch.setattr(engine, "train", recording)
    X = np.random.default_rng(0).random((200, 6), dtype=np.float32)
    est = aekit.StackedAutoencoder(hidden=(5,), code_size=2, epochs=1, pretrain_epochs=1)
    assert est.get_params()["pretrain_learning_rate"] == "auto"
    est.fit(X)
    assert rates == [pytest.approx(4e-3), pytest.approx(4e-3), "auto"]  # two layers, fine-tune
    for bad in ("fast", True, 0):
        with pytest.raises(ConfigError, match="'pretrain_learning_rate' parameter of Stacked"):
            aekit.StackedAutoencoder(hidden=(5,), code_size=2, pretrain_learning_rate=bad).fit(X)
