"""read_path / read_idx: every format reads right, and every bad file gives one clear line."""

import gzip
import pickle
import struct

import numpy as np
import pytest
from PIL import Image

from aekit.data import read_idx, read_path
from aekit.errors import DataError

IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D}


def idx_bytes(arr, *, code=None, dims=None, magic=None):
    """An IDX file's bytes; ``dims`` / ``magic`` override the header to make bad files."""
    arr = np.asarray(arr)
    code = IDX_CODES[arr.dtype.type] if code is None else code
    dims = arr.shape if dims is None else dims
    head = magic if magic is not None else bytes([0, 0, code, len(dims)])
    return (
        head
        + struct.pack(f">{len(dims)}I", *dims)
        + arr.astype(arr.dtype.newbyteorder(">")).tobytes()
    )


def write_idx(path, arr, *, gz=False, **header):
    data = idx_bytes(arr, **header)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_png(path, size=(4, 3), mode="L", value=0):
    Image.new(mode, size, value).save(path)
    return path


def write_mnist_folder(folder, n_train=6, n_test=4, gz=True):
    rng = np.random.default_rng(0)
    folder.mkdir(exist_ok=True)
    suffix = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 5, 4), dtype=np.uint8)
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images, gz=gz)
        write_idx(
            folder / f"{prefix}-labels-idx1-ubyte{suffix}", np.arange(n, dtype=np.uint8) % 10, gz=gz
        )
    return folder


# -- IDX ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32])
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trips_each_type_plain_and_gzipped(tmp_path, dtype, gz):
    arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    out = read_idx(write_idx(tmp_path / "a-ubyte", arr, gz=gz))
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)


def test_idx_images_become_flat_floats_in_unit_range_with_their_labels(tmp_path):
    images = np.array([[[0, 255], [51, 102]]] * 3, dtype=np.uint8)
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 2, 3], dtype=np.uint8))
    data = read_path(tmp_path / "train-images-idx3-ubyte")
    assert data.image_shape == (2, 2) and data.X_train.dtype == np.float32
    np.testing.assert_allclose(data.X_train[0], [0, 1, 0.2, 0.4])
    assert data.y_train.tolist() == [1, 2, 3]


def test_folder_of_idx_files_reads_as_mnist_layout(tmp_path):
    data = read_path(write_mnist_folder(tmp_path / "mnist"))
    assert data.X_train.shape == (6, 20) and data.X_test.shape == (4, 20)
    assert data.image_shape == (5, 4)
    assert data.y_test.tolist() == [0, 1, 2, 3]
    assert 0 <= data.X_all().min() and data.X_all().max() <= 1


def test_gzipped_idx_is_never_decompressed_far_past_its_header(tmp_path):
    # 10 MB of zeros compress to ~10 kB; the header claims 4 bytes. Reading must stop early.
    path = tmp_path / "bomb-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(4, np.uint8)) + bytes(10_000_000)))
    with pytest.raises(DataError, match="header claims 4 = 4 bytes of data but file holds more"):
        read_idx(path)


# -- arrays ------------------------------------------------------------------------------------
def test_npy_table_and_image_stack(tmp_path):
    table = np.arange(12, dtype=np.float64).reshape(4, 3)
    np.save(tmp_path / "t.npy", table)
    data = read_path(tmp_path / "t.npy")
    assert data.image_shape is None and data.X_train.flags.writeable
    np.testing.assert_array_equal(data.X_train, table)  # tables are not rescaled
    np.save(tmp_path / "img.npy", np.full((2, 3, 3), 255, dtype=np.uint8))
    data = read_path(tmp_path / "img.npy")
    assert data.image_shape == (3, 3) and data.X_train.max() == 1.0


def test_float32_npy_is_copied_out_of_the_memory_map(tmp_path):
    np.save(tmp_path / "f.npy", np.ones((3, 2), np.float32))
    X = read_path(tmp_path / "f.npy").X_train
    assert X.flags.writeable and not isinstance(X, np.memmap)


