"""Which device and number format to train with."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator

import torch

from aekit.errors import ConfigError


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise ConfigError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {name!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {name!r} asked for, but no CUDA device is available")
    return device


@functools.cache
def cpu_has_native_bf16() -> bool:
    """True when the CPU multiplies bf16 in hardware (AMX or AVX-512-BF16).

    Without it, oneDNN emulates bf16 and a matrix multiply runs ~50x slower than
    float32 (measured on an AVX2-only EPYC), so bf16 must not be the default there.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool({"amx_bf16", "avx512_bf16"} & flags)
    except OSError:
        return False
    return False


def native_bf16(device: torch.device) -> bool:
    """True when ``device`` multiplies bf16 in hardware (a CUDA GPU that supports it, or a
    CPU with AMX or AVX-512-BF16): where bf16 is faster than float32, not slower."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return device.type == "cpu" and cpu_has_native_bf16()


def resolve_precision(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype to train with, or None for plain float32."""
    if precision in ("float32", "tf32"):
        return None
    if precision == "bf16":
        return torch.bfloat16
    return torch.bfloat16 if native_bf16(device) else None


@contextlib.contextmanager
def float32_matmul(precision: str, device: torch.device) -> Iterator[None]:
    """Let float32 matrix products use TF32 on CUDA for the block, then restore the setting."""
    if precision != "tf32" or device.type != "cuda":
        yield
        return
    before = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("high")
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(before)
