"""ONNX export: every saved kind round-trips through onnxruntime with the estimator's numbers,
at any batch size; the command writes one checked file, or one error line and no file."""

import sys
from importlib.util import find_spec

import numpy as np
import pytest
import torch

from aekit import (
    RBM,
    AnomalyDetector,
    Autoencoder,
    ContractiveAutoencoder,
    ConvAutoencoder,
    DenoisingAutoencoder,
    KSparseAutoencoder,
    PretrainedClassifier,
    SparseAutoencoder,
    StackedAutoencoder,
    VariationalAutoencoder,
)
from aekit.cli.main import main
from aekit.errors import AekitError, ConfigError, OutputError
from aekit.estimators.persistence import saved_name
from aekit.estimators.registry import SAVED
from aekit.export import export_onnx
from aekit.export.check import difference
from aekit.export.graphs import MemberGraph

needs_onnx = pytest.mark.skipif(
    any(find_spec(name) is None for name in ("onnx", "onnxscript", "onnxruntime")),
    reason="needs aekit[onnx]",
)
TINY = {"epochs": 2, "random_state": 0}
MLP = {"hidden": (16,), "code_size": 4, **TINY}
KINDS = [  # every saved kind; a detector on each kind of score
    "autoencoder",
    "denoising",
    "sparse",
    "contractive",
    "stacked",
    "k-sparse",
    "conv",
    "vae",
    "rbm",
    "classifier",
    "detector",
    "detector-vae",
    "detector-rbm",
]


def _members(X01, Xreal):
    """One tiny fitted model of every saved kind, and the rows it takes, by name."""
    images = X01.reshape(-1, 8, 8)
    ae = Autoencoder(**MLP).fit(Xreal)  # standardised, Gaussian
    vae = VariationalAutoencoder(**MLP).fit(Xreal)
    rbm = RBM(code_size=8, **TINY).fit(X01)
    labels = np.arange(Xreal.shape[0]) % 3
    fitted = {
        "autoencoder": (ae, Xreal),
        "denoising": (DenoisingAutoencoder(**MLP).fit(X01), X01),  # unscaled, Bernoulli
        "sparse": (SparseAutoencoder(**MLP).fit(X01), X01),
        "contractive": (ContractiveAutoencoder(scale="minmax", **MLP).fit(Xreal), Xreal),
        "stacked": (StackedAutoencoder(pretrain_epochs=1, tied=True, **MLP).fit(X01), X01),
        "k-sparse": (
            KSparseAutoencoder(code_size=16, top_k=3, top_k_alpha=1.5, **TINY).fit(X01),
            X01,
        ),
        "conv": (ConvAutoencoder(channels=(4, 8), code_size=4, **TINY).fit(images), X01),
        "vae": (vae, Xreal),
        "rbm": (rbm, X01),
        "classifier": (PretrainedClassifier(ae, **TINY).fit(Xreal, labels), Xreal),
        "detector": (AnomalyDetector(ae, random_state=0).fit(Xreal), Xreal),
        "detector-vae": (AnomalyDetector(vae, random_state=0).fit(Xreal), Xreal),
        "detector-rbm": (AnomalyDetector(rbm, random_state=0).fit(X01), X01),
    }
    return fitted


@pytest.fixture(scope="module")
def fitted(digits01):
    X01 = digits01[0][:200]
    rng = np.random.default_rng(0)
    Xreal = (rng.normal(size=(200, 2)) @ rng.normal(size=(2, 12)) * 3 + 1).astype(np.float32)
    return _members(X01, Xreal)


def _estimator_outputs(model, X):
    """What the estimator's own methods give, by the graph's output names."""
    member = getattr(model, "member_", None) or getattr(model, "encoder_", None) or model
    out = {"code": member.transform(X), "reconstruction": member.reconstruct(X)}
    if isinstance(model, PretrainedClassifier):
        out["probabilities"] = model.predict_proba(X)
    if isinstance(model, AnomalyDetector):
        out["score"] = model.anomaly_score(X)
    return out


def _feeds(model, X, input_names):
    feeds = {"input": X}
    if "noise" in input_names:  # the draws anomaly_score makes for a VAE (elbo, seed 0)
        code_size = model.member_.config_.code_size
        noise = torch.randn((X.shape[0], code_size), generator=torch.Generator().manual_seed(0))
        feeds["noise"] = noise.numpy()
    return feeds


def _check_file(path, model):
    """One file, weights inside, recording what it holds."""
    import onnx

    file = onnx.load(str(path))
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in file.graph.initializer)
    props = {p.key: p.value for p in file.metadata_props}
    assert props["aekit_estimator"] == saved_name(type(model))
    if isinstance(model, PretrainedClassifier):  # the columns of probabilities
        assert props["aekit_classes"] == "[0, 1, 2]"
    if isinstance(model, AnomalyDetector):
        assert float(props["aekit_threshold"]) == model.threshold_


def _session(path):
    import onnxruntime

    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_every_saved_kind_has_an_export_test(fitted):
    assert set(SAVED) <= set(KINDS) == set(fitted)  # a new member needs its line in _members


