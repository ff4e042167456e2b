"""AnomalyDetector: scores by reconstruction, a threshold set on held-out rows, saved whole."""

import json
import warnings

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from sklearn.base import clone
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

from aekit import (
    RBM,
    AnomalyDetector,
    Autoencoder,
    ConvAutoencoder,
    PretrainedClassifier,
    VariationalAutoencoder,
    load,
)
from aekit.anomaly.scores import row_scores
from aekit.anomaly.thresholds import holdout_split
from aekit.cli.main import main
from aekit.errors import ConfigError, DataError, ModelFileError


def _ae(**kw):
    return Autoencoder(**{"hidden": (16,), "code_size": 4, "epochs": 5, "random_state": 0, **kw})


@pytest.fixture(scope="module")
def digits_and_noise(digits01):
    """Digits in [0, 1] to train on; held-out digits and uniform noise (the outliers)."""
    X, _ = digits01
    noise = np.random.default_rng(0).random((40, 64), dtype=np.float32)
    return X[:1000], np.vstack([X[1000:1400], noise]), np.r_[np.zeros(400), np.ones(40)]


@pytest.fixture(scope="module")
def fitted(digits_and_noise):
    X, _, _ = digits_and_noise
    return AnomalyDetector(_ae(epochs=10), contamination=0.05, random_state=0).fit(X)


@pytest.fixture
def real():
    """Gaussian data with low-rank structure, outside [0, 1]: (500, 10)."""
    rng = np.random.default_rng(1)
    return (rng.normal(size=(500, 3)) @ rng.normal(size=(3, 10)) * 2 + 1).astype(np.float32)


# ---- the threshold ------------------------------------------------------------------------
def test_predict_gives_plus_and_minus_one_at_about_the_asked_contamination():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1500, 3)) @ rng.normal(size=(3, 10)) * 2 + 1
    X = (X + 0.3 * rng.normal(size=X.shape)).astype(np.float32)  # structure plus noise
    member = _ae(scale="standard", code_size=3, epochs=10)
    det = AnomalyDetector(member, contamination=0.1, holdout_fraction=0.4, random_state=0).fit(X)
    pred = det.predict(X)
    assert pred.dtype.kind == "i" and set(np.unique(pred)) == {-1, 1}
    _, held_out = holdout_split(len(X), 0.4, 0)
    assert np.mean(pred[held_out] == -1) == pytest.approx(0.1, abs=1 / len(held_out))
    assert 0.07 <= np.mean(pred == -1) <= 0.13  # measured over seeds 0-5: 0.098 to 0.114


def test_auto_contamination_records_the_false_alarm_rate_measured_on_held_out_rows(real):
    det = AnomalyDetector(_ae(scale="standard"), false_alarm_rate=0.05, random_state=3).fit(real)
    _, held_out = holdout_split(len(real), 0.2, 3)
    measured = np.mean(det.anomaly_score(real[held_out]) > det.threshold_)
    assert det.false_alarm_rate_ == measured
    assert det.false_alarm_rate_ == pytest.approx(0.05, abs=1 / len(held_out))
    assert det.offset_ == -det.threshold_


def test_the_held_out_split_is_seeded_disjoint_and_keeps_a_row_each_side():
    train, held = holdout_split(10, 0.2, 0)
    assert len(held) == 2 and sorted(np.r_[train, held]) == list(range(10))
    assert np.array_equal(held, holdout_split(10, 0.2, 0)[1])
    assert len(holdout_split(2, 0.01, 0)[1]) == 1 and len(holdout_split(2, 0.99, 0)[0]) == 1
    with pytest.raises(DataError, match="1 sample"):
        holdout_split(1, 0.2, 0)


# ---- the scores ---------------------------------------------------------------------------
def test_uniform_noise_scores_higher_than_digits(fitted, digits_and_noise):
    _, X_test, is_outlier = digits_and_noise
    assert roc_auc_score(is_outlier, fitted.anomaly_score(X_test)) > 0.9
    assert np.mean(fitted.predict(X_test)[is_outlier == 1] == -1) > 0.9


