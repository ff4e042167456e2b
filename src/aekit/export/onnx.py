"""Export a fitted model to one ``.onnx`` file, checked against onnxruntime before it is kept.

The graph (:mod:`aekit.export.graphs`) is traced by torch's ``torch.export``-based exporter
(``torch.onnx.export(..., dynamo=True)``, which needs onnxscript; the TorchScript exporter is
deprecated) at ONNX opset 18, with a dynamic batch size, weights inside the file. It is
written to a temporary file, run with onnxruntime on sample rows at two batch sizes and
compared with the estimator's own methods (:mod:`aekit.export.check`); only a file that
passes is renamed onto the destination.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from aekit._version import __version__
from aekit.errors import AekitError, OutputError
from aekit.estimators.inference import fitted_input
from aekit.estimators.persistence import saved_name
from aekit.export.check import CHECK_ROWS, Check, run_check, sample_rows
from aekit.export.graphs import Arrays, Graph, autoencoder_of, graph_for
from aekit.io.atomic import atomic_path

OPSET = 18  # run by onnxruntime >= 1.14 and most other runtimes
PACKAGES = ("onnx", "onnxscript", "onnxruntime")  # the exporter's and the check's
MAX_BYTES = 2**31 - 2**24  # protobuf's 2 GiB limit on one file, with room for the graph


@dataclass
class ExportReport:
    """What :func:`export_onnx` wrote and how its check went."""

    path: Path
    n_bytes: int
    opset: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    check: Check


def export_onnx(
    model: Any,
    path: str | os.PathLike[str],
    *,
    decoder: bool = False,
    rows: Any = None,
    overwrite: bool = False,
) -> ExportReport:
    """Write ``model`` to the ONNX file ``path``, checked against onnxruntime.

    Parameters
    ----------
    model : fitted aekit autoencoder, PretrainedClassifier or AnomalyDetector
    path : str or path-like
        Destination ending in ``.onnx``; one file, weights included.
    decoder : bool, default=False
        Export the decoder alone: input ``code`` (batch, code_size), output ``decoded``
        (``inverse_transform``). Otherwise input ``input`` (batch, n_features, images as flat
        rows) and outputs ``code`` and ``reconstruction``, plus ``probabilities`` for a
        classifier and ``score`` for a detector (whose VAE member adds the input ``noise``).
    rows : array-like of shape (n_samples, n_features) or None, default=None
        Rows to check on (the first 256); None: made-up rows spread as the training data.
    overwrite : bool, default=False
        Replace an existing file (only once the new one has passed its check).

    Returns
    -------
    ExportReport
        The file, its size, names, and the largest difference of each output.
    """
    require_onnx()
    out = check_onnx_output(path, overwrite=overwrite, hint="overwrite=True")
    graph = graph_for(model, decoder=decoder)
    _check_size(graph, out)
    member = autoencoder_of(model)
    if rows is None:
        sample = sample_rows(member.scaler_)
    else:
        sample = fitted_input(member, rows)[:CHECK_ROWS]
    feeds = graph.feeds(sample)
    expected = graph.expected(feeds)
    with atomic_path(out) as tmp:
        program = _exported(graph, feeds)
        program.model.metadata_props.update(_metadata(model, graph, decoder))
        with _quiet():
            program.save(tmp, external_data=False)
        check = run_check(tmp, feeds, expected)
        if not check.passed:  # raising here removes the temporary file: nothing is written
            name, gap = check.worst
            raise AekitError(
                f"check failed: the ONNX file's {name} differs from the model's by {gap:.3g} "
                f"(tolerance {check.tolerance:g}); {out} not written"
            )
    return ExportReport(
        out, out.stat().st_size, OPSET, graph.input_names, graph.output_names, check
    )


def require_onnx() -> None:
    """Fail with one line saying what to install when the ONNX packages are missing."""
    missing = []
    for name in PACKAGES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise AekitError(
            f"ONNX export needs {', '.join(missing)}, not installed: pip install aekit[onnx]"
        )


def check_onnx_output(path: str | os.PathLike[str], *, overwrite: bool, hint: str) -> Path:
    """A writable ``.onnx`` destination, else a one-line error; ``hint`` names the override."""
    out = Path(path)
    if out.suffix.lower() != ".onnx":
        raise OutputError(f"{out}: output must end in .onnx")
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder")
    if out.exists() and not overwrite:
        raise OutputError(f"{out} already exists; choose another file or replace it ({hint})")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {out}: folder {folder} does not exist")
    return out


def _check_size(graph: Graph, out: Path) -> None:
    tensors = [*graph.parameters(), *graph.buffers()]  # a tied weight counts once
    n_bytes = sum(t.numel() * t.element_size() for t in tensors)
    if n_bytes > MAX_BYTES:  # the exporter would split the weights into a second file
        raise OutputError(
            f"cannot write {out}: {n_bytes / 2**30:.1f} GiB of weights is more than one "
            ".onnx file holds (2 GiB)"
        )


def _exported(graph: Graph, feeds: Arrays) -> Any:
    """The ``torch.onnx.ONNXProgram`` of ``graph``, every input's first axis dynamic."""
    batch = torch.export.Dim("batch")
    # A batch of 2: torch.export would take a batch of 1 for a constant.
    example = tuple(torch.zeros((2, *feeds[n].shape[1:])) for n in graph.input_names)
    with _quiet():
        return torch.onnx.export(
            graph.eval(),
            example,
            dynamo=True,
            input_names=list(graph.input_names),
            output_names=list(graph.output_names),
            dynamic_shapes=tuple({0: batch} for _ in example),
            opset_version=OPSET,
            external_data=False,
            verbose=False,
        )


def _metadata(model: Any, graph: Graph, decoder: bool) -> dict[str, str]:
    kept = {
        "aekit_version": __version__,
        "aekit_estimator": saved_name(type(model)),
        "aekit_part": "decoder" if decoder else "model",
        "aekit_outputs": json.dumps(list(graph.output_names)),
    }
    return {**kept, **({} if decoder else graph.metadata())}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's progress lines, logged notes and warnings kept out of the output."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
