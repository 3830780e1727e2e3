"""Messages of the ingestion engine, written for the person who uploaded the file.

Format with `.format(**kw)`; tests import these constants. The generic empty/binary messages
live in `datanuri.errors` (MSG_EMPTY_FILE, MSG_BINARY_FILE).
"""

MSG_TRUNCATED = (
    "The file {name!r} looks like {kind} but it is cut off or damaged ({detail}). "
    "Upload the complete file again, or re-save it from the program that made it."
)
MSG_LEGACY_XLS = (
    "The file {name!r} is an old-style Excel .xls (or another OLE document). "
    "Open it in Excel or LibreOffice and save it as .xlsx or CSV, then try again."
)
MSG_NOT_SPREADSHEET_ZIP = (
    "The file {name!r} is a ZIP archive but not an Excel workbook (.xlsx). "
    "Unpack it and upload the CSV or XLSX file inside."
)
MSG_COMPRESSED = (
    "The file {name!r} is compressed ({kind}). Decompress it and upload the CSV, XLSX, JSON or "
    "Parquet file inside."
)
MSG_ZIP_BOMB = (
    "The workbook {name!r} would expand to {size} bytes ({detail}), more than the limit of {limit} bytes. "
    "This looks like a damaged or malicious file; split the data or export it as CSV."
)
MSG_CELL_TOO_LARGE = (
    "The file {name!r} has a value larger than {limit} bytes{where}. Values this large are not table data; "
    "check the delimiter and quoting (an unclosed quote swallows the rest of the file), or remove the value."
)
MSG_TOO_MANY_COLUMNS = (
    "The file {name!r} has {columns:,} columns; this server takes at most {limit:,} (its "
    "administrators set max_columns). Split the table into narrower files (e.g. one per topic, "
    "each with the key columns), or reshape it from wide to long (one row per item and value)."
)
MSG_BAD_ENCODING = (
    "The file {name!r} is not valid {encoding} text{where}. Save it as UTF-8 (or pass the right "
    "encoding, e.g. encoding='cp949' for most Korean public data) and try again."
)
MSG_UNKNOWN_ENCODING = (
    "Could not read {name!r} as text: it is neither UTF-8, UTF-16 nor CP949/EUC-KR. Save it as UTF-8 CSV "
    "or pass the encoding explicitly."
)
MSG_FORMAT_MISMATCH = (
    "The file {name!r} was given as {asked} but its content is {actual}. Pick the right format "
    "(or leave it on auto) and try again."
)
MSG_NAME_CONTRADICTS = (
    "The file {name!r} is named as a {suffix} file but holds plain text, so it is not published "
    "as a table. If it is one, rename it to .csv (or .tsv, .json) or choose its format explicitly "
    "(`--format csv`, or the format field of the upload); otherwise upload the table itself."
)
MSG_NO_SHEET = "The workbook {name!r} has no sheet named {sheet!r}. Its sheets are: {sheets}."
MSG_EMPTY_SHEET = (
    "The sheet {sheet!r} of {name!r} is empty: there is no header row. Pick another sheet."
)
MSG_BAD_JSON = (
    "The file {name!r} is not valid JSON ({detail}). Upload an array of objects ([{{...}}, ...]) "
    "or one JSON object per line (NDJSON)."
)
MSG_JSON_NOT_RECORDS = (
    "The JSON file {name!r} is not a list of records: expected an array of objects or one object "
    "per line."
)
MSG_NO_COLUMNS = (
    "The file {name!r} has no columns in its header line. Check that the first line holds the "
    "column names."
)
MSG_ROW_PROBLEMS_STRICT = (
    "{count} row problem(s) in {name!r} (strict mode), first at line {line}: {first}. "
    "Fix the rows listed in the details, or publish in lenient mode to keep going with a report."
)
MSG_UNREADABLE = (
    "The file {name!r} could not be read as {kind}: {detail}. Check the file and try again."
)

# Row problems (Problem.message)
PROB_COLUMN_COUNT = (
    "Line {line} has {actual} values but the header has {expected}; the row was skipped."
)
PROB_TYPE = (
    "Line {line}: {value!r} in column {column!r} is not {article} {type} like the other values; "
    "the column was kept as text."
)
PROB_NOT_RECORD = "Record {line} is not a JSON object; it was skipped."
PROB_TYPE_NULL = (
    "Line {line}: {value!r} in column {column!r} is not {article} {type} (it reads as a missing "
    "value); the column stays {type} and this cell was left empty (null)."
)
PROB_TOTAL_ROW = (
    "Line {line} is a total row ({label!r}); it was left out of the table so sums and averages "
    "are not doubled. Publish with --keep-totals to keep such rows."
)

# the publisher's header-row choices
MSG_BAD_HEADER_ROW = (
    "--header-row must be 1 or more (the row of the header as the spreadsheet numbers it), "
    "not {value}."
)
MSG_BAD_SKIP_ROWS = "--skip-rows must be 0 or more (rows above the header), not {value}."
MSG_HEADER_AND_SKIP = (
    "--header-row {header_row} and --skip-rows {skip} name different rows; give only one of them."
)
MSG_HEADER_ROW_EMPTY = (
    "Row {row} of {name!r} is empty or past the end, so it cannot be the header. Open the file, "
    "find the row with the column names and give its number (counting title rows) as the header row."
)
MSG_HEADER_ROW_FORMAT = (
    "A header row applies to CSV, TSV and XLSX files; {name!r} is {format}, whose column names "
    "come from its records. Publish it without --header-row / --skip-rows."
)
