"""config.json is checked against its schema before anything is built: one line naming the key."""

import dataclasses
import json

import numpy as np
import pytest

import aekit
import aekit.estimators.persistence as persistence
from aekit.errors import ConfigError, ModelFileError
from aekit.models.schema import check_fields, check_value


@pytest.fixture(scope="module")
def saved_config(tmp_path_factory):
    X = np.random.default_rng(0).random((40, 6)).astype(np.float32)
    folder = tmp_path_factory.mktemp("schema") / "model"
    aekit.Autoencoder(hidden=(4,), code_size=2, epochs=1, random_state=0).fit(X).save(folder)
    return folder


def _set(config, dotted, value):
    *parents, last = dotted.split(".")
    node = config
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


DELETE = object()
BAD_CONFIGS = [
    # (key changed, new value, expected fragment of the one-line message)
    ("format_version", "1", "invalid format_version '1'"),
    ("format_version", True, "invalid format_version True"),
    ("format_version", 0, "invalid format_version 0"),
    ("colour", "red", "config.colour is not a known field"),
    ("params", DELETE, "field 'params' is missing or not a dict"),
    ("aekit_version", 1, "config.aekit_version must be a string"),
    ("model.n_features", "6", "model.n_features must be an integer, got '6'"),
    ("model.n_features", 6.0, "model.n_features must be an integer, got 6.0"),
    ("model.hidden", [4, "x"], "model.hidden[1] must be an integer, got 'x'"),
    ("model.hidden", [4.5], "model.hidden[0] must be an integer, got 4.5"),
    ("model.hidden", "4", "model.hidden must be a list of at most 256 integers"),
    ("model.hidden", [1] * 300, "model.hidden must be a list of at most 256 integers"),
    ("model.code_size", 10**30, "model.code_size must be an integer of magnitude"),
    ("model.code_size", 0, "code_size must be an integer in [1, 1048576], got 0"),
    ("model.tied", "no", "model.tied must be true or false, got 'no'"),
    ("model.code_activation", 3, "model.code_activation must be a string or null, got 3"),
    ("model.activation", "swish2", "activation must be one of"),
    ("model.depth", 3, "model.depth is not a known field"),
    ("model.n_features", DELETE, "model.n_features is missing"),
    ("model.kind", "vae", "model.tied is not a known field"),
    ("model.kind", "nope", "unknown model builder 'nope'"),
    ("model", [1, 2], "field 'model' is missing or not a dict"),
    ("input_schema.n_features", 7, "model.n_features=6 disagrees with input_schema.n_features=7"),
    ("input_schema.n_features", -1, "input_schema.n_features must be in [1, 1048576], got -1"),
    ("input_schema.dtype", "float64", "input_schema.dtype must be one of 'float32'"),
    ("input_schema.image_shape", [2, 2], "input_schema.image_shape [2, 2] does not hold"),
    ("input_schema.image_shape", [6], "input_schema.image_shape must be (h, w)"),
    ("input_schema.image_shape", "2x3", "input_schema.image_shape must be a list"),
    ("preprocessing.kind", "robust", "preprocessing.kind must be one of none, minmax, standard"),
    ("preprocessing.offset", [0], "preprocessing.offset is not a known field"),
    ("loss.likelihood", "poisson", "loss.likelihood must be one of gaussian, bernoulli"),
    ("loss.likelihood", "gaussian", "model.likelihood='bernoulli' disagrees with loss"),
    ("loss.reason", None, "loss.reason must be a string"),
    ("estimator", "transformer", "unknown model 'transformer'"),
    ("params.epochs", "10", "params.epochs must be an integer, got '10'"),
    ("params.learning_rate", float("nan"), "params.learning_rate must be a finite number"),
    ("params.hidden", [4, None], "params.hidden[1] must be an integer, got None"),
    ("params.random_state", "seed", "params.random_state must be an integer or null"),
    ("params.colour", 1, "params.colour is not a known parameter"),
    ("params.callbacks", [], "params.callbacks cannot be set from a model file"),
]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    BAD_CONFIGS,
    ids=[f"{k}={'(deleted)' if v is DELETE else repr(v)}"[:40] for k, v, _ in BAD_CONFIGS],
)
def test_bad_config_is_refused_in_one_line_naming_the_key_before_any_build(
    saved_config, tmp_path, monkeypatch, key, value, message
):
    folder = tmp_path / "model"
    folder.mkdir()
    for p in saved_config.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    config = json.loads((folder / "config.json").read_text())
    _set(config, key, value)
    (folder / "config.json").write_text(json.dumps(config))

    def no_build(*args, **kwargs):
        raise AssertionError("a module was built from an unchecked config")

    monkeypatch.setattr(persistence, "build_module", no_build)
    with pytest.raises(ModelFileError) as info:
        aekit.load(folder)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{folder / 'config.json'}: ")
    assert message in text, text


