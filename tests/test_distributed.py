"""Data-parallel training through torchrun: 2 processes x 1 thread, gloo on CPU.

One torchrun job (a module fixture, ~15 s) runs the scenarios of ``ddp_worker.py``; the
tests compare what it wrote with the same scenarios run here, on one process.
"""

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

import ddp_worker as worker
from aekit import load
from aekit.cli import launch
from aekit.cli.main import main
from aekit.errors import ConfigError
from aekit.training import checkpoint, distributed

# Measured on this suite's scenarios (27 Adam steps of batch 30 or 33, 2 processes against
# 1): the largest weight difference is 6.0e-8, one float32 ulp for |w| in [0.5, 1). The two
# processes' half-batch gradients are added in another order than one process adds the
# whole batch, and Adam's normalised steps carry that last-bit difference into the weights.
# 2.5e-7 leaves room for a few such ulps; a wrong batch split or loss scaling is ~1e-3.
WEIGHT_TOL = 2.5e-7
HISTORY_REL_TOL = 1e-6  # losses are means over ~270 rows: measured at most 1.8e-7 apart

EQUIVALENT = ["plain", "tied_l1", "kl_sparsity", "contractive", "contractive_deep", "greedy"]
NOISY = ["greedy_rbm", "denoising", "vae"]  # one noise stream per process: not the 1-process run
IN_JOB = [*EQUIVALENT, *NOISY, "resume", "cli"]


def torchrun(out, *scenarios, nproc=2, extra_env=None, timeout=240):
    command = launch.torchrun_command([], nproc)[:-2]  # python -m torch.distributed.run ...
    command += [str(worker.__file__), str(out), *scenarios]
    env = {**os.environ, "OMP_NUM_THREADS": "1", **(extra_env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    np.save(out / "data.npy", worker.data().numpy())
    result = torchrun(out, *IN_JOB)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    out = tmp_path_factory.mktemp("alone")
    worker.main(out, EQUIVALENT)  # no torchrun variables here: one process
    return out


def _record(folder, name):
    return json.loads((folder / f"{name}.json").read_text())


@pytest.mark.parametrize("scenario", EQUIVALENT)
def test_two_processes_take_the_steps_of_one_with_the_same_global_batch(job, alone, scenario):
    ddp, one = (
        load_file(job / f"{scenario}.safetensors"),
        load_file(alone / f"{scenario}.safetensors"),
    )
    assert ddp.keys() == one.keys()
    for name in ddp:
        torch.testing.assert_close(ddp[name], one[name], atol=WEIGHT_TOL, rtol=0)
    record, reference = _record(job, scenario), _record(alone, scenario)
    assert record["world_size"] == 2 and record["in_sync"]
    for key, values in reference["history"].items():
        if key != "epoch_time":  # the history is the global one: all rows, all processes
            assert record["history"][key] == pytest.approx(values, rel=HISTORY_REL_TOL), key


@pytest.mark.parametrize("scenario", NOISY)
def test_noisy_training_keeps_every_process_on_the_same_weights(job, scenario):
    record = _record(job, scenario)
    assert record["in_sync"]
    assert all(np.isfinite(record["history"]["loss"]))


def test_resume_under_ddp_continues_where_it_stopped(job):
    checks = _record(job, "resume")["history"]["checks"]
    # Stopped by a callback after epoch 1, or by a signal only process 1 saw (step 13: the
    # 4th batch of epoch 2): both resumed runs end with the uninterrupted run's weights.
    assert checks["by_epoch_max_diff"] == 0.0
    assert checks["by_signal_max_diff"] == 0.0
    assert checks["stopped_at"] == [2, 4 * 33]
    assert "interrupted by signal 15 in epoch 2" in checks["interrupted"]
    assert checks["noise_rows_differ"]  # each process's noise stream was saved and restored


def test_only_process_0_writes_the_model_folder(job, tmp_path):
    assert _record(job, "cli")["history"]["statuses"] == [0, 0]
    made = sorted(p.name for p in job.iterdir() if "cli_model" in p.name)
    assert made == ["cli_model"]  # no second folder, no staging folder left behind
    files = sorted(p.name for p in (job / "cli_model").iterdir())
    assert "model.safetensors" in files and "loss_curve.png" in files
    assert "checkpoints" not in files
    # and it is the model one process trains with the same options
    argv = ["train", "--data", str(job / "data.npy"), "--out", str(tmp_path / "m")]
    assert main([*argv, "--epochs", "2", "-q", "--no-pictures", *worker.CLI_OPTIONS]) == 0
    ddp, one = load(job / "cli_model").module_, load(tmp_path / "m").module_
    for a, b in zip(ddp.state_dict().values(), one.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, atol=WEIGHT_TOL, rtol=0)


# -- the parts, on one process ---------------------------------------------------------------
@pytest.mark.parametrize(("rows", "world"), [(33, 2), (32, 2), (1, 2), (10, 4), (3, 8)])
def test_a_batch_is_cut_into_contiguous_slices_that_differ_by_at_most_one_row(rows, world):
    slices = [distributed.my_slice(rows, distributed.Context(r, world)) for r in range(world)]
    assert slices[0][0] == 0 and slices[-1][1] == rows
    assert all(a[1] == b[0] for a, b in zip(slices, slices[1:], strict=False))
    sizes = [hi - lo for lo, hi in slices]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] - sizes[-1] <= 1


def test_process_0_keeps_the_single_process_noise_stream_and_the_others_differ():
    seeds = [distributed.noise_seed(7, rank) for rank in range(4)]
    assert seeds[0] == 8 and len(set(seeds)) == 4 and all(0 <= s < 2**63 for s in seeds)


def test_nproc_is_left_out_of_the_command_torchrun_runs():
    argv = ["train", "--data", "d.npy", "--nproc", "2", "--out", "m", "--npr=3", "-q"]
    command = launch.torchrun_command(argv, 2)
    assert command[1:7] == [
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
        "-m",
    ]
    assert command[7:] == ["aekit", "train", "--data", "d.npy", "--out", "m", "-q"]


def test_nproc_refuses_to_start_torchrun_inside_torchrun(monkeypatch):
    for name, value in zip(
        distributed.LAUNCH_VARIABLES, ["1", "2", "1", "127.0.0.1", "29500"], strict=True
    ):
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="leave it out under torchrun"):
        launch.launch(["train"], 2)


