"""Read a safetensors header and check it before any tensor is loaded.

A crafted file could claim huge shapes or point past its own end; checking the header
against the file's size and the expected shapes first keeps loading bounded.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

from aekit.errors import ModelFileError

MAX_HEADER = 16 * 1024 * 1024
DTYPE_SIZES = {
    "F64": 8,
    "F32": 4,
    "F16": 2,
    "BF16": 2,
    "I64": 8,
    "I32": 4,
    "I16": 2,
    "I8": 1,
    "U8": 1,
    "BOOL": 1,
}
PICKLE_MAGIC = (b"\x80", b"PK\x03\x04")  # pickle protocol 2+, zip (torch.save)


def looks_like_pickle(path: Path) -> bool:
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(9)
    except OSError:
        return False
    # A safetensors file starts with its header length, whose low byte may well be 0x80:
    # recognise the JSON header first, so only a real pickle matches the magic below.
    if len(head) == 9 and head[8:9] == b"{" and 8 + struct.unpack("<Q", head[:8])[0] <= size:
        return False
    return any(head.startswith(m) for m in PICKLE_MAGIC)


def read_header(path: Path) -> dict[str, dict]:
    """Return ``{name: {"dtype", "shape", "data_offsets"}}`` after checking it is sound."""
    size = os.path.getsize(path)
    if looks_like_pickle(path):
        raise ModelFileError(
            f"{path}: holds a pickle (e.g. a torch.save file), not safetensors; "
            "aekit never unpickles, refused"
        )
    with open(path, "rb") as fh:
        raw = fh.read(8)
        if len(raw) < 8:
            raise ModelFileError(f"{path}: too short to be a safetensors file ({size} bytes)")
        (n,) = struct.unpack("<Q", raw)
        if n > MAX_HEADER or 8 + n > size:
            raise ModelFileError(f"{path}: header claims {n} bytes, file holds {size}")
        try:
            header = json.loads(fh.read(n))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise ModelFileError(f"{path}: safetensors header is not valid JSON") from None
    if not isinstance(header, dict):
        raise ModelFileError(f"{path}: safetensors header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ModelFileError(f"{path}: safetensors __metadata__ is not a map of strings")
    data_size = size - 8 - n
    for name, info in header.items():
        try:
            dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
            if not all(_is_count(v) for v in (*shape, begin, end)):
                raise ValueError(name)
            count = 1
            for d in shape:
                count *= d
            ok = dtype in DTYPE_SIZES and 0 <= begin <= end <= data_size
            ok = ok and end - begin == count * DTYPE_SIZES[dtype]
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise ModelFileError(f"{path}: tensor {name!r} has an invalid or oversized entry")
    # As safetensors itself demands: the tensors tile the data exactly, no gap, no overlap.
    end = 0
    for begin, stop in sorted(tuple(info["data_offsets"]) for info in header.values()):
        if begin != end:
            raise ModelFileError(f"{path}: tensor data overlap or leave a gap at byte {end}")
        end = stop
    if end != data_size:
        raise ModelFileError(
            f"{path}: tensors cover {end} bytes of data, the file holds {data_size}"
        )
    return header


def _is_count(value: object) -> bool:
    """A JSON integer >= 0 (not a bool, a float or a string that looks like one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
