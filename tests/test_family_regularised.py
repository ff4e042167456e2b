"""Sparse, denoising and contractive autoencoders: penalties, corruptions and what they learn."""

import json
import math

import numpy as np
import pytest
import torch
from sklearn.base import clone

import aekit
from aekit import Autoencoder, ContractiveAutoencoder, DenoisingAutoencoder, SparseAutoencoder
from aekit.cli.main import main
from aekit.errors import ConfigError
from aekit.estimators.contractive import PAPER_CAE
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.models.output import ModelOutput
from aekit.objectives.corruption import gaussian, masking, salt_and_pepper, sparing
from aekit.objectives.likelihood import GAUSSIAN
from aekit.objectives.objective import Objective
from aekit.objectives.penalties import (
    autograd_jacobian_norm,
    closed_form_jacobian_norm,
    contractive,
    has_closed_form,
    jacobian_norm,
    kl_sparsity,
    l1_activity,
    projected_jacobian_norm,
)
from aekit.reporting import plot_filters

TINY = dict(hidden=(16,), code_size=3, epochs=2, random_state=0)
MEMBERS = [SparseAutoencoder, DenoisingAutoencoder, ContractiveAutoencoder]


def psnr(estimate, clean):
    """Peak signal-to-noise ratio in dB for data in [0, 1]."""
    return 10 * np.log10(1.0 / np.mean(np.square(estimate - clean, dtype=np.float64)))


# ---- corruptions ---------------------------------------------------------------------------


class Recorder(torch.nn.Module):
    """An identity 'model' that remembers the input the objective gave it."""

    likelihood = GAUSSIAN

    def forward(self, x):
        self.seen = x.clone()
        return ModelOutput(code=x, output=x)


CORRUPTIONS = [
    ("masking", masking(0.3), 0.3),
    ("salt_and_pepper", salt_and_pepper(0.3), 0.3),
    ("gaussian", gaussian(0.5), 1.0),  # every entry moves
]


@pytest.mark.parametrize(
    ("name", "corrupt", "fraction"), CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS]
)
def test_corruption_changes_the_stated_fraction_in_training_only(name, corrupt, fraction):
    x = 0.2 + 0.6 * torch.rand(200, 100, generator=torch.Generator().manual_seed(0))  # (0.2, 0.8)
    objective, model = Objective(GAUSSIAN, corruption=corrupt), Recorder()
    objective(model, x, train=False, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(model.seen, x, rtol=0, atol=0)
    objective(model, x, train=True, generator=torch.Generator().manual_seed(1))
    changed = (model.seen != x).float().mean().item()
    assert abs(changed - fraction) < 0.01, changed  # 20 000 entries: std of the rate ~0.003
    if name == "masking":
        assert torch.all(model.seen[model.seen != x] == 0)
    if name == "salt_and_pepper":
        moved = model.seen[model.seen != x]
        assert set(moved.unique().tolist()) == {0.0, 1.0}
        assert abs((moved == 1).float().mean().item() - 0.5) < 0.03  # salt and pepper, half each
    if name == "gaussian":
        assert abs((model.seen - x).std().item() - 0.5) < 0.01


@pytest.mark.parametrize(
    ("name", "corrupt", "fraction"), CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS]
)
def test_corruption_is_repeatable_from_a_seeded_generator(name, corrupt, fraction):
    x = torch.rand(30, 10, generator=torch.Generator().manual_seed(0))
    a = corrupt(x, torch.Generator().manual_seed(5))
    b = corrupt(x, torch.Generator().manual_seed(5))
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(a, corrupt(x, torch.Generator().manual_seed(6)))


@pytest.mark.parametrize("bad", [-0.1, 1.0, "0.2", True])
def test_corruption_fraction_out_of_range_is_refused(bad):
    with pytest.raises(ConfigError, match=r"\[0, 1\)"):
        masking(bad)


# ---- sparsity --------------------------------------------------------------------------------


