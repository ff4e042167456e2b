"""Refitting on every row at the epoch early stopping chose (aekit.reproduce.refit)."""

import numpy as np
import pytest

import aekit
from aekit.reproduce.refit import RefitAtBestEpoch
from aekit.training.callbacks import StopAfter


@pytest.fixture
def X(digits01):
    return digits01[0][:400]


def small(**extra):
    return aekit.Autoencoder(
        hidden=(32,), code_size=4, epochs=30, batch_size=64, random_state=0, **extra
    )


def test_stop_after_ends_training_part_way_along_the_plan(X):
    est = small(callbacks=[StopAfter(3)]).fit(X)
    assert len(est.history_["loss"]) == 3
    # The schedule was planned over 30 epochs: at epoch 3 the rate has barely decayed.
    assert est.history_["lr"][-1] > 0.9 * est.history_["lr"][0]


def test_refit_trains_on_every_row_for_the_chosen_epochs(X):
    refit = RefitAtBestEpoch(small(patience=2)).fit(X)
    chosen = refit.best_epoch_
    assert 1 <= chosen <= 30
    assert chosen == int(refit.chooser_history_["best_epoch"][0])
    assert len(refit.history_["loss"]) == chosen
    assert "val_loss" not in refit.history_  # no row held out the second time
    assert refit.estimator_.get_params()["validation_fraction"] == 0.0
    assert refit.transform(X[:5]).shape == (5, 4)
    assert refit.reconstruct(X[:5]).shape == (5, 64)


def test_refit_leaves_the_given_estimator_unfitted(X):
    est = small(patience=2)
    RefitAtBestEpoch(est).fit(X)
    assert not hasattr(est, "module_") and est.get_params()["callbacks"] is None


def test_the_refit_equals_a_plain_fit_stopped_at_that_epoch(X):
    refit = RefitAtBestEpoch(small(patience=2)).fit(X)
    plain = small(validation_fraction=0.0, callbacks=[StopAfter(refit.best_epoch_)]).fit(X)
    np.testing.assert_array_equal(refit.transform(X), plain.transform(X))
