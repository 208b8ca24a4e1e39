"""allocsim: a discrete-event simulation of social-rental allocation rules."""

import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def compiled_cache() -> str | None:
    """Where numba keeps the compiled model: beside the source (numba's own choice) when
    the user may write there; else `$NUMBA_CACHE_DIR`, the user's cache folder
    (`$XDG_CACHE_HOME` or ~/.cache, then allocsim/numba) or the temporary folder, the
    first the user can write. Set before numba is imported, so an install the user cannot
    write still runs (numba has no other place when the home folder is not writable either,
    and refuses to compile a cached function)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return os.environ["NUMBA_CACHE_DIR"]
    here = Path(__file__).resolve().parent
    if os.access(here, os.W_OK) and (
        not (here / "__pycache__").exists() or os.access(here / "__pycache__", os.W_OK)
    ):
        return None
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (
        Path(home) / "allocsim" / "numba",
        Path(tempfile.gettempdir()) / f"allocsim-numba-{os.getuid()}",
    ):
        if _writable(folder):
            os.environ["NUMBA_CACHE_DIR"] = str(folder)
            return str(folder)
    folder = Path(tempfile.mkdtemp(prefix="allocsim-numba-"))  # this process only
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    return str(folder)


compiled_cache()


def package_version() -> str:
    """The installed package's version ("0+unknown" when run from a bare source tree)."""
    try:
        return version("allocsim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


# The command line run folders record in their manifest: set by `cli.main`, which may be
# given its own arguments (a test, a script); None means the process's own.
COMMAND: list[str] | None = None
