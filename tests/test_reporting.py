"""The figures: each writes a real PNG atomically, for images, colour and tabular data."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aekit.errors import ConfigError, DataError, OutputError
from aekit.reporting import plot_codes, plot_image_grid, plot_loss_curve, plot_reconstructions
from aekit.reporting.figures import _categories, _wants_log_scale

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RNG = np.random.default_rng(0)
HISTORY = {
    "loss": [40.0, 20.0, 9.0, 5.0, 3.5],
    "val_loss": [42.0, 22.0, 11.0, 7.0, 6.0],
    "reconstruction": [39.0, 19.0, 8.5, 4.6, 3.2],
    "val_reconstruction": [41.0, 21.0, 10.5, 6.6, 5.7],
    "sparsity": [1.0, 1.0, 0.5, 0.4, 0.3],
    "lr": [1e-3] * 5,
    "epoch_time": [0.2] * 5,
    "best_epoch": [4.0],
}


def png_size(path: Path) -> tuple[int, int]:
    """Check ``path`` is a non-empty PNG that Pillow reads; return its (width, height)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.load()
        return image.size


def only_file(folder: Path) -> Path:
    """The single file in ``folder``: no temporary file may be left beside it."""
    files = list(folder.iterdir())
    assert len(files) == 1, files
    return files[0]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "figures"
    folder.mkdir()
    return folder


def test_loss_curve_writes_png_and_leaves_no_temporary_file(out):
    written = plot_loss_curve(HISTORY, out / "loss.png", title="run 1")
    assert written == out / "loss.png"
    assert only_file(out) == written
    width, height = png_size(written)
    assert 300 < width < 2000 and 200 < height < 2000


def test_loss_curve_with_only_training_loss_and_a_non_finite_value(out):
    png_size(plot_loss_curve({"loss": [2.0, float("nan"), 1.0, float("inf")]}, out / "l.png"))


@pytest.mark.parametrize("history", [{}, {"loss": []}, {"lr": [0.1], "epoch_time": [1.0]}])
def test_loss_curve_without_loss_values_is_refused(out, history):
    with pytest.raises(DataError, match="no loss values"):
        plot_loss_curve(history, out / "loss.png")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("values", "log"),
    [
        ([[100.0, 5.0], [3.0]], True),  # positive, spans more than a factor 10
        ([[10.0, 2.0]], False),  # spans a factor 5 only
        ([[100.0, -1.0]], False),  # a negative log-likelihood can go below zero
        ([[100.0, 0.0]], False),
        ([[np.nan, 100.0, 1.0]], True),  # non-finite values are ignored
    ],
)
def test_loss_curve_is_logarithmic_only_for_positive_values_spanning_a_decade(values, log):
    assert _wants_log_scale([np.asarray(v) for v in values]) is log


def test_reconstructions_of_grayscale_images(out):
    X = RNG.uniform(size=(12, 64))
    written = plot_reconstructions(X, X * 0.9, (8, 8), out / "r.png", title="digits")
    width, height = png_size(written)
    assert width > 2 * height  # ten columns, two rows
    assert only_file(out) == written


def test_reconstructions_of_colour_images(out):
    X = RNG.uniform(size=(4, 3 * 10 * 12))
    written = plot_reconstructions(X, X + 0.5, (3, 10, 12), out / "colour.png")  # clipped
    png_size(written)


def test_reconstructions_show_fewer_columns_when_fewer_samples(out):
    X = RNG.uniform(size=(20, 16))
    wide = png_size(plot_reconstructions(X, X, (4, 4), out / "wide.png", n=8))[0]
    narrow = png_size(plot_reconstructions(X[:2], X[:2], (4, 4), out / "narrow.png", n=8))[0]
    assert narrow < wide / 2


def test_reconstructions_of_tabular_data_draw_one_panel_per_sample(out):
    X = RNG.normal(size=(7, 12))
    written = plot_reconstructions(X, X + 0.1, None, out / "tab.png", n=7)
    width, height = png_size(written)
    assert 500 < width < 3000 and 200 < height < 2000


@pytest.mark.parametrize(
    ("shape", "message"),
    [((5, 5), "do not fit"), ((2, 4, 2), "must be"), ((4, 4, 1), "must be")],
)
def test_reconstructions_refuse_an_image_shape_that_does_not_fit(out, shape, message):
    X = RNG.uniform(size=(3, 16))
    with pytest.raises(DataError, match=message):
        plot_reconstructions(X, X, shape, out / "r.png")
    assert list(out.iterdir()) == []


