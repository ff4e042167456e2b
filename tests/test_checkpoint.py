"""Checkpoints: a stopped or killed run, resumed, ends with the weights of an unbroken one."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from aekit.errors import ConfigError, ModelFileError, TrainingError, TrainingInterrupted
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import checkpoint, engine
from aekit.training.settings import TrainSettings

SETTINGS = dict(epochs=4, batch_size=32, precision="float32", lr_schedule="cosine")


def _model():
    torch.manual_seed(0)
    return build_module(MLPConfig(n_features=10, hidden=(8,), code_size=2))


def _train(X, model=None, **kw):
    m = model or _model()
    settings = TrainSettings(**{**SETTINGS, **kw.pop("settings", {})})
    history = engine.train(m, Objective(m.likelihood), X, settings, seed=3, **kw)
    return m, history


def _same_weights(a, b):
    pairs = zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    return all(torch.equal(p, q) for p, q in pairs)


@pytest.fixture
def X(small_real):
    return torch.from_numpy(small_real)


@pytest.fixture
def reference(X):
    return _train(X)


def test_resume_after_a_stop_between_epochs_is_bit_identical(X, reference, tmp_path):
    class StopAfter2:
        def on_epoch_end(self, epoch, logs):
            return epoch == 2

    _train(X, callbacks=[StopAfter2()], checkpoint_dir=tmp_path)
    resumed, history = _train(X, checkpoint_dir=tmp_path, resume=True)
    assert _same_weights(resumed, reference[0])
    assert history["loss"] == reference[1]["loss"]


@pytest.mark.parametrize("stop_after_steps", [1, 5, 9, 17])
def test_resume_after_an_interrupt_mid_epoch_is_bit_identical(
    X, reference, tmp_path, stop_after_steps
):
    calls = iter(range(1, 10_000))

    def should_stop():
        return signal.SIGINT if next(calls) == stop_after_steps else None

    with pytest.raises(TrainingInterrupted, match="signal 2 in epoch") as info:
        _train(X, checkpoint_dir=tmp_path, should_stop=should_stop)
    assert info.value.signal_number == signal.SIGINT
    resumed, history = _train(X, checkpoint_dir=tmp_path, resume=True)
    assert _same_weights(resumed, reference[0])
    assert history["loss"] == pytest.approx(reference[1]["loss"], rel=1e-6)


def test_checkpoint_holds_no_pickle_and_round_trips(X, tmp_path):
    _train(X, checkpoint_dir=tmp_path, settings={"epochs": 1})
    raw = (tmp_path / checkpoint.FILENAME).read_bytes()
    assert not raw.startswith(b"\x80") and not raw.startswith(b"PK")
    state = checkpoint.load(tmp_path)
    assert state.epoch == 2 and state.next_begin == 0 and len(state.history["loss"]) == 1


def test_resume_refuses_a_checkpoint_of_another_run(X, tmp_path):
    _train(X, checkpoint_dir=tmp_path, settings={"epochs": 1})
    with pytest.raises(ConfigError, match="batch_size"):
        _train(X, checkpoint_dir=tmp_path, resume=True, settings={"batch_size": 64})


def test_resume_without_checkpoint_is_a_clear_error(X, tmp_path):
    with pytest.raises(ModelFileError, match="no checkpoint to resume from"):
        _train(X, checkpoint_dir=tmp_path, resume=True)


def test_nan_loss_stops_with_epoch_and_likely_cause_and_keeps_the_checkpoint(X, tmp_path):
    class Poison:  # after epoch 1, the weights become NaN as a too-large step would make them
        def on_epoch_end(self, epoch, logs):
            if epoch == 1:
                with torch.no_grad():
                    next(model.parameters()).fill_(float("nan"))

    model = _model()
    # With weight averaging a callback sees the average, and the trained weights come back
    # after it: only without averaging does the poison reach the next epoch's steps.
    with pytest.raises(TrainingError, match="became nan in epoch 2.*learning rate"):
        _train(
            X,
            model=model,
            callbacks=[Poison()],
            checkpoint_dir=tmp_path,
            settings={"average_weights": False},
        )
    assert checkpoint.load(tmp_path).epoch == 2  # the good checkpoint after epoch 1 is kept


def test_gradient_clipping_limits_the_update(X):
    free, _ = _train(X, settings={"epochs": 1, "optimizer": "sgd", "learning_rate": 1e-3})
    clipped, _ = _train(
        X, settings={"epochs": 1, "optimizer": "sgd", "learning_rate": 1e-3, "clip_grad_norm": 1e-3}
    )
    start = _model()

    def moved(m):
        pairs = zip(m.parameters(), start.parameters(), strict=True)
        return sum((p - q).norm() for p, q in pairs)

    assert moved(clipped) < 0.1 * moved(free)


DRIVER = textwrap.dedent(
    """
    import sys, torch
    from safetensors.torch import save_file
    from aekit.models.builders import build_module
    from aekit.models.config import MLPConfig
    from aekit.objectives.objective import Objective
    from aekit.training import engine
    from aekit.training.settings import TrainSettings
    torch.set_num_threads(1)
    folder, resume, out = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
    g = torch.Generator().manual_seed(0)
    X = torch.rand(4000, 20, generator=g)
    torch.manual_seed(0)
    m = build_module(MLPConfig(n_features=20, hidden=(64, 32), code_size=4))
    s = TrainSettings(epochs=12, batch_size=16, precision="float32")
    engine.train(m, Objective(m.likelihood), X, s, seed=1, checkpoint_dir=folder,
                 resume=resume)
    save_file({k: v.contiguous() for k, v in m.state_dict().items()}, out)
    """
)


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume_gives_identical_weights(tmp_path):
    from safetensors.torch import load_file

    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    run = lambda *a: subprocess.Popen([sys.executable, str(driver), *map(str, a)])  # noqa: E731
    assert run(tmp_path / "ref", 0, tmp_path / "ref.safetensors").wait(timeout=300) == 0
    reference = load_file(tmp_path / "ref.safetensors")
    folder = tmp_path / "killed"
    rng = torch.Generator().manual_seed(7)
    state = folder / checkpoint.FILENAME
    for _ in range(5):  # kill -9 five times at random moments, resuming each time
        before = state.stat().st_mtime_ns if state.exists() else None
        proc = run(folder, int(before is not None), tmp_path / "x")
        deadline = time.time() + 120
        while proc.poll() is None and time.time() < deadline:  # until it writes a checkpoint
            if state.exists() and state.stat().st_mtime_ns != before:
                break
            time.sleep(0.01)
        time.sleep(0.4 * torch.rand(1, generator=rng).item())  # then a random moment later
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert run(folder, 1, tmp_path / "final.safetensors").wait(timeout=300) == 0
    final = load_file(tmp_path / "final.safetensors")
    assert all(torch.equal(final[k], reference[k]) for k in reference)
