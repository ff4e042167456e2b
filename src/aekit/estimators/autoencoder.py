"""The basic and deep autoencoder: the multilayer architecture, trained end to end."""

from __future__ import annotations

from aekit.estimators.base import BaseAutoencoder
from aekit.estimators.parts.mlp import MLP


class Autoencoder(BaseAutoencoder, architecture=MLP()):
    """A deep autoencoder trained end to end by backpropagation.

    The encoder maps the input through the ``hidden`` widths to a linear code of
    ``code_size`` units and the decoder mirrors it. Every part of the family composes with
    it through its parameters: ``noise`` (denoising), ``sparsity``, ``contraction_weight``,
    ``top_k`` (a k-sparse code), ``tied`` weights and ``pretraining`` (greedy layer-wise);
    the named members are presets of these.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from aekit import Autoencoder
    >>> X = np.random.default_rng(0).normal(size=(200, 8))
    >>> ae = Autoencoder(hidden=(16,), code_size=2, epochs=3, random_state=0)
    >>> codes = make_pipeline(MinMaxScaler(), ae).fit_transform(X)
    >>> codes.shape, ae.loss_  # MinMaxScaler's output lies in [0, 1]: Bernoulli
    ((200, 2), 'bernoulli')
    """
