"""aekit: autoencoders that train correctly and fast, as scikit-learn estimators."""

from aekit._version import __version__
from aekit.errors import AekitError

__all__ = ["AekitError", "__version__"]
