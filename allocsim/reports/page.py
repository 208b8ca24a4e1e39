"""The page every report is: its content, independent of the output format.

A `Report` is what the run, experiment, compare and explore reports say, in one
language: the title and what changed (labels, settings), the answer first (`headline`,
whose `Line`s mark the interval a reader looks for), the charts that follow it (the
effect, then its context), a short box on what the figures are and are not, the
details in sections, a glossary, the provenance last, and the workbook's sheets.
`allocsim.reports.render` writes it as HTML, Markdown and a workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from allocsim.reports.workbook import Sheet


@dataclass
class Line:
    """A sentence of the answer; `mark` (a part of `text`) is shown in bold: the
    interval or the number the sentence is about."""

    text: str
    mark: str = ""

    def parts(self) -> tuple[str, str, str]:
        """(before, mark, after): the mark's first whole occurrence (not a piece of a
        longer number or word); the whole text before when there is none."""
        found = (
            re.search(rf"(?<![\w.,]){re.escape(self.mark)}(?![\w])", self.text)
            if self.mark
            else None
        )
        if found is None:
            return self.text, "", ""
        return self.text[: found.start()], self.mark, self.text[found.end() :]


@dataclass
class Figure:
    caption: str
    png: bytes
    alt: str = ""  # what the figure shows, in words (screen readers, a broken image)
    note: str = ""  # read with the figure: a unit, a caveat


@dataclass
class Table:
    """A table as shown (text cells); the workbook gets its numbers from a `Sheet`."""

    title: str
    shown: pd.DataFrame
    index: bool = True  # the frame's index is a column of the table
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    note: str = ""
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    collapsed: bool = False


@dataclass
class Report:
    lang: str
    title: str
    description: str
    headline_title: str
    headline: list[Line]
    # What makes this run differ from the scenario it names: its label and every
    # setting given on the command line, shown under the title.
    changes: list[str] = field(default_factory=list)
    question: str = ""  # the review's question, above the answer
    figures: list[Figure] = field(default_factory=list)  # the effect, then its context
    about_title: str = ""
    about: list[str] = field(default_factory=list)  # what the figures are and are not
    sections: list[Section] = field(default_factory=list)
    glossary_title: str = ""
    glossary: list[tuple[str, str]] = field(default_factory=list)
    facts_title: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)  # provenance, last
    sheets: list[Sheet] = field(default_factory=list)
    other_lang: tuple[str, str] = ("", "")  # (file, label) of the other language's page

    def all_figures(self) -> list[Figure]:
        return [*self.figures, *(f for sec in self.sections for f in sec.figures)]
