"""Python anchors for benches/import: the same files read by polars, pandas, openpyxl.

Prints one JSON object of best-of-N wall times in seconds.
"""
import json
import sys
import time
from pathlib import Path


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    data = Path(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    csv = data / "contacts_large_100k.csv"
    xlsx = data / "team_workbook.xlsx"
    out = {}

    import polars as pl
    # Three rows of the file are ragged: polars needs to be told to cope.
    out["polars_read_csv_s"] = best(
        lambda: pl.read_csv(csv, infer_schema_length=0, truncate_ragged_lines=True), repeats)

    import pandas as pd
    out["pandas_read_csv_s"] = best(
        lambda: pd.read_csv(csv, dtype=str, on_bad_lines="skip", keep_default_na=False), repeats)

    import openpyxl

    def read_xlsx():
        wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
        rows = list(wb["Kontakty"].iter_rows(values_only=True))
        wb.close()
        return rows

    out["openpyxl_read_only_s"] = best(read_xlsx, repeats * 4)
    out["versions"] = {"polars": pl.__version__, "pandas": pd.__version__,
                       "openpyxl": openpyxl.__version__}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
