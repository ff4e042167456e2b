"""The training engine: learning happens, seeds decide everything, history is complete."""

import pytest
import torch

from aekit.errors import ConfigError
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine, steps
from aekit.training.settings import TrainSettings


def _fit(X, seed=0, **settings):
    torch.manual_seed(seed)
    m = build_module(MLPConfig(n_features=X.shape[1], hidden=(16,), code_size=2))
    s = TrainSettings(**{"epochs": 20, "batch_size": 32, "precision": "float32", **settings})
    history = engine.train(m, Objective(m.likelihood), X, s, seed=seed)
    return m, history


@pytest.fixture
def X(small_real):
    return torch.from_numpy(small_real)


def test_training_lowers_the_loss(X):
    _, h = _fit(X, epochs=60)
    assert h["loss"][-1] < 0.3 * h["loss"][0]
    assert h["val_loss"][-1] < h["val_loss"][0]


def test_history_has_every_term_per_epoch(X):
    _, h = _fit(X, epochs=3)
    for key in ("loss", "reconstruction", "val_loss", "val_reconstruction", "lr", "epoch_time"):
        assert len(h[key]) == 3, key


def test_same_seed_gives_identical_weights_and_other_seed_does_not(X):
    a, _ = _fit(X, seed=1, epochs=3)
    b, _ = _fit(X, seed=1, epochs=3)
    c, _ = _fit(X, seed=2, epochs=3)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not all(
        torch.equal(pa, pc) for pa, pc in zip(a.parameters(), c.parameters(), strict=True)
    )


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd", "rmsprop", "muon"])
def test_each_optimizer_learns(X, optimizer):
    lr = {"sgd": 1e-3, "rmsprop": 1e-4, "muon": 1e-2}.get(optimizer, 1e-3)
    _, h = _fit(X, optimizer=optimizer, learning_rate=lr, epochs=10)
    assert h["loss"][-1] < h["loss"][0]


@pytest.mark.parametrize("schedule", ["cosine", "step"])
def test_schedules_lower_the_learning_rate(X, schedule):
    _, h = _fit(X, lr_schedule=schedule, epochs=8)
    assert h["lr"][-1] < h["lr"][0]


def test_early_stopping_stops_and_keeps_the_best_epoch(X):
    m, h = _fit(X, epochs=200, early_stopping=True, patience=3, learning_rate=0.05)
    assert len(h["loss"]) < 200
    best = int(h["best_epoch"][0])
    assert h["val_loss"][best - 1] == min(h["val_loss"])
    assert len(h["loss"]) - best == 3


def test_callback_can_stop_training(X):
    class StopAt2:
        def on_epoch_end(self, epoch, logs):
            return epoch == 2

    torch.manual_seed(0)
    m = build_module(MLPConfig(n_features=10, hidden=(4,), code_size=2))
    h = engine.train(
        m, Objective(m.likelihood), X, TrainSettings(epochs=10), seed=0, callbacks=[StopAt2()]
    )
    assert len(h["loss"]) == 2


def test_no_validation_split_when_fraction_is_zero(X):
    _, h = _fit(X, validation_fraction=0.0, epochs=2)
    assert "val_loss" not in h


@pytest.mark.parametrize(
    "bad",
    [
        {"epochs": 0},
        {"batch_size": -1},
        {"optimizer": "lbfgs"},
        {"learning_rate": 0},
        {"validation_fraction": 1.0},
        {"early_stopping": True, "validation_fraction": 0.0},
        {"precision": "fp8"},
        {"device": "tpu"},
    ],
)
def test_bad_settings_are_config_errors(X, bad):
    with pytest.raises(ConfigError):
        _fit(X, **bad)


def test_bf16_and_float32_training_agree_within_rounding(X):
    _, h32 = _fit(X, epochs=5, precision="float32")
    _, h16 = _fit(X, epochs=5, precision="bf16")
    for a, b in zip(h32["loss"], h16["loss"], strict=True):
        assert abs(a - b) / a < 0.05  # bf16 keeps ~3 significant digits per product


def test_batches_are_picked_from_the_callers_rows_without_a_copy(X, monkeypatch):
    seen: list[tuple[int, torch.Tensor]] = []
    real_call = steps.EagerStep.__call__

    def recording(self, data, idx):  # type: ignore[no-untyped-def]
        seen.append((data.data_ptr(), idx.clone()))
        return real_call(self, data, idx)

    monkeypatch.setattr(steps.EagerStep, "__call__", recording)
    _fit(X, epochs=1, validation_fraction=0.2, device="cpu")
    train_rows, val_rows = engine.split_validation(len(X), 0.2, torch.Generator().manual_seed(0))
    assert {ptr for ptr, _ in seen} == {X.data_ptr()}  # the caller's tensor, not a copy
    picked = torch.cat([idx for _, idx in seen]).sort().values
    assert torch.equal(picked, train_rows)  # each training row once, no validation row
