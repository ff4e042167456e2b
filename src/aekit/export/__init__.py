"""Export fitted models for other runtimes: one ONNX file per model, checked on export.

>>> import tempfile
>>> from pathlib import Path
>>> import numpy as np
>>> from aekit import Autoencoder
>>> from aekit.export import export_onnx
>>> X = np.random.default_rng(0).random((100, 8), dtype=np.float32)
>>> ae = Autoencoder(hidden=(6,), code_size=2, epochs=2, random_state=0).fit(X)
>>> with tempfile.TemporaryDirectory() as folder:
...     report = export_onnx(ae, Path(folder) / "ae.onnx")
>>> report.inputs, report.outputs, report.check.passed
(('input',), ('code', 'reconstruction'), True)
"""

from aekit.export.onnx import ExportReport, export_onnx

__all__ = ["ExportReport", "export_onnx"]
