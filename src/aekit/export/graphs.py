"""What an exported file computes: one ``nn.Module`` per saved kind, in the data's units.

Each graph wraps a fitted estimator's own network with its fitted scaling, so the file takes
rows as the estimator does (``input``: (batch, n_features), images as flat rows) and gives
what its methods give: ``code`` (``transform``) and ``reconstruction`` (``reconstruct``);
for a :class:`~aekit.PretrainedClassifier` also ``probabilities`` (``predict_proba``); for
an :class:`~aekit.AnomalyDetector` also ``score`` (``anomaly_score``, see
:mod:`aekit.export.scorer`). The decoder alone is a graph of its own: ``code`` → ``decoded``
(``inverse_transform``). Each graph also says how to feed it and what the estimator itself
answers, so the export can be checked against it.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, cast

import numpy as np
import torch
from torch import nn

from aekit.anomaly.detector import AnomalyDetector
from aekit.data.scaling import Scaler
from aekit.errors import ConfigError
from aekit.estimators.base import BaseAutoencoder
from aekit.estimators.classifier import PretrainedClassifier
from aekit.models.protocols import Autoencoder

Arrays = dict[str, np.ndarray]


class Scaling(nn.Module):
    """A fitted :class:`~aekit.data.scaling.Scaler` as graph ops: ``(x - offset) / scale``."""

    offset: torch.Tensor  # buffers, registered in __init__: (n_features,)
    scale: torch.Tensor

    def __init__(self, scaler: Scaler) -> None:
        super().__init__()
        self.active = scaler.kind != "none"  # "none" adds no ops, as Scaler adds no arithmetic
        self.register_buffer("offset", torch.from_numpy(np.array(scaler.offset, np.float32)))
        self.register_buffer("scale", torch.from_numpy(np.array(scaler.scale, np.float32)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.offset) / self.scale if self.active else x

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        return z * self.scale + self.offset if self.active else z


class Graph(nn.Module):
    """A graph to export: its input and output names, sample feeds, and the expected answer."""

    input_names: ClassVar[tuple[str, ...]] = ("input",)
    output_names: ClassVar[tuple[str, ...]]

    def feeds(self, rows: np.ndarray) -> Arrays:
        """The graph's inputs, by name, for ``rows`` of the data (n_rows, n_features)."""
        return {"input": rows}

    def expected(self, feeds: Arrays) -> Arrays:
        """What the estimator's own methods give for ``feeds``, by output name."""
        raise NotImplementedError

    def metadata(self) -> dict[str, str]:
        """What the file records beside the graph (``metadata_props``), beyond aekit's own."""
        return {}


class MemberGraph(Graph):
    """``input`` → ``code``, ``reconstruction`` of a family member (a VAE: the means)."""

    output_names: ClassVar[tuple[str, ...]] = ("code", "reconstruction")

    def __init__(self, member: BaseAutoencoder) -> None:
        super().__init__()
        self.member = member  # not a module: only read for the expected answer
        self.scaling = Scaling(member.scaler_)
        self.network = member.module_

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        network = cast(Autoencoder, self.network)
        code = network.encode(self.scaling(x))  # (batch, code_size)
        return code, self.scaling.inverse(network.decode(code))  # (batch, n_features)

    def expected(self, feeds: Arrays) -> Arrays:
        rows = feeds["input"]
        member = self.member
        return {"code": member.transform(rows), "reconstruction": member.reconstruct(rows)}


class ClassifierGraph(MemberGraph):
    """``code`` and ``reconstruction`` of the autoencoder the classifier was built on
    (``encoder_``, as pretrained), and ``probabilities`` through the classifier's own
    (fine-tuned) network."""

    output_names: ClassVar[tuple[str, ...]] = ("code", "reconstruction", "probabilities")

    def __init__(self, classifier: PretrainedClassifier) -> None:
        super().__init__(classifier.encoder_)
        self.classifier = classifier
        self.classifier_network = classifier.module_

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        code, reconstruction = super().forward(x)
        logits = self.classifier_network(self.scaling(x)).output  # (batch, n_classes)
        return code, reconstruction, torch.softmax(logits, dim=1)

    def expected(self, feeds: Arrays) -> Arrays:
        probabilities = self.classifier.predict_proba(feeds["input"])
        return {**super().expected(feeds), "probabilities": probabilities}

    def metadata(self) -> dict[str, str]:
        # The probabilities' columns are these classes, in this order.
        return {"aekit_classes": json.dumps(self.classifier.classes_.tolist())}


class DecoderGraph(Graph):
    """``code`` → ``decoded``: the decoder alone, in the data's units (``inverse_transform``)."""

    input_names: ClassVar[tuple[str, ...]] = ("code",)
    output_names: ClassVar[tuple[str, ...]] = ("decoded",)

    def __init__(self, member: BaseAutoencoder) -> None:
        super().__init__()
        self.member = member
        self.scaling = Scaling(member.scaler_)
        self.network = member.module_

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        return self.scaling.inverse(cast(Autoencoder, self.network).decode(code))

    def feeds(self, rows: np.ndarray) -> Arrays:
        return {"code": self.member.transform(rows)}  # codes the model really gives

    def expected(self, feeds: Arrays) -> Arrays:
        return {"decoded": self.member.inverse_transform(feeds["code"])}


def graph_for(model: Any, *, decoder: bool = False) -> Graph:
    """The graph that exports ``model`` (any saved kind), or its decoder alone."""
    from aekit.export.scorer import detector_graph  # it builds on MemberGraph

    member = autoencoder_of(model)  # checks the kind and that it is fitted
    if decoder:
        return DecoderGraph(member)
    if isinstance(model, AnomalyDetector):
        return detector_graph(model)
    if isinstance(model, PretrainedClassifier):
        return ClassifierGraph(model)
    return MemberGraph(member)


def autoencoder_of(model: Any) -> BaseAutoencoder:
    """The fitted autoencoder in ``model``: itself, a classifier's encoder, a detector's member."""
    if not isinstance(model, (BaseAutoencoder, PretrainedClassifier, AnomalyDetector)):
        raise ConfigError(
            f"cannot export a {type(model).__name__}: export takes an aekit autoencoder, "
            "classifier or anomaly detector"
        )
    if not hasattr(model, "module_"):  # a detector's module_ is its member's: absent unfitted
        raise ConfigError(f"this {type(model).__name__} is not fitted: fit it before export")
    if isinstance(model, PretrainedClassifier):
        return model.encoder_
    if isinstance(model, AnomalyDetector):
        return model.member_
    return model
