"""The scikit-learn contract of Autoencoder, and what it learns on real data."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from aekit import Autoencoder
from aekit.errors import DataError

FAST = dict(hidden=(32,), code_size=4, epochs=5, random_state=0)


def test_fit_returns_self_and_sets_learned_state(digits01):
    X, _ = digits01
    ae = Autoencoder(**FAST)
    assert ae.fit(X[:300]) is ae
    assert ae.n_features_in_ == 64
    assert ae.loss_ == "bernoulli" and "[0, 1]" in ae.loss_reason_
    assert len(ae.history_["loss"]) == 5 == ae.n_iter_


def test_transform_inverse_transform_and_reconstruct_shapes(digits01):
    X, _ = digits01
    ae = Autoencoder(**FAST).fit(X[:300])
    codes = ae.transform(X[:7])
    assert codes.shape == (7, 4) and codes.dtype == np.float32
    assert ae.inverse_transform(codes).shape == (7, 64)
    np.testing.assert_allclose(ae.inverse_transform(codes), ae.reconstruct(X[:7]), atol=1e-6)
    np.testing.assert_allclose(ae.fit_transform(X[:300])[:7], codes, atol=1e-6)


def test_score_is_negative_mean_reconstruction_loss_and_improves_with_training(digits01):
    X, _ = digits01
    short = Autoencoder(**{**FAST, "epochs": 1}).fit(X[:500])
    long = Autoencoder(**{**FAST, "epochs": 30}).fit(X[:500])
    assert short.score(X[500:800]) < long.score(X[500:800]) < 0


def test_gaussian_data_with_standard_scaling_round_trips_to_data_units(small_real):
    ae = Autoencoder(
        hidden=(16,), code_size=2, epochs=100, batch_size=32, scale="standard", random_state=0
    )
    ae.fit(small_real)
    assert ae.loss_ == "gaussian"
    rel = (
        ae.reconstruction_error(small_real).mean()
        / np.square(small_real - small_real.mean(0)).sum(1).mean()
    )
    assert rel < 0.05  # the data are rank 2 and the code has 2 units


def test_deep_autoencoder_beats_pca_on_held_out_digits(digits01):
    X, _ = digits01
    ae = Autoencoder(hidden=(128,), code_size=8, epochs=60, batch_size=64, random_state=0)
    ae.fit(X[:1400])
    pca = PCA(8).fit(X[:1400])
    pca_err = np.square(pca.inverse_transform(pca.transform(X[1400:])) - X[1400:]).sum(1).mean()
    assert ae.reconstruction_error(X[1400:]).mean() < 0.9 * pca_err


def test_same_seed_same_codes(digits01):
    X, _ = digits01
    a = Autoencoder(**FAST).fit(X[:200]).transform(X[:20])
    b = Autoencoder(**FAST).fit(X[:200]).transform(X[:20])
    np.testing.assert_array_equal(a, b)


def test_unfitted_estimator_raises_not_fitted():
    with pytest.raises(NotFittedError):
        Autoencoder().transform(np.zeros((2, 3)))


def test_wrong_feature_count_at_encode_time_names_both_counts(digits01):
    X, _ = digits01
    ae = Autoencoder(**FAST).fit(X[:100])
    with pytest.raises(
        DataError, match="X has 10 features, but Autoencoder is expecting 64 features"
    ):
        ae.transform(np.zeros((3, 10), np.float32))


def test_bernoulli_on_data_outside_unit_interval_is_refused(small_real):
    with pytest.raises(DataError, match="bernoulli"):
        Autoencoder(loss="bernoulli", **FAST).fit(small_real)


def test_init_stores_parameters_verbatim_and_clone_copies_them():
    ae = Autoencoder(hidden=[7, 3], code_size=2, learning_rate=0.5)
    assert ae.hidden == [7, 3]
    c = clone(ae)
    assert c.get_params() == ae.get_params()


def test_images_given_as_3d_arrays_are_flattened_and_shape_remembered(digits01):
    X, _ = digits01
    ae = Autoencoder(**FAST).fit(X[:100].reshape(-1, 8, 8))
    assert ae.n_features_in_ == 64 and ae.image_shape_ == (8, 8)


def test_pipeline_with_logistic_regression_in_grid_search_over_code_size(digits01):
    X, y = digits01
    pipe = Pipeline(
        [
            ("ae", Autoencoder(hidden=(32,), epochs=8, random_state=0)),
            ("clf", LogisticRegression(max_iter=300)),
        ]
    )
    search = GridSearchCV(pipe, {"ae__code_size": [2, 12]}, cv=2)
    search.fit(X[:600], y[:600])
    assert search.best_params_["ae__code_size"] in (2, 12)
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0]  # 12 code units keep more class information than 2
    assert search.score(X[600:900], y[600:900]) > 0.6
