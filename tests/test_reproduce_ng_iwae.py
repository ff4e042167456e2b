"""``aekit reproduce ng-sparse`` and ``iwae``, and what they added to the estimators: the
importance-weighted training objective, dynamic binarisation, and KL sparsity on the code."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

import aekit
from aekit import Autoencoder, SparseAutoencoder, StackedAutoencoder, VariationalAutoencoder
from aekit.cli.main import main
from aekit.data import datasets as registry
from aekit.errors import ConfigError
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.models.vae import VAEConfig
from aekit.objectives.binarization import dynamic_binarization
from aekit.objectives.elbo import ELBOObjective
from aekit.objectives.iwae import IWAEObjective
from aekit.objectives.likelihood import BERNOULLI
from aekit.objectives.objective import Objective
from aekit.objectives.penalties import kl_sparsity

FASHION = Path(registry.FASHION_MNIST_DEBIAN_DIR)
needs_fashion = pytest.mark.skipif(
    not FASHION.is_dir(), reason="needs apt-get install dataset-fashion-mnist"
)


def _table_rows(text, section):
    part = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [
        [c.strip() for c in line.strip("|").split("|")]
        for line in part.splitlines()
        if line.startswith("| ") and not line.startswith("| model")
    ]


def _quick(suite, folder):
    """A quick run with Fashion-MNIST's files standing in for MNIST's (same IDX names)."""
    out = folder / "results" / f"{suite}.md"
    argv = ["reproduce", suite, "--quick", "--mnist-dir", str(FASHION), "--out", str(out)]
    assert main(argv) == 0
    return out.read_text(), out.with_suffix("")


# -- the suites ----------------------------------------------------------------------------
@needs_fashion
def test_quick_ng_sparse_reports_the_mean_activation_its_acceptance_and_the_filters(tmp_path):
    text, pictures = _quick("ng-sparse", tmp_path)
    assert "aekit reproduce ng-sparse --quick" in text and "quick: a pipeline check" in text
    assert "sparsity_weight 6, weight_decay 6e-3" in text  # the mapping of Ng's J, stated
    for section in ("Fashion-MNIST", "MNIST"):
        rows = _table_rows(text, section)
        assert [r[0].split()[0] for r in rows] == ["Ng's", "sigmoid", "Ng's"]
        for r in rows:
            assert 0 < float(r[1]) < 1 and r[2].endswith("%") and r[3].endswith("of 196")
            assert 0 < float(r[4]) < 784
    assert text.count("Acceptance (ng: ρ̂ within 10% of ρ = 0.1): ") == 2
    assert re.search(r"ρ̂ = 0\.\d{4} is \d+\.\d% (above|below) ρ", text)
    for name in ("fashion-mnist-filters-ng.png", "mnist-filters-no-sparsity.png"):
        assert (pictures / name).stat().st_size > 0 and f"ng-sparse/{name}" in text


@needs_fashion
def test_quick_iwae_reports_the_estimates_the_margin_and_the_gap_to_the_paper(tmp_path):
    text, pictures = _quick("iwae", tmp_path)
    assert "k = 50 importance samples (5,000 in a full run)" in text
    fashion, mnist = _table_rows(text, "Fashion-MNIST"), _table_rows(text, "MNIST")
    assert [r[0] for r in fashion] == ["VAE (k = 1)", "IWAE (k = 5)", "IWAE (k = 50)"]
    for r in fashion + mnist:
        ll, elbo = float(r[1]), float(r[2])
        assert -784 * math.log(2) * 2 < elbo < 0 and elbo <= ll + 1.0  # nats; the bound is looser
    assert all(r[4] == "—" for r in fashion)  # the paper has no Fashion-MNIST figure
    assert [r[4] for r in mnist] == ["-86.76", "—", "-84.78"]
    gap = float(mnist[0][5])
    assert gap == pytest.approx(float(mnist[0][1]) + 86.76, abs=0.1)  # cells: 4 digits
    assert "Gap to the paper (ours − published) after 1 of its 3,280 epochs: VAE" in text
    assert text.count("Acceptance (IWAE (k = 50)'s estimate above VAE (k = 1)'s): ") == 2
    assert (pictures / "fashion-mnist-samples.png").stat().st_size > 0


@pytest.mark.parametrize("suite", ["ng-sparse", "iwae"])
def test_a_missing_dataset_is_reported_in_the_file(tmp_path, suite):
    out = tmp_path / f"{suite}.md"
    argv = ["reproduce", suite, "--quick", "--data-dir", str(tmp_path / "absent")]
    assert main([*argv, "--out", str(out)]) == 0
    text = out.read_text()
    assert "## Fashion-MNIST\n\nNot run: fashion-mnist: path" in text and "no such folder" in text
    assert "## MNIST\n\nNot run: MNIST is read only from IDX files given with --mnist-dir" in text


# -- the importance-weighted objective -----------------------------------------------------
def _vae(seed=0, n_features=12):
    torch.manual_seed(seed)
    config = VAEConfig(n_features=n_features, hidden=(8,), code_size=3, activation="tanh")
    return build_module(config)


def _rows(n=32, n_features=12):
    return torch.rand(n, n_features, generator=torch.Generator().manual_seed(1)).round()


def test_one_importance_sample_is_exactly_the_elbo_objective():
    model, x = _vae(), _rows()
    elbo = ELBOObjective(BERNOULLI)(model, x, generator=torch.Generator().manual_seed(3))
    iwae = IWAEObjective(BERNOULLI, samples=1)(model, x, generator=torch.Generator().manual_seed(3))
    assert iwae.loss.item() == elbo.loss.item()
    assert {k: v.item() for k, v in iwae.terms.items()} == {
        k: v.item() for k, v in elbo.terms.items()
    }


def test_a_vae_with_one_importance_sample_trains_as_the_plain_vae(digits01):
    X = digits01[0][:200]
    common = dict(hidden=(16,), code_size=2, epochs=2, batch_size=50, random_state=0)
    plain = VariationalAutoencoder(**common).fit(X)
    one = VariationalAutoencoder(**common, importance_samples=1).fit(X)
    assert one.history_["loss"] == plain.history_["loss"]
    np.testing.assert_array_equal(one.transform(X[:5]), plain.transform(X[:5]))


def test_the_k_sample_bound_is_above_the_elbo_on_average_and_tightens_with_k():
    model, x = _vae(), _rows()
    with torch.no_grad():  # −loss is the batch mean of the bound; averaged over 40 seeds
        bounds = {
            k: np.mean(
                [
                    -IWAEObjective(BERNOULLI, samples=k)(
                        model, x, generator=torch.Generator().manual_seed(s)
                    ).loss.item()
                    for s in range(40)
                ]
            )
            for k in (1, 5, 50)
        }
    assert bounds[1] < bounds[5] < bounds[50]
    assert bounds[50] - bounds[1] > 0.3  # nats; the seeds' standard error is about 0.03


def test_the_k_sample_bound_trains_both_networks_and_logs_the_elbo_terms():
    model, x = _vae(), _rows()
    out = IWAEObjective(BERNOULLI, samples=5)(model, x, generator=torch.Generator().manual_seed(0))
    out.loss.backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert set(out.terms) == {"reconstruction", "kl"}
    # The 5-sample bound is tighter than the one-sample ELBO its terms average to.
    assert out.loss.item() <= (out.terms["reconstruction"] + out.terms["kl"]).item() + 1e-4


def test_importance_samples_is_a_parameter_a_flag_and_saved_and_needs_beta_one(
    digits01, capsys, tmp_path
):
    X = digits01[0][:100]
    vae = VariationalAutoencoder(
        hidden=(8,), code_size=2, importance_samples=5, binarize="dynamic", epochs=1
    )
    assert set(vae.fit(X).history_) >= {"loss", "reconstruction", "kl"}
    vae.save(tmp_path / "vae")
    again = aekit.load(tmp_path / "vae")
    assert (again.importance_samples, again.binarize) == (5, "dynamic")
    with pytest.raises(ConfigError, match="needs beta=1"):
        VariationalAutoencoder(importance_samples=5, beta=0.5).fit(X)
    with pytest.raises(ConfigError, match="importance_samples"):
        VariationalAutoencoder(importance_samples=0).fit(X)
    with pytest.raises(SystemExit):
        main(["train", "--model", "vae", "--help"])
    help_text = capsys.readouterr().out
    assert "--importance-samples N" in help_text and "--binarize {dynamic,none}" in help_text


# -- dynamic binarisation ------------------------------------------------------------------
def test_dynamic_binarization_draws_zeros_and_ones_afresh_with_the_values_as_probabilities():
    draw, x = dynamic_binarization(), torch.full((2000, 4), 0.3)
    g = torch.Generator().manual_seed(0)
    first, second = draw(x, g), draw(x, g)
    assert set(first.unique().tolist()) == {0.0, 1.0} and not torch.equal(first, second)
    assert first.mean().item() == pytest.approx(0.3, abs=0.02)
    again = draw(x, torch.Generator().manual_seed(0))
    assert torch.equal(first, again)  # seeded


def test_the_redrawn_batch_is_the_target_too_and_only_in_training():
    torch.manual_seed(0)
    model = build_module(MLPConfig(n_features=6, hidden=(4,), code_size=2, activation="sigmoid"))
    x = torch.rand(16, 6, generator=torch.Generator().manual_seed(1))
    objective = Objective(BERNOULLI, resample=dynamic_binarization())
    trained = objective(model, x, generator=torch.Generator().manual_seed(5))
    drawn = torch.bernoulli(x, generator=torch.Generator().manual_seed(5))
    expected = BERNOULLI.loss(model(drawn).output, drawn).mean()
    assert trained.loss.item() == pytest.approx(expected.item(), rel=1e-6)
    evaluated = objective(model, x, train=False)
    assert evaluated.loss.item() == pytest.approx(
        BERNOULLI.loss(model(x).output, x).mean().item(), rel=1e-6
    )
    assert not objective.graph_safe


def test_binarize_dynamic_changes_the_fit_repeatably_and_refuses_what_it_cannot_draw(digits01):
    X = digits01[0][:200]
    common = dict(hidden=(16,), code_size=2, epochs=2, batch_size=50, random_state=0)
    drawn = [VariationalAutoencoder(**common, binarize="dynamic").fit(X) for _ in range(2)]
    plain = VariationalAutoencoder(**common).fit(X)
    assert drawn[0].history_["loss"] == drawn[1].history_["loss"]
    assert drawn[0].history_["loss"] != plain.history_["loss"]
    Autoencoder(**common, binarize="dynamic").fit(X)  # any Bernoulli member takes it
    with pytest.raises(ConfigError, match="needs loss 'bernoulli'"):
        VariationalAutoencoder(binarize="dynamic", loss="gaussian").fit(X)
    with pytest.raises(ConfigError, match="needs data in \\[0, 1\\]"):
        VariationalAutoencoder(**common, binarize="dynamic").fit(X * 4 - 2)
    with pytest.raises(ConfigError, match="greedy pretraining"):
        StackedAutoencoder(binarize="dynamic", pretraining="autoencoder").fit(X)


# -- KL sparsity on the code of a one-layer encoder ----------------------------------------
def test_kl_sparsity_on_the_code_penalises_the_code_units():
    torch.manual_seed(0)
    config = MLPConfig(
        n_features=6, hidden=(), code_size=4, activation="sigmoid", code_activation="sigmoid"
    )
    model = build_module(config)
    x = torch.rand(40, 6, generator=torch.Generator().manual_seed(0))
    out = model(x)
    value = kl_sparsity(0.1, 3.0, layer="code")(model, x, out)
    rho_hat = out.code.mean(0).double()
    kl = 0.1 * torch.log(0.1 / rho_hat) + 0.9 * torch.log(0.9 / (1 - rho_hat))
    assert value[0].item() == pytest.approx(3.0 * kl.sum().item(), rel=1e-5)


def test_a_one_layer_sparse_autoencoder_drives_its_code_towards_rho(digits01):
    X = digits01[0][:300]
    common = dict(hidden=(), code_size=24, code_activation="sigmoid", epochs=30, random_state=0)
    common |= dict(batch_size=50, learning_rate=1e-2)
    sparse = SparseAutoencoder(**common, sparsity_target=0.1, sparsity_weight=10.0).fit(X)
    free = Autoencoder(**common).fit(X)
    rho_hat = sparse.mean_activation(X, layer="code")
    assert rho_hat.shape == (24,) and "sparsity" in sparse.history_
    # Measured: 0.114 sparse, 0.49 free (at beta 3 and Adam's default rate: 0.57, not near)
    assert abs(rho_hat.mean() - 0.1) < 0.05, rho_hat.mean()
    assert abs(rho_hat.mean() - 0.1) < abs(free.mean_activation(X, layer="code").mean() - 0.1)
    with pytest.raises(ConfigError, match="code_activation='sigmoid'"):
        SparseAutoencoder(hidden=(), code_size=3, code_activation="relu", epochs=1).fit(X)
    with pytest.raises(ConfigError, match="hidden layer"):
        SparseAutoencoder(hidden=(), code_size=3, epochs=1).fit(X)
