"""Shared scikit-learn machinery for every autoencoder estimator.

Subclasses say how to build the model config and the objective; fitting, encoding,
decoding, scoring and batching live here once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from aekit.data.scaling import Scaler
from aekit.data.validation import check_array
from aekit.errors import ConfigError, DataError
from aekit.estimators import _checkpoints
from aekit.models.builders import build_module
from aekit.objectives.likelihood import choose_likelihood
from aekit.objectives.objective import Objective
from aekit.training import distributed, engine, streaming
from aekit.training.hardware import resolve_device
from aekit.training.settings import TrainSettings

TRAIN_PARAMS = (
    "epochs",
    "batch_size",
    "optimizer",
    "learning_rate",
    "momentum",
    "weight_decay",
    "lr_schedule",
    "validation_fraction",
    "early_stopping",
    "patience",
    "device",
    "precision",
    "verbose",
)
INFERENCE_BATCH = 4096


class BaseAutoencoder(TransformerMixin, BaseEstimator):
    """Base class: subclasses define ``_make_config`` and ``_make_objective``."""

    # Whether precision="auto" may pick bf16 on a CPU that computes it natively.
    _bf16_on_cpu = True

    def _keep_arguments(self, arguments: dict[str, Any]) -> None:
        """Store each ``__init__`` argument under its own name, as scikit-learn expects.

        Called as ``self._keep_arguments(locals())`` by a subclass whose signature lists its
        parent's parameters plus its own, so the forwarding is not written out again.
        """
        for name in self._get_param_names():
            setattr(self, name, arguments[name])

    # -- what subclasses provide -------------------------------------------------------
    def _make_config(self, n_features: int, likelihood: str) -> Any:
        raise NotImplementedError

    def _make_objective(self, module: torch.nn.Module) -> Objective:
        return Objective(module.likelihood)

    def _train_module(
        self,
        objective: Objective,
        X: torch.Tensor | streaming.MappedRows,
        settings: TrainSettings,
        **kwargs: Any,
    ) -> dict[str, list[float]]:
        """Train ``module_`` (built and seeded) on the scaled data; returns the history.

        End to end by default; a training procedure (greedy layer-wise pretraining, say)
        overrides this and keeps fit's scaling, likelihood choice and validation.
        """
        return engine.train(self.module_, objective, X, settings, **kwargs)

    # -- fitting -----------------------------------------------------------------------
    @distributed.within_session  # under torchrun: every process fits, on its slice of each batch
    def fit(
        self,
        X: Any,
        y: Any = None,
        *,
        checkpoint_dir: str | os.PathLike[str] | None = None,
        checkpoint_every: int = 1,
        resume: bool = False,
        should_stop: Callable[[], int | None] | None = None,
        memory_budget_mb: float | None = None,
    ) -> BaseAutoencoder:
        """Fit the autoencoder to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; images of shape (n_samples, h, w) are flattened.
        y : ignored
        checkpoint_dir : str or path-like or None, default=None
            Folder for training checkpoints (``training_state.safetensors``, written
            atomically, and ``estimator.json``), written every ``checkpoint_every`` epochs,
            at the end, and when ``should_stop`` asks to stop.
        checkpoint_every : int, default=1
            Epochs between checkpoints.
        resume : bool, default=False
            Continue the run checkpointed in ``checkpoint_dir`` (same data and parameters):
            on CPU the weights equal those of an uninterrupted fit, bit for bit.
        should_stop : callable or None, default=None
            Polled after every training step; when it returns a signal number, the step's
            state is checkpointed and :class:`aekit.errors.TrainingInterrupted` is raised.
        memory_budget_mb : float or None, default=None
            When ``X`` is a memory-mapped array (``np.load(path, mmap_mode="r")``) whose
            float32 copy would exceed this many MiB, it is never loaded: the scaling is
            fitted by a pass over chunks of this size and training streams shuffled chunks
            from disk (:mod:`aekit.training.streaming`). Other input, or a map that fits,
            is trained on in memory as usual. Refused under torchrun and for estimators that
            train layer by layer.

        Returns
        -------
        self
        """
        image_shape = _image_shape(X)
        settings = TrainSettings(**{k: getattr(self, k) for k in TRAIN_PARAMS})
        settings.memory_budget_mb = memory_budget_mb
        settings.validate()
        if settings.precision == "auto" and not self._bf16_on_cpu:
            if resolve_device(settings.device).type == "cpu":
                settings.precision = "float32"
        mapped = _large_map(X, memory_budget_mb)
        X = mapped if mapped is not None else check_array(X, name="X")
        _checkpoints.check_options(checkpoint_dir, checkpoint_every, resume, should_stop)
        if resume:
            seed = _checkpoints.resumed_seed(checkpoint_dir, self)  # type: ignore[arg-type]
        else:
            seed = distributed.agree(_resolve_seed(self.random_state))  # process 0's, if several
        if mapped is not None:
            data: torch.Tensor | streaming.MappedRows = self._scan_mapped(mapped, settings)
        else:
            self.scaler_ = Scaler.fit(self.scale, X)
            Xs = self.scaler_.transform(X)
            self.loss_, self.loss_reason_ = choose_likelihood(self.loss, Xs)
            data = torch.from_numpy(np.ascontiguousarray(Xs))
        self.config_ = self._make_config(X.shape[1], self.loss_)
        with torch.random.fork_rng(devices=[]):  # seeded init without touching global state
            torch.manual_seed(seed)
            self.module_ = build_module(self.config_)
        objective = self._make_objective(self.module_)
        if checkpoint_dir is not None and not resume and distributed.is_primary():
            _checkpoints.start(checkpoint_dir, self, seed)
        self.history_ = self._train_module(
            objective,
            data,
            settings,
            seed=seed,
            callbacks=self.callbacks or (),
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
            resume=resume,
            should_stop=should_stop,
        )
        self.module_.to("cpu")  # a fitted estimator lives on the CPU; training moves it back
        self.n_features_in_ = X.shape[1]
        self.image_shape_ = image_shape
        self.n_iter_ = len(self.history_["loss"])
        return self

    def _scan_mapped(self, X: np.ndarray, settings: TrainSettings) -> Any:
        """Fit ``scaler_`` and ``loss_`` chunk by chunk; the map with its scaling."""
        if distributed.current().active:
            raise streaming.refuse_under_torchrun()
        if type(self)._train_module is not BaseAutoencoder._train_module:
            raise ConfigError(
                f"{type(self).__name__} trains layer by layer and cannot stream data from "
                "disk; set memory_budget_mb=None to load it into memory"
            )
        rows = streaming.chunk_rows(X.shape[1], settings.memory_budget_mb)  # type: ignore[arg-type]
        stats = streaming.scan(X, rows, name="X")
        self.scaler_ = Scaler.from_stats(self.scale, X.shape[1], **stats)
        none = self.scaler_.kind == "none"
        # Scaling is monotone per feature: the scaled extremes are those of the data's.
        extremes = self.scaler_.transform(np.stack([stats["minimum"], stats["maximum"]]))
        self.loss_, self.loss_reason_ = choose_likelihood(self.loss, extremes)
        return streaming.MappedRows(
            X, None if none else self.scaler_.offset, None if none else self.scaler_.scale
        )

    # -- using a fitted model ----------------------------------------------------------
    def transform(self, X: Any) -> np.ndarray:
        """Encode ``X``: ndarray of shape (n_samples, code_size)."""
        X = self._check_input(X)
        return self._batched(lambda xb: self.module_.encode(xb), self.scaler_.transform(X))

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Decode codes of shape (n_samples, code_size) to data of shape (n_samples, n_features)."""
        check_is_fitted(self, "module_")
        codes = check_array(X, name="codes", n_features=self.config_.code_size)
        decoded = self._batched(lambda zb: self.module_.decode(zb), codes)
        return self.scaler_.inverse_transform(decoded)

    def reconstruct(self, X: Any) -> np.ndarray:
        """Encode then decode ``X``: ndarray of shape (n_samples, n_features)."""
        X = self._check_input(X)
        rec = self._batched(
            lambda xb: self.module_.decode(self.module_.encode(xb)), self.scaler_.transform(X)
        )
        return self.scaler_.inverse_transform(rec)

    def reconstruction_error(self, X: Any) -> np.ndarray:
        """Per-sample squared error summed over features, in the data's own units: (n_samples,)."""
        X = self._check_input(X)
        return np.square(self.reconstruct(X) - X, dtype=np.float64).sum(axis=1)

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean reconstruction loss per sample (higher is better)."""
        X = self._check_input(X)
        Xs = torch.from_numpy(np.ascontiguousarray(self.scaler_.transform(X)))
        objective = self._make_objective(self.module_)
        losses = engine.evaluate_loss(
            self.module_, objective, Xs, INFERENCE_BATCH, None, torch.device("cpu")
        )
        return -losses["reconstruction"]

    def save(self, path: str, *, overwrite: bool = False) -> None:
        """Write the fitted model to the folder ``path`` (config.json + model.safetensors).

        Under torchrun only process 0 writes; the others hold the same model and return.
        """
        from aekit.io.model_files import save

        if distributed.is_primary():
            save(self, path, overwrite=overwrite)

    # -- helpers -----------------------------------------------------------------------
    def _check_input(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "module_")
        X = check_array(X, name="X")
        if X.shape[1] != self.n_features_in_:  # scikit-learn's wording, which its checks expect
            raise DataError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input"
            )
        return X

    @torch.no_grad()
    def _batched(self, fn: Any, X: np.ndarray) -> np.ndarray:
        self.module_.eval()
        parts = []
        for start in range(0, X.shape[0], INFERENCE_BATCH):
            xb = torch.from_numpy(np.ascontiguousarray(X[start : start + INFERENCE_BATCH]))
            parts.append(fn(xb).float().numpy())
        return np.concatenate(parts, axis=0)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "module_")
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self.config_.code_size)], dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.transformer_tags.preserves_dtype = ["float32"]  # torch computes in float32
        return tags


def _image_shape(X: Any) -> tuple[int, ...] | None:
    """The per-sample shape of image input (n, h, w[, ...]), None for a table."""
    try:
        shape = np.asarray(X).shape
    except (ValueError, TypeError):
        return None  # ragged input: check_array reports it
    return tuple(int(d) for d in shape[1:]) if len(shape) > 2 else None


def _large_map(X: Any, memory_budget_mb: float | None) -> np.ndarray | None:
    """``X`` as a 2-D memory map when it is one larger than the budget as float32, else None."""
    if memory_budget_mb is None or not isinstance(X, np.memmap):
        return None
    if X.ndim < 2 or X.dtype.kind not in "biuf" or 0 in X.shape:
        return None  # check_array reports what is wrong
    flat = X.reshape(X.shape[0], -1)  # images: a view of the same map
    if flat.shape[0] * flat.shape[1] * 4 <= memory_budget_mb * streaming.MB:
        return None
    return flat


def _resolve_seed(random_state: Any) -> int:
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state) % (2**63)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    raise ConfigError(f"random_state must be None or an integer, got {random_state!r}")
