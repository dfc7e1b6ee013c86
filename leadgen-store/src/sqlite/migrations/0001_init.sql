-- leadgen SQLite schema, version 1.
-- Every record is stored whole as JSON in `doc`; the other columns are copies of
-- the fields used to filter, order and check tenants. Times are microseconds since
-- the Unix epoch. Ids are UUIDs in their hyphenated text form.

CREATE TABLE companies (
    id           TEXT    NOT NULL PRIMARY KEY,
    tenant_id    TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    domain_key   TEXT,
    country      TEXT,
    search_text  TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL,
    merged_into  TEXT,
    doc          TEXT    NOT NULL
);
CREATE INDEX companies_tenant_id ON companies (tenant_id, id);
CREATE INDEX companies_tenant_domain ON companies (tenant_id, domain_key)
    WHERE domain_key IS NOT NULL;

CREATE TABLE contacts (
    id            TEXT    NOT NULL PRIMARY KEY,
    tenant_id     TEXT    NOT NULL,
    company_id    TEXT,
    email_key     TEXT,
    linkedin_url  TEXT,
    country       TEXT,
    name          TEXT,
    email_status  TEXT    NOT NULL,
    search_text   TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    merged_into   TEXT,
    doc           TEXT    NOT NULL
);
CREATE INDEX contacts_tenant_id ON contacts (tenant_id, id);
CREATE INDEX contacts_tenant_email ON contacts (tenant_id, email_key)
    WHERE email_key IS NOT NULL;
CREATE INDEX contacts_tenant_linkedin ON contacts (tenant_id, linkedin_url)
    WHERE linkedin_url IS NOT NULL;
CREATE INDEX contacts_tenant_company ON contacts (tenant_id, company_id)
    WHERE company_id IS NOT NULL;

CREATE TABLE runs (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    doc         TEXT    NOT NULL
);
CREATE INDEX runs_tenant_created ON runs (tenant_id, created_at, id);

CREATE TABLE completions (
    tenant_id    TEXT    NOT NULL,
    entity_kind  TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    stage        TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    run_id       TEXT,
    finished_at  INTEGER NOT NULL,
    doc          TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, entity_kind, entity_id, stage)
) WITHOUT ROWID;

-- `seq` keeps append order for records that started at the same time.
CREATE TABLE stage_runs (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    tenant_id    TEXT    NOT NULL,
    run_id       TEXT    NOT NULL,
    entity_kind  TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    stage        TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    doc          TEXT    NOT NULL
);
CREATE INDEX stage_runs_tenant_run ON stage_runs (tenant_id, run_id, started_at, seq);

CREATE TABLE audit_log (
    id           TEXT    NOT NULL PRIMARY KEY,
    tenant_id    TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    entity_kind  TEXT,
    entity_id    TEXT,
    doc          TEXT    NOT NULL
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at, id);
CREATE INDEX audit_log_tenant_entity ON audit_log (tenant_id, entity_id, at)
    WHERE entity_id IS NOT NULL;

CREATE TABLE cache_entries (
    tenant_id  TEXT    NOT NULL,
    namespace  TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    stored_at  INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, namespace, key)
) WITHOUT ROWID;
