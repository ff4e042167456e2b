"""aekit: autoencoders that train correctly and fast, as scikit-learn estimators."""

from aekit._version import __version__
from aekit.anomaly.detector import AnomalyDetector
from aekit.errors import AekitError
from aekit.estimators.autoencoder import Autoencoder
from aekit.estimators.classifier import PretrainedClassifier
from aekit.estimators.contractive import ContractiveAutoencoder
from aekit.estimators.conv import ConvAutoencoder
from aekit.estimators.denoising import DenoisingAutoencoder
from aekit.estimators.k_sparse import KSparseAutoencoder
from aekit.estimators.persistence import load
from aekit.estimators.rbm import RBM
from aekit.estimators.sparse import SparseAutoencoder
from aekit.estimators.stacked import StackedAutoencoder
from aekit.estimators.variational import VariationalAutoencoder

__all__ = [
    "AekitError",
    "AnomalyDetector",
    "Autoencoder",
    "ContractiveAutoencoder",
    "ConvAutoencoder",
    "DenoisingAutoencoder",
    "KSparseAutoencoder",
    "PretrainedClassifier",
    "RBM",
    "SparseAutoencoder",
    "StackedAutoencoder",
    "VariationalAutoencoder",
    "__version__",
    "load",
]
