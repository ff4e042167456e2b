"""The one estimator every family member is: an architecture composed with parts.

A member class names its architecture (:mod:`aekit.estimators.parts`) and, as a preset, the
defaults it changes::

    class DenoisingAutoencoder(Autoencoder, defaults={"noise": "masking"}): ...

Its parameters are those its architecture and the architecture's parts declare; the
``__init__``, the ``_parameter_constraints`` checked at the top of ``fit`` and the docs of
the parameters are generated from them (:mod:`aekit.estimators.declare`). Fitting,
encoding, decoding, scoring and saving live here once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar, Literal, cast

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn

from aekit.data.scaling import Scaler, choose_scaling
from aekit.data.validation import check_array
from aekit.errors import ConfigError
from aekit.estimators import _checkpoints
from aekit.estimators.declare import document, make_init
from aekit.estimators.inference import INFERENCE_BATCH, batched, fitted_input
from aekit.estimators.params import Param, by_name, check_values
from aekit.estimators.parts.base import Architecture, LossTerms
from aekit.estimators.parts.training import Data, Training, settings_of
from aekit.estimators.persistence import MemberFiles
from aekit.models.builders import build_module
from aekit.models.protocols import Autoencoder
from aekit.objectives.likelihood import choose_likelihood
from aekit.objectives.objective import TrainingObjective
from aekit.objectives.penalties import jacobian_norm
from aekit.training import distributed, engine, streaming
from aekit.training.hardware import resolve_device

ATTRIBUTES = """
Attributes
----------
module_ : torch.nn.Module
    The trained network (on the CPU).
config_ : dataclass
    The network's configuration, saved with the model.
history_ : dict of str to list of float
    Per-epoch training (and ``val_``) losses and each named loss term.
loss_ : str
    The likelihood trained with; ``loss_reason_`` says why "auto" chose it.
