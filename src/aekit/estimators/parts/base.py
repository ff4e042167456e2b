"""What a part of a family member is: parameters, checks, and what it adds to a fit.

A member is an architecture (how the network is built and which objective trains it)
composed with parts: a corruption of the input, penalty terms, a code selection, a training
procedure. Each part declares its parameters (:class:`~aekit.estimators.params.Param`),
checks their combination with the rest in :meth:`Part.check` (one-line errors), and
contributes to the fit through the hooks below, each a no-op unless the part is switched on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aekit.errors import ConfigError
from aekit.estimators.params import Param, Sizes
from aekit.objectives.likelihood import Likelihood
from aekit.objectives.objective import (
    Corruption,
    Objective,
    Penalty,
    Resample,
    TrainingObjective,
)


@dataclass
class LossTerms:
    """What an objective is made of: the data's likelihood and what the parts add."""

    likelihood: Likelihood
    corruption: Corruption | None = None
    penalties: list[tuple[str, Penalty]] = field(default_factory=list)
    resample: Resample | None = None  # a fresh draw of each training batch


class Part:
    """A composable piece of a member; subclasses override the hooks they need."""

    name: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()

    def check(self, est: Any, architecture: Architecture) -> None:
        """Refuse a combination of parameter values that is not defined, in one line."""

    def config_fields(self, est: Any) -> dict[str, Any]:
        """Fields this part adds to the model config (saved with the model)."""
        return {}

    def corruption(self, est: Any) -> Corruption | None:
        return None

    def centres_input(self, est: Any) -> bool:
        """False when this part, switched on, needs the first layer to see the raw input
        (:attr:`aekit.models.config.MLPConfig.centred`)."""
        return True

    def first_bias(self, est: Any) -> float | None:
        """The first encoder layer's starting bias this part needs (switched on), or None
        (:attr:`aekit.models.config.MLPConfig.first_bias`)."""
        return None

    def penalties(self, est: Any) -> list[tuple[str, Penalty]]:
        return []

    def resample(self, est: Any, likelihood: Likelihood) -> Resample | None:
        """A fresh draw of each training batch, target included (the data's likelihood
        given, as the draw must suit it), or None."""
        return None

    def procedure(self, est: Any) -> Any:
        """A training procedure replacing end-to-end training, or None."""
        return None


class Architecture(Part):
    """How the network is built and trained: a model config, and its objective.

    ``parts`` are those defined for this architecture: a member built on it takes their
    parameters, and no others.
    """

    parts: ClassVar[Sequence[Part]] = ()
    bf16_on_cpu: ClassVar[bool] = True  # may precision="auto" pick bf16 on a capable CPU

    def make_config(
        self, est: Any, n_features: int, likelihood: str, input_shape: tuple[int, ...] | None
    ) -> Any:
        raise NotImplementedError

    def n_hidden(self, est: Any) -> int:
        """How many hidden layers the encoder has before the code (penalties read them)."""
        return len(sizes(est.hidden))

    def check_width(self, est: Any, n_features: int) -> None:
        """A code as wide as the data can copy them: refused, naming both numbers.

        A k-sparse code may be wider (its sparsity is the constraint), and an RBM's hidden
        layer too (its architecture overrides this).
        """
        if getattr(est, "top_k", None) is None and est.code_size >= n_features:
            raise ConfigError(
                f"code_size={est.code_size} is not smaller than the data's n_features="
                f"{n_features}: a code that wide can copy the input; use code_size < {n_features}"
            )

    def part_fields(self, est: Any) -> dict[str, Any]:
        """What the parts add to the model config (a k-sparse code's k)."""
        found: dict[str, Any] = {}
        for part in self.parts:
            found.update(part.config_fields(est))
        return found

    def check(self, est: Any, architecture: Architecture) -> None:
        """Widths and shapes hold positive integers (scikit-learn checks only their type)."""
        for p in self.params:
            value = getattr(est, p.name)
            # A shape with a -1 to infer is checked where it is resolved, against the data.
            if isinstance(p.kind, Sizes) and not p.kind.allow_minus_one and value is not None:
                p.kind.check(p.name, value)

    def objective(self, est: Any, loss: LossTerms) -> TrainingObjective:
        """Reconstruction under the likelihood, with the parts' corruption and penalties."""
        return Objective(
            loss.likelihood,
            penalties=loss.penalties,
            corruption=loss.corruption,
            resample=loss.resample,
        )


def activation_of(est: Any) -> str:
    """The hidden nonlinearity ``activation`` names; ``"auto"`` is sigmoid under RBM
    pretraining (an RBM's hidden units are logistic) and elu otherwise (deep sigmoid
    networks train badly without it)."""
    if est.activation != "auto":
        return str(est.activation)
    return "sigmoid" if getattr(est, "pretraining", None) == "rbm" else "elu"


def sizes(value: Any) -> tuple[int, ...]:
    """A widths parameter as a tuple: ``128`` means ``(128,)``."""
    return (int(value),) if isinstance(value, int) else tuple(int(v) for v in value)