def test_sklearn_signs_follow_isolation_forest(fitted, digits_and_noise):
    # The parts of check_outliers_train that its exact-contamination count (xfailed) hides.
    _, X, _ = digits_and_noise
    score, samples, decision = (
        fitted.anomaly_score(X),
        fitted.score_samples(X),
        fitted.decision_function(X),
    )
    assert score.dtype == samples.dtype == decision.dtype == np.float64
    np.testing.assert_array_equal(samples, -score)
    np.testing.assert_allclose(decision, samples - fitted.offset_)
    np.testing.assert_array_equal(fitted.predict(X), np.where(decision < 0, -1, 1))
    np.testing.assert_array_equal(fitted.predict(X) == -1, score > fitted.threshold_)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :10])


def test_attribution_rows_sum_to_the_score_for_gaussian_and_bernoulli(fitted, real):
    gaussian = AnomalyDetector(_ae(scale="standard"), random_state=0).fit(real)
    assert (fitted.member_.loss_, gaussian.member_.loss_) == ("bernoulli", "gaussian")
    noise = np.random.default_rng(2).random((30, 64), dtype=np.float32)
    for det, X in [(fitted, noise), (gaussian, real[:30])]:
        parts = det.attribution(X)
        assert parts.shape == X.shape and (parts >= 0).all()
        np.testing.assert_allclose(parts.sum(axis=1), det.anomaly_score(X), rtol=1e-12)


def _entropy(X):
    """Each pixel's own Bernoulli entropy, in nats: 0 at 0 and 1."""
    x = X.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(x * np.log(x) + (1 - x) * np.log(1 - x))
    return np.nan_to_num(h, nan=0.0)


def test_bernoulli_terms_are_the_cross_entropy_less_each_pixels_entropy(fitted, digits_and_noise):
    _, X, _ = digits_and_noise
    p = fitted.member_.reconstruct(X).astype(np.float64)  # sigmoid of the logits
    cross_entropy = -(X * np.log(p) + (1 - X) * np.log(1 - p))
    np.testing.assert_allclose(fitted.attribution(X), cross_entropy - _entropy(X), atol=2e-4)


def test_black_and_white_rows_among_grey_ones_score_high_where_cross_entropy_misses_them():
    """Raw cross-entropy ranks rows by how grey they are, the deviance by reconstruction."""
    rng = np.random.default_rng(0)
    grey = 0.5 + 0.2 * np.tanh(rng.normal(size=(525, 2)) @ rng.normal(size=(2, 20)))
    binary = (grey[500:] > 0.5).astype(float)  # like normal rows, but black and white
    X = np.vstack([grey[:500], binary]).astype(np.float32)
    det = AnomalyDetector(_ae(hidden=(8,), code_size=2, epochs=30), random_state=0).fit(X[:400])
    X_test, is_outlier = X[400:], np.r_[np.zeros(100), np.ones(25)]
    p = det.member_.reconstruct(X_test).astype(np.float64)
    raw = -(X_test * np.log(p) + (1 - X_test) * np.log(1 - p)).sum(1)
    assert roc_auc_score(is_outlier, raw) < 0.8  # the bias this scoring removes
    assert roc_auc_score(is_outlier, det.anomaly_score(X_test)) > 0.95


def test_top_features_are_the_largest_contributions_by_index_or_name(fitted, digits_and_noise):
    _, X, _ = digits_and_noise
    parts, top = fitted.attribution(X[:5]), fitted.top_features(X[:5], k=3)
    assert top.shape == (5, 3)
    for row, picked in zip(parts, top, strict=True):
        assert set(picked) == set(np.argsort(row)[-3:])
        assert list(row[picked]) == sorted(row[picked], reverse=True)
    named = clone(fitted).fit(X[:200])
    named.feature_names_in_ = np.asarray([f"px{i}" for i in range(64)], dtype=object)
    with warnings.catch_warnings():  # scikit-learn warns that X itself has no names
        warnings.simplefilter("ignore", UserWarning)
        assert named.top_features(X[:2], k=1)[0, 0].startswith("px")
    with pytest.raises(ConfigError, match="k must be"):
        fitted.top_features(X[:2], k=0)


