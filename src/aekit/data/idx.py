"""IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed.

Layout (LeCun et al., http://yann.lecun.com/exdb/mnist/): two zero bytes, a data type
code, the number of dimensions, then one big-endian uint32 per dimension, then the values
in big-endian order. The header is checked against the bytes actually present before
anything is allocated from it, so a corrupt or hostile header cannot exhaust memory.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import re
import struct
import zlib
from pathlib import Path

import numpy as np

from aekit.data._files import claim_mismatch, first_line, read_at_most, require_file
from aekit.errors import DataError

IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_CLAIM = 2**62  # bytes: beyond any real file, and within NumPy's int64 arithmetic
# "x.idx", "x.idx3", "train-images-idx3-ubyte", "train-images.idx3-ubyte", "x-ubyte", + ".gz"
_IDX_NAME = re.compile(r"([.-]idx\d?(-ubyte)?|-ubyte)(\.gz)?$", re.IGNORECASE)


def is_idx_name(name: str) -> bool:
    """Whether a file name looks like an IDX file (``.idx``, ``*-idx3-ubyte``, maybe ``.gz``)."""
    return _IDX_NAME.search(name) is not None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed) into an array of its own dtype and shape.

    Parameters
    ----------
    path : str or path-like
        The file; gzip compression is recognised from the content, not the name.

    Returns
    -------
    ndarray of the header's shape
        Native byte order; uint8 for MNIST images and labels.

    Raises
    ------
    DataError
        When the file is missing, is not IDX, is truncated, or holds more or less data than
        its header announces.

    Examples
    --------
    >>> images = read_idx("train-images-idx3-ubyte.gz")  # doctest: +SKIP
    >>> images.shape, images.dtype  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    p = require_file(path)
    try:
        with open(p, "rb") as raw:
            compressed = raw.read(2) == _GZIP_MAGIC
            raw.seek(0)
            if not compressed:
                return _read(raw, p, file_size=os.fstat(raw.fileno()).st_size)
            with gzip.GzipFile(fileobj=raw) as fh:
                return _read(fh, p, file_size=None)
    except EOFError:
        raise DataError(f"{p}: truncated gzip file") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(f"{p}: corrupt gzip file ({first_line(exc)})") from None
    except OSError as exc:
        raise DataError(f"{p}: cannot read ({exc.strerror or first_line(exc)})") from None


def _read(fh: io.BufferedIOBase, path: Path, file_size: int | None) -> np.ndarray:
    """Parse header and data; ``file_size`` is None for a stream of unknown length (gzip)."""
    head = fh.read(4)
    if len(head) < 4:
        raise DataError(f"{path}: too short for an IDX file ({len(head)} bytes)")
    if head[:2] != b"\0\0":
        magic = int.from_bytes(head, "big")
        raise DataError(f"{path}: not an IDX file (bad magic number 0x{magic:08X})")
    code, ndim = head[2], head[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise DataError(f"{path}: unknown IDX data type code 0x{code:02X} (known: {known})")
    if not 1 <= ndim <= 4:
        raise DataError(f"{path}: IDX header gives {ndim} dimensions, expected 1 to 4")
    dims_bytes = fh.read(4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise DataError(
            f"{path}: truncated IDX header ({ndim} dimensions announced, "
            f"file ends after {4 + len(dims_bytes)} bytes)"
        )
    shape = struct.unpack(f">{ndim}I", dims_bytes)
    dtype = IDX_DTYPES[code]
    claimed = math.prod(shape) * dtype.itemsize
    if math.prod(d for d in shape if d) * dtype.itemsize > _MAX_CLAIM:
        # Empty (a zero dimension) yet too big for NumPy to shape: no real file says this.
        raise DataError(claim_mismatch(path, shape, dtype.itemsize, "far less"))
    if file_size is not None:
        found = file_size - 4 - 4 * ndim
        if found != claimed:
            raise DataError(claim_mismatch(path, shape, dtype.itemsize, found))
        buf = bytearray(claimed)  # safe: the file holds exactly this many bytes
        if fh.readinto(buf) != claimed:
            raise DataError(f"{path}: file shrank while being read")
    else:
        # Never trust the claim for allocation: read at most one byte past it.
        buf = read_at_most(fh, claimed + 1)
        if len(buf) != claimed:
            found_text = "more" if len(buf) > claimed else str(len(buf))
            raise DataError(claim_mismatch(path, shape, dtype.itemsize, found_text))
    arr = np.frombuffer(buf, dtype=dtype).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=False)
