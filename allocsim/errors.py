"""User-facing errors: one readable line per problem, never a traceback."""

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
