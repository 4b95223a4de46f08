"""Diffs two catalog CSV exports with datacompy (pandas), joined on 事项编码, for benches/run.sh.

    python benches/datacompy_diff.py old.csv new.csv

Prints the row counts datacompy computes: rows only in old, only in new, in both, and rows in both
with at least one differing column. Every column is read as text, as an auditor would.
"""

import sys
import time

import datacompy
import pandas as pd

start = time.perf_counter()
old = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
new = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
read = time.perf_counter()
cmp = datacompy.PandasCompare(old, new, join_columns="事项编码", df1_name="old", df2_name="new")
matching = cmp.count_matching_rows()
both = len(cmp.intersect_rows)
done = time.perf_counter()
print(
    f"datacompy {datacompy.__version__}: old={len(old)} new={len(new)} "
    f"only_old={len(cmp.df1_unq_rows)} only_new={len(cmp.df2_unq_rows)} both={both} "
    f"differing={both - matching} read_s={read - start:.2f} compare_s={done - read:.2f}"
)
