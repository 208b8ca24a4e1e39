"""Writing a `Report` (allocsim.reports.page): a self-contained HTML page, Markdown with
its figures as PNG files, and the workbook, for every report alike.

Files are named per language (`<stem>.en.html`, `<stem>.nl.html`, ...), so neither
overwrites the other, and each is replaced whole (a temporary file, then a rename).
"""

from __future__ import annotations

import base64
from functools import partial
from pathlib import Path

import jinja2
import pandas as pd

from allocsim.paths import replace_file, write_text
from allocsim.reports.page import Report, Table
from allocsim.reports.workbook import write_workbook

TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("allocsim.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
).get_template("report.html.j2")


def file_names(lang: str, stem: str = "report") -> dict[str, str]:
    return {kind: f"{stem}.{lang}.{kind}" for kind in ("html", "md", "xlsx")}


def flat(table: Table) -> pd.DataFrame:
    """The table's frame with its index as ordinary columns (one header row)."""
    frame = table.shown
    return frame.reset_index() if table.index else frame


def html_table(table: Table) -> str:
    return flat(table).to_html(border=0, classes="t", na_rep="", escape=True, index=False)


def render_html(report: Report) -> str:
    def uri(png: bytes) -> str:
        return "data:image/png;base64," + base64.b64encode(png).decode()

    return TEMPLATE.render(
        r=report,
        uri=uri,
        html_table=lambda table: jinja2.utils.markupsafe.Markup(html_table(table)),
    )


def render_markdown(report: Report, figure_paths: dict[int, str]) -> str:
    md = [f"# {report.title}", ""]
    md += [report.description, ""] if report.description else []
    md += [" · ".join(report.changes), ""] if report.changes else []
    md += [f"## {report.headline_title}", ""]
    md += [f"*{report.question}*", ""] if report.question else []
    md += [f"- {line.text}" for line in report.headline] + [""]
    for fig in report.figures:
        md += [f"![{fig.caption}]({figure_paths[id(fig.png)]})", ""]
        md += [fig.note, ""] if fig.note else []
    if report.about:
        md += [f"## {report.about_title}", ""] + [p for line in report.about for p in (line, "")]
    for sec in report.sections:
        md += [f"## {sec.title}", ""]
        if sec.note:
            md += [sec.note, ""]
        for fig in sec.figures:
            md += [f"![{fig.caption}]({figure_paths[id(fig.png)]})", ""]
        md += [p for line in sec.paragraphs for p in (line, "")]
        for table in sec.tables:
            if table.title != sec.title:
                md += [f"### {table.title}", ""]
            md += [flat(table).to_markdown(index=False), ""]
            md += [table.note, ""] if table.note else []
    if report.glossary:
        md += [f"## {report.glossary_title}", ""]
        md += [f"- **{term}**: {meaning}" for term, meaning in report.glossary] + [""]
    if report.facts:
        md += [f"## {report.facts_title}", ""]
        md += [f"- {key}: {value}" for key, value in report.facts] + [""]
    return "\n".join(md)


def write_pages(report: Report, folder: Path, stem: str = "report") -> dict[str, Path]:
    """`<stem>.<lang>.html`, `.md` (figures in figures/<lang>/) and `.xlsx` in `folder`."""
    lang = report.lang
    figdir = folder / "figures" / (lang if stem == "report" else f"{stem}-{lang}")
    figdir.mkdir(parents=True, exist_ok=True)
    figure_paths = {}
    for i, fig in enumerate(report.all_figures(), start=1):
        path = figdir / f"figure-{i}.png"
        replace_file(path, partial(Path.write_bytes, data=fig.png))
        figure_paths[id(fig.png)] = path.relative_to(folder).as_posix()
    names = file_names(lang, stem)
    write_text(folder / names["html"], render_html(report))
    write_text(folder / names["md"], render_markdown(report, figure_paths))
    replace_file(folder / names["xlsx"], partial(write_workbook, sheets=report.sheets))
    return {kind: folder / name for kind, name in names.items()}
