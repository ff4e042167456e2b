"""Convolutional autoencoder: strided convolutions down, transposed convolutions up.

After Masci et al. 2011, "Stacked convolutional auto-encoders for hierarchical feature
extraction", with strided convolutions in place of pooling (Springenberg et al. 2015,
"Striving for simplicity: the all convolutional net").

Rows arrive flattened, (batch, C·H·W), as for every other model, so the likelihoods,
corruptions and training engine apply unchanged; the module reshapes them to
(batch, C, H, W) itself. Each encoder layer is a stride-2 convolution with "same" padding
(H → ceil(H / 2)); a linear layer maps the last feature map to the (linear) code. The decoder
mirrors it: a linear layer back to the last feature map, then stride-2 transposed
convolutions whose ``output_padding`` (0 or 1) restores each layer's exact size, so odd
sizes (7 → 4 → 7 for 28 × 28 input) come back as they went in.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from aekit.errors import ConfigError
from aekit.models.config import MAX_WIDTH, _positive_int, check_top_k, check_units, check_widths
from aekit.models.mlp import make_activation
from aekit.models.output import ModelOutput
from aekit.models.schema import init_fields
from aekit.models.top_k import TopK
from aekit.objectives.likelihood import get_likelihood

STRIDE = 2
MAX_LAYERS = 16  # each layer halves the image; 16 takes 2**16 pixels down to 1


@dataclass
class ConvConfig:
    """A convolutional autoencoder on (channels, height, width) images stored as flat rows.

    Attributes
    ----------
    n_features : int
        Input width: channels × height × width.
    image_shape : tuple of int
        (channels, height, width) of one sample.
    channels : tuple of int
        Output channels of each stride-2 convolution, input side first; the decoder mirrors
        them back to the image's channels.
    kernel_size : int
        Odd side of every (square) kernel; padding is ``kernel_size // 2``.
    code_size : int
        Width of the (linear) code layer.
    activation : str
        Nonlinearity after every convolution and after the decoder's first linear layer.
    likelihood : str
        "gaussian" (identity output, squared error) or "bernoulli" (logistic output,
        cross-entropy).
    top_k, top_k_alpha :
        A k-sparse code, as for :class:`~aekit.models.config.MLPConfig`.
    """

    n_features: int
    image_shape: tuple[int, int, int]
    channels: tuple[int, ...] = (32, 64)
    kernel_size: int = 3
    code_size: int = 32
    activation: str = "elu"
    likelihood: str = "gaussian"
    top_k: int | None = None  # None: a dense code
    top_k_alpha: float = 1.0
    kind: str = field(default="conv", init=False)  # registry name of the builder

    def __post_init__(self) -> None:
        if not isinstance(self.image_shape, (list, tuple)) or len(self.image_shape) != 3:
            raise ConfigError(
                f"image_shape must be (channels, height, width), got {self.image_shape!r}"
            )
        if not isinstance(self.channels, (list, tuple)):
            raise ConfigError(f"channels must be a list of integers, got {self.channels!r}")
        self.image_shape = tuple(self.image_shape)  # type: ignore[assignment]  # 3 long: checked
        self.channels = tuple(self.channels)
        self.validate()

    def validate(self) -> None:
        check_widths(self.n_features, self.code_size)
        for size in self.image_shape:
            _positive_int("image_shape entry", size)
        if math.prod(self.image_shape) != self.n_features:
            raise ConfigError(
                f"image_shape {self.image_shape} holds {math.prod(self.image_shape)} values, "
                f"but n_features is {self.n_features}"
            )
        if not 1 <= len(self.channels) <= MAX_LAYERS:
            raise ConfigError(
                f"channels must list 1 to {MAX_LAYERS} layer widths, got {self.channels!r}"
            )
        for c in self.channels:
            _positive_int("channels entry", c)
        k = self.kernel_size
        if isinstance(k, bool) or not isinstance(k, int) or k < 1 or k % 2 == 0 or k > 31:
            raise ConfigError(f"kernel_size must be an odd integer in [1, 31], got {k!r}")
        check_units(self.activation, self.likelihood)
        check_top_k(self.top_k, self.top_k_alpha, self.code_size)
        flat = self.channels[-1] * math.prod(self.feature_map_sizes()[-1])
        if flat > MAX_WIDTH:  # the linear layers' width: keep a crafted config's allocation sane
            raise ConfigError(
                f"the last feature map has {flat} values, more than {MAX_WIDTH}; "
                "use fewer channels or more layers"
            )

    def feature_map_sizes(self) -> list[tuple[int, int]]:
        """(height, width) of the image and after each encoder layer: ceil(size / 2) each."""
        sizes = [(self.image_shape[1], self.image_shape[2])]
        for _ in self.channels:
            h, w = sizes[-1]
            sizes.append((-(-h // STRIDE), -(-w // STRIDE)))
        return sizes

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["image_shape"] = list(self.image_shape)
        d["channels"] = list(self.channels)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConvConfig:
        kwargs = init_fields(cls, data, ("n_features", "image_shape"))
        return cls(**kwargs)


class ConvAutoencoder(nn.Module):
    def __init__(self, config: ConvConfig) -> None:
        super().__init__()
        self.config = config
        self.likelihood = get_likelihood(config.likelihood)
        k, pad = config.kernel_size, config.kernel_size // 2
        widths = [config.image_shape[0], *config.channels]
        sizes = config.feature_map_sizes()
        self.encoder_convs = nn.ModuleList(
            nn.Conv2d(a, b, k, stride=STRIDE, padding=pad)
            for a, b in zip(widths[:-1], widths[1:], strict=True)
        )
        self.map_shape = (widths[-1], *sizes[-1])  # (channels[-1], h, w) of the last map
        flat = math.prod(self.map_shape)
        self.to_code = nn.Linear(flat, config.code_size)
        self.from_code = nn.Linear(config.code_size, flat)
        decoder = []
        for i in reversed(range(len(config.channels))):
            # A stride-2 transposed convolution gives 2·size − 1 (odd kernel, same padding);
            # output_padding adds the one row/column an even-sized input had.
            (h_in, w_in), (h_out, w_out) = sizes[i + 1], sizes[i]
            extra = (h_out - (STRIDE * h_in - 1), w_out - (STRIDE * w_in - 1))
            decoder.append(
                nn.ConvTranspose2d(
                    widths[i + 1], widths[i], k, stride=STRIDE, padding=pad, output_padding=extra
                )
            )
        self.decoder_convs = nn.ModuleList(decoder)
        self.act = make_activation(config.activation)
        self.top_k = TopK(config.top_k, config.top_k_alpha) if config.top_k else None

    def encode(self, x: torch.Tensor, hidden: list[torch.Tensor] | None = None) -> torch.Tensor:
        h = x.reshape(x.shape[0], *self.config.image_shape)  # (batch, C, H, W)
        for conv in self.encoder_convs:
            h = self.act(conv(h))  # (batch, channels[i], ceil(h / 2), ceil(w / 2))
            if hidden is not None:
                hidden.append(h.flatten(1))  # (batch, channels[i]·h·w), for penalties
        code = self.to_code(h.flatten(1))  # (batch, code_size)
        return code if self.top_k is None else self.top_k(code)

    def decode_raw(self, code: torch.Tensor) -> torch.Tensor:
        h = self.act(self.from_code(code))  # (batch, channels[-1]·h·w)
        h = h.reshape(code.shape[0], *self.map_shape)  # (batch, channels[-1], h, w)
        last = len(self.decoder_convs) - 1
        for i, deconv in enumerate(self.decoder_convs):
            h = deconv(h)  # doubles height and width, back to the encoder's sizes
            if i < last:
                h = self.act(h)
        return h.flatten(1)  # (batch, n_features), before the likelihood's output function

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        return self.likelihood.mean(self.decode_raw(code))

    def forward(self, x: torch.Tensor) -> ModelOutput:
        hidden: list[torch.Tensor] = []
        code = self.encode(x, hidden)
        return ModelOutput(code=code, output=self.decode_raw(code), hidden=hidden)
