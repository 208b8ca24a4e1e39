"""The workbook every report writes: numbers, not text.

A `Sheet` is a frame whose numeric columns keep their numbers (mean, lower and upper
bound in their own columns) with a format per column, or per row for long tables that
mix shares with other measures; `write_workbook` gives every sheet a bold frozen header,
filters, widths and an Excel-valid name. The run, experiment, compare and explore
reports all write through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class Sheet:
    """A workbook sheet: numeric columns with their formats ('pct', 'points', 'num',
    'int', 'text'); unnamed columns are text."""

    name: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    share_rows: np.ndarray | None = None  # long tables: rows whose numbers are shares
    share_format: str = "pct"  # or "points", for differences of shares
    points_unit: str = "pp"  # the unit Excel shows after percentage points
    # With share_format "pct": columns holding differences (in percentage points) of the
    # share rows, beside their levels (in percent).
    points_columns: tuple[str, ...] = ()


FORMATS = {
    "pct": "0.0%",
    "num": "#,##0.0",
    "int": "#,##0",
    "year": "0",
    "general": "#,##0.0##",  # a number column no one named: up to three decimals
}


def _cell_formats(sheet: Sheet) -> Callable[[int, str], str | None]:
    """Format of (row, column): per column, or per row for long tables mixing shares
    with other measures (numeric columns of share rows as percentages). Decided once per
    column; a cell only looks up its row's kind."""
    mask = sheet.share_rows
    unit = sheet.points_unit
    points = (f'+0.0" {unit}";-0.0" {unit}";0.0" {unit}"', "+#,##0.0;-#,##0.0;0.0")
    fixed: dict[str, str | None] = {}
    by_row: dict[str, tuple[str, str]] = {}  # (share row, other row)
    for column in sheet.frame.columns:
        numeric = pd.api.types.is_float_dtype(sheet.frame[column])
        if column in sheet.formats:
            fixed[column] = FORMATS[sheet.formats[column]]
        elif mask is not None and numeric:
            by_points = sheet.share_format == "points" or column in sheet.points_columns
            by_row[column] = points if by_points else (FORMATS["pct"], FORMATS["num"])
        elif pd.api.types.is_integer_dtype(sheet.frame[column]):
            fixed[column] = FORMATS["int"]
        else:
            fixed[column] = FORMATS["general"] if numeric else None

    def fmt(row: int, column: str) -> str | None:
        pair = by_row.get(column)
        if pair is not None and mask is not None:
            return pair[0] if mask[row] else pair[1]
        return fixed[column]

    return fmt


def sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique, and cut at
    a word rather than mid-word."""
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\").strip()
    if len(clean) > 31:
        clean = clean[:31].rsplit(" ", 1)[0].strip()
    title, i = clean or "Sheet", 2
    while title in taken:
        suffix = f" {i}"
        title = clean[: 31 - len(suffix)].strip() + suffix
        i += 1
    taken.add(title)
    return title


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(sheet_title(sheet.name, taken))
        frame = sheet.frame
        ws.append([str(c) for c in frame.columns])
        for c in ws[1]:
            c.font = Font(bold=True)
        fmt = _cell_formats(sheet)
        columns = list(frame.columns)
        for i, row in enumerate(frame.itertuples(index=False)):
            values = [
                None
                if isinstance(v, float) and np.isnan(v)
                else (v.item() if hasattr(v, "item") else v)
                for v in row
            ]
            ws.append(values)
            for j, column in enumerate(columns):
                number_format = fmt(i, column)
                if number_format:
                    ws.cell(row=i + 2, column=j + 1).number_format = number_format
        for j, column in enumerate(columns, start=1):
            texts = [str(column)] + [str(v) for v in frame[column].head(200)]
            width = min(80, max(10, max(len(t) for t in texts) + 2))
            if pd.api.types.is_float_dtype(frame[column]):
                width = max(12, len(str(column)) + 2)
            ws.column_dimensions[get_column_letter(j)].width = width
            if width == 80:
                for c in ws[get_column_letter(j)]:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        if len(frame):
            ws.auto_filter.ref = ws.dimensions
    book.save(path)
