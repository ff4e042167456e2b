"""Members are compositions: any part with any architecture where it is defined.

Each combination below is built from the parameters alone (no class of its own), trains,
saves, loads, and gives the same codes after loading; combinations that are not defined
are one-line errors naming them.
"""

import signal

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

import aekit
from aekit import (
    RBM,
    Autoencoder,
    ConvAutoencoder,
    KSparseAutoencoder,
    PretrainedClassifier,
    StackedAutoencoder,
    VariationalAutoencoder,
)
from aekit.errors import ConfigError, TrainingInterrupted
from aekit.estimators.registry import ESTIMATORS
from aekit.models.top_k import TopK

FAST = dict(epochs=2, random_state=0, batch_size=64)


def _roundtrip(est, X, tmp_path):
    est.save(tmp_path / "model")
    again = aekit.load(tmp_path / "model")
    assert type(again) is type(est)
    assert again.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    np.testing.assert_array_equal(again.transform(X), est.transform(X))
    return again


def test_a_denoising_vae_trains_saves_and_loads(digits01, tmp_path):
    X = digits01[0][:300]
    vae = VariationalAutoencoder(hidden=(16,), code_size=2, noise="masking", **FAST).fit(X)
    clean = VariationalAutoencoder(hidden=(16,), code_size=2, **FAST).fit(X)
    assert {"reconstruction", "kl"} <= set(vae.history_)
    assert not np.allclose(vae.transform(X[:5]), clean.transform(X[:5]))  # noise changed it
    again = _roundtrip(vae, X, tmp_path)
    assert again.noise == "masking"


def test_a_sparse_conv_autoencoder_trains_saves_and_loads(digits01, tmp_path):
    X = digits01[0][:300]
    conv = ConvAutoencoder(
        channels=(4,), code_size=3, activation="sigmoid", sparsity="kl", **FAST
    ).fit(X)
    assert "sparsity" in conv.history_
    assert conv.mean_activation(X).shape == (4 * 4 * 4,)  # the first feature map, flattened
    _roundtrip(conv, X, tmp_path)


def test_a_k_sparse_autoencoder_keeps_k_units_and_alpha_k_when_encoding(digits01, tmp_path):
    X = digits01[0][:300]
    est = KSparseAutoencoder(code_size=20, top_k=4, top_k_alpha=2.0, **FAST).fit(X)
    active = (est.transform(X) != 0).sum(axis=1)
    assert active.max() == 8 and active.min() >= 7  # round(2 * 4), ties at zero aside
    est.module_.train()  # in training: exactly k
    with torch.no_grad():
        codes = est.module_.encode(torch.from_numpy(X[:50]))
    assert int((codes != 0).sum(dim=1).max()) == 4
    assert est.module_.config.tied  # the paper's tied linear layer, by default
    again = _roundtrip(est, X, tmp_path)
    assert again.config_.top_k == 4


def test_top_k_passes_gradients_through_the_kept_units_only():
    code = torch.tensor([[3.0, -1.0, 2.0, 0.5]], requires_grad=True)
    kept = TopK(2)(code)
    assert kept.tolist() == [[3.0, 0.0, 2.0, 0.0]]
    kept.sum().backward()
    assert code.grad.tolist() == [[1.0, 0.0, 1.0, 0.0]]


def test_a_contractive_tied_autoencoder_is_a_combination(digits01, tmp_path):
    X = digits01[0][:300]
    est = Autoencoder(hidden=(), code_size=8, tied=True, contraction_weight=0.1, **FAST)
    est.set_params(code_activation="sigmoid").fit(X)
    assert "contractive" in est.history_
    assert est.module_.decoder_layers[0].weight.data_ptr() == (
        est.module_.encoder_layers[0].weight.data_ptr()
    )
    _roundtrip(est, X, tmp_path)


def test_stacked_pretraining_takes_any_noise_of_the_one_corruption(digits01):
    X = digits01[0][:200]
    est = StackedAutoencoder(hidden=(12,), code_size=3, pretrain_epochs=1, noise="gaussian")
    est.set_params(noise_level=0.2, **FAST).fit(X)
    assert "pretrain_layer1_loss" in est.history_


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: VariationalAutoencoder(top_k=2),
            "VariationalAutoencoder takes no parameter 'top_k'",
        ),
        (lambda: ConvAutoencoder(tied=True), "ConvAutoencoder takes no parameter 'tied'"),
        (lambda: ConvAutoencoder(hidden=(10,)), "ConvAutoencoder takes no parameter 'hidden'"),
        (lambda: RBM(noise="masking"), "RBM takes no parameter 'noise'"),
    ],
)
def test_a_part_an_architecture_does_not_define_is_refused_by_name(make, message):
    with pytest.raises(TypeError, match=message):
        make()


@pytest.mark.parametrize(
    ("est", "message"),
    [
        (Autoencoder(hidden=(), sparsity="l1"), "sparsity='l1' needs at least one hidden layer"),
        (Autoencoder(code_size=4, top_k=5), "top_k=5 keeps more units than the code has"),
        (StackedAutoencoder(top_k=2), "greedy pretraining unrolls a linear code layer"),
        (StackedAutoencoder(pretraining="rbm", noise="masking"), "takes no noise"),
        (Autoencoder(activation="relu", sparsity="kl"), "KL sparsity needs hidden activations"),
        (Autoencoder(epochs=0), "The 'epochs' parameter of Autoencoder must be an int"),
        (Autoencoder(learning_rate=True), "must be a number, not a bool"),
    ],
)
def test_an_undefined_combination_is_a_one_line_error_before_training(digits01, est, message):
    with pytest.raises(ConfigError, match=message) as info:
        est.fit(digits01[0][:50])
    assert "\n" not in str(info.value)
    assert not hasattr(est, "module_")


def test_an_interrupted_first_fit_leaves_the_estimator_unfitted(digits01, tmp_path):
    est = Autoencoder(hidden=(8,), code_size=2, **FAST)
    with pytest.raises(TrainingInterrupted):
        est.fit(digits01[0][:200], checkpoint_dir=tmp_path, should_stop=lambda: signal.SIGINT)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    for name in ("module_", "n_features_in_", "config_", "scaler_", "history_"):
        assert not hasattr(est, name), name


def test_the_pretrained_classifier_round_trips_with_identical_predictions(digits01, tmp_path):
    X, y = digits01[0][:300], digits01[1][:300]
    ae = Autoencoder(hidden=(16,), code_size=4, **FAST).fit(X)
    for freeze in (False, True):
        clf = PretrainedClassifier(ae, freeze_encoder=freeze, epochs=3, random_state=0).fit(X, y)
        clf.save(tmp_path / f"clf{freeze}")
        again = aekit.load(tmp_path / f"clf{freeze}")
        np.testing.assert_array_equal(again.predict(X), clf.predict(X))
        np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
        np.testing.assert_array_equal(again.encoder_.transform(X), ae.transform(X))
        assert again.get_params()["freeze_encoder"] is freeze


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_parameters_are_declared_once_and_constrain_fit(name):
    cls = ESTIMATORS.get(name)
    params = cls().get_params(deep=False)
    assert set(cls._parameter_constraints) == set(params) == set(cls._params)
    assert all(
        cls._params[n].default == v or v is cls._params[n].default for n, v in params.items()
    )
    assert "Parameters\n----------" in cls.__doc__ and "weight_decay : float" in cls.__doc__
