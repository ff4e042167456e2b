"""The report as ONE self-contained HTML file: template, style, script and data inline.

Nothing in the page comes from the network: its Content-Security-Policy allows inline
script and style and ``data:`` images only, so even a stray URL could not load. The data
travel as JSON inside ``<script type="application/json">`` with ``<``, ``>`` and ``&``
written as ``\\u003c``, ``\\u003e`` and ``\\u0026``, so no string from the data (a column
name, a label, a file name) can end the script element; the script writes every string
into the page as text (``textContent``), never as markup.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from aekit.io.atomic import atomic_write_text
from aekit.reporting.html.collect import collect
from aekit.reporting.html.decoder_js import MAX_DECODER_WEIGHTS
from aekit.reporting.html.inputs import ReportInputs
from aekit.reporting.html.sprite import fit_sprites

BASE_BYTES = 600_000  # the page's budget: this, plus PER_POINT_BYTES for each map point
PER_POINT_BYTES = 500  # 2,000 points: 1.6 MB (limit 2 MB); 10,000: 5.6 MB (limit 6 MB)
ASSETS = ("template.html", "report.css", "report.js")
MAX_RETRIES = 3  # a page over budget is written again with fewer points, at most this often
_SLOT = re.compile(r"\{\{(css|js|data)\}\}")


@dataclass
class Written:
    """What :func:`write_report` wrote, for the command to say."""

    path: Path
    n_bytes: int
    n_points: int
    decoded_in_page: bool
    quality: str | None  # of the map's thumbnails; None for a table


def budget(n_points: int) -> int:
    """The most bytes a page of ``n_points`` map points is meant to take."""
    return BASE_BYTES + PER_POINT_BYTES * n_points


def write_report(
    run: ReportInputs,
    out: str | os.PathLike[str],
    *,
    n_points: int = 2000,
    decoder_budget: int = MAX_DECODER_WEIGHTS,
) -> Written:
    """Write the report of ``run`` to ``out`` (atomically: no half-written file).

    A page over its budget even at the smallest thumbnails (a table of many columns, whose
    rows the map keeps for its bar view) is written again with fewer map points, and says so.
    """
    limit = budget(min(n_points, run.X_eval.shape[0]))
    shown = n_points
    for _ in range(MAX_RETRIES):
        html, payload, quality = _page(run, shown, decoder_budget, limit)
        if len(html) <= limit or payload["map"]["n"] < 2:
            break
        shown = max(1, int(payload["map"]["n"] * 0.9 * limit / len(html)))
    if shown < n_points:
        payload["map"]["reduced"] = {"asked": n_points, "limit": limit}
        html = render(payload)
    atomic_write_text(out, html)
    return Written(
        Path(out),
        len(html.encode("utf-8")),
        payload["map"]["n"],
        payload["decoder"]["packed"],
        quality,
    )


def _page(
    run: ReportInputs, n_points: int, decoder_budget: int, limit: int
) -> tuple[str, dict[str, Any], str | None]:
    """The page of ``n_points`` map points, its record, and its thumbnails' quality."""
    payload, heavy = collect(run, n_points, decoder_budget)
    quality = None
    if heavy:
        assert run.image_shape is not None  # only images have sprites
        rest = len(render(payload))  # everything but the map's sprites
        sprites, chosen = fit_sprites(heavy, run.image_shape, max(0, limit - rest))
        _, h, w = run.image_shape
        quality = chosen.describe(h, w)
        payload["map"]["sprites"] = sprites
        payload["map"]["quality"] = quality
    return render(payload), payload, quality


def render(payload: dict[str, Any]) -> str:
    """The HTML page of ``payload``."""
    assets = {name: _asset(name) for name in ASSETS}
    for name, closing in (("report.js", "</script"), ("report.css", "</style")):
        if closing in assets[name].lower():  # would end its element early
            raise AssertionError(f"{name} holds {closing!r}")
    slots = {"css": assets["report.css"], "js": assets["report.js"], "data": data_json(payload)}
    # one pass over the template: what is put in a slot is never scanned for slots again
    return _SLOT.sub(lambda m: slots[m.group(1)], assets["template.html"])


def data_json(payload: Any) -> str:
    """``payload`` as JSON safe inside a script element (ASCII; no ``<``, ``>``, ``&``).

    Examples
    --------
    >>> data_json({"name": "</script><b>&"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(_finite(payload), ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _finite(value: Any) -> Any:
    """NaN and infinities as None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _asset(name: str) -> str:
    return resources.files("aekit.reporting.html").joinpath(name).read_text(encoding="utf-8")
