"""The curves images regenerated after Hinton & Salakhutdinov (2006)."""

import numpy as np

from aekit.data import curves
from aekit.data.curves import make_curves, pixel_statistics
from aekit.datasets import load


def test_each_image_is_one_stroke_unless_the_spline_leaves_the_frame():
    from scipy.ndimage import label

    X = make_curves(50, random_state=1).reshape(-1, 28, 28)
    assert X.min() == 0.0 and X.max() == 1.0
    rng = np.random.default_rng(1)  # the same control points make_curves drew
    for image, (xs, ys) in zip(X, curves._control_points(50, rng), strict=True):
        _, pieces = label(image > 0, structure=np.ones((3, 3)))
        path = curves._pen_path(xs, ys)
        leaves = path.min() < 0 or path.max() >= 28
        assert pieces == 1 or (leaves and pieces == 2)  # the pen lifts only off the frame
        # The first control point has x >= 2: nothing is inked left of column 1.
        assert image[:, :1].max() == 0.0


def test_control_points_keep_the_papers_constraints():
    xs, ys = zip(*curves._control_points(500, np.random.default_rng(0)), strict=True)
    xs, ys = np.array(xs), np.array(ys)
    assert (np.diff(xs, axis=1) >= curves.MIN_GAP).all()
    assert xs.min() >= curves.LOW and max(xs.max(), ys.max()) <= curves.HIGH
    assert ys.min() >= curves.LOW


def test_the_pen_inks_a_straight_line_with_full_ink_on_it_and_anti_aliased_edges():
    image = np.zeros(28 * 28, np.float32)
    curves._ink(image, curves._pen_path(np.array([4.0, 14.0, 24.0]), np.array([10.25] * 3)))
    column = image.reshape(28, 28)[:, 14]  # pixel centres at 9.5, 10.5, 11.5: 0.75, 0.25, 1.25 off
    np.testing.assert_allclose(column[8:13], [0.0, 0.75, 1.0, 0.25, 0.0], atol=1e-6)


def test_the_dataset_has_the_papers_sizes_and_is_seeded():
    data = load("curves", n_samples=40, random_state=2)
    assert data.X_train.shape == (40, 784) and data.X_test.shape == (20, 784)
    assert data.image_shape == (28, 28) and data.y_train is None
    np.testing.assert_array_equal(
        data.X_train, load("curves", n_samples=40, random_state=2).X_train
    )
    assert not np.array_equal(data.X_train, load("curves", n_samples=40, random_state=3).X_train)
    stats = pixel_statistics(data.X_train)
    assert 0.02 < stats["mean_intensity"] < stats["inked_fraction"] < 0.2
