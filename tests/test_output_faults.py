"""Full disks and unwritable folders: one clear line, nothing half-written, no model lost."""

import contextlib
import errno
import os
import resource
import signal
import subprocess
import sys

import numpy as np
import pytest
from safetensors import SafetensorError

import aekit
import aekit.io.atomic as atomic
import aekit.io.model_files as model_files
from aekit import Autoencoder
from aekit.cli.main import main
from aekit.errors import OutputError
from aekit.io.atomic import atomic_write_text


@pytest.fixture(scope="module")
def fitted():
    X = np.random.default_rng(0).random((60, 6)).astype(np.float32)
    return Autoencoder(hidden=(4,), code_size=2, epochs=1, random_state=0).fit(X)


def _hidden_files(folder):
    return sorted(p.name for p in folder.rglob(".*"))


# ---- a full disk, simulated in-process ---------------------------------------------------------
def test_a_flush_that_fails_with_enospc_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "metrics.json"
    target.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OutputError, match=f"cannot write {target}: No space left on device"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert _hidden_files(tmp_path) == []  # the temporary file is gone


def test_a_safetensors_write_error_is_one_line_and_the_old_model_stays(
    fitted, tmp_path, monkeypatch
):
    fitted.save(tmp_path / "model")
    before = {p.name: p.read_bytes() for p in (tmp_path / "model").iterdir()}

    def full(tensors, filename, metadata=None):
        with open(filename, "wb") as fh:
            fh.write(b"half")  # as a real full disk would leave it
        raise SafetensorError("Error while serializing: I/O error: No space left on device")

    monkeypatch.setattr(model_files, "save_file", full)
    with pytest.raises(OutputError, match=r"model\.safetensors: No space left on device"):
        fitted.save(tmp_path / "model", overwrite=True)
    after = {p.name: p.read_bytes() for p in (tmp_path / "model").iterdir()}
    assert after == before
    assert _hidden_files(tmp_path) == []


def test_a_failed_final_rename_puts_the_old_model_back(fitted, tmp_path, monkeypatch):
    fitted.save(tmp_path / "model")
    before = (tmp_path / "model" / "model.safetensors").read_bytes()
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if dst == tmp_path / "model" and str(src).endswith(".tmp"):
            # the old model is moved aside already; now the new folder cannot be moved in
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(OutputError, match="cannot write folder .*: Input/output error"):
        fitted.save(tmp_path / "model", overwrite=True)
    monkeypatch.undo()
    assert (tmp_path / "model" / "model.safetensors").read_bytes() == before
    assert _hidden_files(tmp_path) == []
    aekit.load(tmp_path / "model")


# ---- a full disk, for real: a file-size limit (RLIMIT_FSIZE) on a real process ---------------
def _limited(limit):
    def setup():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the writer
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return setup


def _aekit(args, limit=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "aekit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"},
        preexec_fn=_limited(limit) if limit else None,
        cwd=cwd,
        timeout=300,
    )


TINY = ["--hidden", "8", "--code-size", "2", "--epochs", "2", "-q"]


@pytest.mark.slow  # seconds of subprocesses or large files: the slow suite, run by CI
def test_full_disk_is_reported_before_training_and_leaves_nothing(tmp_path):
    out = tmp_path / "model"
    proc = _aekit(["train", "--data", "digits", "--out", str(out), *TINY], limit=100)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == (
        f"aekit train: error: cannot write {out / 'checkpoints' / 'run.json'}: File too large"
    )
    assert list(tmp_path.iterdir()) == []  # not even the output folder


@pytest.mark.slow
def test_disk_full_at_the_pictures_keeps_the_checkpoint_and_resume_finishes(tmp_path):
    out = tmp_path / "model"
    # Room for run.json and the checkpoint (~21 kB), not for loss_curve.png (~43 kB).
    proc = _aekit(["train", "--data", "digits", "--out", str(out), *TINY], limit=36_000)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(".png: File too large"), proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["checkpoints"]  # no half-written model
    assert _hidden_files(tmp_path) == []
    resumed = _aekit(["train", "--resume", str(out)])  # space again: finishes without training
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "model.safetensors").is_file() and not (out / "checkpoints").exists()


@pytest.mark.slow
def test_full_disk_while_encoding_leaves_no_partial_output(tmp_path):
    out = tmp_path / "model"
    assert _aekit(["train", "--data", "digits", "--out", str(out), *TINY]).returncode == 0
    codes = tmp_path / "codes.csv"
    proc = _aekit(
        ["encode", "--model", str(out), "--data", "digits", "--out", str(codes)], limit=1000
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"aekit encode: error: cannot write {codes}: File too large"
    assert not codes.exists() and _hidden_files(tmp_path) == []


# ---- unwritable folders ------------------------------------------------------------------------
@contextlib.contextmanager
def unwritable(folder):
    """Make ``folder`` unwritable even for root (immutable flag) or by its mode otherwise."""
    folder.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("running as root without chattr: permissions cannot be taken away")
        try:
            yield folder
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_unwritable_output_folder_is_reported_before_training(tmp_path, capsys):
    with unwritable(tmp_path / "locked") as locked:
        out = locked / "model"
        assert main(["train", "--data", "digits", "--out", str(out), *TINY]) == 1
        err = capsys.readouterr().err.strip()
        assert err == f"aekit train: error: cannot write folder {out}: {locked} is not writable"
        assert list(locked.iterdir()) == []


def test_unwritable_folder_for_encoded_output_is_one_line(fitted, tmp_path, capsys):
    fitted.save(tmp_path / "model")
    np.save(tmp_path / "x.npy", np.zeros((3, 6), np.float32))
    with unwritable(tmp_path / "locked") as locked:
        argv = ["encode", "--model", str(tmp_path / "model"), "--data", str(tmp_path / "x.npy")]
        assert main([*argv, "--out", str(locked / "codes.npy"), "-q"]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"aekit encode: error: cannot write {locked / 'codes.npy'}: ")
        assert list(locked.iterdir()) == []


def test_model_save_into_an_unwritable_folder_is_one_line(fitted, tmp_path):
    with unwritable(tmp_path / "locked") as locked:
        with pytest.raises(OutputError, match="not writable") as info:
            fitted.save(locked / "model")
        assert "\n" not in str(info.value) and list(locked.iterdir()) == []


def test_checkpoint_folder_that_cannot_be_written_fails_before_training(tmp_path):
    X = np.random.default_rng(0).random((60, 6)).astype(np.float32)
    with unwritable(tmp_path / "locked") as locked:
        for folder in (locked, locked / "run"):  # the folder itself, or a new one inside
            with pytest.raises(OutputError, match=f"cannot write {folder}"):
                Autoencoder(hidden=(4,), code_size=2, epochs=1).fit(X, checkpoint_dir=folder)
        assert os.listdir(locked) == []


def test_output_folder_below_a_file_says_it_is_a_file(tmp_path, capsys):
    # It used to say "file is not writable", sending people to check permissions.
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "sub" / "model"
    assert main(["train", "--data", "digits", "--out", str(out), *TINY]) == 1
    assert capsys.readouterr().err.strip() == (
        f"aekit train: error: cannot write folder {out}: {tmp_path / 'file'} is a file, "
        "not a folder"
    )
