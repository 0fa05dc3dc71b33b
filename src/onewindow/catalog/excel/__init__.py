"""Excel import and export of a zone's implementation list (实施清单).

The column layout is documented for clerks in ``docs/catalog-excel.md``: three sheets,
"事项" (one row per item, every element of its published version), "材料" (one row per
material) and "环节" (one row per workflow step), joined by 实施编码. Enumerations are written
and read as the Chinese labels of ``catalog.constants`` so a clerk reads them, and are parsed
back strictly.

- ``layout``: the sheets and columns; ``cells``: how one cell is read.
- ``writer.export_catalog``: the published versions, streamed (openpyxl write-only mode).
- ``reader.read_catalog`` (pass 1): every row read (read-only mode) and parsed, the
  references between sheets and to the zone's departments, windows and certificate types
  checked; every problem collected with its sheet, row and column.
- ``importer.import_catalog`` (pass 2, only on a clean file): one transaction, writes
  through ``catalog.services`` only, so the rules of an item live in one place. The
  services' ``ValidationFailed`` errors are placed on the cell they concern, and any problem
  rolls the whole import back. Unchanged items are left alone, so importing an export
  changes nothing.
"""

from onewindow.catalog.excel.importer import ImportReport, import_catalog
from onewindow.catalog.excel.layout import LAYOUT, SHEETS
from onewindow.catalog.excel.reader import Problem, read_catalog
from onewindow.catalog.excel.writer import export_catalog

__all__ = [
    "LAYOUT",
    "SHEETS",
    "ImportReport",
    "Problem",
    "export_catalog",
    "import_catalog",
    "read_catalog",
]
