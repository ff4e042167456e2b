"""The variational autoencoder: posterior math, ELBO, IWAE bound, sampling, files and CLI."""

import json

import numpy as np
import pytest
import torch
from torch.distributions import Normal, kl_divergence

import aekit
from aekit import Autoencoder, VariationalAutoencoder
from aekit.cli.main import main
from aekit.errors import ConfigError, DataError
from aekit.models.builders import build_module, config_from_dict
from aekit.models.posterior import DiagonalGaussian, standard_normal_log_prob
from aekit.models.vae import VAEConfig
from aekit.objectives.elbo import ELBOObjective, data_log_prob
from aekit.objectives.iwae import binarize, iwae_log_likelihood
from aekit.objectives.likelihood import BERNOULLI, GAUSSIAN

TINY = dict(hidden=(16,), code_size=3, epochs=2, random_state=0)
CLI_TINY = ["--hidden", "16", "--code-size", "3", "--epochs", "2", "--quiet"]


@pytest.fixture(scope="module")
def trained(digits01):
    """A small VAE trained on 1000 digits (/16); the other 797 are held out."""
    X, _ = digits01
    vae = VariationalAutoencoder(
        hidden=(64,), code_size=8, epochs=40, validation_fraction=0.0, random_state=0
    )
    return vae.fit(X[:1000])


# ---- the posterior's math ----------------------------------------------------------------------


def _gaussian(seed=0, shape=(5, 4)):
    g = torch.Generator().manual_seed(seed)
    return DiagonalGaussian(torch.randn(shape, generator=g), torch.randn(shape, generator=g))


