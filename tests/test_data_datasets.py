"""Named datasets: shapes, ranges, fixed splits, local folders, and clear errors."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

import aekit.datasets
from aekit.data import DATASET_NAMES, list_datasets, load
from aekit.data import datasets as registry
from aekit.errors import AekitError, DataError

DEBIAN_FASHION = Path(registry.FASHION_MNIST_DEBIAN_DIR)


def _write_idx(path, arr):
    head = bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    path.write_bytes(gzip.compress(head + arr.tobytes()))


def _tiny_mnist(folder, n_train=8, n_test=4):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        _write_idx(folder / f"{prefix}-images-idx3-ubyte.gz",
                   rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))  # fmt: skip
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", np.arange(n, dtype=np.uint8) % 10)
    return folder


def test_digits_is_the_fixed_stratified_split_in_unit_range():
    data = load("digits")
    assert data.X_train.shape == (1437, 64) and data.X_test.shape == (360, 64)
    assert data.X_train.dtype == np.float32 and data.image_shape == (8, 8)
    assert data.X_all().min() == 0 and data.X_all().max() == 1
    assert np.bincount(data.y_test).min() >= 35  # stratified: every digit is in the test part
    # The split ignores random_state, so digits results compare across seeds.
    np.testing.assert_array_equal(load("digits", random_state=5).X_test, data.X_test)


def test_digits_subset_keeps_the_test_fraction():
    data = load("digits", n_samples=100, random_state=1)
    assert data.X_train.shape == (100, 64) and len(data.X_test) == 25
    assert not np.array_equal(data.X_train, load("digits", n_samples=100).X_train)


@pytest.mark.parametrize("name", ["swiss-roll", "s-curve"])
def test_manifolds_are_3d_tables_labelled_by_position(name):
    data = load(name)
    assert data.X_train.shape == (2400, 3) and data.X_test.shape == (600, 3)
    assert data.image_shape is None and data.y_train.dtype == np.float32
    small = load(name, n_samples=50, random_state=3)
    assert small.X_train.shape == (40, 3)
    np.testing.assert_array_equal(small.X_train, load(name, n_samples=50, random_state=3).X_train)


@pytest.mark.parametrize("spelling", ["Fashion_MNIST", "fashion-mnist", "FASHIONMNIST"])
def test_names_are_case_insensitive_with_aliases(tmp_path, spelling):
    data = load(spelling, path=str(_tiny_mnist(tmp_path / "f")))
    assert data.name == "fashion-mnist"
    # Labels 0..9 name the clothes (the dataset's README): 6 is the hardest class, shirts.
    assert data.label_names[6] == "Shirt" and len(data.label_names) == 10
    assert load("mnist", path=str(_tiny_mnist(tmp_path / "m"))).label_names is None


def test_local_mnist_folder_from_path_or_environment(tmp_path, monkeypatch):
    folder = _tiny_mnist(tmp_path / "m")
    data = load("mnist", path=str(folder))
    assert data.X_train.shape == (8, 784) and data.X_test.shape == (4, 784)
    assert data.image_shape == (28, 28) and data.y_train.tolist() == list(range(8))
    monkeypatch.setenv("AEKIT_MNIST", str(folder))
    assert load("mnist").X_train.shape == (8, 784)


def test_missing_local_data_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv("AEKIT_MNIST", raising=False)
    monkeypatch.delenv("AEKIT_FASHION_MNIST", raising=False)
    with pytest.raises(DataError, match="AEKIT_MNIST"):
        load("mnist")
    monkeypatch.setattr(registry, "FASHION_MNIST_DEBIAN_DIR", str(tmp_path / "absent"))
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist"):
        load("fashion-mnist")
    with pytest.raises(DataError, match="no such folder"):
        load("fashion-mnist", path=str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="missing train-images-idx3-ubyte"):
        load("fashion-mnist", path=str(tmp_path / "empty"))


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(DataError) as err:
        load("cifar")
    assert all(name in str(err.value) for name in DATASET_NAMES)


@pytest.mark.parametrize(
    "kwargs", [{"n_samples": 1}, {"n_samples": 2.5}, {"n_samples": 5000}, {"path": "x"}]
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(AekitError):
        load("digits", **kwargs)


def test_listing_and_public_module():
    names = [name for name, _ in list_datasets()]
    assert names == list(DATASET_NAMES)
    assert {"digits", "fashion-mnist", "mnist", "swiss-roll", "s-curve"} <= set(names)
    assert all(description and "\n" not in description for _, description in list_datasets())
    assert aekit.datasets.load is load


@pytest.mark.skipif(
    not DEBIAN_FASHION.is_dir(), reason="needs apt-get install dataset-fashion-mnist"
)
def test_fashion_mnist_from_the_debian_package(monkeypatch):
    monkeypatch.delenv("AEKIT_FASHION_MNIST", raising=False)
    data = load("fashion-mnist")
    assert data.X_train.shape == (60000, 784) and data.X_test.shape == (10000, 784)
    assert data.X_train.dtype == np.float32 and data.image_shape == (28, 28)
    assert 0 <= data.X_all().min() and data.X_all().max() <= 1
    assert set(np.unique(data.y_all())) == set(range(10))
