"""Stacked autoencoders, stacked denoising autoencoders and RBM pretraining."""

import numpy as np
import pytest
import torch

import aekit
from aekit import RBM, StackedAutoencoder
from aekit.cli.main import main
from aekit.errors import ConfigError
from aekit.estimators.parts.greedy import StackPlan
from aekit.models import stack as stacking
from aekit.models.config import MLPConfig
from aekit.models.mlp import MLPAutoencoder
from aekit.models.rbm import RBM as RBMModule
from aekit.models.rbm import RBMConfig
from aekit.objectives.objective import Objective
from aekit.training import greedy
from aekit.training.settings import TrainSettings

SIZES = [64, 24, 4]


@pytest.fixture(scope="module")
def X01(digits01):
    return torch.from_numpy(digits01[0][:400].copy())


def _settings(epochs, lr=1e-2):
    return TrainSettings(
        epochs=epochs,
        batch_size=32,
        learning_rate=lr,
        lr_schedule="constant",
        validation_fraction=0.0,
        precision="float32",
        device="cpu",
    )


def _decreases(values):
    return values[-1] < values[0]


# -- greedy layer-wise pretraining -----------------------------------------------------
@pytest.mark.parametrize("kind", ["autoencoder", "rbm"])
def test_each_layer_trains_on_the_frozen_output_of_the_layers_below(X01, kind):
    seen, snapshots = [], []

    def on_layer(i, layer, inputs):
        # The weights of the layers trained so far, as they are when layer i starts.
        snapshots.append([{k: v.clone() for k, v in s[1].state_dict().items()} for s in seen])
        seen.append((i, layer, inputs.clone()))

    stack = greedy.pretrain(
        X01,
        StackPlan(SIZES, kind=kind, activation="sigmoid"),
        _settings(6),
        seed=0,
        on_layer=on_layer,
    )
    assert [i for i, _, _ in seen] == [1, 2]
    assert torch.equal(seen[0][2], X01)
    # Layer 2's data = layer 1's (final) encoding of the data, computed without gradients.
    first = stack.layers[0]
    with torch.no_grad():
        expected = first.encode(X01)
    torch.testing.assert_close(seen[1][2], expected)
    assert not seen[1][2].requires_grad
    # Layer 1 did not change while layer 2 trained, and is frozen.
    for name, value in first.state_dict().items():
        assert torch.equal(value, snapshots[1][0][name])
    assert not any(p.requires_grad for p in first.parameters())
    # Each layer's pretraining loss went down.
    key = "reconstruction" if kind == "rbm" else "loss"
    for i in (1, 2):
        assert _decreases(stack.history[f"pretrain_layer{i}_{key}"]), stack.history


def test_top_layer_is_linear_and_upper_layers_follow_the_hidden_units(X01):
    stack = greedy.pretrain(X01, StackPlan(SIZES, activation="sigmoid"), _settings(1), seed=0)
    bottom, top = stack.layers
    assert bottom.likelihood.name == "bernoulli" and isinstance(bottom.act, torch.nn.Sigmoid)
    assert top.likelihood.name == "bernoulli" and isinstance(top.act, torch.nn.Identity)
    elu = greedy.pretrain(X01, StackPlan(SIZES, activation="elu"), _settings(1), seed=0)
    assert elu.layers[1].likelihood.name == "gaussian"
    rbms = greedy.pretrain(X01, StackPlan(SIZES, kind="rbm"), _settings(1), seed=0)
    assert [r.config.hidden_units for r in rbms.layers] == ["bernoulli", "gaussian"]


