"""Callbacks: small hooks the engine calls at the end of every epoch."""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Callback(Protocol):
    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        """Called after each epoch (1-based) with its logs; return True to stop training."""


class ProgressBar:
    """A tqdm bar over epochs on stderr, shown only on a terminal."""

    def __init__(self, total: int, *, force: bool = False) -> None:
        self._bar: Any = None
        if force or sys.stderr.isatty():
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, unit="epoch", leave=True, dynamic_ncols=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        if self._bar is not None:
            shown = {k: f"{v:.4g}" for k, v in logs.items() if k in ("loss", "val_loss")}
            self._bar.set_postfix(shown, refresh=False)
            self._bar.update(1)
        return None

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
