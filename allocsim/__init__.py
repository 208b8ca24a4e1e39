"""allocsim: a discrete-event simulation of social-rental allocation rules."""

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    """The installed package's version ("0+unknown" when run from a bare source tree)."""
    try:
        return version("allocsim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


# The command line run folders record in their manifest: set by `cli.main`, which may be
# given its own arguments (a test, a script); None means the process's own.
COMMAND: list[str] | None = None