def test_kl_is_the_closed_form_for_diagonal_gaussians():
    q = _gaussian()
    reference = kl_divergence(Normal(q.mean, q.std), Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(q.kl(), reference)


def test_log_prob_matches_torch_normal():
    q = _gaussian()
    z = torch.randn(3, 5, 4, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(q.log_prob(z), Normal(q.mean, q.std).log_prob(z).sum(-1))
    torch.testing.assert_close(standard_normal_log_prob(z), Normal(0.0, 1.0).log_prob(z).sum(-1))


def test_sample_is_reparameterised_and_seeded():
    q = _gaussian()
    q.mean.requires_grad_(True)
    z = q.sample(torch.Generator().manual_seed(3))
    eps = torch.randn(q.mean.shape, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(z, q.mean + q.std * eps)
    z.sum().backward()  # gradients reach the mean through the sample
    torch.testing.assert_close(q.mean.grad, torch.ones_like(q.mean))
    assert q.sample(sample_shape=(7,)).shape == (7, 5, 4)
    assert q.mode() is q.mean


def test_data_log_prob_is_a_proper_log_likelihood():
    x = torch.tensor([[0.0, 1.0, 1.0]])
    logits = torch.tensor([[0.3, -1.2, 2.0]])
    expected = torch.distributions.Bernoulli(logits=logits).log_prob(x).sum(-1)
    torch.testing.assert_close(data_log_prob(BERNOULLI, logits, x), expected)
    mean = torch.tensor([[0.5, 0.1, -2.0]])
    expected = Normal(mean, 1.0).log_prob(x).sum(-1)
    torch.testing.assert_close(data_log_prob(GAUSSIAN, mean, x), expected)


# ---- the model and its objective -----------------------------------------------------------


def test_config_round_trips_and_refuses_unknown_fields():
    config = VAEConfig(n_features=10, hidden=(8, 4), code_size=2, likelihood="bernoulli")
    again = config_from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and again.kind == "vae"
    with pytest.raises(ConfigError, match="unknown fields: tied"):
        VAEConfig.from_dict({"n_features": 4, "tied": True})
    with pytest.raises(ConfigError, match="code_size"):
        VAEConfig(n_features=4, code_size=0)


def test_forward_returns_the_posterior_and_its_mean_as_code():
    torch.manual_seed(0)
    model = build_module(VAEConfig(n_features=6, hidden=(5,), code_size=2))
    x = torch.randn(4, 6)
    out = model(x)
    assert out.posterior is not None and out.code.shape == (4, 2)
    torch.testing.assert_close(out.code, out.posterior.mean)
    torch.testing.assert_close(model.encode(x), out.code)
    assert out.output.shape == (4, 6)


def test_elbo_objective_is_reconstruction_plus_beta_kl_and_draws_noise():
    torch.manual_seed(0)
    model = build_module(VAEConfig(n_features=6, hidden=(5,), code_size=2))
    x = torch.randn(8, 6)
    objective = ELBOObjective(GAUSSIAN, beta=0.5)
    assert objective.graph_safe is False
    out = objective(model, x, train=True, generator=torch.Generator().manual_seed(0))
    assert set(out.terms) == {"reconstruction", "kl"}
    torch.testing.assert_close(out.loss, out.terms["reconstruction"] + 0.5 * out.terms["kl"])
    # evaluation without a generator is a fixed-seed sample: the same every time
    first = objective(model, x, train=False).loss
    torch.testing.assert_close(objective(model, x, train=False).loss, first)


# ---- the trained estimator ------------------------------------------------------------------


def test_training_lowers_the_loss_and_logs_both_terms(trained):
    h = trained.history_
    assert h["loss"][-1] < 0.8 * h["loss"][0]
    assert trained.loss_ == "bernoulli"
    np.testing.assert_allclose(
        np.add(h["reconstruction"], h["kl"]), h["loss"], rtol=1e-5
    )  # beta = 1
    assert min(h["kl"]) > 0


def test_iwae_bound_is_above_the_elbo_and_rises_with_k(trained, digits01):
    X, _ = digits01
    held = X[1000:]
    elbo = trained.elbo(held)
    bounds = {k: trained.log_likelihood(held, k=k, random_state=1) for k in (1, 5, 50)}
    print(
        f"ELBO {elbo.mean():.3f}, IWAE k=1 {bounds[1].mean():.3f}, "
        f"k=5 {bounds[5].mean():.3f}, k=50 {bounds[50].mean():.3f} nats"
    )

    def gain(hi, lo):  # mean paired difference and its standard error
        d = hi - lo
        return d.mean(), d.std() / np.sqrt(d.size)

    # k = 1 is a one-sample ELBO: the same expectation as the closed-form-KL estimate
    diff, se = gain(bounds[1], elbo)
    assert abs(diff) < 4 * se + 0.05
    for lo, hi in ((1, 5), (5, 50)):
        diff, se = gain(bounds[hi], bounds[lo])
        assert diff > 3 * se, (lo, hi, diff, se)
    assert bounds[5].mean() > elbo.mean() and bounds[50].mean() > elbo.mean()
    assert np.all(bounds[50] < 0)  # a log-probability of binary-valued pixels


def test_iwae_with_one_sample_is_the_importance_weight(trained, digits01, monkeypatch):
    X, _ = digits01
    x = torch.from_numpy(X[:10])
    model = trained.module_
    bound = iwae_log_likelihood(model, x, k=1, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        q = model.posterior(x)
        z = q.sample(torch.Generator().manual_seed(0), (1,))[0]
        log_w = (
            data_log_prob(model.likelihood, model.decode_raw(z), x)
            + standard_normal_log_prob(z)
            - q.log_prob(z)
        )
    torch.testing.assert_close(bound, log_w)
    monkeypatch.setattr("aekit.objectives.iwae.MAX_ROWS", 8)  # k=3: batches of 2 rows
    batched = iwae_log_likelihood(model, x, k=3, generator=torch.Generator().manual_seed(0))
    assert batched.shape == (10,) and torch.isfinite(batched).all()
    with pytest.raises(ConfigError, match="k must be"):
        iwae_log_likelihood(model, x, k=0)


def test_score_is_the_mean_elbo(trained, digits01):
    X, _ = digits01
    assert trained.score(X[1000:1100]) == pytest.approx(trained.elbo(X[1000:1100]).mean())
    assert trained.score(X[1000:1100]) == trained.score(X[1000:1100])  # fixed-seed estimate


def test_samples_have_the_data_shape_and_bernoulli_range(trained):
    samples = trained.sample(12, random_state=0)
    assert samples.shape == (12, 64)
    assert samples.min() >= 0.0 and samples.max() <= 1.0
    np.testing.assert_array_equal(samples, trained.sample(12, random_state=0))
    assert not np.allclose(samples, trained.sample(12, random_state=1))
    with pytest.raises(ConfigError, match="n_samples"):
        trained.sample(0)


def test_interpolation_endpoints_decode_the_endpoint_means(trained, digits01):
    X, _ = digits01
    path = trained.interpolate(X[0], X[1], steps=5)
    assert path.shape == (5, 64)
    ends = trained.inverse_transform(trained.transform(X[:2]))
    np.testing.assert_allclose(path[[0, -1]], ends, atol=1e-6)
    with pytest.raises(DataError, match="one sample"):
        trained.interpolate(X[:2], X[1])


def test_binarized_evaluation(trained, digits01):
    X, _ = digits01
    b = binarize(torch.from_numpy(X[:200]), torch.Generator().manual_seed(0))
    assert set(np.unique(b.numpy())) <= {0.0, 1.0}
    assert abs(float(b.mean()) - float(X[:200].mean())) < 0.02
    ll = trained.log_likelihood(X[:20], k=5, binarize=True)
    assert ll.shape == (20,) and np.all(np.isfinite(ll))
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        binarize(torch.tensor([[2.0]]))


def test_gaussian_vae_on_real_data_and_its_density_units(small_real):
    vae = VariationalAutoencoder(**TINY, scale="standard").fit(small_real)
    assert vae.loss_ == "gaussian"
    ll = vae.log_likelihood(small_real[:20], k=4)
    Xs = torch.from_numpy(vae.scaler_.transform(small_real[:20]))
    scaled = iwae_log_likelihood(vae.module_, Xs, k=4, generator=torch.Generator().manual_seed(0))
    # a density of the data, not of the scaled data: minus the log of each feature's scale
    np.testing.assert_allclose(
        ll, scaled.numpy() - np.log(vae.scaler_.scale.astype(np.float64)).sum(), rtol=1e-5
    )
    with pytest.raises(ConfigError, match="bernoulli"):
        vae.log_likelihood(small_real[:5], binarize=True)


def test_same_seed_gives_the_same_model(digits01):
    X, _ = digits01
    a = VariationalAutoencoder(**TINY).fit(X[:150])
    b = VariationalAutoencoder(**TINY).fit(X[:150])
    np.testing.assert_array_equal(a.transform(X[:20]), b.transform(X[:20]))
    assert a.history_["loss"] == b.history_["loss"]


def test_beta_weights_the_kl_term_and_is_checked(digits01):
    X, _ = digits01
    vae = VariationalAutoencoder(**{**TINY, "epochs": 1}, beta=0.0).fit(X[:100])
    np.testing.assert_allclose(vae.history_["loss"], vae.history_["reconstruction"], rtol=1e-6)
    with pytest.raises(ConfigError, match="beta"):
        VariationalAutoencoder(**TINY, beta=-1.0).fit(X[:50])


def test_save_and_load_give_the_same_codes(trained, digits01, tmp_path):
    X, _ = digits01
    trained.save(tmp_path / "vae")
    config = json.loads((tmp_path / "vae" / "config.json").read_text())
    assert config["estimator"] == "vae" and config["model"]["kind"] == "vae"
    again = aekit.load(tmp_path / "vae")
    assert isinstance(again, VariationalAutoencoder)
    np.testing.assert_allclose(again.transform(X[:50]), trained.transform(X[:50]), atol=1e-6)
    np.testing.assert_allclose(
        again.sample(4, random_state=0), trained.sample(4, random_state=0), atol=1e-6
    )
    assert again.history_ == trained.history_


# ---- the command line ------------------------------------------------------------------------


def test_cli_trains_a_vae_and_samples_from_it(tmp_path, capsys):
    model = tmp_path / "vae"
    argv = ["train", "--data", "digits", "--out", str(model), "--model", "vae"]
    assert main([*argv, "--beta", "0.5", "--no-pictures", *CLI_TINY]) == 0
    params = json.loads((model / "config.json").read_text())["params"]
    assert params["beta"] == 0.5 and params["code_size"] == 3
    grid = tmp_path / "grid.png"
    assert main(["sample", "--model", str(model), "-n", "16", "--out", str(grid), "-q"]) == 0
    assert grid.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    arr = tmp_path / "samples.npy"
    assert main(["sample", "--model", str(model), "-n", "5", "--out", str(arr), "-q"]) == 0
    np.testing.assert_allclose(np.load(arr), aekit.load(model).sample(5, random_state=0))


def test_cli_sample_refuses_a_model_that_is_not_a_vae(tmp_path, capsys):
    model = tmp_path / "ae"
    Autoencoder(**TINY).fit(np.random.default_rng(0).random((50, 64), dtype=np.float32)).save(model)
    out = tmp_path / "x.npy"
    assert main(["sample", "--model", str(model), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a variational autoencoder" in err[0]
    assert not out.exists()


def test_cli_sample_png_needs_image_data(tmp_path, capsys):
    model = tmp_path / "tab"
    data = np.random.default_rng(0).random((50, 5), dtype=np.float32)
    VariationalAutoencoder(**TINY).fit(data).save(model)
    assert main(["sample", "--model", str(model), "--out", str(tmp_path / "g.png")]) == 1
    assert "not trained on images" in capsys.readouterr().err
    assert main(["sample", "--model", str(model), "--out", str(tmp_path / "s.txt2")]) == 1
