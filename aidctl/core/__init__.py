"""The ground every stage stands on; its modules are its public names.

errors    the one error type that stops a command (exit 2), and the named exit codes
files     write a file whole or not at all; SHA-256; a name made safe for a file
text      vectorised text clean-up, vocabulary look-ups, a blank cell told from a value, column letters
terminal  text shown on a terminal escaped (no pandas: --help and codes import it alone)
identity  resident IDs (GB 11643-1999) and bank cards, checked over whole columns; masking
money     exact yuan and fen from cells, and the one half-up rounding every figure goes through
terms     school terms ("2011-autumn") and their Chinese spellings
dates     working days (statutory holidays and 调休), dates written in cells
catalogue the finding catalogue (codes, severities, titles), without pandas
findings  the findings frame every stage reports in (the catalogue named here too)
labels    what is written where a record names no school or county; the files list's row words
jsonout   the JSON documents, fast for long lists
xlsx      the one layer every workbook aidctl writes goes through
settings  the workspace's layout and aidctl.toml
runtime   the process-wide speed settings, in one place
interrupts Ctrl-C held off while a batch is recorded and written
progress  the progress bar on stderr for long work
masking   IDs and cards masked, one helper for every output
exports   lazy package exports
"""