# ---- members ------------------------------------------------------------------------------
MEMBERS = {
    # Trained enough to reconstruct digits: the score is how badly, not how grey (the noise
    # rows are greyer than any digit, which raw cross-entropy would reward by itself).
    "autoencoder": lambda: _ae(epochs=20),
    "vae": lambda: VariationalAutoencoder(hidden=(32,), code_size=4, epochs=100, random_state=0),
    "conv": lambda: ConvAutoencoder(channels=(4, 8), code_size=4, epochs=20, random_state=0),
    "rbm": lambda: RBM(code_size=16, epochs=5, random_state=0),
}


@pytest.mark.parametrize("kind", list(MEMBERS))
def test_each_member_kind_scores_noise_above_digits_and_round_trips(
    kind, digits_and_noise, tmp_path
):
    X, X_test, is_outlier = digits_and_noise
    det = AnomalyDetector(MEMBERS[kind](), random_state=0).fit(X[:600])
    scores = det.anomaly_score(X_test)
    assert roc_auc_score(is_outlier, scores) > 0.9
    if kind == "vae":
        expected = -det.member_.elbo(X_test) - _entropy(X_test).sum(1)
        np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-4)
    if kind == "rbm":
        v = torch.from_numpy(X_test)
        expected = det.member_.module_.free_energy(v).detach().numpy()
        np.testing.assert_allclose(scores, expected, rtol=1e-6)
    det.save(tmp_path / "det")
    again = load(tmp_path / "det")
    assert type(again.member_) is type(det.member_)
    np.testing.assert_array_equal(again.anomaly_score(X_test), scores)


def test_images_reach_the_member_with_their_shape():
    X = np.random.default_rng(0).random((60, 3, 8, 4), dtype=np.float32)  # colour, not square
    member = ConvAutoencoder(channels=(4,), code_size=4, epochs=1, random_state=0)
    det = AnomalyDetector(member, random_state=0).fit(X)
    assert det.member_.config_.image_shape == (3, 8, 4)
    np.testing.assert_array_equal(det.anomaly_score(X), det.anomaly_score(X.reshape(60, -1)))


def test_save_and_load_round_trip_the_threshold_and_give_identical_scores(
    fitted, digits_and_noise, tmp_path
):
    _, X, _ = digits_and_noise
    fitted.save(tmp_path / "det")
    config = json.loads((tmp_path / "det" / "config.json").read_text())
    assert config["estimator"] == "detector" and config["member"]["estimator"] == "autoencoder"
    tensors = load_file(tmp_path / "det" / "model.safetensors")
    assert tensors and all(k.startswith("member.") for k in tensors)
    assert all(t.device.type == "cpu" for t in fitted._state_out().values())
    again = load(tmp_path / "det")
    assert again.threshold_ == fitted.threshold_ and again.offset_ == fitted.offset_
    assert again.false_alarm_rate_ == fitted.false_alarm_rate_
    assert again.get_params(deep=False)["contamination"] == 0.05
    np.testing.assert_array_equal(again.anomaly_score(X), fitted.anomaly_score(X))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))


def test_a_broken_detector_file_is_refused_with_one_line(fitted, tmp_path):
    fitted.save(tmp_path / "det")
    path = tmp_path / "det" / "config.json"
    config = json.loads(path.read_text())
    config["threshold"] = "high"
    path.write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="'threshold' is missing or not a float"):
        load(tmp_path / "det")
    config["threshold"], config["n_features"] = 1.0, 63
    path.write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="n_features is 63, but the member takes 64"):
        load(tmp_path / "det")


