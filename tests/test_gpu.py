"""CUDA paths: the captured-graph step trains exactly like the eager one. Run with -m gpu."""

import pytest
import torch

from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import engine
from aekit.training.settings import TrainSettings

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def _train(X, **settings):
    torch.manual_seed(0)
    m = build_module(MLPConfig(n_features=X.shape[1], hidden=(64, 32), code_size=4))
    s = TrainSettings(
        **{"epochs": 4, "batch_size": 50, "device": "cuda", "precision": "float32", **settings}
    )
    return m, engine.train(m, Objective(m.likelihood), X, s, seed=0)


@pytest.fixture
def X():
    g = torch.Generator().manual_seed(0)
    return torch.rand(1030, 20, generator=g)  # 1030 rows: a ragged last batch every epoch


def test_graph_and_eager_steps_give_the_same_training(X):
    mg, hg = _train(X, cuda_graphs=True)
    me, he = _train(X, cuda_graphs=False)
    for a, b in zip(hg["loss"], he["loss"], strict=True):
        assert a == pytest.approx(b, rel=1e-4)
    for pg, pe in zip(mg.parameters(), me.parameters(), strict=True):
        torch.testing.assert_close(pg, pe, rtol=1e-3, atol=1e-5)


def test_schedule_reaches_the_captured_graph(X):
    _, h = _train(X, cuda_graphs=True, lr_schedule="cosine", epochs=3)
    _, he = _train(X, cuda_graphs=False, lr_schedule="cosine", epochs=3)
    assert h["lr"] == pytest.approx(he["lr"])
    assert h["loss"][-1] == pytest.approx(he["loss"][-1], rel=1e-4)


@pytest.mark.parametrize("precision", ["tf32", "bf16"])
def test_fast_precisions_track_float32(X, precision):
    _, h32 = _train(X, precision="float32")
    _, hp = _train(X, precision=precision)
    for a, b in zip(h32["loss"], hp["loss"], strict=True):
        assert abs(a - b) / a < 0.02
    assert torch.get_float32_matmul_precision() == "highest"  # restored after training
