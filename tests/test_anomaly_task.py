"""``aekit train --task anomaly``: a detector sized to the data, then ``aekit score``."""

import json

import numpy as np
import pytest

import aekit
from aekit.cli.main import main


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rng = np.random.default_rng(0)
    inliers = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))
    path = tmp_path_factory.mktemp("anomaly") / "rows.csv"
    np.savetxt(path, inliers, delimiter=",")
    return path


def test_task_anomaly_writes_a_detector_with_its_threshold(table, tmp_path, capsys):
    out = tmp_path / "det"
    argv = ["train", "--task", "anomaly", "--data", str(table), "--out", str(out)]
    assert main([*argv, "--epochs", "5"]) == 0  # --epochs names the member: an autoencoder
    captured = capsys.readouterr()
    assert "flagged" in captured.out and "held-out rows" in captured.out
    detector = aekit.load(out)
    assert isinstance(detector, aekit.AnomalyDetector)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["task"] == "anomaly" and metrics["threshold"] == detector.threshold_
    assert metrics["n_held_out"] == 60
    scores = tmp_path / "scores.csv"
    assert main(["score", "--model", str(out), "--data", str(table), "--out", str(scores)]) == 0
    assert scores.read_text().splitlines()[0] == "score,flag,top_features"


def test_task_anomaly_without_member_flags_takes_the_detectors_own_default(table, tmp_path):
    out = tmp_path / "det"
    assert main(["train", "--task", "anomaly", "--data", str(table), "--out", str(out), "-q"]) == 0
    member = aekit.load(out).member_
    assert member.config_.hidden == (8,) and member.config_.code_size == 2  # sized to 6 columns


def test_task_anomaly_refuses_checkpoints_in_one_line(table, tmp_path, capsys):
    argv = ["train", "--task", "anomaly", "--data", str(table), "--out", str(tmp_path / "d")]
    assert main([*argv, "--checkpoint-every", "1"]) == 1
    err = capsys.readouterr().err
    assert "--task anomaly trains in one go" in err and err.count("\n") == 1
    assert not (tmp_path / "d").exists()


def test_the_default_detector_fits_two_columns():
    X = np.random.default_rng(0).normal(size=(100, 2))
    detector = aekit.AnomalyDetector(random_state=0).fit(X)
    assert detector.member_.config_.code_size == 1
    assert detector.predict(X).shape == (100,)


def test_task_anomaly_trains_an_ensemble_with_n_members(table, tmp_path):
    out = tmp_path / "det"
    argv = ["train", "--task", "anomaly", "--data", str(table), "--out", str(out), "-q"]
    assert main([*argv, "--n-members", "3", "--epochs", "3"]) == 0
    detector = aekit.load(out)
    assert detector.n_members == 3 and len(detector.members_) == 3
    seeds = {m.random_state for m in detector.members_}
    assert len(seeds) == 3  # seeded apart


def test_n_members_is_refused_without_the_anomaly_task_and_below_one(table, tmp_path, capsys):
    argv = ["train", "--data", str(table), "--out", str(tmp_path / "m"), "-q"]
    assert main([*argv, "--n-members", "2"]) == 1
    err = capsys.readouterr().err
    assert "--n-members is for --task anomaly" in err and err.count("\n") == 1
    assert not (tmp_path / "m").exists()
    with pytest.raises(SystemExit) as info:
        main([*argv, "--task", "anomaly", "--n-members", "0"])
    assert info.value.code == 2
    assert "argument --n-members: expected an integer >= 1, got '0'" in capsys.readouterr().err
