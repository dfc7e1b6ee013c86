"""Python anchor for the store benchmark.

Loads the rows the Rust benchmark wrote (the same columns leadgen's store writes,
into the same schema, created from leadgen-store's own migration files) and
measures the plain-Python way of doing the same work:

- SQLite: ``sqlite3.executemany`` in one transaction, then point reads
  (``SELECT doc ... WHERE tenant_id = ? AND id = ?`` + ``json.loads``);
- PostgreSQL: ``COPY`` through psycopg in one transaction, then point reads.

Then prints one table with the Rust results beside the anchors.

Usage: anchor.py --out DIR [--pg-url URL]
"""

import argparse
import json
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE.parent.parent / "leadgen-store" / "src"
COLUMNS = [
    "id", "tenant_id", "company_id", "email_key", "linkedin_url", "country", "name",
    "email_status", "search_text", "updated_at", "doc",
]


def load_rows(out: Path):
    rows = []
    with open(out / "rows.jsonl", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
    return rows


def sqlite_anchor(out: Path, rows, order):
    db = out / "anchor-sqlite.db"
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(f"{db}{suffix}")
        except FileNotFoundError:
            pass
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript((MIGRATIONS / "sqlite/migrations/0001_init.sql").read_text())
    data = [
        (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[11])
        for r in rows
    ]
    sql = f"INSERT INTO contacts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(sql, data)
    conn.execute("COMMIT")
    upsert = time.perf_counter() - started

    started = time.perf_counter()
    for tenant, cid in order:
        (doc,) = conn.execute(
            "SELECT doc FROM contacts WHERE tenant_id = ? AND id = ?", (tenant, cid)
        ).fetchone()
        json.loads(doc)
    reads = time.perf_counter() - started
    conn.close()
    return upsert, reads


def postgres_anchor(pg_url: str, rows, order):
    schema = f"leadgen_bench_anchor_{os.getpid()}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            conn.execute(f'SET search_path TO "{schema}"')
            conn.execute((MIGRATIONS / "postgres/migrations/0001_init.sql").read_text())
            data = [
                (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[10], r[11])
                for r in rows
            ]
            started = time.perf_counter()
            with conn.transaction():
                with conn.cursor() as cur:
                    with cur.copy(f"COPY contacts ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
            upsert = time.perf_counter() - started

            started = time.perf_counter()
            with conn.cursor() as cur:
                for tenant, cid in order:
                    cur.execute(
                        "SELECT doc::text FROM contacts WHERE tenant_id = %s AND id = %s",
                        (tenant, cid),
                        prepare=True,
                    )
                    (doc,) = cur.fetchone()
                    json.loads(doc)
            reads = time.perf_counter() - started
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return upsert, reads


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "LEADGEN_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()

    rows = load_rows(args.out)
    order = [(r[1], r[0]) for r in rows]
    random.Random(42).shuffle(order)
    n = len(rows)

    anchors = {
        "sqlite": sqlite_anchor(args.out, rows, order),
        "postgres": postgres_anchor(args.pg_url, rows, order),
    }
    rust = json.loads((args.out / "rust-results.json").read_text())
    if rust["rows"] != n:
        sys.exit(f"row counts differ: rust {rust['rows']}, anchor {n}")

    def rate(seconds):
        return n / seconds

    print()
    print(f"store benchmark, {n} contacts (rows/s; ratio = leadgen / Python anchor)")
    print(f"{'backend':<10} {'operation':<13} {'leadgen':>12} {'anchor':>12} {'ratio':>7}  anchor method")
    methods = {
        ("sqlite", "upsert_s"): "sqlite3.executemany, one transaction",
        ("sqlite", "reads_s"): "sqlite3 SELECT + json.loads",
        ("postgres", "upsert_s"): "psycopg COPY, one transaction",
        ("postgres", "reads_s"): "psycopg prepared SELECT + json.loads",
    }
    for backend in ("sqlite", "postgres"):
        for i, (key, label) in enumerate((("upsert_s", "bulk upsert"), ("reads_s", "point reads"))):
            ours = rate(rust[backend][key])
            theirs = rate(anchors[backend][i])
            print(
                f"{backend:<10} {label:<13} {ours:>12,.0f} {theirs:>12,.0f} "
                f"{ours / theirs:>6.2f}x  {methods[(backend, key)]}"
            )
    goals = {"sqlite": 200_000, "postgres": 50_000}
    for backend, goal in goals.items():
        ours = rate(rust[backend]["upsert_s"])
        verdict = "met" if ours >= goal else "MISSED"
        print(f"goal: {backend} bulk upsert >= {goal:,} rows/s: {verdict} ({ours:,.0f})")


if __name__ == "__main__":
    main()
