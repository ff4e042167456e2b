"""A folder of image files (PNG, JPEG, BMP, ...) read with Pillow.

Images are sorted by file name and must share one size and one mode. With no images at the
top level, each subfolder is a class and its images carry that class's label.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aekit.data._convert import to_features
from aekit.data._files import first_line
from aekit.data.dataset import Dataset
from aekit.errors import DataError

if TYPE_CHECKING:
    from PIL import Image

IMAGE_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm",
)  # fmt: skip
_KEPT_MODES = ("L", "LA", "RGB", "RGBA")  # 8 bits per channel
_CONVERTED_MODES = {"1": "L", "PA": "RGBA", "CMYK": "RGB", "YCbCr": "RGB", "RGBX": "RGB"}


def image_files(folder: Path) -> list[Path]:
    """Image files directly in ``folder``, sorted by name; hidden files are skipped."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


def read_image_folder(folder: Path) -> Dataset:
    """All images of ``folder`` as one float32 matrix in [0, 1], labelled by subfolder if any."""
    files = image_files(folder)
    y = label_names = None
    if not files:
        classes = [(d, image_files(d)) for d in _subfolders(folder)]
        classes = [(d, found) for d, found in classes if found]
        if not classes:
            raise DataError(
                f"{folder}: no images found at the top level or one folder down "
                f"(looked for {', '.join(IMAGE_SUFFIXES)})"
            )
        files = [f for _, found in classes for f in found]
        y = np.repeat(np.arange(len(classes)), [len(found) for _, found in classes])
        label_names = tuple(d.name for d, _ in classes)
    X, image_shape = to_features(_read_stack(files), str(folder))
    what = f"{len(files)} images" + (f" in {len(label_names)} classes" if label_names else "")
    return Dataset(
        folder.name,
        X,
        y,
        image_shape=image_shape,
        description=f"{what} from folder {folder.name}",
        label_names=label_names,
    )


def _subfolders(folder: Path) -> list[Path]:
    return sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))


def _read_stack(files: list[Path]) -> np.ndarray:
    """Images as uint8 ndarray of shape (n, h, w) for grayscale or (n, channels, h, w)."""
    first, mode = _read_image(files[0])
    stack = np.empty((len(files), *first.shape), dtype=np.uint8)
    stack[0] = first
    for i, path in enumerate(files[1:], start=1):
        image, image_mode = _read_image(path)
        if image_mode != mode:
            raise DataError(
                f"{path}: mode {image_mode} differs from {files[0].name} ({mode}); "
                "all images must have the same mode"
            )
        if image.shape != first.shape:
            raise DataError(
                f"{path}: size {_size(image)} differs from {files[0].name} ({_size(first)}); "
                "all images must have the same size"
            )
        stack[i] = image
    return stack


def _read_image(path: Path) -> tuple[np.ndarray, str]:
    """One image as uint8 (h, w) or (channels, h, w), and its mode after conversion."""
    from PIL import Image, UnidentifiedImageError  # imported here: only image folders need it

    try:
        with Image.open(path) as img:
            img.load()
            mode = _target_mode(img, path)
            pixels = np.asarray(img if img.mode == mode else img.convert(mode))
    except DataError:
        raise
    except UnidentifiedImageError:
        raise DataError(f"{path}: not an image file Pillow can read") from None
    # Pillow's decoders raise many types on corrupt files; all mean "cannot read this image".
    except (
        OSError, ValueError, SyntaxError, EOFError, struct.error, Image.DecompressionBombError,
    ) as exc:  # fmt: skip
        raise DataError(f"{path}: cannot read image ({first_line(exc)})") from None
    if pixels.ndim == 3:
        pixels = pixels.transpose(2, 0, 1)  # (h, w, channels) -> (channels, h, w)
    return pixels, mode


def _target_mode(img: Image.Image, path: Path) -> str:
    """The 8-bit mode an image is read in: L, LA, RGB or RGBA."""
    mode = img.mode
    if mode in _KEPT_MODES:
        return mode
    if mode == "P":  # palette: expand, keeping transparency when the palette has it
        return "RGBA" if "transparency" in img.info else "RGB"
    if mode in _CONVERTED_MODES:
        return _CONVERTED_MODES[mode]
    raise DataError(f"{path}: image mode {mode} is not supported; save as 8-bit grayscale or RGB")


def _size(image: np.ndarray) -> str:
    h, w = image.shape[-2:]
    return f"{w}x{h} pixels"