def _sigmoid_mlp(hidden=(5,), code_size=2, code_activation=None, n_features=6):
    torch.manual_seed(0)
    return build_module(
        MLPConfig(
            n_features=n_features,
            hidden=hidden,
            code_size=code_size,
            activation="sigmoid",
            code_activation=code_activation,
        )
    )


def test_kl_sparsity_is_the_batch_kl_broadcast_per_sample():
    model = _sigmoid_mlp()
    x = torch.rand(40, 6, generator=torch.Generator().manual_seed(0))
    out = model(x)
    value = kl_sparsity(0.05, 3.0)(model, x, out)
    assert value.shape == (40,) and torch.all(value == value[0])
    rho_hat = out.hidden[0].mean(0).double()
    kl = 0.05 * torch.log(0.05 / rho_hat) + 0.95 * torch.log(0.95 / (1 - rho_hat))
    assert value.mean().item() == pytest.approx(3.0 * kl.sum().item(), rel=1e-5)


def test_kl_sparsity_on_non_sigmoid_units_is_refused(digits01):
    X, _ = digits01
    with pytest.raises(ConfigError, match="first_activation='sigmoid'"):
        SparseAutoencoder(first_activation="relu", **TINY).fit(X[:50])
    with pytest.raises(ConfigError, match="activation='sigmoid'"):
        SparseAutoencoder(first_activation=None, activation="relu", **TINY).fit(X[:50])
    with pytest.raises(ConfigError, match="hidden layer"):
        SparseAutoencoder(hidden=(), code_size=3, epochs=1).fit(X[:50])
    with pytest.raises(ConfigError, match="sparsity"):
        SparseAutoencoder(sparsity="kl2", **TINY).fit(X[:50])
    with pytest.raises(ConfigError, match="'sparsity_target' parameter of SparseAutoencoder"):
        SparseAutoencoder(sparsity_target=1.5, **TINY).fit(X[:50])


def test_l1_activity_is_the_weighted_l1_norm_per_sample():
    model = _sigmoid_mlp()
    x = torch.rand(8, 6, generator=torch.Generator().manual_seed(0))
    out = model(x)
    torch.testing.assert_close(l1_activity(0.5)(model, x, out), 0.5 * out.hidden[0].sum(1))


def test_kl_sparse_autoencoder_reaches_the_target_activation_on_digits(digits01):
    X, _ = digits01
    rho = 0.05
    sae = SparseAutoencoder(
        hidden=(32,),
        code_size=8,
        sparsity_target=rho,
        sparsity_weight=3.0,
        epochs=20,
        batch_size=64,
        learning_rate=1e-2,
        random_state=0,
    ).fit(X)
    mean = float(sae.mean_activation(X).mean())  # measured: 0.050
    assert abs(mean - rho) < 0.25 * rho, mean
    assert "sparsity" in sae.history_ and sae.history_["sparsity"][-1] < sae.history_["sparsity"][0]


def test_l1_sparsity_lowers_the_mean_activation(digits01):
    X, _ = digits01
    common = dict(hidden=(32,), code_size=8, epochs=8, batch_size=64, sparsity="l1")
    common |= dict(activation="sigmoid", first_activation=None)  # the units it was measured on
    weak = SparseAutoencoder(sparsity_weight=1e-4, random_state=0, **common).fit(X[:600])
    strong = SparseAutoencoder(sparsity_weight=0.3, random_state=0, **common).fit(X[:600])
    lowered, kept = strong.mean_activation(X[:600]).mean(), weak.mean_activation(X[:600]).mean()
    assert lowered < 0.75 * kept, (lowered, kept)  # measured: 0.33 vs 0.54


def test_plot_filters_draws_the_first_layer(digits01, tmp_path):
    X, _ = digits01
    sae = SparseAutoencoder(**TINY).fit(X[:100])
    path = plot_filters(sae, (8, 8), tmp_path / "filters.png", n=10)
    assert path.stat().st_size > 1000
    with pytest.raises(ConfigError, match="fitted"):
        plot_filters(SparseAutoencoder(), (8, 8), tmp_path / "none.png")


