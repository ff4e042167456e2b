"""Weight averaging (aekit.training.averaging) and the centred start of a multilayer model."""

import numpy as np
import pytest
import torch

import aekit
from aekit.errors import ConfigError
from aekit.models.builders import build_module
from aekit.models.config import MLPConfig
from aekit.objectives.objective import Objective
from aekit.training import averaging, engine
from aekit.training.averaging import WeightAverage
from aekit.training.settings import TrainSettings


def _model(n_features=6, **kw):
    torch.manual_seed(0)
    return build_module(MLPConfig(n_features=n_features, hidden=(5,), code_size=2, **kw))


def _data(n=64, d=6, seed=0):
    return torch.rand(n, d, generator=torch.Generator().manual_seed(seed))


def _settings(**kw):
    return TrainSettings(**{"epochs": 4, "batch_size": 8, "precision": "float32", **kw})


# -- the average itself ----------------------------------------------------------------------
def test_the_average_follows_the_decay_rule_step_by_step():
    m = _model()
    avg = WeightAverage(m)
    expected = [p.detach().clone() for p in m.parameters()]
    for t in range(1, 30):
        with torch.no_grad():
            for p in m.parameters():
                p.add_(torch.randn_like(p))
        avg.update()
        d = min(averaging.MAX_DECAY, (1 + t) / (10 + t))
        expected = [
            d * e + (1 - d) * p.detach() for e, p in zip(expected, m.parameters(), strict=True)
        ]
    for e, a in zip(expected, avg.average, strict=True):
        torch.testing.assert_close(a, e)


def test_applied_puts_the_average_in_and_the_trained_weights_back():
    m = _model()
    avg = WeightAverage(m)
    with torch.no_grad():
        for p in m.parameters():
            p.add_(1.0)
    trained = [p.detach().clone() for p in m.parameters()]
    with avg.applied():
        for p, a in zip(m.parameters(), avg.average, strict=True):
            assert torch.equal(p, a)
    for p, t in zip(m.parameters(), trained, strict=True):
        assert torch.equal(p, t)


def test_the_state_round_trips_and_a_mismatch_is_refused():
    m = _model()
    avg = WeightAverage(m)
    avg.update()
    other = WeightAverage(_model())
    other.load_state(avg.state())
    assert other.steps == 1
    for a, b in zip(avg.average, other.average, strict=True):
        assert torch.equal(a, b)
    with pytest.raises(ValueError):
        WeightAverage(_model(n_features=6, tied=True)).load_state(avg.state())


# -- in the engine ---------------------------------------------------------------------------
def test_training_returns_the_averaged_weights_and_validates_them():
    X = _data()
    runs = {}
    for flag in (True, False):
        m = _model()
        h = engine.train(m, Objective(m.likelihood), X, _settings(average_weights=flag), seed=0)
        runs[flag] = (m, h)
    (avg_model, avg_hist), (raw_model, raw_hist) = runs[True], runs[False]
    # The same steps: the training losses (of the trained weights) agree.
    assert avg_hist["loss"] == pytest.approx(raw_hist["loss"])
    # The returned weights differ: the average, not the last step's.
    assert any(
        not torch.equal(a, b)
        for a, b in zip(avg_model.parameters(), raw_model.parameters(), strict=True)
    )
    # The logged validation loss is that of the returned (averaged) weights.
    generator = torch.Generator().manual_seed(0)
    _, val_idx = engine.split_validation(len(X), 0.1, generator)
    for model, hist in ((avg_model, avg_hist), (raw_model, raw_hist)):
        with torch.no_grad():
            val = float(Objective(model.likelihood)(model, X[val_idx], train=False).loss)
        assert val == pytest.approx(hist["val_loss"][-1], rel=1e-5)


def test_average_weights_must_be_a_bool():
    with pytest.raises(ConfigError, match="average_weights must be True or False"):
        _settings(average_weights="yes").validate()


