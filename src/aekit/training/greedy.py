"""Greedy layer-wise pretraining, then unrolling and fine-tuning end to end.

For encoder sizes ``[n_features, h1, ..., code]`` layer ``i`` is trained alone, as a
one-hidden-layer autoencoder (``kind="autoencoder"``; Bengio et al. 2007) or as an RBM
trained by contrastive divergence (``kind="rbm"``; Hinton & Salakhutdinov 2006, "Reducing
the dimensionality of data with neural networks"), to model its input: the output of the
layers below, already trained and frozen, computed once without gradients and fed as data.

- The first layer models the data with the data's likelihood (Bernoulli for [0, 1]).
- Upper layers model hidden activations: Bernoulli for sigmoid units, Gaussian otherwise.
- The top (code) layer is linear (linear Gaussian hidden units for an RBM).
- Stacked denoising (Vincent et al. 2010, "Stacked denoising autoencoders"): a corruption
  is applied to each layer's input only while that layer is pretrained; the next layer
  receives the clean code, and fine-tuning sees clean data.

The layers are then unrolled into an :class:`~aekit.models.mlp.MLPAutoencoder`: encoder
layer ``i`` gets layer ``i``'s encoder weight and bias, the mirrored decoder layer its
decoder weight (the transpose ``W.T`` for tied layers and RBMs) and decoder bias, and the
whole network is fine-tuned with :func:`aekit.training.engine.train`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from aekit.errors import ConfigError, ModelFileError
from aekit.models.init import initialise
from aekit.models.mlp import MLPAutoencoder, TiedLinear, make_activation
from aekit.models.output import ModelOutput
from aekit.models.rbm import RBM, RBMConfig
from aekit.objectives.contrastive import ContrastiveDivergence
from aekit.objectives.likelihood import Likelihood, get_likelihood
from aekit.objectives.objective import Corruption, Objective
from aekit.training import checkpoint, engine
from aekit.training.callbacks import Callback
from aekit.training.settings import TrainSettings, batch_size_for, pretraining_rate_for

KINDS = ("autoencoder", "rbm")
SKIPPED_KEYS = ("lr", "epoch_time", "best_epoch")  # bookkeeping, not a layer's loss

# Called before layer ``index`` (1-based) trains, with the layer and its (frozen) input.
LayerHook = Callable[[int, nn.Module, torch.Tensor], None]
StopCheck = Callable[[], "int | None"]


class LayerAutoencoder(nn.Module):
    """One layer of a stack: ``encoder`` + activation (or linear) and a decoder back."""

    def __init__(
        self, n_in: int, n_out: int, activation: str | None, likelihood: Likelihood, tied: bool
    ) -> None:
        super().__init__()
        self.likelihood = likelihood
        self.encoder = nn.Linear(n_in, n_out)
        self.decoder = TiedLinear(self.encoder) if tied else nn.Linear(n_out, n_in)
        self.act = make_activation(activation) if activation else nn.Identity()
        initialise(self, output=self.decoder)  # as the whole network's layers would be

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.encoder(x))  # (batch, n_out)

    def forward(self, x: torch.Tensor) -> ModelOutput:
        code = self.encode(x)
        return ModelOutput(code=code, output=self.decoder(code))  # output: (batch, n_in)


@dataclass
class Stack:
    layers: list[nn.Module]  # trained and frozen, input side first
    history: dict[str, list[float]]  # pretrain_layer{i}_{loss, term, val_...}


def make_layer(
    kind: str,
    n_in: int,
    n_out: int,
    *,
    activation: str,
    likelihood: str,
    top: bool,
    tied: bool = True,
) -> nn.Module:
    """The module that pretrains one layer; ``top`` makes its hidden units linear."""
    if kind == "rbm":
        if activation != "sigmoid" and not top:
            raise ConfigError("RBM pretraining needs activation='sigmoid' (logistic hidden units)")
        hidden = "gaussian" if top else "bernoulli"
        return RBM(RBMConfig(n_in, n_out, likelihood=likelihood, hidden_units=hidden))
    if kind == "autoencoder":
        act = None if top else activation
        return LayerAutoencoder(n_in, n_out, act, get_likelihood(likelihood), tied)
    raise ConfigError(f"pretraining must be one of {', '.join(KINDS)}, got {kind!r}")


def hidden_likelihood(activation: str) -> str:
    """The likelihood an upper layer reconstructs its input (hidden activations) with."""
    return "bernoulli" if activation == "sigmoid" else "gaussian"


@torch.no_grad()
def layer_output(layer: nn.Module, X: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
    """``layer.encode`` over the rows of ``X`` on the CPU, without gradients: (n, n_out)."""
    layer.to("cpu").eval()
    parts = [layer.encode(X[i : i + batch_size]) for i in range(0, X.shape[0], batch_size)]
    return torch.cat(parts).float().contiguous()


def pretrain(
    X: torch.Tensor,
    sizes: Sequence[int],
    settings: TrainSettings,
    *,
    seed: int,
    kind: str = "autoencoder",
    activation: str = "sigmoid",
    likelihood: str = "bernoulli",
    tied: bool = True,
    corruption: Corruption | None = None,
    cd_k: int = 1,
    callbacks: Sequence[Callback] = (),
    on_layer: LayerHook | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    should_stop: StopCheck | None = None,
) -> Stack:
    """Train the layers of ``sizes`` = [n_features, h1, ..., code] one at a time.

    Every layer trains with the same ``seed`` given to the engine, so each uses the same
    validation rows as fine-tuning will; its initial weights are drawn from ``seed + i``.
    With ``checkpoint_dir``, layer ``i`` checkpoints in its subfolder ``pretrain_layer{i}``;
    on ``resume`` a finished layer is restored from there and an unfinished one continues.
    """
    if kind not in KINDS:
        raise ConfigError(f"pretraining must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "rbm" and corruption is not None:
        raise ConfigError("input noise applies to autoencoder pretraining, not to RBMs")
    layers: list[nn.Module] = []
    history: dict[str, list[float]] = {}
    inputs = X
    n_layers = len(sizes) - 1
    for i in range(1, n_layers + 1):
        with torch.random.fork_rng(devices=[]):  # seeded init without touching global state
            torch.manual_seed(seed + i)
            layer = make_layer(
                kind,
                sizes[i - 1],
                sizes[i],
                activation=activation,
                likelihood=likelihood if i == 1 else hidden_likelihood(activation),
                top=i == n_layers,
                tied=tied,
            )
        if kind == "rbm":
            objective = ContrastiveDivergence(cd_k)
        else:
            objective = Objective(layer.likelihood, corruption=corruption)
        if on_layer is not None:
            on_layer(i, layer, inputs)
        layer_history = engine.train(
            layer,
            objective,
            inputs,
            settings,
            seed=seed,
            callbacks=callbacks,
            **_stage(checkpoint_dir, f"pretrain_layer{i}", checkpoint_every, resume, should_stop),
        )
        for key, values in layer_history.items():
            if key not in SKIPPED_KEYS:
                history[f"pretrain_layer{i}_{key}"] = values
        layer.requires_grad_(False)  # frozen from here on
        layers.append(layer)
        if i < n_layers:
            inputs = layer_output(layer, inputs)  # the next layer's data: clean codes
    return Stack(layers, history)


def linear_pair(layer: nn.Module) -> tuple[torch.Tensor, ...]:
    """(encoder weight, encoder bias, decoder weight, decoder bias) of a pretrained layer."""
    if isinstance(layer, RBM):
        return layer.W, layer.hidden_bias, layer.W.t(), layer.visible_bias
    return layer.encoder.weight, layer.encoder.bias, layer.decoder.weight, layer.decoder.bias


@torch.no_grad()
def unroll(layers: Sequence[nn.Module], model: MLPAutoencoder) -> None:
    """Copy the pretrained layers into ``model``'s encoder and mirrored decoder, in place."""
    n = len(model.encoder_layers)
    if len(layers) != n:
        raise ConfigError(f"{len(layers)} pretrained layers cannot fill an {n}-layer encoder")
    for i, layer in enumerate(layers):
        w_enc, b_enc, w_dec, b_dec = (t.detach().cpu() for t in linear_pair(layer))
        enc, dec = model.encoder_layers[i], model.decoder_layers[n - 1 - i]
        enc.weight.copy_(w_enc)
        enc.bias.copy_(b_enc)
        if not isinstance(dec, TiedLinear):  # a tied decoder already reads enc.weight
            dec.weight.copy_(w_dec)
        dec.bias.copy_(b_dec)


