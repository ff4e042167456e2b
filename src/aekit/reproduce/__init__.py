"""``aekit reproduce NAME``: a paper's own experiments, its numbers beside ours.

Each suite is a module with ``SECTIONS``, an ``Options`` dataclass and ``run(options,
command)``, writing ``benchmarks/results/NAME.md`` and its pictures beside it.
"""

from __future__ import annotations

SUITES = ("hinton2006", "ng-sparse", "iwae", "vincent2010", "rifai2011")
