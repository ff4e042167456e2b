"""Delimited text tables (``.csv``, ``.tsv``, ``.txt``) read with the ``csv`` module and NumPy.

The first row is a header when it holds text above numbers (or only text). Every problem is
reported with the file line and the column name (or 1-based number when there is no header).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from aekit.data._files import first_line
from aekit.data.dataset import Dataset
from aekit.data.validation import check_array, check_labels
from aekit.errors import DataError

Row = tuple[int, list[str]]  # (file line number, fields)

_CHUNK_ROWS = 4096  # rows parsed by NumPy at once: fast, and the strings are freed soon
_MAX_LISTED = 5  # bad columns named in one message


def read_delimited(path: Path, *, label_column: str | int | None = None) -> Dataset:
    """Read a numeric table; ``label_column`` (header name or 0-based index) becomes labels."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return _parse(_rows(fh, path), path, label_column)
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or first_line(exc)})") from None


def _rows(fh: TextIO, path: Path) -> Iterator[Row]:
    """Non-blank rows that are not ``#`` comments (``np.savetxt`` writes its header so)."""
    delimiter = _delimiter(fh.read(1 << 16), path.suffix.lower())
    fh.seek(0)
    if delimiter is None:  # whitespace-separated, as np.savetxt writes by default
        rows: Iterator[Row] = ((n, line.split()) for n, line in enumerate(fh, start=1))
    else:
        reader = csv.reader(fh, delimiter=delimiter)
        rows = _numbered(reader, path)
    for n, row in rows:
        if any(field.strip() for field in row) and not row[0].lstrip().startswith("#"):
            yield n, row


def _numbered(reader: Any, path: Path) -> Iterator[Row]:
    """Rows of a ``csv.reader`` with the line each ends on."""
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise DataError(f"{path} line {reader.line_num}: {first_line(exc)}") from None


def _delimiter(sample: str, suffix: str) -> str | None:
    if suffix == ".tsv":
        return "\t"
    lines = (line for line in sample.splitlines() if line.strip() and not line.startswith("#"))
    line = next(lines, "")
    for candidate in (",", "\t", ";"):
        if candidate in line:
            return candidate
    return None if len(line.split()) > 1 else ","


def _parse(rows: Iterator[Row], path: Path, label_column: str | int | None) -> Dataset:
    first = next(rows, None)
    if first is None:
        raise DataError(f"{path}: no data (the file is empty)")
    second = next(rows, None)
    header = first[1] if _is_header(first[1], second[1] if second else None) else None
    data_rows = itertools.chain([] if header else [first], [second] if second else [], rows)
    n_fields = len(first[1])
    names = [h.strip() for h in header] if header else None
    label_index = _label_index(label_column, names, n_fields, path)
    features = [i for i in range(n_fields) if i != label_index]
    if not features:
        raise DataError(f"{path}: no feature columns left after taking the label column")

    table = _Table(path, n_fields, label_index, features, names)
    for line, row in data_rows:
        table.add(line, row)
    X, labels, lines = table.finish()
    if len(X) == 0:
        raise DataError(f"{path}: no data rows (only a header)")
    _check_finite(X, lines, path, [table.column_name(i) for i in features])
    X = check_array(X, name=str(path))
    label_names = None
    y: np.ndarray | None = None
    if label_index is None:
        description = f"table {path.name}"
    else:
        y, label_names = _encode_labels(labels, path, table.column_name(label_index))
        description = f"table {path.name}, labels from {table.column_name(label_index)}"
    label_name = None if label_index is None else (names[label_index] if names else label_index)
    return Dataset(
        path.name,
        X,
        y,
        description=description,
        label_names=label_names,
        feature_names=tuple(names[i] for i in features) if names else None,
        label_column=label_name,
    )


