"""Write files so that a failure never leaves a half-written one behind.

Each writer goes to a temporary file in the destination's folder, is flushed and
fsynced, then renamed over the destination (``os.replace`` is atomic on POSIX and
Windows). A crash before the rename leaves the old file, if any, untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from aekit.errors import OutputError


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    The caller writes the temporary path by any means (numpy, matplotlib, safetensors).
    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
            _fsync_file(tmp)
            # mkstemp (and some writers that recreate the file) leave 0600; use a new file's mode
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except Exception as exc:
            if not _is_write_failure(exc):
                raise
            # A full disk (ENOSPC), a size limit (EFBIG), an I/O error: one line, no traceback.
            raise OutputError(f"cannot write {target}: {_reason(exc)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """Open a temporary file for writing that replaces ``path`` only on success."""
    with atomic_path(path) as tmp:
        encoding = None if "b" in mode else "utf-8"
        with open(tmp, mode, encoding=encoding) as fh:
            yield fh


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_file(path: Path) -> None:
    # Flush the data to disk before the rename, so a power cut cannot leave an empty file.
    # A failed flush (ENOSPC, EIO on delayed allocation) means the data may not be there:
    # it must fail the write. Only a file system that cannot fsync at all is let through.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EROFS):
            raise
    finally:
        os.close(fd)


def _is_write_failure(exc: BaseException) -> bool:
    """An OSError, or a writer's wrapped I/O error (safetensors reports "I/O error: ...")."""
    if isinstance(exc, OSError):
        return True
    return type(exc).__name__ == "SafetensorError" and "I/O error" in str(exc)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()
    if not text:
        return type(exc).__name__
    return re.sub(r" \(os error \d+\)$", "", text[0].split("I/O error: ")[-1])


@contextlib.contextmanager
def staged_folder(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Yield an empty temporary folder that becomes ``path`` only if the block succeeds.

    An existing non-empty ``path`` is refused unless ``overwrite``; then it is replaced
    only after the new folder is complete, so a failed run never destroys a model.
    """
    import shutil

    target = Path(path)
    check_output_folder(target, overwrite=overwrite)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write folder {target}: {_reason(exc)}") from None
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700
    try:
        yield tmp
        try:
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
                os.replace(target, old / "replaced")
                try:
                    os.replace(tmp, target)
                except OSError:
                    os.replace(old / "replaced", target)  # put the old folder back
                    old.rmdir()
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"cannot write folder {target}: {_reason(exc)}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_output_folder(target: Path, *, overwrite: bool = False) -> None:
    """Fail early, before any work, when ``target`` cannot become an output folder."""
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot write folder {target}: a file of that name exists")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise OutputError(f"{target} already holds files; choose another folder or overwrite")
    parent = target.parent if str(target.parent) else Path(".")
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        what = "not writable" if existing.is_dir() else "a file, not a folder"
        raise OutputError(f"cannot write folder {target}: {existing} is {what}")
