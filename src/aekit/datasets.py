"""Named datasets, e.g. ``aekit.datasets.load("fashion-mnist")``; see :mod:`aekit.data.datasets`."""

from aekit.data.datasets import DATASET_NAMES, list_datasets, load

__all__ = ["DATASET_NAMES", "list_datasets", "load"]
