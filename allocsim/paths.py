"""Output places, checked before any computing starts, and files written whole or not at all.

`check_new_folder` and `check_new_file` raise `ConfigError` (exit 2) for a place that is
wrong by what was asked (it exists, it is the input, a part of it is a file) and
`EnvironmentProblem` (exit 3) for one the machine will not let us write. `atomic_open`
writes to a hidden temporary file in the same folder and renames it over the target
only when complete, so a killed process never leaves half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from allocsim.errors import ConfigError, EnvironmentProblem, Problem

T = TypeVar("T")


def _existing_ancestor(path: Path) -> Path:
    current = path.absolute().parent
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _check_writable_parent(path: Path, option: str) -> None:
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        raise ConfigError(
            [Problem(option, "", str(path), f"a path under a folder ({ancestor} is a file)")]
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise EnvironmentProblem(
            str(ancestor), "this folder is not writable", f"choose another {option}"
        )


def check_new_folder(path: Path, option: str) -> None:
    """A folder to create for results: it must not exist yet, and the place must be
    writable."""
    if path.exists():
        raise ConfigError([Problem(option, "", str(path), "a folder that does not exist yet")])
    _check_writable_parent(path, option)


def check_new_file(
    path: Path, option: str, inputs: tuple[Path, ...] = (), force: bool = False
) -> None:
    """A file to write: never one of the command's inputs, never a folder, an existing
    file only with `force`, in a folder that exists and is writable."""
    if path.is_dir():
        raise ConfigError([Problem(option, "", str(path), "a file path, not a folder")])
    for item in inputs:
        if path.exists() and item.exists() and path.resolve() == item.resolve():
            raise ConfigError([Problem(option, "", str(path), f"a new file, not the input {item}")])
    if path.exists() and not force:
        raise ConfigError(
            [Problem(option, "", str(path), "a file that does not exist yet (or --force)")]
        )
    if not path.absolute().parent.is_dir():
        raise ConfigError(
            [Problem(option, "", str(path), f"a file in an existing folder ({path.parent})")]
        )
    _check_writable_parent(path, option)


@contextlib.contextmanager
def _temporary(path: Path) -> Iterator[Path]:
    """A temporary file beside `path`, renamed over `path` (with the user's permissions)
    when the block ends without error, removed otherwise."""
    fd, tmp = tempfile.mkstemp(dir=path.absolute().parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a file that appears at `path` only when the block ends without error."""
    with _temporary(path) as tmp, tmp.open(mode, **kwargs) as fh:
        yield fh


def replace_file(path: Path, write: Callable[[Path], object]) -> None:
    """`write(tmp)` to a temporary file beside `path`, then rename it over `path`: readers
    see the old file or the new one, never half of one."""
    with _temporary(path) as tmp:
        write(tmp)


def write_text(path: Path, text: str) -> None:
    replace_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def umask() -> int:
    """The process's file-creation mask (read without changing it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_manifest(path: Path) -> dict[str, Any]:
    """A run folder's manifest, or ConfigError naming it when it is cut short or not JSON
    (a run killed while writing it)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ConfigError(
            [
                Problem(
                    str(path),
                    "",
                    "",
                    "a complete manifest (a JSON table; this one is cut short or damaged, so "
                    "the folder can be neither read nor resumed: run it again into a new folder)",
                )
            ]
        )
    return data


def read_table(path: Path, reader: Callable[[Path], T]) -> T:
    """A table of a run folder, or ConfigError naming the file when it cannot be read as
    one (cut short, not the format); an unreadable file stays an OSError."""
    try:
        return reader(path)
    except OSError:
        raise
    except Exception as exc:
        raise ConfigError(
            [Problem(str(path), "", "", f"a readable table ({type(exc).__name__}: {exc})"[:300])]
        ) from None
