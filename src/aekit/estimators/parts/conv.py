"""The convolutional architecture (Masci et al. 2011); see :mod:`aekit.models.conv`.

Images travel as rows of flattened pixels, (n_samples, C·H·W), like every other member's
input; ``image_shape`` says how to fold a row back into an image. Corruption, sparsity (on
the first feature map), contraction (by autograd: no closed form for a convolution) and a
k-sparse code compose with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from aekit.errors import ConfigError
from aekit.estimators.params import Int, Param, Sizes
from aekit.estimators.parts.base import Architecture, activation_of, sizes
from aekit.estimators.parts.binarization import Binarization
from aekit.estimators.parts.contraction import Contraction
from aekit.estimators.parts.corruption import InputCorruption
from aekit.estimators.parts.mlp import ACTIVATION, CODE_SIZE
from aekit.estimators.parts.sparsity import Sparsity
from aekit.estimators.parts.top_k import TopK
from aekit.models.conv import ConvConfig


class Conv(Architecture):
    name = "conv"
    params = (
        Param(
            "image_shape",
            None,
            Sizes(allow_minus_one=True),
            "(channels, height, width) of one sample, one entry may be -1; none infers it "
            "from image-shaped input or a square single-channel image",
            none=True,
            none_means="inferred",
        ),
        Param("channels", (32, 64), Sizes(), "output channels of each stride-2 convolution"),
        Param("kernel_size", 3, Int(1, 31), "odd side of every square kernel"),
        CODE_SIZE,
        ACTIVATION,
    )
    parts = (InputCorruption(), Binarization(), Sparsity(), Contraction(), TopK())
    # On CPU, bf16 convolutions bought no speed (Fashion-MNIST, 2-core AMX Xeon: 1.35-1.44 s
    # vs 1.43 s per 10,000 images) and their backward pass was nondeterministic, with NaN
    # gradients in some runs, for images one pixel wide (PyTorch 2.13, oneDNN): float32 there.
    bf16_on_cpu = False

    def n_hidden(self, est: Any) -> int:
        return len(sizes(est.channels))

    def make_config(
        self, est: Any, n_features: int, likelihood: str, input_shape: tuple[int, ...] | None
    ) -> ConvConfig:
        return ConvConfig(
            n_features=n_features,
            image_shape=resolve_image_shape(est.image_shape, n_features, input_shape),
            channels=sizes(est.channels),
            kernel_size=est.kernel_size,
            code_size=est.code_size,
            activation=activation_of(est),
            likelihood=likelihood,
            **self.part_fields(est),
        )


def resolve_image_shape(
    image_shape: Sequence[int] | None,
    n_features: int,
    input_shape: tuple[int, ...] | None = None,
) -> tuple[int, int, int]:
    """The (channels, height, width) that rows of ``n_features`` values fold into.

    Parameters
    ----------
    image_shape : sequence of int or None
        (c, h, w) or (h, w), with at most one -1 to infer; None to infer the whole shape.
    n_features : int
        Values per row.
    input_shape : tuple of int or None, default=None
        Per-sample shape of image-shaped input, used when ``image_shape`` is None.

    Returns
    -------
    tuple of (int, int, int)

    Raises
    ------
    ConfigError
        When the shape does not hold exactly ``n_features`` values or cannot be inferred.

    Examples
    --------
    >>> resolve_image_shape(None, 784), resolve_image_shape((3, -1, 4), 48)
    ((1, 28, 28), (3, 4, 4))
    """
    if image_shape is None:
        if input_shape is not None and len(input_shape) in (2, 3):
            image_shape = input_shape
        else:
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ConfigError(
                    f"cannot infer a square image from {n_features} features; give "
                    "image_shape=(channels, height, width), e.g. (1, 1, -1) for 1-D rows"
                )
            return (1, side, side)
    if isinstance(image_shape, (str, bytes)) or not isinstance(image_shape, (Sequence, np.ndarray)):
        raise ConfigError(f"image_shape must be (channels, height, width), got {image_shape!r}")
    shape = list(image_shape)
    if len(shape) not in (2, 3) or any(
        isinstance(d, bool) or not isinstance(d, (int, np.integer)) or (d < 1 and d != -1)
        for d in shape
    ):
        raise ConfigError(
            "image_shape must be (channels, height, width) or (height, width) of positive "
            f"integers (one may be -1), got {tuple(image_shape)!r}"
        )
    shape = [int(d) for d in shape]
    if len(shape) == 2:
        shape = [1, *shape]
    if shape.count(-1) > 1:
        raise ConfigError(f"image_shape may have one -1, got {tuple(image_shape)!r}")
    if -1 in shape:
        known = -math.prod(shape)  # the product of the other entries
        if n_features % known:
            raise ConfigError(
                f"image_shape {tuple(image_shape)!r} cannot hold {n_features} features: "
                f"{n_features} is not a multiple of {known}"
            )
        shape[shape.index(-1)] = n_features // known
    if math.prod(shape) != n_features:
        raise ConfigError(
            f"image_shape {tuple(image_shape)!r} holds {math.prod(shape)} values, "
            f"but X has {n_features} features"
        )
    return (shape[0], shape[1], shape[2])
