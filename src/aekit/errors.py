"""The one exception type aekit raises for a user's mistake.

Every error caused by input (a bad file, a wrong shape, a bad setting) is an
``AekitError`` or a subclass, carrying a one-line message that names what is wrong and
where. The command line prints that line and exits non-zero; anything else is a bug.
``check_choice`` words the most common one, a setting outside its fixed set, the same way
everywhere.
"""

from __future__ import annotations


class AekitError(Exception):
    """Base class for errors caused by input: bad data, bad settings, bad files."""


class DataError(AekitError, ValueError):
    """The data cannot be read or is not what the model expects."""


class ModelFileError(AekitError):
    """A model folder is missing, incomplete, unsafe or of an unknown format."""


class ConfigError(AekitError, ValueError):
    """A setting is out of range or of the wrong type."""


def check_choice(
    name: str, value: object, options: tuple[str, ...], *, optional: bool = False
) -> None:
    """Raise a ConfigError naming ``name`` unless ``value`` is one of ``options`` (or None
    where ``optional``): "activation must be one of elu, relu, ..., got 'swish'"."""
    if value in options or (optional and value is None):
        return
    allowed = ("None or " if optional else "") + "one of " + ", ".join(options)
    raise ConfigError(f"{name} must be {allowed}, got {value!r}")


class OutputError(AekitError):
    """An output location cannot be written."""


class TrainingError(AekitError):
    """Training cannot go on: the loss became NaN or infinite."""


class TrainingInterrupted(AekitError):
    """Training stopped on request (Ctrl-C, SIGTERM) after writing a checkpoint."""

    def __init__(self, message: str, signal_number: int | None = None) -> None:
        super().__init__(message)
        self.signal_number = signal_number