def _train(X, settings=None, **kw):
    m = _model()
    engine.train(m, Objective(m.likelihood), X, settings or _settings(), seed=3, **kw)
    return m


def test_a_resumed_run_with_averaging_equals_an_uninterrupted_one(tmp_path):
    X = _data()
    polls = iter(range(1, 10_000))

    def stop_after_13_steps():
        return 15 if next(polls) == 13 else None

    whole = _train(X)
    with pytest.raises(aekit.errors.TrainingInterrupted):
        _train(X, checkpoint_dir=tmp_path, should_stop=stop_after_13_steps)
    resumed = _train(X, checkpoint_dir=tmp_path, resume=True)
    for a, b in zip(whole.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(a, b)


def test_a_checkpoint_without_averaging_is_not_resumed_with_it(tmp_path):
    X = _data()
    _train(X, _settings(average_weights=False), checkpoint_dir=tmp_path)
    with pytest.raises(ConfigError, match="average_weights"):
        _train(X, checkpoint_dir=tmp_path, resume=True)


# -- the centred start -------------------------------------------------------------------------
def test_a_fitted_autoencoder_is_centred_on_its_training_mean():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.2, 0.9, size=(80, 6)).astype(np.float32)
    est = aekit.Autoencoder(hidden=(5,), code_size=2, epochs=1, random_state=0).fit(X)
    assert est.config_.centred
    torch.testing.assert_close(est.module_.input_mean, torch.from_numpy(X.mean(0)))


def test_start_from_data_sets_the_output_bias_to_the_mean_in_the_likelihoods_terms():
    mean = torch.tensor([0.1, 0.5, 0.9, 0.0, 1.0, 0.3])
    m = _model(centred=True, likelihood="bernoulli")
    m.start_from_data(mean)
    torch.testing.assert_close(
        m.likelihood.mean(m.decoder_layers[-1].bias), mean.clamp(1e-3, 1 - 1e-3)
    )
    g = _model(centred=True, likelihood="gaussian")
    g.start_from_data(mean)
    torch.testing.assert_close(g.decoder_layers[-1].bias.detach(), mean)
    plain = _model()  # not centred: the start is left alone
    before = plain.decoder_layers[-1].bias.detach().clone()
    plain.start_from_data(mean)
    assert torch.equal(plain.decoder_layers[-1].bias, before)
    assert not hasattr(plain, "input_mean")


def test_centring_changes_the_input_the_first_layer_sees_not_what_the_code_is_of():
    m = _model(centred=True)
    x = _data(4)
    with torch.no_grad():
        before = m.encode(x)
        m.input_mean.fill_(0.5)
        shifted = m.encode(x + 0.5)
    torch.testing.assert_close(before, shifted)


def test_a_centred_model_round_trips_and_an_older_config_loads_uncentred(tmp_path):
    X = np.random.default_rng(1).uniform(size=(60, 6)).astype(np.float32)
    est = aekit.Autoencoder(hidden=(5,), code_size=2, epochs=1, random_state=0).fit(X)
    est.save(tmp_path / "m")
    back = aekit.load(tmp_path / "m")
    np.testing.assert_array_equal(back.transform(X), est.transform(X))
    assert torch.equal(back.module_.input_mean, est.module_.input_mean)
    older = {k: v for k, v in est.config_.to_dict().items() if k != "centred"}
    assert not MLPConfig.from_dict(older).centred


def test_pretraining_fine_tunes_a_centred_model():
    # The unrolled start keeps the pretrained function: tests/test_family_stacked.py.
    X = np.random.default_rng(2).uniform(size=(60, 6)).astype(np.float32)
    est = aekit.StackedAutoencoder(
        hidden=(5,), code_size=2, epochs=1, pretrain_epochs=1, random_state=0
    ).fit(X)
    assert est.config_.centred
    np.testing.assert_allclose(est.module_.input_mean.numpy(), X.mean(0), rtol=1e-5)