def test_member_may_be_fitted_a_folder_or_none(digits_and_noise, tmp_path):
    X, X_test, _ = digits_and_noise
    ae = _ae().fit(X[:300])
    before = ae.module_.state_dict()["encoder_layers.0.weight"].clone()
    as_is = AnomalyDetector(ae, random_state=0).fit(X[:300])
    assert as_is.member_ is not ae and as_is.member_.n_iter_ == ae.n_iter_
    assert torch.equal(ae.module_.state_dict()["encoder_layers.0.weight"], before)
    ae.save(tmp_path / "ae")
    from_folder = AnomalyDetector(str(tmp_path / "ae"), random_state=0).fit(X[:300])
    np.testing.assert_array_equal(from_folder.anomaly_score(X_test), as_is.anomaly_score(X_test))
    assert clone(as_is).member is ae  # a fitted member is kept, not refitted
    default = AnomalyDetector(random_state=0).fit(X[:100])
    got = default.member_.get_params()
    assert (got["hidden"], got["code_size"], got["scale"], got["epochs"]) == (
        (64,),
        16,
        "standard",
        50,
    )
    assert got["random_state"] == 0
    # "auto": the default member gets the tabular recipe, a given member its loss alone
    assert [m.random_state for m in default.members_] == [0, 1, 2]
    assert [set(t.terms) for t in default.code_terms_] == [{"distance", "density"}] * 3
    assert [t.terms["distance"].k for t in default.code_terms_] == [5] * 3
    assert len(as_is.members_) == 1 and as_is.code_terms_ is None
    default.save(tmp_path / "default")  # three members, each with its own code terms
    again = load(tmp_path / "default")
    np.testing.assert_array_equal(again.anomaly_score(X_test), default.anomaly_score(X_test))
    by_member = [
        t.score(row_scores(m, X_test), m.transform(X_test))
        for t, m in zip(default.code_terms_, default.members_, strict=True)
    ]
    np.testing.assert_allclose(default.anomaly_score(X_test), np.mean(by_member, axis=0))


