"""optimizer="muon": Muon for the weight matrices, Adam for the rest, seen as one optimiser."""

import numpy as np
import pytest
import torch

import aekit
from aekit.errors import TrainingInterrupted
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine
from aekit.training.muon import MATRIX_RATE_FACTOR, MuonWithAdam
from aekit.training.settings import TrainSettings

SETTINGS = dict(epochs=6, batch_size=32, precision="float32", optimizer="muon", learning_rate=3e-2)


def _model():
    torch.manual_seed(0)
    return build_module(MLPConfig(n_features=10, hidden=(8,), code_size=2))


def _train(X, **kw):
    m = _model()
    history = engine.train(m, Objective(m.likelihood), X, TrainSettings(**SETTINGS), seed=3, **kw)
    return m, history


@pytest.fixture
def X(small_real):
    return torch.from_numpy(small_real)


def test_matrices_take_muon_at_the_factor_and_the_rest_adam():
    m = _model()
    opt = MuonWithAdam(m.parameters(), lr=1e-3, weight_decay=0.0)
    muon, adam = opt.inner
    assert isinstance(muon, torch.optim.Muon) and isinstance(adam, torch.optim.Adam)
    matrices = {id(p) for p in muon.param_groups[0]["params"]}
    assert matrices == {id(p) for p in m.parameters() if p.ndim == 2}
    assert {id(p) for p in adam.param_groups[0]["params"]} == {
        id(p) for p in m.parameters() if p.ndim != 2
    }
    assert muon.param_groups[0]["lr"] == pytest.approx(MATRIX_RATE_FACTOR * 1e-3)
    assert adam.param_groups[0]["lr"] == pytest.approx(1e-3)


def test_muon_lowers_the_loss_and_the_schedule_keeps_the_ratio(X):
    m, h = _train(X)
    assert h["loss"][-1] < 0.5 * h["loss"][0]
    assert h["lr"][-1] < h["lr"][0]  # cosine reached the groups through the one optimiser


def test_both_parts_move_their_parameters(X):
    before = [p.detach().clone() for p in _model().parameters()]
    m, _ = _train(X)
    for b, p in zip(before, m.parameters(), strict=True):
        assert not torch.equal(b, p), tuple(p.shape)


def test_a_resumed_muon_run_equals_an_uninterrupted_one(X, tmp_path):
    whole, h = _train(X)
    polls = iter(range(1, 10_000))
    with pytest.raises(TrainingInterrupted):
        _train(X, checkpoint_dir=tmp_path, should_stop=lambda: 2 if next(polls) == 11 else None)
    resumed, h2 = _train(X, checkpoint_dir=tmp_path, resume=True)
    for a, b in zip(whole.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(a, b)
    assert h2["loss"] == pytest.approx(h["loss"], rel=1e-6)


def test_the_estimator_and_a_convolutional_model_take_it():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(64, 64)).astype(np.float32)
    est = aekit.Autoencoder(hidden=(16,), code_size=2, epochs=2, optimizer="muon", random_state=0)
    assert est.fit(X).transform(X).shape == (64, 2)
    conv = aekit.ConvAutoencoder(
        image_shape=(1, 8, 8), code_size=3, epochs=1, optimizer="muon", random_state=0
    )  # 4-D kernels go to Adam
    assert conv.fit(X).transform(X).shape == (64, 3)
