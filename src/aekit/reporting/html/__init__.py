"""The self-contained HTML report of a run (``aekit report``): one file, no network.

:func:`report_inputs` gathers a run (its folder, estimator and data split as in training);
:func:`write_report` writes the page. The parts: :mod:`.collect` (the numbers and arrays),
:mod:`.latent_map`, :mod:`.decoder_js` (the decoder packed for the page), :mod:`.anchors`
(interpolations decoded beforehand, where the page cannot decode), :mod:`.sprite`
(thumbnails as one PNG), :mod:`.page` (the HTML), and ``report.js`` / ``report.css`` /
``template.html``, inlined when the page is written.
"""

from aekit.reporting.html.inputs import ReportInputs, report_inputs
from aekit.reporting.html.page import Written, budget, write_report

__all__ = ["ReportInputs", "Written", "budget", "report_inputs", "write_report"]
