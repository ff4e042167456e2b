"""TensorBoard logging of a training run: a callback the engine calls, and the results.

:class:`TensorBoardLogger` is an engine callback (:mod:`aekit.training.callbacks`): each
epoch it writes every loss term of the logs, training and validation, the learning rate
and, every ``histogram_every`` epochs, a histogram of each parameter, so a run can be
watched live. After ``fit``, :meth:`TensorBoardLogger.log_results` adds what needs the
fitted estimator: inputs above their reconstructions (images only) and the projector
embedding of the codes of a seeded sample of rows, with their labels and, for images, a
sprite. The ``tensorboard`` package is optional (``pip install aekit[tensorboard]``) and
imported only when a logger is made.

Tags: ``loss/train``, ``loss/validation``, ``{term}/train`` ..., ``learning_rate``,
``epoch_seconds``, ``parameters/{name}``, ``reconstructions``; a layer of greedy pretraining
writes under its stage name (``pretrain_layer1/loss/train`` ...), fine-tuning as a plain run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from aekit.errors import ConfigError
from aekit.reporting.examples import corrupted_like_training, pick_examples
from aekit.reporting.images import _as_images, _value_range

N_EMBEDDED = 500  # rows in the projector: enough to see clusters, small files and sprite
HISTOGRAM_BINS = 30  # what TensorBoard draws; its default (~800 edges) is ~10 KB a histogram
MIN_SIDE = 32  # smaller pictures are enlarged whole times in the grid: 8 x 8 digits are specks
RENAMED = {"lr": "learning_rate", "epoch_time": "epoch_seconds"}


def require_tensorboard(who: str = "TensorBoardLogger") -> None:
    """Fail with one line, before any work, when the ``tensorboard`` package is missing."""
    try:
        import tensorboard  # noqa: F401  (torch's SummaryWriter needs it)
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401
    except ImportError:
        raise ConfigError(
            f"{who} needs the tensorboard package: pip install aekit[tensorboard]"
        ) from None


class TensorBoardLogger:
    """Write a run's losses, learning rate and weights to TensorBoard event files.

    Parameters
    ----------
    log_dir : str or path-like
        The folder of the event files, made on the first epoch; a later run there adds
        its own event file beside the others.
    histogram_every : int, default=1
        Epochs between parameter histograms (also written on epoch 1): they are most of
        the file's size.

    Examples
    --------
    >>> logger = TensorBoardLogger(tmp_path / "tb")  # doctest: +SKIP
    >>> model = Autoencoder(callbacks=[logger]).fit(X)  # doctest: +SKIP
    >>> logger.log_results(model, X_test, y_test, image_shape=(8, 8))  # doctest: +SKIP
    >>> logger.close()  # doctest: +SKIP
    """

    def __init__(self, log_dir: str | os.PathLike[str], *, histogram_every: int = 1) -> None:
        require_tensorboard()
        if histogram_every < 1:
            raise ConfigError(f"histogram_every must be at least 1, got {histogram_every}")
        self.log_dir = Path(log_dir)
        self.histogram_every = histogram_every
        self._writer: Any = None
        self._model: nn.Module | None = None
        self._prefix = ""

    def __deepcopy__(self, memo: dict[int, Any]) -> TensorBoardLogger:
        return self  # a destination, not state: a cloned estimator logs to the same files

    @property
    def writer(self) -> Any:
        """The ``SummaryWriter``, opened on first use."""
        if self._writer is None:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(log_dir=str(self.log_dir))
        return self._writer

    def on_train_begin(self, model: nn.Module, stage: str) -> None:
        self._model = model
        self._prefix = f"{stage}/" if stage else ""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        for key, value in logs.items():
            self.writer.add_scalar(self._prefix + scalar_tag(key), value, epoch)
        if self._model is not None and (epoch == 1 or epoch % self.histogram_every == 0):
            for name, param in self._model.named_parameters():
                values = param.detach().float().cpu()
                tag = f"{self._prefix}parameters/{name}"
                self.writer.add_histogram(tag, values, epoch, bins=HISTOGRAM_BINS)
        self.writer.flush()  # so a TensorBoard open on the folder shows the epoch now
        return None

    def log_results(
        self,
        estimator: Any,
        X: np.ndarray,
        y: np.ndarray | None = None,
        *,
        image_shape: tuple[int, ...] | None = None,
        label_names: tuple[str, ...] | None = None,
        seed: int = 0,
    ) -> None:
        """Reconstructions (images only) and the projector embedding of rows of ``X``.

        Both are logged at the estimator's last epoch (``n_iter_``). The reconstructions
        are those of ``aekit train``'s picture: a seeded sample, one row per label; a
        denoising model shows inputs, their corruption and its denoising.
        """
        step = int(estimator.n_iter_)
        if image_shape is not None:
            shown = X[pick_examples(X.shape[0], y, seed=seed)]
            rows = {"input": shown}
            if getattr(estimator, "noise", None) is not None:
                rows["corrupted"] = corrupted_like_training(estimator, shown, seed=seed)
            rows["reconstruction"] = estimator.reconstruct(rows.get("corrupted", shown))
            grid = image_grid(list(rows.values()), image_shape)
            self.writer.add_image("reconstructions", grid, step, dataformats="HWC")
        picked = np.sort(pick_examples(X.shape[0], None, seed=seed, n=N_EMBEDDED))
        metadata = None
        if y is not None:
            labels = np.asarray(y)[picked]
            metadata = [label_text(v, label_names) for v in labels]
        sprite = None
        if image_shape is not None:
            pictures = unit_images(X[picked], image_shape).transpose(0, 3, 1, 2)  # (n, c, h, w)
            sprite = torch.from_numpy(np.ascontiguousarray(pictures, dtype=np.float32))
        codes = estimator.transform(X[picked])  # (n, code_size)
        self.writer.add_embedding(
            codes, metadata=metadata, label_img=sprite, global_step=step, tag="codes"
        )
        self.writer.flush()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def scalar_tag(key: str) -> str:
    """The tag of a log key: ``loss`` -> ``loss/train``, ``val_kl`` -> ``kl/validation``.

    >>> scalar_tag("val_reconstruction"), scalar_tag("lr")
    ('reconstruction/validation', 'learning_rate')
    """
    if key in RENAMED:
        return RENAMED[key]
    if key.startswith("val_"):
        return f"{key[4:]}/validation"
    return f"{key}/train"


def label_text(value: Any, names: tuple[str, ...] | None) -> str:
    """A label as the projector lists it: its class name where labels were encoded.

    >>> label_text(np.int64(1), ("cat", "dog")), label_text(3, None)
    ('dog', '3')
    """
    if names is not None and isinstance(value, (int, np.integer)) and 0 <= value < len(names):
        return names[int(value)]
    return str(value)


def unit_images(
    rows: np.ndarray,
    image_shape: tuple[int, ...],
    value_range: tuple[float, float] | None = None,
) -> np.ndarray:
    """Rows as (n, h, w, c) pictures in [0, 1]: grey from ``value_range`` (default: that of
    ``rows``) as the figures draw it, colour clipped.

    >>> unit_images(np.array([[0.0, 2.0, 4.0, 4.0]]), (2, 2))[0, :, :, 0].tolist()
    [[0.0, 0.5], [1.0, 1.0]]
    """
    pictures = _as_images(np.asarray(rows, dtype=np.float64), image_shape, "rows")
    if pictures.ndim == 4:  # (n, h, w, 3)
        return np.clip(pictures, 0.0, 1.0)
    low, high = value_range or _value_range(pictures)
    return np.clip((pictures - low) / (high - low), 0.0, 1.0)[..., None]


def image_grid(rows: list[np.ndarray], image_shape: tuple[int, ...], gap: int = 1) -> np.ndarray:
    """One line of pictures per entry of ``rows``, white between: (H, W, c) in [0, 1].

    All lines share the grey range of the first (the inputs), so a faint reconstruction
    looks faint, as in ``reconstructions.png``; pictures under ``MIN_SIDE`` pixels are
    enlarged by a whole factor.

    >>> image_grid([np.zeros((3, 16 * 16)), np.ones((3, 16 * 16))], (16, 16)).shape
    (67, 100, 1)
    """
    first = _as_images(np.asarray(rows[0], dtype=np.float64), image_shape, "inputs")
    value_range = _value_range(first)
    factor = max(1, MIN_SIDE // max(first.shape[1:3]))
    lines = []
    for values in rows:
        pictures = unit_images(values, image_shape, value_range)
        pictures = pictures.repeat(factor, axis=1).repeat(factor, axis=2)  # (n, h', w', c)
        padded = np.pad(pictures, ((0, 0), (gap, 0), (gap, 0), (0, 0)), constant_values=1.0)
        lines.append(np.concatenate(list(padded), axis=1))  # (gap + h, n * (gap + w), c)
    grid = np.concatenate(lines, axis=0)
    return np.pad(grid, ((0, gap), (0, gap), (0, 0)), constant_values=1.0)