def test_npz_with_labels_and_test_split(tmp_path):
    rng = np.random.default_rng(0)
    np.savez_compressed(
        tmp_path / "d.npz",
        x_train=rng.integers(0, 256, (5, 2, 2), dtype=np.uint8),
        y_train=np.arange(5),
        x_test=rng.integers(0, 256, (2, 2, 2), dtype=np.uint8),
        y_test=np.arange(2),
    )
    data = read_path(tmp_path / "d.npz")
    assert data.X_train.shape == (5, 4) and data.X_test.shape == (2, 4)
    assert data.image_shape == (2, 2) and data.y_all().tolist() == [0, 1, 2, 3, 4, 0, 1]


def test_npz_single_array_of_any_name_and_fortran_order(tmp_path):
    arr = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    np.savez(tmp_path / "one.npz", whatever=arr)
    np.testing.assert_array_equal(read_path(tmp_path / "one.npz").X_train, arr)


# -- image folders -----------------------------------------------------------------------------
def test_image_folder_grayscale_sorted_by_name(tmp_path):
    for name, value in (("b.png", 255), ("a.png", 0), ("c.png", 51)):
        write_png(tmp_path / name, value=value)
    (tmp_path / "notes.txt").write_text("ignored")
    data = read_path(tmp_path)
    assert data.image_shape == (3, 4) and data.X_train.shape == (3, 12)
    np.testing.assert_allclose(data.X_train[:, 0], [0, 1, 0.2])
    assert data.y_train is None


def test_image_folder_rgb_is_channels_first(tmp_path):
    write_png(tmp_path / "a.png", mode="RGB", value=(255, 0, 51))
    data = read_path(tmp_path)
    assert data.image_shape == (3, 3, 4)
    np.testing.assert_allclose(data.X_train.reshape(3, 3, 4)[:, 0, 0], [1, 0, 0.2])


