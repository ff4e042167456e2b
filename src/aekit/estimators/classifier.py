"""A classifier pretrained as an autoencoder: its encoder plus a softmax head, fine-tuned.

Unsupervised pretraining, then supervised fine-tuning of the whole network (Hinton &
Salakhutdinov 2006; Bengio et al. 2007); with the encoder frozen it is a linear probe.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, ClassVar, cast

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from aekit.data.validation import check_array, check_labels
from aekit.errors import AekitError, ConfigError, DataError, ModelFileError
from aekit.estimators.base import BaseAutoencoder, _resolve_seed
from aekit.estimators.declare import document, make_init
from aekit.estimators.inference import batched, fitted_input
from aekit.estimators.nested import (
    BuildsOnMember,
    checked_member,
    fitted_member,
    member_config,
    member_shapes,
    member_tensors,
    prefixed,
    rebuilt_member,
)
from aekit.estimators.params import Flag, Objects, Param, by_name, check_values
from aekit.estimators.parts.training import Training, settings_of
from aekit.estimators.persistence import SKIPPED_PARAMS, SavesItself
from aekit.io import layout, model_files
from aekit.models.builders import build_module
from aekit.models.classifier import EncoderClassifier
from aekit.models.protocols import Encoder
from aekit.objectives.classification import CrossEntropyObjective
from aekit.training import engine

# Ten times the autoencoders' rate: measured best on digits for both the probe and
# fine-tuning (a fresh head on standardised codes learns slowly at 1e-3).
CLASSIFIER_DEFAULTS = {"epochs": 30, "learning_rate": 1e-2, "validation_fraction": 0.0}

CLASSIFIER_PARAMS = by_name(
    [
        Param(
            "encoder",
            None,
            Objects(checked=False),
            "a fitted aekit autoencoder (any member), a model folder written by save, or an "
            "unfitted member, which fit first fits (a clone of it) on X",
            cli=False,
        ),
        Param("freeze_encoder", False, Flag(), "train only the head (a linear probe)"),
        *(p.with_default(CLASSIFIER_DEFAULTS.get(p.name, p.default)) for p in Training.params),
    ]
)


class PretrainedClassifier(BuildsOnMember, SavesItself, ClassifierMixin, BaseEstimator):
    """An aekit encoder with a linear softmax head, trained on labels.

    ``fit`` copies the encoder's network and its fitted scaling, adds a linear layer from the
    code to one logit per class, and trains on softmax cross-entropy with the training
    engine: the whole network (fine-tuning), or the head alone (``freeze_encoder=True``, a
    linear probe on the codes). The given encoder is never changed.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    encoder_ : aekit estimator
        The pretrained autoencoder the classifier started from (a copy; not fine-tuned).
    module_ : aekit.models.classifier.EncoderClassifier
        The trained network: encoder (fine-tuned unless frozen) and head.
    scaler_ : aekit.data.scaling.Scaler
        The encoder's fitted scaling, applied before encoding.
    history_ : dict of str to list of float
        Per-epoch ``loss`` (cross-entropy), ``accuracy`` (on the training batches), ...
    n_features_in_ : int

    Notes
    -----
    ``clone`` (so ``GridSearchCV`` and ``cross_val_score``) keeps a fitted encoder as it is,
    shared rather than copied, the way :class:`sklearn.frozen.FrozenEstimator` is: it is only
    read, so each clone fine-tunes the same pretrained weights instead of refitting an
    unfitted copy. An unfitted encoder is cloned as usual, and grid searches over its
    ``encoder__*`` settings refit it per candidate.

    Examples
    --------
    >>> import numpy as np
    >>> from aekit import Autoencoder, PretrainedClassifier
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.random((200, 8), dtype=np.float32), rng.integers(0, 3, 200)
    >>> ae = Autoencoder(hidden=(16,), code_size=4, epochs=2, random_state=0).fit(X)
    >>> clf = PretrainedClassifier(ae, epochs=2, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape, clf.classes_
    ((2, 3), array([0, 1, 2]))
    """

    member_param = "encoder"
    _parameter_constraints: ClassVar[dict[str, Any]] = {
        n: p.constraints() for n, p in CLASSIFIER_PARAMS.items()
    }
    __init__ = make_init(CLASSIFIER_PARAMS, positional=("encoder",))

    def fit(self, X: Any, y: Any) -> PretrainedClassifier:
        """Train on ``X`` of shape (n_samples, n_features) and labels of shape (n_samples,)."""
        check_values(CLASSIFIER_PARAMS, self.get_params(deep=False), type(self).__name__)
        settings = settings_of(self)
        settings.validate()
        seed = _resolve_seed(self.random_state)
        X = check_array(X, name="X")
        if y is None:  # scikit-learn's wording, which its checks expect
            raise DataError("y: requires y to be passed, but the target y is None")
        y = column_or_1d(y, warn=True)  # one column of labels: warned about and flattened
        y = check_labels(y, X.shape[0], name="y")
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise DataError(
                f"y: a classifier needs samples of at least 2 classes; got 1 class ({classes[0]})"
            )
        encoder = self._pretrained_encoder(X)
        if X.shape[1] != encoder.n_features_in_:
            raise DataError(
                f"X has {X.shape[1]} features, but the encoder was trained on "
                f"{encoder.n_features_in_} features"
            )
        Xs = encoder.scaler_.transform(X)
        code_size = int(encoder.config_.code_size)
        network = copy.deepcopy(encoder.module_).cpu()
        with torch.random.fork_rng(devices=[]):  # seeded head without touching global state
            torch.manual_seed(seed)
            head = torch.nn.Linear(code_size, classes.shape[0])
        codes = _encode(network, Xs)  # (n_samples, code_size), as pretrained
        mean = torch.from_numpy(codes.mean(axis=0))
        scale = torch.from_numpy(codes.std(axis=0)).clamp_min(1e-6)
        module = EncoderClassifier(network, head, mean, scale)
        if self.freeze_encoder:
            network.requires_grad_(False)
            inputs = codes  # a linear probe: the head trains on the fixed codes
            trained = EncoderClassifier(None, head, mean, scale)
        else:
            inputs, trained = Xs, module
        rows = np.concatenate([inputs, y_index[:, None].astype(np.float32)], axis=1)
        self.history_ = engine.train(
            trained,
            CrossEntropyObjective(),
            torch.from_numpy(np.ascontiguousarray(rows, dtype=np.float32)),
            settings,
            seed=seed,
            callbacks=self.callbacks or (),
        )
        self.module_ = module.to("cpu").eval()
        self.encoder_ = encoder
        self.scaler_ = copy.deepcopy(encoder.scaler_)
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self.n_iter_ = len(self.history_["loss"])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: ndarray of shape (n_samples, n_classes), rows summing to 1."""
        logits = torch.from_numpy(self._logits(X)).double()
        return torch.softmax(logits, dim=1).numpy()

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities: ndarray of shape (n_samples, n_classes)."""
        logits = torch.from_numpy(self._logits(X)).double()
        return torch.log_softmax(logits, dim=1).numpy()

    def decision_function(self, X: Any) -> np.ndarray:
        """The head's logits: ndarray of shape (n_samples, n_classes).

        With two classes, scikit-learn's convention: the logit difference, of shape
        (n_samples,), positive for ``classes_[1]``.
        """
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample: ndarray of shape (n_samples,)."""
        best = self._logits(X).argmax(axis=1)  # checks fitting before classes_ is read
        return self.classes_[best]

    # -- saving: the fine-tuned network, the head, and the pretrained encoder beside them --
    def _config_out(self) -> dict[str, Any]:
        params = self.get_params(deep=False)
        kept = {k: v for k, v in params.items() if k not in ("encoder", *SKIPPED_PARAMS)}
        return {
            "params": kept,
            "classes": self.classes_.tolist(),
            "n_features": int(self.n_features_in_),
            "encoder": member_config(self.encoder_),
        }

    def _state_out(self) -> dict[str, torch.Tensor]:
        tensors = {f"module.{k}": v for k, v in self.module_.state_dict().items()}
        tensors.update(member_tensors(self.encoder_, "encoder."))
        return tensors

    @classmethod
    def _from_saved(cls, folder: Path, config: dict[str, Any]) -> PretrainedClassifier:
        where = folder / layout.CONFIG
        fields = {"params": dict, "classes": list, "n_features": int, "encoder": dict}
        model_files.require_fields(folder, config, fields)
        encoder_cls, checked = checked_member(folder, config, "encoder")
        try:
            classes = np.asarray(config["classes"])
            if classes.ndim != 1 or classes.shape[0] < 2:
                raise ConfigError("classes must list at least 2 classes")
            clf = cls(**config["params"])
        except (AekitError, TypeError) as exc:
            raise ModelFileError(f"{where}: {exc}") from None
        code_size = checked.model_config.code_size
        with torch.device("meta"):  # shapes only: nothing allocated from the file's claims
            network = build_module(checked.model_config)
            head = torch.nn.Linear(code_size, classes.shape[0])
            module = EncoderClassifier(network, head, torch.zeros(code_size), torch.ones(code_size))
        expected = member_shapes(encoder_cls, checked, "encoder.")
        expected.update({f"module.{k}": tuple(v.shape) for k, v in module.state_dict().items()})
        tensors = model_files.read_tensors(folder, expected)
        encoder = rebuilt_member(encoder_cls, checked, tensors, "encoder.")
        module = EncoderClassifier(
            build_module(checked.model_config),
            torch.nn.Linear(code_size, classes.shape[0]),
            torch.zeros(code_size),
            torch.ones(code_size),
        )
        module.load_state_dict(prefixed(tensors, "module."))
        clf.encoder = encoder
        clf.module_, clf.encoder_ = module.eval(), encoder
        clf.scaler_ = copy.deepcopy(encoder.scaler_)
        clf.classes_ = classes
        clf.n_features_in_ = int(config["n_features"])
        clf.history_ = model_files.read_history(folder)
        clf.n_iter_ = len(clf.history_.get("loss", []))
        return clf

    # -- helpers -----------------------------------------------------------------------
    def _pretrained_encoder(self, X: np.ndarray) -> BaseAutoencoder:
        """A fitted autoencoder to start from, never the caller's object itself."""
        return fitted_member(self.encoder, X, name="encoder")

    @torch.no_grad()
    def _logits(self, X: Any) -> np.ndarray:
        X = fitted_input(self, X)  # checks fitting before scaler_ is read
        Xs = self.scaler_.transform(X)
        return batched(self.module_, lambda xb: self.module_(xb).output, Xs)  # (n, n_classes)


def _encode(network: torch.nn.Module, Xs: np.ndarray) -> np.ndarray:
    return batched(network, cast(Encoder, network).encode, Xs)  # (n_samples, code_size)


PretrainedClassifier.__doc__ = document(PretrainedClassifier.__doc__, CLASSIFIER_PARAMS, "")
