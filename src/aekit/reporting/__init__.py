"""Figures of a trained autoencoder, written as PNG files without pyplot."""

from aekit.reporting.columns import column_errors, plot_column_errors
from aekit.reporting.examples import corrupted_like_training, pick_examples
from aekit.reporting.figures import plot_codes, plot_loss_curve
from aekit.reporting.filters import plot_filters
from aekit.reporting.images import plot_denoising, plot_image_grid, plot_reconstructions

__all__ = [
    "column_errors",
    "corrupted_like_training",
    "pick_examples",
    "plot_codes",
    "plot_column_errors",
    "plot_denoising",
    "plot_filters",
    "plot_image_grid",
    "plot_loss_curve",
    "plot_reconstructions",
]
