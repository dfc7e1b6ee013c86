-- leadgen SQLite schema, version 2: completions and stage runs in plain columns.
-- The executor writes one completion and (usually) one stage-run row per pair, so
-- these rows dominate its writes; a JSON document per row doubled their size and
-- cost a serialization each. New rows leave `doc` NULL and keep every field in a
-- column; rows written by version 1 keep their document, which stays the truth
-- for them. Times of the new columns are nanoseconds since the Unix epoch (the
-- records keep nanoseconds); `stage_runs.started_at` is converted to nanoseconds
-- for old rows too, so ordering and the budget query use one unit.

CREATE TABLE completions_v2 (
    tenant_id    TEXT    NOT NULL,
    entity_kind  TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    stage        TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    run_id       TEXT,
    cost         INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    started_at   INTEGER NOT NULL DEFAULT 0,
    finished_at  INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    output       TEXT,
    doc          TEXT,
    PRIMARY KEY (tenant_id, entity_kind, entity_id, stage)
) WITHOUT ROWID;
INSERT INTO completions_v2 (tenant_id, entity_kind, entity_id, stage, status, run_id,
    finished_at, doc)
SELECT tenant_id, entity_kind, entity_id, stage, status, run_id, finished_at * 1000, doc
FROM completions;
DROP TABLE completions;
ALTER TABLE completions_v2 RENAME TO completions;

-- `seq` (the rowid) keeps append order for records that started at the same time.
CREATE TABLE stage_runs_v2 (
    seq          INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    tenant_id    TEXT    NOT NULL,
    run_id       TEXT    NOT NULL,
    entity_kind  TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    stage        TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    attempt      INTEGER NOT NULL DEFAULT 0,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL DEFAULT 0,
    cost         INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    doc          TEXT
);
INSERT INTO stage_runs_v2 (seq, id, tenant_id, run_id, entity_kind, entity_id, stage,
    status, started_at, cost, doc)
SELECT seq, id, tenant_id, run_id, entity_kind, entity_id, stage, status,
    started_at * 1000, CAST(COALESCE(json_extract(doc, '$.cost'), 0) AS INTEGER), doc
FROM stage_runs;
DROP TABLE stage_runs;
ALTER TABLE stage_runs_v2 RENAME TO stage_runs;
CREATE INDEX stage_runs_tenant_run ON stage_runs (tenant_id, run_id, started_at, seq);
