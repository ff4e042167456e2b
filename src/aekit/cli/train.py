"""``aekit train``: fit a model on a dataset and write the model folder with pictures."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from aekit.cli import anomaly_task, data_source, flags, launch
from aekit.cli.common import add_data_args, print_table
from aekit.cli.outputs import load_data
from aekit.cli.resume import add_arguments as add_resume_arguments
from aekit.data.splits import hold_out
from aekit.errors import ConfigError
from aekit.estimators.registry import ESTIMATORS
from aekit.evaluation.baseline_files import write_baseline
from aekit.evaluation.metrics import PCABaseline, compare_with_pca
from aekit.io.atomic import atomic_write_text, staged_folder
from aekit.training import distributed

if TYPE_CHECKING:
    from aekit.data.dataset import Dataset

EXAMPLE = "example: aekit train --data digits --out runs/digits --hidden 128,64 --code-size 8"


def add_parser(sub: argparse._SubParsersAction, model: str = flags.DEFAULT_MODEL) -> None:
    """The ``train`` subcommand, with the flags of ``model`` (the one the command names)."""
    p = sub.add_parser("train", help="train an autoencoder", description=__doc__, epilog=EXAMPLE)
    add_data_args(p, data_required=False)  # not with --resume: the run knows its data
    p.add_argument("--out", help="output folder for the model and pictures (required)")
    p.add_argument(
        "--model",
        default=flags.DEFAULT_MODEL,
        choices=list(flags.members()),
        help="the family member to train; the flags below are its own, with its defaults "
        "(aekit train --model NAME --help lists another's)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing model folder")
    add_resume_arguments(p)  # --checkpoint-every, --resume
    launch.add_argument(p)  # --nproc
    p.add_argument("--no-pictures", action="store_true", help="skip the figures")
    p.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="also log the run to TensorBoard event files in DIR: each epoch's losses, the "
        "learning rate and weight histograms, then reconstructions and the codes' projector "
        "(needs: pip install aekit[tensorboard])",
    )
    anomaly_task.add_argument(p)  # --task
    params = flags.add_model_flags(p, model)
    p.set_defaults(run=run, model_params=params, model_params_of=model)


@distributed.within_session  # under torchrun: one process of a data-parallel run
def run(args: argparse.Namespace) -> int:
    argv = vars(args).pop("argv", None) or sys.argv[1:]  # as typed; set by cli.main
    anomaly_task.check_options(args)  # a detector: no checkpoints, one process
    _check_tensorboard(args)  # before any work: a missing package is one line
    if args.nproc is not None:
        return launch.launch(argv, args.nproc, quiet=args.quiet)
    # --resume: options come from the run; else --out is checked now (by process 0 and
    # the others, before process 0 writes there)
    run_folder = launch.run_folder(args)
    out = run_folder.out
    data = load_data(args.data, data_dir=args.data_dir, label_column=args.label_column)
    held_out = data.X_test is None  # a file: keep a seeded part of its rows for the table
    every_row = data.X_train
    data = hold_out(data, seed=args.random_state or 0)
    cls = ESTIMATORS.get(args.model)
    if args.model != args.model_params_of:
        raise ConfigError(f"--model {args.model}: its flags were not read (give --model first)")
    params = {p.name: getattr(args, p.name) for p in args.model_params}
    params["verbose"] = 0 if args.quiet else 1
    board = _tensorboard(args.tensorboard, params)
    if "image_shape" in params and params["image_shape"] is None:
        params["image_shape"] = data.image_shape  # conv: how a row folds into an image
    narrow = _narrow_code(params, data.X_train.shape[1], "--code-size" in argv)
    estimator = cls(**params)
    quiet = args.quiet or not distributed.is_primary()  # process 0 speaks for all
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    say(
        f"training {args.model} on {data.name}: {data.X_train.shape[0]} samples, "
        f"{data.X_train.shape[1]} features"
    )
    if args.task == "anomaly":
        chosen = anomaly_task.names_a_member(argv, [f for p in args.model_params for f in p.flags])
        if chosen and narrow:
            say(narrow)
        return anomaly_task.run(args, data, estimator if chosen else None, out, say)
    if narrow:
        say(narrow)
    done_before = _epochs_done(run_folder.folder) if run_folder.resuming else 0
    started = time.perf_counter()
    # checkpoints, Ctrl-C, SIGTERM; the digest covers every row read, held out or not
    stopped = run_folder.fit(estimator, data.X_train, args, every_row)
    if stopped is not None:
        return stopped  # 130 or 143, after one line saying how to resume
    if not distributed.is_primary():
        return 0  # process 0 writes the model and pictures
    seconds = time.perf_counter() - started
    estimator.image_shape_ = data.image_shape
    if data.feature_names is not None:  # the table's schema, kept with the model
        estimator.feature_names_in_ = np.asarray(data.feature_names, dtype=object)
    estimator.label_column_ = data.label_column
    say(f"scale: {estimator.scale_reason_}")
    say(f"loss: {estimator.loss_reason_}")
    say(f"{_trained(estimator, done_before, run_folder.resuming)} in {seconds:.1f} s")

    X_eval, y_eval, split = _held_out(data, held_out)
    code = int(estimator.config_.code_size)
    baseline = PCABaseline.fit(estimator.scaler_.transform(data.X_train), code, 0)
    comparison = compare_with_pca(estimator, None, X_eval, baseline=baseline)
    metrics = {
        "split": split,
        "train_seconds": seconds,
        **comparison.as_dict(),
        "data": data_source.record(args, data),  # aekit report re-reads the same rows
    }
    with staged_folder(out, overwrite=True) as tmp:  # checked by Run; now holds checkpoints
        estimator.write_files(tmp)
        write_baseline(tmp, baseline)  # so evaluate on other rows meets the same PCA
        atomic_write_text(tmp / "metrics.json", json.dumps(metrics, indent=2))
        if not args.no_pictures:
            _pictures(estimator, data, X_eval, y_eval, tmp)
    print_table(comparison, split, args.model)
    say(f"model {'' if args.no_pictures else 'and pictures '}written to {out}")
    if board is not None:  # the reconstructions and codes need the fitted model
        _log_results(board, estimator, data, X_eval, y_eval)
        say(f"TensorBoard logs written to {args.tensorboard}")
    return 0


def _check_tensorboard(args: argparse.Namespace) -> None:
    if args.tensorboard is None:
        return
    if args.task == "anomaly":  # the detector builds and trains its member itself
        raise ConfigError("--tensorboard logs a model's training; --task anomaly does not take it")
    from aekit.reporting.tensorboard import require_tensorboard

    require_tensorboard("--tensorboard")


def _tensorboard(log_dir: str | None, params: dict[str, Any]) -> Any:
    """The logger the estimator calls each epoch (None without --tensorboard)."""
    if log_dir is None:
        return None
    from aekit.reporting.tensorboard import TensorBoardLogger

    # about ten histograms of each parameter per stage: most of the event file's size
    board = TensorBoardLogger(log_dir, histogram_every=max(1, params.get("epochs", 1) // 10))
    params["callbacks"] = [board]
    return board


def _log_results(
    board: Any, estimator: Any, data: Dataset, X_eval: np.ndarray, y_eval: np.ndarray | None
) -> None:
    """Reconstructions and the codes' projector, of the rows the pictures show, then close."""
    seed = estimator.random_state if isinstance(estimator.random_state, int) else 0  # --seed
    shape, names = data.image_shape, data.label_names
    board.log_results(estimator, X_eval, y_eval, image_shape=shape, label_names=names, seed=seed)
    board.close()


def _epochs_done(checkpoints: Path) -> int:
    """Epochs a resumed run had finished: those in its checkpoint's history (0 without one).

    A stacked model counts its fine-tuning epochs, as its ``n_iter_`` does; while it was
    still pretraining, none.
    """
    from aekit.io import layout
    from aekit.training import checkpoint

    for folder in (checkpoints, checkpoints / layout.FINETUNE_STAGE):
        if (folder / layout.TRAINING_STATE).is_file():
            return len(checkpoint.load(folder).history.get("loss", []))
    return 0


def _trained(estimator: Any, done_before: int, resumed: bool) -> str:
    """What the run trained: "trained 3 epochs"; resumed, "... (epochs 30-30 of 30; resumed)"."""
    last = estimator.n_iter_
    count = last - done_before
    said = f"trained {count} epoch{'' if count == 1 else 's'}"
    if not resumed:
        return said
    planned = getattr(estimator, "epochs", last)
    if count == 0:
        return f"{said} (all {last} of {planned} were done before; resumed)"
    return f"{said} (epochs {done_before + 1}-{last} of {planned}; resumed)"


def _narrow_code(params: dict[str, Any], n_features: int, given: bool) -> str:
    """No --code-size: a code of at most a quarter of the features; what was chosen.

    The model's default code (32 units) is as wide as many tables, and half of digits' 64
    pixels, where PCA with as many components keeps nearly everything: the comparison says
    little and a code that wide can copy its input. So without --code-size the code is the
    model's default or a quarter of the features, whichever is smaller. A --code-size given
    is kept (and refused by the model if too wide).
    """
    if given or params.get("top_k") is not None or "code_size" not in params:
        return ""
    if "hidden_units" in params:  # an RBM's hidden layer may be wider than its input
        return ""
    quarter = max(1, math.ceil(n_features / 4))
    if params["code_size"] <= quarter:
        return ""
    params["code_size"] = quarter
    return (
        f"code size: {quarter} (a quarter of the {n_features} features, below the model's "
        "default; set --code-size to choose)"
    )