def test_an_incomplete_torchrun_environment_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    for name in ("RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="LOCAL_RANK, MASTER_ADDR, MASTER_PORT, RANK missing"):
        distributed.launched_by_torchrun()


def test_without_torchrun_a_session_is_one_process():
    with distributed.session() as ctx:
        assert ctx == distributed.Context() and ctx.is_primary and not ctx.active
    assert distributed.is_primary()


def test_a_checkpoint_gives_each_process_its_noise_row_and_process_0_the_sums():
    state = checkpoint.TrainState(
        epoch=1,
        next_begin=0,
        fingerprint={},
        history={},
        model={},
        optimizer={},
        schedule=None,
        perm_generator=torch.zeros(1, dtype=torch.uint8),
        noise_generator=torch.arange(6, dtype=torch.uint8).reshape(2, 3),
        sums={"loss": torch.tensor(4.0)},
    )
    rank1 = distributed.own_part(state, distributed.Context(1, 2, active=True))
    assert rank1.noise_generator.tolist() == [3, 4, 5] and float(rank1.sums["loss"]) == 0.0
    rank0 = distributed.own_part(state, distributed.Context(0, 2, active=True))
    assert rank0.noise_generator.tolist() == [0, 1, 2] and float(rank0.sums["loss"]) == 4.0


# -- slow: whole runs of their own ---------------------------------------------------------
@pytest.mark.slow
def test_a_process_that_stops_answering_ends_the_run_with_a_clear_error(tmp_path):
    started = time.perf_counter()
    result = torchrun(tmp_path, "hang", extra_env={distributed.TIMEOUT_VARIABLE: "3"})
    assert result.returncode != 0
    assert "process 0 of 2 lost contact with the others" in result.stderr
    assert "AEKIT_DIST_TIMEOUT" in result.stderr
    assert time.perf_counter() - started < 120  # not a hang: 3 s timeout plus start-up


@pytest.mark.slow
def test_torchrun_with_one_process_trains_exactly_as_without_torchrun(tmp_path, alone):
    result = torchrun(tmp_path, *EQUIVALENT, nproc=1)
    assert result.returncode == 0, result.stderr[-4000:]
    for scenario in EQUIVALENT:
        ddp = load_file(tmp_path / f"{scenario}.safetensors")
        one = load_file(alone / f"{scenario}.safetensors")
        assert all(torch.equal(ddp[k], one[k]) for k in one), scenario


def _aekit_train(*args, **popen):
    command = [sys.executable, "-m", "aekit", "train", *args]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, **popen)


@pytest.mark.slow
def test_aekit_train_nproc_stops_on_sigterm_and_resumes_to_the_uninterrupted_model(tmp_path):
    np.save(tmp_path / "data.npy", np.random.default_rng(0).random((1000, 16), np.float32))
    options = ["--data", str(tmp_path / "data.npy"), "--hidden", "16", "--code-size", "4"]
    options += ["--epochs", "30", "--batch-size", "50", "--precision", "float32"]
    options += ["--no-pictures", "-q", "--nproc", "2"]
    whole = _aekit_train(*options, "--out", str(tmp_path / "whole"))
    assert whole.wait(timeout=300) == 0, whole.stderr.read()

    out = tmp_path / "stopped"
    run = _aekit_train(*options, "--out", str(out), "--checkpoint-every", "1")
    state = out / "checkpoints" / checkpoint.FILENAME
    deadline = time.monotonic() + 120
    while not state.exists() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=120) == 128 + signal.SIGTERM, run.stderr.read()
    assert "continue with: aekit train --resume" in run.stderr.read()
    assert checkpoint.load(out / "checkpoints").epoch < 30  # it stopped before the end

    resumed = _aekit_train("--resume", str(out), "--nproc", "2", "-q")
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    a, b = load(tmp_path / "whole").module_, load(out).module_
    assert all(
        torch.equal(p, q)
        for p, q in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )
