"""Where a measured figure comes from: the CPU, the git revision, the software, the date."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path


def hardware() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one), its cores, and the GPU.

    >>> "cores" in hardware()
    True
    """
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import torch

    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name()}; host {cpu}, {os.cpu_count()} cores"
    return f"{cpu}, {os.cpu_count()} cores, no GPU"


def revision(folder: str | os.PathLike[str] = ".") -> str:
    """The short git revision of ``folder``, marked when src/ has uncommitted changes."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=folder, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"], cwd=folder, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    if found.returncode != 0:
        return "unknown (not a git checkout)"
    return found.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def software() -> str:
    """torch, aekit and Python versions, and today's date (UTC)."""
    import torch

    from aekit._version import __version__

    today = datetime.now(UTC).date().isoformat()
    python = platform.python_version()
    return f"torch {torch.__version__}, aekit {__version__}, Python {python}, {today}"