def _held_out(data: Dataset, held_out: bool) -> tuple[np.ndarray, np.ndarray | None, str]:
    """The rows the table is measured on, and what they are called in it."""
    if data.X_test is not None:
        return data.X_test, data.y_test, "held-out" if held_out else "test"
    return data.X_train, data.y_train, "train (too few rows to hold any out)"


def _pictures(
    estimator: Any, data: Dataset, X_eval: np.ndarray, y_eval: np.ndarray | None, folder: Path
) -> None:
    from aekit import reporting
    from aekit.evaluation.metrics import pca_errors
    from aekit.reporting import plot_codes, plot_loss_curve
    from aekit.reporting.filters import plot_filters

    plot_loss_curve(estimator.history_, folder / "loss_curve.png")
    seed = estimator.random_state if isinstance(estimator.random_state, int) else 0  # --seed
    if data.image_shape is None:  # a table: how well each column comes back
        scaler = estimator.scaler_
        reporting.plot_column_errors(
            scaler.transform(X_eval),
            scaler.transform(estimator.reconstruct(X_eval)),
            folder / "column_errors.png",
            feature_names=getattr(estimator, "feature_names_in_", None),
            units="" if scaler.kind == "none" else f"after {scaler.kind} scaling",
        )
    else:  # a seeded sample, one per label: a class-sorted folder shows every class
        shown = X_eval[reporting.pick_examples(X_eval.shape[0], y_eval, seed=seed)]
        if getattr(estimator, "noise", None) is not None:
            noisy = reporting.corrupted_like_training(estimator, shown, seed=seed)
            reporting.plot_denoising(
                shown,
                noisy,
                estimator.reconstruct(noisy),
                data.image_shape,
                folder / "reconstructions.png",
            )
        else:
            reporting.plot_reconstructions(
                shown,
                estimator.reconstruct(shown),
                data.image_shape,
                folder / "reconstructions.png",
            )
    m = min(5000, X_eval.shape[0])
    _, pca = pca_errors(data.X_train, X_eval[:m], 2)
    labels = None if y_eval is None else np.asarray(y_eval)[:m]
    plot_codes(
        estimator.transform(X_eval[:m]), pca.transform(X_eval[:m]), labels, folder / "codes.png"
    )
    if getattr(estimator, "sparsity", None) is not None and data.image_shape:
        plot_filters(estimator, data.image_shape, folder / "filters.png")
