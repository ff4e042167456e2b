"""Using a fitted estimator: its input checked, its network run in batches without gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from aekit.data.validation import check_array
from aekit.errors import DataError

INFERENCE_BATCH = 4096


def fitted_input(est: Any, X: Any) -> np.ndarray:
    """``X`` as a float32 table with the features ``est`` was fitted on; else a one-line error."""
    check_is_fitted(est, "module_")
    X = check_array(X, name="X")
    if X.shape[1] != est.n_features_in_:  # scikit-learn's wording, which its checks expect
        raise DataError(
            f"X has {X.shape[1]} features, but {type(est).__name__} is "
            f"expecting {est.n_features_in_} features as input"
        )
    return X


@torch.no_grad()
def batched(
    module: torch.nn.Module, fn: Callable[[torch.Tensor], torch.Tensor], X: np.ndarray
) -> np.ndarray:
    """``fn`` over the rows of ``X`` in batches, ``module`` in evaluation mode: float32."""
    module.eval()
    parts = []
    for start in range(0, X.shape[0], INFERENCE_BATCH):
        xb = torch.from_numpy(np.ascontiguousarray(X[start : start + INFERENCE_BATCH]))
        parts.append(fn(xb).float().numpy())
    return np.concatenate(parts, axis=0)
