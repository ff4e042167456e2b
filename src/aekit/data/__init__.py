"""Reading, checking and naming data: everything between a file and a float32 matrix."""

from aekit.data.dataset import Dataset
from aekit.data.datasets import DATASET_NAMES, list_datasets, load
from aekit.data.idx import read_idx
from aekit.data.readers import read_path
from aekit.data.validation import check_array, check_labels

__all__ = [
    "DATASET_NAMES",
    "Dataset",
    "check_array",
    "check_labels",
    "list_datasets",
    "load",
    "read_idx",
    "read_path",
]