scaler_ : aekit.data.scaling.Scaler
n_features_in_ : int
"""


class BaseAutoencoder(MemberFiles, TransformerMixin, BaseEstimator):
    """A family member: subclasses name an ``architecture`` and, as presets, ``defaults``."""

    architecture: ClassVar[Architecture]
    _params: ClassVar[dict[str, Param]] = {}
    _parameter_constraints: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(
        cls,
        *,
        architecture: Architecture | None = None,
        defaults: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if architecture is not None:
            cls.architecture = architecture
            parts = [architecture, Data(), *architecture.parts, Training()]
            cls._params = by_name([p for part in parts for p in part.params])
        unknown = sorted(set(defaults or {}) - set(cls._params))
        if unknown:
            raise TypeError(f"{cls.__name__}: no parameter {unknown[0]!r} to give a default")
        cls._params = {
            n: p.with_default((defaults or {}).get(n, p.default)) for n, p in cls._params.items()
        }
        cls._parameter_constraints = {n: p.constraints() for n, p in cls._params.items()}
        cls.__init__ = make_init(cls._params)  # type: ignore[method-assign]  # generated, by design
        cls.__doc__ = document(cls.__doc__, cls._params, ATTRIBUTES)

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
        """Fit to ``X`` of shape (n_samples, n_features); images (n_samples, h, w) are flattened.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        checkpoint_dir : str or path-like or None, default=None
            Folder for training checkpoints, written every ``checkpoint_every`` epochs, at
            the end, and when ``should_stop`` asks to stop.
        checkpoint_every : int, default=1
        resume : bool, default=False
            Continue the run checkpointed in ``checkpoint_dir`` (same data and parameters):
            on CPU the weights equal those of an uninterrupted fit, bit for bit.
        should_stop : callable or None, default=None
            Polled after every training step; when it returns a signal number, the step's
            state is checkpointed and :class:`aekit.errors.TrainingInterrupted` is raised.
        memory_budget_mb : float or None, default=None
            When ``X`` is a memory-mapped array whose float32 copy would exceed this many
            MiB, it is streamed from disk in shuffled chunks of this size instead of loaded
            (:mod:`aekit.training.streaming`). Refused under torchrun and with pretraining.

        Returns
        -------
        self
            Fitted, or, when fitting fails or is interrupted, exactly as before the call.
        """
        self._check_params()
        input_shape = _image_shape(X)
        settings = settings_of(self)
        settings.memory_budget_mb = memory_budget_mb
        settings.validate()
        arch = self.architecture
        if settings.precision == "auto" and not arch.bf16_on_cpu:
            if resolve_device(settings.device).type == "cpu":
                settings.precision = "float32"
        mapped = _large_map(X, memory_budget_mb)
        X = mapped if mapped is not None else check_array(X, name="X")
        _checkpoints.check_options(checkpoint_dir, checkpoint_every, resume, should_stop)
        if resume:
            # check_options refused resume without a folder: checkpoint_dir is not None here.
            seed = _checkpoints.resumed_seed(checkpoint_dir, self)  # type: ignore[arg-type]
        else:
            seed = distributed.agree(_resolve_seed(self.random_state))  # process 0's, if several
        scaler, scale_reason, (loss, reason), data, data_mean = _prepare(
            self.scale, self.loss, X, mapped, settings
        )
        arch.check_width(self, X.shape[1])
        config = arch.make_config(self, X.shape[1], loss, input_shape)
        with torch.random.fork_rng(devices=[]):  # seeded init without touching global state
            torch.manual_seed(seed)
            module = build_module(config)
        parts = arch.parts
        corruption = next((c for p in parts if (c := p.corruption(self)) is not None), None)
        procedure = next((t for p in parts if (t := p.procedure(self)) is not None), None)
        start_from_data = getattr(module, "start_from_data", None)
        if start_from_data is not None:  # pretraining then replaces all but the centring
            start_from_data(data_mean)
        penalties = [term for p in parts for term in p.penalties(self)]
        # A procedure (greedy pretraining) decides where the corruption applies.
        likelihood = _network(module).likelihood
        resample = next((r for p in parts if (r := p.resample(self, likelihood)) is not None), None)
        objective = arch.objective(
            self, LossTerms(likelihood, None if procedure else corruption, penalties, resample)
        )
        if checkpoint_dir is not None and not resume and distributed.is_primary():
            _checkpoints.start(checkpoint_dir, self, seed)
        run: dict[str, Any] = dict(  # for engine.train and a procedure alike
            seed=seed,
            callbacks=self.callbacks or (),
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=checkpoint_every,
            resume=resume,
            should_stop=should_stop,
        )
        if procedure is not None:
            history = procedure(module, objective, data, settings, corruption, **run)
        else:
            history = engine.train(module, objective, data, settings, **run)
        # Only now, with training done, does the estimator become fitted: all at once.
        self.module_ = module.to("cpu")  # a fitted estimator lives on the CPU
        self.config_, self.scaler_, self.scale_reason_ = config, scaler, scale_reason
        self.loss_, self.loss_reason_ = loss, reason
        self.history_ = history
        self.n_features_in_ = X.shape[1]
        self.image_shape_ = input_shape
        self.n_iter_ = len(history["loss"])
        return self

    def _check_params(self) -> None:
        """scikit-learn's declared constraints, then each part's combination checks."""
        check_values(self._params, self.get_params(deep=False), type(self).__name__)
        arch = self.architecture
        for part in (arch, *arch.parts):
            part.check(self, arch)

    def _objective(self) -> TrainingObjective:
        """The objective of the fitted module, without corruption (for scoring)."""
        penalties = [term for p in self.architecture.parts for term in p.penalties(self)]
        likelihood = _network(self.module_).likelihood
        return self.architecture.objective(self, LossTerms(likelihood, None, penalties))

    # -- using a fitted model ----------------------------------------------------------
    def transform(self, X: Any) -> np.ndarray:
        """Encode ``X``: ndarray of shape (n_samples, code_size)."""
        X = self._check_input(X)
        network = _network(self.module_)
        return self._batched(lambda xb: network.encode(xb), self.scaler_.transform(X))

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Decode codes of shape (n_samples, code_size) to data of shape (n_samples, n_features)."""
        check_is_fitted(self, "module_")
        codes = check_array(X, name="codes", n_features=self.config_.code_size)
        network = _network(self.module_)
        decoded = self._batched(lambda zb: network.decode(zb), codes)
        return self.scaler_.inverse_transform(decoded)

    def reconstruct(self, X: Any) -> np.ndarray:
        """Encode then decode ``X``: ndarray of shape (n_samples, n_features)."""
        X = self._check_input(X)
        network = _network(self.module_)
        rec = self._batched(
            lambda xb: network.decode(network.encode(xb)), self.scaler_.transform(X)
        )
        return self.scaler_.inverse_transform(rec)

    def denoise(self, X: Any) -> np.ndarray:
        """The model's clean estimate of (noisy) ``X``, shape (n_samples, n_features).

        The same as :meth:`reconstruct`; no noise is added. Meant for a member trained with
        a corruption (``noise``).
        """
        return self.reconstruct(X)

    def reconstruction_error(self, X: Any) -> np.ndarray:
        """Per-sample squared error summed over features, in the data's own units: (n_samples,)."""
        X = self._check_input(X)
        return np.square(self.reconstruct(X) - X, dtype=np.float64).sum(axis=1)

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean reconstruction loss per sample (higher is better)."""
        X = self._check_input(X)
        Xs = torch.from_numpy(np.ascontiguousarray(self.scaler_.transform(X)))
        losses = engine.evaluate_loss(
            self.module_, self._objective(), Xs, INFERENCE_BATCH, None, torch.device("cpu")
        )
        return -losses["reconstruction"]

    def mean_activation(self, X: Any, layer: int | Literal["code"] = 0) -> np.ndarray:
        """Mean activation of each unit of hidden layer ``layer`` (0: the first) over ``X``.

        ``layer="code"``: of the code's units (the layer a one-layer encoder's sparsity
        penalises).

        Returns
        -------
        ndarray of shape (n_units,)
            Compare with ``sparsity_target`` for KL sparsity.
        """
        X = self._check_input(X)
        if layer == "code":
            return self.transform(X).mean(axis=0)

        def hidden(xb: torch.Tensor) -> torch.Tensor:
            found = self.module_(xb).hidden
            if not 0 <= layer < len(found):
                raise ConfigError(f"layer={layer}: the encoder has {len(found)} hidden layers")
            return found[layer]  # (batch, n_units)

        return self._batched(hidden, self.scaler_.transform(X)).mean(axis=0)

    def jacobian_norm(self, X: Any) -> float:
        """Mean over the samples of ``X`` of ‖J_f(x)‖²_F, the encoder's squared Jacobian norm.

        Measured in the scaled input space the encoder sees; the contraction penalty
        without its weight (closed form for a one-layer sigmoid encoder, else autograd).
        """
        X = self._check_input(X)
        norms = self._batched(lambda xb: jacobian_norm(self.module_, xb), self.scaler_.transform(X))
        return float(norms.mean(dtype="float64"))

    # -- helpers -----------------------------------------------------------------------
    def _check_input(self, X: Any) -> np.ndarray:
        return fitted_input(self, X)

    def _batched(self, fn: Callable[[torch.Tensor], torch.Tensor], X: np.ndarray) -> np.ndarray:
        return batched(self.module_, fn, X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "module_")
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self.config_.code_size)], dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.transformer_tags.preserves_dtype = ["float32"]  # torch computes in float32
        return tags


def _network(module: nn.Module) -> Autoencoder:
    """``module`` as the autoencoder :func:`build_module` made: a type checker sees only an
    ``nn.Module``, whose attributes read as ``Tensor | Module``."""
    return cast(Autoencoder, module)


def _prepare(
    scale: str,
    loss: str,
    X: np.ndarray,
    mapped: np.ndarray | None,
    settings: Any,
) -> tuple[Scaler, str, tuple[str, str], torch.Tensor | streaming.MappedRows, torch.Tensor]:
    """The fitted scaling (and why), the likelihood (and why), the data to train on, and
    their column means (float32, scaled)."""
    if mapped is None:
        kind, why = choose_scaling(scale, X.min(axis=0), X.max(axis=0))
        scaler = Scaler.fit(kind, X)
        Xs = scaler.transform(X)
        tensor = torch.from_numpy(np.ascontiguousarray(Xs))
        mean = tensor.mean(0, dtype=torch.float64).float()
        return scaler, why, choose_likelihood(loss, Xs), tensor, mean
    if distributed.current().active:
        raise streaming.refuse_under_torchrun()
    rows = streaming.chunk_rows(X.shape[1], settings.memory_budget_mb)
    stats = streaming.scan(X, rows, name="X")
    kind, why = choose_scaling(scale, stats["minimum"], stats["maximum"])
    scaler = Scaler.from_stats(kind, X.shape[1], **stats)
    # Scaling is monotone per feature: the scaled extremes are those of the data's.
    extremes = scaler.transform(np.stack([stats["minimum"], stats["maximum"]]))
    none = scaler.kind == "none"
    data = streaming.MappedRows(X, None if none else scaler.offset, None if none else scaler.scale)
    # Scaling is affine per feature: the scaled mean is the scaled data's mean.
    mean = torch.from_numpy(scaler.transform(stats["mean"][None].astype(np.float32))[0])
    return scaler, why, choose_likelihood(loss, extremes), data, mean


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
