"""A reproduction's results file: a Markdown page of settings, tables and pictures."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from aekit.io.atomic import atomic_write_text


def cell(value: object) -> str:
    """A table cell: floats to 4 significant digits, None as a dash, text as it is.

    >>> cell(3.14159), cell(None), cell(12), cell(1234.5)
    ('3.142', '—', '12', '1234')
    """
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


@dataclass
class Document:
    """Blocks of Markdown, written in one go (atomically) at the end of a run."""

    title: str
    blocks: list[str] = field(default_factory=list)

    def section(self, heading: str, *lines: str) -> None:
        self.blocks.append("\n".join([f"## {heading}", "", *lines]))

    def bullets(self, *items: str) -> None:
        self.blocks.append("\n".join(f"- {item}" for item in items))

    def text(self, *lines: str) -> None:
        self.blocks.append("\n".join(lines))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        right = ["--:" if all(_numeric(r[i]) for r in rows) else "---" for i in range(len(header))]
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(right) + "|"]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
        self.blocks.append("\n".join(lines))

    def picture(self, caption: str, relative_path: str) -> None:
        self.blocks.append(f"![{caption}]({relative_path})")

    def markdown(self) -> str:
        return "\n\n".join([f"# {self.title}", *self.blocks]) + "\n"

    def write(self, path: str | os.PathLike[str]) -> None:
        atomic_write_text(path, self.markdown())


def _numeric(value: object) -> bool:
    return value is None or isinstance(value, int | float)