# ---- denoising -------------------------------------------------------------------------------


def test_denoising_autoencoder_removes_masking_noise_from_held_out_digits(digits01):
    X, _ = digits01
    train, test = X[:1400], X[1400:]
    settings = dict(
        hidden=(128,), code_size=16, epochs=60, batch_size=64, learning_rate=1e-2, random_state=0
    )
    dae = DenoisingAutoencoder(noise="masking", noise_level=0.25, **settings).fit(train)
    noisy = masking(0.25)(torch.from_numpy(test), torch.Generator().manual_seed(1)).numpy()
    before, after = psnr(noisy, test), psnr(dae.denoise(noisy), test)  # measured: 12.4, 17.3 dB
    assert after >= before + 3.0, (before, after)
    plain = Autoencoder(**settings).fit(train)  # the same net trained on clean data only
    assert after >= psnr(plain.reconstruct(noisy), test) + 1.0  # measured: 13.2 dB
    np.testing.assert_array_equal(dae.denoise(noisy), dae.reconstruct(noisy))


def test_sparing_leaves_whole_rows_clean_at_the_stated_fraction():
    x = torch.rand(4000, 50) + 0.5  # no entry is zero before masking
    noisy = sparing(masking(0.5), 0.3)(x, torch.Generator().manual_seed(0))
    clean_rows = (noisy == x).all(dim=1)
    assert abs(clean_rows.float().mean().item() - 0.3) < 0.03
    masked = (noisy[~clean_rows] == 0).float().mean().item()  # the other rows: 50 % masked
    assert abs(masked - 0.5) < 0.01
    assert sparing(masking(0.5), 0.0) is not None
    with pytest.raises(ConfigError, match=r"clean fraction must be in \[0, 1\)"):
        sparing(masking(0.5), 1.0)


def test_denoising_default_spares_most_rows_and_plain_noise_spares_none():
    assert DenoisingAutoencoder().clean_fraction == 0.5
    assert Autoencoder(noise="masking").clean_fraction == 0.0


def test_clean_rows_in_training_lower_the_clean_input_error(digits01):
    """Trained on corrupted rows only, a DAE meets clean rows first at test time."""
    X, _ = digits01
    train, test = X[:1400], X[1400:]
    settings = dict(hidden=(128,), code_size=16, epochs=30, batch_size=64, random_state=0)
    errors = {}
    for fraction in (0.0, 0.5):
        dae = DenoisingAutoencoder(noise_level=0.4, clean_fraction=fraction, **settings)
        rec = dae.fit(train).reconstruct(test)
        errors[fraction] = float(np.square(rec - test).sum(axis=1).mean())
    assert errors[0.5] < 0.9 * errors[0.0], errors


@pytest.mark.parametrize(("noise", "level"), [("gaussian", 2.0), ("salt_and_pepper", 0.1)])
def test_other_noises_train(digits01, noise, level):
    X, _ = digits01
    dae = DenoisingAutoencoder(noise=noise, noise_level=level, **TINY).fit(X[:100])
    assert np.isfinite(dae.history_["loss"]).all()


def test_unknown_noise_is_refused(digits01):
    X, _ = digits01
    with pytest.raises(
        ConfigError, match="'noise' parameter of DenoisingAutoencoder must be a str among"
    ):
        DenoisingAutoencoder(noise="speckle", **TINY).fit(X[:50])


# ---- contraction -----------------------------------------------------------------------------


