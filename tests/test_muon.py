"""optimizer="muon": Muon for the weight matrices, Adam for the rest, seen as one optimiser."""

import numpy as np
import pytest
import torch

import aekit
from aekit.errors import TrainingInterrupted
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine, hardware, newton_schulz
from aekit.training.muon import MATRIX_RATE_FACTOR, MatrixMuon, MuonWithAdam
from aekit.training.newton_schulz import iteration_dtype, orthogonalize
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
    assert isinstance(muon, MatrixMuon) and isinstance(adam, torch.optim.Adam)
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


@pytest.mark.parametrize("shape", [(40, 12), (12, 40), (25, 25)])
def test_orthogonalize_flattens_the_singular_values_and_keeps_the_directions(shape):
    torch.manual_seed(1)
    k = min(shape)
    u, _ = torch.linalg.qr(torch.randn(shape[0], k))
    v, _ = torch.linalg.qr(torch.randn(shape[1], k))
    g = u @ torch.diag(torch.logspace(0, -2, k)) @ v.T  # singular values from 1 down to 0.01
    o = orthogonalize(g)
    assert o.shape == g.shape and o.dtype == torch.float32
    s = torch.linalg.svdvals(o)
    assert 0.5 < s.min() and s.max() < 1.5, s  # Jordan et al.'s band, not exactly 1
    polar = u @ v.T
    cosine = (o * polar).sum() / (o.norm() * polar.norm())
    assert cosine > 0.95


def test_orthogonalize_matches_torch_muons_iteration_in_bf16():
    zeropower = pytest.importorskip("torch.optim._muon")._zeropower_via_newtonschulz
    torch.manual_seed(2)
    g = torch.randn(30, 20)
    ours = orthogonalize(g, dtype=torch.bfloat16).float()
    theirs = zeropower(g, newton_schulz.JORDAN_COEFFICIENTS, 5, 1e-7).float()
    assert torch.allclose(ours, theirs, atol=0.03), (ours - theirs).abs().max()
    assert torch.allclose(orthogonalize(g), theirs, atol=0.03)  # float32: within bf16 rounding


def test_the_iterations_run_in_bf16_only_where_the_cpu_computes_it(monkeypatch):
    cpu = torch.device("cpu")
    monkeypatch.setattr(hardware, "cpu_has_native_bf16", lambda: False)
    assert iteration_dtype(cpu) == torch.float32  # emulated bf16 ran ~80x slower (AVX2 EPYC)
    monkeypatch.setattr(hardware, "cpu_has_native_bf16", lambda: True)
    assert iteration_dtype(cpu) == torch.bfloat16


def test_a_matrix_step_is_torch_muons_step(monkeypatch):
    monkeypatch.setattr(hardware, "cpu_has_native_bf16", lambda: True)  # torch's bf16
    torch.manual_seed(3)
    ours = [torch.nn.Parameter(torch.randn(30, 20)), torch.nn.Parameter(torch.randn(20, 40))]
    theirs = [torch.nn.Parameter(p.detach().clone()) for p in ours]
    a = MatrixMuon(ours, lr=0.02, weight_decay=0.1)
    b = torch.optim.Muon(theirs, lr=0.02, weight_decay=0.1, adjust_lr_fn="match_rms_adamw")
    start = [p.detach().clone() for p in ours]
    for _ in range(4):
        for p, q in zip(ours, theirs, strict=True):
            p.grad = torch.randn_like(p)
            q.grad = p.grad.clone()
        a.step()
        b.step()
    for p, q, p0 in zip(ours, theirs, start, strict=True):
        moved = (q - p0).abs().max()
        assert (p - q).abs().max() < 0.02 * moved  # the same update up to bf16 rounding


def test_matrix_muon_refuses_other_shapes():
    with pytest.raises(ValueError, match="2-D parameters"):
        MatrixMuon([torch.nn.Parameter(torch.zeros(3))], lr=0.1)
