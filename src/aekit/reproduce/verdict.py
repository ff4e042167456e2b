"""One sentence comparing a figure of ours with a published one or a target, gap included."""

from __future__ import annotations


def verdict(what: str, ours: float, target: float, unit: str, *, higher: bool) -> str:
    """Whether ``ours`` meets ``target`` (``higher``: larger is better), and by how much.

    >>> verdict("SdA-3 test accuracy", 90.12, 90.5, "%", higher=True)
    'SdA-3 test accuracy 90.12 % against 90.5 %: missed by 0.38 points.'
    >>> verdict("CAE test error", 1.10, 1.14, "%", higher=False)
    'CAE test error 1.1 % against 1.14 %: met, by 0.04 points.'
    """
    gap = ours - target if higher else target - ours  # > 0: better than the target
    points = "points" if unit == "%" else unit
    head = f"{what} {ours:.4g} {unit} against {target:.4g} {unit}: "
    if gap >= 0:
        return head + f"met, by {gap:.2g} {points}."
    return head + f"missed by {-gap:.2g} {points}."