def test_bad_settings_are_one_line_errors(digits_and_noise):
    X, _, _ = digits_and_noise
    for params, message in [
        ({"contamination": 0.7}, "'contamination' parameter of AnomalyDetector"),
        ({"holdout_fraction": 1.0}, "'holdout_fraction' parameter"),
        ({"false_alarm_rate": True}, "'false_alarm_rate' parameter"),
        ({"member": 3}, "member must be an aekit autoencoder"),
    ]:
        with pytest.raises(ConfigError, match=message) as info:
            AnomalyDetector(**params).fit(X[:50])
        assert "\n" not in str(info.value)
    clf = PretrainedClassifier(_ae(epochs=1), epochs=1, random_state=0)
    with pytest.raises(ConfigError, match="member must be an aekit autoencoder"):
        AnomalyDetector(clf).fit(X[:50])
    with pytest.raises(DataError, match="1 sample"):
        AnomalyDetector(_ae()).fit(X[:1])


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_detector_trained_on_cuda_is_saved_on_the_cpu_and_loads_there(real, tmp_path):
    det = AnomalyDetector(_ae(scale="standard", device="cuda"), random_state=0).fit(real)
    det.save(tmp_path / "det")
    assert all(t.device.type == "cpu" for t in det._state_out().values())
    again = load(tmp_path / "det")
    assert next(again.module_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(again.anomaly_score(real), det.anomaly_score(real), rtol=1e-6)


# ---- aekit score --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def folders(fitted, digits_and_noise, tmp_path_factory):
    """A saved detector, its saved autoencoder, and a CSV of 8 digits and 4 noise rows."""
    root = tmp_path_factory.mktemp("score")
    fitted.save(root / "det")
    fitted.member_.save(root / "ae")
    _, X_test, _ = digits_and_noise
    np.savetxt(root / "x.csv", np.vstack([X_test[:8], X_test[-4:]]), delimiter=",", fmt="%.6g")
    return root


def _csv(path):
    lines = path.read_text().splitlines()
    return lines[0], [line.split(",") for line in lines[1:]]


def test_score_writes_one_line_per_row_for_a_detector_and_a_member(folders, capsys):
    data, out = folders / "x.csv", folders / "det-scores.csv"
    assert (
        main(["score", "--model", str(folders / "det"), "--data", str(data), "--out", str(out)])
        == 0
    )
    header, rows = _csv(out)
    assert header == "score,flag,top_features" and len(rows) == 12
    det = load(folders / "det")
    X = np.loadtxt(data, delimiter=",", dtype=np.float32)
    np.testing.assert_allclose([float(r[0]) for r in rows], det.anomaly_score(X), rtol=1e-12)
    assert [int(r[1]) for r in rows] == list((det.predict(X) == -1).astype(int))
    assert rows[0][2] == ";".join(str(i) for i in det.top_features(X[:1])[0])
    assert "12 rows scored" in capsys.readouterr().err
    out = folders / "ae-scores.csv"
    assert (
        main(
            ["score", "--model", str(folders / "ae"), "--data", str(data), "--out", str(out), "-q"]
        )
        == 0
    )
    header, rows = _csv(out)
    assert header == "score" and len(rows) == 12
    np.testing.assert_allclose([float(r[0]) for r in rows], det.anomaly_score(X), rtol=1e-12)


@pytest.mark.parametrize(
    "case, message",
    [
        ("suffix", "output must end in .csv"),
        ("no model", "no such model folder"),
        ("not a model", "config.json is missing"),
        ("features", "X has 5 features, but AnomalyDetector is expecting 64"),
        ("nan", "NaN in column 3"),
    ],
)
def test_score_fails_with_one_line_and_writes_nothing(folders, tmp_path, capsys, case, message):
    model, data, out = folders / "det", folders / "x.csv", tmp_path / "scores.csv"
    if case == "suffix":
        out = tmp_path / "scores.npy"
    elif case == "no model":
        model = tmp_path / "missing"
    elif case == "not a model":
        model = tmp_path / "empty"
        model.mkdir()
    else:
        data = tmp_path / "bad.csv"
        rows = np.ones((4, 5 if case == "features" else 64))
        rows[1, 2] = np.nan
        np.savetxt(data, rows if case == "nan" else np.ones((4, 5)), delimiter=",")
    code = main(["score", "--model", str(model), "--data", str(data), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("aekit score: error:") and message in err
    assert err.count("\n") == 1
    assert not out.exists() and not list(tmp_path.glob(".scores*"))


def test_score_has_help_with_an_example(capsys):
    with pytest.raises(SystemExit) as info:
        main(["score", "--help"])
    assert info.value.code == 0
    assert "example: aekit score --model runs/det --data x.csv --out scores.csv" in (
        capsys.readouterr().out
    )


# ---- ensembles ----------------------------------------------------------------------------
def test_an_ensemble_averages_its_members_losses_in_held_out_units_and_round_trips(
    digits_and_noise, tmp_path
):
    X, X_test, is_outlier = digits_and_noise
    det = AnomalyDetector(_ae(epochs=10), n_members=3, random_state=0).fit(X[:600])
    assert len(det.members_) == 3 and det.member_ is det.members_[0]
    weights = [next(iter(m.module_.parameters())).detach() for m in det.members_]
    assert not torch.equal(weights[0], weights[1])  # seeded apart
    _, held_out = holdout_split(600, det.holdout_fraction, 0)
    own = [AnomalyDetector(m, random_state=0).fit(X[:600]) for m in det.members_]  # as fitted
    for o, scale in zip(own, det.loss_scales_, strict=True):
        assert scale == pytest.approx(float(o.anomaly_score(X[held_out]).mean()), rel=1e-12)
    expected = np.mean(
        [o.anomaly_score(X_test) / s for o, s in zip(own, det.loss_scales_, strict=True)], axis=0
    )
    scores = det.anomaly_score(X_test)
    np.testing.assert_allclose(scores, expected, rtol=1e-10)
    np.testing.assert_allclose(det.attribution(X_test).sum(1), scores, rtol=1e-10)
    assert roc_auc_score(is_outlier, scores) > 0.9
    det.save(tmp_path / "ens")
    again = load(tmp_path / "ens")
    assert len(again.members_) == 3 and again.loss_scales_ == det.loss_scales_
    np.testing.assert_array_equal(again.anomaly_score(X_test), scores)
    assert again.threshold_ == det.threshold_


def test_an_ensemble_needs_members_it_can_train_and_exports_no_onnx(fitted, tmp_path):
    X = np.random.default_rng(0).random((100, 64), dtype=np.float32)
    with pytest.raises(ConfigError, match="n_members > 1"):
        AnomalyDetector(fitted.member_, n_members=2, random_state=0).fit(X)
    pytest.importorskip("onnx")
    from aekit.export import export_onnx

    ens = AnomalyDetector(_ae(), n_members=2, random_state=0).fit(X)
    with pytest.raises(ConfigError, match="one member"):
        export_onnx(ens, tmp_path / "ens.onnx")
    assert not (tmp_path / "ens.onnx").exists()


# ---- the code's distance ------------------------------------------------------------------
def _check_loss_plus_term(det, plain, term, held, X_test, is_outlier):
    """det's score is plain's loss plus ``term``, each in held-out standard deviations."""
    loss_held, term_held = plain.anomaly_score(held), term(held)
    expected = (plain.anomaly_score(X_test) - loss_held.mean()) / loss_held.std() + (
        term(X_test) - term_held.mean()
    ) / term_held.std()
    scores = det.anomaly_score(X_test)
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)
    assert roc_auc_score(is_outlier, scores) > 0.9
    assert abs(det.false_alarm_rate_ - det.false_alarm_rate) < 0.02  # threshold on the sum
    return scores


def test_code_neighbors_adds_the_codes_distance_in_held_out_units(digits_and_noise, tmp_path):
    X, X_test, is_outlier = digits_and_noise
    plain = AnomalyDetector(_ae(epochs=10), random_state=0).fit(X[:600])
    det = AnomalyDetector(_ae(epochs=10), code_neighbors=5, random_state=0).fit(X[:600])
    train, held_out = holdout_split(600, det.holdout_fraction, 0)
    member = det.member_
    np.testing.assert_array_equal(member.transform(X_test), plain.member_.transform(X_test))
    index = NearestNeighbors(n_neighbors=5).fit(member.transform(X[train]))

    def kth(rows):
        return index.kneighbors(member.transform(rows))[0][:, -1]

    loss_held = plain.anomaly_score(X[held_out])
    scores = _check_loss_plus_term(det, plain, kth, X[held_out], X_test, is_outlier)
    parts = det.attribution(X_test)  # the loss's terms in the score's units
    np.testing.assert_allclose(parts.sum(1), plain.anomaly_score(X_test) / loss_held.std())
    det.save(tmp_path / "d")
    again = load(tmp_path / "d")
    np.testing.assert_array_equal(again.anomaly_score(X_test), scores)
    config = json.loads((tmp_path / "d" / "config.json").read_text())
    assert len(config["code_terms"]) == 1  # one member
    terms = config["code_terms"][0]
    assert terms["distance"]["k"] == 5 and terms["distance"]["n_codes"] == len(train)
    assert terms["density"] is None
    terms["distance"]["std"] = -1.0
    (tmp_path / "d" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="code_terms distance needs code_size >= 1"):
        load(tmp_path / "d")


def test_code_density_adds_the_codes_mahalanobis_distance_in_held_out_units(
    digits_and_noise, tmp_path
):
    X, X_test, is_outlier = digits_and_noise
    plain = AnomalyDetector(_ae(epochs=10), random_state=0).fit(X[:600])
    det = AnomalyDetector(_ae(epochs=10), code_density="gaussian", random_state=0).fit(X[:600])
    train, held_out = holdout_split(600, det.holdout_fraction, 0)
    member = det.member_
    gaussian = LedoitWolf().fit(member.transform(X[train]).astype(np.float64))

    def squared(rows):  # sklearn's mahalanobis is the squared distance
        return gaussian.mahalanobis(member.transform(rows).astype(np.float64))

    scores = _check_loss_plus_term(det, plain, squared, X[held_out], X_test, is_outlier)
    both = AnomalyDetector(
        _ae(epochs=10), code_neighbors=5, code_density="gaussian", random_state=0
    ).fit(X[:600])
    assert set(both.code_terms_[0].terms) == {"distance", "density"}
    both.save(tmp_path / "both")
    np.testing.assert_array_equal(
        load(tmp_path / "both").anomaly_score(X_test), both.anomaly_score(X_test)
    )
    det.save(tmp_path / "d")
    again = load(tmp_path / "d")
    np.testing.assert_array_equal(again.anomaly_score(X_test), scores)
    path = tmp_path / "d" / "config.json"
    config = json.loads(path.read_text())
    assert config["code_terms"][0]["distance"] is None
    assert config["code_terms"][0]["density"]["code_size"] == member.code_size
    config["code_terms"][0]["density"]["code_size"] = member.code_size + 1
    path.write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match=r"code_terms.0.density_mean has shape \(4,\)"):
        load(tmp_path / "d")
    config["code_terms"][0]["density"] = {"mean": 0.0}
    path.write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="code_terms density must be null or hold exactly"):
        load(tmp_path / "d")


