"""Where a benchmark figure comes from: the CPU it ran on and the git revision measured.

Imported by the benchmark scripts (run as ``python benchmarks/NAME.py``, so this folder is
on the path) to head their results files; the helpers themselves live in aekit, where
``aekit reproduce`` uses them too.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

from aekit.reproduce import provenance

ROOT = Path(__file__).resolve().parents[1]


def hardware() -> str:
    """The CPU's model name and its core count."""
    return provenance.hardware()


def revision() -> str:
    """The short git revision of this checkout, marked when src/ has uncommitted changes."""
    return provenance.revision(ROOT)


def heading(title: str, script: str, started: float, doc: str | None) -> list[str]:
    """A results file's first lines: the title, the command run (``script`` with this run's
    arguments), the revision, the CPU, the date (UTC), the wall time since ``started``
    (perf_counter) and the script's docstring from its second paragraph up to its usage line."""
    return [
        f"# {title}",
        "",
        f"- command: `{shlex.join(['python', script, *sys.argv[1:]])}`",
        f"- git revision: {revision()}",
        f"- hardware: {hardware()}",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- wall time: {time.perf_counter() - started:.0f} s",
        "",
        (doc or "").split("\n\n", 1)[1].split("    python")[0].strip(),
        "",
    ]
