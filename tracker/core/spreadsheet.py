"""Text in the workbooks we write stays text: a value starting like a formula (=, +, -, @, tab,
carriage return) is stored as a string with Excel's quote prefix, so it is shown as typed and never
computed (CSV/formula injection); openpyxl reads it back as the same string."""
from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def put_text(cell, value: str) -> None:
    cell.value = value
    if value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def keep_text(workbook) -> None:
    """Every string cell of a workbook that holds no formula of its own, made safe with `put_text`."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    put_text(cell, cell.value)


def printable(values: list) -> list:
    """A row with the control characters a worksheet cannot hold removed from its strings (an
    imported text may carry one, e.g. a YAML "\\a"): openpyxl refuses them, failing the whole file."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return [ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in values]
