"""Where everything lives in a model folder and in an ``aekit train`` run folder.

The one place that names these files and folders; every reader and writer imports them.

A model folder::

    config.json            what the estimator is (written last: marks the folder complete)
    model.safetensors      its tensors
    history.json           per-epoch losses
    metrics.json           what `aekit train` measured (optional)
    pca_baseline.safetensors  the PCA it was measured against (optional)

A run folder while `aekit train` trains (replaced by the model folder when it is written)::

    checkpoints/run.json                     the command's options and a digest of the data
    checkpoints/estimator.json               the estimator's parameters and seed
    checkpoints/training_state.safetensors   the engine's state (end-to-end training), or
    checkpoints/pretrain_layer{i}/...        one stage folder per pretrained layer, and
    checkpoints/finetune/...                 the fine-tuning stage
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG = "config.json"
WEIGHTS = "model.safetensors"
HISTORY = "history.json"
METRICS = "metrics.json"
PCA_BASELINE = "pca_baseline.safetensors"  # PCA of the scaled training rows (aekit train)

CHECKPOINTS = "checkpoints"
RUN_FILE = "run.json"
ESTIMATOR_RECORD = "estimator.json"
TRAINING_STATE = "training_state.safetensors"
FINETUNE_STAGE = "finetune"


def pretraining_stage(layer: int) -> str:
    """The stage folder of layer ``layer`` (1-based) of greedy pretraining."""
    return f"pretrain_layer{layer}"


def has_training_state(folder: str | os.PathLike[str]) -> bool:
    """True when ``folder`` or a stage folder inside it holds a training checkpoint."""
    path = Path(folder)
    return path.is_dir() and any(path.rglob(TRAINING_STATE))


def is_unfinished_run(folder: str | os.PathLike[str]) -> bool:
    """True for the folder of an `aekit train` run that has not written its model yet."""
    return (Path(folder) / CHECKPOINTS / RUN_FILE).is_file()
