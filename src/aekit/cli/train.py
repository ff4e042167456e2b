"""``aekit train``: fit a model on a dataset and write the model folder with pictures."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from aekit.cli import launch
from aekit.cli.common import add_data_args, print_table
from aekit.cli.outputs import load_data
from aekit.cli.resume import add_arguments as add_resume_arguments
from aekit.errors import ConfigError
from aekit.estimators.registry import ESTIMATORS
from aekit.evaluation.metrics import compare_with_pca
from aekit.io.atomic import atomic_write_text, staged_folder
from aekit.io.model_files import write_model_files
from aekit.objectives.corruption import NOISES
from aekit.training import distributed

EXAMPLE = "example: aekit train --data digits --out runs/digits --hidden 128,64 --code-size 8"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train an autoencoder", description=__doc__, epilog=EXAMPLE)
    add_data_args(p, data_required=False)  # not with --resume: the run knows its data
    p.add_argument("--out", help="output folder for the model and pictures (required)")
    p.add_argument("--model", default="autoencoder", help="model name (see 'aekit models')")
    p.add_argument(
        "--hidden",
        type=_sizes,
        default=None,
        help="encoder hidden widths, comma-separated (default: the model's, 256,128)",
    )
    p.add_argument("--code-size", type=int, default=32, help="code width (default 32)")
    p.add_argument(
        "--activation", default=None, help="hidden nonlinearity (default: the model's, elu)"
    )
    p.add_argument("--loss", default="auto", choices=("auto", "gaussian", "bernoulli"))
    p.add_argument(
        "--tied", action="store_true", help="decoder uses the encoder's transposed weights"
    )
    p.add_argument(
        "--scale",
        default="none",
        choices=("none", "minmax", "standard"),
        help="preprocessing fitted on the training data (default none)",
    )
    p.add_argument("--epochs", type=int, default=50)
    # Unset, these keep the model's own defaults ("auto" batch and rate for autoencoders,
    # SGD at 0.05 with batch 100 for --model rbm).
    p.add_argument(
        "--batch-size",
        type=_auto_or(int),
        default=None,
        help="rows per step, or auto: n/100 rounded down to a power of two within 32..512",
    )
    p.add_argument(
        "--optimizer",
        default=None,
        choices=("adam", "adamw", "sgd", "rmsprop"),
        help="default: adam (sgd for --model rbm)",
    )
    p.add_argument(
        "--lr",
        type=_auto_or(float),
        default=None,
        help="learning rate, or auto: 1e-3, times sqrt(batch / 128) above 128 (linear for sgd)",
    )
    p.add_argument("--lr-schedule", default="cosine", choices=("constant", "cosine", "step"))
    p.add_argument("--validation-fraction", type=float, default=0.1)
    p.add_argument("--early-stopping", action="store_true")
    p.add_argument("--patience", type=int, default=10)
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--precision", default="auto", choices=("auto", "float32", "bf16"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--overwrite", action="store_true", help="replace an existing model folder")
    add_resume_arguments(p)  # --checkpoint-every, --resume
    launch.add_argument(p)  # --nproc
    p.add_argument("--no-pictures", action="store_true", help="skip the figures")
    p.add_argument(
        "--pretraining",
        default=None,
        choices=("autoencoder", "rbm"),
        help="stacked: how each layer is pretrained (default autoencoder)",
    )
    p.add_argument("--pretrain-epochs", type=int, default=None, help="stacked: epochs per layer")
    p.add_argument(
        "--pretrain-lr",
        type=_auto_or(float),
        default=None,
        help="stacked: pretraining rate, or auto (default): 4x the fine-tuning auto rate",
    )
    p.add_argument(
        "--sparsity", default=None, choices=("kl", "l1"), help="sparse: the penalty (default kl)"
    )
    p.add_argument(
        "--sparsity-target", type=float, default=None, help="sparse: KL target rho (0.05)"
    )
    p.add_argument(
        "--sparsity-weight", type=float, default=None, help="sparse: penalty weight (3.0)"
    )
    p.add_argument(
        "--noise",
        default=None,
        choices=NOISES,
        help="denoising: input corruption (default masking); stacked: masking only",
    )
    p.add_argument(
        "--noise-level",
        type=float,
        default=None,
        help="denoising/stacked: fraction corrupted, or Gaussian sigma (0.25)",
    )
    p.add_argument(
        "--contraction-weight",
        type=float,
        default=None,
        help="contractive: weight of the Jacobian penalty (0.1)",
    )
    p.add_argument(
        "--beta", type=float, default=None, help="vae: weight of the KL term (1.0: the ELBO)"
    )
    p.add_argument(
        "--channels",
        type=_sizes,
        default=None,
        help="conv: channels of each stride-2 convolution, comma-separated (32,64)",
    )
    p.set_defaults(run=run)


@distributed.within_session  # under torchrun: one process of a data-parallel run
def run(args: argparse.Namespace) -> int:
    argv = vars(args).pop("argv", None) or sys.argv[1:]  # as typed; set by cli.main
    if args.nproc is not None:
        return launch.launch(argv, args.nproc, quiet=args.quiet)
    # --resume: options come from the run; else --out is checked now (by process 0 and
    # the others, before process 0 writes there)
    run_folder = launch.run_folder(args)
    out = run_folder.out
    data = load_data(args.data, data_dir=args.data_dir, label_column=args.label_column)
    cls = ESTIMATORS.get(args.model)
    params = dict(
        hidden=args.hidden,
        code_size=args.code_size,
        activation=args.activation,
        loss=args.loss,
        tied=args.tied,
        scale=args.scale,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        lr_schedule=args.lr_schedule,
        validation_fraction=args.validation_fraction,
        early_stopping=args.early_stopping,
        patience=args.patience,
        device=args.device,
        precision=args.precision,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
        image_shape=data.image_shape,  # conv: how a row folds into an image
    )
    estimator = cls(**_accepted(cls, params, args))
    quiet = args.quiet or not distributed.is_primary()  # process 0 speaks for all
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    say(
        f"training {args.model} on {data.name}: {data.X_train.shape[0]} samples, "
        f"{data.X_train.shape[1]} features"
    )
    started = time.perf_counter()
    stopped = run_folder.fit(estimator, data.X_train, args)  # checkpoints, Ctrl-C, SIGTERM
    if stopped is not None:
        return stopped  # 130 or 143, after one line saying how to resume
    if not distributed.is_primary():
        return 0  # process 0 writes the model and pictures
    seconds = time.perf_counter() - started
    estimator.image_shape_ = data.image_shape
    say(f"loss: {estimator.loss_reason_}")
    say(f"trained {estimator.n_iter_} epochs in {seconds:.1f} s")

    X_eval, y_eval, split = _held_out(data)
    comparison = compare_with_pca(estimator, data.X_train, X_eval)
    metrics = {"split": split, "train_seconds": seconds, **comparison.as_dict()}
    with staged_folder(out, overwrite=True) as tmp:  # checked by Run; now holds checkpoints
        write_model_files(estimator, tmp)
        atomic_write_text(tmp / "metrics.json", json.dumps(metrics, indent=2))
        if not args.no_pictures:
            _pictures(estimator, data, X_eval, y_eval, tmp)
    print_table(comparison, split)
    say(f"model and pictures written to {out}")
    return 0


def _auto_or(kind: type) -> Any:
    """An argparse type: the word auto, or a number of ``kind``."""

    def parse(text: str) -> Any:
        if text == "auto":
            return text
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected auto or {'an integer' if kind is int else 'a number'}, got {text!r}"
            ) from None

    return parse


def _accepted(cls, params: dict, args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    """The parameters ``cls`` takes; options left unset keep the model's own defaults."""
    params.update(
        pretraining=args.pretraining,
        pretrain_epochs=args.pretrain_epochs,
        pretrain_learning_rate=args.pretrain_lr,
    )
    member_options = {  # parameter -> option, for the family members' own settings
        "sparsity": "--sparsity",
        "sparsity_target": "--sparsity-target",
        "sparsity_weight": "--sparsity-weight",
        "noise": "--noise",
        "noise_level": "--noise-level",
        "contraction_weight": "--contraction-weight",
        "beta": "--beta",
        "channels": "--channels",
    }
    params.update({k: getattr(args, k) for k in member_options})
    accepted = cls().get_params(deep=False)
    refused = sorted(k for k, v in params.items() if v is not None and k not in accepted)
    if any(k.startswith("pretrain") for k in refused):
        raise ConfigError(f"--model {args.model} takes no pretraining options; use --model stacked")
    options = [member_options[k] for k in refused if k in member_options]
    if options:
        raise ConfigError(f"--model {args.model} takes no {', '.join(options)} option")
    return {k: v for k, v in params.items() if v is not None and k in accepted}


