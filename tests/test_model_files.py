"""Model folders: a faithful round trip, and refusal of anything unsafe or broken."""

import json
import pickle
import struct

import numpy as np
import pytest
import torch

import aekit
from aekit import Autoencoder
from aekit.errors import ModelFileError, OutputError


@pytest.fixture(scope="module")
def fitted(digits01):
    X, _ = digits01
    return Autoencoder(hidden=(16,), code_size=3, epochs=2, scale="minmax", random_state=0).fit(
        X[:200]
    )


@pytest.fixture
def saved(fitted, tmp_path):
    path = tmp_path / "model"
    fitted.save(path)
    return path


def test_save_writes_config_weights_and_history(saved):
    assert sorted(p.name for p in saved.iterdir()) == [
        "config.json",
        "history.json",
        "model.safetensors",
    ]
    config = json.loads((saved / "config.json").read_text())
    assert config["format"] == "aekit-model" and config["format_version"] == 1
    assert config["model"]["hidden"] == [16] and config["input_schema"]["n_features"] == 64
    assert config["loss"]["likelihood"] == "bernoulli"
    assert config["preprocessing"]["kind"] == "minmax"
    assert config["aekit_version"] == aekit.__version__


def test_load_gives_the_same_codes_and_reconstructions(fitted, saved, digits01):
    X, _ = digits01
    again = aekit.load(saved)
    np.testing.assert_allclose(again.transform(X[:50]), fitted.transform(X[:50]), atol=1e-6)
    np.testing.assert_allclose(again.reconstruct(X[:50]), fitted.reconstruct(X[:50]), atol=1e-6)
    assert again.get_params() == {**fitted.get_params(), "hidden": [16]}
    assert again.history_ == fitted.history_  # JSON keeps floats exactly


def test_tied_model_round_trips(tmp_path, digits01):
    X, _ = digits01
    ae = Autoencoder(hidden=(8,), code_size=2, epochs=1, tied=True, random_state=0).fit(X[:100])
    ae.save(tmp_path / "tied")
    np.testing.assert_allclose(
        aekit.load(tmp_path / "tied").transform(X[:9]), ae.transform(X[:9]), atol=1e-6
    )


def test_existing_model_is_not_overwritten_without_asking(fitted, saved):
    before = (saved / "model.safetensors").read_bytes()
    with pytest.raises(OutputError, match="already holds files"):
        fitted.save(saved)
    assert (saved / "model.safetensors").read_bytes() == before
    fitted.save(saved, overwrite=True)
    assert not any(p.name.startswith(".") for p in saved.parent.iterdir())


def _edit_config(path, **changes):
    config = json.loads((path / "config.json").read_text())
    for key, value in changes.items():
        config[key] = value
    (path / "config.json").write_text(json.dumps(config))


def _break(kind, path):
    if kind == "missing folder":
        return path.parent / "nowhere"
    if kind == "no config":
        (path / "config.json").unlink()
    elif kind == "no weights":
        (path / "model.safetensors").unlink()
    elif kind == "config not json":
        (path / "config.json").write_text("{not json")
    elif kind == "newer format":
        _edit_config(path, format_version=99)
    elif kind == "foreign format":
        _edit_config(path, format="something-else")
    elif kind == "unknown estimator":
        _edit_config(path, estimator="transformer")
    elif kind == "bad model config":
        config = json.loads((path / "config.json").read_text())
        config["model"]["code_size"] = -3
        (path / "config.json").write_text(json.dumps(config))
    elif kind == "shape mismatch":
        config = json.loads((path / "config.json").read_text())
        config["model"]["code_size"] = 4
        (path / "config.json").write_text(json.dumps(config))
    elif kind == "pickle instead of safetensors":
        (path / "model.safetensors").unlink()
        torch.save({"w": torch.zeros(2)}, path / "model.pt")
    elif kind == "pickle named safetensors":
        (path / "model.safetensors").write_bytes(pickle.dumps({"w": [1, 2]}))
    elif kind == "torch.save named safetensors":
        torch.save({"w": torch.zeros(2)}, path / "model.safetensors")
    elif kind == "oversized header claim":
        raw = (path / "model.safetensors").read_bytes()
        (path / "model.safetensors").write_bytes(struct.pack("<Q", 2**60) + raw[8:])
    elif kind == "truncated weights":
        raw = (path / "model.safetensors").read_bytes()
        (path / "model.safetensors").write_bytes(raw[: len(raw) // 2])
    elif kind == "a pickle file as the model path":
        target = path.parent / "model.pkl"
        target.write_bytes(pickle.dumps([1]))
        return target
    return path


BROKEN = [
    ("missing folder", "no such model folder"),
    ("no config", "config.json is missing"),
    ("no weights", "model.safetensors is missing"),
    ("config not json", "not valid JSON"),
    ("newer format", "format version 99 is newer"),
    ("foreign format", "not an aekit model config"),
    ("unknown estimator", "unknown model 'transformer'"),
    ("bad model config", "code_size must be"),
    ("shape mismatch", "config expects"),
    ("pickle instead of safetensors", "holds model.pt \\(a pickle\\)"),
    ("pickle named safetensors", "holds a pickle"),
    ("torch.save named safetensors", "holds a pickle"),
    ("oversized header claim", "header claims"),
    ("truncated weights", "invalid or oversized|header claims"),
    ("a pickle file as the model path", "a pickle file"),
]


@pytest.mark.parametrize(("kind", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_or_unsafe_model_folder_is_refused_with_one_line(saved, kind, message):
    path = _break(kind, saved)
    with pytest.raises(ModelFileError, match=message) as info:
        aekit.load(path)
    assert "\n" not in str(info.value)


def test_saved_files_get_the_usual_permissions(saved):
    import os

    mask = os.umask(0)
    os.umask(mask)
    for p in saved.iterdir():
        assert p.stat().st_mode & 0o777 == 0o666 & ~mask, p.name
    assert saved.stat().st_mode & 0o777 == 0o777 & ~mask


def test_safetensors_whose_header_length_starts_with_0x80_is_not_taken_for_a_pickle(tmp_path):
    # Regression: a header of 640 (0x280) bytes made the file start with b"\x80", pickle's magic.
    import struct as st

    from aekit.io.safetensors_check import looks_like_pickle, read_header

    header = b'{"__metadata__":{"a":"b"}}'.ljust(640)
    path = tmp_path / "x.safetensors"
    path.write_bytes(st.pack("<Q", 640) + header)
    assert path.read_bytes()[:1] == b"\x80"
    assert not looks_like_pickle(path)
    assert read_header(path) == {}
    path.write_bytes(pickle.dumps({"w": 1}))
    assert looks_like_pickle(path)
