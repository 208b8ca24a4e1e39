"""User-facing errors: one readable line per problem, never a traceback.

Exit codes (documented in the README): 0 done; 1 replications failed or a fit is outside
its tolerance; 2 bad input (`ConfigError`); 3 the environment (`EnvironmentProblem`: a
file that cannot be read or written, a cluster that does not answer); 4 an internal error
(a bug: one line asking to report it, the trace with `--debug`); 130 interrupted."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, which key, what value, what is allowed."""

    file: str
    key: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        got = f" = {self.value}" if self.value else ""
        return f"{where}{got}: expected {self.expected}"


class ConfigError(Exception):
    """A config, experiment or data file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class EnvironmentProblem(Exception):
    """The input is fine but the machine is not: a file or folder cannot be read or
    written, a cluster does not answer. One line: what, where, and what would help."""

    def __init__(self, where: str, what: str, hint: str = ""):
        self.where, self.what, self.hint = where, what, hint
        super().__init__(f"{where}: {what}" + (f" ({hint})" if hint else ""))


EXIT_FAILED, EXIT_INPUT, EXIT_ENVIRONMENT, EXIT_BUG, EXIT_INTERRUPTED = 1, 2, 3, 4, 130


def os_problem(exc: OSError) -> EnvironmentProblem:
    """An OSError (missing, unreadable or unwritable file, full disk) as one line."""
    where = str(exc.filename) if exc.filename is not None else "file system"
    if exc.filename2 is not None:
        where = f"{where} -> {exc.filename2}"
    hints = {
        "PermissionError": "check the file's permissions",
        "IsADirectoryError": "give a file, not a folder",
        "NotADirectoryError": "a part of the path is a file, not a folder",
        "FileNotFoundError": "check the path",
    }
    return EnvironmentProblem(where, exc.strerror or str(exc), hints.get(type(exc).__name__, ""))