def test_the_default_recipe_takes_3_percent_of_the_training_rows_as_neighbours():
    X = np.random.default_rng(0).normal(size=(1000, 3)).astype(np.float32)
    det = AnomalyDetector(random_state=0).fit(X)  # 800 rows train, 200 set the units
    assert [t.terms["distance"].k for t in det.code_terms_] == [24] * 3
    det = AnomalyDetector(random_state=0).fit(X[:5])  # 4 rows train: fewer than 5
    assert [t.terms["distance"].k for t in det.code_terms_] == [4] * 3
    with pytest.raises(DataError, match="code_neighbors=5 needs at least 5 training rows"):
        AnomalyDetector(code_neighbors=5, random_state=0).fit(X[:5])  # asked for: refused


def test_code_density_flags_a_row_encoded_far_from_the_training_codes():
    """A linear member on a plane: a row on it, 4 standard deviations out, reconstructs well."""
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(6, 2)))[0].T  # (2, 6): a plane in 6 columns
    X = (rng.normal(size=(600, 2)) @ basis + rng.normal(0, 0.05, (600, 6))).astype(np.float32)
    far = (np.full((1, 2), 4 / np.sqrt(2)) @ basis).astype(np.float32)
    settings = dict(hidden=(), code_size=2, epochs=60, random_state=0)
    loss_only = AnomalyDetector(Autoencoder(**settings), random_state=0).fit(X)
    with_density = AnomalyDetector(
        Autoencoder(**settings), code_density="gaussian", random_state=0
    ).fit(X)
    assert loss_only.predict(far)[0] == 1  # the loss alone: an inlier
    assert with_density.predict(far)[0] == -1