@pytest.mark.parametrize("centred", [False, True])
@pytest.mark.parametrize("kind", ["autoencoder", "rbm"])
def test_unrolled_start_equals_the_pretrained_layers(X01, kind, centred):
    stack = greedy.pretrain(X01, StackPlan(SIZES, kind=kind), _settings(2), seed=0)
    config = MLPConfig(64, hidden=(24,), code_size=4, activation="sigmoid", centred=centred)
    model = MLPAutoencoder(config)
    model.start_from_data(X01.mean(0))  # a centred model subtracts the mean before layer 1
    stacking.unroll(stack.layers, model)
    n = len(stack.layers)
    for i, layer in enumerate(stack.layers):
        w, b, _, b_dec = stacking.linear_pair(layer)
        enc, dec = model.encoder_layers[i], model.decoder_layers[n - 1 - i]
        shift = w @ X01.mean(0) if centred and i == 0 else torch.zeros_like(b)
        assert torch.equal(enc.weight, w)
        torch.testing.assert_close(enc.bias, b + shift)
        assert torch.equal(dec.weight, w.t()) and torch.equal(dec.bias, b_dec)
    # The unrolled network computes the stacked encoders' composition.
    with torch.no_grad():
        h = X01
        for layer in stack.layers:
            h = layer.encode(h)
        torch.testing.assert_close(model.encode(X01), h)


def test_fine_tuning_lowers_the_loss_below_the_unrolled_start(X01):
    model = MLPAutoencoder(
        MLPConfig(64, hidden=(24,), code_size=4, activation="sigmoid", likelihood="bernoulli")
    )
    objective = Objective(model.likelihood)
    starts = []

    def on_layer(i, layer, inputs):
        starts.append(i)

    plan = StackPlan(SIZES, likelihood="bernoulli")
    history = greedy.train(
        model, objective, X01, _settings(8), _settings(4), plan=plan, seed=0, on_layer=on_layer
    )
    assert starts == [1, 2]
    assert {"pretrain_layer1_loss", "pretrain_layer2_loss", "loss"} <= set(history)
    assert len(history["loss"]) == 8 and len(history["pretrain_layer1_loss"]) == 4
    assert _decreases(history["loss"])


def test_unrolled_start_is_better_than_random_and_finetuning_improves_it(X01):
    # The whole procedure through the engine: measured loss after unrolling, then after tuning.
    model = MLPAutoencoder(
        MLPConfig(64, hidden=(24,), code_size=4, activation="sigmoid", likelihood="bernoulli")
    )
    objective = Objective(model.likelihood)
    stack = greedy.pretrain(X01, StackPlan(SIZES, likelihood="bernoulli"), _settings(8), seed=0)
    from aekit.training.engine import evaluate_loss

    def loss():
        return evaluate_loss(model, objective, X01, 512, None, torch.device("cpu"))["loss"]

    random_start = loss()
    stacking.unroll(stack.layers, model)
    unrolled = loss()
    greedy.train(model, objective, X01, _settings(8), None, plan=StackPlan(SIZES), seed=0)
    tuned = loss()
    assert unrolled < random_start
    assert tuned < unrolled


# -- stacked denoising -----------------------------------------------------------------
def test_corruption_is_applied_only_while_pretraining(digits01):
    X = digits01[0][:300]
    Xt = torch.from_numpy(X.copy())
    seen = {"pretrain": [], "finetune": []}
    est = StackedAutoencoder(
        hidden=(16,), code_size=3, epochs=2, pretrain_epochs=2, noise="masking",
        noise_level=0.5, batch_size=64, validation_fraction=0.0, random_state=0,
    )  # fmt: skip

    def record(where):
        def hook(module, args):
            if module.training:
                seen[where].append(args[0].detach().clone())

        return hook

    def on_layer(i, layer, inputs):
        if i == 1:
            layer.register_forward_pre_hook(record("pretrain"))

    original = greedy.train

    def train_with_hooks(model, *a, **k):
        model.register_forward_pre_hook(record("finetune"))
        return original(model, *a, on_layer=on_layer, **k)

    greedy_train = greedy.train
    greedy.train = train_with_hooks
    try:
        est.fit(X)
    finally:
        greedy.train = greedy_train
    rows = {tuple(r) for r in Xt.numpy()}
    pre = torch.cat(seen["pretrain"])
    fine = torch.cat(seen["finetune"])
    zero_fraction = float((pre == 0).float().mean() - (Xt == 0).float().mean())
    assert zero_fraction > 0.2  # about half of the nonzero inputs masked
    assert all(tuple(r) in rows for r in fine.numpy())  # fine-tuning: clean rows only
    assert not all(tuple(r) in rows for r in pre.numpy())


