"""Initial weights of fully connected layers: Glorot & Bengio (2010) uniform, zero biases.

PyTorch's default (uniform in ±1/sqrt(fan_in), variance 1/(3 fan_in)) shrinks the signal at
every layer of a deep network. On the 784-1000-500-250-30 ELU autoencoder on Fashion-MNIST
(batch 512, Adam 2e-3, cosine over 50 epochs) the test error reached 6.0 in epoch 29 with
Glorot initialisation, in epoch 36 with He initialisation before the ELU layers, and not in
50 epochs (7.04) with PyTorch's default at Adam 1e-3. He initialisation also made plain SGD
diverge on small unscaled data where Glorot and the default did not (CHANGELOG 0.2).
"""

from __future__ import annotations

from torch import nn


def initialise(layers: nn.Module) -> None:
    """Glorot-uniform weights and zero biases for every ``nn.Linear`` inside ``layers``."""
    for layer in layers.modules():
        if isinstance(layer, nn.Linear):  # a tied layer reuses its source's weight
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
