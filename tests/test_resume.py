"""Checkpoints from fit and `aekit train`: stop, resume, Ctrl-C and SIGTERM, bit for bit."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

import aekit
import aekit.cli.resume as cli_resume
from aekit import Autoencoder, DenoisingAutoencoder, StackedAutoencoder
from aekit.cli.main import main
from aekit.cli.signals import StopRequest, stop_on_signals
from aekit.errors import ConfigError, ModelFileError, TrainingInterrupted
from aekit.training import checkpoint

SMALL = dict(hidden=(8,), code_size=3, epochs=3, batch_size=32)


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).random((240, 12)).astype(np.float32)


def _stop_after(steps, number=signal.SIGINT):
    calls = iter(range(1, 1_000_000))
    return lambda: number if next(calls) == steps else None


def _same(a, b):
    pairs = zip(a.module_.state_dict().values(), b.module_.state_dict().values(), strict=True)
    return all(torch.equal(p, q) for p, q in pairs)


# ---- the estimator: fit(..., checkpoint_dir, resume, should_stop) ---------------------------
# 216 training rows in batches of 32: 7 steps an epoch. A stacked model polls 14 times per
# pretrained layer (2 epochs) before its 21 fine-tuning steps.
STOPS = [
    (Autoencoder, {}, 1),  # the first step
    (Autoencoder, {}, 9),  # mid-epoch 2
    (Autoencoder, {}, 21),  # the very last step
    (DenoisingAutoencoder, {}, 10),  # corruption noise: its generator must resume too
    (StackedAutoencoder, {"pretrain_epochs": 2}, 3),  # layer 1 pretraining
    (StackedAutoencoder, {"pretrain_epochs": 2}, 20),  # layer 2 pretraining
    (StackedAutoencoder, {"pretrain_epochs": 2}, 40),  # fine-tuning
]


@pytest.mark.parametrize(
    ("cls", "extra", "steps"), STOPS, ids=[f"{c.__name__}-step{n}" for c, _, n in STOPS]
)
def test_fit_stopped_at_any_step_then_resumed_equals_an_unbroken_fit(
    X, tmp_path, cls, extra, steps
):
    reference = cls(**SMALL, **extra, random_state=0).fit(X)
    with pytest.raises(TrainingInterrupted) as info:
        cls(**SMALL, **extra, random_state=0).fit(
            X, checkpoint_dir=tmp_path, should_stop=_stop_after(steps, signal.SIGTERM)
        )
    assert info.value.signal_number == signal.SIGTERM
    # random_state=None: the seed comes from the checkpoint, as the run drew it.
    resumed = cls(**SMALL, **extra).fit(X, checkpoint_dir=tmp_path, resume=True)
    assert _same(resumed, reference)
    assert resumed.history_["loss"] == pytest.approx(reference.history_["loss"], rel=1e-6)
    assert resumed.n_iter_ == reference.n_iter_


def test_fit_checkpoints_every_n_epochs_and_at_the_end(X, tmp_path):
    seen = []

    class Watch:
        def on_epoch_end(self, epoch, logs):
            path = tmp_path / checkpoint.FILENAME
            seen.append(checkpoint.load(tmp_path).epoch if path.exists() else None)

    Autoencoder(**{**SMALL, "epochs": 5}, random_state=0, callbacks=[Watch()]).fit(
        X, checkpoint_dir=tmp_path, checkpoint_every=2
    )
    assert seen == [None, None, 3, 3, 5]  # seen before each epoch's checkpoint is written
    assert checkpoint.load(tmp_path).epoch == 6  # the final one: "after epoch 5"
    assert json.loads((tmp_path / "estimator.json").read_text())["seed"] == 0


def test_fit_resume_with_other_parameters_is_a_one_line_error(X, tmp_path):
    Autoencoder(**SMALL, random_state=0).fit(X, checkpoint_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"other parameters \(code_size=3\)"):
        Autoencoder(**{**SMALL, "code_size": 4}, random_state=0).fit(
            X, checkpoint_dir=tmp_path, resume=True
        )
    with pytest.raises(ConfigError, match="random_state=0"):
        Autoencoder(**SMALL, random_state=1).fit(X, checkpoint_dir=tmp_path, resume=True)
    with pytest.raises(ConfigError, match="n_rows"):
        Autoencoder(**SMALL, random_state=0).fit(X[:200], checkpoint_dir=tmp_path, resume=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"checkpoint_dir": "x", "checkpoint_every": 0}, "checkpoint_every must be an integer"),
        ({"checkpoint_dir": "x", "checkpoint_every": 1.5}, "checkpoint_every must be an integer"),
        ({"resume": True}, "resume=True needs the checkpoint_dir"),
        ({"resume": "yes", "checkpoint_dir": "x"}, "resume must be true or false"),
        ({"should_stop": 3}, "should_stop must be a callable"),
    ],
)
def test_fit_checkpoint_keywords_are_checked(X, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Autoencoder(**SMALL).fit(X, **kwargs)


@pytest.mark.parametrize("cls", [Autoencoder, StackedAutoencoder])
def test_fit_resume_without_a_checkpoint_is_a_clear_error(X, tmp_path, cls):
    with pytest.raises(ModelFileError, match="no checkpoint to resume from"):
        cls(**SMALL, random_state=0).fit(X, checkpoint_dir=tmp_path, resume=True)


def test_checkpoint_keywords_are_fit_arguments_not_parameters():
    params = Autoencoder().get_params()
    assert not {"checkpoint_dir", "checkpoint_every", "resume", "should_stop"} & set(params)


# ---- signals ------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_real_signal_becomes_a_stop_request_and_handlers_are_restored(number):
    before = signal.getsignal(number)
    with stop_on_signals() as request:
        assert request() is None
        os.kill(os.getpid(), number)
        for _ in range(100):  # the handler runs between bytecodes of the main thread
            if request() is not None:
                break
            time.sleep(0.001)
        assert request() == number
        with pytest.raises(KeyboardInterrupt):  # a second signal stops at once
            request.handle(number, None)
    assert signal.getsignal(number) is before


def test_training_from_another_thread_keeps_working_without_signal_handlers():
    import threading

    results = []

    def run():
        with stop_on_signals() as request:  # signal.signal would raise ValueError here
            results.append(request())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert results == [None]


# ---- the command line ---------------------------------------------------------------------
TRAIN = ["--hidden", "16", "--code-size", "3", "--epochs", "3", "--no-pictures", "-q"]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A small .npy table: 600 rows of 10 features in [0, 1]."""
    path = tmp_path_factory.mktemp("data") / "table.npy"
    np.save(path, np.random.default_rng(1).random((600, 10)).astype(np.float32))
    return path