def _held_out(data):  # type: ignore[no-untyped-def]
    if data.X_test is not None:
        return data.X_test, data.y_test, "test"
    return data.X_train, data.y_train, "train"


def _pictures(estimator, data, X_eval, y_eval, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from aekit.estimators.sparse import SparseAutoencoder
    from aekit.evaluation.metrics import pca_errors
    from aekit.reporting import plot_codes, plot_loss_curve, plot_reconstructions
    from aekit.reporting.filters import plot_filters

    plot_loss_curve(estimator.history_, folder / "loss_curve.png")
    n = min(10, X_eval.shape[0])
    plot_reconstructions(
        X_eval[:n],
        estimator.reconstruct(X_eval[:n]),
        data.image_shape,
        folder / "reconstructions.png",
    )
    m = min(5000, X_eval.shape[0])
    _, pca = pca_errors(data.X_train, X_eval[:m], 2)
    labels = None if y_eval is None else np.asarray(y_eval)[:m]
    plot_codes(
        estimator.transform(X_eval[:m]), pca.transform(X_eval[:m]), labels, folder / "codes.png"
    )
    if isinstance(estimator, SparseAutoencoder) and data.image_shape:
        plot_filters(estimator, data.image_shape, folder / "filters.png")


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be positive, got {text!r}")
    return sizes
