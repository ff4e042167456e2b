"""Initial weights of fully connected layers: Glorot & Bengio (2010) uniform, zero biases.

PyTorch's default (uniform in ±1/sqrt(fan_in), variance 1/(3 fan_in)) shrinks the signal at
every layer of a deep network. Measured on the 784-1000-500-250-30 ELU autoencoder on
Fashion-MNIST, batch 512, cosine over 50 epochs, test error per image:

- PyTorch's default, Adam 1e-3: 7.04 after 50 epochs;
- He (2015) normal everywhere, Adam 1e-3: 6.23 after 50; Adam 2e-3: 6.0 in epoch 45;
- He before ELU layers, Glorot elsewhere, Adam 2e-3: 6.0 in epoch 36;
- Glorot everywhere, Adam 2e-3: 6.0 in epoch 29.

He initialisation also made plain SGD diverge on small unscaled data where Glorot and the
default did not.
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
