"""allocsim: a discrete-event simulation of social-rental allocation rules."""

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    """The installed package's version ("0+unknown" when run from a bare source tree)."""
    try:
        return version("allocsim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
