"""What Rifai et al. (2011) measured of a one-layer sigmoid encoder h = σ(Wx + b).

- ‖J_f(x)‖_F, the Frobenius norm of the encoder's Jacobian at x, averaged over images:
  J = diag(h(1 − h)) W, so ‖J‖²_F = Σ_j (h_j(1 − h_j))² Σ_i W_ji² (the closed form of
  :mod:`aekit.objectives.penalties`; ``jacobian_norm`` of an estimator is the mean of the
  squares, this the mean of the norms, as the paper's table reports);
- saturation: the share of hidden activations, over images and units, below 0.05 or above
  0.95, where the sigmoid is flat.

Both in the scaled input space the encoder sees (images in [0, 1] are kept as they are).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aekit.errors import ConfigError
from aekit.models.rbm import RBM
from aekit.objectives.penalties import has_closed_form

SATURATED = (0.05, 0.95)  # an activation outside these is saturated


def encoder_weight(est: Any) -> np.ndarray:
    """W of shape (code_size, n_features) of a fitted one-layer sigmoid encoder or RBM."""
    module = est.module_
    if isinstance(module, RBM) and not module.gaussian_hidden:
        weight = module.W
    elif has_closed_form(module):
        weight = module.encoder_layers[0].weight
    else:
        raise ConfigError(
            f"{type(est).__name__}: the closed form needs one sigmoid layer, h = σ(Wx + b)"
        )
    return weight.detach().double().numpy()


def jacobian_norms(est: Any, X: np.ndarray) -> np.ndarray:
    """‖J_f(x)‖_F of each row of ``X``: ndarray of shape (n_samples,).

    >>> import numpy as np
    >>> from aekit import RBM
    >>> X = np.random.default_rng(0).random((50, 6), dtype=np.float32)
    >>> rbm = RBM(code_size=4, epochs=1, random_state=0).fit(X)
    >>> jacobian_norms(rbm, X).shape
    (50,)
    """
    h = est.transform(X).astype(np.float64)  # (n_samples, code_size)
    row_norms = np.square(encoder_weight(est)).sum(axis=1)  # (code_size,)
    return np.sqrt(np.square(h * (1.0 - h)) @ row_norms)


def saturation(est: Any, X: np.ndarray, bounds: tuple[float, float] = SATURATED) -> float:
    """The share of the hidden activations of ``X`` outside ``bounds``."""
    h = est.transform(X)  # (n_samples, code_size)
    return float(np.mean((h < bounds[0]) | (h > bounds[1])))
