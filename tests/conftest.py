import numpy as np
import pytest
import torch

# Tiny test models run faster on one thread, and a CI run may share its cores.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def digits01():
    """scikit-learn's digits scaled to [0, 1]: (1797, 64) float32 and labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0).astype(np.float32), d.target


@pytest.fixture
def small_real():
    """Real-valued data outside [0, 1] with low-dimensional structure: (300, 10)."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(300, 2))
    return (z @ rng.normal(size=(2, 10)) * 3 + 1).astype(np.float32)
