"""The Python side of benches/bindings: the installed `leadgen` wheel (release build).

Usage: python bench.py <dir>; prints TSV lines `python  op  mode  n  seconds` (best of 3).
"""

import sys
import time
from pathlib import Path

import leadgen


def best_of(work):
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    folder = Path(sys.argv[1])
    names = folder.joinpath("names.txt").read_text(encoding="utf-8").splitlines()
    emails = folder.joinpath("emails.txt").read_text(encoding="utf-8").splitlines()
    one_name, one_email = leadgen.normalize_company_name, leadgen.validate_email
    rows = [
        ("normalize_company_name", "batched", len(names), best_of(lambda: leadgen.normalize_company_names(names))),
        ("normalize_company_name", "one_by_one", len(names), best_of(lambda: [one_name(n) for n in names])),
        ("validate_email", "batched", len(emails), best_of(lambda: leadgen.validate_emails(emails))),
        ("validate_email", "one_by_one", len(emails), best_of(lambda: [one_email(e) for e in emails])),
    ]
    for op, mode, n, secs in rows:
        print(f"python\t{op}\t{mode}\t{n}\t{secs:.6f}")


main()
