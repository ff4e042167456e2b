"""The contractive autoencoder: penalise the encoder Jacobian's Frobenius norm.

Rifai, Vincent, Muller, Glorot & Bengio 2011, "Contractive auto-encoders: explicit
invariance during feature extraction"; see :mod:`aekit.estimators.parts.contraction`.
"""

from __future__ import annotations

from aekit.estimators.autoencoder import Autoencoder

PAPER_CAE = {
    "hidden": (),  # the paper's one-layer encoder: the penalty has a closed form
    "activation": "sigmoid",
    "code_activation": "sigmoid",  # the penalised hidden layer is the code
    "contraction_weight": 0.1,
}


class ContractiveAutoencoder(Autoencoder, defaults=PAPER_CAE):
    """An autoencoder whose code changes little when the input moves: λ ‖J_f(x)‖²_F.

    By default the paper's one-layer CAE: a sigmoid code layer straight from the input,
    whose penalty has the closed form Σ_j (h_j(1−h_j))² Σ_i W_ji². A deeper encoder gets
    the exact Jacobian by autograd (slower: one backward pass per code unit).

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import ContractiveAutoencoder
    >>> X = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> cae = ContractiveAutoencoder(code_size=4, epochs=3, random_state=0).fit(X)
    >>> cae.transform(X).shape
    (200, 4)
    >>> cae.jacobian_norm(X) > 0
    True
    """
