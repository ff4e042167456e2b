"""The k-sparse autoencoder (Makhzani & Frey 2014, "k-Sparse Autoencoders", ICLR).

A linear code of which only the k largest units are kept in each forward pass; see
:mod:`aekit.estimators.parts.top_k`.
"""

from __future__ import annotations

from aekit.estimators.autoencoder import Autoencoder

PAPER_K_SPARSE = {"hidden": (), "code_size": 100, "top_k": 25, "tied": True}


class KSparseAutoencoder(Autoencoder, defaults=PAPER_K_SPARSE):
    """An autoencoder with exactly sparse codes: the k largest code units, the rest zero.

    By default the paper's kind of network: one linear code layer straight from the input,
    with tied weights, here 100 units of which k = 25 are kept in training;
    ``top_k_alpha`` > 1 keeps round(α·k) units when encoding, as the paper does for the
    features it gives a classifier. Hidden layers, a corruption or a penalty compose with it.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import KSparseAutoencoder
    >>> X = np.random.default_rng(0).random((200, 16), dtype=np.float32)
    >>> ksae = KSparseAutoencoder(code_size=8, top_k=2, epochs=3, random_state=0).fit(X)
    >>> int((ksae.transform(X) != 0).sum(axis=1).max())
    2
    """