def test_the_codes_distance_flags_a_row_reconstructed_well_between_two_clusters():
    """On a line with two clusters, its middle reconstructs well; no training code is near."""
    rng = np.random.default_rng(0)
    direction = rng.normal(size=8)
    t = np.r_[rng.normal(-3, 0.1, 300), rng.normal(3, 0.1, 300)]
    X = (t[:, None] * direction + rng.normal(0, 0.05, (600, 8))).astype(np.float32)
    middle = (np.zeros((1, 1)) * direction).astype(np.float32)
    settings = dict(hidden=(), code_size=1, epochs=60, random_state=0)  # linear: the line
    loss_only = AnomalyDetector(Autoencoder(**settings), random_state=0).fit(X)
    with_codes = AnomalyDetector(Autoencoder(**settings), code_neighbors=5, random_state=0).fit(X)
    assert loss_only.predict(middle)[0] == 1  # the loss alone: an inlier
    assert with_codes.predict(middle)[0] == -1


def test_a_detector_with_code_distance_exports_no_onnx(digits_and_noise, tmp_path):
    pytest.importorskip("onnx")
    from aekit.export import export_onnx

    X, _, _ = digits_and_noise
    det = AnomalyDetector(_ae(), code_neighbors=3, random_state=0).fit(X[:200])
    with pytest.raises(ConfigError, match="adds the code's distance \\(code_neighbors=None"):
        export_onnx(det, tmp_path / "d.onnx")
    assert not (tmp_path / "d.onnx").exists()