def test_contractive_closed_form_equals_the_autograd_jacobian_norm():
    model = _sigmoid_mlp(hidden=(), code_size=4, code_activation="sigmoid").double()
    x = torch.randn(16, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert has_closed_form(model)
    closed, exact = closed_form_jacobian_norm(model, x), autograd_jacobian_norm(model, x)
    torch.testing.assert_close(closed, exact, rtol=1e-5, atol=1e-5)
    brute = torch.stack(
        [torch.autograd.functional.jacobian(model.encode, xi[None]).square().sum() for xi in x]
    )
    torch.testing.assert_close(exact, brute, rtol=1e-10, atol=1e-12)
    weight = model.encoder_layers[0].weight  # and the gradients that training follows agree
    g_closed = torch.autograd.grad(closed.sum(), weight)[0]
    g_exact = torch.autograd.grad(autograd_jacobian_norm(model, x).sum(), weight)[0]
    torch.testing.assert_close(g_closed, g_exact, rtol=1e-5, atol=1e-8)


def test_deeper_encoders_use_the_autograd_jacobian():
    model = _sigmoid_mlp(hidden=(5,), code_size=3, code_activation="sigmoid").double()
    x = torch.randn(4, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert not has_closed_form(model)
    with pytest.raises(ConfigError):
        closed_form_jacobian_norm(model, x)
    brute = torch.stack(
        [torch.autograd.functional.jacobian(model.encode, xi[None]).square().sum() for xi in x]
    )
    torch.testing.assert_close(jacobian_norm(model, x), brute)
    value = contractive(0.1)(model, x, model(x))
    torch.testing.assert_close(value, 0.1 * brute)


def test_projected_jacobian_norm_is_an_unbiased_estimate_with_gradients():
    model = _sigmoid_mlp(hidden=(5,), code_size=3, code_activation="sigmoid").double()
    x = torch.randn(4, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    exact = autograd_jacobian_norm(model, x)
    many = projected_jacobian_norm(model, x, 20000, torch.Generator().manual_seed(1))
    torch.testing.assert_close(many, exact, rtol=0.05, atol=0.0)
    one = projected_jacobian_norm(model, x, 1, torch.Generator().manual_seed(2))
    assert one.requires_grad and not torch.allclose(one, exact)  # one draw: an estimate
    with torch.no_grad():  # evaluation: fixed draws, no graph
        a, b = projected_jacobian_norm(model, x), projected_jacobian_norm(model, x)
    torch.testing.assert_close(a, b)
    assert not a.requires_grad


def test_deep_contraction_uses_projections_unless_asked_for_the_exact_jacobian(digits01):
    X, _ = digits01
    deep = dict(hidden=(16,), code_size=3, contraction_weight=0.1, epochs=1, random_state=0)
    fast = Autoencoder(**deep).fit(X[:100])
    assert fast.contraction_projections == "auto" and fast.history_["contractive"][0] > 0
    ((_, term),) = [t for p in fast.architecture.parts for t in p.penalties(fast)]
    assert term.random and not Objective(GAUSSIAN, penalties=[("c", term)]).graph_safe
    exact = Autoencoder(**deep, contraction_projections="exact").fit(X[:100])
    ((_, term),) = [t for p in exact.architecture.parts for t in p.penalties(exact)]
    assert not term.random
    with pytest.raises(ValueError, match="contraction_projections"):
        Autoencoder(**deep, contraction_projections=0).fit(X[:20])


def test_deep_contraction_shrinks_the_jacobian(digits01):
    X, _ = digits01
    settings = dict(hidden=(64,), code_size=8, epochs=15, batch_size=64, random_state=0)
    cae = Autoencoder(contraction_weight=0.3, **settings).fit(X[:1400])
    plain = Autoencoder(**settings).fit(X[:1400])
    contracted, unpenalised = cae.jacobian_norm(X[1400:]), plain.jacobian_norm(X[1400:])
    assert contracted < 0.5 * unpenalised, (contracted, unpenalised)


def test_contractive_autoencoder_has_a_smaller_jacobian_than_the_same_net_unpenalised(digits01):
    X, _ = digits01
    settings = dict(code_size=16, epochs=15, batch_size=64, learning_rate=1e-2, random_state=0)
    settings |= PAPER_CAE  # the one-layer sigmoid CAE, whose penalty has the closed form
    cae = ContractiveAutoencoder(**settings).fit(X[:1400])  # the paper's weight, 0.1
    plain = ContractiveAutoencoder(**{**settings, "contraction_weight": 0.0}).fit(X[:1400])
    assert cae.config_.code_activation == "sigmoid" and cae.config_.hidden == ()
    contracted, unpenalised = cae.jacobian_norm(X[:1400]), plain.jacobian_norm(X[:1400])
    assert contracted < 0.75 * unpenalised, (contracted, unpenalised)  # measured: 1.60 vs 2.85


def test_contractive_autoencoder_with_hidden_layers_trains(digits01):
    X, _ = digits01
    cae = ContractiveAutoencoder(hidden=(8,), code_size=3, epochs=2, random_state=0).fit(X[:100])
    assert cae.history_["contractive"][0] > 0 and cae.jacobian_norm(X[:10]) > 0


# ---- the code activation the contractive AE needs ---------------------------------------------


def test_code_layer_is_linear_by_default_and_sigmoid_when_asked():
    x = 5 * torch.randn(50, 6, generator=torch.Generator().manual_seed(0))
    linear = _sigmoid_mlp(hidden=(), code_size=4)
    logistic = _sigmoid_mlp(hidden=(), code_size=4, code_activation="sigmoid")
    layer = linear.encoder_layers[0]
    torch.testing.assert_close(linear.encode(x), layer(x))
    torch.testing.assert_close(logistic.encode(x), torch.sigmoid(logistic.encoder_layers[0](x)))
    with pytest.raises(ConfigError, match="code_activation"):
        MLPConfig(n_features=3, code_activation="softmax")


def test_configs_saved_before_code_activation_still_load():
    old = {"n_features": 4, "hidden": [3], "code_size": 2, "activation": "elu", "kind": "mlp"}
    assert MLPConfig.from_dict(old).code_activation is None
    config = MLPConfig(n_features=4, code_activation="sigmoid")
    assert MLPConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


# ---- every member: the estimator contract ------------------------------------------------------


@pytest.mark.parametrize("cls", MEMBERS, ids=lambda c: c.__name__)
def test_member_saves_and_loads_with_the_same_codes(cls, digits01, tmp_path):
    X, _ = digits01
    est = cls(**TINY).fit(X[:200])
    est.save(tmp_path / "model")
    loaded = aekit.load(tmp_path / "model")
    assert type(loaded) is cls and loaded.get_params() == {
        **est.get_params(),
        "hidden": list(est.hidden),
    }
    np.testing.assert_allclose(loaded.transform(X[:50]), est.transform(X[:50]), atol=1e-6)
    assert loaded.config_ == est.config_


@pytest.mark.parametrize("cls", MEMBERS, ids=lambda c: c.__name__)
def test_member_is_deterministic_with_a_seed(cls, digits01):
    X, _ = digits01
    a = cls(**TINY).fit(X[:200])
    b = cls(**TINY).fit(X[:200])
    np.testing.assert_array_equal(a.transform(X[:30]), b.transform(X[:30]))
    assert a.history_["loss"] == b.history_["loss"]
    c = cls(**{**TINY, "random_state": 1}).fit(X[:200])
    assert not np.array_equal(a.transform(X[:30]), c.transform(X[:30]))


@pytest.mark.parametrize("cls", MEMBERS, ids=lambda c: c.__name__)
def test_member_init_stores_parameters_and_clones(cls):
    est = cls(hidden=[7], code_size=2)
    assert est.hidden == [7]
    assert clone(est).get_params() == est.get_params()


# ---- command line ------------------------------------------------------------------------------

CLI_TINY = ["--hidden", "16", "--code-size", "3", "--epochs", "2", "--quiet"]


def test_cli_trains_a_denoising_model_and_denoises(tmp_path):
    model = tmp_path / "dae"
    argv = ["train", "--data", "digits", "--out", str(model), "--model", "denoising"]
    assert main([*argv, "--noise", "gaussian", "--noise-level", "0.1", *CLI_TINY]) == 0
    params = json.loads((model / "config.json").read_text())["params"]
    assert params["noise"] == "gaussian" and params["noise_level"] == 0.1
    out = tmp_path / "clean.npy"
    assert main(["denoise", "--model", str(model), "--data", "digits", "--out", str(out)]) == 0
    clean = np.load(out)
    assert clean.shape == (360, 64)
    np.testing.assert_allclose(
        clean, aekit.load(model).reconstruct(np.asarray(clean_input(), np.float32)), atol=1e-6
    )


def clean_input():
    from aekit.cli.outputs import load_data
    from aekit.cli.use import select_split

    return select_split(load_data("digits"), "test")


def test_cli_sparse_model_writes_filters_and_takes_its_options(tmp_path):
    model = tmp_path / "sparse"
    argv = ["train", "--data", "digits", "--out", str(model), "--model", "sparse"]
    assert main([*argv, "--sparsity", "l1", "--sparsity-weight", "0.01", *CLI_TINY]) == 0
    assert (model / "filters.png").is_file()
    params = json.loads((model / "config.json").read_text())["params"]
    assert params["sparsity"] == "l1" and params["first_activation"] == "sigmoid"


@pytest.mark.parametrize(
    ("model", "flag"),
    [("conv", "--hidden"), ("vae", "--tied"), ("rbm", "--noise"), ("vae", "--no-tied")],
)
def test_cli_refuses_flags_the_model_does_not_take_in_one_line(tmp_path, capsys, model, flag):
    out = tmp_path / "m"
    argv = ["train", "--data", "digits", "--out", str(out), "--model", model, flag]
    argv += [] if "tied" in flag else ["10" if flag == "--hidden" else "masking"]
    assert main([*argv, *CLI_TINY]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and f"--model {model} takes no {flag.replace('--no-', '--no-')}" in err
    )
    assert not out.exists()


def test_cli_composes_parts_a_preset_lacks(tmp_path):
    model = tmp_path / "sparse-denoising"
    argv = ["train", "--data", "digits", "--out", str(model), "--model", "sparse"]
    assert main([*argv, "--noise", "masking", "--no-pictures", *CLI_TINY]) == 0
    params = json.loads((model / "config.json").read_text())["params"]
    assert params["sparsity"] == "kl" and params["noise"] == "masking"


def test_cli_contractive_takes_its_weight(tmp_path):
    model = tmp_path / "cae"
    argv = ["train", "--data", "digits", "--out", str(model), "--model", "contractive"]
    assert main([*argv, "--contraction-weight", "0.5", "--no-pictures", *CLI_TINY]) == 0
    config = json.loads((model / "config.json").read_text())
    assert config["params"]["contraction_weight"] == 0.5
    assert config["model"]["code_activation"] is None  # the deep default: a linear code
    assert config["params"]["contraction_projections"] == "auto"


def test_cli_denoise_refuses_a_model_that_is_not_denoising(tmp_path, capsys):
    model = tmp_path / "ae"
    Autoencoder(**TINY).fit(np.random.default_rng(0).random((50, 64), dtype=np.float32)).save(model)
    out = tmp_path / "x.npy"
    assert main(["denoise", "--model", str(model), "--data", "digits", "--out", str(out)]) == 1
    assert "not a denoising autoencoder" in capsys.readouterr().err
    assert not out.exists()


# ---- the first layer's own activation (a KL-sparse layer) ---------------------------------


def test_sparse_default_has_a_sigmoid_first_layer_and_elu_behind_it(digits01):
    X, _ = digits01
    sae = SparseAutoencoder(hidden=(16, 8), code_size=3, epochs=1, random_state=0).fit(X[:100])
    assert sae.config_.first_activation == "sigmoid" and sae.config_.activation == "elu"
    model = sae.module_
    x = torch.from_numpy(X[:5])
    out = model(x)
    assert model.config.centred  # the KL-sparse layer reads the centred input
    first = torch.sigmoid(model.encoder_layers[0](x - model.input_mean))
    torch.testing.assert_close(out.hidden[0], first)
    second = torch.nn.functional.elu(model.encoder_layers[1](first))
    torch.testing.assert_close(out.hidden[1], second)


def test_first_activation_is_saved_and_older_configs_load_without_it(digits01, tmp_path):
    X, _ = digits01
    sae = SparseAutoencoder(hidden=(16,), code_size=3, epochs=1, random_state=0).fit(X[:100])
    sae.save(tmp_path / "m")
    again = aekit.load(tmp_path / "m")
    np.testing.assert_array_equal(again.transform(X[:10]), sae.transform(X[:10]))
    config = MLPConfig.from_dict({"n_features": 6, "hidden": [4], "code_size": 2})
    assert config.first_activation is None  # a file from before the field
    with pytest.raises(ConfigError, match="first_activation must be None or one of"):
        MLPConfig(n_features=6, hidden=(4,), code_size=2, first_activation="swish")


def test_kl_sparse_layer_starts_every_unit_at_rho_on_a_centred_input():
    # Centred, the first layer's pre-activation is W (x - mean) + b: near b for every row at
    # the start, so b = logit(rho) starts each unit's mean activation at rho.
    est = SparseAutoencoder(hidden=(16, 8), code_size=3, sparsity_target=0.2)
    config = est.architecture.make_config(est, 64, "gaussian", None)
    assert config.centred and config.first_bias == pytest.approx(math.log(0.2 / 0.8))
    model = build_module(config)
    torch.testing.assert_close(
        torch.sigmoid(model.encoder_layers[0].bias), torch.full((16,), 0.2), rtol=0, atol=1e-6
    )
    assert all(float(layer.bias.detach().abs().max()) == 0 for layer in model.encoder_layers[1:])
    one_layer = SparseAutoencoder(hidden=(), code_size=3, code_activation="sigmoid")
    assert one_layer.architecture.make_config(one_layer, 64, "gaussian", None).first_bias == (
        pytest.approx(math.log(0.1 / 0.9))  # the default rho; the code is the penalised layer
    )


@pytest.mark.parametrize(
    ("params", "centred"),
    [({"sparsity": "l1"}, False), ({"sparsity": None}, True)],
)
def test_only_kl_sparsity_moves_the_first_bias(params, centred):
    est = SparseAutoencoder(hidden=(16,), code_size=3, activation="elu", **params)
    config = est.architecture.make_config(est, 64, "gaussian", None)
    assert config.first_bias is None and config.centred is centred


def test_first_bias_is_saved_and_checked(digits01, tmp_path):
    X, _ = digits01
    sae = SparseAutoencoder(hidden=(16,), code_size=3, epochs=1, random_state=0).fit(X[:100])
    assert sae.config_.first_bias == pytest.approx(math.log(0.1 / 0.9))
    sae.save(tmp_path / "m")
    again = aekit.load(tmp_path / "m")
    assert again.config_.first_bias == sae.config_.first_bias
    np.testing.assert_array_equal(again.transform(X[:10]), sae.transform(X[:10]))
    config = MLPConfig.from_dict({"n_features": 6, "hidden": [4], "code_size": 2})
    assert config.first_bias is None  # a file from before the field
    for bad in (float("nan"), "0.5", True):
        with pytest.raises(ConfigError, match="first_bias must be None or a finite number"):
            MLPConfig(n_features=6, hidden=(4,), code_size=2, first_bias=bad)


def test_first_activation_is_unused_without_hidden_layers():
    est = SparseAutoencoder(hidden=(), code_size=3, code_activation="sigmoid")
    assert est.architecture.make_config(est, 6, "gaussian", None).first_activation is None


def test_contractive_default_is_deep_and_the_paper_cae_one_argument_away():
    deep, paper = ContractiveAutoencoder(), ContractiveAutoencoder(**PAPER_CAE)
    assert deep.hidden == Autoencoder().hidden and deep.contraction_weight == 0.01
    assert deep.activation == "elu" and deep.code_activation is None
    assert paper.hidden == () and paper.code_activation == "sigmoid"
    assert paper.contraction_weight == 0.1
