"""Coverage-guided fuzzing of aekit's readers and model loader with atheris (optional).

    pip install atheris
    python tests/fuzz_atheris.py TARGET [libFuzzer options, e.g. -runs=100000 -max_len=4096]

TARGET is one of npy, npz, csv, idx, idx-gz, image, model. Each input is written to a file
of that kind (for ``model``: the config.json of a valid model folder, or its
model.safetensors, chosen by the first byte) and read; an exception that is not an
``aekit.errors.AekitError`` is a crash, reported by libFuzzer with the input that caused it.
The run starts from a valid file of the kind. ``tests/test_fuzz.py`` runs each target for a
few thousand inputs under the ``slow`` marker when atheris is installed.
"""

from __future__ import annotations

import gzip
import io
import struct
import sys
import tempfile
from pathlib import Path

import atheris
import numpy as np

with atheris.instrument_imports(include=["aekit"]):  # only aekit: torch is too big to trace
    import aekit
    from aekit.data import read_idx, read_path
    from aekit.errors import AekitError

TARGETS = ("npy", "npz", "csv", "idx", "idx-gz", "image", "model")
WORK = Path(tempfile.mkdtemp(prefix="aekit-atheris-"))


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def _seed(target: str) -> bytes:
    images = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    idx = bytes([0, 0, 8, 3]) + struct.pack(">3I", 3, 4, 5) + images.tobytes()
    if target == "npy":
        return _npy(np.arange(12.0).reshape(3, 4))
    if target == "npz":
        buf = io.BytesIO()
        np.savez(buf, X=np.arange(12.0).reshape(3, 4), y=np.arange(3))
        return buf.getvalue()
    if target == "csv":
        return b"a,b,c\n1,2,3\n4,5,6\n"
    if target == "idx":
        return idx
    if target == "idx-gz":
        return gzip.compress(idx, mtime=0)
    if target == "image":
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(images[0]).save(buf, format="PNG")
        return buf.getvalue()
    return b"\x00" + (MODEL / "config.json").read_bytes()


def _model_folder() -> Path:
    folder = WORK / "model"
    X = np.random.default_rng(0).random((40, 6)).astype(np.float32)
    aekit.Autoencoder(hidden=(4,), code_size=2, epochs=1, random_state=0).fit(X).save(folder)
    return folder


MODEL = _model_folder()
ORIGINALS = {p.name: p.read_bytes() for p in MODEL.iterdir()}
NAMES = {"npy": "x.npy", "npz": "x.npz", "csv": "x.csv", "idx": "x-idx3-ubyte"}
NAMES.update({"idx-gz": "x-idx3-ubyte.gz", "image": "images/b.png"})


def one_input(target: str, data: bytes) -> None:
    if target == "model":
        name = "config.json" if not data or data[0] % 2 == 0 else "model.safetensors"
        for file_name, original in ORIGINALS.items():
            (MODEL / file_name).write_bytes(data[1:] if file_name == name else original)
        call = lambda: aekit.load(MODEL)  # noqa: E731
    else:
        path = WORK / NAMES[target]
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        if target == "image":
            (path.parent / "a.png").write_bytes(_seed("image"))
            call = lambda: read_path(path.parent)  # noqa: E731
        elif target.startswith("idx"):
            call = lambda: (read_idx(path), read_path(path))  # noqa: E731
        else:
            call = lambda: read_path(path)  # noqa: E731
    try:
        call()
    except AekitError as exc:
        if "\n" in str(exc):
            raise AssertionError(f"a multi-line error: {exc!r}") from None


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = sys.argv.pop(1)
    corpus = WORK / "corpus"
    corpus.mkdir()
    (corpus / "seed").write_bytes(_seed(target))
    atheris.Setup([*sys.argv, str(corpus)], lambda data: one_input(target, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
