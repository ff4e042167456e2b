"""Honest numbers on a table: scaling chosen from the data, PCA in the model's own space,
a held-out part of a file, a code narrower than the data."""

import json

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

import aekit
from aekit.cli.main import main
from aekit.errors import ConfigError

FAST = ["--epochs", "5", "--no-pictures", "--quiet"]


@pytest.fixture(scope="module")
def wine_csv(tmp_path_factory):
    """scikit-learn's wine table: 13 columns whose ranges differ by 10^4 (proline ~ 1,000)."""
    X, y = load_wine(return_X_y=True)
    path = tmp_path_factory.mktemp("wine") / "wine.csv"
    header = ",".join([f"c{i}" for i in range(X.shape[1])] + ["label"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="")
    return path


def test_scale_auto_keeps_unit_data_and_standardises_a_table():
    unit = np.random.default_rng(0).random((100, 8), dtype=np.float32)
    kept = aekit.Autoencoder(hidden=(8,), code_size=2, epochs=1, random_state=0).fit(unit)
    assert kept.scaler_.kind == "none" and "kept as they are" in kept.scale_reason_
    X = load_wine().data.astype(np.float32)
    scaled = aekit.Autoencoder(hidden=(8,), code_size=2, epochs=1, random_state=0).fit(X)
    assert scaled.scaler_.kind == "standard" and "standardised" in scaled.scale_reason_
    assert scaled.loss_ == "gaussian"
    np.testing.assert_allclose(scaled.scaler_.transform(X).std(axis=0), 1.0, rtol=1e-3)


def test_the_scaling_and_its_reason_are_kept_with_the_model(tmp_path):
    X = load_wine().data.astype(np.float32)
    est = aekit.Autoencoder(hidden=(8,), code_size=2, epochs=1, random_state=0).fit(X)
    est.save(tmp_path / "m")
    again = aekit.load(tmp_path / "m")
    assert again.scaler_.kind == "standard" and again.scale_reason_ == est.scale_reason_


def test_pca_is_fitted_in_the_models_own_space_and_both_spaces_are_reported(wine_csv, tmp_path):
    out = tmp_path / "w"
    argv = ["train", "--data", str(wine_csv), "--label-column", "label", "--out", str(out)]
    assert main([*argv, "--code-size", "2", "--seed", "0", *FAST]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["space"] == "scaled" and metrics["scaling"] == "standard"
    # The same held-out rows (seeded), PCA on the standardised training rows.
    X = load_wine().data
    order = np.random.default_rng(0).permutation(len(X))
    test, train = np.sort(order[:36]), np.sort(order[36:])
    scaler = StandardScaler().fit(X[train])
    pca = PCA(2).fit(scaler.transform(X[train]))
    Z = scaler.transform(X[test])
    expected = np.square(Z - pca.inverse_transform(pca.transform(Z))).sum(axis=1).mean()
    assert metrics["n_samples"] == 36
    assert metrics["pca_squared_error"] == pytest.approx(expected, rel=1e-3)
    # In the data's units the proline column dominates both errors.
    assert metrics["pca_squared_error_data_units"] > 100 * metrics["pca_squared_error"]


def test_train_on_a_file_reports_on_held_out_rows_and_names_its_model(wine_csv, tmp_path, capsys):
    argv = [
        "train",
        "--data",
        str(wine_csv),
        "--label-column",
        "label",
        "--out",
        str(tmp_path / "v"),
    ]
    assert main([*argv, "--model", "vae", "--code-size", "3", *FAST]) == 0
    out = capsys.readouterr().out
    assert "on 36 held-out samples, after the model's standard scaling" in out
    assert out.splitlines()[2].startswith("vae ")
    assert "in data units" in out.splitlines()[1]


def test_a_code_as_wide_as_the_data_is_a_one_line_error_naming_both_numbers():
    X = load_wine().data.astype(np.float32)
    with pytest.raises(ConfigError) as info:
        aekit.Autoencoder(hidden=(8,), code_size=13, epochs=1).fit(X)
    assert "code_size=13 is not smaller than the data's n_features=13" in str(info.value)
    aekit.RBM(code_size=20, epochs=1, random_state=0).fit(X)  # an RBM may be wider
    aekit.KSparseAutoencoder(code_size=20, top_k=3, epochs=1, random_state=0).fit(X)


def test_the_default_code_adapts_to_narrow_data_and_says_so(wine_csv, tmp_path, capsys):
    out = tmp_path / "n"
    argv = ["train", "--data", str(wine_csv), "--label-column", "label", "--out", str(out)]
    assert main([*argv, "--epochs", "2", "--no-pictures"]) == 0
    err = capsys.readouterr().err
    assert "code size: 4 (a quarter of the 13 features" in err
    assert "model written to" in err and "pictures" not in err.splitlines()[-1]
    assert json.loads((out / "config.json").read_text())["model"]["code_size"] == 4
    assert main([*argv, "--overwrite", "--code-size", "13", "--epochs", "1", "--quiet"]) == 1
    assert "--code-size 13 is not smaller than" in capsys.readouterr().err


def test_a_misspelt_dataset_name_suggests_the_nearest_one(tmp_path, capsys):
    assert main(["train", "--data", "mnsit", "--out", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert "no dataset of that name; did you mean 'mnist'?" in err and err.count("\n") == 1


def test_the_mnist_message_names_the_flag_not_the_python_argument(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AEKIT_MNIST", raising=False)
    argv = ["train", "--data", "mnist", "--out", str(tmp_path / "m")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "--data-dir" in err and "path=" not in err


def test_a_missing_out_names_only_out(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--data", "digits"])
    err = capsys.readouterr().err
    assert "required: --out (or --resume DIR)" in err and "--data," not in err


def test_the_model_keeps_the_tables_schema_and_drops_its_label_column_itself(wine_csv, tmp_path):
    model = tmp_path / "m"
    argv = ["train", "--data", str(wine_csv), "--label-column", "label", "--out", str(model)]
    assert main([*argv, "--code-size", "2", *FAST]) == 0
    schema = json.loads((model / "config.json").read_text())["input_schema"]
    assert schema["feature_names"] == [f"c{i}" for i in range(13)]
    assert schema["label_column"] == "label"
    loaded = aekit.load(model)
    assert list(loaded.feature_names_in_) == schema["feature_names"]
    codes = tmp_path / "codes.npy"
    assert (
        main(["encode", "--model", str(model), "--data", str(wine_csv), "--out", str(codes)]) == 0
    )
    assert np.load(codes).shape == (178, 2)  # no --label-column needed: the model knows it


def test_the_helps_own_example_beats_pca(tmp_path, capsys):
    from aekit.cli.main import build_parser

    example = build_parser().epilog.removeprefix("example: aekit ").split()
    assert example[:3] == ["train", "--data", "digits"]
    out = tmp_path / "x"
    assert main(["train", "--data", "digits", "--out", str(out), "--no-pictures"]) == 0
    assert "code size: 16 (a quarter of the 64 features" in capsys.readouterr().err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["ratio_to_pca"] < 1


@pytest.mark.slow  # seconds of subprocesses or large files: the slow suite, run by CI
def test_a_reader_that_stops_reading_ends_nothing_half_done(tmp_path):
    import os
    import subprocess
    import sys

    out = tmp_path / "m"
    read, write = os.pipe()
    os.close(read)  # as `| head -1` does once it has its line
    argv = [sys.executable, "-m", "aekit", "train", "--data", "digits", "--out", str(out)]
    done = subprocess.run([*argv, "--epochs", "1", "--no-pictures"], stdout=write, stderr=-1)
    os.close(write)
    assert done.returncode == 0, done.stderr
    assert (out / "config.json").is_file() and not (out / "checkpoints").exists()
    assert b"Traceback" not in done.stderr


def test_evaluate_on_a_file_scores_its_rows_against_the_training_pca(wine_csv, tmp_path, capsys):
    model = tmp_path / "m"
    argv = ["train", "--data", str(wine_csv), "--label-column", "label", "--out", str(model)]
    assert main([*argv, "--code-size", "2", *FAST]) == 0
    X = load_wine().data
    other = tmp_path / "other.csv"  # rows the model never saw in this order: a "test file"
    np.savetxt(other, X[::-1][:50], delimiter=",")
    report = tmp_path / "eval.json"
    assert (
        main(["evaluate", "--model", str(model), "--data", str(other), "--json", str(report)]) == 0
    )
    figures = json.loads(report.read_text())
    assert figures["n_samples"] == 50 and figures["split"] == "given"
    # The PCA is the training rows' (kept with the model), not one fitted on these 50 rows.
    order = np.random.default_rng(0).permutation(len(X))
    train = np.sort(order[36:])
    scaler = StandardScaler().fit(X[train])
    pca = PCA(2).fit(scaler.transform(X[train]))
    Z = scaler.transform(X[::-1][:50])
    expected = np.square(Z - pca.inverse_transform(pca.transform(Z))).sum(axis=1).mean()
    assert figures["pca_squared_error"] == pytest.approx(expected, rel=1e-3)


def test_evaluate_and_score_drop_the_training_tables_label_column_too(wine_csv, tmp_path):
    model = tmp_path / "m"
    argv = ["train", "--data", str(wine_csv), "--label-column", "label", "--out", str(model)]
    assert main([*argv, "--code-size", "2", *FAST]) == 0
    assert main(["evaluate", "--model", str(model), "--data", str(wine_csv), "-q"]) == 0
    scores = tmp_path / "scores.csv"
    assert (
        main(["score", "--model", str(model), "--data", str(wine_csv), "--out", str(scores)]) == 0
    )
    assert len(scores.read_text().splitlines()) == 1 + 178