def test_every_saved_estimator_passes_its_own_schema(tmp_path):
    from aekit.estimators.registry import ESTIMATORS

    X = np.random.default_rng(0).random((30, 16)).astype(np.float32)
    for name in ESTIMATORS:
        cls = ESTIMATORS.get(name)
        accepted = cls().get_params()
        wanted = dict(epochs=1, random_state=0, hidden=(4,), code_size=2, pretrain_epochs=1)
        wanted.update(channels=(2,)) if "channels" in accepted else None
        wanted.update(top_k=1) if name == "k-sparse" else None
        est = cls(**{k: v for k, v in wanted.items() if k in accepted})
        est.fit(X.reshape(30, 1, 4, 4) if name == "conv" else X)
        est.save(tmp_path / name)
        again = aekit.load(tmp_path / name)
        assert again.get_params()["epochs"] == 1, name


def test_history_that_is_not_per_epoch_numbers_is_refused(saved_config, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    for p in saved_config.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    for bad in ('{"loss": 5}', '{"loss": ["a"]}', "[1, 2]", "{not json"):
        (folder / "history.json").write_text(bad)
        with pytest.raises(ModelFileError, match="not a history of per-epoch numbers; delete it"):
            aekit.load(folder)
    (folder / "history.json").unlink()
    assert aekit.load(folder).history_ == {}  # optional: absent is fine


def test_checks_come_from_the_dataclass_annotations():
    @dataclasses.dataclass
    class Future:  # a config class added later gets the same checks without new code
        n_features: int
        kernel: tuple[int, int] = (3, 3)
        rate: float | None = None
        name: str = "x"

    check_fields(Future, {"n_features": 3, "kernel": [5, 5], "rate": 0.5}, "model")
    for data, message in [
        ({"n_features": 3, "kernel": [5]}, "model.kernel must be a list of 2 items"),
        ({"n_features": 3, "rate": "fast"}, "model.rate must be a finite number or null"),
        ({"n_features": 3, "rate": float("inf")}, "model.rate must be a finite number or null"),
        ({"kernel": [1, 1]}, "model.n_features is missing"),
        ({"n_features": 3, "name": ["a"]}, "model.name must be a string"),
    ]:
        with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
            check_fields(Future, data, "model")
    with pytest.raises(ConfigError, match="x must be true or false"):
        check_value("x", 1, bool)


def test_weights_of_another_dtype_are_refused_before_loading(saved_config, tmp_path):
    from safetensors.torch import load_file, save_file

    folder = tmp_path / "model"
    folder.mkdir()
    for p in saved_config.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    tensors = load_file(folder / "model.safetensors")
    tensors["encoder_layers.0.bias"] = tensors["encoder_layers.0.bias"].double()
    save_file(tensors, folder / "model.safetensors")
    with pytest.raises(ModelFileError, match=r"tensor encoder_layers.0.bias has shape \(4,\) F64"):
        aekit.load(folder)