def test_subfolders_are_classes(tmp_path):
    for cls, n in (("cat", 2), ("dog", 1)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            write_png(tmp_path / cls / f"{i}.png")
    data = read_path(tmp_path)
    assert data.y_train.tolist() == [0, 0, 1] and data.label_names == ("cat", "dog")


# -- one table of bad inputs: each must be a one-line DataError naming the file ---------------
def _idx(name, arr=None, gz=False, **header):
    arr = np.zeros((2, 2, 2), np.uint8) if arr is None else arr
    return lambda d: write_idx(d / name, arr, gz=gz, **header)


def _raw(name, data):
    def make(d):
        (d / name).write_bytes(data)
        return d / name

    return make


def _text(name, text):
    def make(d):
        (d / name).write_text(text)
        return d / name

    return make


def _npy(name, arr, **kwargs):
    def make(d):
        np.save(d / name, arr, **kwargs)
        return d / name

    return make


def _truncated_gz(d):
    blob = gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8).reshape(2, 10, 10)))
    return _raw("short-ubyte.gz", blob[: len(blob) // 2])(d)


def _bad_crc_gz(d):
    blob = bytearray(gzip.compress(idx_bytes(np.zeros((2, 2, 2), np.uint8))))
    blob[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    return _raw("crc-ubyte.gz", bytes(blob))(d)


def _truncated_npy(d):
    np.save(d / "full.npy", np.ones((100, 10)))
    return _raw("cut.npy", (d / "full.npy").read_bytes()[:500])(d)


def _broken_npy_header(d):
    np.save(d / "ok.npy", np.ones((3, 4)))
    data = (d / "ok.npy").read_bytes().replace(b"(3, 4)", b"(3, 4 ")  # unbalanced bracket
    return _raw("hdr.npy", data)(d)


def _encrypted_npz(d):
    np.savez(d / "ok.npz", X=np.ones((2, 2)))
    data = bytearray((d / "ok.npz").read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01  # "encrypted" flag: zipfile then asks for a password
    return _raw("enc.npz", bytes(data))(d)


def _npz_object(d):
    np.savez(d / "obj.npz", X=np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    return d / "obj.npz"


def _npz(name, **arrays):
    def make(d):
        np.savez(d / name, **arrays)
        return d / name

    return make


def _images(*files):
    """A folder "imgs" of PNGs given as (name, (width, height), mode)."""

    def make(d):
        folder = d / "imgs"
        folder.mkdir()
        for name, size, mode in files:
            write_png(folder / name, size=size, mode=mode)
        return folder

    return make


def _corrupt_png_folder(d):
    folder = _images(("a.png", (4, 3), "L"))(d)
    (folder / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    return folder


def _nan_npy(d):
    X = np.zeros((6, 7))
    X[3, 5] = np.nan
    return _npy("nan.npy", X)(d)


def _mnist_bad_labels(d):
    folder = write_mnist_folder(d / "mnist", gz=False)
    write_idx(folder / "t10k-labels-idx1-ubyte", np.zeros(3, np.uint8))
    return folder


def _mnist_without_train(d):
    folder = write_mnist_folder(d / "mnist")
    for path in folder.glob("train-*"):
        path.unlink()
    return folder


BAD_INPUTS = [
    # (id, make(tmp_path) -> path, name expected in the message, fragment expected)
    ("missing", lambda d: d / "nope.npy", "nope.npy", "no such file"),
    ("unknown-suffix", _raw("data.xyz", b"1"), "data.xyz", "unsupported format '.xyz'"),
    ("idx-bad-magic", _idx("m-ubyte", magic=b"\x12\x34\x56\x78"), "m-ubyte",
     "not an IDX file (bad magic number 0x12345678)"),
    ("idx-bad-type", _idx("t-ubyte", code=0x07), "t-ubyte", "unknown IDX data type code 0x07"),
    ("idx-rank-0", _idx("r.idx", dims=()), "r.idx", "0 dimensions, expected 1 to 4"),
    ("idx-rank-5", _idx("r5.idx", dims=(1, 1, 1, 1, 8)), "r5.idx", "5 dimensions"),
    ("idx-claims-more", _idx("big.idx", dims=(1000, 2, 2)), "big.idx",
     "header claims 1000x2x2 = 4000 bytes of data but file holds 8"),
    ("idx-trailing-data", _idx("small.idx", dims=(1, 2, 2)), "small.idx",
     "header claims 1x2x2 = 4 bytes of data but file holds 8"),
    ("idx-wide-type", _idx("w.idx", np.zeros((2, 3), np.int32), dims=(5, 3)), "w.idx",
     "header claims 5x3 values of 4 bytes = 60 bytes of data but file holds 24"),
    ("idx-gz-claims-more", _idx("g-ubyte.gz", gz=True, dims=(60000, 28, 28)), "g-ubyte.gz",
     "header claims 60000x28x28 = 47040000 bytes of data but file holds 8"),
    ("idx-gz-truncated", _truncated_gz, "short-ubyte.gz", "truncated gzip file"),
    ("idx-gz-bad-crc", _bad_crc_gz, "crc-ubyte.gz", "corrupt gzip file"),
    ("idx-short-header", _raw("h.idx", b"\0\0\x08\x03\0\0\0\x02"), "h.idx",
     "truncated IDX header"),
    ("idx-empty", _raw("e.idx", b""), "e.idx", "too short for an IDX file"),
    ("idx-labels-only", _idx("l-idx1-ubyte", np.zeros(4, np.uint8)), "l-idx1-ubyte",
     "holds 4 labels"),
    ("npy-pickled-objects", _npy("obj.npy", np.array([{}, 1], dtype=object), allow_pickle=True),
     "obj.npy", "holds Python objects (pickle), refused"),
    ("npy-plain-pickle", _raw("p.npy", pickle.dumps([1, 2])), "p.npy", "pickle, refused"),
    ("npy-truncated", _truncated_npy, "cut.npy", "header claims 100x10 values of 8 bytes"),
    ("npy-junk", _raw("j.npy", b"hello, not numpy at all"), "j.npy", "not a .npy file"),
    ("npy-bad-header", _broken_npy_header, "hdr.npy", "not a valid .npy file (bad header"),
    ("npy-nan", _nan_npy, "nan.npy", "contains NaN at row 3, column 5"),
    ("npy-rank-1", _npy("v.npy", np.arange(5.0)), "v.npy", "expected a 2-D array"),
    ("npy-strings", _npy("s.npy", np.array([["a", "b"]])), "s.npy", "non-numeric"),
    ("npz-objects", _npz_object, "obj.npz", "holds Python objects (pickle), refused"),
    ("npz-not-zip", _raw("z.npz", b"PK\x03\x04 broken"), "z.npz", "not a valid .npz file"),
    ("npz-encrypted", _encrypted_npz, "enc.npz", "not a valid .npz file"),
    ("npz-ambiguous", _npz("a.npz", p=np.ones((2, 2)), q=np.ones((2, 2))), "a.npz",
     "cannot tell which array"),
    ("npz-label-count", _npz("c.npz", X=np.ones((5, 2)), y=np.arange(4)), "c.npz",
     "expected 5 labels (one per sample), found 4"),
    ("csv-ragged", _text("r.csv", "a,b,c\n1,2,3\n4,5\n"), "r.csv",
     "r.csv line 3: expected 3 fields, found 2"),
    ("csv-text-columns", _text("t.csv", "id,name,city\n1,Bob,Paris\n2,Ann,Rome\n"), "t.csv",
     "non-numeric columns: 'name' ('Bob' on line 2), 'city' ('Paris' on line 2)"),
    ("csv-empty", _text("e.csv", "\n\n"), "e.csv", "empty"),
    ("csv-header-only", _text("h.csv", "a,b\n"), "h.csv", "no data rows"),
    ("csv-nan", _text("n.csv", "a,b\n1,2\n3,nan\n"), "n.csv", "n.csv line 3: NaN in column 'b'"),
    ("csv-not-utf8", _raw("b.csv", b"a,b\n1,\xff\n"), "b.csv", "not a UTF-8 text file"),
    ("csv-nul-byte", _raw("nul.csv", b"1,2\n3,\x004\n"), "nul.csv", "line"),
    ("images-size-differs",
     _images(("a.png", (4, 3), "L"), ("b.png", (4, 3), "L"), ("c.png", (5, 3), "L")),
     "c.png", "size 5x3 pixels differs from a.png (4x3 pixels)"),
    ("images-mode-differs", _images(("a.png", (4, 3), "L"), ("b.png", (4, 3), "RGB")),
     "b.png", "mode RGB differs from a.png (L)"),
    ("images-corrupt", _corrupt_png_folder, "b.png", "image"),
    ("images-16-bit", _images(("a.png", (4, 3), "I;16")), "a.png",
     "a.png: image mode I;16 is not supported"),
    ("images-none", _images(), "imgs", "no images found"),
    ("mnist-label-count", _mnist_bad_labels, "t10k-labels-idx1-ubyte", "expected 4 labels"),
    ("mnist-no-train-images", _mnist_without_train, "mnist",
     "missing train-images-idx3-ubyte[.gz]"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "name", "fragment"), [c[1:] for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])  # fmt: skip
def test_bad_input_gives_one_line_data_error_naming_the_file(tmp_path, make, name, fragment):
    path = make(tmp_path)
    with pytest.raises(DataError) as err:
        read_path(path)
    message = str(err.value)
    assert "\n" not in message
    assert name in message
    assert fragment in message


def test_label_column_is_refused_for_formats_without_columns(tmp_path):
    np.save(tmp_path / "x.npy", np.ones((2, 2)))
    with pytest.raises(DataError, match="label_column applies only to"):
        read_path(tmp_path / "x.npy", label_column=0)


def _valid_files(d):
    """One small valid file per binary format, as (name, bytes)."""
    np.save(d / "v.npy", np.arange(12.0).reshape(3, 4))
    np.savez_compressed(d / "v.npz", X=np.arange(12.0).reshape(3, 4), y=np.arange(3))
    write_png(d / "v.png")
    image = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    return {
        "v.npy": (d / "v.npy").read_bytes(),
        "v.npz": (d / "v.npz").read_bytes(),
        "v-ubyte": idx_bytes(image),
        "v-ubyte.gz": gzip.compress(idx_bytes(image)),
        "v.csv": b"a,b,c\n1,2,3\n4,5,6\n",
        "img/v.png": (d / "v.png").read_bytes(),
    }


def test_corrupted_or_truncated_files_only_ever_raise_data_error(tmp_path):
    # Regression net: numpy's header parser once leaked tokenize.TokenError, zipfile a
    # RuntimeError. Any non-DataError escaping a reader for bad content is a bug.
    rng = np.random.default_rng(0)
    for name, data in _valid_files(tmp_path).items():
        for trial in range(40):
            mutated = bytearray(data)
            if trial % 3 == 0:
                mutated = mutated[: rng.integers(len(mutated))]
            else:
                for position in rng.integers(len(mutated), size=3):
                    mutated[position] = rng.integers(256)
            path = tmp_path / f"{trial}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(mutated))
            try:
                read_path(path.parent if name.startswith("img/") else path)
            except DataError as err:
                assert "\n" not in str(err)
