"""The ODDS outlier tables the benchmarks read (from ../shared/data/odds/, never copied here)."""

from pathlib import Path

ODDS_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "odds"
ODDS = (
    "arrhythmia",
    "cardio",
    "glass",
    "ionosphere",
    "letter",
    "lympho",
    "mnist",
    "musk",
    "optdigits",
    "pendigits",
    "pima",
)
