"""scikit-learn's own estimator checks, run on every aekit estimator.

A check that cannot pass is listed in EXPECTED_FAILURES with the reason.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from aekit import (
    RBM,
    AnomalyDetector,
    Autoencoder,
    ContractiveAutoencoder,
    ConvAutoencoder,
    DenoisingAutoencoder,
    KSparseAutoencoder,
    PretrainedClassifier,
    SparseAutoencoder,
    StackedAutoencoder,
    VariationalAutoencoder,
)

EXPECTED_FAILURES: dict[str, str] = {
    # Measured: permuting rows moves codes by up to 9e-8 (one float32 ulp at these
    # magnitudes) because the CPU's matrix-multiply kernels round a row differently
    # depending on where it falls in their blocks. The check demands rtol=1e-7, so it
    # passes or fails by luck of the data; the estimators compute in float32 on purpose.
    "check_methods_sample_order_invariance": "float32 GEMM blocking changes the last bit",
}
# The same float32 rounding moves a logit by ~3e-7 when predicting on a subset of the rows;
# the check's rtol=1e-4 fails on a logit difference near 0 (measured: 1 value in 60).
CLASSIFIER_FAILURES = {
    **EXPECTED_FAILURES,
    "check_methods_subset_invariance": "float32 GEMM blocking changes the last bit",
}
# The threshold is a quantile of the scores of held-out rows, which the member never trained
# on, so that the false-alarm rate it promises holds for new data; on the training rows it
# flags fewer than `contamination` (measured: 23 of 300 where the checks want exactly 30).
# tests/test_anomaly.py covers the rest of these two checks. Subset invariance: as above.
DETECTOR_FAILURES = {
    **CLASSIFIER_FAILURES,
    "check_outliers_train": "threshold set on held-out rows, not the training set",
    "check_outliers_fit_predict": "threshold set on held-out rows, not the training set",
}


def _small(cls):
    # The checks fit many times; a tiny network keeps them fast without changing behaviour.
    return cls(hidden=(8,), code_size=1, epochs=3, random_state=0)  # < the checks' 2 features


@parametrize_with_checks(
    [
        _small(Autoencoder),
        _small(StackedAutoencoder).set_params(pretrain_epochs=2),
        _small(SparseAutoencoder),
        _small(DenoisingAutoencoder),
        _small(ContractiveAutoencoder),
        _small(VariationalAutoencoder),
        KSparseAutoencoder(hidden=(8,), code_size=4, top_k=2, epochs=3, random_state=0),
        RBM(code_size=2, epochs=3, random_state=0),
        # The checks feed any number of features, mostly not a square: each row is read as a
        # one-pixel-high strip (a 1-D signal). The default (image_shape=None: a square image,
        # else a ConfigError asking for image_shape) would refuse most of their data.
        ConvAutoencoder(
            image_shape=(1, 1, -1), channels=(2,), code_size=1, epochs=3, random_state=0
        ),
        # An unfitted encoder is fitted on the checks' data in fit, so any feature count works.
        PretrainedClassifier(_small(Autoencoder), epochs=20, random_state=0),
        # The outlier checks feed 2-feature blobs, and a code must be narrower than the data.
        AnomalyDetector(_small(Autoencoder).set_params(code_size=1), random_state=0),
    ],
    expected_failed_checks=lambda est: (
        CLASSIFIER_FAILURES
        if isinstance(est, PretrainedClassifier)
        else DETECTOR_FAILURES
        if isinstance(est, AnomalyDetector)
        else EXPECTED_FAILURES
    ),
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
