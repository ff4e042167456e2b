"""The convolutional autoencoder: exact output sizes, image shapes, training, files and CLI."""

import json

import numpy as np
import pytest
import torch

import aekit
from aekit import ConvAutoencoder
from aekit.cli.main import main
from aekit.errors import ConfigError, ModelFileError
from aekit.estimators.conv import resolve_image_shape
from aekit.models.builders import build_module, config_from_dict
from aekit.models.conv import ConvConfig

TINY = dict(channels=(4, 8), code_size=5, epochs=2, random_state=0)


@pytest.fixture(scope="module")
def trained(digits01):
    """A small conv autoencoder trained on 1000 digits (8 x 8, /16); the rest are held out."""
    X, _ = digits01
    cae = ConvAutoencoder(
        channels=(8, 16),
        code_size=8,
        epochs=8,
        batch_size=64,
        learning_rate=3e-3,
        validation_fraction=0.0,
        random_state=0,
    )
    return cae.fit(X[:1000])


# ---- the network --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image_shape, feature_maps",
    [
        ((1, 8, 8), [(8, 8), (4, 4), (2, 2)]),
        ((1, 28, 28), [(28, 28), (14, 14), (7, 7)]),  # 7 is odd: 7 -> 4 -> 7 on the way back
        ((3, 7, 5), [(7, 5), (4, 3), (2, 2)]),
        ((1, 1, 10), [(1, 10), (1, 5), (1, 3)]),
    ],
)
def test_output_has_the_input_shape(image_shape, feature_maps):
    config = ConvConfig(
        n_features=int(np.prod(image_shape)), image_shape=image_shape, channels=(4, 6), code_size=3
    )
    assert config.feature_map_sizes() == feature_maps
    torch.manual_seed(0)
    model = build_module(config)
    x = torch.rand(2, config.n_features)
    out = model(x)
    assert out.code.shape == (2, 3)
    assert out.output.shape == x.shape
    assert model.decode(out.code).shape == x.shape
    # the layers really are strided convolutions down and transposed convolutions up
    assert [type(m).__name__ for m in model.encoder_convs] == ["Conv2d", "Conv2d"]
    assert [m.stride for m in model.encoder_convs] == [(2, 2), (2, 2)]
    assert [type(m).__name__ for m in model.decoder_convs] == ["ConvTranspose2d"] * 2


def test_config_round_trips_and_refuses_bad_fields():
    config = ConvConfig(n_features=48, image_shape=(3, 4, 4), channels=(5,), kernel_size=5)
    again = config_from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and again.kind == "conv"
    with pytest.raises(ConfigError, match="unknown fields: hidden"):
        ConvConfig.from_dict({"n_features": 4, "image_shape": [1, 2, 2], "hidden": [3]})
    with pytest.raises(ConfigError, match="holds 81 values, but n_features is 64"):
        ConvConfig(n_features=64, image_shape=(1, 9, 9))
    with pytest.raises(ConfigError, match="kernel_size must be an odd integer"):
        ConvConfig(n_features=64, image_shape=(1, 8, 8), kernel_size=4)
    with pytest.raises(ConfigError, match="channels must list"):
        ConvConfig(n_features=64, image_shape=(1, 8, 8), channels=())


# ---- image shapes ---------------------------------------------------------------------------


def test_image_shape_is_inferred_from_square_rows_image_input_or_a_wildcard():
    assert resolve_image_shape(None, 784) == (1, 28, 28)
    assert resolve_image_shape(None, 64) == (1, 8, 8)
    assert resolve_image_shape(None, 48, input_shape=(3, 4, 4)) == (3, 4, 4)
    assert resolve_image_shape(None, 48, input_shape=(6, 8)) == (1, 6, 8)
    assert resolve_image_shape((6, 8), 48) == (1, 6, 8)
    assert resolve_image_shape((1, 1, -1), 10) == (1, 1, 10)
    assert resolve_image_shape((3, -1, 4), 48) == (3, 4, 4)


def test_image_shaped_input_sets_the_shape(digits01):
    X, _ = digits01
    images = X[:50].reshape(50, 8, 8)
    cae = ConvAutoencoder(**TINY).fit(images)
    assert cae.config_.image_shape == (1, 8, 8)
    np.testing.assert_array_equal(cae.transform(images), cae.transform(X[:50]))


@pytest.mark.parametrize(
    "image_shape, n_features, message",
    [
        (None, 10, "cannot infer a square image from 10 features; give image_shape="),
        ((1, 9, 9), 64, "image_shape (1, 9, 9) holds 81 values, but X has 64 features"),
        ((3, -1, 5), 64, "64 is not a multiple of 15"),
        ((1, -1, -1), 64, "image_shape may have one -1"),
        ((1, 0, 64), 64, "image_shape must be (channels, height, width)"),
        ("8x8", 64, "'image_shape' parameter of ConvAutoencoder must be"),
    ],
)
def test_bad_image_shape_gives_one_line_error(image_shape, n_features, message):
    X = np.random.default_rng(0).random((20, n_features), dtype=np.float32)
    with pytest.raises(ConfigError) as info:
        ConvAutoencoder(image_shape=image_shape, **TINY).fit(X)
    text = str(info.value)
    assert message in text and "\n" not in text


