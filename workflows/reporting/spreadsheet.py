"""CSV for Danish Excel: UTF-8 with BOM, semicolons, decimal commas, no formulas.

Every CSV export of the project writes its cells through `spreadsheet_cell`.
"""

import csv
import decimal
import io

from intranet.text import strip_invisible_controls

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets
# (tab and carriage return too, as OWASP's CSV injection advice lists).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DELIMITER = ";"
BOM = "\ufeff"


def spreadsheet_cell(value) -> str:
    """One cell as text that a spreadsheet shows as it is and never evaluates.

    Numbers stay numbers (a negative count is not a formula); floats get a decimal comma.
    Text loses invisible direction and zero-width controls (as the forms strip them), then
    text starting like a formula gets an apostrophe in front, which spreadsheets hide: a
    control in front of "=" neither hides the formula from the guard nor stays in the cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, decimal.Decimal):
        return str(value).replace(".", ",")
    text = strip_invisible_controls(str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_text(rows) -> str:
    """The rows as a CSV document (with BOM) ready to be written as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return BOM + buffer.getvalue()
