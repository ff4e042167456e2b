"""Estimators by name: the members ``aekit train --model`` takes, and every saved kind.

A member is one line here; its name is what ``config.json`` records and ``--model`` takes.
"""

from __future__ import annotations

from typing import Any

from aekit.anomaly.detector import AnomalyDetector
from aekit.estimators.autoencoder import Autoencoder
from aekit.estimators.base import BaseAutoencoder
from aekit.estimators.classifier import PretrainedClassifier
from aekit.estimators.contractive import ContractiveAutoencoder
from aekit.estimators.conv import ConvAutoencoder
from aekit.estimators.denoising import DenoisingAutoencoder
from aekit.estimators.k_sparse import KSparseAutoencoder
from aekit.estimators.rbm import RBM
from aekit.estimators.sparse import SparseAutoencoder
from aekit.estimators.stacked import StackedAutoencoder
from aekit.estimators.variational import VariationalAutoencoder
from aekit.models.registry import Registry

ESTIMATORS: Registry[type[BaseAutoencoder]] = Registry("model")
ESTIMATORS.register("autoencoder", "basic / deep autoencoder trained end to end")(Autoencoder)
ESTIMATORS.register(
    "stacked", "stacked (denoising) autoencoder: greedy layer-wise or RBM pretraining, fine-tuned"
)(StackedAutoencoder)
ESTIMATORS.register("rbm", "restricted Boltzmann machine trained by contrastive divergence")(RBM)
ESTIMATORS.register("sparse", "sparse autoencoder: KL(rho||rho-hat) or L1 activity penalty")(
    SparseAutoencoder
)
ESTIMATORS.register("denoising", "denoising autoencoder: masking, Gaussian or salt-and-pepper")(
    DenoisingAutoencoder
)
ESTIMATORS.register("contractive", "contractive autoencoder: encoder Jacobian norm penalty")(
    ContractiveAutoencoder
)
ESTIMATORS.register("vae", "variational autoencoder: ELBO, sampling, IWAE log-likelihood")(
    VariationalAutoencoder
)
ESTIMATORS.register("conv", "convolutional autoencoder: strided convolutions, transposed back")(
    ConvAutoencoder
)
ESTIMATORS.register("k-sparse", "k-sparse autoencoder: the k largest code units (Makhzani & Frey)")(
    KSparseAutoencoder
)

# Everything that saves itself: the members, and what is built on them.
SAVED: Registry[Any] = Registry("model")
for _name in ESTIMATORS:
    SAVED.register(_name)(ESTIMATORS.get(_name))
SAVED.register("classifier", "an encoder with a softmax head")(PretrainedClassifier)
SAVED.register("detector", "an anomaly detector: a member's loss, thresholded")(AnomalyDetector)
