"""What every suite shares: the options the command line gives it, and its results file's
opening lines (the command, the git revision, the hardware, the software)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aekit.reproduce.provenance import hardware, revision, software


@dataclass(frozen=True)
class SuiteOptions:
    """The options of ``aekit reproduce NAME``; a suite's ``Options`` adds its ``budget``."""

    quick: bool = False
    out: Path = Path("results.md")  # the command always names it: benchmarks/results/NAME.md
    mnist_dir: str | None = None
    fashion_dir: str | None = None
    sections: tuple[str, ...] = ()
    seed: int = 0

    @property
    def pictures(self) -> Path:
        """The folder of the results file's pictures: benchmarks/results/NAME/."""
        return self.out.with_suffix("")


def provenance_lines(command: str, quick_note: str | None) -> list[str]:
    """The first bullets of a results file; ``quick_note`` says what --quick left out."""
    return [
        f"command: `{command}`" + (f" ({quick_note})" if quick_note else ""),
        f"git revision: {revision()}",
        f"hardware: {hardware()}",
        f"software: {software()}",
    ]
