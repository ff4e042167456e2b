"""Figures of a trained autoencoder, written as PNG files without pyplot."""

from aekit.reporting.figures import plot_codes, plot_loss_curve
from aekit.reporting.filters import plot_filters
from aekit.reporting.images import plot_image_grid, plot_reconstructions

__all__ = [
    "plot_codes",
    "plot_filters",
    "plot_image_grid",
    "plot_loss_curve",
    "plot_reconstructions",
]