def test_masking_zeroes_about_the_asked_fraction():
    from aekit.objectives.corruption import masking

    x = torch.ones(200, 50)
    noisy = masking(0.3)(x, torch.Generator().manual_seed(0))
    assert abs(float((noisy == 0).float().mean()) - 0.3) < 0.03


# -- RBM -------------------------------------------------------------------------------
def test_cd_k_lowers_reconstruction_error(digits01):
    rbm = RBM(code_size=16, k=1, epochs=8, batch_size=32, random_state=0, precision="float32")
    rbm.fit(digits01[0][:400])
    rec = rbm.history_["reconstruction"]
    assert rec[-1] < 0.7 * rec[0], rec
    assert rbm.loss_ == "bernoulli"


def test_gibbs_samples_have_the_data_shape_and_range(digits01):
    X = digits01[0][:200]
    rbm = RBM(code_size=8, epochs=2, batch_size=32, random_state=0).fit(X)
    samples = rbm.gibbs(X[:10], k=3, random_state=0)
    assert samples.shape == (10, 64)
    assert set(np.unique(samples)) <= {0.0, 1.0}
    drawn = rbm.sample(5, k=20, random_state=0)
    assert drawn.shape == (5, 64) and drawn.min() >= 0 and drawn.max() <= 1
    np.testing.assert_array_equal(drawn, rbm.sample(5, k=20, random_state=0))
    assert rbm.transform(X).shape == (200, 8)
    assert 0 <= rbm.transform(X).min() and rbm.transform(X).max() <= 1


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("hidden", ["bernoulli", "gaussian"])
def test_free_energy_matches_a_direct_sum_over_hidden_states(visible, hidden):
    torch.manual_seed(0)
    rbm = RBMModule(RBMConfig(5, 3, likelihood=visible, hidden_units=hidden)).double()
    with torch.no_grad():
        for p in rbm.parameters():
            p.normal_()
    v = torch.rand(4, 5, dtype=torch.float64)
    W, b, c = rbm.W, rbm.visible_bias, rbm.hidden_bias
    if visible == "gaussian":
        vis = 0.5 * ((v - b) ** 2).sum(1)
    else:
        vis = -(v @ b)
    if hidden == "bernoulli":
        # -log sum over all 2^3 binary h of exp(-E(v, h)) with E = vis - c.h - v.W.h
        states = torch.tensor(
            [[(s >> j) & 1 for j in range(3)] for s in range(8)], dtype=torch.float64
        )
        scores = (v @ W.t() + c) @ states.t()  # (4, 8)
        direct = vis - torch.logsumexp(scores, dim=1)
    else:
        # Gaussian h with E = vis + ||h||^2/2 - (c + W v).h: integral = (2π)^(3/2) exp(|x|^2/2)
        x = v @ W.t() + c
        direct = vis - 0.5 * (x**2).sum(1)  # dropping the constant -(3/2) log 2π
    torch.testing.assert_close(rbm.free_energy(v), direct)


def test_cd_loss_gradient_is_the_cd_update():
    from aekit.objectives.contrastive import ContrastiveDivergence

    torch.manual_seed(0)
    rbm = RBMModule(RBMConfig(6, 4))
    v = torch.bernoulli(torch.full((8, 6), 0.5))
    out = ContrastiveDivergence(k=1)(rbm, v, generator=torch.Generator().manual_seed(1))
    out.loss.backward()
    v_k = rbm.gibbs(v, 1, torch.Generator().manual_seed(1))
    with torch.no_grad():
        ph_data, ph_model = rbm.hidden_probs(v), rbm.hidden_probs(v_k)
        expected = -(ph_data.t() @ v - ph_model.t() @ v_k) / 8  # descent direction
    torch.testing.assert_close(rbm.W.grad, expected)


