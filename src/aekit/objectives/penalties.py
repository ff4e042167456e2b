"""Penalty terms on a forward pass: sparsity of hidden activations, and contraction.

- KL sparsity (Ng, "Sparse autoencoder", CS294A lecture notes, 2011): with ρ̂_j the mean
  activation of hidden unit j over the batch, add β Σ_j KL(ρ‖ρ̂_j), where
  KL(ρ‖ρ̂) = ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂)). It needs activations in (0, 1): sigmoid
  units. ρ̂ is a batch statistic, so the term is one number per batch, broadcast per sample;
  under data-parallel training it is taken over the whole batch, not each process's slice.
- L1 activity: λ Σ_j |h_j| per sample, a sparsity penalty for any activation.
- Contraction (Rifai et al. 2011, "Contractive auto-encoders: explicit invariance during
  feature extraction"): λ ‖J_f(x)‖²_F, the squared Frobenius norm of the encoder's Jacobian
  (input → code). For a one-layer sigmoid encoder h = σ(Wx + b) it has the closed form
  Σ_j (h_j(1−h_j))² Σ_i W_ji²; any other encoder gets the exact Jacobian by autograd, or
  Hutchinson's estimate from random projections of the code (one backward pass each).

Each factory returns a :data:`~aekit.objectives.objective.Penalty`:
``fn(model, x_in, out) -> (batch,)``, already multiplied by its weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, cast

import torch
from torch import nn

from aekit.errors import ConfigError
from aekit.models.output import ModelOutput
from aekit.objectives.batch_stats import batch_mean
from aekit.objectives.objective import Penalty

EPS = 1e-6  # keeps log(ρ̂) finite when a unit saturates
EVAL_SEED = 0  # projections drawn outside training, so validation losses repeat


# What the Jacobian needs of a model. Penalties get a plain nn.Module, whose attributes read
# as ``Tensor | Module`` to a type checker, so the functions below cast it to one of these.
class _Encoder(Protocol):
    def encode(self, x: torch.Tensor, /) -> torch.Tensor: ...


class _LinearEncoder(_Encoder, Protocol):
    encoder_layers: Sequence[nn.Linear]  # one layer where the closed form applies


CODE: Literal["code"] = "code"  # a penalty's layer: the code itself (a one-layer encoder)
Layer = int | Literal["code"]


def check_unit_interval(activation: str | None, name: str = "activation") -> None:
    """KL sparsity reads activations as probabilities: only sigmoid units qualify."""
    if activation != "sigmoid":
        raise ConfigError(
            f"KL sparsity needs hidden activations in (0, 1): use {name}='sigmoid' "
            f"(got {activation!r}), or the L1 activity penalty"
        )


def kl_sparsity(rho: float, beta: float, layer: Layer = 0) -> Penalty:
    """β Σ_j KL(ρ‖ρ̂_j) over the units of hidden layer ``layer``, broadcast per sample.

    ``layer="code"`` takes the code's units instead (Ng's 784-196-784 network, whose one
    hidden layer is the code); they must then come from a sigmoid ``code_activation``.
    """
    _check_number("sparsity target", rho, low=0.0, high=1.0, open_low=True, open_high=True)
    _check_number("sparsity weight", beta, low=0.0)
    rho, beta = float(rho), float(beta)

    def penalty(model: nn.Module, x_in: torch.Tensor, out: ModelOutput) -> torch.Tensor:
        config = getattr(model, "config", None)
        name = "code_activation" if layer == CODE else "activation"
        if layer == 0 and getattr(config, "first_activation", None) is not None:
            name = "first_activation"  # the first layer's own nonlinearity
        check_unit_interval(getattr(config, name, None), name)
        h = _hidden(out, layer).float()  # (batch, n_units)
        rho_hat = batch_mean(h).clamp(EPS, 1 - EPS)  # (n_units,), over the whole batch
        kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
        return (beta * kl.sum()).expand(h.shape[0])  # (batch,)

    return penalty


def l1_activity(weight: float, layer: Layer = 0) -> Penalty:
    """λ Σ_j |h_j| per sample over the units of hidden layer ``layer`` (or of the code)."""
    _check_number("sparsity weight", weight, low=0.0)
    weight = float(weight)

    def penalty(model: nn.Module, x_in: torch.Tensor, out: ModelOutput) -> torch.Tensor:
        h = _hidden(out, layer).float()  # (batch, n_units)
        return weight * h.abs().sum(dim=1)  # (batch,)

    return penalty


class _Contraction:
    """λ ‖J_f(x)‖²_F per sample: exact, or estimated from random projections of the code."""

    def __init__(self, weight: float, projections: int | None) -> None:
        self.weight, self.projections = weight, projections

    @property
    def random(self) -> bool:
        """True when the term draws random numbers (the objective passes its generator)."""
        return self.projections is not None

    def __call__(
        self,
        model: nn.Module,
        x_in: torch.Tensor,
        out: ModelOutput,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        if self.projections is None or has_closed_form(model):
            return self.weight * jacobian_norm(model, x_in, out.code)
        norms = projected_jacobian_norm(model, x_in, self.projections, generator)
        return self.weight * norms


def contractive(weight: float, projections: int | None = None) -> Penalty:
    """λ ‖J_f(x)‖²_F of the encoder per sample; closed form when the encoder allows it.

    ``projections=k`` estimates the norm of any other encoder from k random projections
    per row (:func:`projected_jacobian_norm`: k backward passes, not one per code unit).
    """
    _check_number("contraction weight", weight, low=0.0)
    if projections is not None and (isinstance(projections, bool) or projections < 1):
        raise ConfigError(f"contraction projections must be an integer >= 1, got {projections!r}")
    return _Contraction(float(weight), projections)


# -- the encoder Jacobian ------------------------------------------------------------------
def has_closed_form(model: nn.Module) -> bool:
    """True for a one-layer encoder with a sigmoid code: h = σ(Wx + b)."""
    layers = getattr(model, "encoder_layers", None)
    config = getattr(model, "config", None)
    return (
        layers is not None
        and len(layers) == 1
        and getattr(config, "code_activation", None) == "sigmoid"
    )


def jacobian_norm(
    model: nn.Module, x: torch.Tensor, code: torch.Tensor | None = None
) -> torch.Tensor:
    """‖∂code/∂x‖²_F per sample, (batch,): the closed form where it applies, else autograd.

    ``code`` is the model's code for ``x`` when already computed (the closed form reuses it).
    """
    if has_closed_form(model):
        return closed_form_jacobian_norm(model, x, code)
    return autograd_jacobian_norm(model, x)


def closed_form_jacobian_norm(
    model: nn.Module, x: torch.Tensor, code: torch.Tensor | None = None
) -> torch.Tensor:
    """Σ_j (h_j(1−h_j))² Σ_i W_ji² for h = σ(Wx + b) (Rifai et al. 2011)."""
    if not has_closed_form(model):
        raise ConfigError("the closed form needs a one-layer encoder with a sigmoid code")
    encoder = cast(_LinearEncoder, model)
    h = _wide(encoder.encode(x) if code is None else code)  # (batch, code_size)
    weight = _wide(encoder.encoder_layers[0].weight)  # (code_size, n_features)
    row_norms = weight.square().sum(dim=1).to(h.dtype)  # (code_size,)
    return (h * (1 - h)).square() @ row_norms  # (batch,)


def autograd_jacobian_norm(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The exact ‖J‖²_F per sample from the Jacobian built by autograd (differentiable).

    ``torch.func`` builds one (code_size, n_features) Jacobian per sample and keeps the
    graph to the weights, so the norm can be trained on; it works under ``no_grad`` too.
    """

    encoder = cast(_Encoder, model)

    def encode_one(xi: torch.Tensor) -> torch.Tensor:
        return encoder.encode(xi.unsqueeze(0)).squeeze(0)  # (code_size,)

    jac = torch.func.vmap(torch.func.jacrev(encode_one))(x)  # (batch, code_size, n_features)
    return _wide(jac).square().flatten(1).sum(dim=1)  # (batch,)


