"""``aekit datasets`` and ``aekit models``: what can be named."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "datasets",
        help="list the named datasets",
        description="List the datasets --data accepts by name.",
        epilog="example: aekit datasets",
    )
    p.set_defaults(run=run_datasets)
    p = sub.add_parser(
        "models",
        help="list the model names",
        description="List the models 'aekit train --model' accepts.",
        epilog="example: aekit models",
    )
    p.set_defaults(run=run_models)


def run_datasets(args: argparse.Namespace) -> int:
    from aekit.data.datasets import list_datasets

    for name, description in list_datasets():
        print(f"{name:<16} {description}")
    return 0


def run_models(args: argparse.Namespace) -> int:
    from aekit.estimators.registry import ESTIMATORS

    for name, description in ESTIMATORS.describe():
        print(f"{name:<20} {description}")
    return 0
