"""``aekit sample``: draw new data from a variational autoencoder's prior."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aekit.cli.outputs import ARRAY_SUFFIXES, check_array_output, write_array
from aekit.errors import ConfigError, OutputError
from aekit.estimators.persistence import load
from aekit.estimators.variational import VariationalAutoencoder

EXAMPLE = "example: aekit sample --model runs/vae -n 64 --out grid.png"


def add_parser(sub: argparse._SubParsersAction) -> None:
    summary = "draw samples from a variational autoencoder"
    p = sub.add_parser("sample", help=summary, description=summary, epilog=EXAMPLE)
    p.add_argument("--model", required=True, help="model folder written by 'aekit train'")
    p.add_argument("-n", "--n-samples", type=int, default=64, help="how many (default 64)")
    p.add_argument(
        "--out",
        required=True,
        help="a .png grid (for image data), or a .npy/.csv file of the samples",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    picture = out.suffix.lower() == ".png"
    if picture:
        from aekit.reporting._render import check_destination

        check_destination(out)
    else:
        if out.suffix.lower() not in ARRAY_SUFFIXES:
            raise OutputError(f"{out}: output must end in .png, {', '.join(ARRAY_SUFFIXES)}")
        check_array_output(args.out)
    if args.n_samples < 1:
        raise ConfigError(f"-n must be at least 1, got {args.n_samples}")
    estimator = load(args.model)
    if not isinstance(estimator, VariationalAutoencoder):
        raise ConfigError(
            f"{args.model} is not a variational autoencoder (train one with --model vae); "
            "only a VAE can sample"
        )
    grid_shape = estimator.image_shape_ if picture else None
    if picture and not grid_shape:
        raise ConfigError(
            f"{args.model} was not trained on images, so there is no grid to draw; "
            "write the samples to a .npy or .csv file instead"
        )
    samples = estimator.sample(args.n_samples, random_state=args.seed)
    if grid_shape:
        from aekit.reporting import plot_image_grid

        plot_image_grid(samples, grid_shape, out, title="samples from the prior")
    else:
        write_array(args.out, samples)
    if not args.quiet:
        print(f"sample: {samples.shape[0]} samples written to {out}", file=sys.stderr)
    return 0