def projected_jacobian_norm(
    model: nn.Module,
    x: torch.Tensor,
    projections: int = 1,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Hutchinson's estimate of ‖J‖²_F per sample (batch,): the mean of ‖vᵀJ‖² over
    ``projections`` draws of v ~ N(0, I) in code space, E[vᵀJJᵀv] = tr(JJᵀ).

    Each draw is one backward pass through the encoder, kept differentiable, so a deep
    encoder trains at a few times a plain step instead of one pass per code unit. Without
    a ``generator`` (evaluation) the draws come from a fixed seed, so validation losses
    repeat.
    """
    encoder = cast(_Encoder, model)
    if generator is None:
        generator = torch.Generator(device=x.device).manual_seed(EVAL_SEED)
    differentiable = torch.is_grad_enabled()  # False in evaluation: no graph to keep
    with torch.enable_grad():
        x_req = x.detach().requires_grad_(True)
        code = encoder.encode(x_req)  # (batch, code_size)
        total = torch.zeros(x.shape[0], device=x.device)
        for _ in range(projections):
            v = torch.randn(code.shape, generator=generator, device=x.device, dtype=code.dtype)
            (grad,) = torch.autograd.grad(
                code, x_req, v, create_graph=differentiable, retain_graph=True
            )
            total = total + _wide(grad).square().flatten(1).sum(dim=1)
    return total / projections


# -- helpers -------------------------------------------------------------------------------
def _wide(t: torch.Tensor) -> torch.Tensor:
    """``t`` in float32 at least (bf16 under autocast is too coarse for squared sums)."""
    return t.to(torch.promote_types(t.dtype, torch.float32))


def _hidden(out: ModelOutput, layer: Layer) -> torch.Tensor:
    if layer == CODE:
        return out.code  # (batch, code_size)
    if not out.hidden:
        raise ConfigError("a sparsity penalty needs at least one hidden layer (hidden=(n,))")
    try:
        return out.hidden[layer]
    except IndexError:
        raise ConfigError(
            f"sparsity layer {layer} does not exist; the encoder has {len(out.hidden)} "
            "hidden layers"
        ) from None


def _check_number(
    name: str,
    value: float,
    *,
    low: float,
    high: float | None = None,
    open_low: bool = False,
    open_high: bool = False,
) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        ok = (value > low if open_low else value >= low) and (
            high is None or (value < high if open_high else value <= high)
        )
    if not ok:
        lo = f"({low:g}" if open_low else f"[{low:g}"
        hi = "∞)" if high is None else (f"{high:g})" if open_high else f"{high:g}]")
        raise ConfigError(f"{name} must be a number in {lo}, {hi}, got {value!r}")
