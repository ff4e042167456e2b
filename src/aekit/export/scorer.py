"""An anomaly detector's score as graph ops: the member's loss per row, as
:func:`aekit.anomaly.scores.row_scores` computes it, in the member's scaled space.

- an autoencoder: its reconstruction loss (squared error or cross-entropy, summed over
  features), less its floor (the target's entropy for cross-entropy: the deviance);
- an RBM: its free energy;
- a VAE: the one-sample negative ELBO, less the same floor. Its posterior sample needs
  noise, which a graph cannot draw as torch does, so the graph takes it as a second input
  ``noise`` of shape (batch, code_size), standard normal draws: ``anomaly_score`` uses
  ``torch.randn((n_rows, code_size), generator=torch.Generator().manual_seed(0))`` (for up to
  4096 rows); zeros score the posterior mean.
"""

from __future__ import annotations

from typing import ClassVar, cast

import numpy as np
import torch

from aekit.anomaly.detector import AnomalyDetector
from aekit.errors import ConfigError
from aekit.estimators.inference import INFERENCE_BATCH
from aekit.estimators.rbm import RBM
from aekit.estimators.variational import VariationalAutoencoder
from aekit.export.graphs import Arrays, Graph, MemberGraph
from aekit.models.protocols import Autoencoder
from aekit.models.rbm import RBM as RBMModule
from aekit.models.vae import VariationalAutoencoder as VAEModule
from aekit.objectives.elbo import data_log_prob

ELBO_SEED = 0  # VariationalAutoencoder.elbo's default random_state, which anomaly_score uses


class DetectorGraph(MemberGraph):
    """``input`` → ``code``, ``reconstruction`` (the member's) and ``score`` (the detector's)."""

    output_names: ClassVar[tuple[str, ...]] = ("code", "reconstruction", "score")

    def __init__(self, detector: AnomalyDetector) -> None:
        super().__init__(detector.member_)
        self.detector = detector

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        code, reconstruction = super().forward(x)
        return code, reconstruction, self.score(self.scaling(x))

    def score(self, xs: torch.Tensor) -> torch.Tensor:
        """The reconstruction loss of each scaled row: (batch,)."""
        likelihood = cast(Autoencoder, self.network).likelihood
        terms = likelihood.loss(self.network(xs).output.reshape(-1, 1), xs.reshape(-1, 1))
        return (terms.reshape(xs.shape) - likelihood.floor(xs)).clamp_min(0.0).sum(1)

    def expected(self, feeds: Arrays) -> Arrays:
        return {**super().expected(feeds), "score": self.detector.anomaly_score(feeds["input"])}

    def metadata(self) -> dict[str, str]:
        return {"aekit_threshold": repr(float(self.detector.threshold_))}


class FreeEnergyGraph(DetectorGraph):
    """A detector on an RBM: the score is the free energy F(v)."""

    def score(self, xs: torch.Tensor) -> torch.Tensor:
        return cast(RBMModule, self.network).free_energy(xs)  # (batch,)


class ELBOGraph(DetectorGraph):
    """A detector on a VAE: the score is the one-sample negative ELBO, given its ``noise``."""

    input_names: ClassVar[tuple[str, ...]] = ("input", "noise")

    def forward(  # type: ignore[override]  # a second input: the noise of the sample
        self, x: torch.Tensor, noise: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        network = cast(VAEModule, self.network)
        xs = self.scaling(x)
        q = network.posterior(xs)
        code = q.mode()  # (batch, code_size): the posterior mean, as transform gives
        reconstruction = self.scaling.inverse(network.decode(code))
        z = q.mean + q.std * noise  # the reparameterised sample elbo draws
        elbo = data_log_prob(network.likelihood, network.decode_raw(z), xs) - q.kl()  # (batch,)
        log_jacobian = cast(VariationalAutoencoder, self.member)._log_jacobian()
        floor = network.likelihood.floor(xs).sum(1)  # (batch,)
        return code, reconstruction, -(elbo + log_jacobian) - floor

    def feeds(self, rows: np.ndarray) -> Arrays:
        if rows.shape[0] > INFERENCE_BATCH:  # elbo draws per batch of rows beyond this
            raise ValueError(f"at most {INFERENCE_BATCH} rows reproduce anomaly_score's noise")
        generator = torch.Generator().manual_seed(ELBO_SEED)
        noise = torch.randn((rows.shape[0], self.member.config_.code_size), generator=generator)
        return {"input": rows, "noise": noise.numpy()}

    def metadata(self) -> dict[str, str]:
        return {**super().metadata(), "aekit_noise": "standard normal, (batch, code_size)"}


def detector_graph(detector: AnomalyDetector) -> Graph:
    """The graph of ``detector``, with the score of its member's kind."""
    if len(getattr(detector, "members_", [None])) > 1:
        raise ConfigError(
            f"ONNX export takes a detector of one member; this one has "
            f"{len(detector.members_)} (n_members={detector.n_members})"
        )
    code_terms = getattr(detector, "code_terms_", None)
    if code_terms is not None:
        terms = sorted({name for t in code_terms for name in t.terms})
        raise ConfigError(
            "ONNX export takes a detector scored by its loss alone; this one adds the code's "
            f"{' and '.join(terms)} (code_neighbors=None, code_density=None leave them out)"
        )
    if isinstance(detector.member_, VariationalAutoencoder):
        return ELBOGraph(detector)
    if isinstance(detector.member_, RBM):
        return FreeEnergyGraph(detector)
    return DetectorGraph(detector)
