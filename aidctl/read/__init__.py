"""Reading: spreadsheet files → sheets of text → tables (header found, columns mapped, data rows) →
the roster frame, one row a record with canonical columns and where each came from.

workbook   open .xlsx/.xls/.csv as grids of text with Excel's row numbers, and which cells were numbers
tables     find the header, map the columns by alias, extract and stack the data rows
roster     the roster frame and what is derived from it once (IDs, cards, vocabulary, programmes)
schools    what the centre knows of a school (schools.xlsx, the file, the school's name)
workspace  the folder a run reads from and writes to: settings, rules, schools, intake/<term>/
"""

from aidctl.core.exports import lazy

EXPORTS = {"Workspace": "workspace", "open_sheets": "workbook", "RawSheet": "workbook", "Table": "tables",
           "ColumnMatch": "tables", "read_tables": "tables", "locate": "tables", "extract": "tables",
           "stack": "tables", "file_info": "tables", "having_column": "tables", "missing_columns": "tables",
           "unrecognised_columns": "tables",
           "Roster": "roster", "read_roster_tables": "roster", "build_roster": "roster:build",
           "infer_term": "roster", "school_attributes": "schools"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
