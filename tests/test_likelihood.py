"""The loss follows the data: Gaussian for real values, Bernoulli for [0, 1]."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from aekit.errors import DataError
from aekit.objectives.likelihood import BERNOULLI, GAUSSIAN, choose_likelihood


def test_auto_picks_bernoulli_for_unit_interval_data():
    assert choose_likelihood("auto", np.array([[0.0, 0.5, 1.0]]))[0] == "bernoulli"


def test_auto_picks_gaussian_for_real_data():
    name, reason = choose_likelihood("auto", np.array([[-0.1, 0.5]]))
    assert name == "gaussian"
    assert "outside [0, 1]" in reason


def test_bernoulli_on_data_outside_unit_interval_is_an_error():
    with pytest.raises(DataError, match=r"needs data in \[0, 1\], found values in \[0, 16\]"):
        choose_likelihood("bernoulli", np.array([[0.0, 16.0]]))


def test_gaussian_loss_is_squared_error_summed_over_features():
    out, x = torch.tensor([[1.0, 2.0], [0.0, 0.0]]), torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    torch.testing.assert_close(GAUSSIAN.loss(out, x), torch.tensor([5.0, 2.0]))


def test_bernoulli_loss_is_cross_entropy_of_the_logistic_output():
    logits, x = torch.randn(3, 4), torch.rand(3, 4)
    p = torch.sigmoid(logits)
    expected = -(x * p.log() + (1 - x) * (1 - p).log()).sum(1)
    torch.testing.assert_close(BERNOULLI.loss(logits, x), expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(
        BERNOULLI.loss(logits, x).sum(),
        F.binary_cross_entropy(p, x, reduction="sum"),
        rtol=1e-5,
        atol=1e-5,
    )
