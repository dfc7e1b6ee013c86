-- leadgen PostgreSQL schema, version 3: the work queue of runs shared by several
-- workers (leadgen_core::store::LeaseStore).
--
-- One row per (run, entity, stage) pair with work left when a worker joined. A
-- worker claims rows with `FOR UPDATE SKIP LOCKED` (each row goes to one worker)
-- and holds them until `expires_at`, which it extends while it works; a row whose
-- lease expired is claimable again. `done` is set once the pair's completion is
-- stored; completions stay the source of truth.

CREATE TABLE run_pairs (
    tenant_id    text        NOT NULL,
    run_id       uuid        NOT NULL,
    entity_kind  text        NOT NULL,
    entity_id    uuid        NOT NULL,
    stage        text        NOT NULL,
    rank         integer     NOT NULL,
    done         boolean     NOT NULL DEFAULT false,
    worker       text,
    expires_at   timestamptz,
    claims       integer     NOT NULL DEFAULT 0,
    cost         bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, run_id, entity_kind, entity_id, stage)
);
-- What a claim scans: the pairs not done, in claim order.
CREATE INDEX run_pairs_open ON run_pairs (tenant_id, run_id, rank, entity_id)
    WHERE NOT done;
-- What a heartbeat scans: the pairs a worker holds (few).
CREATE INDEX run_pairs_held ON run_pairs (tenant_id, run_id, worker)
    WHERE NOT done AND worker IS NOT NULL;

ALTER TABLE run_pairs ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_pairs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_pairs
    USING (tenant_id = current_setting('leadgen.tenant', true))
    WITH CHECK (tenant_id = current_setting('leadgen.tenant', true));
