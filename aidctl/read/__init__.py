"""Reading: spreadsheet files → sheets of text → tables (header found, columns mapped, data rows) →
the roster frame, one row a record with canonical columns and where each came from.

workbook   open .xlsx/.xls/.ods/.csv as grids of text with Excel's row numbers, as a reader sees them
           (merged ranges filled, arithmetic formulas computed), and which cells were numbers
sheetxml   the layout the cell text hides: merged ranges, hidden rows and columns, formulas without a
           value, error values, struck-out cells, long numbers, cells of a number format that shows
           another number (a streaming scan of the sheet's XML; for .xls: biff)
numformat  which number formats show another number than the cell holds (0!.0, #,##0, 0% …)
styles     an .xlsx's styles part: struck-out fonts and strings, the fonts, fills and runs that hide text
unseen     text nobody sees (a font coloured as its fill, or too small): .ods and .xls styles, the
           records' cells it hides (cell.invisible), an input read whole refused
biff       what an .xls's BIFF records say beyond its cells: error values, hidden rows and columns,
           struck-out cells (a walk through a sheet's records, only where there is something to find)
header     find the header (one row or two under merged group headers) and settle which column is
           read for each field
rows       which rows under the header are not students, and why; the parts a caption row withdraws
unknown    the cells a reader gives as empty though they are not: formulas without a value (plain
           arithmetic computed), error values (#N/A …), listed for the checks
tables     extract and stack the data rows; what the reader decided, kept for the checks
merged     where a record's cell lies in a merged range spanning columns or records
layout     what the layout hides per workbook: sheets passed over, hidden rows and columns read
term       the term a roster names, and the term a run judges under
roster     the roster frame and what is derived from it once (IDs, cards, vocabulary, programmes)
schools    what the centre knows of a school (schools.xlsx, the file, the school's name)
workspace  the folder a run reads from and writes to: settings, rules, schools, intake/<term>/
limits     what may be read: regular files, within technical safety limits checked before parsing
"""

from aidctl.core.exports import lazy

EXPORTS = {"Workspace": "workspace", "open_sheets": "workbook", "RawSheet": "workbook", "Table": "tables",
           "ColumnMatch": "tables", "read_tables": "tables", "locate": "tables", "extract": "tables",
           "stack": "tables", "file_info": "tables", "having_column": "tables", "missing_columns": "tables",
           "merged_across": "merged", "merged_down": "merged", "merged_range": "merged", "set_aside": "tables",
           "sheet_notes": "layout",
           "refuse_uncalculated": "unknown", "FORMULA_ADVICE": "unknown",
           "ERROR_ADVICE": "unknown", "error_value_words": "unknown",
           "refuse_struck": "unknown", "refuse_formatted": "unknown", "FORMAT_ADVICE": "unknown",
           "refuse_invisible": "unseen",
           "unrecognised_columns": "tables",
           "Roster": "roster", "read_roster_tables": "roster", "build_roster": "roster:build",
           "infer_term": "term", "settle_term": "term", "term_evidence": "term:evidence",
           "find_header": "header", "Contest": "tables", "school_attributes": "schools", "named": "schools",
           "shared_note": "schools", "contradicted_note": "schools", "guessed_note": "schools",
           "aliases_of": "schools", "school_keys": "schools", "registered_schools": "schools", "SCHOOL_KEYS": "schools",
           "unregistered_note": "schools", "TWO_DIGIT_YEARS_FROM": "roster",
           "check_input": "limits", "check_text_file": "limits", "regular_file": "limits", "shown": "limits"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