@pytest.fixture(scope="module")
def reference_model(table, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "model"
    assert main(["train", "--data", str(table), "--out", str(out), *TRAIN]) == 0
    return load_file(out / "model.safetensors")


class FakeSignals:
    """Stands in for stop_on_signals: asks to stop after ``steps`` polls."""

    def __init__(self, steps, number):
        self.steps, self.number = steps, number

    @contextlib.contextmanager
    def __call__(self):
        request = StopRequest()
        polls = iter(range(1, 1_000_000))

        def poll():
            if next(polls) >= self.steps:
                request.signal_number = self.number
            return request.signal_number

        yield poll


def _interrupt(monkeypatch, capsys, argv, steps, number=signal.SIGINT):
    monkeypatch.setattr(cli_resume, "stop_on_signals", FakeSignals(steps, number))
    code = main(argv)
    monkeypatch.undo()
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("number", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_cli_stop_writes_a_checkpoint_says_how_to_resume_and_resume_is_bit_identical(
    table, reference_model, tmp_path, monkeypatch, capsys, number, status
):
    out = tmp_path / "run"
    argv = ["train", "--data", str(table), "--out", str(out), *TRAIN]
    code, err = _interrupt(monkeypatch, capsys, argv, steps=7, number=number)
    assert code == status
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0] == (
        f"aekit train: stopped by {signal.Signals(number).name} after finishing the current "
        f"step; checkpoint saved in {out / 'checkpoints'}; continue with: "
        f"aekit train --resume {out}"
    )
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == [
        "estimator.json",
        "run.json",
        "training_state.safetensors",
    ]
    assert main(["train", "--resume", str(out), "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "config.json",
        "history.json",
        "metrics.json",
        "model.safetensors",
        "pca_baseline.safetensors",
    ]  # the finished model replaced the run folder, checkpoints and all
    resumed = load_file(out / "model.safetensors")
    assert all(torch.equal(resumed[k], reference_model[k]) for k in reference_model)


def test_cli_stacked_model_resumes_from_its_stage(table, tmp_path, monkeypatch, capsys):
    stacked = ["--model", "stacked", "--hidden", "8", "--code-size", "3", "--epochs", "2"]
    stacked += ["--pretrain-epochs", "2", "--batch-size", "128", "--no-pictures", "-q"]
    ref = tmp_path / "ref"
    assert main(["train", "--data", str(table), "--out", str(ref), *stacked]) == 0
    out = tmp_path / "run"
    argv = ["train", "--data", str(table), "--out", str(out), *stacked]
    code, _ = _interrupt(monkeypatch, capsys, argv, steps=14)  # in layer 2's pretraining
    assert code == 130 and (out / "checkpoints" / "pretrain_layer2").is_dir()
    assert main(["train", "--resume", str(out)]) == 0
    a, b = load_file(ref / "model.safetensors"), load_file(out / "model.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_cli_resume_with_another_setting_is_a_one_line_error(table, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    _interrupt(monkeypatch, capsys, ["train", "--data", str(table), "--out", str(out), *TRAIN], 3)
    assert main(["train", "--resume", str(out), "--epochs", "5"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"aekit train: error: cannot resume {out}: it was started with --epochs 3, not 5"
    assert main(["train", "--resume", str(out), "--hidden", "16", "--epochs", "3", "-q"]) == 0


def test_cli_resume_refuses_changed_data(table, tmp_path, monkeypatch, capsys):
    data = tmp_path / "data.npy"
    np.save(data, np.load(table))
    out = tmp_path / "run"
    _interrupt(monkeypatch, capsys, ["train", "--data", str(data), "--out", str(out), *TRAIN], 3)
    changed = np.load(data)
    changed[5, 5] = 0.5
    np.save(data, changed)
    assert main(["train", "--resume", str(out)]) == 1
    assert "differ from those the run started with" in capsys.readouterr().err


def test_cli_new_run_into_an_interrupted_one_points_to_resume(table, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    argv = ["train", "--data", str(table), "--out", str(out), *TRAIN]
    _interrupt(monkeypatch, capsys, argv, 3)
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        f"{out} holds an interrupted run; continue it with 'aekit train --resume {out}' "
        "or start again with --overwrite"
    )
    assert main([*argv, "--overwrite"]) == 0 and not (out / "checkpoints").exists()


def test_loading_an_interrupted_run_points_to_resume(table, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    _interrupt(monkeypatch, capsys, ["train", "--data", str(table), "--out", str(out), *TRAIN], 3)
    hint = f"{out}: an unfinished 'aekit train' run, no model yet; continue it with "
    hint += f"'aekit train --resume {out}'"
    with pytest.raises(ModelFileError) as caught:
        aekit.load(out)
    assert str(caught.value) == hint
    codes = tmp_path / "codes.npy"
    assert main(["encode", "--model", str(out), "--data", str(table), "--out", str(codes)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(hint) and not codes.exists()


def test_cli_resume_of_a_folder_without_a_run_is_refused(tmp_path, capsys):
    (tmp_path / "model").mkdir()
    assert main(["train", "--resume", str(tmp_path / "model")]) == 1
    assert "no interrupted run to resume (checkpoints/run.json is missing)" in (
        capsys.readouterr().err
    )


def test_cli_run_killed_before_its_first_checkpoint_resumes_from_the_start(
    table, reference_model, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "run"
    _interrupt(monkeypatch, capsys, ["train", "--data", str(table), "--out", str(out), *TRAIN], 3)
    for path in (out / "checkpoints").glob("training_state*"):
        path.unlink()  # as if killed after run.json was written, before any checkpoint
    assert main(["train", "--resume", str(out), "-q"]) == 0
    resumed = load_file(out / "model.safetensors")
    assert all(torch.equal(resumed[k], reference_model[k]) for k in reference_model)


def test_cli_interrupted_overwrite_keeps_the_old_model_until_the_new_one_is_done(
    table, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "model"
    assert main(["train", "--data", str(table), "--out", str(out), *TRAIN]) == 0
    old = (out / "model.safetensors").read_bytes()
    argv = ["train", "--data", str(table), "--out", str(out), *TRAIN, "--seed", "5"]
    code, _ = _interrupt(monkeypatch, capsys, [*argv, "--overwrite"], 5)
    assert code == 130
    assert (out / "model.safetensors").read_bytes() == old  # the old model is untouched
    assert main(["train", "--resume", str(out), "-q"]) == 0
    assert (out / "model.safetensors").read_bytes() != old
    assert not (out / "checkpoints").exists()


def test_cli_failure_inside_training_leaves_nothing_behind(tmp_path, capsys):
    data = tmp_path / "wide.npy"
    np.save(
        data, np.random.default_rng(0).normal(3.0, 1.0, (50, 4)).astype(np.float32)
    )  # bernoulli refused
    out = tmp_path / "new" / "model"  # folders the run creates: all removed again
    before = set(tmp_path.rglob("*"))
    assert main(["train", "--data", str(data), "--out", str(out), "--loss", "bernoulli", *TRAIN])
    assert "bernoulli" in capsys.readouterr().err.lower()
    assert set(tmp_path.rglob("*")) == before


def test_cli_checkpoint_every_writes_checkpoints_during_training(table, tmp_path, monkeypatch):
    out = tmp_path / "run"
    seen = []
    original = checkpoint.save

    def save(state, folder):
        seen.append(state.epoch)
        return original(state, folder)

    monkeypatch.setattr(checkpoint, "save", save)
    argv = ["train", "--data", str(table), "--out", str(out), *TRAIN, "--checkpoint-every", "1"]
    assert main(argv) == 0
    assert seen == [2, 3, 4]  # after epochs 1, 2 and 3
    assert not (out / "checkpoints").exists()  # a finished run keeps only the model


def test_cli_train_needs_data_and_out_or_resume(capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "--data", "digits"])
    assert info.value.code == 2
    assert "required: --out (or --resume DIR)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train"])
    assert "required: --data, --out (or --resume DIR)" in capsys.readouterr().err


# ---- a kill in the middle of writing a checkpoint ---------------------------------------------
KILLED_WHILE_WRITING = """
import os, signal, sys
import numpy as np, torch
import aekit.training.checkpoint as checkpoint
from aekit import Autoencoder
torch.set_num_threads(1)
real_save_file, calls = checkpoint.save_file, []

def save_file(tensors, filename, metadata=None):
    calls.append(filename)
    if len(calls) == 2:  # the second checkpoint: write half of it, then die mid-write
        real_save_file(tensors, filename, metadata=metadata)
        with open(filename, "r+b") as fh:
            fh.truncate(os.path.getsize(filename) // 2)
        os.kill(os.getpid(), signal.SIGKILL)
    real_save_file(tensors, filename, metadata=metadata)

checkpoint.save_file = save_file
X = np.random.default_rng(0).random((240, 12)).astype(np.float32)
Autoencoder(hidden=(8,), code_size=3, epochs=3, batch_size=32, random_state=0).fit(
    X, checkpoint_dir=sys.argv[1])
"""


@pytest.mark.slow  # seconds of subprocesses or large files: the slow suite, run by CI
def test_kill_during_a_checkpoint_write_keeps_the_previous_one_and_resume_is_exact(X, tmp_path):
    folder = tmp_path / "ckpt"
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_WRITING, str(folder)],
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL
    assert checkpoint.load(folder).epoch == 2  # the one after epoch 1, whole
    orphans = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert len(orphans) == 1 and orphans[0].startswith(".training_state")  # hidden, never read
    resumed = Autoencoder(**SMALL).fit(X, checkpoint_dir=folder, resume=True)
    assert _same(resumed, Autoencoder(**SMALL, random_state=0).fit(X))


# ---- real processes, real signals ----------------------------------------------------------
PROCESS_ARGS = ["--hidden", "16", "--code-size", "3", "--epochs", "40", "--batch-size", "8"]


def _train_process(args):
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "aekit", "train", *args, *PROCESS_ARGS, "--no-pictures", "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture(scope="module")
def process_reference(table, tmp_path_factory):
    out = tmp_path_factory.mktemp("process") / "ref"
    proc = _train_process(["--data", str(table), "--out", str(out)])
    assert proc.wait(timeout=300) == 0
    return load_file(out / "model.safetensors")


@pytest.mark.slow
@pytest.mark.parametrize(("number", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_real_process_stopped_by_a_signal_resumes_to_identical_weights(
    table, process_reference, tmp_path, number, status
):
    out = tmp_path / "run"
    proc = _train_process(["--data", str(table), "--out", str(out)])
    while proc.poll() is None and not (out / "checkpoints" / "run.json").exists():
        time.sleep(0.01)
    time.sleep(1.0)  # well inside the 40 epochs (about 5 s)
    proc.send_signal(number)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == status, err
    assert err.strip() == (
        f"aekit train: stopped by {signal.Signals(number).name} after finishing the current "
        f"step; checkpoint saved in {out / 'checkpoints'}; continue with: "
        f"aekit train --resume {out}"
    )
    assert (out / "checkpoints" / checkpoint.FILENAME).is_file()
    resumed = subprocess.run(
        [sys.executable, "-m", "aekit", "train", "--resume", str(out), "-q"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"},
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    final = load_file(out / "model.safetensors")
    assert all(torch.equal(final[k], process_reference[k]) for k in process_reference)
