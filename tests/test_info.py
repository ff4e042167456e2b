"""`aekit info MODEL`: the model card of a model folder, printed and (--json) written."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.torch import load_file

from aekit import Autoencoder, PretrainedClassifier
from aekit.cli.info import model_card
from aekit.cli.main import main

TINY = ["--hidden", "8", "--code-size", "2", "--epochs", "2", "-q"]


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("info") / "digits"
    assert main(["train", "--data", "digits", "--out", str(out), "--no-pictures", *TINY]) == 0
    return out


def _card(capsys, folder, *more):
    assert main(["info", str(folder), *more]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return dict((line[:14].strip(), line[14:]) for line in captured.out.splitlines())


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


def test_info_prints_the_model_card(digits_model, capsys):
    before = _files(digits_model.parent)
    lines = _card(capsys, digits_model)
    metrics = json.loads((digits_model / "metrics.json").read_text())
    config = json.loads((digits_model / "config.json").read_text())
    tensors = load_file(digits_model / "model.safetensors")
    learned = [k for k in tensors if not k.startswith("preprocessing.") and k != "input_mean"]
    weights = sum(tensors[k].numel() for k in learned)
    assert lines["member"] == "autoencoder" == config["estimator"]
    assert lines["architecture"] == "mlp 64-8-2-8-64, activation elu, tied no"
    assert lines["parameters"] == f"{weights:,}" == "1,138"  # 64*8+8 + 8*2+2 + 2*8+8 + 8*64+64
    assert lines["input"] == "64 features, images of 8 x 8"
    assert lines["feature names"] == "none" and lines["label column"] == "none"
    reason = config["preprocessing"]["reason"]
    assert lines["scaling"] == f"none ({reason})"
    assert lines["loss"] == f"bernoulli ({config['loss']['reason']})"
    assert lines["training"] == f"2 epochs in {metrics['train_seconds']:.1f} s"
    assert lines["evaluated on"] == "360 test samples"
    assert lines["error"] == f"{metrics['autoencoder_squared_error']:.4f} per sample, in the " + (
        "data's units"
    )
    assert lines["PCA error"] == (
        f"{metrics['pca_squared_error']:.4f} (2 components; "
        f"ratio to PCA {metrics['ratio_to_pca']:.3f})"
    )
    assert _files(digits_model.parent) == before  # nothing written


def test_info_json_writes_the_card_and_nothing_else(digits_model, tmp_path, capsys):
    before = _files(digits_model)
    path = tmp_path / "card.json"
    _card(capsys, digits_model, "--json", str(path))
    card = json.loads(path.read_text())
    assert card == json.loads(json.dumps(model_card(digits_model)))
    assert card["member"] == "autoencoder" and card["parameters"] == 1138 and card["epochs"] == 2
    assert card["architecture"]["hidden"] == [8] and card["architecture"]["kind"] == "mlp"
    assert card["input_schema"] == {
        "n_features": 64,
        "image_shape": [8, 8],
        "feature_names": None,
        "label_column": None,
    }
    assert card["scaling"]["kind"] == "none" and card["loss"]["likelihood"] == "bernoulli"
    assert card["metrics"]["split"] == "test" and card["metrics"]["n_samples"] == 360
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.json"]  # no temporary file
    assert _files(digits_model) == before


def test_info_of_a_table_lists_ten_names_then_dots_and_the_label_column(tmp_path, capsys):
    rng = np.random.default_rng(0)
    names = [f"c{i}" for i in range(12)]
    table = tmp_path / "t.csv"
    X = rng.normal(size=(80, 12)) * 3 + 1
    np.savetxt(table, np.c_[X, rng.integers(0, 3, 80)], delimiter=",", comments="",
               header=",".join([*names, "kind"]))  # fmt: skip
    out = tmp_path / "m"
    argv = ["train", "--data", str(table), "--label-column", "kind", "--out", str(out)]
    assert main([*argv, "--no-pictures", *TINY]) == 0
    lines = _card(capsys, out)
    assert lines["input"] == "12 features"
    assert lines["feature names"] == "c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, ..."
    assert lines["label column"] == "kind"
    assert lines["scaling"].startswith("standard (data lie outside [0, 1]")
    assert lines["loss"].startswith("gaussian (")
    assert lines["evaluated on"] == "16 held-out samples"
    assert lines["error"].endswith("per sample, after standard scaling")
    assert "in data units" in lines
    assert model_card(out)["input_schema"]["feature_names"] == names  # all of them in JSON


def test_info_of_a_conv_model_lists_its_config_fields(tmp_path, capsys):
    out = tmp_path / "conv"
    argv = ["train", "--model", "conv", "--data", "digits", "--out", str(out), "--no-pictures"]
    assert main([*argv, "--channels", "4,8", "--code-size", "3", "--epochs", "1", "-q"]) == 0
    lines = _card(capsys, out)
    assert lines["member"] == "conv"
    assert lines["architecture"].startswith("conv n_features 64, ")
    assert "channels 4,8" in lines["architecture"] and "code_size 3" in lines["architecture"]
    assert "image_shape 1,8,8" in lines["architecture"]
    tensors = load_file(out / "model.safetensors")
    learned = [k for k in tensors if not k.startswith("preprocessing.") and k != "input_mean"]
    weights = sum(tensors[k].numel() for k in learned)
    assert lines["parameters"] == f"{weights:,}"


def test_info_of_a_model_saved_from_python_has_no_metrics(digits01, tmp_path, capsys):
    X, y = digits01
    model = Autoencoder(hidden=(8,), code_size=2, epochs=1, random_state=0).fit(X[:200])
    model.save(tmp_path / "ae")
    lines = _card(capsys, tmp_path / "ae")
    assert lines["training"] == "1 epoch"
    assert lines["metrics"] == "none (metrics.json is missing)"
    assert lines["input"] == "64 features"  # fitted on rows: no image shape known
    clf = PretrainedClassifier(model, epochs=2, random_state=0).fit(X[:200], y[:200])
    clf.save(tmp_path / "clf")
    lines = _card(capsys, tmp_path / "clf")
    assert lines["member"] == "classifier (built on autoencoder)"
    assert lines["architecture"] == "mlp 64-8-2-8-64, activation elu, tied no"
    assert lines["training"] == "2 epochs"


def test_info_of_a_folder_that_is_not_a_model_is_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    for folder, message in [
        (tmp_path / "empty", "incomplete model folder, config.json is missing"),
        (tmp_path / "missing", "no such model folder"),
    ]:
        assert main(["info", str(folder)]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == f"aekit info: error: {folder}: {message}\n"


def test_info_refuses_a_metrics_file_that_is_not_aekit_s(digits_model, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(digits_model, copy)
    metrics = json.loads((copy / "metrics.json").read_text())
    (copy / "metrics.json").write_text(json.dumps({**metrics, "pca_squared_error": "low"}))
    assert main(["info", str(copy)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"aekit info: error: {copy / 'metrics.json'}: pca_squared_error is not a number ('low')\n"
    )


def test_info_help_shows_an_example(capsys):
    with pytest.raises(SystemExit) as info:
        main(["info", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "example: aekit info runs/digits" in out and "--json FILE" in out
