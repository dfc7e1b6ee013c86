"""Python anchor for the executor benchmark.

Mimics the seed system's executor: one thread per stage, each polling a
completions table in SQLite (sqlite3 from the standard library) for entities
whose dependency stage has completed and its own has not, running a no-op for
each and recording its completion. Same shape as the Rust run: `--stages`
stages in a chain over `--entities` entities. Prints one JSON line.
"""

import argparse
import json
import os
import sqlite3
import tempfile
import threading
import time

POLL_LIMIT = 500
IDLE_SLEEP = 0.005


def connect(path):
    conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def setup(path, entities):
    conn = connect(path)
    conn.executescript(
        """
        CREATE TABLE entities (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE completions (
            entity_id INTEGER NOT NULL,
            stage INTEGER NOT NULL,
            status TEXT NOT NULL,
            finished_at REAL NOT NULL,
            PRIMARY KEY (entity_id, stage)
        ) WITHOUT ROWID;
        CREATE INDEX completions_stage ON completions (stage, entity_id);
        """
    )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO entities (id, name) VALUES (?, ?)",
        ((i, f"Company {i}") for i in range(entities)),
    )
    conn.execute("COMMIT")
    conn.close()


def noop(entity_id):
    return None


def stage_worker(path, stage, entities, errors):
    try:
        conn = connect(path)
        done = 0
        while done < entities:
            if stage == 0:
                rows = conn.execute(
                    "SELECT e.id FROM entities e "
                    "LEFT JOIN completions c ON c.entity_id = e.id AND c.stage = 0 "
                    "WHERE c.entity_id IS NULL LIMIT ?",
                    (POLL_LIMIT,),
                ).fetchall()
            else:
                rows = conn.execute(
                    "SELECT d.entity_id FROM completions d "
                    "LEFT JOIN completions c ON c.entity_id = d.entity_id AND c.stage = ? "
                    "WHERE d.stage = ? AND d.status = 'completed' AND c.entity_id IS NULL LIMIT ?",
                    (stage, stage - 1, POLL_LIMIT),
                ).fetchall()
            if not rows:
                time.sleep(IDLE_SLEEP)
                continue
            results = []
            for (entity_id,) in rows:
                noop(entity_id)
                results.append((entity_id, stage, "completed", time.time()))
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO completions (entity_id, stage, status, finished_at) VALUES (?, ?, ?, ?)",
                results,
            )
            conn.execute("COMMIT")
            done += len(results)
        conn.close()
    except Exception as e:  # reported by the main thread
        errors.append(f"stage {stage}: {e!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--stages", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "anchor.db")
        setup(path, args.entities)
        errors = []
        threads = [
            threading.Thread(target=stage_worker, args=(path, s, args.entities, errors))
            for s in range(args.stages)
        ]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - start
        if errors:
            raise SystemExit("; ".join(errors))
        conn = connect(path)
        pairs = conn.execute("SELECT COUNT(*) FROM completions").fetchone()[0]
        conn.close()
    print(
        json.dumps(
            {
                "bench": "executor",
                "impl": "python-anchor",
                "store": "sqlite3",
                "entities": args.entities,
                "stages": args.stages,
                "pairs": pairs,
                "seconds": seconds,
                "pairs_per_sec": pairs / seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
