"""Fuzzing: every reader and the model loader, fed mutated files, raise only AekitError.

Each target starts from a valid file and mutates it (byte flips, truncation, insertions,
header fields rewritten with huge or wrong values), with Hypothesis derandomised so CI runs
the same inputs every time. The default suite runs a few hundred inputs per target; the
``slow`` marker runs thousands (``pytest -m slow tests/test_fuzz.py``). An optional
coverage-guided run with atheris lives in ``tests/fuzz_atheris.py``.
"""

import gzip
import io
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import aekit
from aekit.data import read_idx, read_path
from aekit.errors import AekitError

FAST, THOROUGH = 300, 5000  # inputs per reader: default suite, and -m slow (loader: half)
BUDGETS = [
    pytest.param(FAST, id="fast"),
    pytest.param(THOROUGH, id="thorough", marks=pytest.mark.slow),
]


def fuzz(strategy, check, examples):
    """Run ``check`` on ``examples`` inputs drawn from ``strategy``, the same ones every run."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(data):
        check(data)

    run()


def only_aekit_errors(call):
    """Call; an AekitError (one line) is an accepted outcome, anything else fails the test.

    NumPy's RuntimeWarnings (overflow, invalid value) count as failures too: they become
    exceptions for anyone running with ``-W error``, and they mean a value went unchecked.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            return call()
    except AekitError as exc:
        assert "\n" not in str(exc), str(exc)
        return None


# ---- valid seeds -----------------------------------------------------------------------------
def _npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _npz_bytes(compressed, **arrays):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def _idx_bytes(arr, code=0x08):
    head = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _png_bytes():
    buf = io.BytesIO()
    Image.fromarray(np.arange(48, dtype=np.uint8).reshape(6, 8)).save(buf, format="PNG")
    return buf.getvalue()


IMAGES = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
SEEDS = {
    "npy": _npy_bytes(np.arange(12.0).reshape(3, 4)),
    "npy-images": _npy_bytes(IMAGES),
    "npz": _npz_bytes(False, X=np.arange(12.0).reshape(3, 4), y=np.arange(3)),
    "npz-compressed": _npz_bytes(True, X=np.arange(12.0).reshape(3, 4), X_test=np.ones((2, 4))),
    "csv": b"a,b,c\n1,2,3\n4,5,6\n7,8.5,-9e3\n",
    "idx": _idx_bytes(IMAGES),
    "png": _png_bytes(),
}


# ---- mutations -------------------------------------------------------------------------------
BIG_INTS = st.one_of(
    st.integers(0, 16),
    st.sampled_from([2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**62, 2**63 - 1, 2**64]),
    st.integers(0, 2**64),
)


