"""The multilayer builder: shapes, tied weights, linear code layer, config round trip."""

import pytest
import torch

from aekit.errors import ConfigError
from aekit.models.builders import build_module, config_from_dict
from aekit.models.config import MLPConfig
from aekit.models.conv import ConvConfig
from aekit.models.rbm import RBMConfig
from aekit.models.registry import Registry
from aekit.models.vae import VAEConfig


def _count(module):
    return sum(p.numel() for p in module.parameters())


def test_shapes_of_code_and_output():
    m = build_module(MLPConfig(n_features=12, hidden=(8, 6), code_size=3))
    out = m(torch.randn(5, 12))
    assert out.code.shape == (5, 3)
    assert out.output.shape == (5, 12)
    assert [h.shape[1] for h in out.hidden] == [8, 6]


def test_tied_decoder_shares_storage_with_transposed_encoder_weights():
    m = build_module(MLPConfig(n_features=12, hidden=(8, 6), code_size=3, tied=True))
    encoders, decoders = list(m.encoder_layers), list(m.decoder_layers)[::-1]
    for enc, dec in zip(encoders, decoders, strict=True):
        assert dec.weight.shape == enc.weight.t().shape
        assert dec.weight.data_ptr() == enc.weight.data_ptr()
        assert dec.bias.shape == (enc.in_features,)  # its own bias


def test_tied_parameter_count_is_untied_minus_decoder_weights():
    untied = build_module(MLPConfig(n_features=12, hidden=(8, 6), code_size=3))
    tied = build_module(MLPConfig(n_features=12, hidden=(8, 6), code_size=3, tied=True))
    decoder_weights = sum(layer.weight.numel() for layer in untied.decoder_layers)
    assert _count(tied) == _count(untied) - decoder_weights
    assert _count(untied) - decoder_weights == 12 * 8 + 8 * 6 + 6 * 3 + (8 + 6 + 3) + (6 + 8 + 12)


def test_tied_gradient_reaches_the_shared_weight_from_both_sides():
    m = build_module(MLPConfig(n_features=4, hidden=(), code_size=2, tied=True))
    x = torch.randn(3, 4)
    m(x).output.square().sum().backward()
    enc = m.encoder_layers[0].weight
    # d/dW of ||W^T (W x + b) + c||^2 has both an encoder and a decoder part.
    W, b, c = (
        enc.detach().clone().requires_grad_(),
        m.encoder_layers[0].bias.detach(),
        m.decoder_layers[0].bias.detach(),
    )
    ((x @ W.t() + b) @ W + c).square().sum().backward()
    torch.testing.assert_close(enc.grad, W.grad)


def test_code_layer_is_linear():
    m = build_module(MLPConfig(n_features=2, hidden=(), code_size=1, activation="sigmoid"))
    with torch.no_grad():
        m.encoder_layers[0].weight.fill_(1.0)
        m.encoder_layers[0].bias.fill_(0.0)
    code = m.encode(torch.tensor([[10.0, 20.0]]))
    assert code.item() == pytest.approx(30.0)  # a sigmoid would cap it at 1


def test_bernoulli_decode_is_in_unit_interval_and_gaussian_is_identity():
    x = torch.randn(4, 6) * 10
    bern = build_module(MLPConfig(n_features=6, hidden=(5,), code_size=2, likelihood="bernoulli"))
    gauss = build_module(MLPConfig(n_features=6, hidden=(5,), code_size=2, likelihood="gaussian"))
    code = bern.encode(x)
    assert torch.all((bern.decode(code) >= 0) & (bern.decode(code) <= 1))
    torch.testing.assert_close(gauss.decode(code), gauss.decode_raw(code))


def test_config_round_trips_through_a_dict():
    cfg = MLPConfig(n_features=7, hidden=(5, 4), code_size=2, activation="tanh", tied=True)
    again = config_from_dict(cfg.to_dict())
    assert again == cfg


@pytest.mark.parametrize(
    "change",
    [
        {"code_size": 0},
        {"hidden": [3, -1]},
        {"activation": "swish2"},
        {"likelihood": "poisson"},
        {"n_features": 2**40},
        {"tied": "yes"},
        {"colour": "red"},
    ],
)
def test_bad_config_is_a_config_error(change):
    data = {**MLPConfig(n_features=7).to_dict(), **change}
    with pytest.raises(ConfigError):
        config_from_dict(data)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MLPConfig(n_features=4, activation="swish"), "activation must be one of elu, "),
        (
            lambda: MLPConfig(n_features=4, code_activation="swish"),
            "code_activation must be None or one of elu, ",
        ),
        (lambda: VAEConfig(n_features=4, likelihood="swish"), "likelihood must be one of gaussian"),
        (
            lambda: ConvConfig(n_features=16, image_shape=(1, 4, 4), activation="swish"),
            "activation must be one of elu, ",
        ),
        (lambda: RBMConfig(4, 2, hidden_units="swish"), "hidden_units must be one of bernoulli"),
    ],
)
def test_every_model_config_names_the_bad_setting_its_choices_and_the_value(make, message):
    with pytest.raises(ConfigError, match=message) as raised:
        make()
    text = str(raised.value)
    assert "\n" not in text and text.endswith("got 'swish'")


def test_registry_refuses_duplicates_and_unknown_names():
    reg = Registry("thing")
    reg.register("a")(1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("a")(2)
    with pytest.raises(ConfigError, match="unknown thing 'b'; known: a"):
        reg.get("b")


def _bound(layer):  # half-width of the uniform the weights were drawn from, estimated
    return float(layer.weight.detach().abs().max())


def test_glorot_inside_and_lecun_at_the_output_layer():
    torch.manual_seed(0)
    m = build_module(MLPConfig(n_features=784, hidden=(200,), code_size=30))
    for layer in [*m.encoder_layers, *m.decoder_layers[:-1]]:
        glorot = (6 / (layer.in_features + layer.out_features)) ** 0.5
        assert _bound(layer) == pytest.approx(glorot, rel=0.01)
        assert not layer.bias.any()
    out = m.decoder_layers[-1]  # 200 -> 784: LeCun's sqrt(3 / 200), not Glorot's 0.078
    assert _bound(out) == pytest.approx((3 / 200) ** 0.5, rel=0.01)
    assert not out.bias.any()


def test_vae_and_pretraining_layers_take_the_same_initialisation():
    from aekit.models.stack import LayerAutoencoder
    from aekit.models.vae import VAEConfig
    from aekit.objectives.likelihood import get_likelihood

    torch.manual_seed(0)
    vae = build_module(VAEConfig(n_features=100, hidden=(50,), code_size=4))
    assert _bound(vae.decoder_layers[-1]) == pytest.approx((3 / 50) ** 0.5, rel=0.02)
    assert _bound(vae.encoder_layers[0]) == pytest.approx((6 / 150) ** 0.5, rel=0.02)
    layer = LayerAutoencoder(100, 30, "sigmoid", get_likelihood("bernoulli"), tied=False)
    assert _bound(layer.decoder) == pytest.approx((3 / 30) ** 0.5, rel=0.02)
    assert _bound(layer.encoder) == pytest.approx((6 / 130) ** 0.5, rel=0.02)
