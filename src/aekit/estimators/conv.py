"""The convolutional autoencoder estimator (Masci et al. 2011); see :mod:`aekit.models.conv`.

Images travel as rows of flattened pixels, (n_samples, C·H·W), like every other estimator's
input, so Pipelines, the command line and the data readers work unchanged; ``image_shape``
says how to fold a row back into an image.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import torch

from aekit.errors import ConfigError
from aekit.estimators.base import BaseAutoencoder, _image_shape
from aekit.models.conv import ConvConfig
from aekit.objectives.corruption import make_corruption
from aekit.objectives.objective import Objective


class ConvAutoencoder(BaseAutoencoder):
    """An autoencoder with strided convolutions down and transposed convolutions up.

    Each encoder layer is a stride-2 convolution (halving height and width), a linear layer
    maps the last feature map to the code, and the decoder mirrors both; the output has the
    input's exact size.

    Parameters
    ----------
    image_shape : tuple of int or None, default=None
        (channels, height, width) of one sample, channels first; (height, width) means one
        channel. One entry may be -1, inferred from the feature count as numpy's reshape does:
        ``(1, 1, -1)`` treats each row as a one-pixel-high strip (a 1-D signal). None infers
        the shape of image-shaped input (n_samples, h, w) or (n_samples, c, h, w), and for
        flat rows a square single-channel image (784 features → (1, 28, 28)); other feature
        counts raise a ConfigError asking for ``image_shape``.
    channels : tuple of int, default=(32, 64)
        Output channels of each stride-2 convolution, input side first.
    kernel_size : int, default=3
        Odd side of every square kernel.
    code_size : int, default=32
        Width of the linear code layer (the dimension of ``transform``'s output).
    activation : str, default="elu"
        Hidden nonlinearity ("elu", "relu", "sigmoid", "tanh", "gelu", "leaky_relu", "silu").
    loss : {"auto", "gaussian", "bernoulli"}, default="auto"
        "auto" chooses Bernoulli (logistic output, cross-entropy) when the scaled training
        data lie in [0, 1] and Gaussian (identity output, squared error) otherwise.
    noise : {None, "masking", "gaussian", "salt_and_pepper"}, default=None
        Corrupt each training batch with this noise and reconstruct the clean batch (a
        convolutional denoising autoencoder); None trains on the data as given.
    noise_level : float, default=0.25
        The fraction corrupted, or the Gaussian sigma; used only with ``noise``.
    scale, epochs, batch_size, optimizer, learning_rate, momentum, weight_decay, lr_schedule,
    validation_fraction, early_stopping, patience, device, precision, random_state, verbose,
    callbacks :
        As for :class:`aekit.Autoencoder`.

    Attributes
    ----------
    module_ : aekit.models.conv.ConvAutoencoder
    config_ : ConvConfig
        Holds the resolved ``image_shape`` (channels, height, width).
    history_ : dict of str to list of float
    loss_ : str
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import ConvAutoencoder
    >>> X = np.random.default_rng(0).random((100, 64), dtype=np.float32)  # 8 x 8 images
    >>> cae = ConvAutoencoder(channels=(4, 8), code_size=3, epochs=2, random_state=0).fit(X)
    >>> cae.config_.image_shape, cae.transform(X).shape, cae.reconstruct(X).shape
    ((1, 8, 8), (100, 3), (100, 64))
    """

    def __init__(
        self,
        image_shape: Sequence[int] | None = None,
        channels: Sequence[int] = (32, 64),
        kernel_size: int = 3,
        code_size: int = 32,
        activation: str = "elu",
        loss: str = "auto",
        noise: str | None = None,
        noise_level: float = 0.25,
        scale: str = "none",
        epochs: int = 50,
        batch_size: int | Literal["auto"] = "auto",
        optimizer: str = "adam",
        learning_rate: float | Literal["auto"] = "auto",
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        lr_schedule: str = "cosine",
        validation_fraction: float = 0.1,
        early_stopping: bool = False,
        patience: int = 10,
        device: str = "auto",
        precision: str = "auto",
        random_state: int | None = None,
        verbose: int = 0,
        callbacks: Sequence[Any] | None = None,
    ) -> None:
        self.image_shape = image_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.code_size = code_size
        self.activation = activation
        self.loss = loss
        self.noise = noise
        self.noise_level = noise_level
        self.scale = scale
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.patience = patience
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    # On CPU, bf16 convolutions bought no speed (Fashion-MNIST, 2-core AMX Xeon: 1.35-1.44 s
    # vs 1.43 s per 10,000 images) and their backward pass was nondeterministic, with NaN
    # gradients in some runs, for images one pixel wide (PyTorch 2.13, oneDNN): float32 there.
    _bf16_on_cpu = False

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> ConvAutoencoder:
        """Fit to ``X`` of shape (n_samples, C·H·W) or (n_samples, [C,] H, W); ``y`` is ignored.

        Keyword arguments (checkpointing) are those of :meth:`BaseAutoencoder.fit`.
        """
        self._input_shape = _image_shape(X)  # per-sample shape of image-shaped input, or None
        return super().fit(X, y, **fit_params)

    def _make_config(self, n_features: int, likelihood: str) -> ConvConfig:
        if self.noise is not None:
            make_corruption(self.noise, self.noise_level)  # checks both before any training
        channels = (self.channels,) if isinstance(self.channels, int) else self.channels
        return ConvConfig(
            n_features=n_features,
            image_shape=resolve_image_shape(
                self.image_shape, n_features, getattr(self, "_input_shape", None)
            ),
            channels=tuple(channels),
            kernel_size=self.kernel_size,
            code_size=self.code_size,
            activation=self.activation,
            likelihood=likelihood,
        )

    def _make_objective(self, module: torch.nn.Module) -> Objective:
        corruption = None if self.noise is None else make_corruption(self.noise, self.noise_level)
        return Objective(module.likelihood, corruption=corruption)


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
