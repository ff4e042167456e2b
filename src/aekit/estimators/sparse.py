"""The sparse autoencoder: a deep autoencoder plus a sparsity penalty on a hidden layer.

KL sparsity after Ng, "Sparse autoencoder" (CS294A lecture notes, 2011), or an L1 penalty
on the activations; see :mod:`aekit.estimators.parts.sparsity`.
"""

from __future__ import annotations

from aekit.estimators.autoencoder import Autoencoder

# Sigmoid units where the penalty needs them, elu behind them, and rho 0.1 with beta 0.1:
# chosen on a validation split of Fashion-MNIST's training images
# (benchmarks/results/member-defaults.md), with the centred input and the first layer
# starting at rho (Sparsity.first_bias): 1.05x the plain network's validation error, where
# the raw input's best was 1.27x. Sigmoid units throughout reconstructed worse than PCA-30.
SPARSE = {
    "sparsity": "kl",
    "activation": "elu",
    "first_activation": "sigmoid",
    "sparsity_target": 0.1,
    "sparsity_weight": 0.1,
}


class SparseAutoencoder(Autoencoder, defaults=SPARSE):
    """A deep autoencoder whose first hidden layer is pushed to fire rarely.

    With ``sparsity="kl"`` the loss adds β Σ_j KL(ρ‖ρ̂_j), ρ̂_j being unit j's mean
    activation over the batch (ρ = ``sparsity_target``, β = ``sparsity_weight``); this needs
    sigmoid units, which the first layer has by default (``first_activation``) while the
    layers behind it are elu. With ``sparsity="l1"`` it adds λ Σ_j |h_j| per sample and
    works with any activation. ``hidden`` names at least one layer, or is ``()`` with a sigmoid
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
