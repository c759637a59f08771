"""Reads a workbook with openpyxl in read-only mode (which trusts each
sheet's <dimension>) and pandas; prints one JSON object per line."""
import json
import sys

import openpyxl

path, reader = sys.argv[1], sys.argv[2]
if reader == "openpyxl":
    wb = openpyxl.load_workbook(path, read_only=True)
    props = wb.properties
    print(json.dumps({"props": {"creator": props.creator, "lastModifiedBy": props.lastModifiedBy,
                                "title": props.title}}))
    for ws in wb.worksheets:
        rows = 0
        width = 0
        first = []
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            rows += 1
            filled = [k for k, v in enumerate(row) if v is not None]
            if filled:
                width = max(width, filled[-1] + 1)
            if ws.title == "Summary" and i < 60:
                first.append([("" if v is None else str(v)) for v in row])
        print(json.dumps({"sheet": ws.title, "max_row": ws.max_row, "max_column": ws.max_column,
                          "rows": rows, "width": width, "summary": first}))
else:
    import pandas as pd
    sheets = sys.argv[3].split(",")
    frames = pd.read_excel(path, sheet_name=sheets, header=0, engine="openpyxl")
    for name in sheets:
        df = frames[name]
        print(json.dumps({"sheet": name, "rows": int(len(df)), "columns": [str(c) for c in df.columns]}))
