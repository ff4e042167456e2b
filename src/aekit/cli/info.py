"""``aekit info``: the model card of a model folder: what it is, what it takes, how it did.

Everything comes from the folder: the estimator as :func:`aekit.load` rebuilds it, and
``metrics.json`` where ``aekit train`` wrote one. Nothing is written but ``--json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from aekit.errors import ModelFileError
from aekit.estimators.persistence import load, saved_name
from aekit.io import layout, model_files
from aekit.io.atomic import atomic_write_text

EXAMPLE = "example: aekit info runs/digits"
SHOWN_NAMES = 10  # feature names listed before "..."
NUMBERS = (  # what metrics.json holds as numbers, where it holds them
    "train_seconds",
    "autoencoder_squared_error",
    "pca_squared_error",
    "ratio_to_pca",
    "autoencoder_squared_error_data_units",
    "pca_squared_error_data_units",
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "info", help="show the model card of a model folder", description=__doc__, epilog=EXAMPLE
    )
    p.add_argument("model", metavar="MODEL", help="model folder written by 'aekit train'")
    p.add_argument("--json", default=None, metavar="FILE", help="also write the card as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    card = model_card(args.model)
    for name, value in card_lines(card):
        print(f"{name:<14}{value}")
    if args.json:
        atomic_write_text(args.json, json.dumps(card, indent=2))
    return 0


def model_card(path: str | Path) -> dict[str, Any]:
    """The card of the model folder ``path`` as a JSON object."""
    folder = Path(path)
    estimator = load(folder)
    member = _member(estimator)  # the autoencoder (a classifier's encoder, a detector's member)
    names = getattr(member, "feature_names_in_", None)
    image_shape = getattr(member, "image_shape_", None)
    tensors = estimator._state_out()
    history = getattr(estimator, "history_", None) or {}
    return {
        "model": str(folder),
        "member": saved_name(type(estimator)),
        "autoencoder": saved_name(type(member)),
        "architecture": member.config_.to_dict(),
        "parameters": sum(  # learned: not the scaling nor the stored input mean
            int(t.numel())
            for k, t in tensors.items()
            if not {"preprocessing", "input_mean"} & set(k.split("."))
        ),
        "input_schema": {
            "n_features": int(member.n_features_in_),
            "image_shape": list(image_shape) if image_shape else None,
            "feature_names": None if names is None else [str(n) for n in names],
            "label_column": getattr(member, "label_column_", None),
        },
        "scaling": {"kind": member.scaler_.kind, "reason": member.scale_reason_},
        "loss": {"likelihood": member.loss_, "reason": member.loss_reason_},
        "epochs": len(history.get("loss", [])),
        "metrics": _metrics(folder),
    }


def card_lines(card: dict[str, Any]) -> list[tuple[str, str]]:
    """The card as (name, text) lines, as ``aekit info`` prints them."""
    member = card["member"]
    if card["autoencoder"] != member:
        member += f" (built on {card['autoencoder']})"
    schema = card["input_schema"]
    metrics = card["metrics"]
    training = f"{card['epochs']} epoch{'' if card['epochs'] == 1 else 's'}"
    if metrics is not None and "train_seconds" in metrics:
        training += f" in {metrics['train_seconds']:.1f} s"
    return [
        ("model", card["model"]),
        ("member", member),
        ("architecture", _architecture(card["architecture"])),
        ("parameters", f"{card['parameters']:,}"),
        ("input", _input(schema)),
        ("feature names", _feature_names(schema["feature_names"])),
        ("label column", _shown(schema["label_column"])),
        ("scaling", f"{card['scaling']['kind']} ({card['scaling']['reason']})"),
        ("loss", f"{card['loss']['likelihood']} ({card['loss']['reason']})"),
        ("training", training),
        *_metric_lines(metrics),
    ]


def _member(estimator: Any) -> Any:
    if hasattr(estimator, "config_"):
        return estimator
    for attribute in ("encoder_", "member_"):
        inner = getattr(estimator, attribute, None)
        if hasattr(inner, "config_"):
            return inner
    raise TypeError(f"{type(estimator).__name__} holds no autoencoder")  # a bug, not user input


def _metrics(folder: Path) -> dict[str, Any] | None:
    path = folder / layout.METRICS
    if not path.is_file():
        return None
    metrics = model_files.read_json(path)
    if not isinstance(metrics, dict):
        raise ModelFileError(f"{path}: not a JSON object")
    for key in NUMBERS:
        value = metrics.get(key, 0.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ModelFileError(f"{path}: {key} is not a number ({value!r})")
    return metrics


def _architecture(config: dict[str, Any]) -> str:
    kind = config.get("kind", "?")
    if kind == "mlp":
        encoder = [config["n_features"], *config["hidden"]]
        widths = [*encoder, config["code_size"], *reversed(encoder)]
        text = f"mlp {'-'.join(str(w) for w in widths)}, activation {config['activation']}, "
        text += f"tied {'yes' if config['tied'] else 'no'}"
        if config.get("code_activation") is not None:
            text += f", code activation {config['code_activation']}"
        if config.get("top_k") is not None:
            text += f", top-k {config['top_k']} (alpha {config.get('top_k_alpha', 1.0):g})"
        return text
    fields = {k: v for k, v in config.items() if k not in ("kind", "likelihood")}
    return f"{kind} " + ", ".join(f"{k} {_shown(v)}" for k, v in fields.items())


def _input(schema: dict[str, Any]) -> str:
    text = f"{schema['n_features']} features"
    shape = schema["image_shape"]
    if shape:
        text += f", images of {' x '.join(str(s) for s in shape)}"
    return text


def _feature_names(names: list[str] | None) -> str:
    if names is None:
        return "none"
    shown = ", ".join(names[:SHOWN_NAMES])
    return shown + (", ..." if len(names) > SHOWN_NAMES else "")


def _metric_lines(metrics: dict[str, Any] | None) -> list[tuple[str, str]]:
    if metrics is None:
        return [("metrics", f"none ({layout.METRICS} is missing)")]
    if "autoencoder_squared_error" not in metrics or "pca_squared_error" not in metrics:
        return [("metrics", f"none recorded in {layout.METRICS}")]
    scaled = metrics.get("space") == "scaled"
    where = f"after {metrics.get('scaling')} scaling" if scaled else "in the data's units"
    model, pca = metrics["autoencoder_squared_error"], metrics["pca_squared_error"]
    lines = [
        ("evaluated on", f"{metrics.get('n_samples', '?')} {metrics.get('split', '?')} samples"),
        ("error", f"{model:.4f} per sample, {where}"),
        (
            "PCA error",
            f"{pca:.4f} ({metrics.get('n_components', '?')} components; "
            f"ratio to PCA {metrics.get('ratio_to_pca', float('nan')):.3f})",
        ),
    ]
    units = metrics.get("autoencoder_squared_error_data_units")
    if scaled and units is not None:
        pca_units = metrics.get("pca_squared_error_data_units", float("nan"))
        lines.append(("in data units", f"{units:.4f} (PCA {pca_units:.4f})"))
    return lines


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if value else "none"
    return str(value)
