"""CSV / TSV / TXT tables: header detection, label columns, and errors with line numbers."""

import numpy as np
import pytest

from aekit.data import read_path
from aekit.errors import DataError


def _read(tmp_path, text, name="d.csv", **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_path(path, **kwargs)


@pytest.mark.parametrize("text", ["a,b\n1,2\n3,4\n", "1,2\n3,4\n", '"a","b"\n"1","2"\n3,4\n'])
def test_header_is_detected_only_when_present(tmp_path, text):
    data = _read(tmp_path, text)
    assert data.X_train.dtype == np.float32 and data.image_shape is None
    np.testing.assert_array_equal(data.X_train, [[1, 2], [3, 4]])


def test_text_label_column_by_name_is_encoded(tmp_path):
    data = _read(tmp_path, "x,y,species\n1,2,cat\n3,4,dog\n5,6,cat\n", label_column="species")
    np.testing.assert_array_equal(data.X_train, [[1, 2], [3, 4], [5, 6]])
    assert data.y_train.tolist() == [0, 1, 0] and data.label_names == ("cat", "dog")


def test_text_label_column_without_header_by_index(tmp_path):
    data = _read(tmp_path, "1,2,cat\n3,4,dog\n", label_column=2)
    np.testing.assert_array_equal(data.X_train, [[1, 2], [3, 4]])
    assert data.y_train.tolist() == [0, 1]


def test_numeric_label_column_keeps_numbers(tmp_path):
    data = _read(tmp_path, "7,1,2\n9,3,4\n", label_column=0)
    assert data.y_train.tolist() == [7, 9] and data.y_train.dtype == np.int64
    data = _read(tmp_path, "1,2,0.5\n3,4,1.5\n", label_column=-1)
    assert data.y_train.tolist() == [0.5, 1.5] and data.label_names is None


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("d.txt", "# a b\n1.0 2.0\n3.0   4.0\n"),  # np.savetxt's default, with its header
        ("d.tsv", "a\tb\n1\t2\n3\t4\n"),
        ("d.csv", "a;b\n1;2\n3;4\n"),
        ("d.csv", "\ufeffa,b\n\n1, 2\n3 ,4\n\n"),  # byte-order mark, blank lines, spaces
    ],
)
def test_delimiters_comments_and_blank_lines(tmp_path, name, text):
    np.testing.assert_array_equal(_read(tmp_path, text, name).X_train, [[1, 2], [3, 4]])


def test_savetxt_output_reads_back(tmp_path):
    X = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    np.savetxt(tmp_path / "x.csv", X, delimiter=",", fmt="%.9g")
    np.testing.assert_array_equal(read_path(tmp_path / "x.csv").X_train, X)


def test_error_line_numbers_count_blank_lines_and_span_chunks(tmp_path):
    with pytest.raises(DataError, match="line 4: expected 2 fields, found 1"):
        _read(tmp_path, "a,b\n\n1,2\n1\n")
    rows = "\n".join(f"{i},{i}" for i in range(5000)) + "\n1,oops\n"
    with pytest.raises(DataError, match=r"column 2 \('oops' on line 5001\)"):
        _read(tmp_path, rows)


def test_many_text_columns_are_summarised(tmp_path):
    with pytest.raises(DataError, match="and 2 more$"):
        _read(tmp_path, "1,a,b,c,d,e,f,g\n2,a,b,c,d,e,f,g\n")


@pytest.mark.parametrize(
    ("text", "label_column", "fragment"),
    [
        ("1,2\n3,4\n", "y", "label column 'y' not found: the file has no header row"),
        ("a,b\n1,2\n", "y", "no column named 'y' (columns: 'a', 'b')"),
        ("1,2\n3,4\n", 2, "label column 2 out of range: the file has 2 columns"),
        ("1\n2\n", 0, "no feature columns left"),
        ("a,y\n1,2\n3,nan\n", "y", "NaN at position 1"),
    ],
)
def test_bad_label_columns(tmp_path, text, label_column, fragment):
    with pytest.raises(DataError) as err:
        _read(tmp_path, text, label_column=label_column)
    assert fragment in str(err.value) and "d.csv" in str(err.value)