def train(
    model: MLPAutoencoder,
    objective: Objective,
    X: torch.Tensor,
    settings: TrainSettings,
    pretrain_settings: TrainSettings | None,
    *,
    seed: int,
    kind: str = "autoencoder",
    corruption: Corruption | None = None,
    cd_k: int = 1,
    callbacks: Sequence[Callback] = (),
    on_layer: LayerHook | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    should_stop: StopCheck | None = None,
) -> dict[str, list[float]]:
    """Pretrain ``model``'s layers greedily, unroll them into it, and fine-tune end to end.

    ``pretrain_settings=None`` skips pretraining. Returns the fine-tuning history with each
    layer's pretraining history beside it (keys ``pretrain_layer{i}_loss`` ...).
    Checkpoints (``checkpoint_dir``) go to one subfolder per stage: ``pretrain_layer{i}``
    and ``finetune``; ``resume`` continues from the last stage that has one.
    """
    if resume and checkpoint_dir is not None:
        if not any(Path(checkpoint_dir).glob(f"*/{checkpoint.FILENAME}")):
            raise ModelFileError(
                f"{checkpoint_dir}: no checkpoint to resume from ({checkpoint.FILENAME} is missing)"
            )
    checkpointing = dict(
        checkpoint_dir=checkpoint_dir,
        checkpoint_every=checkpoint_every,
        resume=resume,
        should_stop=should_stop,
    )
    history: dict[str, list[float]] = {}
    if pretrain_settings is not None:
        sizes = [layer.in_features for layer in model.encoder_layers]
        sizes.append(model.encoder_layers[-1].out_features)
        stack = pretrain(
            X,
            sizes,
            pretrain_settings,
            seed=seed,
            kind=kind,
            activation=model.config.activation,
            likelihood=model.config.likelihood,
            tied=True,
            corruption=corruption,
            cd_k=cd_k,
            callbacks=callbacks,
            on_layer=on_layer,
            **checkpointing,
        )
        model.to("cpu")
        unroll(stack.layers, model)
        history.update(stack.history)
    history.update(
        engine.train(
            model,
            objective,
            X,
            settings,
            seed=seed,
            callbacks=callbacks,
            **_stage(checkpoint_dir, "finetune", checkpoint_every, resume, should_stop),
        )
    )
    return history