def test_rbm_saves_and_loads(digits01, tmp_path):
    X = digits01[0][:200]
    rbm = RBM(code_size=6, epochs=2, batch_size=32, random_state=0).fit(X)
    rbm.save(tmp_path / "rbm")
    loaded = aekit.load(tmp_path / "rbm")
    assert isinstance(loaded, RBM)
    np.testing.assert_allclose(loaded.transform(X), rbm.transform(X), atol=1e-6)


# -- the estimator ---------------------------------------------------------------------
def _tiny_stacked(**kw):
    params = dict(
        hidden=(16,), code_size=3, epochs=3, pretrain_epochs=2, batch_size=64, random_state=0
    )
    params.update(kw)
    return StackedAutoencoder(**params)


@pytest.mark.parametrize("pretraining", ["autoencoder", "rbm"])
def test_stacked_saves_loads_and_is_deterministic(digits01, tmp_path, pretraining):
    X = digits01[0][:300]
    est = _tiny_stacked(pretraining=pretraining).fit(X)
    assert "pretrain_layer2_loss" in est.history_ and est.n_iter_ == 3
    est.save(tmp_path / "m")
    loaded = aekit.load(tmp_path / "m")
    assert type(loaded) is StackedAutoencoder and loaded.pretraining == pretraining
    np.testing.assert_allclose(loaded.transform(X), est.transform(X), atol=1e-6)
    again = _tiny_stacked(pretraining=pretraining).fit(X)
    np.testing.assert_array_equal(again.transform(X), est.transform(X))


def test_stacked_refuses_bad_settings(digits01):
    X = digits01[0][:50]
    with pytest.raises(ConfigError, match="sigmoid"):
        _tiny_stacked(pretraining="rbm", activation="elu").fit(X)
    with pytest.raises(ConfigError, match="'pretraining' parameter of StackedAutoencoder must be"):
        _tiny_stacked(pretraining="pca").fit(X)
    with pytest.raises(ConfigError, match="noise"):
        _tiny_stacked(pretraining="rbm", noise="masking").fit(X)


def test_zero_pretrain_epochs_trains_end_to_end_only(digits01):
    est = _tiny_stacked(pretrain_epochs=0).fit(digits01[0][:100])
    assert not any(k.startswith("pretrain") for k in est.history_)


def test_cli_trains_a_stacked_model_with_rbm_pretraining(tmp_path, capsys):
    out = tmp_path / "m"
    args = ["train", "--data", "digits", "--out", str(out), "--model", "stacked"]
    args += ["--pretraining", "rbm", "--pretrain-epochs", "1", "--hidden", "16"]
    args += ["--code-size", "2", "--epochs", "1", "--no-pictures", "--quiet"]
    args += ["--activation", "sigmoid"]
    assert main(args) == 0
    loaded = aekit.load(out)
    assert loaded.pretraining == "rbm" and loaded.pretrain_epochs == 1
    assert "pretrain_layer1_loss" in loaded.history_


def test_cli_refuses_pretraining_options_for_members_without_layers(tmp_path, capsys):
    args = ["train", "--data", "digits", "--out", str(tmp_path / "m"), "--pretrain-epochs", "2"]
    assert main([*args, "--model", "vae", "--quiet"]) == 2
    assert "--model vae takes no --pretrain-epochs (a flag of --model" in capsys.readouterr().err


def test_auto_activation_is_sigmoid_for_rbm_layers_and_elu_for_autoencoder_layers():
    X = np.random.default_rng(0).random((60, 8), dtype=np.float32)
    ae = StackedAutoencoder(hidden=(6,), code_size=2, epochs=1, pretrain_epochs=1).fit(X)
    rbm = StackedAutoencoder(
        hidden=(6,), code_size=2, epochs=1, pretrain_epochs=1, pretraining="rbm"
    ).fit(X)
    assert ae.activation == rbm.activation == "auto"
    assert ae.config_.activation == "elu" and rbm.config_.activation == "sigmoid"
    assert aekit.Autoencoder().activation == "elu"  # the plain member keeps its own default
