"""Muon's Newton-Schulz iterations timed on the deep autoencoder's matrices (issue 17).

Muon orthogonalises every weight matrix once a step, whatever the batch, so on two CPU cores
its iterations are most of a Muon step's time. This times ``orthogonalize`` (five iterations
in the optimiser's number format) on each weight matrix of the 784-1000-500-250-30
autoencoder, as stored (encoder and decoder), as ``aekit.training.muon`` calls it, beside the
same matrix padded with zeros to sides that are multiples of ``--multiples`` (the padding
and the cut back timed too): zero rows and columns stay zero through every iteration, so the
padded result cut back to shape is the same up to the rounding of the products' order. Each
cell is the median of ``--repeats`` timings after two warm-up calls; all cells are measured
in one run.

    python benchmarks/newton_schulz_speed.py [--multiples 32 64] [--repeats 15] [--out FILE]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from provenance import ROOT, heading

from aekit.training.newton_schulz import iteration_dtype, orthogonalize

WIDTHS = (784, 1000, 500, 250, 30)


def matrices() -> list[tuple[int, int]]:
    """(rows, columns) of every weight matrix: encoder layers, then the mirrored decoder."""
    encoder = [(out, inp) for inp, out in zip(WIDTHS, WIDTHS[1:], strict=False)]
    return encoder + [(inp, out) for out, inp in reversed(encoder)]


def padded(shape: tuple[int, int], multiple: int) -> tuple[int, int]:
    rows, cols = (-(-side // multiple) * multiple for side in shape)
    return rows, cols


def seconds(
    matrix: torch.Tensor, shape: tuple[int, int], dtype: torch.dtype, repeats: int
) -> list[float]:
    """Times of padding ``matrix`` to ``shape``, orthogonalising it and cutting it back."""

    def once() -> torch.Tensor:
        if shape == tuple(matrix.shape):  # as stored: what aekit.training.muon does
            return orthogonalize(matrix, dtype=dtype)
        big = torch.nn.functional.pad(
            matrix, (0, shape[1] - matrix.shape[1], 0, shape[0] - matrix.shape[0])
        )
        return orthogonalize(big, dtype=dtype)[: matrix.shape[0], : matrix.shape[1]]

    for _ in range(2):
        once()
    found = []
    for _ in range(repeats):
        t = time.perf_counter()
        once()
        found.append(time.perf_counter() - t)
    return found


def main() -> None:
    started = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--multiples", type=int, nargs="+", default=[32, 64])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/newton-schulz-speed.md"))
    args = ap.parse_args()
    dtype = iteration_dtype(torch.device("cpu"))
    torch.manual_seed(0)
    rows, totals = [], {m: 0.0 for m in [1, *args.multiples]}
    for shape in matrices():
        cells, m = [], torch.randn(shape)
        for multiple in [1, *args.multiples]:
            big = padded(shape, multiple)
            ms = 1e3 * statistics.median(seconds(m, big, dtype, args.repeats))
            totals[multiple] += ms
            cells.append(f"{ms:.2f}" if multiple == 1 else f"{ms:.2f} ({big[0]}x{big[1]})")
        rows.append(f"| {shape[0]}x{shape[1]} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    lines = heading(
        "Newton-Schulz iterations on the deep autoencoder's matrices",
        "benchmarks/newton_schulz_speed.py",
        started,
        __doc__,
    )
    names = " | ".join(f"padded to a multiple of {m}, ms" for m in args.multiples)
    lines += [
        f"Iterations in {str(dtype).removeprefix('torch.')}; {torch.get_num_threads()} threads.",
        "",
        f"| matrix | as stored, ms | {names} |",
        "|---|--:|" + "--:|" * len(args.multiples),
        *rows,
        "| **one Muon step, all matrices** | "
        + " | ".join(f"**{totals[m]:.1f}**" for m in [1, *args.multiples])
        + " |",
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
