"""Training on memory-mapped data larger than a memory budget, streamed from disk in chunks.

The array is cut into contiguous chunks of rows whose float32 copy fits the budget
(``TrainSettings.memory_budget_mb``). Each epoch visits the chunks in a seeded random order
and the training rows of each chunk in a seeded random order, so every row is seen once per
epoch; only one chunk is read, scaled and copied to the device at a time (plus fewer than
``batch_size`` rows carried over to the next chunk when a batch straddles two). Contiguous
chunks keep disk reads sequential; shuffling inside and between chunks is the usual
compromise of out-of-core SGD (a full shuffle would read one row per seek).

The validation split is the same seeded random row set as for in-memory data
(:func:`aekit.training.validation.split_validation`); its rows are left out of the training
chunks and evaluated chunk by chunk, so validation never holds more than a chunk either.

The epoch's order is drawn from the engine's generator (:meth:`StreamedBatches.order`), so a
checkpoint's saved generator state gives the same order on resume.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from aekit.errors import ConfigError, DataError
from aekit.objectives.objective import TrainingObjective
from aekit.training.validation import evaluate_parts

MB = 2**20


@dataclass
class MappedRows:
    """A memory-mapped (n_samples, n_features) array read a slice at a time, then scaled.

    ``offset`` and ``scale`` are the fitted scaling ``(x - offset) / scale`` (None: none);
    it is applied to each slice as it is read, so the whole array is never held as float32.
    """

    array: np.ndarray  # (n_samples, n_features), any real dtype; usually an np.memmap
    offset: np.ndarray | None = None  # (n_features,) float32
    scale: np.ndarray | None = None  # (n_features,) float32

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.array.shape[0]), int(self.array.shape[1])

    @property
    def float32_bytes(self) -> int:
        """Bytes the whole array would take as float32."""
        return self.shape[0] * self.shape[1] * 4

    def read(self, lo: int, hi: int) -> torch.Tensor:
        """Rows ``lo:hi`` as scaled float32 on the CPU: (hi - lo, n_features)."""
        with np.errstate(over="ignore"):
            rows = np.array(self.array[lo:hi], dtype=np.float32)  # a copy: the map stays read-only
        if self.offset is not None and self.scale is not None:
            rows -= self.offset  # in place: the same float32 arithmetic as Scaler.transform
            rows /= self.scale
        return torch.from_numpy(rows)


def chunk_rows(n_features: int, memory_budget_mb: float) -> int:
    """Rows per chunk: as many as fit the budget as float32, at least one."""
    return max(1, math.floor(memory_budget_mb * MB / (4 * n_features)))


def should_stream(X: object, memory_budget_mb: float | None) -> bool:
    """True for mapped rows whose float32 size exceeds the budget."""
    return (
        isinstance(X, MappedRows)
        and memory_budget_mb is not None
        and X.float32_bytes > memory_budget_mb * MB
    )


def refuse_under_torchrun() -> ConfigError:
    return ConfigError(
        "streaming data larger than memory_budget_mb is not supported under torchrun; "
        "load the data into memory (memory_budget_mb=None) or train in one process"
    )


class StreamedBatches:
    """Batches from a memory-mapped array, one chunk on the device at a time.

    A :class:`aekit.training.batches.BatchSource`: ``perm`` holds row numbers of the array
    in this epoch's order (from :meth:`order`), ``start`` the position in it to continue
    from (a checkpoint's ``next_begin``).
    """

    def __init__(
        self,
        data: MappedRows,
        train_idx: torch.Tensor,
        val_idx: torch.Tensor | None,
        batch_size: int,
        rows_per_chunk: int,
        device: torch.device,
    ) -> None:
        self.data, self.batch_size, self.device = data, batch_size, device
        self.rows_per_chunk = rows_per_chunk
        self.n_chunks = math.ceil(data.shape[0] / rows_per_chunk)
        self.train_rows = _by_chunk(train_idx, rows_per_chunk, self.n_chunks)
        self.val_rows = (
            _by_chunk(val_idx, rows_per_chunk, self.n_chunks) if val_idx is not None else None
        )
        self.largest_read = 0  # rows of the largest chunk read so far (tests check the peak)

    def order(self, generator: torch.Generator) -> torch.Tensor:
        """This epoch's row order: chunks shuffled, then the rows inside each chunk."""
        parts = []
        for c in torch.randperm(self.n_chunks, generator=generator).tolist():
            rows = self.train_rows[c]
            parts.append(rows[torch.randperm(rows.numel(), generator=generator)])
        return torch.cat(parts)

    def epoch(self, perm: torch.Tensor, start: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """``(begin, step arguments)`` for the batches from position ``start`` of ``perm``."""
        bs = self.batch_size
        ids, counts = torch.unique_consecutive(perm // self.rows_per_chunk, return_counts=True)
        begin, seg_end, carry = start, 0, None
        for c, count in zip(ids.tolist(), counts.tolist(), strict=True):
            seg_begin, seg_end = seg_end, seg_end + count
            if seg_end <= begin:
                continue  # trained on before the checkpoint: not read at all
            chunk = self._load(c)  # (chunk rows, n_features), on the device
            local = (perm[max(seg_begin, begin) : seg_end] - c * self.rows_per_chunk).to(
                self.device
            )
            if carry is not None:  # a batch straddling two chunks: finish it from this one
                need = bs - carry.shape[0]
                carry, local = torch.cat([carry, chunk[local[:need]]]), local[need:]
                if carry.shape[0] < bs:
                    continue
                yield begin, (carry, torch.arange(bs, device=self.device))
                begin, carry = begin + bs, None
            while local.numel() >= bs:
                yield begin, (chunk, local[:bs])
                begin, local = begin + bs, local[bs:]
            if local.numel():
                carry = chunk[local]  # fewer than batch_size rows: a copy, the chunk is freed
            del chunk
        if carry is not None:
            yield begin, (carry, torch.arange(carry.shape[0], device=self.device))

    def validation_parts(self) -> Iterator[torch.Tensor]:
        """The validation rows, chunk by chunk, in file order (CPU tensors)."""
        for c, rows in enumerate(self.val_rows or []):
            if rows.numel():
                yield self._load(c, torch.device("cpu"))[rows - c * self.rows_per_chunk]

    def validation(
        self,
        model: nn.Module,
        objective: TrainingObjective,
        batch_size: int,
        autocast_dtype: torch.dtype | None,
    ) -> dict[str, float]:
        """The validation loss pooled over the chunks; empty without validation rows."""
        if self.val_rows is None:
            return {}
        parts = self.validation_parts()
        return evaluate_parts(model, objective, parts, batch_size, autocast_dtype, self.device)

    def fingerprint(self) -> dict[str, Any]:
        """The chunking decides the order of each epoch."""
        return {"stream_chunk_rows": self.rows_per_chunk}

    def peak_abs(self) -> float:
        """Largest |value| of the scaled training data (read chunk by chunk, for errors)."""
        return max(
            float(self._load(c, torch.device("cpu")).abs().max()) for c in range(self.n_chunks)
        )

    def _load(self, c: int, device: torch.device | None = None) -> torch.Tensor:
        lo = c * self.rows_per_chunk
        rows = self.data.read(lo, min(lo + self.rows_per_chunk, self.data.shape[0]))
        self.largest_read = max(self.largest_read, rows.shape[0])
        return rows.to(device or self.device, non_blocking=True)


def _by_chunk(idx: torch.Tensor, rows_per_chunk: int, n_chunks: int) -> list[torch.Tensor]:
    """Sorted row numbers split by the chunk holding them."""
    edges = torch.arange(n_chunks + 1) * rows_per_chunk
    cuts = torch.searchsorted(idx, edges).tolist()
    return [idx[cuts[c] : cuts[c + 1]] for c in range(n_chunks)]


def scan(array: np.ndarray, rows_per_chunk: int, name: str = "X") -> dict[str, np.ndarray]:
    """Per-feature min, max, mean and std of ``array`` as float32, one chunk at a time.

    The mean and variance are pooled across chunks in float64 (Chan et al.'s pairwise
    update), so they match an in-memory computation up to float64 rounding. Raises
    :class:`~aekit.errors.DataError` on NaN or infinity, naming the first bad row.
    """
    data = MappedRows(array)
    n_seen = 0
    pooled: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None  # lo hi mean m2
    for start in range(0, data.shape[0], rows_per_chunk):
        part = data.read(start, start + rows_per_chunk).numpy()  # (rows, n_features)
        finite = np.isfinite(part).all(axis=1)
        if not finite.all():
            row = start + int(np.argmin(finite))
            raise DataError(
                f"{name}: contains NaN or infinity (or a value too large for float32) in row {row}"
            )
        k, part_lo, part_hi = part.shape[0], part.min(axis=0), part.max(axis=0)
        part_mean = part.mean(axis=0, dtype=np.float64)
        part -= part_mean.astype(np.float32)  # in place: no float64 copy of the chunk
        part_m2 = np.square(part, out=part).sum(axis=0, dtype=np.float64)
        if pooled is None:
            pooled = part_lo, part_hi, part_mean, part_m2
        else:
            lo, hi, mean, m2 = pooled
            delta, total = part_mean - mean, n_seen + k
            pooled = (
                np.minimum(lo, part_lo),
                np.maximum(hi, part_hi),
                mean + delta * (k / total),
                m2 + part_m2 + np.square(delta) * (n_seen * k / total),
            )
        n_seen += k
    if pooled is None:
        raise DataError(f"{name}: has no rows")
    lo, hi, mean, m2 = pooled
    return {"minimum": lo, "maximum": hi, "mean": mean, "std": np.sqrt(m2 / n_seen)}
