"""The convolutional autoencoder estimator (Masci et al. 2011); see :mod:`aekit.models.conv`."""

from __future__ import annotations

from aekit.estimators.base import BaseAutoencoder
from aekit.estimators.parts.conv import Conv, resolve_image_shape

__all__ = ["ConvAutoencoder", "resolve_image_shape"]


class ConvAutoencoder(BaseAutoencoder, architecture=Conv()):
    """An autoencoder with strided convolutions down and transposed convolutions up.

    Each encoder layer is a stride-2 convolution (halving height and width), a linear layer
    maps the last feature map to the code, and the decoder mirrors both; the output has the
    input's exact size. Rows of pixels, (n_samples, C·H·W), as every member takes; image-
    shaped input (n_samples, [C,] H, W) is flattened and its shape used. ``noise`` makes a
    convolutional denoising autoencoder, ``sparsity`` a sparse one (on the first feature
    map), ``top_k`` a k-sparse code.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import ConvAutoencoder
    >>> X = np.random.default_rng(0).random((100, 64), dtype=np.float32)  # 8 x 8 images
    >>> cae = ConvAutoencoder(channels=(4, 8), code_size=3, epochs=2, random_state=0).fit(X)
    >>> cae.config_.image_shape, cae.transform(X).shape, cae.reconstruct(X).shape
    ((1, 8, 8), (100, 3), (100, 64))
    """