def test_reconstructions_refuse_mismatched_features_and_bad_n(out):
    X = RNG.uniform(size=(3, 16))
    with pytest.raises(DataError, match="features"):
        plot_reconstructions(X, X[:, :8], (4, 4), out / "r.png")
    with pytest.raises(ConfigError):
        plot_reconstructions(X, X, (4, 4), out / "r.png", n=0)


@pytest.mark.parametrize("n_components", [2, 30])
@pytest.mark.parametrize("label_kind", ["none", "classes", "continuous"])
def test_codes_scatter(out, n_components, label_kind):
    n = 300
    labels = {
        "none": None,
        "classes": RNG.integers(0, 10, size=n),
        "continuous": RNG.normal(size=n),
    }[label_kind]
    codes = RNG.normal(size=(n, n_components))
    written = plot_codes(codes, RNG.normal(size=(n, 2)), labels, out / "codes.png")
    width, height = png_size(written)
    assert 600 < width < 3000 and 300 < height < 2000
    assert only_file(out) == written


def test_codes_of_one_dimension_and_more_points_than_drawn(out):
    n = 6000  # above the 5000-point subsample
    png_size(plot_codes(RNG.normal(size=(n, 1)), RNG.normal(size=(n, 2)), None, out / "c.png"))


@pytest.mark.parametrize(
    ("labels", "categorical"),
    [
        (np.arange(20) % 3, True),
        (np.array([0.0, 1.0, 2.0] * 5), True),  # class labels read from a CSV as floats
        (np.arange(25), False),  # too many classes to tell apart: a colour scale
        (np.linspace(0, 1, 10), False),
        (np.array(["cat", "dog"] * 3), True),
    ],
)
def test_codes_colour_classes_by_category_and_other_labels_by_a_scale(labels, categorical):
    assert (_categories(labels) is not None) is categorical


def test_codes_refuse_mismatched_rows_and_non_finite_codes(out):
    with pytest.raises(DataError, match="same samples"):
        plot_codes(np.zeros((5, 2)), np.zeros((4, 2)), None, out / "c.png")
    with pytest.raises(DataError, match="labels"):
        plot_codes(np.zeros((5, 2)), np.zeros((5, 2)), np.arange(4), out / "c.png")
    with pytest.raises(DataError, match="NaN"):
        plot_codes(np.full((5, 2), np.nan), np.zeros((5, 2)), None, out / "c.png")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("normalise", [False, True])
def test_image_grid_wraps_rows(out, normalise):
    images = RNG.normal(size=(14, 36))
    images[3] = 0.0  # a constant image must not divide by zero when normalised
    written = plot_image_grid(images, (6, 6), out / "grid.png", n_cols=6, normalise=normalise)
    width, height = png_size(written)
    assert 1.4 < width / height < 3  # 6 columns, 3 rows
    assert only_file(out) == written


def test_image_grid_of_colour_images_with_title(out):
    images = RNG.uniform(size=(5, 3 * 8 * 8))
    png_size(plot_image_grid(images, (3, 8, 8), out / "grid.png", title="filters"))


def test_writing_replaces_an_existing_file(out):
    target = out / "loss.png"
    target.write_bytes(b"old")
    plot_loss_curve(HISTORY, target)
    png_size(target)
    assert only_file(out) == target


X16 = RNG.uniform(size=(4, 16))
WRITERS = {
    "loss": lambda p: plot_loss_curve(HISTORY, p),
    "reconstructions": lambda p: plot_reconstructions(X16, X16, (4, 4), p),
    "tabular": lambda p: plot_reconstructions(X16, X16, None, p),
    "codes": lambda p: plot_codes(X16, X16[:, :2], None, p),
    "grid": lambda p: plot_image_grid(X16, (4, 4), p),
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_writing_into_a_missing_folder_raises_output_error_and_leaves_nothing(tmp_path, name):
    with pytest.raises(OutputError, match="does not exist"):
        WRITERS[name](tmp_path / "missing" / "figure.png")
    assert list(tmp_path.iterdir()) == []


def test_figures_leave_pyplot_and_the_backend_alone(tmp_path):
    # A fresh interpreter: pyplot must never be imported, nor the backend chosen.
    script = textwrap.dedent(
        f"""
        import sys
        import matplotlib
        backend = matplotlib.rcParams._get("backend")
        from aekit.reporting import plot_loss_curve
        plot_loss_curve({{"loss": [2.0, 1.0]}}, {str(tmp_path / "l.png")!r})
        assert "matplotlib.pyplot" not in sys.modules
        assert matplotlib.rcParams._get("backend") == backend
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