@st.composite
def mutated(draw, seed: bytes):
    """``seed`` with 1 to 4 edits: flip, overwrite, insert, delete, truncate, or a big int."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "int"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[pos] = draw(st.sampled_from([0, 0x7F, 0x80, 0xFF, *range(0x20, 0x7F)]))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[pos:]
        elif op == "int" and len(data) >= pos + 4:
            size = draw(st.sampled_from([4, 8])) if len(data) >= pos + 8 else 4
            order = draw(st.sampled_from(["little", "big"]))
            value = draw(BIG_INTS) % (1 << (8 * size))
            data[pos : pos + size] = value.to_bytes(size, order)
    return bytes(data)


def from_seed(name):
    return st.one_of(mutated(SEEDS[name]), st.binary(max_size=64))


DTYPES = ["<f8", "<f4", "|u1", ">i4", "<f2", "|b1", "|O", "<c16", "|V8", "<U3", "<m8[s]", "x1"]


@st.composite
def npy_with_header(draw):
    """An .npy file whose header claims any dtype and shape, with any amount of data."""
    descr = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(BIG_INTS, max_size=4)))
    fortran = draw(st.booleans())
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape!r}, }}"
    header = header.encode("latin1")
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    body = draw(st.binary(max_size=256))
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


@st.composite
def idx_with_header(draw):
    """An IDX file with any type code, rank and dimensions, and any amount of data."""
    code = draw(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]))
    dims = draw(st.lists(st.one_of(st.integers(0, 6), BIG_INTS), min_size=0, max_size=5))
    dims = [d % 2**32 for d in dims]
    head = bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    return head + draw(st.binary(max_size=300))


# ---- the readers -----------------------------------------------------------------------------
@pytest.fixture
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _reader(scratch, name):
    path = scratch / name

    def check(data):
        path.write_bytes(data)
        only_aekit_errors(lambda: read_path(path))

    return check


@pytest.mark.parametrize("examples", BUDGETS)
def test_npy_reader_survives_mutations(scratch, examples):
    strategy = st.one_of(from_seed("npy"), from_seed("npy-images"), npy_with_header())
    fuzz(strategy, _reader(scratch, "x.npy"), examples)


@pytest.mark.parametrize("examples", BUDGETS)
def test_npz_reader_survives_mutations(scratch, examples):
    def npz_holding(npy):  # a well-formed zip whose member is a hostile .npy
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("X.npy", npy)
        return buf.getvalue()

    hostile = npy_with_header().map(npz_holding)
    strategy = st.one_of(from_seed("npz"), from_seed("npz-compressed"), hostile)
    fuzz(strategy, _reader(scratch, "x.npz"), examples)


@pytest.mark.parametrize("examples", BUDGETS)
def test_csv_reader_survives_mutations(scratch, examples):
    text = st.text(alphabet=st.sampled_from(list('0123456789.,;\t -+eE#naif"\n\r\x00ä')))
    strategy = st.one_of(from_seed("csv"), text.map(lambda t: t.encode("utf-8")))
    fuzz(strategy, _reader(scratch, "x.csv"), examples)


@pytest.mark.parametrize("examples", BUDGETS)
def test_idx_reader_survives_mutations_raw_and_gzipped(scratch, examples):
    path = scratch / "x-idx3-ubyte"
    gz = scratch / "x-idx3-ubyte.gz"
    raw = st.one_of(from_seed("idx"), idx_with_header())

    def check(args):
        data, compress, mutate_gz = args
        if compress:
            blob = gzip.compress(data, mtime=0)
            if mutate_gz:  # damage the compressed stream itself
                cut = len(blob) * mutate_gz // 8
                blob = blob[:cut] + bytes([blob[cut] ^ 0x55]) + blob[cut + 1 :]
            gz.write_bytes(blob)
            only_aekit_errors(lambda: read_idx(gz))
            only_aekit_errors(lambda: read_path(gz))
        else:
            path.write_bytes(data)
            only_aekit_errors(lambda: read_idx(path))
            only_aekit_errors(lambda: read_path(path))

    fuzz(st.tuples(raw, st.booleans(), st.integers(0, 7)), check, examples)


@pytest.mark.parametrize("examples", BUDGETS)
def test_image_folder_reader_survives_mutations(scratch, examples):
    folder = scratch / "images"
    folder.mkdir()
    good = SEEDS["png"]

    def check(data):
        (folder / "a.png").write_bytes(good)
        (folder / "b.png").write_bytes(data)
        only_aekit_errors(lambda: read_path(folder))

    fuzz(from_seed("png"), check, examples)


# ---- the model loader ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    X = np.random.default_rng(0).random((40, 6)).astype(np.float32)
    folder = tmp_path_factory.mktemp("fuzz") / "model"
    aekit.Autoencoder(hidden=(4,), code_size=2, epochs=1, scale="minmax", random_state=0).fit(
        X
    ).save(folder)
    return {p.name: p.read_bytes() for p in folder.iterdir()}


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    BIG_INTS,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["mlp", "vae", "rbm", "conv", "float32", "gaussian", "minmax", "F32"]),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated_json(draw, document):
    """``document`` with 1 to 3 edits: a value replaced, a key deleted, or a key added."""
    doc = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if not path:
            if op == "add" and isinstance(doc, dict):
                doc[draw(st.text(max_size=6))] = draw(JSON_VALUES)
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if op == "replace":
            parent[path[-1]] = draw(JSON_VALUES)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.text(max_size=6))] = draw(JSON_VALUES)
    return json.dumps(doc, allow_nan=True).encode()


def _safetensors_header(raw):
    n = int.from_bytes(raw[:8], "little")
    return json.loads(raw[8 : 8 + n]), raw[8 + n :]


@st.composite
def mutated_safetensors(draw, raw):
    """Header edits (shape, dtype and offset claims; a lying length) or raw byte damage."""
    header, body = _safetensors_header(raw)
    kind = draw(st.sampled_from(["header", "length", "bytes"]))
    if kind == "bytes":
        return draw(mutated(raw))
    if kind == "length":
        value = draw(BIG_INTS) % 2**64
        return value.to_bytes(8, "little") + raw[8:]
    name = draw(st.sampled_from(sorted(k for k in header if k != "__metadata__")))
    field = draw(st.sampled_from(["shape", "dtype", "data_offsets", "all"]))
    entry = header[name]
    if field in ("shape", "all"):
        entry["shape"] = draw(st.lists(BIG_INTS, max_size=4))
    if field in ("dtype", "all"):
        entry["dtype"] = draw(st.sampled_from(["F32", "F64", "F16", "I64", "U8", "BOOL", "X"]))
    if field in ("data_offsets", "all"):
        entry["data_offsets"] = draw(st.lists(st.integers(-10, 2**64), min_size=0, max_size=3))
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + body


@pytest.mark.parametrize("examples", BUDGETS)
def test_model_loader_survives_mutated_model_folders(model_files, scratch, examples):
    folder = scratch / "model"
    folder.mkdir()
    config = json.loads(model_files["config.json"])
    history = json.loads(model_files["history.json"])
    weights = mutated_safetensors(model_files["model.safetensors"])
    strategy = st.one_of(
        st.tuples(st.just("config.json"), mutated_json(config)),
        st.tuples(st.just("config.json"), mutated(model_files["config.json"])),
        st.tuples(st.just("model.safetensors"), weights),
        st.tuples(st.just("history.json"), mutated_json(history)),
    )

    def check(change):
        name, data = change
        for file_name, original in model_files.items():
            (folder / file_name).write_bytes(data if file_name == name else original)
        model = only_aekit_errors(lambda: aekit.load(folder))
        if model is not None:  # whatever loads must also work
            codes = model.transform(np.zeros((2, model.n_features_in_), np.float32))
            assert codes.shape == (2, model.config_.code_size)
            assert all(math.isfinite(v) for v in codes.ravel()) or name == "model.safetensors"

    fuzz(strategy, check, examples // 2)  # each input loads a model: twice a reader's cost


# ---- atheris, when it is installed -----------------------------------------------------------
HARNESS = Path(__file__).with_name("fuzz_atheris.py")


@pytest.mark.slow
@pytest.mark.parametrize("target", ["npy", "npz", "csv", "idx", "idx-gz", "image", "model"])
def test_atheris_coverage_guided_run_finds_no_crash(target, tmp_path):
    pytest.importorskip("atheris")
    proc = subprocess.run(
        [sys.executable, str(HARNESS), target, "-runs=2000", "-max_len=4096"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


# ---- bugs the fuzzing found, each kept as a regression test -----------------------------------
def test_empty_image_stack_is_a_data_error_not_a_reshape_error(scratch):
    # An .npy of shape (0, 0, 0): check_array's reshape(n, -1) raised ValueError.
    path = scratch / "empty.npy"
    path.write_bytes(_npy_bytes(np.zeros((0, 0, 0))))
    with pytest.raises(AekitError, match="empty data: 0 sample"):
        read_path(path)


def test_npy_header_with_a_zero_and_a_huge_dimension_is_refused(scratch):
    # (0, 2**63 - 1): "empty", so the size check passed, and NumPy's int64 arithmetic overflowed.
    path = scratch / "huge.npy"
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (0, 9223372036854775807), }"
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header)
    with pytest.raises(AekitError, match="header claims 0x9223372036854775807 values"):
        read_path(path)


def test_idx_header_with_a_zero_and_huge_dimensions_is_refused(scratch):
    # Found by the fuzzer: dims (0, 2164459804, 4261281277) claim 0 bytes, which the file
    # holds, and NumPy then refused to shape them ("array is too big"): a ValueError escaped.
    path = scratch / "z-idx3-ubyte"
    path.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">3I", 0, 2164459804, 4261281277))
    with pytest.raises(AekitError, match="header claims 0x2164459804x4261281277"):
        read_idx(path)


def test_csv_value_too_large_for_float32_is_named_not_read_as_inf(scratch):
    # 1e300 overflowed to inf in the float32 cast (a RuntimeWarning), then was called "inf".
    path = scratch / "big.csv"
    path.write_text("a,b\n1,2\n3,1e300\n")
    with pytest.raises(AekitError, match=r"line 3: value '1e300' in column 'b' is too large"):
        read_path(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        # Found by the fuzzer: one byte more in the data section passed our bounds checks,
        # and safetensors' own SafetensorError ("file not fully covered") escaped.
        ("one byte more", "tensors cover {n} bytes of data, the file holds {n_plus_1}"),
        ("shape as strings", "invalid or oversized entry"),
        ("offsets as floats", "invalid or oversized entry"),
        ("metadata not strings", "__metadata__ is not a map of strings"),
    ],
)
def test_safetensors_header_that_safetensors_itself_rejects_is_a_model_file_error(
    model_files, scratch, edit, message
):
    folder = scratch / "model"
    folder.mkdir()
    for name, data in model_files.items():
        (folder / name).write_bytes(data)
    raw = model_files["model.safetensors"]
    header, body = _safetensors_header(raw)
    name = next(k for k in header if k != "__metadata__")
    if edit == "one byte more":
        data = raw + b"\x00"
        message = message.format(n=len(body), n_plus_1=len(body) + 1)
    else:
        if edit == "shape as strings":
            header[name]["shape"] = [str(d) for d in header[name]["shape"]]
        elif edit == "offsets as floats":
            header[name]["data_offsets"] = [float(d) for d in header[name]["data_offsets"]]
        else:
            header["__metadata__"] = {"format": 5}
        text = json.dumps(header).encode()
        data = len(text).to_bytes(8, "little") + text + body
    (folder / "model.safetensors").write_bytes(data)
    with pytest.raises(AekitError, match=message):
        aekit.load(folder)


def test_csv_without_header_names_the_column_once(scratch):
    # Found while writing docs/reliability.md: "NaN in column column 2".
    path = scratch / "nan.csv"
    path.write_text("1,2,3\n4,nan,6\n")
    with pytest.raises(AekitError, match=r"nan.csv line 2: NaN in column 2$"):
        read_path(path)


def test_inf_beside_minus_inf_is_reported_without_a_warning(scratch):
    # Found by the fuzzer: the finiteness check summed inf and -inf, and NumPy warned
    # "invalid value encountered" (an exception for anyone running with -W error).
    path = scratch / "infs.npy"
    path.write_bytes(_npy_bytes(np.array([[np.inf, -np.inf], [0.0, 1.0]])))
    csv = scratch / "infs.csv"
    csv.write_text("a,b\ninf,-inf\n0,1\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AekitError, match="contains inf at row 0, column 0"):
            read_path(path)
        with pytest.raises(AekitError, match="line 2: inf in column 'a'"):
            read_path(csv)
