"""Small helpers shared by the file readers: existence checks and error wording."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from aekit.errors import DataError


class ReadsBytes(Protocol):
    """Anything with ``read(n) -> bytes``: an open binary file, a gzip stream, a zip member."""

    def read(self, size: int, /) -> bytes: ...


def require_file(path: str | os.PathLike) -> Path:
    """``path`` as a Path, or a DataError when it does not name an existing file."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    if p.is_dir():
        raise DataError(f"{p}: is a folder, expected a file")
    return p


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, so that DataError messages stay one line."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def claim_mismatch(path: Path, shape: tuple[int, ...], itemsize: int, found: int | str) -> str:
    """Message for a header whose shape disagrees with the bytes the file actually holds."""
    dims = "x".join(str(d) for d in shape) or "1"
    values = dims if itemsize == 1 else f"{dims} values of {itemsize} bytes"
    claimed = itemsize
    for d in shape:
        claimed *= d
    return f"{path}: header claims {values} = {claimed} bytes of data but file holds {found}"


def read_at_most(fh: ReadsBytes, limit: int, chunk: int = 1 << 20) -> bytearray:
    """Read until EOF or ``limit`` bytes, growing the buffer only as data actually arrives.

    Used for compressed streams, whose true length is unknown until read: a header that
    claims a huge size cannot make us allocate it up front.
    """
    buf = bytearray()
    while len(buf) < limit:
        data = fh.read(min(chunk, limit - len(buf)))
        if not data:
            break
        buf += data
    return buf
