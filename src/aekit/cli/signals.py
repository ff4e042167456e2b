"""Ctrl-C and SIGTERM during training: finish the step, checkpoint, exit 130 / 143."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class StopRequest:
    """Installed as the SIGINT/SIGTERM handler; the engine polls it after every step."""

    def __init__(self) -> None:
        self.signal_number: int | None = None

    def __call__(self) -> int | None:
        return self.signal_number

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signal_number is not None:  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        self.signal_number = signum


@contextlib.contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Route SIGINT and SIGTERM to a StopRequest for the block; restore the handlers after."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request  # only the main thread may set handlers: signals keep their defaults
        return
    previous = {s: signal.signal(s, request.handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield request
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
