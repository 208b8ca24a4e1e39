"""allocsim: a discrete-event simulation of social-rental allocation rules."""

import hashlib
import os
import shutil
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_OURS = "ALLOCSIM_NUMBA_CACHE"  # set beside NUMBA_CACHE_DIR when allocsim chose it
KEEP_BUILDS = 3  # compiled builds of other sources kept beside the present one


def source_hash() -> str:
    """A hash of the package's source (every .py file, with its path)."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(path.relative_to(PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _prune(base: Path, keep: Path) -> None:
    """Remove all but the KEEP_BUILDS most recently used other builds under `base`."""
    try:
        others = [p for p in base.iterdir() if p.is_dir() and p != keep]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[KEEP_BUILDS:]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass


def compiled_cache() -> str:
    """Where numba keeps the compiled model: a folder of its own for this source
    (`source_hash`), under the first place the user may write: `$NUMBA_CACHE_DIR`,
    `__pycache__/numba` beside the modules, the user's cache folder (`$XDG_CACHE_HOME` or
    ~/.cache, then allocsim/numba), the temporary folder. Set before numba is imported.

    numba checks a cached function against its own module only, so a function compiled
    with another module's functions inside would outlive a change to them; a folder per
    source never does. And an install the user cannot write still runs (numba refuses to
    compile a cached function it cannot store). Processes started from this one inherit
    the folder; older builds beyond KEEP_BUILDS are removed."""
    if os.environ.get(_OURS) and os.environ.get("NUMBA_CACHE_DIR") == os.environ[_OURS]:
        return os.environ[_OURS]
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    bases = [Path(os.environ["NUMBA_CACHE_DIR"])] if os.environ.get("NUMBA_CACHE_DIR") else []
    bases += [
        PACKAGE / "__pycache__" / "numba",
        Path(home) / "allocsim" / "numba",
        Path(tempfile.gettempdir()) / f"allocsim-numba-{os.getuid()}",
    ]
    build = source_hash()[:16]
    for base in bases:
        if _writable(base / build):
            folder = base / build
            os.utime(folder)  # most recently used
            _prune(base, folder)
            break
    else:
        folder = Path(tempfile.mkdtemp(prefix="allocsim-numba-"))  # this process only
    os.environ["NUMBA_CACHE_DIR"] = os.environ[_OURS] = str(folder)
    return str(folder)


compiled_cache()


def package_version() -> str:
    """The installed package's version ("0+unknown" when run from a bare source tree)."""
    try:
        return version("allocsim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
