"""scikit-learn's own estimator checks, run on every aekit estimator.

A check that cannot pass is listed in EXPECTED_FAILURES with the reason.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from aekit import Autoencoder

EXPECTED_FAILURES: dict[str, str] = {}


def _small(cls):
    # The checks fit many times; a tiny network keeps them fast without changing behaviour.
    return cls(hidden=(8,), code_size=2, epochs=3, random_state=0)


@parametrize_with_checks(
    [_small(Autoencoder)], expected_failed_checks=lambda est: EXPECTED_FAILURES
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
