"""Where a benchmark figure comes from: the CPU it ran on and the git revision measured.

Imported by the benchmark scripts (run as ``python benchmarks/NAME.py``, so this folder is
on the path) to head their results files; the helpers themselves live in aekit, where
``aekit reproduce`` uses them too.
"""

from __future__ import annotations

from pathlib import Path

from aekit.reproduce import provenance

ROOT = Path(__file__).resolve().parents[1]


def hardware() -> str:
    """The CPU's model name and its core count."""
    return provenance.hardware()


def revision() -> str:
    """The short git revision of this checkout, marked when src/ has uncommitted changes."""
    return provenance.revision(ROOT)
