"""Stacked autoencoders: greedy layer-wise pretraining, then end-to-end fine-tuning."""

from __future__ import annotations

from aekit.estimators.autoencoder import Autoencoder


# activation="auto": sigmoid for RBM layers, elu for autoencoder layers. Sigmoid
# autoencoder layers, chosen on a validation split of Fashion-MNIST's training images, end
# worse than the plain elu network at the same budget (benchmarks/results/family.md).
class StackedAutoencoder(
    Autoencoder, defaults={"pretraining": "autoencoder", "activation": "auto"}
):
    """A deep autoencoder pretrained greedily, one layer at a time, then fine-tuned.

    Each encoder layer is first trained alone to model the output of the (frozen) layers
    below it: as a one-hidden-layer autoencoder (``pretraining="autoencoder"``; with
    ``noise`` a stacked denoising autoencoder, Vincent et al. 2010) or as an RBM trained by
    contrastive divergence (``pretraining="rbm"``; Hinton & Salakhutdinov 2006). The layers
    are unrolled into an encoder and a mirrored decoder, fine-tuned end to end for
    ``epochs`` epochs on clean data. The units are elu for autoencoder layers and sigmoid
    for RBM layers (``activation="auto"``). See :mod:`aekit.estimators.parts.greedy`.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import StackedAutoencoder
    >>> X = np.random.default_rng(0).random((200, 8), dtype=np.float32)
    >>> sae = StackedAutoencoder(hidden=(6,), code_size=2, epochs=2, pretrain_epochs=2,
    ...                          random_state=0).fit(X)
    >>> sae.transform(X).shape
    (200, 2)
    >>> sorted(k for k in sae.history_ if k.endswith("_loss") and "val" not in k)
    ['pretrain_layer1_loss', 'pretrain_layer2_loss']
    """
