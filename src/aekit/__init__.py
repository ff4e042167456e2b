"""aekit: autoencoders that train correctly and fast, as scikit-learn estimators."""

from aekit._version import __version__
from aekit.errors import AekitError
from aekit.estimators.autoencoder import Autoencoder
from aekit.io.model_files import load

__all__ = ["AekitError", "Autoencoder", "__version__", "load"]