@needs_onnx
@pytest.mark.parametrize("name", KINDS)
def test_onnx_gives_the_estimators_numbers_at_any_batch_size(name, fitted, tmp_path):
    model, X = fitted[name]
    path = tmp_path / "model.onnx"
    report = export_onnx(model, path)
    assert report.check.passed and report.check.batch_sizes == (256, 1)
    assert max(report.check.differences.values()) <= 1e-5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]  # one file, no temp
    _check_file(path, model)
    session = _session(path)
    inputs = [i.name for i in session.get_inputs()]
    assert inputs == list(report.inputs) and inputs[0] == "input"
    assert all(i.shape[0] == "batch" for i in session.get_inputs())  # a dynamic batch size
    outputs = [o.name for o in session.get_outputs()]
    assert outputs == list(report.outputs)
    for n_rows in (7, 2):  # batch sizes the export was not traced or checked with
        rows = X[10 : 10 + n_rows]
        got = dict(zip(outputs, session.run(None, _feeds(model, rows, inputs)), strict=True))
        expected = _estimator_outputs(model, rows)
        assert set(got) == set(expected)
        for key, value in expected.items():
            assert difference(got[key], value) <= 1e-5, key


@needs_onnx
@pytest.mark.parametrize("name", ["conv", "vae"])  # an MLP's: the command's --decoder test
def test_decoder_alone_decodes_codes_as_inverse_transform(name, fitted, tmp_path):
    model, X = fitted[name]
    report = export_onnx(model, tmp_path / "decoder.onnx", decoder=True)
    assert report.inputs == ("code",) and report.outputs == ("decoded",)
    codes = model.transform(X[:5])
    (decoded,) = _session(tmp_path / "decoder.onnx").run(None, {"code": codes})
    assert difference(decoded, model.inverse_transform(codes)) <= 1e-5


def test_difference_is_relative_above_one():
    assert difference(np.array([1000.0]), np.array([1000.005])) < 1e-5  # 5e-6 relative
    assert difference(np.array([0.1]), np.array([0.10002])) > 1e-5  # 2e-5 absolute
    assert difference(np.array([np.nan]), np.array([0.0])) == np.inf
    assert difference(np.zeros((2, 3)), np.zeros((3, 2))) == np.inf


@needs_onnx
def test_python_export_refuses_what_it_cannot_write(fitted, tmp_path):
    ae, _ = fitted["autoencoder"]
    existing = tmp_path / "taken.onnx"
    existing.write_bytes(b"keep me")
    with pytest.raises(OutputError, match=r"already exists.*overwrite=True"):
        export_onnx(ae, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(OutputError, match="must end in .onnx"):
        export_onnx(ae, tmp_path / "model.pt")
    with pytest.raises(ConfigError, match="not fitted"):
        export_onnx(Autoencoder(), tmp_path / "unfitted.onnx")
    with pytest.raises(ConfigError, match="cannot export a PCA"):
        from sklearn.decomposition import PCA

        export_onnx(PCA(), tmp_path / "pca.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.onnx"]


# ---- the command ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_dir(fitted, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "model"
    fitted["autoencoder"][0].save(folder)
    return folder


@needs_onnx
def test_export_command_writes_a_checked_file_and_refuses_to_overwrite(
    model_dir, fitted, tmp_path, capsys
):
    rows = tmp_path / "rows.npy"
    np.save(rows, fitted["autoencoder"][1][:50])
    assert main(["export", "--model", str(model_dir), "--format", "onnx", "--data", str(rows)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("check passed: onnxruntime matches the model on 50 rows")
    assert "written to" in err and (model_dir / "model.onnx").is_file()
    before = (model_dir / "model.onnx").read_bytes()
    assert main(["export", "--model", str(model_dir)]) == 1  # exists: kept
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "--overwrite" in err
    assert (model_dir / "model.onnx").read_bytes() == before
    argv = ["export", "--model", str(model_dir), "--overwrite", "--decoder", "-q"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "(decoded)" in out and err == ""
    assert (model_dir / "model.onnx").read_bytes() != before
    (model_dir / "model.onnx").unlink()


@needs_onnx
def test_failed_check_is_one_line_and_leaves_no_file(model_dir, tmp_path, monkeypatch, capsys):
    wrong = MemberGraph.expected

    def off_by_a_little(self, feeds):  # as if the file computed something else
        expected = wrong(self, feeds)
        return {**expected, "reconstruction": expected["reconstruction"] + 1e-3}

    monkeypatch.setattr(MemberGraph, "expected", off_by_a_little)
    out = tmp_path / "model.onnx"
    assert main(["export", "--model", str(model_dir), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "check failed" in err and "reconstruction" in err
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary


def test_bad_model_folder_and_format_are_refused(tmp_path, capsys):
    if find_spec("onnxruntime") is not None:  # the folder is read once the packages are there
        assert main(["export", "--model", str(tmp_path), "--out", str(tmp_path / "m.onnx")]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "config.json is missing" in err
    with pytest.raises(SystemExit) as info:
        main(["export", "--model", str(tmp_path), "--format", "tflite"])
    assert info.value.code == 2
    assert list(tmp_path.iterdir()) == []


def test_missing_onnx_packages_say_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails, as if not installed
    assert main(["export", "--model", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install aekit[onnx]" in err
    with pytest.raises(AekitError, match=r"onnxruntime.*pip install aekit\[onnx\]"):
        export_onnx(None, tmp_path / "m.onnx")


def test_export_has_help_with_an_example(capsys):
    with pytest.raises(SystemExit) as info:
        main(["export", "--help"])
    assert info.value.code == 0
    assert "example: aekit export" in capsys.readouterr().out
