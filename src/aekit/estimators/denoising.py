"""The denoising autoencoder: reconstruct the clean input from a corrupted copy.

Vincent et al. 2008, "Extracting and composing robust features with denoising
autoencoders"; the noises follow Vincent et al. 2010, "Stacked denoising autoencoders".
"""

from __future__ import annotations

from aekit.estimators.autoencoder import Autoencoder

# Half the rows left clean: chosen on a validation split of Fashion-MNIST's training images
# among 0-0.75 (benchmarks/results/member-defaults.md says how); corrupting every row, as
# Vincent et al. do, more than doubles the error on clean inputs, while the gain on masked
# inputs barely moves.
DENOISING = {"noise": "masking", "clean_fraction": 0.5}


class DenoisingAutoencoder(Autoencoder, defaults=DENOISING):
    """A deep autoencoder trained to undo a corruption of its input.

    Each training batch is corrupted (fresh noise from the seeded stream), all but a
    ``clean_fraction`` of its rows, and the loss compares the reconstruction with the clean
    batch. Encoding, scoring and ``denoise`` see the data as given: no noise outside
    training. ``Autoencoder(noise=...)`` with the default masking noise and half the rows
    left clean, so clean inputs reconstruct nearly as well as with a plain autoencoder;
    ``clean_fraction=0`` is Vincent et al.'s recipe.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aekit import DenoisingAutoencoder
    >>> digits = load_digits().data[:300] / 16  # values in [0, 1]
    >>> dae = DenoisingAutoencoder(noise_level=0.3, hidden=(16,), code_size=4, epochs=3)
    >>> dae.set_params(random_state=0).fit(digits).denoise(digits[:5]).shape
    (5, 64)
    """