# ---- the trained estimator ------------------------------------------------------------------


def test_training_lowers_the_loss_and_codes_have_code_size_columns(trained, digits01):
    X, _ = digits01
    h = trained.history_["loss"]
    assert h[-1] < 0.75 * h[0], h
    assert trained.loss_ == "bernoulli"  # chosen exactly as the other members choose
    assert trained.transform(X[1000:]).shape == (797, 8)
    assert trained.reconstruct(X[1000:]).shape == (797, 64)
    assert trained.inverse_transform(np.zeros((3, 8), np.float32)).shape == (3, 64)
    assert trained.score(X[1000:]) == pytest.approx(-trained.history_["reconstruction"][-1], 0.2)


def test_28x28_images_come_back_at_28x28():
    X = np.random.default_rng(0).random((40, 784), dtype=np.float32)
    cae = ConvAutoencoder(channels=(2, 4), code_size=3, epochs=1, random_state=0).fit(X)
    assert cae.config_.image_shape == (1, 28, 28)
    assert cae.reconstruct(X).shape == (40, 784) and cae.transform(X).shape == (40, 3)


def test_save_load_gives_the_same_codes(trained, digits01, tmp_path):
    X, _ = digits01
    trained.save(tmp_path / "cae")
    again = aekit.load(tmp_path / "cae")
    assert isinstance(again, ConvAutoencoder) and again.config_ == trained.config_
    np.testing.assert_allclose(again.transform(X[1000:]), trained.transform(X[1000:]), atol=1e-6)
    np.testing.assert_allclose(again.reconstruct(X[:5]), trained.reconstruct(X[:5]), atol=1e-6)


def test_load_checks_the_weights_against_the_config(trained, tmp_path):
    trained.save(tmp_path / "cae")
    path = tmp_path / "cae" / "config.json"
    config = json.loads(path.read_text())
    config["model"]["channels"] = [8, 32]  # the file's weights are for (8, 16)
    path.write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="has shape"):
        aekit.load(tmp_path / "cae")


def test_deterministic_on_cpu_with_a_seed(digits01):
    X, _ = digits01
    first = ConvAutoencoder(**TINY).fit(X[:300]).transform(X[:50])
    second = ConvAutoencoder(**TINY).fit(X[:300]).transform(X[:50])
    other = ConvAutoencoder(**{**TINY, "random_state": 1}).fit(X[:300]).transform(X[:50])
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_noise_composes_into_a_convolutional_denoising_autoencoder(digits01):
    X, _ = digits01
    plain = ConvAutoencoder(**TINY)
    noisy = ConvAutoencoder(noise="masking", noise_level=0.3, **TINY).fit(X[:200])
    plain.fit(X[:200])
    assert not np.allclose(noisy.transform(X[:5]), plain.transform(X[:5]))
    with pytest.raises(
        ConfigError, match="'noise' parameter of ConvAutoencoder must be a str among"
    ):
        ConvAutoencoder(noise="blur", **TINY).fit(X[:20])


# ---- command line -------------------------------------------------------------------------------


def test_cli_trains_a_conv_model_end_to_end(tmp_path):
    out = tmp_path / "conv"
    argv = ["train", "--model", "conv", "--data", "digits", "--out", str(out)]
    options = ["--channels", "4,8", "--code-size", "3", "--epochs", "2", "--quiet"]
    assert main([*argv, *options]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["estimator"] == "conv" and config["model"]["kind"] == "conv"
    assert config["model"]["image_shape"] == [1, 8, 8] and config["model"]["channels"] == [4, 8]
    assert (out / "reconstructions.png").is_file()
    codes = tmp_path / "codes.npy"
    assert main(["encode", "--model", str(out), "--data", "digits", "--out", str(codes), "-q"]) == 0
    assert np.load(codes).shape == (360, 3)


def test_cli_refuses_channels_for_a_model_without_them(tmp_path, capsys):
    argv = ["train", "--model", "autoencoder", "--data", "digits", "--out", str(tmp_path / "m")]
    assert main([*argv, "--channels", "4", "--epochs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--model autoencoder takes no --channels" in err and "\n" not in err
    assert not (tmp_path / "m").exists()


def test_auto_precision_trains_convolutions_in_float32_on_cpu_reproducibly():
    # bf16 convolutions on CPU gave a different result, and sometimes NaN gradients, on every
    # run for images one pixel wide (oneDNN in PyTorch 2.13): "auto" keeps them in float32.
    X = np.random.default_rng(0).random((50, 8), dtype=np.float32)
    common = dict(channels=(4,), code_size=2, epochs=3, image_shape=(1, -1, 1), random_state=0)
    fits = [ConvAutoencoder(device="cpu", **common).fit(X) for _ in range(3)]
    weights = [torch.cat([p.flatten() for p in f.module_.parameters()]) for f in fits]
    assert all(torch.equal(weights[0], w) for w in weights[1:])
