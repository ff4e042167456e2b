"""check_array / check_labels: float32 C-contiguous matrices, or one clear error line."""

from decimal import Decimal

import numpy as np
import pytest

from aekit.data import check_array, check_labels
from aekit.errors import DataError


def test_float32_c_contiguous_matrix_is_returned_without_copy():
    X = np.ones((4, 3), dtype=np.float32)
    assert check_array(X) is X


def test_lists_and_other_dtypes_become_float32_c_contiguous():
    out = check_array([[1, 2], [3, 4]])
    assert out.dtype == np.float32 and out.flags.c_contiguous
    np.testing.assert_array_equal(out, [[1, 2], [3, 4]])
    fortran = np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3))
    out = check_array(fortran)
    assert out.flags.c_contiguous and out.dtype == np.float32
    np.testing.assert_array_equal(out, fortran)
    assert check_array(np.array([[True, False]])).tolist() == [[1.0, 0.0]]


def test_object_array_of_numbers_is_accepted():
    X = np.array([[1, 2.5], [3, Decimal("4")]], dtype=object)
    np.testing.assert_array_equal(check_array(X), [[1, 2.5], [3, 4]])


def test_object_that_is_no_number_is_also_a_type_error():
    # scikit-learn raises TypeError here; catching either DataError or TypeError works.
    with pytest.raises(TypeError, match="row 0, column 1"):
        check_array(np.array([[1.0, {"a": 1}]], dtype=object))
    with pytest.raises(DataError, match="Complex data not supported"):
        check_array(np.ones((2, 2), dtype=complex))


def test_images_are_flattened_unless_refused():
    images = np.zeros((5, 8, 8), dtype=np.uint8)
    assert check_array(images).shape == (5, 64)
    with pytest.raises(DataError, match=r"got shape \(5, 8, 8\)"):
        check_array(images, allow_images=False)


def test_rank_one_is_refused_with_its_shape():
    with pytest.raises(DataError) as err:
        check_array(np.arange(5))
    message = str(err.value)
    assert message.startswith("data: expected a 2-D array (n_samples, n_features), got shape (5,)")
    assert "Reshape your data" in message  # the words scikit-learn's checks look for


@pytest.mark.parametrize(("shape", "what"), [((0, 3), "0 sample(s)"), ((3, 0), "0 feature(s)")])
def test_empty_data_is_refused(shape, what):
    with pytest.raises(DataError) as err:
        check_array(np.zeros(shape), name="X")
    assert str(err.value).startswith(f"X: empty data: {what} (shape={shape})")


def test_feature_count_must_match_the_model():
    with pytest.raises(DataError) as err:
        check_array(np.zeros((2, 32)), n_features=64)
    assert str(err.value) == "data: expected 64 features (as the model was trained), found 32"


@pytest.mark.parametrize(("value", "kind"), [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "inf")])
def test_non_finite_value_is_located(value, kind):
    X = np.zeros((6, 7))
    X[3, 5] = value
    X[4, 1] = value  # a later one must not be reported
    with pytest.raises(DataError) as err:
        check_array(X, name="x.npy")
    assert str(err.value) == f"x.npy: contains {kind} at row 3, column 5"


def test_value_overflowing_float32_is_reported_not_turned_into_inf():
    X = np.zeros((2, 2))
    X[1, 0] = 1e300
    with pytest.raises(DataError, match="row 1, column 0 is too large for float32"):
        check_array(X)


@pytest.mark.parametrize(
    "X",
    [
        np.array([["a", "b"]]),
        np.array([[1.0, "x"]], dtype=object),
        np.array([[1.0, None]], dtype=object),
        np.array([["2020-01-01"]], dtype="datetime64[D]"),
    ],
)
def test_non_numeric_data_is_refused(X):
    with pytest.raises(DataError, match="non-numeric"):
        check_array(X, name="X")


def test_ragged_lists_are_refused_in_one_line():
    with pytest.raises(DataError) as err:
        check_array([[1, 2], [3]])
    assert "\n" not in str(err.value)


def test_labels_are_checked_for_rank_length_and_nan():
    np.testing.assert_array_equal(check_labels(["a", "b"], 2), ["a", "b"])
    with pytest.raises(DataError, match="expected 3 labels"):
        check_labels([0, 1], 3)
    with pytest.raises(DataError, match="1-D"):
        check_labels(np.zeros((3, 1)), 3)
    with pytest.raises(DataError, match="NaN at position 1"):
        check_labels([0.0, np.nan], 2)
