"""The sparse autoencoder: a deep autoencoder plus a sparsity penalty on a hidden layer.

KL sparsity after Ng, "Sparse autoencoder" (CS294A lecture notes, 2011), or an L1 penalty
on the activations; see :mod:`aekit.estimators.parts.sparsity`.
"""

from __future__ import annotations

from aekit.estimators.autoencoder import Autoencoder


class SparseAutoencoder(Autoencoder, defaults={"sparsity": "kl", "activation": "sigmoid"}):
    """A deep autoencoder whose first hidden layer is pushed to fire rarely.

    With ``sparsity="kl"`` the loss adds β Σ_j KL(ρ‖ρ̂_j), ρ̂_j being unit j's mean
    activation over the batch (ρ = ``sparsity_target``, β = ``sparsity_weight``); this needs
    sigmoid units. With ``sparsity="l1"`` it adds λ Σ_j |h_j| per sample and works with any
    activation. ``hidden`` names at least one layer, or is ``()`` with a sigmoid
    ``code_activation``: the one hidden layer is then the code, and the penalty falls on it
    (Ng's 784-196-784 network). ``mean_activation`` reads the penalised layer back
    (``layer="code"`` for the code).

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import SparseAutoencoder
    >>> rows = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> sae = SparseAutoencoder(hidden=(16,), code_size=2, epochs=3, random_state=0)
    >>> rho_hat = sae.fit(rows).mean_activation(rows)  # (16,): one per first-layer unit
    >>> rho_hat.shape, "sparsity" in sae.history_
    ((16,), True)
    """