class _Table:
    """Accumulates rows in float32 blocks, or, once a text value is seen, only the errors."""

    def __init__(
        self,
        path: Path,
        n_fields: int,
        label_index: int | None,
        features: list[int],
        names: list[str] | None,
    ) -> None:
        self.path, self.n_fields, self.label_index = path, n_fields, label_index
        self.features, self.names = features, names
        self.blocks: list[np.ndarray] = []
        self.chunk: list[list[str]] = []
        self.chunk_lines: list[int] = []
        self.lines: list[int] = []
        self.labels: list[str] = []
        self.bad: dict[int, tuple[str, int]] = {}  # column -> (first bad value, its line)

    def add(self, line: int, row: list[str]) -> None:
        if len(row) != self.n_fields:
            raise DataError(
                f"{self.path} line {line}: expected {self.n_fields} fields, found {len(row)}"
            )
        if self.label_index is not None:
            self.labels.append(row[self.label_index].strip())
            row = [row[i] for i in self.features]
        self.chunk.append(row)
        self.chunk_lines.append(line)
        if len(self.chunk) >= _CHUNK_ROWS:
            self._flush()

    def finish(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        self._flush()
        if self.bad:
            raise DataError(self._bad_columns_message())
        X = np.concatenate(self.blocks) if self.blocks else np.empty((0, len(self.features)))
        return X, self.labels, np.asarray(self.lines)

    def column_name(self, index: int | None) -> str:
        if self.names is not None and index is not None:
            return repr(self.names[index])
        return f"column {index + 1 if index is not None else '?'}"

    def _flush(self) -> None:
        if not self.chunk:
            return
        block = None
        if not self.bad:  # once the table is known bad, only look for more bad columns
            try:
                block64 = np.array(self.chunk, dtype=np.float64)
            except ValueError:
                pass
            else:
                with np.errstate(over="ignore"):  # reported below with its line and column
                    block = block64.astype(np.float32)
                self._check_overflow(block64, block)
        if block is not None:
            self.blocks.append(block)
            self.lines.extend(self.chunk_lines)
        else:
            self._scan_for_text()
            if not self.bad:  # NumPy refused a value that float() accepts: never drop rows
                lines = f"{self.chunk_lines[0]}-{self.chunk_lines[-1]}"
                raise DataError(f"{self.path} lines {lines}: cannot parse as numbers")
        self.chunk, self.chunk_lines = [], []

    def _check_overflow(self, block64: np.ndarray, block: np.ndarray) -> None:
        """A finite value that float32 cannot hold: refuse it rather than read it as inf."""
        overflow = np.isinf(block) & np.isfinite(block64)
        if overflow.any():
            row, column = (int(i) for i in np.argwhere(overflow)[0])
            name = _in_column(self.column_name(self.features[column]))
            raise DataError(
                f"{self.path} line {self.chunk_lines[row]}: value {_short(self.chunk[row][column])}"
                f" in {name} is too large for float32"
            )

    def _scan_for_text(self) -> None:
        for line, row in zip(self.chunk_lines, self.chunk, strict=True):
            for j, value in enumerate(row):
                column = self.features[j]
                if column not in self.bad and not _is_number(value):
                    self.bad[column] = (value, line)

    def _bad_columns_message(self) -> str:
        columns = sorted(self.bad)
        parts = [
            f"{self.column_name(c)} ({_short(self.bad[c][0])} on line {self.bad[c][1]})"
            for c in columns[:_MAX_LISTED]
        ]
        more = f" and {len(columns) - _MAX_LISTED} more" if len(columns) > _MAX_LISTED else ""
        hint = " (pass label_column if it holds labels)" if len(columns) == 1 else ""
        return f"{self.path}: non-numeric columns: {', '.join(parts)}{more}{hint}"


def _is_header(first: list[str], second: list[str] | None) -> bool:
    """Text in the first row above a number in the second, or a first row of text only."""
    text = [not _is_number(v) for v in first]
    if not any(text):
        return False
    if all(text):
        return True
    if second is None or len(second) != len(first):
        return False
    return any(t and _is_number(v) for t, v in zip(text, second, strict=True))


def _label_index(
    label_column: str | int | None, names: list[str] | None, n_fields: int, path: Path
) -> int | None:
    if label_column is None:
        return None
    if isinstance(label_column, str):
        if names is None:
            raise DataError(
                f"{path}: label column {label_column!r} not found: the file has no header row"
            )
        if label_column not in names:
            shown = ", ".join(repr(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
            raise DataError(f"{path}: no column named {label_column!r} (columns: {shown})")
        return names.index(label_column)
    if not -n_fields <= label_column < n_fields:
        raise DataError(
            f"{path}: label column {label_column} out of range: the file has {n_fields} columns"
        )
    return label_column % n_fields


def _check_finite(X: np.ndarray, lines: np.ndarray, path: Path, names: list[str]) -> None:
    with np.errstate(invalid="ignore"):  # inf + -inf: NaN, a finding, not a warning
        total = X.sum(dtype=np.float64)
    if np.isfinite(total):
        return
    bad = ~np.isfinite(X)
    row, column = divmod(int(np.argmax(bad.ravel())), X.shape[1])
    kind = "NaN" if np.isnan(X[row, column]) else "inf"
    raise DataError(f"{path} line {lines[row]}: {kind} in {_in_column(names[column])}")


def _encode_labels(
    labels: list[str], path: Path, column: str
) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Numeric labels stay numbers (integers when whole); text labels become 0..k-1 codes."""
    name = f"{path} {column}"
    try:
        values = np.array(labels, dtype=np.float64)
    except ValueError:
        names, codes = np.unique(np.array(labels), return_inverse=True)
        return codes.astype(np.int64), tuple(str(n) for n in names)
    check_labels(values, len(labels), name=name)
    if np.all(values == np.round(values)) and np.abs(values).max() < 2**53:
        return values.astype(np.int64), None
    return values, None


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _in_column(name: str) -> str:
    """How a message names a column: column 'b', or column 2 (never column column 2)."""
    return name if name.startswith("column ") else f"column {name}"


def _short(value: str) -> str:
    return repr(value) if len(value) <= 30 else repr(value[:27] + "...")
