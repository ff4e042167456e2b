"""The command line: a full train → use → evaluate round, and one clear line for each mistake."""

import gzip
import json
import os
import re
import struct
import subprocess
import sys

import numpy as np
import pytest
import torch

from aekit.cli.main import main

TINY = ["--hidden", "16", "--code-size", "3", "--epochs", "2", "--quiet"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model"
    assert main(["train", "--data", "digits", "--out", str(out), *TINY]) == 0
    return out


def test_train_writes_model_metrics_and_pictures(model_dir):
    names = sorted(p.name for p in model_dir.iterdir())
    assert names == [
        "codes.png",
        "config.json",
        "history.json",
        "loss_curve.png",
        "metrics.json",
        "model.safetensors",
        "pca_baseline.safetensors",
        "reconstructions.png",
    ]
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["n_samples"] == 360
    assert metrics["autoencoder_squared_error"] > 0 and metrics["pca_squared_error"] > 0
    assert json.loads((model_dir / "config.json").read_text())["input_schema"]["image_shape"] == [
        8,
        8,
    ]


def test_train_prints_the_comparison_table(tmp_path, capsys):
    assert (
        main(["train", "--data", "digits", "--out", str(tmp_path / "m"), "--no-pictures", *TINY])
        == 0
    )
    out = capsys.readouterr().out
    assert "autoencoder" in out and "PCA (3 components)" in out


def test_encode_decode_reconstruct_round(model_dir, tmp_path):
    codes = tmp_path / "codes.npy"
    assert (
        main(["encode", "--model", str(model_dir), "--data", "digits", "--out", str(codes), "-q"])
        == 0
    )
    assert np.load(codes).shape == (360, 3)
    decoded = tmp_path / "decoded.csv"
    assert (
        main(
            ["decode", "--model", str(model_dir), "--data", str(codes), "--out", str(decoded), "-q"]
        )
        == 0
    )
    rec = tmp_path / "rec.npy"
    assert (
        main(
            ["reconstruct", "--model", str(model_dir), "--data", "digits", "--out", str(rec), "-q"]
        )
        == 0
    )
    np.testing.assert_allclose(np.loadtxt(decoded, delimiter=","), np.load(rec), atol=1e-5)


def test_evaluate_prints_table_and_writes_json(model_dir, tmp_path, capsys):
    report = tmp_path / "eval.json"
    assert (
        main(["evaluate", "--model", str(model_dir), "--data", "digits", "--json", str(report)])
        == 0
    )
    figures = json.loads(report.read_text())
    assert figures["n_components"] == 3 and figures["split"] == "test"
    assert f"{figures['pca_squared_error']:.4f}" in capsys.readouterr().out


def test_listings(capsys):
    assert main(["datasets"]) == 0
    assert "fashion-mnist" in capsys.readouterr().out
    assert main(["models"]) == 0
    assert "autoencoder" in capsys.readouterr().out


@pytest.mark.parametrize(
    "command",
    [
        "train",
        "encode",
        "decode",
        "reconstruct",
        "denoise",
        "sample",
        "evaluate",
        "datasets",
        "models",
    ],
)
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "example: aekit " + command in capsys.readouterr().out


# ---- bad input: one line on stderr, exit 1, nothing written ----------------------------------


def _idx(shape, data=None, magic=0x08):
    head = struct.pack(">HBB", 0, magic, len(shape)) + struct.pack(f">{len(shape)}I", *shape)
    body = bytes(int(np.prod(shape))) if data is None else data
    return head + body


def _make(kind, tmp, model_dir):
    """Return (argv without --out, output path) for one bad-input case."""
    f = tmp / "input"
    if kind == "empty file":
        f = tmp / "empty.csv"
        f.write_text("")
    elif kind == "NaN value":
        f = tmp / "nan.csv"
        f.write_text("1,2,3\n4,nan,6\n")
    elif kind == "inf value":
        f = tmp / "inf.npy"
        np.save(f, np.array([[1.0, np.inf], [0.0, 1.0]]))
    elif kind == "ragged CSV":
        f = tmp / "ragged.csv"
        f.write_text("1,2,3\n4,5\n7,8,9\n")
    elif kind == "text column":
        f = tmp / "text.csv"
        f.write_text("a,b,name\n1,2,x\n3,4,y\n")
    elif kind == "IDX bad magic":
        f = tmp / "bad-idx3-ubyte"
        f.write_bytes(b"\x12\x34" + _idx((2, 2, 2))[2:])
    elif kind == "IDX truncated":
        f = tmp / "trunc-idx3-ubyte"
        f.write_bytes(_idx((10, 4, 4))[:-20])
    elif kind == "gz truncated":
        f = tmp / "trunc-idx3-ubyte.gz"
        f.write_bytes(gzip.compress(_idx((50, 4, 4), bytes(range(256)) * 3 + bytes(32)))[:-30])
    elif kind == "IDX header claims too much":
        f = tmp / "claim-idx3-ubyte"
        f.write_bytes(_idx((60000, 28, 28), bytes(100)))
    elif kind == "wrong feature count at encode":
        f = tmp / "narrow.npy"
        np.save(f, np.zeros((4, 10), np.float32))
        return ["encode", "--model", str(model_dir), "--data", str(f)], tmp / "codes.npy"
    elif kind.startswith("model "):
        broken = tmp / "broken"
        broken.mkdir()
        for p in model_dir.iterdir():
            (broken / p.name).write_bytes(p.read_bytes())
        if kind == "model missing":
            broken = tmp / "no-such-model"
        elif kind == "model incomplete":
            (broken / "model.safetensors").unlink()
        elif kind == "model newer format":
            cfg = json.loads((broken / "config.json").read_text())
            cfg["format_version"] = 7
            (broken / "config.json").write_text(json.dumps(cfg))
        elif kind == "model holds a pickle":
            (broken / "model.safetensors").unlink()
            torch.save({"x": torch.zeros(1)}, broken / "model.pt")
        return ["encode", "--model", str(broken), "--data", "digits"], tmp / "codes.npy"
    elif kind == "output folder not writable":
        blocker = tmp / "file"
        blocker.write_text("x")
        return ["train", "--data", "digits", *TINY], blocker / "sub" / "model"
    return ["train", "--data", str(f), *TINY], tmp / "model"


BAD = [
    ("empty file", "empty"),
    ("NaN value", "NaN"),
    ("inf value", "inf"),
    ("ragged CSV", "line 2: expected 3 fields, found 2"),
    ("text column", "name"),
    ("IDX bad magic", "magic"),
    ("IDX truncated", "bad-idx|trunc-idx"),
    ("gz truncated", "trunc"),
    ("IDX header claims too much", "60000"),
    ("wrong feature count at encode", "10 features"),
    ("model missing", "no such model folder"),
    ("model incomplete", "model.safetensors is missing"),
    ("model newer format", "format version 7"),
    ("model holds a pickle", "pickle"),
    ("output folder not writable", "cannot write|not writable|a file of that name"),
]


@pytest.mark.parametrize(("kind", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_gives_one_clear_line_and_leaves_nothing(
    kind, message, tmp_path, model_dir, capsys
):
    argv, out = _make(kind, tmp_path, model_dir)
    before = set(tmp_path.rglob("*"))
    code = main([*argv, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"aekit {argv[0]}: error: ")
    assert re.search(message, lines[0]), lines[0]
    assert "Traceback" not in err
    assert set(tmp_path.rglob("*")) == before  # no output, no temporary file


def test_existing_model_folder_is_kept_unless_overwrite(model_dir, tmp_path, capsys):
    out = tmp_path / "m"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["train", "--data", "digits", "--out", str(out), *TINY]) == 1
    assert "already holds files" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"
    assert main(["train", "--data", "digits", "--out", str(out), "--overwrite", *TINY]) == 0
    assert not (out / "keep.txt").exists() and (out / "config.json").exists()


@pytest.mark.slow  # seconds of subprocesses or large files: the slow suite, run by CI
def test_real_process_exit_status_and_no_traceback(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "aekit",
            "encode",
            "--model",
            str(tmp_path / "none"),
            "--data",
            "digits",
            "--out",
            str(tmp_path / "c.npy"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("aekit encode: error:")
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "aekit", "train"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2 and "required" in proc.stderr