def _stage(
    folder: str | os.PathLike[str] | None,
    name: str,
    every: int,
    resume: bool,
    should_stop: StopCheck | None,
) -> dict[str, Any]:
    """The engine's checkpoint arguments for one stage: its own subfolder of ``folder``.

    Resuming, a stage with a checkpoint continues (or, finished, is restored from it); a
    stage without one had not started and trains afresh.
    """
    stage = None if folder is None else Path(folder) / name
    return dict(
        checkpoint_dir=stage,
        checkpoint_every=every,
        resume=resume and stage is not None and (stage / checkpoint.FILENAME).is_file(),
        should_stop=should_stop,
    )


def pretrain_settings(
    settings: TrainSettings, epochs: int, learning_rate: float | str | None, n_rows: int
) -> TrainSettings:
    """The fine-tuning settings with pretraining's epochs and rate; no early stopping.

    ``learning_rate``: a number; None, the fine-tuning rate; "auto", the rate of
    :func:`~aekit.training.settings.pretraining_rate_for` at the batch size the engine
    will pick for the ``n_rows`` rows given to it.
    """
    rate: float | str = settings.learning_rate if learning_rate is None else learning_rate
    if learning_rate == "auto":
        n_train = engine.training_row_count(n_rows, settings.validation_fraction)
        rate = pretraining_rate_for(settings, batch_size_for(settings, n_train))
    return dataclasses.replace(settings, epochs=epochs, learning_rate=rate, early_stopping=False)
