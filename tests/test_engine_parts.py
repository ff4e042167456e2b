"""The training engine in parts: batch sources, checkpointer, early stopping, short functions."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import aekit
from aekit.errors import ConfigError
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import batches, checkpoint, distributed, engine, steps, streaming
from aekit.training.early_stopping import EarlyStopping
from aekit.training.settings import TrainSettings

TRAINING = Path(engine.__file__).parent
MAX_FUNCTION_LINES = 60
CPU = torch.device("cpu")
ALONE = distributed.Context()  # a run on its own


def _model(n_features=10):
    torch.manual_seed(0)
    return build_module(MLPConfig(n_features=n_features, hidden=(4,), code_size=2))


def _settings(**kw):
    return TrainSettings(**{"epochs": 3, "batch_size": 8, "precision": "float32", **kw})


def test_no_function_in_the_training_package_is_longer_than_60_lines():
    long = []
    for path in sorted(TRAINING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.name}:{node.name} ({lines} lines)")
    assert not long, long


# -- early stopping needs a validation row -------------------------------------------------
def test_early_stopping_without_a_validation_row_is_a_config_error_before_training(monkeypatch):
    def no_step(*args, **kwargs):
        raise AssertionError("a step ran")

    monkeypatch.setattr(steps.EagerStep, "__call__", no_step)
    m = _model(4)
    X = torch.rand(5, 4, generator=torch.Generator().manual_seed(0))
    s = _settings(early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ConfigError) as err:
        engine.train(m, Objective(m.likelihood), X, s, seed=0)
    message = str(err.value)
    assert "\n" not in message
    for part in ("early_stopping", "validation_fraction=0.1", "5 rows", "early_stopping=False"):
        assert part in message


def test_early_stopping_with_one_validation_row_trains():
    m = _model(4)
    X = torch.rand(10, 4, generator=torch.Generator().manual_seed(0))  # floor(1.0): one row
    s = _settings(early_stopping=True, validation_fraction=0.1, patience=1)
    history = engine.train(m, Objective(m.likelihood), X, s, seed=0)
    assert "val_loss" in history and "best_epoch" in history


def test_an_estimator_with_early_stopping_on_five_rows_is_a_config_error():
    X = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    est = aekit.Autoencoder(hidden=(4,), code_size=2, epochs=2, early_stopping=True)
    with pytest.raises(ConfigError, match="early_stopping needs at least one validation row"):
        est.fit(X)


# -- batch sources ---------------------------------------------------------------------------
def _split(n, fraction=0.2):
    return engine.split_validation(n, fraction, torch.Generator().manual_seed(0))


def _source(X, ctx=ALONE, budget=None, fraction=0.2):
    train_idx, val_idx = _split(X.shape[0], fraction)
    return batches.make_batches(X, train_idx, val_idx, 8, budget, ctx, CPU)


@pytest.fixture
def mapped(small_real, tmp_path):
    np.save(tmp_path / "X.npy", small_real)
    return streaming.MappedRows(np.load(tmp_path / "X.npy", mmap_mode="r"))


def test_the_factory_picks_the_source_from_the_data_and_the_context(small_real, mapped):
    X = torch.from_numpy(small_real)
    assert type(_source(X)) is engine.ResidentBatches
    assert type(_source(mapped, budget=1000 / streaming.MB)) is streaming.StreamedBatches
    assert type(_source(mapped, budget=1.0)) is engine.ResidentBatches  # fits: read in
    assert type(_source(mapped)) is engine.ResidentBatches  # no budget: read in
    sharded = distributed.Context(0, 2, active=True)
    assert type(_source(X, ctx=sharded)) is distributed.ShardedBatches


def test_every_source_serves_each_training_row_once_and_validates_the_others(small_real, mapped):
    X = torch.from_numpy(small_real)
    train_idx, val_idx = _split(300)
    m = _model()
    objective = Objective(m.likelihood)
    expected = engine.evaluate_loss(m, objective, X[val_idx], 1024, None, CPU)
    for source in (_source(X), _source(mapped, budget=1000 / streaming.MB)):
        perm = source.order(torch.Generator().manual_seed(1))
        picked = torch.cat([data[idx] for _, (data, idx) in source.epoch(perm, 0)])
        assert torch.equal(picked.sort(0).values, X[train_idx].sort(0).values)
        assert source.validation(m, objective, 1024, None) == pytest.approx(expected)
        assert source.peak_abs() == pytest.approx(float(X.abs().max()), rel=1e-6)
    assert _source(X, fraction=0.0).validation(m, objective, 1024, None) == {}


def test_only_a_streamed_source_adds_to_the_checkpoint_fingerprint(small_real, mapped):
    assert _source(torch.from_numpy(small_real)).fingerprint() == {}
    streamed = _source(mapped, budget=1000 / streaming.MB)
    assert streamed.fingerprint() == {"stream_chunk_rows": 25}


# -- checkpointer and early stopping --------------------------------------------------------
def test_checkpoints_are_written_every_n_epochs_and_after_the_last(
    small_real, tmp_path, monkeypatch
):
    written = []
    real_save = checkpoint.save
    monkeypatch.setattr(
        checkpoint,
        "save",
        lambda state, folder: written.append(state.epoch) or real_save(state, folder),
    )
    m = _model()
    X = torch.from_numpy(small_real)
    engine.train(
        m,
        Objective(m.likelihood),
        X,
        _settings(epochs=5),
        seed=0,
        checkpoint_dir=tmp_path,
        checkpoint_every=2,
    )
    assert written == [3, 5, 6]  # after epochs 2, 4 and 5: the epoch to continue with


def test_early_stopping_asks_to_stop_after_patience_and_restores_the_best_weights():
    m = _model()
    early = EarlyStopping(m, patience=2)
    best = {k: v.clone() for k, v in m.state_dict().items()}
    assert not early.on_epoch_end(1, {"val_loss": 1.0})
    with torch.no_grad():
        for p in m.parameters():
            p.add_(1.0)
    assert not early.on_epoch_end(2, {"val_loss": 2.0})
    assert early.on_epoch_end(3, {"val_loss": math.inf})
    history: dict[str, list[float]] = {}
    early.restore_best(history)
    assert history == {"best_epoch": [1.0]}
    assert all(torch.equal(v, best[k]) for k, v in m.state_dict().items())
